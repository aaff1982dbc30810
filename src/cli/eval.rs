//! `spo-search eval`: relevance and latency figures of a judged query set.

use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::ValueEnum;

use crate::index;
use crate::search::eval::{evaluate, parse_queries, Half, JudgedQuery};
use crate::search::rank::Ranking;
use crate::search::Engine;
use crate::semantic::{self, Model, SemanticMode};

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// TSV file: query_id, query, doc_id, grade (with a header line).
    #[arg(long)]
    queries: std::path::PathBuf,
    /// Index folder.
    #[arg(long, env = "SPO_INDEX", default_value = "index")]
    index: std::path::PathBuf,
    /// Depth of the ranked lists scored.
    #[arg(long, default_value_t = 10)]
    k: usize,
    /// Ranking experiment: override one weight, `name=value` (repeatable).
    #[arg(long = "weight")]
    weights: Vec<String>,
    /// Print exactly one JSON object.
    #[arg(long)]
    json: bool,
    /// Score only one half of the queries (weights are fitted on A, reported on B too).
    #[arg(long, value_enum)]
    half: Option<Half>,
    /// The semantic layer: off, or the static table's (`static`) or the transformer's
    /// (`full`) cosine fused with the lexical score; the index's document vectors must have
    /// been made with the same model.
    #[arg(long, value_enum, default_value_t = SemanticMode::Off)]
    semantic: SemanticMode,
    /// The semantic table of `--semantic static`.
    #[arg(long, env = "SPO_SEMANTIC_TABLE", default_value = semantic::DEFAULT_TABLE)]
    semantic_table: std::path::PathBuf,
    /// The transformer's weights of `--semantic full`.
    #[arg(long, env = "SPO_SEMANTIC_WEIGHTS", default_value = semantic::DEFAULT_E5_WEIGHTS)]
    semantic_weights: std::path::PathBuf,
    /// Query vectors of `--semantic full` kept, by query text (0: none).
    #[arg(long, default_value_t = semantic::full::QUERY_CACHE_ENTRIES)]
    semantic_query_cache: usize,
    /// Evaluate once per value of one weight, `name=v1,v2,...`, half A and half B apart: one
    /// JSON object per line. The runs share one model, so that `--semantic full` embeds
    /// each query once.
    #[arg(long, conflicts_with = "half")]
    sweep: Option<String>,
}

/// Runs the evaluation and prints the figures.
pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.queries)
        .with_context(|| format!("reading {}", args.queries.display()))?;
    let mut queries =
        parse_queries(&text).with_context(|| format!("in {}", args.queries.display()))?;
    if let Some(half) = args.half {
        queries.retain(|query| Half::of(&query.id) == half);
    }
    let mut ranking = Ranking::for_semantic(args.semantic);
    for weight in &args.weights {
        let Some((name, value)) = weight.split_once('=') else {
            bail!("--weight {weight:?}: expected name=value")
        };
        let value: f32 = value
            .parse()
            .with_context(|| format!("--weight {weight:?}"))?;
        ranking.set(name, value).map_err(anyhow::Error::msg)?;
    }
    let model = Model::for_mode(
        args.semantic,
        &args.semantic_table,
        &args.semantic_weights,
        args.semantic_query_cache,
    );
    let engine = Engine::open(&args.index)
        .with_context(|| format!("opening the index {}", args.index.display()))?
        .with_ranking(ranking.clone());
    let made_with = index::committed_semantic_table(engine.index())?;
    let model = model.filter(|model| {
        let matches = made_with.as_deref() == Some(model.sha256());
        if !matches {
            tracing::warn!(
                "semantic layer off, lexical results only: the index's document vectors were \
                 not made with this model (build it with `index --semantic {}`)",
                args.semantic
                    .to_possible_value()
                    .map(|value| value.get_name().to_string())
                    .unwrap_or_default()
            );
        }
        matches
    });
    if let Some(sweep) = &args.sweep {
        return run_sweep(engine, sweep, &queries, &ranking, model, args.k);
    }
    let engine = engine.with_semantic(model);
    let report = evaluate(&engine, &queries, args.k)?;
    if args.json {
        super::emit(&format!("{}\n", serde_json::to_string(&report)?))?;
    } else {
        let k = report.k;
        super::emit(&format!(
            "queries       {}\nMRR@{k}        {:.4}\nRecall@{k}     {:.4}\nnDCG@{k}       {:.4}\n\
             P@1          {:.4}\nlatency p50  {:.2} ms\nlatency p99  {:.2} ms\n\
             judged ids not in the index: {}\n",
            report.queries,
            report.mrr,
            report.recall,
            report.ndcg,
            report.p1,
            report.latency_ms_p50,
            report.latency_ms_p99,
            report.missing_doc_ids,
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `--sweep name=v1,v2,...`: each value's figures on each half, one JSON line each, on one
/// open index (its columns decoded once).
fn run_sweep(
    mut engine: Engine,
    sweep: &str,
    queries: &[JudgedQuery],
    ranking: &Ranking,
    model: Option<std::sync::Arc<Model>>,
    k: usize,
) -> anyhow::Result<ExitCode> {
    let Some((name, values)) = sweep.split_once('=') else {
        bail!("--sweep {sweep:?}: expected name=v1,v2,...")
    };
    let halves: Vec<(Half, Vec<JudgedQuery>)> = [Half::A, Half::B]
        .into_iter()
        .map(|half| {
            let of_half = queries.iter().filter(|q| Half::of(&q.id) == half);
            (half, of_half.cloned().collect())
        })
        .collect();
    for value in values.split(',') {
        let value: f32 = value
            .trim()
            .parse()
            .with_context(|| format!("--sweep {sweep:?}: {value:?}"))?;
        let mut ranking = ranking.clone();
        ranking.set(name, value).map_err(anyhow::Error::msg)?;
        engine = engine.with_ranking(ranking).with_semantic(model.clone());
        for (half, queries) in &halves {
            let report = evaluate(&engine, queries, k)?;
            let line = serde_json::json!({
                "weight": name,
                "value": value,
                "half": format!("{half:?}"),
                "report": report,
            });
            super::emit(&format!("{line}\n"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
