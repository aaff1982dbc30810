//! The two files of a commit that a restore writes itself: `meta.json` (the segments of the
//! commit, its opstamp and payload) and `.managed.json` (the list of every file tantivy
//! created and has not collected yet, its garbage collector's inventory).

use std::collections::BTreeSet;

/// tantivy's list of the segments of the last commit.
pub const META_FILE: &str = "meta.json";
/// tantivy's list of the files it created.
pub const MANAGED_FILE: &str = ".managed.json";

/// `meta_json` with an opstamp above both its own and `served_opstamp`, as a new commit
/// would have; every other field kept.
pub fn restamped(meta_json: &[u8], served_opstamp: u64) -> Result<Vec<u8>, String> {
    let unreadable = |e: serde_json::Error| format!("unreadable meta.json: {e}");
    let mut meta: serde_json::Value = serde_json::from_slice(meta_json).map_err(unreadable)?;
    let fields = meta
        .as_object_mut()
        .ok_or("meta.json is not a JSON object")?;
    let own = fields
        .get("opstamp")
        .and_then(serde_json::Value::as_u64)
        .ok_or("meta.json has no opstamp")?;
    let opstamp = own.max(served_opstamp).saturating_add(1);
    fields.insert("opstamp".into(), opstamp.into());
    let mut bytes = serde_json::to_vec_pretty(&meta).map_err(unreadable)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The content of a `.managed.json` listing `names` (sorted, without duplicates).
pub fn managed_json(mut names: Vec<String>) -> String {
    names.sort();
    names.dedup();
    let mut json = serde_json::to_string(&names).unwrap_or_else(|_| "[]".into());
    json.push('\n');
    json
}

/// The names a `.managed.json` lists; `None` when it cannot be read.
pub fn read_managed(json: &[u8]) -> Option<BTreeSet<String>> {
    serde_json::from_slice(json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use tantivy::schema::{Schema, STORED, TEXT};
    use tantivy::{doc, Index, IndexWriter};

    #[test]
    fn restamping_raises_the_opstamp_and_keeps_the_rest() {
        let meta = br#"{"segments": [], "opstamp": 7, "payload": "{\"units\": {}}"}"#;
        let raised: serde_json::Value =
            serde_json::from_slice(&restamped(meta, 40).expect("restamp")).expect("json");
        assert_eq!(raised["opstamp"], 41);
        assert_eq!(raised["payload"], "{\"units\": {}}");
        let own: serde_json::Value =
            serde_json::from_slice(&restamped(meta, 3).expect("restamp")).expect("json");
        assert_eq!(own["opstamp"], 8);
        assert!(restamped(b"[1, 2]", 0).is_err());
        assert!(restamped(b"{\"opstamp\": \"x\"}", 0).is_err());
        assert!(restamped(b"{\"opst", 0).is_err());
    }

    /// An index on disk with two commits, the last with a payload.
    fn committed(dir: &Path) -> Index {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT | STORED);
        let index = Index::create_in_dir(dir, builder.build()).expect("create");
        let mut writer: IndexWriter = index.writer(15_000_000).expect("writer");
        writer.add_document(doc!(text => "première")).expect("add");
        writer.commit().expect("commit");
        writer.add_document(doc!(text => "seconde")).expect("add");
        let mut commit = writer.prepare_commit().expect("prepare");
        commit.set_payload("{\"units\":{}}");
        commit.commit().expect("commit");
        writer.wait_merging_threads().expect("merged");
        index
    }

    #[test]
    fn the_files_tantivy_writes_are_the_files_these_functions_read_and_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = committed(dir.path());
        let before = index.load_metas().expect("metas");

        // .managed.json: tantivy's own file is a list this module reads, naming meta.json and
        // every file of the commit (a segment lists a deletion file it may not have); the list
        // written back is one tantivy accepts.
        let written = std::fs::read(dir.path().join(MANAGED_FILE)).expect(".managed.json");
        let managed = read_managed(&written).expect("a list of file names");
        assert!(managed.contains(META_FILE), "{managed:?}");
        let existing = before.list_segment_files().into_iter();
        for file in existing.filter(|file| dir.path().join(file).exists()) {
            let name = file.display().to_string();
            assert!(managed.contains(&name), "{name} not in {managed:?}");
        }
        let rewritten = managed_json(managed.iter().cloned().collect());
        assert_eq!(read_managed(rewritten.as_bytes()), Some(managed));
        std::fs::write(dir.path().join(MANAGED_FILE), &rewritten).expect("write");

        // meta.json: restamped, tantivy reads the same commit with the new opstamp.
        let meta = std::fs::read(dir.path().join(META_FILE)).expect("meta.json");
        let served = before.opstamp + 5;
        std::fs::write(
            dir.path().join(META_FILE),
            restamped(&meta, served).expect("restamp"),
        )
        .expect("write");
        let index = Index::open_in_dir(dir.path()).expect("reopened");
        let after = index.load_metas().expect("metas");
        assert_eq!(after.opstamp, served + 1);
        assert_eq!(after.payload, before.payload);
        assert_eq!(after.list_segment_files(), before.list_segment_files());
        let reader = index.reader().expect("reader");
        assert_eq!(reader.searcher().num_docs(), 2);
    }
}
