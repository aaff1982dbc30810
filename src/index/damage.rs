//! Damage to an index folder: a committed file missing, truncated or failing its checksum
//! (tantivy writes a checksum at the end of each file). Checked when a folder is opened, so
//! that `index`, `serve` and `search` say the index is damaged, and what to do (restore a
//! snapshot, or rebuild), instead of serving errors or repairing nothing.

use tantivy::Index;

/// What to do about a damaged index, said by every message about one.
pub const REMEDY: &str = "restore a snapshot (spo-search restore --from <snapshot>) or rebuild \
                          it (spo-search index --rebuild)";

/// Checks the files of the last commit of `index`: `Err` names the damaged ones (a missing
/// or truncated file cannot be read at all).
pub fn check(index: &Index) -> Result<(), String> {
    let damaged = index
        .validate_checksum()
        .map_err(|error| format!("a file cannot be read: {error}"))?;
    if damaged.is_empty() {
        return Ok(());
    }
    let mut names: Vec<String> = damaged.iter().map(|f| f.display().to_string()).collect();
    names.sort();
    Err(format!(
        "files failing their checksum: {}",
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::index::{self, IndexError, IndexOptions, IndexState};

    /// A small corpus indexed into `index`; the files of its segments, largest first.
    fn indexed(corpus: &Path, index_dir: &Path) -> Vec<std::path::PathBuf> {
        std::fs::create_dir_all(corpus.join("cio")).unwrap();
        for (name, text) in [
            ("a.md", "# Luthier\n\nFabrique des violons."),
            ("b.md", "# Ébéniste\n\nMeubles."),
        ] {
            std::fs::write(corpus.join("cio").join(name), text).unwrap();
        }
        index::run(&IndexOptions::new(corpus, index_dir), &mut |_, _| {}).unwrap();
        let mut files: Vec<_> = std::fs::read_dir(index_dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "store" || e == "idx"))
            .collect();
        files.sort_by_key(|p| std::cmp::Reverse(p.metadata().unwrap().len()));
        files
    }

    /// Regression (issue 11, item 6): with a damaged segment file, `index` said all was
    /// well and repaired nothing, and `index --rebuild` failed with tantivy's error.
    #[test]
    fn a_damaged_index_is_refused_with_what_to_do_and_rebuilt_on_request() {
        for damage in ["random bytes in a .store", "a truncated .idx"] {
            let dir = tempfile::tempdir().unwrap();
            let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
            let files = indexed(&corpus, &index_dir);
            let store = files
                .iter()
                .find(|p| p.extension().unwrap() == "store")
                .unwrap();
            let idx = files
                .iter()
                .find(|p| p.extension().unwrap() == "idx")
                .unwrap();
            if damage.contains("store") {
                let mut bytes = std::fs::read(store).unwrap();
                let middle = bytes.len() / 2;
                bytes[middle..middle + 8].copy_from_slice(b"\xde\xad\xbe\xef\x00\x11\x22\x33");
                std::fs::write(store, bytes).unwrap();
            } else {
                let bytes = std::fs::read(idx).unwrap();
                std::fs::write(idx, &bytes[..bytes.len() / 2]).unwrap();
            }
            assert_eq!(
                IndexState::of(&index_dir).ok(),
                Some(IndexState::Damaged),
                "{damage}"
            );
            let options = IndexOptions::new(&corpus, &index_dir);
            let error = index::run(&options, &mut |_, _| {}).unwrap_err();
            assert!(
                matches!(error, IndexError::Damaged { .. }),
                "{damage}: {error}"
            );
            let message = error.to_string();
            assert!(
                message.contains("restore a snapshot") && message.contains("index --rebuild"),
                "{message}"
            );
            let rebuild = IndexOptions {
                rebuild: true,
                ..options
            };
            let report = index::run(&rebuild, &mut |_, _| {}).unwrap();
            assert_eq!(report.documents_added, 2, "{damage}");
            assert_eq!(IndexState::of(&index_dir).ok(), Some(IndexState::Current));
        }
    }
}
