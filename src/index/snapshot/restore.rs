//! Restoring a snapshot into an index folder, atomically for the servers reading that folder:
//! every file of the restored commit is in place before `meta.json` names it.

use std::collections::{BTreeSet, HashSet};
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tantivy::directory::error::LockError;
use tantivy::directory::{DirectoryLock, MmapDirectory, INDEX_WRITER_LOCK};
use tantivy::{Directory, Index};

use super::inspect::{inspect, parse_meta, same_content, Inspection};
use super::{lock_error, open_directory, sync_dir, write_new, SnapshotError, SnapshotReport};
use crate::tantivy_format::meta::{managed_json, read_managed, restamped, MANAGED_FILE, META_FILE};

/// Makes the snapshot in `snapshot_dir` the index in `index_dir` (created when absent).
///
/// The snapshot is checked first; a bad one leaves the index untouched. The restored commit
/// gets a new opstamp, above the served one, as if it had just been committed. The index's writer
/// lock is then taken, waiting up to `lock_wait` for a running indexing run to finish. A
/// server reading `index_dir` switches from the old commit to the restored one on its next
/// reload, never seeing a mix; the next indexing run starts from the restored manifest.
pub fn restore(
    snapshot_dir: &Path,
    index_dir: &Path,
    lock_wait: Duration,
) -> Result<SnapshotReport, SnapshotError> {
    let started = Instant::now();
    let bad = |reason: String| SnapshotError::BadSnapshot {
        path: snapshot_dir.to_path_buf(),
        reason,
    };
    let snapshot = inspect(snapshot_dir).map_err(bad)?;
    let snapshot_meta = std::fs::read(snapshot_dir.join(META_FILE))
        .map_err(SnapshotError::io(&snapshot_dir.join(META_FILE), "read"))?;
    prepare_target(snapshot_dir, index_dir)?;

    let directory = open_directory(index_dir)?;
    let writer_lock = wait_for_writer_lock(&directory, index_dir, lock_wait)?;
    let current = CurrentCommit::read(index_dir);
    // An opstamp above the served commit's, as a new commit would have: readers poll
    // `meta.json` for a change of content, and restoring the very commit they saw before the
    // last one must still look like a change to them; and the next run's deletion files
    // (`<segment>.<opstamp>.del`) get names never used here.
    let meta_json = restamped(&snapshot_meta, current.opstamp).map_err(bad)?;

    // Register the files before creating them, as tantivy does: if the restore stops half
    // way, the next garbage collection removes what it copied.
    let mut managed = current.managed.clone();
    managed.extend(current.live.iter().map(|name| name.display().to_string()));
    managed.extend(
        snapshot
            .segment_files
            .iter()
            .map(|name| name.display().to_string()),
    );
    managed.insert(META_FILE.into());
    replace_file(
        index_dir,
        MANAGED_FILE,
        managed_json(managed.into_iter().collect()).as_bytes(),
    )?;

    let (mut files, mut bytes, mut files_shared) = (0, 0, 0);
    for name in &snapshot.segment_files {
        let (from, to) = (snapshot_dir.join(name), index_dir.join(name));
        if current.live.contains(name) {
            // The served commit uses this file: it must not change. Segment files are
            // immutable and named after unique ids, so a shared name means shared bytes.
            if same_content(&from, &to).map_err(SnapshotError::io(&to, "compare"))? {
                files_shared += 1;
                continue;
            }
            return Err(SnapshotError::BadSnapshot {
                path: snapshot_dir.to_path_buf(),
                reason: format!(
                    "{} differs from the file of that name in the served index",
                    name.display()
                ),
            });
        }
        // A stale file of that name (an old commit, an interrupted restore) is unlinked, not
        // overwritten: a reader may still map it.
        match std::fs::remove_file(&to) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                return Err(SnapshotError::io(&to, "remove")(e));
            }
            _ => {}
        }
        let mut source = File::open(&from).map_err(SnapshotError::io(&from, "open"))?;
        bytes += write_new(&to, &mut source)?;
        files += 1;
    }
    sync_dir(index_dir)?;
    replace_file(index_dir, META_FILE, &meta_json)?;
    bytes += meta_json.len() as u64;
    files += 1;
    collect_garbage(index_dir, &meta_json);

    let restored = inspect(index_dir).map_err(|reason| SnapshotError::Mismatch {
        path: index_dir.to_path_buf(),
        reason,
    })?;
    drop(writer_lock);
    if restored.documents != snapshot.documents || restored.manifest != snapshot.manifest {
        return Err(SnapshotError::Mismatch {
            path: index_dir.to_path_buf(),
            reason: format!(
                "{} documents restored, {} in the snapshot, or a different manifest",
                restored.documents, snapshot.documents
            ),
        });
    }
    Ok(report(
        index_dir,
        &restored,
        files,
        bytes,
        files_shared,
        started,
    ))
}

fn report(
    index_dir: &Path,
    restored: &Inspection,
    files: usize,
    bytes: u64,
    files_shared: usize,
    started: Instant,
) -> SnapshotReport {
    SnapshotReport {
        path: index_dir.to_path_buf(),
        files,
        bytes,
        files_shared,
        documents: restored.documents,
        units: restored.manifest.units.len(),
        opstamp: restored.opstamp,
        duration_ms: started.elapsed().as_millis() as u64,
    }
}

/// Creates the index folder when absent; refuses the snapshot itself, or a folder holding
/// something other than an index.
fn prepare_target(snapshot_dir: &Path, index_dir: &Path) -> Result<(), SnapshotError> {
    if let (Ok(a), Ok(b)) = (snapshot_dir.canonicalize(), index_dir.canonicalize()) {
        if a == b {
            return Err(SnapshotError::OutputInsideIndex {
                out: snapshot_dir.to_path_buf(),
                index: index_dir.to_path_buf(),
            });
        }
    }
    if index_dir.join(META_FILE).is_file() {
        return Ok(());
    }
    if !index_dir.exists() {
        return std::fs::create_dir_all(index_dir).map_err(SnapshotError::io(index_dir, "create"));
    }
    let entries = std::fs::read_dir(index_dir).map_err(SnapshotError::io(index_dir, "read"))?;
    // Lock files (dot files) are all an empty index folder may hold.
    let foreign = entries
        .flatten()
        .any(|entry| !entry.file_name().to_string_lossy().starts_with('.'));
    if foreign {
        return Err(SnapshotError::NotAnIndexFolder {
            path: index_dir.to_path_buf(),
        });
    }
    Ok(())
}

/// Takes the writer lock, polling while an indexing run holds it, for at most `wait`.
fn wait_for_writer_lock(
    directory: &MmapDirectory,
    index_dir: &Path,
    wait: Duration,
) -> Result<DirectoryLock, SnapshotError> {
    let started = Instant::now();
    loop {
        match directory.acquire_lock(&INDEX_WRITER_LOCK) {
            Ok(lock) => return Ok(lock),
            Err(LockError::LockBusy) if started.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(LockError::LockBusy) => {
                return Err(SnapshotError::Busy {
                    path: index_dir.to_path_buf(),
                    waited_secs: wait.as_secs(),
                })
            }
            Err(error) => return Err(lock_error(index_dir, "take the writer lock of", error)),
        }
    }
}

/// The commit being served, as far as it can be read (a broken index counts as empty: a
/// restore is how one repairs it).
struct CurrentCommit {
    /// Files of the commit's segments that exist.
    live: BTreeSet<PathBuf>,
    /// `.managed.json`: every file tantivy created and has not yet collected.
    managed: BTreeSet<String>,
    /// Opstamp of the commit (0 without one).
    opstamp: u64,
}

impl CurrentCommit {
    fn read(index_dir: &Path) -> CurrentCommit {
        let metas = std::fs::read(index_dir.join(META_FILE))
            .ok()
            .and_then(|json| parse_meta(&json).ok());
        let opstamp = metas.as_ref().map_or(0, |metas| metas.opstamp);
        let live = metas
            .map(|metas| {
                metas
                    .list_segment_files()
                    .into_iter()
                    .filter(|name| index_dir.join(name).exists())
                    .collect()
            })
            .unwrap_or_default();
        let managed = std::fs::read(index_dir.join(MANAGED_FILE))
            .ok()
            .and_then(|json| read_managed(&json))
            .unwrap_or_default();
        CurrentCommit {
            live,
            managed,
            opstamp,
        }
    }
}

/// Replaces `dir/name` by `content` through a rename: readers see the old or the new file.
fn replace_file(dir: &Path, name: &str, content: &[u8]) -> Result<(), SnapshotError> {
    let staged = dir.join(format!(".{}.restoring", name.trim_start_matches('.')));
    let target = dir.join(name);
    File::create(&staged)
        .and_then(|mut file| {
            file.write_all(content)?;
            file.sync_all()
        })
        .map_err(SnapshotError::io(&staged, "write"))?;
    std::fs::rename(&staged, &target).map_err(SnapshotError::io(&target, "replace"))?;
    sync_dir(dir)
}

/// Deletes the files of the previous commit the way tantivy's writer does after a commit
/// (under the meta lock, so that no reader is opening them meanwhile). A failure only leaves
/// files for the next indexing run to collect.
fn collect_garbage(index_dir: &Path, meta_json: &[u8]) {
    let Ok(metas) = parse_meta(meta_json) else {
        return;
    };
    let mut living: HashSet<PathBuf> = metas.list_segment_files();
    living.insert(PathBuf::from(META_FILE));
    let collected = Index::open_in_dir(index_dir)
        .and_then(|mut index| index.directory_mut().garbage_collect(|| living));
    if let Err(error) = collected {
        tracing::warn!(
            "{}: the previous commit's files stay until the next indexing run: {error}",
            index_dir.display()
        );
    }
}
