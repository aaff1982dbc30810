//! Notices commits made by another process (`spo-search index`, `restore`) by polling the
//! identity of `meta.json` (inode, length, modification time), a `stat` per poll.
//!
//! tantivy's own watcher reads the whole file and checksums it twice a second; the manifest
//! travels in that file (47 MB at 1,000,000 documents), which made the watcher 7 % of a busy
//! server's CPU. Every commit replaces `meta.json` by a rename, so its identity changes too.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use tantivy::IndexReader;

/// How often the engine looks for another process's commit.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Reloads `reader` whenever the commit of the index in `index_dir` changes.
pub fn reload_on_commit(index_dir: &Path, reader: IndexReader) -> std::io::Result<CommitWatch> {
    let mut warned = false;
    CommitWatch::spawn(
        index_dir.join("meta.json"),
        POLL_INTERVAL,
        move || match reader.reload() {
            Ok(()) => {
                warned = false;
                true
            }
            Err(error) => {
                if !warned {
                    tracing::warn!(%error, "a new commit cannot be loaded yet: trying again");
                    warned = true;
                }
                false
            }
        },
    )
}

/// A thread that calls back when a file's identity changes; stopped when dropped.
pub struct CommitWatch {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// What tells one version of a file from the next, without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity {
    inode: u64,
    len: u64,
    modified: Option<SystemTime>,
}

impl Identity {
    fn of(path: &Path) -> Option<Identity> {
        let metadata = fs::metadata(path).ok()?;
        Some(Identity {
            inode: inode(&metadata),
            len: metadata.len(),
            modified: metadata.modified().ok(),
        })
    }
}

#[cfg(unix)]
fn inode(metadata: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(metadata)
}

#[cfg(not(unix))]
fn inode(_: &fs::Metadata) -> u64 {
    0
}

impl CommitWatch {
    /// Polls `file` every `every` and calls `on_change` when its identity differs from the
    /// last one seen; a change whose callback returns false is reported again at the next
    /// poll (a reload that failed is tried again).
    pub fn spawn(
        file: PathBuf,
        every: Duration,
        mut on_change: impl FnMut() -> bool + Send + 'static,
    ) -> std::io::Result<CommitWatch> {
        let (stop, stopped) = mpsc::channel::<()>();
        let mut seen = Identity::of(&file);
        let thread = std::thread::Builder::new()
            .name("commit-watch".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
                    let now = Identity::of(&file);
                    if now != seen && on_change() {
                        seen = now;
                    }
                }
            })?;
        Ok(CommitWatch {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for CommitWatch {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Instant;

    fn counting_watch(file: PathBuf, succeed: bool) -> (CommitWatch, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let watch = CommitWatch::spawn(file, Duration::from_millis(5), move || {
            counter.fetch_add(1, Ordering::SeqCst);
            succeed
        })
        .unwrap();
        (watch, calls)
    }

    /// Replaces `file` by a rename, as a commit replaces `meta.json`.
    fn replace(file: &Path, text: &str) {
        let staged = file.with_extension("staged");
        fs::write(&staged, text).unwrap();
        fs::rename(&staged, file).unwrap();
    }

    fn wait_for(calls: &AtomicUsize, at_least: usize) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while calls.load(Ordering::SeqCst) < at_least {
            assert!(Instant::now() < deadline, "no callback after a change");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn calls_back_once_per_replacement_and_never_for_an_unchanged_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("meta.json");
        fs::write(&file, "{}").unwrap();
        let (watch, calls) = counting_watch(file.clone(), true);
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "called back without a change"
        );

        // Same length, same content: the rename still makes it another file.
        replace(&file, "{}");
        wait_for(&calls, 1);
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(calls.load(Ordering::SeqCst), 1, "one change, one callback");
        drop(watch);
    }

    #[test]
    fn a_failed_callback_is_tried_again_and_drop_stops_the_thread() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("meta.json");
        let (watch, calls) = counting_watch(file.clone(), false);
        replace(&file, "{\"opstamp\": 1}");
        wait_for(&calls, 3);
        drop(watch);
        let after_drop = calls.load(Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            after_drop,
            "still polling after drop"
        );
    }
}
