//! Indexes made by an older spo-search, whose schema differs from this one
//! ([`IndexState::OutdatedLayout`]), and damaged ones with `--rebuild`
//! ([`IndexState::Damaged`]): rebuilt beside the old folder and swapped in, so that
//! upgrading the program needs no manual step. A folder whose last commit was not made by
//! spo-search ([`IndexState::Foreign`]) is never touched.

use std::path::{Path, PathBuf};

use super::report::IndexReport;
use super::state::IndexState;
use super::{pass, IndexError, IndexOptions};

/// Builds a fresh index of the corpus in a hidden folder beside `options.index`, then puts it
/// in its place; the old index stays whole until the new one is committed.
pub(super) fn rebuild_beside(
    options: &IndexOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<IndexReport, IndexError> {
    let target = &options.index;
    let fresh = sibling(target, "upgrade");
    let old = sibling(target, "outdated");
    let io = |message: String| IndexError::Folder {
        path: target.clone(),
        message,
    };
    for leftover in [&fresh, &old] {
        if leftover.exists() {
            std::fs::remove_dir_all(leftover)
                .map_err(|e| io(format!("cannot remove {}: {e}", leftover.display())))?;
        }
    }
    tracing::info!(index = %target.display(), "rebuilding the index beside its folder");
    let fresh_options = IndexOptions {
        index: fresh.clone(),
        ..options.clone()
    };
    let report = pass::run(&fresh_options, IndexState::Absent, None, progress)?;
    std::fs::rename(target, &old).map_err(|e| io(format!("cannot move the old index: {e}")))?;
    std::fs::rename(&fresh, target).map_err(|e| io(format!("cannot move the new index: {e}")))?;
    if let Err(error) = std::fs::remove_dir_all(&old) {
        tracing::warn!(%error, old = %old.display(), "the old index could not be removed");
    }
    Ok(report)
}

/// `.index.<suffix>` beside `dir`.
fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map_or_else(|| "index".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!(".{name}.{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::run;
    use tantivy::schema::{Schema, STORED, TEXT};
    use tantivy::Index;

    fn corpus(root: &Path) -> PathBuf {
        let corpus = root.join("corpus");
        std::fs::create_dir_all(corpus.join("cio")).unwrap();
        std::fs::write(
            corpus.join("cio/a.md"),
            "# Luthier\n\nFabrique des violons.",
        )
        .unwrap();
        corpus
    }

    /// An index with another schema, committed with the given payload.
    fn foreign_index(dir: &Path, payload: Option<&str>) {
        std::fs::create_dir_all(dir).unwrap();
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT | STORED);
        let index = Index::create_in_dir(dir, builder.build()).unwrap();
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        writer
            .add_document(tantivy::doc!(text => "ancien contenu"))
            .unwrap();
        let mut commit = writer.prepare_commit().unwrap();
        if let Some(payload) = payload {
            commit.set_payload(payload);
        }
        commit.commit().unwrap();
    }

    #[test]
    fn an_older_spo_index_is_rebuilt_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        foreign_index(&index, Some(r#"{"schema_version":1,"units":{}}"#));
        assert_eq!(
            IndexState::of(&index).ok(),
            Some(IndexState::OutdatedLayout)
        );
        let report = run(
            &IndexOptions::new(corpus(dir.path()), &index),
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!((report.documents, report.failed), (1, 0));
        assert_eq!(IndexState::of(&index).ok(), Some(IndexState::Current));
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn a_foreign_index_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        foreign_index(&index, None);
        assert_eq!(IndexState::of(&index).ok(), Some(IndexState::Foreign));
        let before = std::fs::read(index.join("meta.json")).unwrap();
        let error = run(
            &IndexOptions::new(corpus(dir.path()), &index),
            &mut |_, _| {},
        );
        assert!(error.is_err_and(|e| e.to_string().contains("another schema")));
        assert_eq!(std::fs::read(index.join("meta.json")).unwrap(), before);
    }
}
