//! What an index folder holds, decided once for `index` and `serve`: nothing yet, an index
//! of this version, an index of an older spo-search (another layout, or documents analysed
//! by an older analysis), an index that spo-search did not make, or a damaged one.

use std::path::Path;

use tantivy::Index;

use super::manifest::ManifestHeader;
use super::{damage, IndexError};
use crate::schema::{build_schema, SCHEMA_VERSION};

/// The state of an index folder, and what a run does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexState {
    /// No index yet (no `meta.json`): a run creates it.
    Absent,
    /// This version's schema, and a manifest of this analysis (or none yet): a run updates it
    /// incrementally; `serve` serves it as it is.
    Current,
    /// Committed by an older spo-search with another schema: rebuilt beside the folder and
    /// swapped in when committed ([`super::upgrade`]).
    OutdatedLayout,
    /// This schema, but its documents were analysed by an older spo-search (the
    /// [`SCHEMA_VERSION`] of its manifest): every unit is extracted again, and the old
    /// documents replaced, in one commit.
    OutdatedAnalysis,
    /// Not committed by spo-search (no manifest) and of another schema: refused, untouched.
    Foreign,
    /// Its `meta.json` cannot be read, or a file of its last commit is missing or fails its
    /// checksum ([`super::damage`]): refused, with what to do; `index --rebuild` rebuilds it
    /// beside the folder and swaps it in.
    Damaged,
}

impl IndexState {
    /// The state of the index folder `dir`.
    pub fn of(dir: &Path) -> Result<IndexState, IndexError> {
        open(dir).map(|(state, _)| state)
    }

    /// Whether `serve` must run `index` before serving the folder (a foreign index is then
    /// refused by that run, with its reason).
    pub fn needs_indexing(self) -> bool {
        self != IndexState::Current
    }
}

/// The state of `dir`, and its index when there is one.
pub(super) fn open(dir: &Path) -> Result<(IndexState, Option<Index>), IndexError> {
    if !dir.join("meta.json").is_file() {
        return Ok((IndexState::Absent, None));
    }
    let Ok(index) = Index::open_in_dir(dir) else {
        return Ok((IndexState::Damaged, None));
    };
    if damage::check(&index).is_err() {
        return Ok((IndexState::Damaged, Some(index)));
    }
    Ok((state_of(&index), Some(index)))
}

/// The state of an open index: its schema against this version's, and its manifest (a
/// foreign index has none).
fn state_of(index: &Index) -> IndexState {
    let manifest = index
        .load_metas()
        .ok()
        .and_then(|metas| ManifestHeader::from_payload(metas.payload.as_deref()));
    let our_schema =
        serde_json::to_value(index.schema()).ok() == serde_json::to_value(build_schema()).ok();
    match (our_schema, manifest) {
        (true, Some(manifest)) if manifest.schema_version != SCHEMA_VERSION => {
            IndexState::OutdatedAnalysis
        }
        (true, _) => IndexState::Current,
        (false, Some(_)) => IndexState::OutdatedLayout,
        (false, None) => IndexState::Foreign,
    }
}
