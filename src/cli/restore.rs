//! `spo-search restore`: makes a snapshot the index again, under the nose of a running server.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

use crate::index::snapshot;

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// Index folder to restore into (created when absent).
    #[arg(long, env = "SPO_INDEX", default_value = "index")]
    index: PathBuf,
    /// Snapshot folder, as written by `spo-search snapshot`.
    #[arg(long, env = "SPO_SNAPSHOT")]
    from: PathBuf,
    /// Longest wait, in seconds, for a running indexing run to release the index.
    #[arg(long, env = "SPO_LOCK_WAIT", default_value_t = snapshot::DEFAULT_LOCK_WAIT.as_secs())]
    wait_secs: u64,
    /// Print the report as one JSON object on stdout.
    #[arg(long)]
    json: bool,
}

/// Checks the snapshot, restores it and prints what the index now holds.
pub fn run(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let wait = Duration::from_secs(args.wait_secs);
    let report = snapshot::restore(&args.from, &args.index, wait).with_context(|| {
        format!(
            "restore of {} into {}",
            args.from.display(),
            args.index.display()
        )
    })?;
    if args.json {
        super::emit(&format!("{}\n", serde_json::to_string(&report)?))?;
    } else {
        super::emit(&format!("index restored: {report}"))?;
    }
    Ok(ExitCode::SUCCESS)
}
