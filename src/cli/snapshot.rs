//! `spo-search snapshot`: a consistent copy of the index, taken while it is served or indexed.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::index::snapshot;

#[derive(Debug, clap::Args)]
pub struct SnapshotArgs {
    /// Index folder to copy.
    #[arg(long, env = "SPO_INDEX", default_value = "index")]
    index: PathBuf,
    /// Folder to create with the copy (absent or empty).
    #[arg(long, env = "SPO_SNAPSHOT")]
    out: PathBuf,
    /// Print the report as one JSON object on stdout.
    #[arg(long)]
    json: bool,
}

/// Takes the snapshot and prints what it holds; any failure leaves no folder at `--out`.
pub fn run(args: SnapshotArgs) -> anyhow::Result<ExitCode> {
    let report = snapshot::snapshot(&args.index, &args.out).with_context(|| {
        format!(
            "snapshot of {} into {}",
            args.index.display(),
            args.out.display()
        )
    })?;
    if args.json {
        super::emit(&format!("{}\n", serde_json::to_string(&report)?))?;
    } else {
        super::emit(&format!("snapshot written: {report}"))?;
    }
    Ok(ExitCode::SUCCESS)
}
