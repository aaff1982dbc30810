//! Snapshots and restores of small indexes built from the bundled corpus's `spo` source.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;
use crate::index::{self, IndexOptions};

/// An index of the five `spo` documents in `root/index`, from a copy of that source.
fn spo_index(root: &Path) -> PathBuf {
    let corpus = root.join("corpus");
    let source = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/spo"));
    copy_files(source, &corpus.join("spo"));
    let index_dir = root.join("index");
    index::run(&IndexOptions::new(&corpus, &index_dir), &mut |_, _| {}).expect("index spo");
    index_dir
}

fn copy_files(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_snapshot_holds_exactly_the_commit_and_opens() {
    let root = tempfile::tempdir().expect("tempdir");
    let index_dir = spo_index(root.path());
    // A file of no commit (an interrupted run's leftover) must not be copied.
    std::fs::write(index_dir.join("0123456789abcdef0123456789abcdef.idx"), b"x").expect("write");
    let out = root.path().join("snaps/first");

    let report = snapshot(&index_dir, &out).expect("snapshot");
    assert_eq!(report.documents, 5);
    assert_eq!(report.units, 5);
    let copied = names(&out);
    assert!(copied.contains("meta.json") && copied.contains(".managed.json"));
    assert!(
        !copied.iter().any(|n| n.starts_with("0123456789")),
        "{copied:?}"
    );
    assert!(!copied.iter().any(|n| n.contains("lock")), "{copied:?}");
    assert_eq!(report.files, copied.len() - 1, "all but .managed.json");
    assert_eq!(
        names(&root.path().join("snaps")),
        BTreeSet::from(["first".into()])
    );

    let (index, _) = crate::schema::open(&out).expect("the snapshot opens as an index");
    assert_eq!(index.reader().expect("reader").searcher().num_docs(), 5);
    let source = inspect(&index_dir).expect("source");
    assert_eq!(inspect(&out).expect("copy").manifest, source.manifest);
    assert_eq!(
        std::fs::read(out.join("meta.json")).expect("read"),
        std::fs::read(index_dir.join("meta.json")).expect("read"),
        "meta.json is copied byte for byte"
    );
}

#[test]
fn bad_destinations_and_sources_are_refused() {
    let root = tempfile::tempdir().expect("tempdir");
    let index_dir = spo_index(root.path());
    let busy = root.path().join("busy");
    std::fs::create_dir_all(&busy).expect("mkdir");
    std::fs::write(busy.join("notes.txt"), b"keep me").expect("write");
    let error = snapshot(&index_dir, &busy).expect_err("non-empty destination");
    assert!(
        matches!(error, SnapshotError::OutputNotEmpty { .. }),
        "{error}"
    );
    assert_eq!(names(&busy), BTreeSet::from(["notes.txt".into()]));

    let error = snapshot(&index_dir, &index_dir.join("snap")).expect_err("inside");
    assert!(
        matches!(error, SnapshotError::OutputInsideIndex { .. }),
        "{error}"
    );
    let error = snapshot(&root.path().join("nope"), &root.path().join("s")).expect_err("none");
    assert!(error.to_string().contains("no meta.json"), "{error}");

    let empty = root.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    assert_eq!(
        snapshot(&index_dir, &empty)
            .expect("empty is fine")
            .documents,
        5
    );
}

#[test]
fn restore_replaces_the_commit_and_collects_the_old_files() {
    let root = tempfile::tempdir().expect("tempdir");
    let index_dir = spo_index(root.path());
    let snap = root.path().join("snap");
    snapshot(&index_dir, &snap).expect("snapshot");

    // Another index, of two documents, takes the place of the first.
    let other_root = root.path().join("other");
    let other_corpus = other_root.join("corpus/notes");
    std::fs::create_dir_all(&other_corpus).expect("mkdir");
    std::fs::write(other_corpus.join("source.toml"), "").expect("write");
    std::fs::write(other_corpus.join("a.md"), "# Menuisier\n\nLe bois.").expect("write");
    std::fs::write(other_corpus.join("b.md"), "# Maçon\n\nLa pierre.").expect("write");
    let other = other_root.join("index");
    index::run(
        &IndexOptions::new(other_root.join("corpus"), &other),
        &mut |_, _| {},
    )
    .expect("index other");
    let old_files = inspect(&other).expect("other").segment_files;

    let report = restore(&snap, &other, Duration::from_secs(1)).expect("restore");
    assert_eq!((report.documents, report.files_shared), (5, 0));
    let restored = inspect(&other).expect("restored index");
    assert_eq!(restored.manifest, inspect(&snap).expect("snap").manifest);
    let present = names(&other);
    for old in &old_files {
        assert!(
            !present.contains(&old.display().to_string()),
            "{old:?} collected"
        );
    }
    let managed: BTreeSet<String> =
        serde_json::from_slice(&std::fs::read(other.join(".managed.json")).expect("read"))
            .expect("json");
    let mut expected: BTreeSet<String> = restored
        .segment_files
        .iter()
        .map(|n| n.display().to_string())
        .collect();
    expected.insert("meta.json".into());
    assert_eq!(managed, expected);
    assert!(
        !present.iter().any(|n| n.ends_with(".restoring")),
        "{present:?}"
    );
}

#[test]
fn restoring_a_snapshot_of_the_same_index_keeps_shared_files() {
    let root = tempfile::tempdir().expect("tempdir");
    let index_dir = spo_index(root.path());
    let snap = root.path().join("snap");
    let taken = snapshot(&index_dir, &snap).expect("snapshot");
    let report = restore(&snap, &index_dir, Duration::from_secs(1)).expect("restore");
    assert_eq!(
        report.opstamp,
        taken.opstamp + 1,
        "a new commit, as readers must see"
    );
    assert_eq!(report.files, 1, "only meta.json is written");
    assert!(report.files_shared > 0);
    assert_eq!(report.documents, 5);
}

#[test]
fn restore_into_a_new_folder_and_refusals() {
    let root = tempfile::tempdir().expect("tempdir");
    let index_dir = spo_index(root.path());
    let snap = root.path().join("snap");
    snapshot(&index_dir, &snap).expect("snapshot");

    let fresh = root.path().join("fresh/index");
    assert_eq!(
        restore(&snap, &fresh, Duration::ZERO)
            .expect("restore")
            .documents,
        5
    );
    let (index, _) = crate::schema::open(&fresh).expect("opens");
    assert_eq!(index.reader().expect("reader").searcher().num_docs(), 5);

    let foreign = root.path().join("foreign");
    std::fs::create_dir_all(&foreign).expect("mkdir");
    std::fs::write(foreign.join("thesis.odt"), b"precious").expect("write");
    let error = restore(&snap, &foreign, Duration::ZERO).expect_err("foreign folder");
    assert!(
        matches!(error, SnapshotError::NotAnIndexFolder { .. }),
        "{error}"
    );
    let error = restore(&snap, &snap, Duration::ZERO).expect_err("onto itself");
    assert!(
        matches!(error, SnapshotError::OutputInsideIndex { .. }),
        "{error}"
    );
}

#[test]
fn a_damaged_snapshot_is_refused_before_touching_the_index() {
    let root = tempfile::tempdir().expect("tempdir");
    let index_dir = spo_index(root.path());
    let snap = root.path().join("snap");
    snapshot(&index_dir, &snap).expect("snapshot");
    let store = names(&snap)
        .into_iter()
        .find(|n| n.ends_with(".store"))
        .expect("a store file");
    let mut bytes = std::fs::read(snap.join(&store)).expect("read");
    let middle = bytes.len() / 2;
    if let Some(byte) = bytes.get_mut(middle) {
        *byte ^= 0xff;
    }
    std::fs::write(snap.join(&store), &bytes).expect("write");
    let before = names(&index_dir);

    let error = restore(&snap, &index_dir, Duration::ZERO).expect_err("damaged");
    assert!(
        matches!(error, SnapshotError::BadSnapshot { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("checksum"), "{error}");
    assert_eq!(names(&index_dir), before);

    std::fs::write(snap.join("meta.json"), b"{ truncated").expect("write");
    let error = restore(&snap, &index_dir, Duration::ZERO).expect_err("garbage meta");
    assert!(
        matches!(error, SnapshotError::BadSnapshot { .. }),
        "{error}"
    );
}

#[test]
fn restore_waits_for_the_writer_lock_then_reports_busy() {
    let root = tempfile::tempdir().expect("tempdir");
    let index_dir = spo_index(root.path());
    let snap = root.path().join("snap");
    snapshot(&index_dir, &snap).expect("snapshot");
    let (index, _) = crate::schema::open(&index_dir).expect("open");
    let writer: tantivy::IndexWriter = index.writer(15_000_000).expect("writer");
    let started = std::time::Instant::now();
    let error = restore(&snap, &index_dir, Duration::from_millis(300)).expect_err("busy");
    assert!(matches!(error, SnapshotError::Busy { .. }), "{error}");
    assert!(started.elapsed() >= Duration::from_millis(300));
    drop(writer);
    restore(&snap, &index_dir, Duration::from_millis(300)).expect("free again");
}

#[test]
fn the_report_reads_well() {
    let report = SnapshotReport {
        path: "/srv/snap".into(),
        files: 12,
        bytes: 31_234_567,
        files_shared: 3,
        documents: 2961,
        units: 58,
        opstamp: 3000,
        duration_ms: 1234,
    };
    let text = report.to_string();
    assert!(text.starts_with("/srv/snap\n"), "{text}");
    assert!(
        text.contains("12 files copied, 31.2 MB (3 already present)"),
        "{text}"
    );
    assert!(
        text.contains("2961 documents from 58 corpus units (commit 3000)"),
        "{text}"
    );
    assert!(text.contains("took 1.23 s"), "{text}");
}
