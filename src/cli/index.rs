//! `spo-search index`: builds or updates the index and prints the report.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::Paths;
use crate::index::{self, IndexOptions};

#[derive(Debug, clap::Args)]
pub struct IndexArgs {
    #[command(flatten)]
    paths: Paths,
    /// Print the report as one JSON object on stdout.
    #[arg(long)]
    json: bool,
    /// Largest file read, in MiB; larger files are reported and skipped.
    #[arg(long, env = "SPO_MAX_FILE_MB", default_value_t = 100)]
    max_file_mb: u64,
    /// Longest extraction of one file (or export), in seconds.
    #[arg(long, env = "SPO_EXTRACT_TIMEOUT", default_value_t = 60)]
    timeout_secs: u64,
    /// Extraction threads (default: the number of cores).
    #[arg(long, env = "SPO_THREADS")]
    threads: Option<usize>,
    /// Re-read every file, not only the new and changed ones.
    #[arg(long)]
    rebuild: bool,
}

/// Runs an indexing pass; exits with 1 when documents failed (the index is still committed).
pub fn run(args: IndexArgs) -> anyhow::Result<ExitCode> {
    let mut options = IndexOptions::new(&args.paths.corpus, &args.paths.index);
    options.limits.max_file_bytes = args.max_file_mb.saturating_mul(1024 * 1024);
    options.limits.timeout = Duration::from_secs(args.timeout_secs.max(1));
    options.rebuild = args.rebuild;
    if let Some(threads) = args.threads {
        options.threads = threads.max(1);
    }
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} units {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let mut progress = |done: usize, total: usize| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    };
    let report = index::run(&options, &mut progress).with_context(|| {
        format!(
            "indexing {} into {}",
            options.corpus.display(),
            options.index.display()
        )
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if args.json {
        super::emit(&format!("{}\n", serde_json::to_string(&report)?))?;
    } else {
        super::emit(&report.to_string())?;
    }
    Ok(if report.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
