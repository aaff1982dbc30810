//! `serve --watch`: changes under the corpus folder trigger an incremental re-index once
//! the folder has been quiet for a moment (debouncing), so that copying a batch of files
//! costs one run, not one per file.

use std::path::Path;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use super::Reindexer;

/// Quiet time after the last change before a run starts.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(750);
/// Longest wait from the first change to the run, however often files keep changing (a
/// file rewritten every 0.5 s kept a new document invisible as long as it went on).
pub const MAX_WAIT: Duration = Duration::from_secs(5);

/// Why the corpus cannot be watched.
#[derive(Debug, thiserror::Error)]
#[error("cannot watch {path}: {source}")]
pub struct WatchError {
    path: String,
    source: notify::Error,
}

/// Watches `corpus` until the returned watcher is dropped.
pub fn watch(
    corpus: &Path,
    debounce: Duration,
    reindexer: Arc<Reindexer>,
) -> Result<RecommendedWatcher, WatchError> {
    let (events, changes) = mpsc::channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            if is_corpus_change(&event) {
                let _ = events.send(());
            }
        }
    })
    .map_err(|source| WatchError {
        path: corpus.display().to_string(),
        source,
    })?;
    watcher
        .watch(corpus, RecursiveMode::Recursive)
        .map_err(|source| WatchError {
            path: corpus.display().to_string(),
            source,
        })?;
    let spawned = std::thread::Builder::new()
        .name("corpus-watch".into())
        .spawn(move || {
            // Ends when the watcher, and with it the sender, is dropped.
            while changes.recv().is_ok() {
                settle(&changes, debounce, MAX_WAIT);
                tracing::info!("corpus changed: re-indexing");
                reindexer.request(false);
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "cannot start the corpus watcher thread");
    }
    Ok(watcher)
}

/// Waits, after a first change, until no change has come for `debounce`, or `max_wait` has
/// passed since that first change.
fn settle(changes: &mpsc::Receiver<()>, debounce: Duration, max_wait: Duration) {
    let deadline = Instant::now() + max_wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || changes.recv_timeout(debounce.min(left)).is_err() {
            return;
        }
    }
}

/// Whether an event changes what is indexed: not mere reads, not hidden files (uploads in
/// progress, editors' swap files).
fn is_corpus_change(event: &notify::Event) -> bool {
    if matches!(event.kind, notify::EventKind::Access(_)) {
        return false;
    }
    event.paths.iter().any(|path| {
        !path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.') || n.ends_with('~'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{self, IndexOptions};
    use crate::search::{Engine, SearchRequest};

    #[test]
    fn hidden_files_and_reads_are_not_changes() {
        let event = |kind, path: &str| notify::Event::new(kind).add_path(path.into());
        let modify = notify::EventKind::Modify(notify::event::ModifyKind::Any);
        let access = notify::EventKind::Access(notify::event::AccessKind::Any);
        assert!(is_corpus_change(&event(modify, "/c/cio/a.md")));
        assert!(!is_corpus_change(&event(modify, "/c/cio/.upload-1-a.md")));
        assert!(!is_corpus_change(&event(modify, "/c/cio/a.md~")));
        assert!(!is_corpus_change(&event(access, "/c/cio/a.md")));
    }

    /// Regression (issue 11, item 11): the debounce had no maximum wait, so changes every
    /// 0.5 s put the run off for as long as they went on. Here they go on for a minute;
    /// the wait ends after its maximum.
    #[test]
    fn changes_that_never_stop_put_a_run_off_at_most_the_maximum_wait() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let (events, changes) = mpsc::channel();
        let (stop, ran_out) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicBool::new(false)),
        );
        let (feeding, running_out) = (stop.clone(), ran_out.clone());
        let feeder = std::thread::spawn(move || {
            let until = Instant::now() + Duration::from_secs(60);
            while !feeding.load(Ordering::SeqCst) {
                if Instant::now() >= until {
                    running_out.store(true, Ordering::SeqCst);
                    break;
                }
                let _ = events.send(());
                std::thread::sleep(Duration::from_millis(10));
            }
            // The channel stays open until the test is done.
            while !feeding.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        changes.recv().unwrap();
        settle(
            &changes,
            Duration::from_millis(500),
            Duration::from_millis(300),
        );
        let outlasted = ran_out.load(Ordering::SeqCst);
        stop.store(true, Ordering::SeqCst);
        feeder.join().unwrap();
        assert!(!outlasted, "the wait outlasted a minute of changes");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn files_dropped_in_the_corpus_become_searchable() {
        let dir = tempfile::tempdir().unwrap();
        let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
        std::fs::create_dir_all(corpus.join("cio")).unwrap();
        std::fs::write(
            corpus.join("cio/source.toml"),
            "[metadata]\nnetwork = \"cio\"\n",
        )
        .unwrap();
        std::fs::write(corpus.join("cio/a.md"), "# Vannier\n\nTresse l'osier.").unwrap();
        let options = IndexOptions::new(&corpus, &index_dir);
        index::run(&options, &mut |_, _| {}).unwrap();
        let engine = Arc::new(Engine::open(&index_dir).unwrap());
        let reindexer = Reindexer::start(options, engine.clone());
        let _watcher = watch(&corpus, Duration::from_millis(100), reindexer.clone()).unwrap();

        std::fs::write(
            corpus.join("cio/b.md"),
            "# Vannière\n\nUn métier de l'osier.",
        )
        .unwrap();
        std::fs::remove_file(corpus.join("cio/a.md")).unwrap();
        let request = SearchRequest {
            query: "osier".into(),
            limit: 10,
            ..Default::default()
        };
        let mut ids = Vec::new();
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            ids = engine
                .search(&request)
                .unwrap()
                .hits
                .into_iter()
                .map(|h| h.id)
                .collect();
            if ids == ["cio/b.md"] {
                break;
            }
        }
        assert_eq!(ids, ["cio/b.md"]);
    }
}
