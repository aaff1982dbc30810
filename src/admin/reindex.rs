//! Re-indexing while serving: one run at a time on its own thread, requests that arrive
//! during a run coalesced into the next one, the engine switched to the new commit when a
//! run ends, and a failed run tried again with back-off until one succeeds.
//!
//! Searches are never blocked: they read the previous commit until the run commits, then
//! [`Engine::reload`] makes the new one visible to the searches that start afterwards
//! (searches in flight finish on the commit they began with).

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use tokio::sync::watch;

use crate::index::{self, report::IndexReport, IndexOptions};
use crate::search::Engine;

/// The end of one run: its report, or why it could not run at all (also an admin API body).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RunOutcome {
    /// Ticket of the last request this run served.
    pub ticket: u64,
    /// Seconds since the Unix epoch when the run ended.
    pub finished_at: u64,
    /// The indexing report, when the run did not stop early.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<IndexReport>,
    /// Why the run stopped before committing (corpus unreadable, index locked...); the
    /// previous commit is still served.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A run that failed (index locked by a command-line run, disk full...), to be tried again;
/// also an admin API body.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PendingRun {
    /// Why the last run failed.
    pub reason: String,
    /// Runs that failed in a row.
    pub attempts: u32,
    /// Seconds until the next attempt.
    pub retry_in_secs: u64,
    #[serde(skip)]
    due: Option<Instant>,
    #[serde(skip)]
    rebuild: bool,
}

/// First wait before a failed run is tried again; it doubles with each failure in a row.
const FIRST_RETRY: Duration = Duration::from_secs(1);
/// Longest wait between two attempts.
const LAST_RETRY: Duration = Duration::from_secs(60);

#[derive(Default)]
struct Queue {
    /// Last ticket handed out.
    requested: u64,
    /// Whether a waiting request asked for a full rebuild.
    rebuild: bool,
    /// Whether a run is in progress.
    running: bool,
    /// The failed run to try again, if the last one failed.
    retry: Option<PendingRun>,
}

impl Queue {
    fn retry_due(&self) -> bool {
        self.retry
            .as_ref()
            .and_then(|retry| retry.due)
            .is_some_and(|due| due <= Instant::now())
    }
}

/// The background re-indexer of one served index.
pub struct Reindexer {
    options: IndexOptions,
    queue: Mutex<Queue>,
    wake: Condvar,
    finished: watch::Sender<Option<Arc<RunOutcome>>>,
}

impl Reindexer {
    /// Starts the re-indexing thread for `engine`, indexing with `options`.
    pub fn start(options: IndexOptions, engine: Arc<Engine>) -> Arc<Reindexer> {
        let reindexer = Arc::new(Reindexer {
            options,
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
            finished: watch::Sender::new(None),
        });
        let worker = Arc::downgrade(&reindexer);
        let spawned = std::thread::Builder::new()
            .name("reindex".into())
            .spawn(move || {
                while let Some(reindexer) = worker.upgrade() {
                    reindexer.run_next(&engine);
                }
            });
        if let Err(error) = spawned {
            tracing::error!(%error, "cannot start the re-indexing thread");
        }
        reindexer
    }

    /// Asks for a run (a full rebuild when `rebuild`); returns its ticket. Requests made
    /// while a run is in progress are served together by the next run.
    pub fn request(&self, rebuild: bool) -> u64 {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        queue.requested += 1;
        queue.rebuild |= rebuild;
        self.wake.notify_all();
        queue.requested
    }

    /// Waits until the run serving `ticket` has ended, and returns its outcome.
    pub async fn wait(&self, ticket: u64) -> Option<Arc<RunOutcome>> {
        let mut finished = self.finished.subscribe();
        let outcome = finished
            .wait_for(|outcome| outcome.as_ref().is_some_and(|o| o.ticket >= ticket))
            .await
            .ok()?;
        outcome.clone()
    }

    /// The outcome of the last run, if any ended.
    pub fn last(&self) -> Option<Arc<RunOutcome>> {
        self.finished.borrow().clone()
    }

    /// The failed run that will be tried again, and why it failed; `None` when the last
    /// run succeeded.
    pub fn pending(&self) -> Option<PendingRun> {
        let queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let mut pending = queue.retry.clone()?;
        pending.retry_in_secs = pending.due.map_or(0, |due| {
            due.saturating_duration_since(Instant::now())
                .as_secs_f64()
                .ceil() as u64
        });
        Some(pending)
    }

    /// Whether a run is in progress.
    pub fn running(&self) -> bool {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .running
    }

    /// Waits (up to a second, so that the thread notices when the re-indexer is dropped)
    /// for a request or for a failed run's next attempt, and serves it. A failed run is
    /// tried again after 1 s, then 2, 4... up to a minute, until one succeeds, so that a
    /// change accepted while the index was locked (a command-line run) is never lost.
    fn run_next(&self, engine: &Engine) {
        let served = self.finished.borrow().as_ref().map_or(0, |o| o.ticket);
        let (ticket, rebuild) = {
            let queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            let (mut queue, _) = self
                .wake
                .wait_timeout_while(queue, Duration::from_secs(1), |q| {
                    q.requested <= served && !q.retry_due()
                })
                .unwrap_or_else(PoisonError::into_inner);
            if queue.requested <= served && !queue.retry_due() {
                return;
            }
            queue.running = true;
            let retried = queue.retry.as_ref().is_some_and(|retry| retry.rebuild);
            let rebuild = std::mem::take(&mut queue.rebuild) || retried;
            (queue.requested, rebuild)
        };
        let options = IndexOptions {
            rebuild,
            ..self.options.clone()
        };
        let result = index::run(&options, &mut |_, _| {});
        if let Err(error) = engine.reload() {
            tracing::error!(%error, "cannot reload the engine after re-indexing");
        }
        let outcome = match result {
            Ok(report) => {
                tracing::info!(
                    added = report.documents_added,
                    deleted = report.documents_deleted,
                    failed = report.failed,
                    "re-indexed"
                );
                if let Some(publication) = &options.publish {
                    publication.publish_logged(&options.index);
                }
                RunOutcome {
                    ticket,
                    finished_at: now(),
                    report: Some(report),
                    error: None,
                }
            }
            Err(error) => {
                tracing::error!(%error, "re-indexing failed; the previous commit is still served");
                RunOutcome {
                    ticket,
                    finished_at: now(),
                    report: None,
                    error: Some(error.to_string()),
                }
            }
        };
        {
            let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            queue.running = false;
            queue.retry = outcome.error.as_ref().map(|reason| {
                let attempts = queue.retry.as_ref().map_or(0, |r| r.attempts) + 1;
                let wait = FIRST_RETRY
                    .saturating_mul(1 << attempts.min(16).saturating_sub(1))
                    .min(LAST_RETRY);
                tracing::warn!(attempts, retry_in = ?wait, "re-indexing will be tried again");
                PendingRun {
                    reason: reason.clone(),
                    attempts,
                    retry_in_secs: wait.as_secs(),
                    due: Some(Instant::now() + wait),
                    rebuild,
                }
            });
        }
        self.finished.send_replace(Some(Arc::new(outcome)));
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &std::path::Path, path: &str, text: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A one-file corpus, indexed and served, with its re-indexer.
    fn served() -> (
        tempfile::TempDir,
        std::path::PathBuf,
        Arc<Engine>,
        Arc<Reindexer>,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
        write(
            &corpus,
            "cio/source.toml",
            "[metadata]\nnetwork = \"cio\"\n",
        );
        write(&corpus, "cio/a.md", "# Tonnelier\n\nFabrique des tonneaux.");
        let options = IndexOptions::new(&corpus, &index_dir);
        index::run(&options, &mut |_, _| {}).unwrap();
        let engine = Arc::new(Engine::open(&index_dir).unwrap());
        let reindexer = Reindexer::start(options, engine.clone());
        (dir, corpus, engine, reindexer)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_run_makes_new_files_searchable_and_reports() {
        let (_dir, corpus, engine, reindexer) = served();
        assert!(reindexer.last().is_none());

        write(
            &corpus,
            "cio/b.md",
            "# Tonnelière\n\nLe métier de tonnelier.",
        );
        let ticket = reindexer.request(false);
        let outcome = reindexer.wait(ticket).await.unwrap();
        let report = outcome.report.as_ref().unwrap();
        assert_eq!((report.documents_added, report.failed), (1, 0));
        let request = crate::search::SearchRequest {
            query: "tonnelier".into(),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(engine.search(&request).unwrap().total, 2);

        let rebuild = reindexer.wait(reindexer.request(true)).await.unwrap();
        assert_eq!(rebuild.report.as_ref().unwrap().documents_added, 2);
        assert_eq!(engine.search(&request).unwrap().total, 2);
        assert!(!reindexer.running());
    }

    /// Regression (issue 11, item 5): a run that found the index locked by a command-line
    /// run was never tried again, and an accepted upload stayed unindexed.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_run_that_finds_the_index_locked_is_tried_again_until_it_succeeds() {
        let (dir, corpus, engine, reindexer) = served();
        let index = tantivy::Index::open_in_dir(dir.path().join("index")).unwrap();
        let command_line_run: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        write(
            &corpus,
            "cio/b.md",
            "# Tonnelière\n\nLe métier de tonnelier.",
        );
        let outcome = reindexer.wait(reindexer.request(false)).await.unwrap();
        let error = outcome.error.as_deref().unwrap_or_default();
        assert!(error.contains("lock"), "{outcome:?}");
        let pending = reindexer.pending().expect("a run is pending");
        assert_eq!((pending.reason.as_str(), pending.attempts), (error, 1));
        drop(command_line_run);
        let request = crate::search::SearchRequest {
            query: "tonnelier".into(),
            limit: 10,
            ..Default::default()
        };
        // The run reloads the engine before it clears what is pending: wait for both.
        let mut found = 0;
        for _ in 0..600 {
            found = engine.search(&request).unwrap().total;
            if found == 2 && reindexer.pending().is_none() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(found, 2, "the change was indexed by a later attempt");
        assert!(reindexer.pending().is_none());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_run_is_reported_and_the_index_still_served() {
        let (_dir, corpus, engine, reindexer) = served();
        write(&corpus, "cio/source.toml", "format = \"nonsense\"\n");
        let outcome = reindexer.wait(reindexer.request(false)).await.unwrap();
        assert!(outcome.report.is_none());
        assert!(reindexer.pending().is_some_and(|p| p.attempts == 1));
        assert!(
            outcome
                .error
                .as_deref()
                .unwrap_or("")
                .contains("source.toml"),
            "{outcome:?}"
        );
        assert_eq!(engine.searcher().num_docs(), 1);
    }
}
