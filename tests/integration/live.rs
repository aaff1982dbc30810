//! The corpus changing under a running service: searches stay right through full rebuilds,
//! a `serve` killed with SIGKILL in the middle of a re-index loses nothing committed, and
//! `serve` builds and re-indexes within the indexing limits it is given.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use spo_search::search::Engine;
use spo_search::server::{app, AppState, ServeOptions};

use crate::admin::copy_dir;
use crate::api::contract::{http_get, http_request};
use crate::support::{corpus, index_into, write_files};

/// A corpus of the spo agreement (5 formats) and the travail-emploi export (269 fiches).
fn live_corpus(root: &Path) -> std::path::PathBuf {
    let live = root.join("corpus");
    for source in ["spo", "travail-emploi"] {
        copy_dir(&corpus().join(source), &live.join(source));
    }
    live
}

/// The id of the first hit of `query`, over HTTP.
async fn first_hit(address: SocketAddr, query: &str) -> Result<String, String> {
    let (status, body) = http_get(address, &format!("/api/v1/search?q={query}")).await;
    if status != 200 {
        return Err(format!("status {status}"));
    }
    let body: Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
    Ok(body["hits"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn searches_stay_right_during_full_rebuilds() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = live_corpus(dir.path());
    let index = dir.path().join("index");
    index_into(&corpus, &index);
    let options = ServeOptions {
        rate_limit: None,
        ..ServeOptions::default()
    };
    let state = AppState::new(crate::support::options(&corpus, &index), options);
    state.set_ready(Engine::open(&index).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = app(state.clone());
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    let queries = [
        "rupture%20conventionnelle",
        "label%20spo",
        "apprentissage",
        "licenciement",
    ];
    let mut expected = Vec::new();
    for query in queries {
        expected.push(first_hit(address, query).await.unwrap());
    }
    let expected = Arc::new(expected);
    let rebuilding = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let mut clients = Vec::new();
    for client in 0..4 {
        let (expected, rebuilding) = (expected.clone(), rebuilding.clone());
        clients.push(tokio::spawn(async move {
            let (mut latencies, mut errors, mut wrong) = (Vec::new(), 0, 0);
            let mut round = client;
            while rebuilding.load(std::sync::atomic::Ordering::Relaxed) {
                let which = round % queries.len();
                let started = Instant::now();
                match first_hit(address, queries[which]).await {
                    Ok(id) if id == expected[which] => {}
                    Ok(_) => wrong += 1,
                    Err(_) => errors += 1,
                }
                latencies.push(started.elapsed());
                round += 1;
            }
            (latencies, errors, wrong)
        }));
    }
    let reindexer = state.reindexer().unwrap();
    for _ in 0..3 {
        let outcome = reindexer.wait(reindexer.request(true)).await.unwrap();
        let report = outcome.report.as_ref().expect("the rebuild ran");
        assert!(report.committed && report.failed == 0, "{report}");
    }
    rebuilding.store(false, std::sync::atomic::Ordering::Relaxed);
    let (mut latencies, mut errors, mut wrong) = (Vec::new(), 0, 0);
    for client in clients {
        let (l, e, w) = client.await.unwrap();
        latencies.extend(l);
        errors += e;
        wrong += w;
    }
    latencies.sort();
    let p99 = latencies[latencies.len() * 99 / 100];
    println!(
        "{} searches during 3 full rebuilds: {errors} errors, {wrong} wrong, p99 {p99:?}",
        latencies.len()
    );
    assert_eq!((errors, wrong), (0, 0));
    assert!(latencies.len() >= 40, "only {} searches", latencies.len());
    server.abort();
}

/// The admin token of the `serve` processes of these tests.
const ADMIN_TOKEN: &str = "kill-nine-test-token-0123";

/// A `spo-search serve` process and the address it listens on.
fn spawn_serve(corpus: &Path, index: &Path) -> (Child, SocketAddr) {
    spawn_serve_with(corpus, index, &[])
}

/// A `spo-search serve` process with these extra environment variables.
pub fn spawn_serve_with(corpus: &Path, index: &Path, env: &[(&str, &str)]) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_spo-search"))
        .args(["serve", "--addr", "127.0.0.1:0", "--rate-limit", "0"])
        .arg("--corpus")
        .arg(corpus)
        .arg("--index")
        .arg(index)
        .env("SPO_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("SPO_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let stdout = child.stdout.take().unwrap();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let address = line
        .trim()
        .rsplit("http://")
        .next()
        .and_then(|a| a.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    (child, address)
}

/// An admin call over HTTP, its body read as JSON.
async fn admin_call(address: SocketAddr, method: &str, path: &str) -> (u16, Value) {
    let authorization = format!("Authorization: Bearer {ADMIN_TOKEN}\r\n");
    let (status, body) = http_request(address, method, path, &authorization).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// A full rebuild through the admin API, waited for: `wait=true` answers with the outcome,
/// or with 202 when the run outlasts the admin timeout (a slow machine), in which case the
/// report is followed until the run has ended. Returns the run's outcome.
async fn rebuild_and_wait(address: SocketAddr) -> Value {
    let path = "/api/v1/admin/reindex?wait=true&rebuild=true";
    let (status, outcome) = admin_call(address, "POST", path).await;
    if status == 200 {
        return outcome;
    }
    assert_eq!(status, 202, "{outcome}");
    let ticket = outcome["reindex_ticket"].as_u64().unwrap();
    loop {
        let (_, report) = admin_call(address, "GET", "/api/v1/admin/report").await;
        if report["last"]["ticket"].as_u64() >= Some(ticket) {
            return report["last"].clone();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits for `/health` to answer ready; returns the document count.
pub async fn ready_documents(address: SocketAddr) -> u64 {
    for _ in 0..600 {
        let (status, body) = http_get(address, "/health").await;
        if status == 200 {
            let body: Value = serde_json::from_str(&body).unwrap();
            return body["documents"].as_u64().unwrap();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the service never became ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_reindex_loses_nothing_committed() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = live_corpus(dir.path());
    let index = dir.path().join("index");
    index_into(&corpus, &index);
    let (mut child, address) = spawn_serve(&corpus, &index);
    let documents = ready_documents(address).await;
    let expected = first_hit(address, "rupture%20conventionnelle")
        .await
        .unwrap();

    // Kill the server while a full rebuild is running (retrying if a run ends too soon).
    let mut killed_while_running = false;
    for _ in 0..5 {
        let (status, _) = admin_call(address, "POST", "/api/v1/admin/reindex?rebuild=true").await;
        assert_eq!(status, 202);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let (_, report) = admin_call(address, "GET", "/api/v1/admin/report").await;
            if report["running"] == true {
                tokio::time::sleep(Duration::from_millis(50)).await;
                killed_while_running = true;
                break;
            }
            if report["last"]["report"].is_object() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if killed_while_running {
            break;
        }
    }
    assert!(killed_while_running, "no run was seen in progress");
    child.kill().unwrap();
    child.wait().unwrap();

    let (mut child, address) = spawn_serve(&corpus, &index);
    assert_eq!(
        ready_documents(address).await,
        documents,
        "the last commit is whole"
    );
    assert_eq!(
        first_hit(address, "rupture%20conventionnelle")
            .await
            .unwrap(),
        expected
    );
    let outcome = rebuild_and_wait(address).await;
    assert_eq!(outcome["report"]["failed"], 0, "{outcome}");
    assert_eq!(outcome["report"]["documents"].as_u64(), Some(documents));
    child.kill().unwrap();
    child.wait().unwrap();
}

/// The reasons given for the failures of the committed index, by path.
async fn failure_reasons(address: SocketAddr) -> Vec<(String, String)> {
    let (status, body) = admin_call(address, "GET", "/api/v1/admin/failures").await;
    assert_eq!(status, 200, "{body}");
    let failures = body["failures"].as_array().cloned().unwrap_or_default();
    failures
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_string(),
                f["reason"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_and_its_reindexer_honour_spo_max_file_mb() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, index) = (dir.path().join("corpus"), dir.path().join("index"));
    let over_a_mebibyte = "ébéniste marqueteur ".repeat(60_000);
    write_files(
        &corpus,
        &[
            ("guides/luthier.md", b"# Luthier\n\nFabrique des violons."),
            ("guides/gros.txt", over_a_mebibyte.as_bytes()),
        ],
    );
    let (mut child, address) = spawn_serve_with(&corpus, &index, &[("SPO_MAX_FILE_MB", "1")]);
    assert_eq!(
        ready_documents(address).await,
        1,
        "the file over 1 MiB is not indexed"
    );
    let limit = "over the limit of 1048576";
    let failures = failure_reasons(address).await;
    assert!(
        failures
            .iter()
            .any(|(path, reason)| path == "guides/gros.txt" && reason.contains(limit)),
        "{failures:?}"
    );
    write_files(&corpus, &[("guides/autre.txt", over_a_mebibyte.as_bytes())]);
    let (status, outcome) = admin_call(address, "POST", "/api/v1/admin/reindex?wait=true").await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["report"]["documents"], 1, "{outcome}");
    let failures = failure_reasons(address).await;
    assert!(
        failures
            .iter()
            .any(|(path, reason)| path == "guides/autre.txt" && reason.contains(limit)),
        "the re-indexer honours the limit too: {failures:?}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Regression (issue 11, item 6): random bytes in a `.store` file left `/health` ready while
/// searches answered 500, and `search` advised building the index. Both now say the index
/// is damaged, and what to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_index_is_reported_by_health_and_search() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, index) = (dir.path().join("corpus"), dir.path().join("index"));
    write_files(
        &corpus,
        &[
            ("guides/luthier.md", b"# Luthier\n\nFabrique des violons."),
            ("guides/ebeniste.md", b"# Ebeniste\n\nFabrique des meubles."),
        ],
    );
    index_into(&corpus, &index);
    let store = std::fs::read_dir(&index)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|e| e == "store"))
        .unwrap();
    let mut bytes = std::fs::read(&store).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..middle + 4].copy_from_slice(b"\xde\xad\xbe\xef");
    std::fs::write(&store, bytes).unwrap();

    let (mut child, address) = spawn_serve(&corpus, &index);
    let mut health = String::new();
    for _ in 0..600 {
        let (status, body) = http_get(address, "/health").await;
        health = body;
        if status == 503 && health.contains("index_damaged") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(health.contains("\"code\":\"index_damaged\""), "{health}");
    assert!(health.contains("index --rebuild"), "{health}");
    child.kill().unwrap();
    child.wait().unwrap();

    let search = Command::new(env!("CARGO_BIN_EXE_spo-search"))
        .args(["search", "luthier", "--index"])
        .arg(&index)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&search.stderr);
    assert!(!search.status.success());
    assert!(
        said.contains("is damaged") && said.contains("restore a snapshot"),
        "{said}"
    );
}
