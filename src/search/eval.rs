//! Relevance evaluation: runs a judged query set through [`Engine::search`] (the API's own
//! path) and computes MRR@k, Recall@k, nDCG@k with binary gains, P@1 and latency percentiles.
//!
//! Query files are TSV with a header: `query_id  query  doc_id  grade`, one row per relevant
//! document (grade >= 1 is relevant).

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use serde::Serialize;

use super::{Engine, SearchError, SearchRequest};

/// A judged query.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgedQuery {
    pub id: String,
    pub text: String,
    pub relevant: HashSet<String>,
}

/// A line of the query file that could not be read.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("line {line}: {reason}")]
pub struct QueryFileError {
    pub line: usize,
    pub reason: String,
}

/// Reads a TSV query file; queries keep the order of their first line.
pub fn parse_queries(tsv: &str) -> Result<Vec<JudgedQuery>, QueryFileError> {
    let mut order = Vec::new();
    let mut queries: BTreeMap<String, JudgedQuery> = BTreeMap::new();
    for (index, line) in tsv.lines().enumerate() {
        if index == 0 || line.trim().is_empty() {
            continue;
        }
        let columns: Vec<&str> = line.split('\t').collect();
        let [id, text, doc_id, grade] = columns[..] else {
            return Err(QueryFileError {
                line: index + 1,
                reason: "expected 4 tab-separated columns".into(),
            });
        };
        let grade: f64 = grade.trim().parse().map_err(|_| QueryFileError {
            line: index + 1,
            reason: format!("grade {grade:?} is not a number"),
        })?;
        let entry = queries.entry(id.to_string()).or_insert_with(|| {
            order.push(id.to_string());
            JudgedQuery {
                id: id.to_string(),
                text: text.to_string(),
                relevant: HashSet::new(),
            }
        });
        if grade >= 1.0 {
            entry.relevant.insert(doc_id.to_string());
        }
    }
    Ok(order
        .into_iter()
        .filter_map(|id| queries.remove(&id))
        .filter(|q| !q.relevant.is_empty())
        .collect())
}

/// Half of a query set, to fit weights on one and report them on the other too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Half {
    /// The half weights are fitted on.
    A,
    /// The held-out half.
    B,
}

impl Half {
    /// The half of a query: by the first byte of the SHA-256 of its group (the id before
    /// any `:`, so that the variants of one question stay together), as
    /// `tools/semantic/evaluate.py` splits them.
    pub fn of(query_id: &str) -> Half {
        use sha2::{Digest, Sha256};
        let group = query_id.split(':').next().unwrap_or(query_id);
        if Sha256::digest(group.as_bytes())[0] % 2 == 0 {
            Half::A
        } else {
            Half::B
        }
    }
}

/// The figures of one evaluation run.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct EvalReport {
    pub queries: usize,
    #[serde(rename = "mrr@10")]
    pub mrr: f64,
    #[serde(rename = "recall@10")]
    pub recall: f64,
    #[serde(rename = "ndcg@10")]
    pub ndcg: f64,
    #[serde(rename = "p@1")]
    pub p1: f64,
    pub latency_ms_p50: f64,
    pub latency_ms_p99: f64,
    /// Judged document ids that are not in the index (they count as not found).
    pub missing_doc_ids: usize,
    pub k: usize,
}

/// Metrics of one ranked list against its relevant set.
fn score_one(ranked: &[String], relevant: &HashSet<String>, k: usize) -> (f64, f64, f64, f64) {
    let top = &ranked[..ranked.len().min(k)];
    let first = top.iter().position(|id| relevant.contains(id));
    let reciprocal_rank = first.map_or(0.0, |rank| 1.0 / (rank as f64 + 1.0));
    let found = top.iter().filter(|id| relevant.contains(*id)).count();
    let recall = found as f64 / relevant.len() as f64;
    let dcg: f64 = top
        .iter()
        .enumerate()
        .filter(|(_, id)| relevant.contains(*id))
        .map(|(rank, _)| 1.0 / (rank as f64 + 2.0).log2())
        .sum();
    let ideal: f64 = (0..relevant.len().min(k))
        .map(|rank| 1.0 / (rank as f64 + 2.0).log2())
        .sum();
    let ndcg = if ideal > 0.0 { dcg / ideal } else { 0.0 };
    let precision_at_1 = if first == Some(0) { 1.0 } else { 0.0 };
    (reciprocal_rank, recall, ndcg, precision_at_1)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs every query through `engine` and scores the top `k`.
pub fn evaluate(
    engine: &Engine,
    queries: &[JudgedQuery],
    k: usize,
) -> Result<EvalReport, SearchError> {
    let k = k.clamp(1, super::MAX_LIMIT);
    let tantivy_searcher = engine.searcher();
    let mut known = HashSet::new();
    let mut missing = HashSet::new();
    for id in queries.iter().flat_map(|q| q.relevant.iter()) {
        let term = tantivy::Term::from_field_text(engine.fields().id, id);
        if tantivy_searcher.doc_freq(&term)? > 0 {
            known.insert(id.clone());
        } else {
            missing.insert(id.clone());
        }
    }
    let mut totals = (0.0, 0.0, 0.0, 0.0);
    let mut latencies = Vec::with_capacity(queries.len());
    for query in queries {
        let request = SearchRequest {
            query: query.text.clone(),
            limit: k,
            ..SearchRequest::default()
        };
        let started = Instant::now();
        let response = engine.search(&request)?;
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        let ranked: Vec<String> = response.hits.into_iter().map(|hit| hit.id).collect();
        let (rr, recall, ndcg, p1) = score_one(&ranked, &query.relevant, k);
        totals = (
            totals.0 + rr,
            totals.1 + recall,
            totals.2 + ndcg,
            totals.3 + p1,
        );
    }
    latencies.sort_by(f64::total_cmp);
    let n = queries.len().max(1) as f64;
    Ok(EvalReport {
        queries: queries.len(),
        mrr: totals.0 / n,
        recall: totals.1 / n,
        ndcg: totals.2 / n,
        p1: totals.3 / n,
        latency_ms_p50: percentile(&latencies, 50.0),
        latency_ms_p99: percentile(&latencies, 99.0),
        missing_doc_ids: missing.len(),
        k,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[&str]) -> HashSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn ranked(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn metrics_match_hand_computed_values() {
        let (rr, recall, ndcg, p1) = score_one(&ranked(&["a", "b", "c"]), &set(&["b"]), 10);
        assert_eq!((rr, recall, p1), (0.5, 1.0, 0.0));
        assert!((ndcg - 1.0 / 3f64.log2()).abs() < 1e-12);
        let (rr, recall, ndcg, p1) = score_one(&ranked(&["a", "x"]), &set(&["a", "b"]), 10);
        assert_eq!((rr, recall, p1), (1.0, 0.5, 1.0));
        let ideal = 1.0 + 1.0 / 3f64.log2();
        assert!((ndcg - 1.0 / ideal).abs() < 1e-12);
        assert_eq!(
            score_one(&ranked(&["x"]), &set(&["a"]), 10),
            (0.0, 0.0, 0.0, 0.0)
        );
        let (rr, ..) = score_one(&ranked(&["x", "a"]), &set(&["a"]), 1);
        assert_eq!(rr, 0.0);
    }

    #[test]
    fn query_files_group_rows_and_report_bad_lines() {
        let tsv = "query_id\tquery\tdoc_id\tgrade\nq1\tsalaire\tsp:a\t1\nq2\tstage\tsp:b\t0\nq1\tsalaire\tsp:c\t2\n";
        let queries = parse_queries(tsv).expect("valid file");
        assert_eq!(queries.len(), 1, "q2 has no relevant document");
        assert_eq!(queries[0].relevant, set(&["sp:a", "sp:c"]));
        let error = parse_queries("h\nq1\tonly two\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(parse_queries("h\nq\tt\td\tx\n")
            .unwrap_err()
            .reason
            .contains("grade"));
    }

    #[test]
    fn halves_keep_the_variants_of_one_question_together() {
        assert_eq!(Half::of("q7:aa"), Half::of("q7:bb"));
        let halves: Vec<Half> = (0..40).map(|i| Half::of(&format!("q{i}"))).collect();
        assert!(halves.contains(&Half::A) && halves.contains(&Half::B));
    }

    #[test]
    fn percentiles_pick_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), 50.0);
        assert_eq!(percentile(&values, 99.0), 99.0);
        assert_eq!(percentile(&[], 99.0), 0.0);
    }
}
