//! Command-line interface: the arguments of each subcommand and their dispatch.
//!
//! Each subcommand lives in its own file with one `run` entry point; every flag can also be
//! set through an `SPO_*` environment variable.

mod eval;
mod index;
mod restore;
mod search;
mod serve;
mod snapshot;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::index::snapshot::publish::Publication;
use crate::index::IndexOptions;
use crate::semantic::{Model, SemanticMode};

/// spo-search: the shared documentary search of the Service Public de l'Orientation.
#[derive(Debug, Parser)]
#[command(name = "spo-search", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build or update the index from the corpus (incremental: only changed files are read).
    Index(index::IndexCommandArgs),
    /// Search the index from the terminal.
    Search(search::SearchArgs),
    /// Measure ranking quality on a judged query set (TSV).
    Eval(eval::EvalArgs),
    /// Serve the JSON API and the web pages (builds the index first when it is absent).
    Serve(Box<serve::ServeArgs>),
    /// Copy the index consistently into a new folder, even while it is served or indexed.
    Snapshot(snapshot::SnapshotArgs),
    /// Make a snapshot the index again (a running server switches to it on its next reload).
    Restore(restore::RestoreArgs),
}

/// Where the corpus and the index live, and the limits of indexing: the same for `index`
/// and for `serve`, whose first build and re-indexer honour them.
#[derive(Debug, clap::Args)]
pub struct IndexArgs {
    /// Corpus folder: one sub-folder per source, each with its source.toml.
    #[arg(long, env = "SPO_CORPUS", default_value = "corpus")]
    pub corpus: PathBuf,
    /// Index folder (created when absent).
    #[arg(long, env = "SPO_INDEX", default_value = "index")]
    pub index: PathBuf,
    /// Largest file read, in MiB; larger files are reported and skipped.
    #[arg(long, env = "SPO_MAX_FILE_MB", default_value_t = 100)]
    max_file_mb: u64,
    /// Longest extraction of one file (or export), in seconds.
    #[arg(long, env = "SPO_EXTRACT_TIMEOUT", default_value_t = 60)]
    timeout_secs: u64,
    /// Extraction threads (default: the number of cores).
    #[arg(long, env = "SPO_THREADS")]
    threads: Option<usize>,
    /// The semantic table (`tools/semantic/`) that gives documents and queries their
    /// vectors; absent or damaged, one warning and lexical search only.
    #[arg(long, env = "SPO_SEMANTIC_TABLE", default_value = crate::semantic::DEFAULT_TABLE)]
    pub semantic_table: PathBuf,
    /// The transformer's weights for `--semantic full` (`tools/semantic/fetch_e5.sh` puts
    /// them in place); absent or damaged, one warning and lexical search only.
    #[arg(long, env = "SPO_SEMANTIC_WEIGHTS", default_value = crate::semantic::DEFAULT_E5_WEIGHTS)]
    pub semantic_weights: PathBuf,
    /// Query vectors of `--semantic full` kept, by query text (0: none).
    #[arg(long, env = "SPO_SEMANTIC_QUERY_CACHE", default_value_t = crate::semantic::full::QUERY_CACHE_ENTRIES)]
    pub semantic_query_cache: usize,
}

impl IndexArgs {
    /// The indexing options for search in `mode`: documents get the vectors of the model
    /// `mode` asks for, none when off; with `full`, the static table's when the
    /// transformer's weights cannot be read (one warning).
    pub fn options_for(&self, mode: SemanticMode) -> IndexOptions {
        let mut options = IndexOptions::new(&self.corpus, &self.index);
        options.limits.max_file_bytes = self.max_file_mb.saturating_mul(1024 * 1024);
        options.limits.timeout = Duration::from_secs(self.timeout_secs.max(1));
        if let Some(threads) = self.threads {
            options.threads = threads.max(1);
        }
        options.semantic = match mode {
            SemanticMode::Off => None,
            SemanticMode::Static => Model::load_or_warn(&self.semantic_table),
            SemanticMode::Full => Model::for_mode(
                mode,
                &self.semantic_table,
                &self.semantic_weights,
                self.semantic_query_cache,
            )
            .or_else(|| Model::load_or_warn(&self.semantic_table)),
        };
        options
    }
}

/// The model search uses in `mode`, given the one indexing made the vectors with: none when
/// off, or when `full` could not load its weights (search stays lexical).
pub fn searching_model(mode: SemanticMode, indexing: Option<&Arc<Model>>) -> Option<Arc<Model>> {
    match mode {
        SemanticMode::Off => None,
        SemanticMode::Static => indexing.filter(|model| !model.is_full()).cloned(),
        SemanticMode::Full => indexing.filter(|model| model.is_full()).cloned(),
    }
}

/// Where to publish each commit for read-only replicas: shared by `index` and `serve`.
#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// Folder into which each commit is published as a snapshot, for replicas started with
    /// `serve --follow` (one folder per generation and a `LATEST` pointer).
    #[arg(long, env = "SPO_PUBLISH")]
    publish: Option<PathBuf>,
    /// Generations kept in the published folder (older ones are removed).
    #[arg(long, env = "SPO_KEEP_GENERATIONS", default_value_t = 3,
        value_parser = clap::value_parser!(u64).range(1..=1000))]
    keep_generations: u64,
}

impl PublishArgs {
    /// The publication asked for, if any.
    pub fn publication(&self) -> Option<Publication> {
        self.publish.as_ref().map(|dir| Publication {
            dir: dir.clone(),
            keep: self.keep_generations as usize,
        })
    }
}

/// Writes `text` to stdout; a closed pipe (`| head`) ends the output quietly.
fn emit(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

impl Cli {
    /// Runs the chosen subcommand.
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self.command {
            Command::Index(args) => index::run(args),
            Command::Search(args) => search::run(args),
            Command::Eval(args) => eval::run(args),
            Command::Serve(args) => serve::run(*args),
            Command::Snapshot(args) => snapshot::run(args),
            Command::Restore(args) => restore::run(args),
        }
    }
}
