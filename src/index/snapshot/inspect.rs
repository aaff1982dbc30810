//! Checking that a folder holds a whole index of ours: it opens, its schema is this version's,
//! every file of its commit is present with a valid checksum, and its manifest accounts for
//! exactly the documents it holds. Used on a snapshot before it is trusted, and on the copy
//! after it is written.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use tantivy::directory::RamDirectory;
use tantivy::{Directory, Index, IndexMeta, SegmentReader};

use crate::index::manifest::Manifest;
use crate::schema::build_schema;
use crate::tantivy_format::meta::META_FILE;

/// What a checked index holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// Live documents of the commit.
    pub documents: u64,
    /// The manifest carried by the commit.
    pub manifest: Manifest,
    /// Opstamp of the commit.
    pub opstamp: u64,
    /// The files of the commit's segments that exist, by name.
    pub segment_files: BTreeSet<PathBuf>,
    /// Bytes of those files and of `meta.json`.
    pub bytes: u64,
}

/// Reads a `meta.json` content into tantivy's description of the commit, without touching
/// any folder.
pub fn parse_meta(meta_json: &[u8]) -> Result<IndexMeta, String> {
    let directory = RamDirectory::create();
    directory
        .atomic_write(Path::new(META_FILE), meta_json)
        .map_err(|e| e.to_string())?;
    Index::open(directory)
        .and_then(|index| index.load_metas())
        .map_err(|e| format!("unreadable meta.json: {e}"))
}

/// Checks the index in `dir`; the error says what is wrong with it, in plain words.
pub fn inspect(dir: &Path) -> Result<Inspection, String> {
    let meta_path = dir.join(META_FILE);
    if !meta_path.is_file() {
        return Err(format!("{} is missing", meta_path.display()));
    }
    let index = Index::open_in_dir(dir).map_err(|e| format!("does not open: {e}"))?;
    let metas = index.load_metas().map_err(|e| e.to_string())?;
    let same_schema =
        serde_json::to_value(&metas.schema).ok() == serde_json::to_value(build_schema()).ok();
    if !same_schema {
        return Err("its schema is not this version's (made by another spo-search?)".into());
    }
    let mut segment_files = BTreeSet::new();
    let mut bytes = file_len(&meta_path)?;
    for name in metas.list_segment_files() {
        let path = dir.join(&name);
        if !path.exists() {
            continue;
        }
        let valid = index
            .directory()
            .validate_checksum(&name)
            .map_err(|e| format!("{}: {e}", name.display()))?;
        if !valid {
            return Err(format!("{} is damaged (bad checksum)", name.display()));
        }
        bytes += file_len(&path)?;
        segment_files.insert(name);
    }
    let mut documents = 0u64;
    for segment in index.searchable_segments().map_err(|e| e.to_string())? {
        let id = segment.id().uuid_string();
        let reader = SegmentReader::open(&segment)
            .map_err(|e| format!("segment {id} does not open (a file is missing?): {e}"))?;
        documents += u64::from(reader.num_docs());
    }
    let manifest = Manifest::from_payload(metas.payload.as_deref());
    if manifest.document_count() as u64 != documents {
        return Err(format!(
            "its manifest lists {} documents but it holds {documents}",
            manifest.document_count()
        ));
    }
    Ok(Inspection {
        documents,
        manifest,
        opstamp: metas.opstamp,
        segment_files,
        bytes,
    })
}

fn file_len(path: &Path) -> Result<u64, String> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Whether two files have the same bytes (used to recognise a segment file both sides share).
pub fn same_content(a: &Path, b: &Path) -> std::io::Result<bool> {
    if std::fs::metadata(a)?.len() != std::fs::metadata(b)?.len() {
        return Ok(false);
    }
    let (mut a, mut b) = (File::open(a)?, File::open(b)?);
    let (mut left, mut right) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let read = a.read(&mut left)?;
        if read == 0 {
            return Ok(true);
        }
        let Some(expected) = left.get(..read) else {
            return Ok(false);
        };
        let Some(window) = right.get_mut(..read) else {
            return Ok(false);
        };
        b.read_exact(window)?;
        if expected != window {
            return Ok(false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_meta_is_a_reason_not_a_panic() {
        assert!(parse_meta(b"").is_err());
        assert!(parse_meta(b"{\"segments\": [").is_err());
        assert!(parse_meta(&[0xff, 0xfe, 0x00]).is_err());
        assert!(parse_meta(b"[]").is_err());
    }

    #[test]
    fn a_folder_without_meta_says_so() {
        let dir = tempfile::tempdir().expect("tempdir");
        let reason = inspect(dir.path()).expect_err("no index");
        assert!(reason.contains("meta.json is missing"), "{reason}");
    }

    #[test]
    fn an_index_of_another_schema_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut schema = tantivy::schema::Schema::builder();
        schema.add_text_field("other", tantivy::schema::TEXT);
        Index::create_in_dir(dir.path(), schema.build()).expect("create");
        let reason = inspect(dir.path()).expect_err("foreign schema");
        assert!(reason.contains("schema"), "{reason}");
    }

    #[test]
    fn same_content_compares_bytes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = |name: &str| dir.path().join(name);
        std::fs::write(path("a"), b"abc").expect("write");
        std::fs::write(path("b"), b"abc").expect("write");
        std::fs::write(path("c"), b"abd").expect("write");
        std::fs::write(path("d"), b"abcd").expect("write");
        assert!(same_content(&path("a"), &path("b")).expect("read"));
        assert!(!same_content(&path("a"), &path("c")).expect("read"));
        assert!(!same_content(&path("a"), &path("d")).expect("read"));
        assert!(same_content(&path("a"), &path("missing")).is_err());
    }
}
