//! `spo-search serve`: the JSON API and the web pages over HTTP.
//!
//! The socket is bound first and answers at once (503 on routes that need the index); the
//! index is opened, or built when absent, on the blocking pool and the service becomes ready
//! when it is. With `--publish`, each commit is published for replicas; with `--follow`, the
//! server is such a replica ([`admin::follow`]). The use counts of the dashboard are written beside the index at most a minute
//! apart. Ctrl-C or SIGTERM stop accepting connections, let requests in flight end, and write
//! the counts a last time.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context;

use super::IndexArgs;
use crate::admin::follow::Follower;
use crate::admin::{self, AdminToken};
use crate::index::{self, IndexOptions, IndexState};
use crate::indicators::{self, IndicatorOptions};
use crate::search::rank::Ranking;
use crate::search::Engine;
use crate::semantic::{Model, SemanticMode};
use crate::server::limits::RateLimit;
use crate::server::listen::{self, ConnectionLimits};
use crate::server::{AppState, ServeOptions};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    index: IndexArgs,
    /// Address to listen on.
    #[arg(long, env = "SPO_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Origin allowed to call the API from a browser (repeatable or comma-separated; `*` for
    /// any). None by default.
    #[arg(long = "cors-origin", env = "SPO_CORS_ORIGINS", value_delimiter = ',')]
    cors_origins: Vec<String>,
    /// Longest time a public request may take, in seconds.
    #[arg(long, env = "SPO_REQUEST_TIMEOUT", default_value_t = 10)]
    request_timeout_secs: u64,
    /// Longest time an admin request may take, in seconds (an upload, or a re-index asked
    /// with `wait=true`, which then answers 202 and goes on).
    #[arg(long, env = "SPO_ADMIN_TIMEOUT", default_value_t = 300)]
    admin_timeout_secs: u64,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "SPO_MAX_BODY_BYTES", default_value_t = 16 * 1024)]
    max_body_bytes: usize,
    /// Searches run at once (default: twice the number of cores); more wait their turn.
    #[arg(long, env = "SPO_SEARCH_THREADS")]
    search_threads: Option<usize>,
    /// Answers kept for repeated searches on the current commit (0: no cache).
    #[arg(long, env = "SPO_CACHE_ENTRIES", default_value_t = 1000)]
    cache_entries: usize,
    /// Re-index when files under the corpus change (added, modified or removed).
    #[arg(long, env = "SPO_WATCH", conflicts_with = "follow")]
    watch: bool,
    #[command(flatten)]
    publish: super::PublishArgs,
    /// Serve as a read-only replica of the snapshots published in this folder (by an
    /// indexing node's `--publish`): poll it, verify each new generation and swap it in;
    /// no re-indexing, no watcher, admin changes refused. `--index` is the replica's copy.
    #[arg(long, env = "SPO_FOLLOW", conflicts_with = "publish")]
    follow: Option<PathBuf>,
    /// Seconds between two polls of the followed folder.
    #[arg(long, env = "SPO_POLL_SECS", default_value_t = 2,
        value_parser = clap::value_parser!(u64).range(1..=3600))]
    poll_secs: u64,
    /// File holding the admin API token (or set SPO_ADMIN_TOKEN); no admin API without one.
    #[arg(long, env = "SPO_ADMIN_TOKEN_FILE")]
    admin_token_file: Option<PathBuf>,
    /// Largest document uploaded through the admin API, in MiB.
    #[arg(long, env = "SPO_MAX_UPLOAD_MB", default_value_t = 50)]
    max_upload_mb: usize,
    /// Requests per second allowed to each client address on the public routes, on
    /// average (0: no limit).
    #[arg(long, env = "SPO_RATE_LIMIT", default_value_t = 30.0)]
    rate_limit: f64,
    /// Requests a client may make at once before the average rate applies.
    #[arg(long, env = "SPO_RATE_BURST", default_value_t = 120)]
    rate_burst: u32,
    /// Address of a reverse proxy in front of the service (repeatable or comma-separated):
    /// for its requests, the client is the address it appends to `X-Forwarded-For`.
    #[arg(
        long = "trusted-proxy",
        env = "SPO_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// Seconds a connection has to send a whole request head, after opening and after each
    /// answer (so also the idle time of a kept-alive connection); then it is closed.
    #[arg(long, env = "SPO_HEADER_TIMEOUT", default_value_t = 5)]
    header_timeout_secs: u64,
    /// Connections open at once, all clients together (at most the open-files limit less
    /// 256); over that, a connection gets 503 and is closed.
    #[arg(long, env = "SPO_MAX_CONNECTIONS", default_value_t = 4096)]
    max_connections: usize,
    /// Connections open at once from one client address (an IPv6 /64; a trusted proxy
    /// counts only in the total).
    #[arg(long, env = "SPO_MAX_CONNECTIONS_PER_CLIENT", default_value_t = 128)]
    max_connections_per_client: usize,
    /// The semantic layer: off, or the cosine of the static table (`static`) or of the e5
    /// transformer (`full`: documents get its vectors at indexing) fused with the lexical
    /// score of the best candidates (and the nearest documents when no word matches).
    #[arg(long, value_enum, env = "SPO_SEMANTIC", default_value_t = SemanticMode::Off)]
    semantic: SemanticMode,
    #[command(flatten)]
    dashboard: DashboardArgs,
}

/// The dashboard's settings: where the use counts are written and how often, the optional
/// searches without results, and who may read it.
#[derive(Debug, clap::Args)]
struct DashboardArgs {
    /// Folder of the dashboard's use counts (default: beside the index, `<index>.usage`).
    #[arg(long, env = "SPO_USAGE_DIR")]
    usage_dir: Option<PathBuf>,
    /// Seconds between two writes of the use counts (a crash loses at most this much).
    #[arg(long, env = "SPO_USAGE_FLUSH_SECS", default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..=60))]
    usage_flush_secs: u64,
    /// Keep the searches without results that at least five distinct clients typed in a day
    /// (normalised; the clients counted through a daily salt that is never written).
    #[arg(long, env = "SPO_ZERO_RESULT_QUERIES")]
    zero_result_queries: bool,
    /// Make the dashboard (`/tableau-de-bord`, `/api/v1/indicators`) need the admin token;
    /// public otherwise.
    #[arg(long, env = "SPO_PRIVATE_DASHBOARD")]
    private_dashboard: bool,
}

impl DashboardArgs {
    /// The indicators' settings for the index folder `index`; a private dashboard needs an
    /// admin token.
    fn options(self, index: &Path, token: bool) -> anyhow::Result<IndicatorOptions> {
        if self.private_dashboard && !token {
            anyhow::bail!(
                "--private-dashboard needs an admin token (SPO_ADMIN_TOKEN or --admin-token-file)"
            );
        }
        Ok(IndicatorOptions {
            dir: Some(
                self.usage_dir
                    .unwrap_or_else(|| indicators::usage_dir_beside(index)),
            ),
            flush_interval: Duration::from_secs(self.usage_flush_secs),
            zero_results: self.zero_result_queries,
            private: self.private_dashboard,
        })
    }
}

/// Runs the service until Ctrl-C or SIGTERM.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(args))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let defaults = ServeOptions::default();
    let admin_token = AdminToken::configured(args.admin_token_file.as_deref())?;
    let indicators = args
        .dashboard
        .options(&args.index.index, admin_token.is_some())?;
    let open_files_limit = listen::raise_open_files_limit();
    let max_connections = listen::cap_to_open_files(args.max_connections, open_files_limit);
    tracing::info!(
        open_files_limit,
        max_connections,
        "open files and connections allowed"
    );
    let options = ServeOptions {
        request_timeout: Duration::from_secs(args.request_timeout_secs.max(1)),
        admin_timeout: Duration::from_secs(args.admin_timeout_secs.max(1)),
        max_body_bytes: args.max_body_bytes,
        cors_origins: args.cors_origins,
        search_threads: args
            .search_threads
            .map_or(defaults.search_threads, |n| n.max(1)),
        admin_token,
        max_upload_bytes: args.max_upload_mb.saturating_mul(1024 * 1024),
        rate_limit: (args.rate_limit > 0.0).then_some(RateLimit {
            per_second: args.rate_limit,
            burst: f64::from(args.rate_burst.max(1)),
        }),
        trusted_proxies: args.trusted_proxies,
        connections: ConnectionLimits {
            header_timeout: Duration::from_secs(args.header_timeout_secs.max(1)),
            max_connections: max_connections.max(1),
            max_per_client: args.max_connections_per_client.max(1),
        },
        indicators,
        follow: args.follow.clone(),
    };
    if options.admin_token.is_some() {
        tracing::info!("admin API on under /api/v1/admin");
    }
    let mut indexing = args.index.options_for(args.semantic);
    indexing.publish = args.publish.publication();
    let state = AppState::new(indexing.clone(), options);
    let flusher = state.indicators().start_flushing();
    if let Some(dir) = &state.indicators().options().dir {
        tracing::info!(usage = %dir.display(), "use counts kept for the dashboard");
    }
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let address = listener.local_addr().unwrap_or(args.addr);
    println!("spo-search: open http://{address}/");

    if let Some(published) = &args.follow {
        let semantic = super::searching_model(args.semantic, indexing.semantic.as_ref());
        follow(
            &state,
            published,
            args.cache_entries,
            args.poll_secs,
            semantic,
        )?;
        listen::serve(listener, state, shutdown_signal()).await;
        drop(flusher);
        tracing::info!("stopped; use counts written");
        return Ok(());
    }
    let opening = state.clone();
    let corpus = indexing.corpus.clone();
    let (cache_entries, watching, semantic) = (args.cache_entries, args.watch, args.semantic);
    // The corpus watcher lives as long as the service.
    let watcher = Arc::new(Mutex::new(None));
    let keep = watcher.clone();
    tokio::task::spawn_blocking(
        move || match open_or_build(&indexing, cache_entries, semantic) {
            Ok(engine) => {
                let documents = engine.searcher().num_docs();
                opening.set_ready(engine);
                tracing::info!(documents, "index open, the service is ready");
                if watching {
                    match start_watching(&opening, &corpus) {
                        Ok(handle) => {
                            *keep.lock().unwrap_or_else(PoisonError::into_inner) = Some(handle);
                        }
                        Err(error) => tracing::error!(%error, "the corpus is not watched"),
                    }
                }
            }
            Err(error) => match error.downcast_ref::<index::IndexError>() {
                Some(index::IndexError::Damaged { .. }) => {
                    opening.set_damaged(format!("{error:#}"))
                }
                _ => opening.set_failed(format!("{error:#}")),
            },
        },
    );

    listen::serve(listener, state, shutdown_signal()).await;
    drop(watcher);
    drop(flusher);
    tracing::info!("stopped; use counts written");
    Ok(())
}

/// Makes the server a replica of the snapshots published in `published`: it becomes ready
/// when a first generation is restored and verified, and reports each one it serves; with a
/// `semantic` table, generations whose vectors were made with it are searched with it.
fn follow(
    state: &AppState,
    published: &Path,
    cache_entries: usize,
    poll_secs: u64,
    semantic: Option<Arc<Model>>,
) -> anyhow::Result<()> {
    tracing::info!(published = %published.display(), "read-only replica");
    let follower =
        Follower::new(published, state.index_dir(), cache_entries).with_semantic(semantic);
    let serving = state.clone();
    admin::follow::start(
        follower,
        Duration::from_secs(poll_secs),
        move |engine, generation| {
            serving.set_generation(generation);
            serving.set_ready(engine.clone());
        },
    )
    .context("starting the thread that follows the published folder")
}

/// Opens the index, building it from the corpus first when it is absent or of an older
/// version (layout or analysis: [`IndexState`]); the first completion warms the vocabulary
/// so that search-as-you-type is fast from the start.
fn open_or_build(
    options: &IndexOptions,
    cache_entries: usize,
    semantic: SemanticMode,
) -> anyhow::Result<Engine> {
    let (corpus, index_dir) = (&options.corpus, &options.index);
    let state = IndexState::of(index_dir)
        .with_context(|| format!("reading the index {}", index_dir.display()))?;
    if state.needs_indexing() {
        tracing::info!(
            corpus = %corpus.display(),
            index = %index_dir.display(),
            ?state,
            "no index of this version yet: building it from the corpus"
        );
        let report = index::run(options, &mut |_, _| {})
            .with_context(|| format!("building the index from {}", corpus.display()))?;
        tracing::info!(
            documents = report.documents_added,
            failed = report.failed,
            "index built"
        );
    }
    let engine = Engine::open(index_dir)
        .with_context(|| format!("opening the index {}", index_dir.display()))?
        .with_cache(cache_entries);
    let table = options
        .semantic
        .as_ref()
        .map(|model| model.sha256().to_string());
    if index::committed_semantic_table(engine.index())? != table {
        tracing::info!("the document vectors were made with another semantic table: indexing");
        index::run(options, &mut |_, _| {})
            .with_context(|| format!("indexing {} again", corpus.display()))?;
        engine.reload()?;
    }
    let engine = engine
        .with_ranking(Ranking::for_semantic(semantic))
        .with_semantic(super::searching_model(semantic, options.semantic.as_ref()));
    engine.suggest("a", 1);
    if let Some(publication) = &options.publish {
        publication.publish_logged(index_dir);
    }
    Ok(engine)
}

/// Starts re-indexing on changes under `corpus`.
fn start_watching(state: &AppState, corpus: &Path) -> anyhow::Result<notify::RecommendedWatcher> {
    let reindexer = state.reindexer()?;
    let watcher = admin::watch::watch(corpus, admin::watch::DEFAULT_DEBOUNCE, reindexer)?;
    tracing::info!(corpus = %corpus.display(), "watching the corpus");
    Ok(watcher)
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::manifest::Manifest;
    use crate::schema::SCHEMA_VERSION;
    use crate::search::SearchRequest;

    fn hits(engine: &Engine, query: &str) -> usize {
        let request = SearchRequest {
            query: query.into(),
            limit: 10,
            ..SearchRequest::default()
        };
        engine.search(&request).expect("search").total
    }

    /// Commits `manifest` as the payload of the index at `dir`, documents unchanged.
    fn commit_manifest(dir: &Path, manifest: &Manifest) {
        let index = tantivy::Index::open_in_dir(dir).expect("open");
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).expect("writer");
        let mut commit = writer.prepare_commit().expect("prepare");
        commit.set_payload(&manifest.to_payload());
        commit.commit().expect("commit");
    }

    #[test]
    fn an_index_of_an_older_analysis_is_rebuilt_before_it_is_served() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
        std::fs::create_dir_all(corpus.join("cio")).expect("mkdir");
        std::fs::write(
            corpus.join("cio/metier.md"),
            "# Luthier\n\nFabrique des violons.",
        )
        .expect("write");
        let options = IndexOptions::new(&corpus, &index_dir);
        index::run(&options, &mut |_, _| {}).expect("first build");
        // The same index as an older analysis would have left it: its terms are those of
        // the old analysis (here: of the old text), its manifest says so.
        std::fs::write(
            corpus.join("cio/metier.md"),
            "# Ébéniste\n\nFabrique des meubles.",
        )
        .expect("write");
        let index = tantivy::Index::open_in_dir(&index_dir).expect("open");
        let mut older = index::committed_manifest(&index).expect("manifest");
        older.schema_version = SCHEMA_VERSION - 1;
        commit_manifest(&index_dir, &older);
        assert_eq!(
            IndexState::of(&index_dir).ok(),
            Some(IndexState::OutdatedAnalysis)
        );

        let engine = open_or_build(&options, 0, SemanticMode::Off).expect("served");
        assert_eq!(
            hits(&engine, "ébéniste"),
            1,
            "the documents were analysed again"
        );
        assert_eq!(
            hits(&engine, "luthier"),
            0,
            "no document of the old analysis is left"
        );
        assert_eq!(IndexState::of(&index_dir).ok(), Some(IndexState::Current));
        let manifest = index::committed_manifest(engine.index()).expect("manifest");
        assert_eq!(manifest.schema_version, SCHEMA_VERSION);
    }

    #[test]
    fn a_current_index_is_served_as_it_is() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
        std::fs::create_dir_all(corpus.join("cio")).expect("mkdir");
        std::fs::write(
            corpus.join("cio/metier.md"),
            "# Luthier\n\nFabrique des violons.",
        )
        .expect("write");
        let options = IndexOptions::new(&corpus, &index_dir);
        let engine = open_or_build(&options, 0, SemanticMode::Off).expect("built then served");
        assert_eq!(hits(&engine, "luthier"), 1);
        drop(engine);
        std::fs::remove_dir_all(&corpus).expect("the corpus is gone");
        let engine =
            open_or_build(&options, 0, SemanticMode::Off).expect("served without its corpus");
        assert_eq!(hits(&engine, "luthier"), 1);
    }
}
