//! Request metrics in the Prometheus text format: counts by route and status, errors by
//! code, latency histograms, what searches found (the steering committee's indicators of use
//! and coverage: counts only, never the words searched), and the index figures given at
//! scrape time.
//!
//! Routes are labelled by their pattern (`/api/v1/documents/{*id}`), never by the raw path,
//! so the number of series stays bounded whatever clients send.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::error::ErrorCode;
use super::listen::ConnectionFigures;
use super::AppState;
use crate::model::Facet;
use crate::search::SearchRequest;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];
/// Route label of requests that matched no route.
const UNMATCHED: &str = "unmatched";

/// Figures of one route.
#[derive(Debug, Default)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    errors: BTreeMap<&'static str, u64>,
    /// Count per bucket (not cumulative), the last one for slower requests.
    buckets: [u64; BUCKETS.len() + 1],
    seconds: f64,
    count: u64,
}

/// What the first pages of searches found.
#[derive(Debug, Default)]
struct SearchStats {
    with_results: AtomicU64,
    without_results: AtomicU64,
    /// Answered with a "did you mean".
    respelled: AtomicU64,
    /// Filtered by each facet, in [`Facet::ALL`] order.
    filtered_by: [AtomicU64; Facet::COUNT],
}

/// Counters shared by every request of the process.
#[derive(Debug)]
pub struct Metrics {
    routes: Mutex<BTreeMap<String, RouteStats>>,
    searches: SearchStats,
    started: Instant,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            routes: Mutex::new(BTreeMap::new()),
            searches: SearchStats::default(),
            started: Instant::now(),
        }
    }
}

/// What the index looks like when the metrics are scraped.
#[derive(Debug, Clone, Copy, Default)]
pub struct IndexFigures {
    pub ready: bool,
    pub documents: u64,
    pub size_bytes: u64,
}

impl Metrics {
    /// Records one answered request.
    pub fn record(&self, route: &str, status: u16, error: Option<&'static str>, took: Duration) {
        let Ok(mut routes) = self.routes.lock() else {
            return;
        };
        if !routes.contains_key(route) {
            routes.insert(route.to_string(), RouteStats::default());
        }
        let Some(stats) = routes.get_mut(route) else {
            return;
        };
        *stats.by_status.entry(status).or_insert(0) += 1;
        if let Some(code) = error {
            *stats.errors.entry(code).or_insert(0) += 1;
        }
        let seconds = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        if let Some(slot) = stats.buckets.get_mut(bucket) {
            *slot += 1;
        }
        stats.seconds += seconds;
        stats.count += 1;
    }

    /// Records what a search found, once per search: its next pages are not counted.
    pub fn record_search(&self, request: &SearchRequest, total: usize, respelled: bool) {
        if request.offset > 0 {
            return;
        }
        let stats = &self.searches;
        let found = if total > 0 {
            &stats.with_results
        } else {
            &stats.without_results
        };
        found.fetch_add(1, Ordering::Relaxed);
        if respelled {
            stats.respelled.fetch_add(1, Ordering::Relaxed);
        }
        for facet in Facet::ALL {
            if request.filters.iter().any(|filter| filter.facet == facet) {
                stats.filtered_by[facet.index()].fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self, index: IndexFigures, connections: ConnectionFigures) -> String {
        let mut out = String::with_capacity(4096);
        let routes = match self.routes.lock() {
            Ok(routes) => routes,
            Err(poisoned) => poisoned.into_inner(),
        };
        header(
            &mut out,
            "spo_http_requests_total",
            "counter",
            "HTTP requests answered, by route pattern and status.",
        );
        for (route, stats) in routes.iter() {
            for (status, count) in &stats.by_status {
                let _ = writeln!(
                    out,
                    "spo_http_requests_total{{route=\"{}\",status=\"{status}\"}} {count}",
                    escape(route)
                );
            }
        }
        header(
            &mut out,
            "spo_http_errors_total",
            "counter",
            "Error responses, by route pattern and error code.",
        );
        for (route, stats) in routes.iter() {
            for (code, count) in &stats.errors {
                let _ = writeln!(
                    out,
                    "spo_http_errors_total{{route=\"{}\",code=\"{code}\"}} {count}",
                    escape(route)
                );
            }
        }
        header(
            &mut out,
            "spo_http_request_duration_seconds",
            "histogram",
            "Time from request to response headers, by route pattern.",
        );
        for (route, stats) in routes.iter() {
            let route = escape(route);
            let mut cumulative = 0;
            for (bound, count) in BUCKETS.iter().zip(stats.buckets) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "spo_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "spo_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                stats.count
            );
            let _ = writeln!(
                out,
                "spo_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                stats.seconds
            );
            let _ = writeln!(
                out,
                "spo_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                stats.count
            );
        }
        drop(routes);
        self.render_searches(&mut out);
        let gauges = [
            (
                "spo_index_ready",
                "1 once the index is open and searches are answered.",
                u64::from(index.ready),
            ),
            (
                "spo_index_documents",
                "Documents in the index.",
                index.documents,
            ),
            (
                "spo_index_size_bytes",
                "Size of the index folder on disk.",
                index.size_bytes,
            ),
            (
                "spo_uptime_seconds",
                "Seconds since the service started.",
                self.started.elapsed().as_secs(),
            ),
        ];
        for (name, help, value) in gauges {
            header(&mut out, name, "gauge", help);
            let _ = writeln!(out, "{name} {value}");
        }
        render_connections(&mut out, connections);
        out
    }
}

impl Metrics {
    fn render_searches(&self, out: &mut String) {
        let stats = &self.searches;
        header(
            out,
            "spo_searches_total",
            "counter",
            "Searches (first pages), by whether they found anything: the share of \"none\" \
             shows what the corpus does not cover.",
        );
        for (results, count) in [
            ("some", &stats.with_results),
            ("none", &stats.without_results),
        ] {
            let count = count.load(Ordering::Relaxed);
            let _ = writeln!(out, "spo_searches_total{{results=\"{results}\"}} {count}");
        }
        header(
            out,
            "spo_search_respelled_total",
            "counter",
            "Searches (first pages) answered with a \"did you mean\".",
        );
        let respelled = stats.respelled.load(Ordering::Relaxed);
        let _ = writeln!(out, "spo_search_respelled_total {respelled}");
        header(
            out,
            "spo_search_filters_total",
            "counter",
            "Searches (first pages) filtered by each facet.",
        );
        for (facet, count) in Facet::ALL.iter().zip(&stats.filtered_by) {
            let count = count.load(Ordering::Relaxed);
            let alias = facet.alias();
            let _ = writeln!(out, "spo_search_filters_total{{facet=\"{alias}\"}} {count}");
        }
    }
}

/// The open connections and files, and the headroom left under their limits.
fn render_connections(out: &mut String, figures: ConnectionFigures) {
    let gauges = [
        (
            "spo_connections_open",
            "Connections open now.",
            Some(figures.open),
        ),
        (
            "spo_connections_limit",
            "Connections allowed at once (--max-connections, within the open-files limit).",
            Some(figures.limit),
        ),
        (
            "spo_open_files",
            "Files open by the process, sockets included.",
            figures.open_files,
        ),
        (
            "spo_open_files_limit",
            "The soft limit of open files (raised to the hard limit at start-up).",
            figures.open_files_limit,
        ),
    ];
    for (name, help, value) in gauges {
        if let Some(value) = value {
            header(out, name, "gauge", help);
            let _ = writeln!(out, "{name} {value}");
        }
    }
    header(
        out,
        "spo_connections_refused_total",
        "counter",
        "Connections refused with a 503 for being over a cap: one client's, or the total.",
    );
    for (reason, count) in [
        ("per_client", figures.refused_per_client),
        ("total", figures.refused_total),
    ] {
        let _ = writeln!(
            out,
            "spo_connections_refused_total{{reason=\"{reason}\"}} {count}"
        );
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Escapes a label value.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Middleware recording the route, status, error code and latency of every request.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_string(), |path| path.as_str().to_string());
    let response = next.run(request).await;
    let error = response.extensions().get::<ErrorCode>().map(|code| code.0);
    state
        .metrics()
        .record(&route, response.status().as_u16(), error, started.elapsed());
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Filter;

    #[test]
    fn counts_and_cumulative_buckets() {
        let metrics = Metrics::default();
        metrics.record("/api/v1/search", 200, None, Duration::from_micros(800));
        metrics.record("/api/v1/search", 200, None, Duration::from_millis(30));
        metrics.record(
            "/api/v1/search",
            400,
            Some("invalid_parameter"),
            Duration::from_secs(20),
        );
        let connections = ConnectionFigures {
            open: 7,
            limit: 768,
            refused_per_client: 2,
            refused_total: 1,
            open_files: Some(40),
            open_files_limit: Some(1024),
        };
        let text = metrics.render(
            IndexFigures {
                ready: true,
                documents: 12,
                size_bytes: 3456,
            },
            connections,
        );
        for line in [
            "spo_http_requests_total{route=\"/api/v1/search\",status=\"200\"} 2",
            "spo_http_requests_total{route=\"/api/v1/search\",status=\"400\"} 1",
            "spo_http_errors_total{route=\"/api/v1/search\",code=\"invalid_parameter\"} 1",
            "spo_http_request_duration_seconds_bucket{route=\"/api/v1/search\",le=\"0.001\"} 1",
            "spo_http_request_duration_seconds_bucket{route=\"/api/v1/search\",le=\"0.05\"} 2",
            "spo_http_request_duration_seconds_bucket{route=\"/api/v1/search\",le=\"10\"} 2",
            "spo_http_request_duration_seconds_bucket{route=\"/api/v1/search\",le=\"+Inf\"} 3",
            "spo_http_request_duration_seconds_count{route=\"/api/v1/search\"} 3",
            "spo_index_ready 1",
            "spo_index_documents 12",
            "spo_index_size_bytes 3456",
            "spo_connections_open 7",
            "spo_connections_limit 768",
            "spo_connections_refused_total{reason=\"per_client\"} 2",
            "spo_connections_refused_total{reason=\"total\"} 1",
            "spo_open_files 40",
            "spo_open_files_limit 1024",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line}\n{text}");
        }
    }

    #[test]
    fn searches_are_counted_once_by_outcome_and_facet_without_their_words() {
        let metrics = Metrics::default();
        let search = |query: &str, filters: &[(Facet, &str)], offset| SearchRequest {
            query: query.into(),
            filters: filters.iter().map(|(f, v)| Filter::new(*f, *v)).collect(),
            offset,
            limit: 10,
            ..Default::default()
        };
        let multi = [
            (Facet::Kind, "fiche-metier"),
            (Facet::Kind, "dossier"),
            (Facet::Network, "spo"),
        ];
        metrics.record_search(&search("boulanger", &multi, 0), 12, false);
        metrics.record_search(&search("boulanger", &multi, 10), 12, false);
        metrics.record_search(&search("bolanger", &[], 0), 0, true);
        let text = metrics.render(IndexFigures::default(), ConnectionFigures::default());
        for line in [
            "spo_searches_total{results=\"some\"} 1",
            "spo_searches_total{results=\"none\"} 1",
            "spo_search_respelled_total 1",
            "spo_search_filters_total{facet=\"type\"} 1",
            "spo_search_filters_total{facet=\"reseau\"} 1",
            "spo_search_filters_total{facet=\"public\"} 0",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line}\n{text}");
        }
        assert!(!text.contains("boulanger") && !text.contains("fiche-metier"));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
