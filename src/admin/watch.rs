//! `serve --watch`: changes under the corpus folder trigger an incremental re-index once
//! the folder has been quiet for a moment (debouncing), so that copying a batch of files
//! costs one run, not one per file.

use std::path::Path;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use super::Reindexer;

/// Quiet time after the last change before a run starts.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(750);

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
                while changes.recv_timeout(debounce).is_ok() {}
                tracing::info!("corpus changed: re-indexing");
                reindexer.request(false);
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "cannot start the corpus watcher thread");
    }
    Ok(watcher)
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
