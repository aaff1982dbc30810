//! Building the index: incremental, atomic, and reporting every failure.
//!
//! A run discovers the corpus's units, hashes each one and compares it with the manifest of
//! the last commit; only new or changed units are extracted (in parallel, bounded in time),
//! removed ones have their documents deleted, and one commit carries both the documents and
//! the new manifest. Readers keep seeing the previous commit until then; a run killed at any
//! point leaves the previous commit intact, and the next run redoes what was lost.
//!
//! What the folder holds is decided once ([`IndexState`], shared with `serve`); the pass
//! itself is a value (`pass`) that applies each unit's result, drops the removed units and
//! commits.

pub mod damage;
pub mod fault;
pub mod manifest;
mod pass;
pub mod report;
mod segments;
pub mod snapshot;
mod state;
pub mod upgrade;
mod vocabulary;

pub use state::IndexState;

use std::path::{Path, PathBuf};

use std::sync::Arc;

use tantivy::Index;

use crate::ingest::extract::Limits;
use crate::ingest::source::SourceError;
use crate::semantic::Model;
use fault::DiskFault;
use manifest::{Manifest, ManifestHeader};
use report::IndexReport;

/// Errors that stop a run: the corpus layout, the index folder, or tantivy itself.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("index folder {path}: {message}")]
    Folder { path: PathBuf, message: String },
    /// The disk refused a write (full, read-only, forbidden, size limit): the run stopped
    /// before its commit, so the last committed index is still whole and served.
    #[error(
        "index folder {path}: {fault} ({detail}); indexing stopped, the last committed index \
         is unchanged"
    )]
    Disk {
        path: PathBuf,
        fault: DiskFault,
        detail: String,
    },
    #[error("another indexing run (or a restore) holds the index lock; wait for it to finish")]
    Locked,
    /// A file of the last commit is missing or damaged ([`damage`]).
    #[error("index folder {path} is damaged ({detail}); {}", damage::REMEDY)]
    Damaged { path: PathBuf, detail: String },
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// What a run indexes, where, and within which limits.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    pub corpus: PathBuf,
    pub index: PathBuf,
    pub limits: Limits,
    /// Extraction threads.
    pub threads: usize,
    /// Memory budget of the index writer, in bytes.
    pub writer_memory: usize,
    /// Re-extract every unit, as if the index were empty (one commit replaces everything).
    pub rebuild: bool,
    /// Where the re-indexer of a server publishes each commit for its replicas, if anywhere.
    pub publish: Option<snapshot::publish::Publication>,
    /// The semantic table that gives each document its vector (none: no vectors).
    pub semantic: Option<Arc<Model>>,
}

impl IndexOptions {
    /// Options with default limits for `corpus` and `index`.
    pub fn new(corpus: impl Into<PathBuf>, index: impl Into<PathBuf>) -> IndexOptions {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        IndexOptions {
            corpus: corpus.into(),
            index: index.into(),
            limits: Limits::default(),
            threads,
            writer_memory: 200_000_000,
            rebuild: false,
            publish: None,
            semantic: None,
        }
    }
}

/// The manifest of the last commit of `index`.
pub fn committed_manifest(index: &Index) -> Result<Manifest, IndexError> {
    Ok(Manifest::from_payload(
        index.load_metas()?.payload.as_deref(),
    ))
}

/// The SHA-256 of the semantic table that made the document vectors of the last commit of
/// `index` (none without vectors), read without the manifest's units.
pub fn committed_semantic_table(index: &Index) -> Result<Option<String>, IndexError> {
    let payload = index.load_metas()?.payload;
    Ok(ManifestHeader::from_payload(payload.as_deref()).and_then(|header| header.semantic_table))
}

fn disk_error(dir: &Path, fault: DiskFault, detail: String) -> IndexError {
    IndexError::Disk {
        path: dir.to_path_buf(),
        fault,
        detail,
    }
}

/// Runs one indexing pass, after deciding what the index folder holds ([`IndexState`]):
/// creates an absent index, updates a current one, extracts everything again for an older
/// analysis, rebuilds an older layout beside the folder, refuses a foreign index, and
/// refuses a damaged one unless asked to rebuild (then it is rebuilt beside the folder).
/// `progress` is called with (units done, units total).
///
/// A disk fault (full disk, read-only folder...) stops the run with [`IndexError::Disk`]
/// before anything is committed: the previous commit stays whole and served.
pub fn run(
    options: &IndexOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<IndexReport, IndexError> {
    let outcome = state::open(&options.index).and_then(|(state, index)| match state {
        IndexState::Foreign => Err(IndexError::Folder {
            path: options.index.clone(),
            message: "holds an index of another schema; move it away or delete it, then re-run"
                .into(),
        }),
        IndexState::OutdatedLayout => upgrade::rebuild_beside(options, progress),
        IndexState::Damaged if options.rebuild => upgrade::rebuild_beside(options, progress),
        IndexState::Damaged => Err(IndexError::Damaged {
            path: options.index.clone(),
            detail: damage_of(&options.index),
        }),
        IndexState::Absent | IndexState::Current | IndexState::OutdatedAnalysis => {
            pass::run(options, state, index, progress)
        }
    });
    outcome.map_err(|error| match error {
        IndexError::Tantivy(inner) => match DiskFault::of_tantivy(&inner) {
            Some((fault, detail)) => disk_error(&options.index, fault, detail),
            None => IndexError::Tantivy(inner),
        },
        other => other,
    })
}

/// What is damaged in the index folder `dir`.
pub fn damage_of(dir: &Path) -> String {
    match Index::open_in_dir(dir) {
        Ok(index) => damage::check(&index)
            .err()
            .unwrap_or_else(|| "no damage found now".into()),
        Err(error) => format!("it cannot be opened: {error}"),
    }
}

/// The files of the index folder `dir` that its last commit does not reference (segments
/// written by a run that did not commit), by name; tantivy's own files (`meta.json`,
/// `.managed.json`, locks) are not listed.
pub fn stray_files(dir: &Path) -> Result<Vec<String>, IndexError> {
    let metas = Index::open_in_dir(dir)?.load_metas()?;
    let segments: Vec<String> = metas
        .segments
        .iter()
        .map(|segment| segment.id().uuid_string())
        .collect();
    let mut stray = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| IndexError::Folder {
        path: dir.to_path_buf(),
        message: e.to_string(),
    })? {
        let name = entry
            .map_err(|e| IndexError::Folder {
                path: dir.to_path_buf(),
                message: e.to_string(),
            })?
            .file_name()
            .to_string_lossy()
            .into_owned();
        let tantivy_own = name == "meta.json" || name.starts_with('.');
        if !tantivy_own && !segments.iter().any(|segment| name.starts_with(segment)) {
            stray.push(name);
        }
    }
    stray.sort();
    Ok(stray)
}

/// Bytes of the files directly in `dir` (an index folder has no sub-folders).
pub fn folder_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
