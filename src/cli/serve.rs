//! `spo-search serve`: the JSON API and the web pages over HTTP.
//!
//! The socket is bound first and answers at once (503 on routes that need the index); the
//! index is opened, or built when absent, on the blocking pool and the service becomes ready
//! when it is. Ctrl-C or SIGTERM stop accepting connections and let requests in flight end.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

use super::Paths;
use crate::api::{self, AppState, ServeOptions};
use crate::index::{self, IndexOptions};
use crate::search::Searcher;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    paths: Paths,
    /// Address to listen on.
    #[arg(long, env = "SPO_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Origin allowed to call the API from a browser (repeatable or comma-separated; `*` for
    /// any). None by default.
    #[arg(long = "cors-origin", env = "SPO_CORS_ORIGINS", value_delimiter = ',')]
    cors_origins: Vec<String>,
    /// Longest time a request may take, in seconds.
    #[arg(long, env = "SPO_REQUEST_TIMEOUT", default_value_t = 10)]
    request_timeout_secs: u64,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "SPO_MAX_BODY_BYTES", default_value_t = 16 * 1024)]
    max_body_bytes: usize,
    /// Searches run at once (default: the number of cores); more wait their turn.
    #[arg(long, env = "SPO_SEARCH_THREADS")]
    search_threads: Option<usize>,
    /// Answers kept for repeated searches on the current commit (0: no cache).
    #[arg(long, env = "SPO_CACHE_ENTRIES", default_value_t = 1000)]
    cache_entries: usize,
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
    let options = ServeOptions {
        request_timeout: Duration::from_secs(args.request_timeout_secs.max(1)),
        max_body_bytes: args.max_body_bytes,
        cors_origins: args.cors_origins,
        search_threads: args
            .search_threads
            .map_or(defaults.search_threads, |n| n.max(1)),
    };
    let state = AppState::new(&args.paths.corpus, &args.paths.index, options);
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let address = listener.local_addr().unwrap_or(args.addr);
    println!("spo-search: open http://{address}/");

    let opening = state.clone();
    let (corpus, index_dir) = (args.paths.corpus.clone(), args.paths.index.clone());
    let cache_entries = args.cache_entries;
    tokio::task::spawn_blocking(
        move || match open_or_build(&corpus, &index_dir, cache_entries) {
            Ok(searcher) => {
                let documents = searcher.searcher().num_docs();
                opening.set_ready(searcher);
                tracing::info!(documents, "index open, the service is ready");
            }
            Err(error) => opening.set_failed(format!("{error:#}")),
        },
    );

    axum::serve(listener, api::app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")?;
    tracing::info!("stopped");
    Ok(())
}

/// Opens the index, building it from the corpus first when it does not exist; the first
/// completion warms the vocabulary so that search-as-you-type is fast from the start.
fn open_or_build(
    corpus: &Path,
    index_dir: &Path,
    cache_entries: usize,
) -> anyhow::Result<Searcher> {
    if !index_dir.join("meta.json").is_file() {
        tracing::info!(
            corpus = %corpus.display(),
            index = %index_dir.display(),
            "no index yet: building it from the corpus"
        );
        let options = IndexOptions::new(PathBuf::from(corpus), PathBuf::from(index_dir));
        let report = index::run(&options, &mut |_, _| {})
            .with_context(|| format!("building the index from {}", corpus.display()))?;
        tracing::info!(
            documents = report.documents_added,
            failed = report.failed,
            "index built"
        );
    }
    let searcher = Searcher::open(index_dir)
        .with_context(|| format!("opening the index {}", index_dir.display()))?
        .with_cache(cache_entries);
    searcher.suggest("a", 1);
    Ok(searcher)
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
