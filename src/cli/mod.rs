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

use clap::{Parser, Subcommand};

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
    Index(index::IndexArgs),
    /// Search the index from the terminal.
    Search(search::SearchArgs),
    /// Measure ranking quality on a judged query set (TSV).
    Eval(eval::EvalArgs),
    /// Serve the JSON API and the web pages (builds the index first when it is absent).
    Serve(serve::ServeArgs),
    /// Copy the index consistently into a new folder, even while it is served or indexed.
    Snapshot(snapshot::SnapshotArgs),
    /// Make a snapshot the index again (a running server switches to it on its next reload).
    Restore(restore::RestoreArgs),
}

/// Where the corpus and the index live.
#[derive(Debug, clap::Args)]
pub struct Paths {
    /// Corpus folder: one sub-folder per source, each with its source.toml.
    #[arg(long, env = "SPO_CORPUS", default_value = "corpus")]
    pub corpus: PathBuf,
    /// Index folder (created when absent).
    #[arg(long, env = "SPO_INDEX", default_value = "index")]
    pub index: PathBuf,
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
            Command::Serve(args) => serve::run(args),
            Command::Snapshot(args) => snapshot::run(args),
            Command::Restore(args) => restore::run(args),
        }
    }
}
