//! `spo-search index`: builds or updates the index, publishes it for replicas when asked, and
//! prints the report.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::IndexArgs;
use crate::index;
use crate::semantic::SemanticMode;

#[derive(Debug, clap::Args)]
pub struct IndexCommandArgs {
    #[command(flatten)]
    index: IndexArgs,
    /// The vectors documents get, for `serve --semantic`: none (`off`), the static
    /// table's, or the transformer's (`full`).
    #[arg(long, value_enum, default_value_t = SemanticMode::Off)]
    semantic: SemanticMode,
    /// Print the report as one JSON object on stdout.
    #[arg(long)]
    json: bool,
    /// Re-read every file, not only the new and changed ones.
    #[arg(long)]
    rebuild: bool,
    #[command(flatten)]
    publish: super::PublishArgs,
}

/// Runs an indexing pass; exits with 1 when documents failed (the index is still committed).
pub fn run(args: IndexCommandArgs) -> anyhow::Result<ExitCode> {
    let mut options = args.index.options_for(args.semantic);
    options.rebuild = args.rebuild;
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
    let published = match args.publish.publication() {
        Some(publication) => Some(publication.publish(&options.index).with_context(|| {
            format!("publishing the commit into {}", publication.dir.display())
        })?),
        None => None,
    };
    if args.json {
        super::emit(&format!("{}\n", serde_json::to_string(&report)?))?;
    } else {
        super::emit(&report.to_string())?;
        if let Some(published) = &published {
            let copied = if published.snapshot.is_some() {
                "published"
            } else {
                "already published"
            };
            super::emit(&format!(
                "{copied} as generation {}\n",
                published.generation
            ))?;
        }
    }
    Ok(if report.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
