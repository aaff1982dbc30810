//! A real `serve --follow` process, a read-only replica of a published folder: not ready
//! before a first generation, then reporting the generation it serves in `/health` and in a
//! header of every answer, swapping to each new one, refusing admin changes and the flags
//! that would make it write.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use spo_search::index::snapshot::publish::Publication;

use crate::support::{index_into, write_files};

/// The replica's answer: status, the `X-Index-Generation` header if any, and the body.
async fn get(address: SocketAddr, path: &str, headers: &str) -> (u16, Option<u64>, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let method = if path.contains("admin") {
        "POST"
    } else {
        "GET"
    };
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{headers}Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let generation = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("x-index-generation")
            .then(|| value.trim().parse().ok())
            .flatten()
    });
    (status, generation, body.to_string())
}

/// Polls `/health` until it names `generation` (at most a minute).
async fn wait_for_generation(address: SocketAddr, generation: u64) -> Value {
    for _ in 0..600 {
        let (status, _, body) = get(address, "/health", "").await;
        if status == 200 {
            let health: Value = serde_json::from_str(&body).expect("json");
            if health["generation"].as_u64() == Some(generation) {
                return health;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the replica never served generation {generation}");
}

fn spawn_replica(published: &Path, index: &Path) -> (Child, SocketAddr) {
    crate::live::spawn_serve_with(
        &index.with_extension("no-corpus"),
        index,
        &[
            ("SPO_FOLLOW", published.to_str().expect("utf-8 path")),
            ("SPO_POLL_SECS", "1"),
        ],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_serves_each_published_generation_and_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, index) = (dir.path().join("corpus"), dir.path().join("index"));
    let publication = Publication {
        dir: dir.path().join("published"),
        keep: 3,
    };
    let (mut replica, address) = spawn_replica(&publication.dir, &dir.path().join("replica"));

    // Nothing published: not ready, so a load balancer sends it nothing.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (status, generation, body) = get(address, "/health", "").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("not_ready"), "{body}");
    assert_eq!(generation, None);

    write_files(
        &corpus,
        &[("cio/luthier.md", b"# Luthier\n\nFabrique des violons.")],
    );
    index_into(&corpus, &index);
    let first = publication.publish(&index).unwrap().generation;
    let health = wait_for_generation(address, first).await;
    assert_eq!(health["documents"], 1);
    let (status, generation, body) = get(address, "/api/v1/search?q=luthier", "").await;
    assert_eq!((status, generation), (200, Some(first)), "{body}");
    let (status, generation, _) = get(address, "/nowhere", "").await;
    assert_eq!(
        (status, generation),
        (404, Some(first)),
        "errors say it too"
    );

    // Admin changes are refused, plainly, even with the right token.
    let token = "Authorization: Bearer kill-nine-test-token-0123\r\n";
    let (status, _, body) = get(address, "/api/v1/admin/reindex", token).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body.contains("read_only_replica") && body.contains("indexing node"),
        "{body}"
    );

    write_files(
        &corpus,
        &[("cio/potier.md", b"# Potier\n\nTourne des vases.")],
    );
    index_into(&corpus, &index);
    let second = publication.publish(&index).unwrap().generation;
    assert_eq!(second, first + 1);
    let health = wait_for_generation(address, second).await;
    assert_eq!(health["documents"], 2);
    let (status, generation, body) = get(address, "/api/v1/search?q=potier", "").await;
    assert_eq!((status, generation), (200, Some(second)));
    assert!(body.contains("potier"), "{body}");

    // Killed, then restarted while the indexing node's folder is away: it serves its copy.
    replica.kill().unwrap();
    replica.wait().unwrap();
    std::fs::rename(&publication.dir, dir.path().join("away")).unwrap();
    let (mut replica, address) = spawn_replica(&publication.dir, &dir.path().join("replica"));
    let health = wait_for_generation(address, second).await;
    assert_eq!(health["documents"], 2);
    replica.kill().unwrap();
    replica.wait().unwrap();
}

#[test]
fn a_replica_refuses_the_flags_that_would_make_it_write() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--watch", "--publish"] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_spo-search"));
        command
            .args(["serve", "--addr", "127.0.0.1:0", "--follow"])
            .arg(dir.path());
        command.arg(flag);
        if flag == "--publish" {
            command.arg(dir.path().join("out"));
        }
        let output = command.stderr(Stdio::piped()).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{flag} accepted");
        assert!(
            stderr.contains("cannot be used with") && stderr.contains("--follow"),
            "{flag}: {stderr}"
        );
    }
}

/// Issue 16: `--semantic static` applies to a replica too, with the vectors published.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_searches_with_its_semantic_table() {
    use spo_search::semantic::{Model, DEFAULT_TABLE};
    let dir = tempfile::tempdir().unwrap();
    let (corpus, index) = (dir.path().join("corpus"), dir.path().join("index"));
    let table = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_TABLE);
    write_files(
        &corpus,
        &[(
            "cio/luthier.md",
            b"# Luthier\n\nFabrique des violons et des guitares.",
        )],
    );
    let mut options = crate::support::options(&corpus, &index);
    options.semantic = Some(std::sync::Arc::new(Model::load(&table).unwrap()));
    spo_search::index::run(&options, &mut |_, _| {}).unwrap();
    let publication = Publication {
        dir: dir.path().join("published"),
        keep: 3,
    };
    let generation = publication.publish(&index).unwrap().generation;
    let replica_index = dir.path().join("replica");
    let (mut replica, address) = crate::live::spawn_serve_with(
        &replica_index.with_extension("no-corpus"),
        &replica_index,
        &[
            ("SPO_FOLLOW", publication.dir.to_str().expect("utf-8 path")),
            ("SPO_POLL_SECS", "1"),
            ("SPO_SEMANTIC", "static"),
            ("SPO_SEMANTIC_TABLE", table.to_str().expect("utf-8 path")),
        ],
    );
    wait_for_generation(address, generation).await;
    // No word of the query is in the corpus: the nearest document in meaning answers.
    let (status, _, body) = get(address, "/api/v1/search?q=musicien", "").await;
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(answer["total"], 1, "{body}");
    replica.kill().unwrap();
    replica.wait().unwrap();
}
