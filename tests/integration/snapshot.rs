//! Snapshots and restores of a served and indexed index, and indexing runs stopped by a full
//! disk or a read-only folder (the previous commit must stay whole and searchable).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use spo_search::index::snapshot::{self, inspect, SnapshotError};
use spo_search::index::{self, IndexError, IndexOptions};
use spo_search::search::Engine;

use crate::support::{bundled_report, corpus, folder_contents, index_into, top_ids, write_files};

const BIN: &str = env!("CARGO_BIN_EXE_spo-search");
const SOURCE_TOML: &[u8] = b"[metadata]\nnetwork = \"cio\"\nkind = \"guide\"\n";
const WAIT: Duration = Duration::from_secs(5);

fn guides(root: &Path) -> PathBuf {
    let corpus = root.join("corpus");
    write_files(
        &corpus,
        &[
            ("guides/source.toml", SOURCE_TOML),
            (
                "guides/boulanger.md",
                b"# Boulanger\n\nLe fournil et le levain.",
            ),
            ("guides/soudeur.md", b"# Soudeur\n\nLa chaudronnerie."),
            ("guides/fleuriste.md", b"# Fleuriste\n\nLes bouquets."),
        ],
    );
    corpus
}

fn spo_search(args: &[&str], paths: &[&Path]) -> Output {
    let mut command = Command::new(BIN);
    command.args(args);
    for path in paths {
        command.arg(path);
    }
    command.output().expect("run spo-search")
}

#[test]
fn snapshots_taken_during_an_indexing_run_are_whole_commits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let small = dir.path().join("small");
    write_files(&small, &[]);
    let spo = corpus().join("spo");
    for entry in std::fs::read_dir(&spo).expect("spo").flatten() {
        let to = small.join("spo").join(entry.file_name());
        std::fs::create_dir_all(small.join("spo")).expect("mkdir");
        std::fs::copy(entry.path(), to).expect("copy");
    }
    let index_dir = dir.path().join("index");
    assert_eq!(index_into(&small, &index_dir).documents, 5);
    let served = Engine::open(&index_dir).expect("a server's reader");
    let full = bundled_report().documents as u64;

    let mut run = Command::new(BIN)
        .args(["index", "--corpus"])
        .arg(corpus())
        .arg("--index")
        .arg(&index_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn an indexing run over the whole corpus");
    let mut during_the_run = 0;
    for n in 0.. {
        let running_before = run.try_wait().expect("wait").is_none();
        let out = dir.path().join(format!("snap-{n}"));
        let report = snapshot::snapshot(&index_dir, &out).expect("snapshot during the run");
        let running_after = run.try_wait().expect("wait").is_none();
        assert!(
            report.documents == 5 || report.documents == full,
            "a commit that existed, not {}",
            report.documents
        );
        let copy = Engine::open(&out).expect("the snapshot opens");
        assert_eq!(copy.searcher().num_docs(), report.documents);
        assert_eq!(top_ids(&copy, "accord cadre", 1).len(), 1);
        assert_eq!(top_ids(&served, "accord cadre", 1).len(), 1);
        if running_before && running_after {
            during_the_run += 1;
        } else if !running_after {
            break;
        }
        // Only to save disk space: each snapshot has its own folder. The copy's reader
        // watches its folder from a thread of tantivy's, which may still touch it for a moment
        // after the reader is dropped; what is left goes with the temporary directory.
        drop(copy);
        let _ = std::fs::remove_dir_all(&out);
    }
    assert!(run.wait().expect("wait").success());
    assert!(
        during_the_run > 0,
        "no snapshot was taken while the run went on"
    );
    let last = snapshot::snapshot(&index_dir, &dir.path().join("last")).expect("snapshot");
    assert_eq!(last.documents, full);
    assert!(last.bytes > 1_000_000);
}

#[test]
fn restore_is_seen_by_a_server_and_indexing_resumes_incrementally() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = guides(dir.path());
    let index_dir = dir.path().join("index");
    index_into(&corpus, &index_dir);
    let snap = dir.path().join("snap");
    snapshot::snapshot(&index_dir, &snap).expect("snapshot");
    let server = Engine::open(&index_dir).expect("open");

    write_files(
        &corpus,
        &[
            ("guides/boulanger.md", b"# Boulanger\n\nLa viennoiserie."),
            ("guides/menuisier.md", b"# Menuisier\n\nLe rabot."),
        ],
    );
    assert_eq!(index_into(&corpus, &index_dir).documents, 4);
    server.reload().expect("reload");
    assert_eq!(top_ids(&server, "levain", 5), Vec::<String>::new());
    // Restored at once, before the server's watcher (polling every 500 ms) has seen this
    // commit: the restored meta.json must still differ from the one it last saw.

    let in_flight = server.searcher();
    let restored = snapshot::restore(&snap, &index_dir, WAIT).expect("restore");
    assert_eq!(restored.documents, 3);
    // The server's reader notices the new meta.json by itself, as on a commit.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while server.searcher().num_docs() != 3 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.searcher().num_docs(), 3);
    // A search begun on the old commit still reads its files, though they are collected.
    assert_eq!(in_flight.num_docs(), 4);
    let doc: tantivy::TantivyDocument = in_flight
        .doc(tantivy::DocAddress::new(0, 0))
        .expect("stored fields of the old commit");
    assert!(doc.field_values().next().is_some());
    assert_eq!(top_ids(&server, "levain", 5), ["guides/boulanger.md"]);
    assert_eq!(top_ids(&server, "rabot", 5), Vec::<String>::new());

    let next = index_into(&corpus, &index_dir);
    assert_eq!(
        (next.units_extracted, next.units_unchanged),
        (2, 2),
        "{next}"
    );
    assert_eq!(next.documents, 4);
    let fresh = Engine::open(&index_dir).expect("open");
    assert_eq!(top_ids(&fresh, "viennoiserie", 5), ["guides/boulanger.md"]);
    assert_eq!(fresh.searcher().num_docs(), 4, "no duplicates");
}

#[test]
fn a_missing_or_corrupt_snapshot_leaves_the_index_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index_dir = dir.path().join("index");
    index_into(&guides(dir.path()), &index_dir);
    let before = folder_contents(&index_dir);

    let missing = snapshot::restore(&dir.path().join("nowhere"), &index_dir, WAIT)
        .expect_err("missing snapshot");
    assert!(
        matches!(missing, SnapshotError::BadSnapshot { .. }),
        "{missing}"
    );
    assert!(
        missing.to_string().contains("meta.json is missing"),
        "{missing}"
    );

    let snap = dir.path().join("snap");
    snapshot::snapshot(&index_dir, &snap).expect("snapshot");
    let segment = inspect(&snap)
        .expect("whole")
        .segment_files
        .into_iter()
        .find(|name| name.extension().is_some_and(|e| e == "term"))
        .expect("a term dictionary");
    let bytes = std::fs::read(snap.join(&segment)).expect("read");
    std::fs::write(snap.join(&segment), &bytes[..bytes.len() / 2]).expect("truncate");
    let output = spo_search(
        &["restore", "--wait-secs", "1", "--index"],
        &[&index_dir, Path::new("--from"), &snap],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is unusable"), "{stderr}");
    assert!(stderr.contains("the index was not touched"), "{stderr}");

    std::fs::remove_file(snap.join(&segment)).expect("remove");
    let error = snapshot::restore(&snap, &index_dir, WAIT).expect_err("incomplete");
    assert!(
        matches!(error, SnapshotError::BadSnapshot { .. }),
        "{error}"
    );
    assert_eq!(folder_contents(&index_dir), before);
}

#[test]
fn cli_snapshot_refuses_a_non_empty_folder_and_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index_dir = dir.path().join("index");
    index_into(&guides(dir.path()), &index_dir);
    let taken = dir.path().join("taken");
    write_files(&taken, &[("notes.txt", b"keep")]);
    let output = spo_search(
        &["snapshot", "--index"],
        &[&index_dir, Path::new("--out"), &taken],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("already exists and is not empty"),
        "{stderr}"
    );
    assert_eq!(folder_contents(&taken).len(), 1);

    let snap = dir.path().join("snap");
    let output = Command::new(BIN)
        .args(["snapshot", "--json", "--index"])
        .arg(&index_dir)
        .env("SPO_SNAPSHOT", &snap)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    assert_eq!(report["documents"], 3);

    let restored = dir.path().join("restored");
    let output = spo_search(
        &["restore", "--index"],
        &[&restored, Path::new("--from"), &snap],
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("3 documents from 3 corpus units"),
        "{stdout}"
    );
    let engine = Engine::open(&restored).expect("open");
    assert_eq!(top_ids(&engine, "bouquets", 5), ["guides/fleuriste.md"]);
}

/// A corpus of one small guide indexed into `index`, then a large new file that the next run
/// must write: (corpus, index).
fn indexed_then_grown(root: &Path) -> (PathBuf, PathBuf) {
    let corpus = root.join("corpus");
    write_files(
        &corpus,
        &[
            ("guides/source.toml", SOURCE_TOML),
            (
                "guides/boulanger.md",
                b"# Boulanger\n\nLe fournil et le levain.",
            ),
        ],
    );
    let index_dir = root.join("index");
    assert_eq!(index_into(&corpus, &index_dir).documents, 1);
    let words: String = (0..250_000).map(|i| format!("mot{i:x} ")).collect();
    write_files(&corpus, &[("guides/lexique.txt", words.as_bytes())]);
    (corpus, index_dir)
}

/// The previous commit is whole and searchable, and a run with room to write completes it.
fn assert_previous_commit_served(corpus: &Path, index_dir: &Path) {
    let engine = Engine::open(index_dir).expect("the previous index opens");
    assert_eq!(engine.searcher().num_docs(), 1);
    assert_eq!(top_ids(&engine, "levain", 5), ["guides/boulanger.md"]);
    let next = index_into(corpus, index_dir);
    assert_eq!((next.documents, next.units_extracted), (2, 1), "{next}");
}

/// Runs `spo-search index` through `wrapper` (a shell snippet ending in `exec "$@"`-like use
/// of the arguments); None when the wrapper's tools are missing or not permitted here.
fn index_through(wrapper: &str, corpus: &Path, index_dir: &Path) -> Option<Output> {
    let output = Command::new("sh")
        .arg("-c")
        .arg(wrapper)
        .arg("sh")
        .arg(BIN)
        .arg(corpus)
        .arg(index_dir)
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(97) || stderr.contains("SETUP FAILED") {
        println!("wrapper unavailable: {stderr}");
        return None;
    }
    Some(output)
}

/// Asserts that an indexing run stopped on a disk fault as users must see it: exit code 2, a
/// message naming the index `folder` and the `cause`, and the previous commit kept.
fn assert_disk_error(output: &std::process::Output, folder: &str, cause: &str) {
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(folder), "names the folder: {stderr}");
    assert!(stderr.contains(cause), "{stderr}");
    assert!(
        stderr.contains("the last committed index is unchanged"),
        "{stderr}"
    );
}

/// Regression (issue 11, item 4): a run stopped by a full disk left its segment files
/// behind, and every later run failed for lack of space until someone deleted them.
fn assert_nothing_left_behind(index_dir: &Path) {
    let stray = index::stray_files(index_dir).expect("the folder is readable");
    assert!(stray.is_empty(), "files no commit references: {stray:?}");
}

/// `ulimit -f`: writes past the limit fail with EFBIG (SIGXFSZ ignored, as a shell's `trap`
/// passes on to the program it runs), as a disk that fills up would.
#[test]
fn a_file_size_limit_stops_indexing_with_a_clear_error_and_keeps_the_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = indexed_then_grown(dir.path());
    let wrapper = r#"command -v prlimit >/dev/null || { echo SETUP FAILED: no prlimit >&2; exit 97; }
        trap '' XFSZ
        exec prlimit --fsize=262144 -- "$1" index --corpus "$2" --index "$3""#;
    let Some(output) = index_through(wrapper, &corpus, &index_dir) else {
        println!("skipped: prlimit (util-linux) is not installed");
        return;
    };
    assert_disk_error(
        &output,
        &index_dir.display().to_string(),
        "exceeds the file-size limit",
    );
    assert_nothing_left_behind(&index_dir);
    assert_previous_commit_served(&corpus, &index_dir);
}

/// A real ENOSPC: the index lives on a 2 MB tmpfs, mounted in a private mount namespace (needs
/// the right to `unshare -m`; a restricted container cannot, and then the size-limit test
/// above stands for it). The index is copied out of the tmpfs after the failed run.
#[test]
fn a_full_disk_stops_indexing_with_a_clear_error_and_keeps_the_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = indexed_then_grown(dir.path());
    let (mount, after) = (dir.path().join("tmpfs"), dir.path().join("after"));
    std::fs::create_dir_all(&mount).expect("mkdir");
    let wrapper = format!(
        r#"unshare -m true 2>/dev/null || {{ echo SETUP FAILED: no unshare >&2; exit 97; }}
        exec unshare -m sh -c '
            mount -t tmpfs -o size=2m tmpfs "$0" || {{ echo SETUP FAILED: no tmpfs >&2; exit 97; }}
            cp -r "$3" "$0/index" && "$1" index --corpus "$2" --index "$0/index"
            code=$?; cp -r "$0/index" "$4"; exit $code' {mount:?} "$1" "$2" "$3" {after:?}         || exit $?"#
    );
    let Some(output) = index_through(&wrapper, &corpus, &index_dir) else {
        println!("skipped: this environment may not mount a tmpfs in a private namespace");
        return;
    };
    assert_disk_error(&output, "/tmpfs/index", "the disk is full");
    assert_nothing_left_behind(&after);
    assert_previous_commit_served(&corpus, &after);
}

/// A read-only index folder. Without root, `chmod` is enough and the run is in-process; root
/// ignores permissions, so the run is a subprocess without the capability to (setpriv), or
/// sees the folder through a read-only bind mount (unshare).
#[test]
fn a_read_only_index_folder_stops_indexing_with_a_clear_error_and_keeps_the_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = indexed_then_grown(dir.path());
    let mode = |mode| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&index_dir, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    mode(0o555);
    let probe = index_dir.join("probe");
    let permissions_bind_us = std::fs::write(&probe, b"").is_err();
    let _ = std::fs::remove_file(&probe);
    let mut tried = 0;
    if permissions_bind_us {
        let error = index::run(&IndexOptions::new(&corpus, &index_dir), &mut |_, _| {})
            .expect_err("read-only folder");
        assert!(matches!(error, IndexError::Disk { .. }), "{error}");
        assert!(error.to_string().contains("permission denied"), "{error}");
        assert!(error.to_string().contains(&index_dir.display().to_string()));
        tried += 1;
    }
    let without_override = r#"command -v setpriv >/dev/null || { echo SETUP FAILED >&2; exit 97; }
        exec setpriv --bounding-set=-dac_override,-dac_read_search --             "$1" index --corpus "$2" --index "$3""#;
    let read_only_mount = r#"unshare -m true 2>/dev/null || { echo SETUP FAILED >&2; exit 97; }
        exec unshare -m sh -c '
        mount --bind "$2" "$2" && mount -o remount,bind,ro "$2" || { echo SETUP FAILED >&2; exit 97; }
        exec "$0" index --corpus "$1" --index "$2"' "$1" "$2" "$3""#;
    for (wrapper, expected) in [
        (without_override, "permission denied"),
        (read_only_mount, "the file system is read-only"),
    ] {
        if permissions_bind_us {
            break;
        }
        let Some(output) = index_through(wrapper, &corpus, &index_dir) else {
            continue;
        };
        assert_disk_error(&output, &index_dir.display().to_string(), expected);
        tried += 1;
    }
    mode(0o755);
    assert!(tried > 0, "no way to make the folder read-only here");
    assert_previous_commit_served(&corpus, &index_dir);
}
