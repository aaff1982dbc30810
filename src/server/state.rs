//! The state every handler shares: the engine once the index is open, the settings, the
//! metrics and indicators, the rate limiter and the re-indexer; and the bounded pool on
//! which searches run.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::ApiError;
use super::limits::{RateLimit, RateLimiter, AUTH_FAILURES};
use super::listen::{ConnectionLimits, Connections};
use super::metrics::Metrics;
use crate::admin::{AdminToken, Reindexer};
use crate::index::IndexOptions;
use crate::indicators::{IndicatorOptions, Indicators};
use crate::search::Engine;

/// Settings of the service that do not depend on the index.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Longest time a public request may take before a 503 `timeout` answer.
    pub request_timeout: Duration,
    /// Longest time an admin request may take (a large upload on a slow link); a re-index
    /// asked with `wait=true` waits this long for its run, then answers 202 with its ticket.
    pub admin_timeout: Duration,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Origins allowed to call the API from a browser (`*` for any); none by default.
    pub cors_origins: Vec<String>,
    /// Searches run at once on the blocking pool; more wait their turn (until the timeout).
    /// One client holds at most half of them at once.
    /// Twice the cores by default: a slot is held from its hand-off to a pool thread to the
    /// answer's return, and with one slot per core the cores idled during those hand-offs
    /// (2,330 searches/s at 150 % CPU on 2 cores, 3,219/s with 4 slots).
    pub search_threads: usize,
    /// The admin API's token; no admin API without one.
    pub admin_token: Option<AdminToken>,
    /// Largest document uploaded through the admin API.
    pub max_upload_bytes: usize,
    /// Requests per client address on the public routes; `None`: unlimited.
    pub rate_limit: Option<RateLimit>,
    /// Addresses of our reverse proxies, whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Time to send a request head, and open connections per client and in total.
    pub connections: ConnectionLimits,
    /// The dashboard's settings: where use counts are kept, and who may read them.
    pub indicators: IndicatorOptions,
    /// The published folder a read-only replica follows: no re-indexer, admin changes
    /// refused, and the generation served reported on every answer.
    pub follow: Option<PathBuf>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            request_timeout: Duration::from_secs(10),
            admin_timeout: Duration::from_secs(300),
            max_body_bytes: 16 * 1024,
            cors_origins: Vec::new(),
            search_threads: std::thread::available_parallelism().map_or(2, |n| n.get()) * 2,
            admin_token: None,
            max_upload_bytes: 50 * 1024 * 1024,
            rate_limit: Some(RateLimit::default()),
            trusted_proxies: Vec::new(),
            connections: ConnectionLimits::default(),
            indicators: IndicatorOptions::default(),
            follow: None,
        }
    }
}

tokio::task_local! {
    /// The client of the request being answered (its rate-limit key), set by the limits
    /// middleware: [`AppState::run`] gives each client a share of the search slots.
    static CLIENT: IpAddr;
}

/// The client of the request being answered, when known.
pub fn current_client() -> Option<IpAddr> {
    CLIENT.try_with(|client| *client).ok()
}

/// Runs `work` (a request's handling) as `client`'s.
pub async fn as_client<F: Future>(client: IpAddr, work: F) -> F::Output {
    CLIENT.scope(client, work).await
}

/// The search slots one client may hold at once: half of them (at least one), so that a
/// client sending many costly queries at once leaves the other half to everyone else.
fn slots_per_client(search_threads: usize) -> usize {
    (search_threads / 2).max(1)
}

/// Each client's share of the search slots, while it holds some.
#[derive(Default)]
struct ClientSlots {
    held: Mutex<HashMap<IpAddr, Arc<Semaphore>>>,
}

/// A client's permit to hold one more search slot.
struct ClientPermit<'a> {
    slots: &'a ClientSlots,
    client: IpAddr,
    permit: Option<OwnedSemaphorePermit>,
}

impl ClientSlots {
    async fn acquire(&self, client: IpAddr, share: usize) -> ClientPermit<'_> {
        let semaphore = self
            .lock()
            .entry(client)
            .or_insert_with(|| Arc::new(Semaphore::new(share)))
            .clone();
        let permit = semaphore.acquire_owned().await.ok();
        ClientPermit {
            slots: self,
            client,
            permit,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Arc<Semaphore>>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for ClientPermit<'_> {
    /// Forgets the client once it holds no slot and waits for none.
    fn drop(&mut self) {
        let mut held = self.slots.lock();
        drop(self.permit.take());
        if let Some(semaphore) = held.get(&self.client) {
            if Arc::strong_count(semaphore) == 1 {
                held.remove(&self.client);
            }
        }
    }
}

/// Why the index is not served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotServed {
    /// It could not be opened or built (the reason is logged).
    Failed,
    /// It is damaged: a snapshot must be restored, or the index rebuilt.
    Damaged,
}

/// Either the open index, or why it is not served.
type Readiness = Result<Arc<Engine>, NotServed>;

struct Shared {
    readiness: OnceLock<Readiness>,
    /// The corpus, the index and the limits of indexing it, for the re-indexer.
    indexing: IndexOptions,
    options: ServeOptions,
    metrics: Metrics,
    indicators: Arc<Indicators>,
    /// One permit per search allowed to run at once.
    search_slots: Arc<Semaphore>,
    /// Each client's share of them.
    client_slots: ClientSlots,
    /// Re-indexing of the served index, started with it.
    reindexer: OnceLock<Arc<Reindexer>>,
    rate_limiter: RateLimiter,
    /// Failed admin authentications, per client.
    auth_failures: RateLimiter,
    connections: Arc<Connections>,
    /// The published generation a replica serves (0: none yet, or not a replica).
    generation: AtomicU64,
}

/// What every handler shares: the engine once the index is open, the corpus folder for
/// downloads, the settings and the metrics. Cloning is cheap.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

impl AppState {
    /// A state whose index is not open yet: routes that need it answer 503. `indexing`
    /// names the corpus and the index, and bounds the re-indexer's runs.
    pub fn new(indexing: IndexOptions, options: ServeOptions) -> AppState {
        AppState {
            shared: Arc::new(Shared {
                readiness: OnceLock::new(),
                indexing,
                search_slots: Arc::new(Semaphore::new(options.search_threads.max(1))),
                client_slots: ClientSlots::default(),
                reindexer: OnceLock::new(),
                rate_limiter: RateLimiter::new(options.rate_limit),
                auth_failures: RateLimiter::new(Some(AUTH_FAILURES)),
                connections: Arc::default(),
                indicators: Arc::new(Indicators::new(options.indicators.clone())),
                options,
                metrics: Metrics::default(),
                generation: AtomicU64::new(0),
            }),
        }
    }

    /// Makes the service ready with this engine (no effect if already ready or failed),
    /// and starts its re-indexer, unless it is a replica.
    pub fn set_ready(&self, engine: impl Into<Arc<Engine>>) {
        let engine = engine.into();
        let first = self.shared.readiness.set(Ok(engine.clone())).is_ok();
        if first && self.shared.options.follow.is_none() {
            let options = self.shared.indexing.clone();
            let _ = self.shared.reindexer.set(Reindexer::start(options, engine));
        }
    }

    /// The re-indexer of the served index; 409 on a replica, 503 while the index is not
    /// open.
    pub fn reindexer(&self) -> Result<Arc<Reindexer>, ApiError> {
        if let Some(published) = &self.shared.options.follow {
            return Err(ApiError::ReadOnlyReplica(published.display().to_string()));
        }
        self.engine()?;
        self.shared
            .reindexer
            .get()
            .cloned()
            .ok_or_else(|| ApiError::NotReady("the index is being opened or built".into()))
    }

    /// Records the published generation a replica now serves.
    pub fn set_generation(&self, generation: u64) {
        self.shared.generation.store(generation, Ordering::Release);
    }

    /// The published generation served, on a replica that serves one.
    pub fn generation(&self) -> Option<u64> {
        match self.shared.generation.load(Ordering::Acquire) {
            0 => None,
            generation => Some(generation),
        }
    }

    /// The per-client rate limiter of the public routes.
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.shared.rate_limiter
    }

    /// The per-client limiter of failed admin authentications.
    pub fn auth_failures(&self) -> &RateLimiter {
        &self.shared.auth_failures
    }

    /// Records that the index could not be opened: the service stays unavailable.
    pub fn set_failed(&self, reason: impl std::fmt::Display) {
        tracing::error!(%reason, "the index could not be opened");
        let _ = self.shared.readiness.set(Err(NotServed::Failed));
    }

    /// Records that the index is damaged: the service stays unavailable, and `/health`
    /// says why and what to do.
    pub fn set_damaged(&self, reason: impl std::fmt::Display) {
        tracing::error!(%reason, "the index is damaged");
        let _ = self.shared.readiness.set(Err(NotServed::Damaged));
    }

    /// The engine, or 503 while the index is not open.
    pub fn engine(&self) -> Result<Arc<Engine>, ApiError> {
        match self.shared.readiness.get() {
            Some(Ok(engine)) => Ok(engine.clone()),
            Some(Err(NotServed::Failed)) => Err(ApiError::NotReady(
                "the index could not be opened; see the server log".into(),
            )),
            Some(Err(NotServed::Damaged)) => Err(ApiError::IndexDamaged),
            None => Err(ApiError::NotReady(
                "the index is being opened or built".into(),
            )),
        }
    }

    /// Runs `work` with the engine on the blocking pool, off the async runtime, at most
    /// [`ServeOptions::search_threads`] at once: under load, requests queue here instead of
    /// crowding the cores with threads. One client (see `as_client`) holds at most half
    /// the slots: its other requests wait for one of its own, not for everyone's.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Engine) -> Result<T, ApiError> + Send + 'static,
    {
        let engine = self.engine()?;
        let share = slots_per_client(self.shared.options.search_threads.max(1));
        let _client_permit = match CLIENT.try_with(|client| *client) {
            Ok(client) => Some(self.shared.client_slots.acquire(client, share).await),
            Err(_) => None,
        };
        let slot = self
            .shared
            .search_slots
            .clone()
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(move || {
            let result = work(&engine);
            drop(slot);
            result
        })
        .await
        .map_err(|error| ApiError::internal(format!("search task failed: {error}")))?
    }

    /// The corpus folder, whose files are offered for download.
    pub fn corpus(&self) -> &Path {
        &self.shared.indexing.corpus
    }

    /// The index folder.
    pub fn index_dir(&self) -> &Path {
        &self.shared.indexing.index
    }

    /// The settings of the service.
    pub fn options(&self) -> &ServeOptions {
        &self.shared.options
    }

    /// The open connections, by client.
    pub fn connections(&self) -> &Arc<Connections> {
        &self.shared.connections
    }

    /// The request metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.shared.metrics
    }

    /// The steering committee's indicators.
    pub fn indicators(&self) -> &Arc<Indicators> {
        &self.shared.indicators
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// Regression (issue 11, item 2): one client's costly searches could take every search
    /// slot, and a light search from someone else waited for them. The first client's work
    /// is held until the end, so the outcome does not depend on speed.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_client_cannot_take_every_search_slot() {
        let dir = tempfile::tempdir().unwrap();
        let index_dir = dir.path().join("index");
        std::fs::create_dir_all(&index_dir).unwrap();
        tantivy::Index::create_in_dir(&index_dir, crate::schema::build_schema()).unwrap();
        let state = AppState::new(
            IndexOptions::new(dir.path().join("corpus"), &index_dir),
            ServeOptions {
                search_threads: 2,
                ..ServeOptions::default()
            },
        );
        state.set_ready(Engine::open(&index_dir).unwrap());
        let greedy: IpAddr = "10.0.0.1".parse().unwrap();
        let (release, held) = mpsc::channel::<()>();
        let held = Arc::new(Mutex::new(held));
        // Counted in the same poll as the search asks for its slots: once both are counted,
        // each holds a slot or waits for one.
        let entered = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut greedy_searches = Vec::new();
        for _ in 0..2 {
            let (state, held, entered) = (state.clone(), held.clone(), entered.clone());
            greedy_searches.push(tokio::spawn(as_client(greedy, async move {
                entered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                state
                    .run(move |_| {
                        let _ = held.lock().unwrap().recv();
                        Ok(())
                    })
                    .await
            })));
        }
        while entered.load(std::sync::atomic::Ordering::SeqCst) < 2 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let light = as_client(other, state.run(|engine| Ok(engine.searcher().num_docs())));
        let answered = tokio::time::timeout(Duration::from_secs(30), light).await;
        assert!(
            matches!(answered, Ok(Ok(0))),
            "the other client's search waited for the greedy one's"
        );
        for _ in 0..2 {
            release.send(()).unwrap();
        }
        for search in greedy_searches {
            search.await.unwrap().unwrap();
        }
        assert!(
            state.shared.client_slots.lock().is_empty(),
            "clients forgotten"
        );
    }
}
