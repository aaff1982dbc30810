//! The dashboard's use counts: they survive restarts (SIGKILL included: at most the last
//! flush interval lost), rebuilds and restores of the index beside them, and never hold the
//! words searched nor an address; the searches without results, when kept, only once five
//! distinct clients typed them in a day.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use axum::Router;
use serde_json::Value;
use spo_search::indicators::store::{DAYS_FILE, TODAY_FILE};
use spo_search::indicators::{usage_dir_beside, IndicatorOptions};
use spo_search::server::{app, AppState};

use crate::api::contract::http_get;
use crate::api::{fixture_corpus, get_json, send};
use crate::indicators::{from, ready_state, rows};
use crate::live::{ready_documents, spawn_serve_with};
use crate::support::index_into;

/// Every file of the use counts' folder, with its text.
fn stored_files(dir: &Path) -> Vec<(String, String)> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let text =
                        String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned();
                    (e.file_name().to_string_lossy().into_owned(), text)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Today's count `name` for `entry` in `today.json` (0 before it exists).
fn stored_count(dir: &Path, entry: &str, name: &str) -> u64 {
    std::fs::read_to_string(dir.join(TODAY_FILE))
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|day| day[entry][name].as_u64())
        .unwrap_or(0)
}

/// Waits until today.json has `searches` API searches and `opened` documents opened on the
/// web (the flusher writes every second: a flush between the last search and the last
/// document opened writes all the searches and not every document, which a wait on the
/// searches alone took for everything: seen once, as (3, 1, 1) after the restart).
async fn wait_for_flush(dir: &Path, searches: u64, opened: u64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while stored_count(dir, "api", "searches") < searches
        || stored_count(dir, "web", "opened") < opened
    {
        assert!(Instant::now() < deadline, "the counts were never written");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Today's counts of the API over HTTP: (first pages with results, without, documents opened on the web).
async fn served_counts(address: SocketAddr) -> (u64, u64, u64) {
    let (status, body) = http_get(address, "/api/v1/indicators?table=entrees").await;
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    let rows = rows(&body, "entrees");
    let count = |row: usize, column: usize| rows[row][column].as_u64().unwrap();
    (count(1, 1), count(1, 2), count(0, 5))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn use_counts_survive_sigkill_and_sigterm_and_never_hold_the_words_searched() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    index_into(&fixture_corpus(), &index);
    let usage = usage_dir_beside(&index);
    let flush_every_second = [("SPO_USAGE_FLUSH_SECS", "1")];
    let (mut child, address) = spawn_serve_with(&fixture_corpus(), &index, &flush_every_second);
    ready_documents(address).await;
    for path in [
        "/api/v1/search?q=apprentissage",
        "/api/v1/search?q=permis%20de%20conduire",
        "/api/v1/search?q=orientation",
        "/api/v1/search?q=xyzzyqwerty",
        "/documents/guides/apprentissage.md",
        "/documents/fiches/permis-conduire.md",
    ] {
        assert_eq!(http_get(address, path).await.0, 200, "{path}");
    }
    wait_for_flush(&usage, 4, 2).await;
    child.kill().unwrap();
    child.wait().unwrap();

    let (mut child, address) = spawn_serve_with(&fixture_corpus(), &index, &flush_every_second);
    ready_documents(address).await;
    assert_eq!(
        served_counts(address).await,
        (3, 1, 2),
        "everything written before SIGKILL"
    );
    // Killed right after two more searches: at most the last second is lost.
    for _ in 0..2 {
        http_get(address, "/api/v1/search?q=apprentissage").await;
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let (mut child, address) = spawn_serve_with(&fixture_corpus(), &index, &flush_every_second);
    ready_documents(address).await;
    let (found, none, opened) = served_counts(address).await;
    assert!(
        (3..=5).contains(&found) && (none, opened) == (1, 2),
        "{found} {none} {opened}"
    );
    // A graceful stop writes everything.
    for _ in 0..3 {
        http_get(address, "/api/v1/search?q=orientation").await;
    }
    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    assert!(child.wait().unwrap().success());
    let (mut child, address) = spawn_serve_with(&fixture_corpus(), &index, &flush_every_second);
    ready_documents(address).await;
    assert_eq!(served_counts(address).await, (found + 3, 1, 2));
    child.kill().unwrap();
    child.wait().unwrap();

    let files = stored_files(&usage);
    assert!(
        files.iter().any(|(name, _)| name == TODAY_FILE),
        "{files:?}"
    );
    for (name, text) in &files {
        for word in [
            "apprentissage",
            "permis",
            "conduire",
            "orientation",
            "xyzzyqwerty",
            "127.0.0.1",
        ] {
            assert!(!text.contains(word), "{name} holds {word:?}: {text}");
        }
    }
    let mut index_files = std::fs::read_dir(&index).unwrap().flatten();
    assert!(
        !index_files.any(|e| e.file_name() == DAYS_FILE || e.file_name() == TODAY_FILE),
        "the counts are beside the index, not in it"
    );
}

/// The fixture corpus indexed in a temporary folder and served in-process, its use counts
/// kept in `<index>.usage`.
struct Counted {
    _dir: tempfile::TempDir,
    index: PathBuf,
    usage: PathBuf,
    state: AppState,
    app: Router,
}

fn counted(zero_results: bool) -> Counted {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    index_into(&fixture_corpus(), &index);
    let usage = usage_dir_beside(&index);
    let indicators = IndicatorOptions {
        dir: Some(usage.clone()),
        zero_results,
        ..IndicatorOptions::default()
    };
    let state = ready_state(&fixture_corpus(), &index, indicators);
    Counted {
        _dir: dir,
        index,
        usage,
        app: app(state.clone()),
        state,
    }
}

#[tokio::test]
async fn searches_without_results_are_kept_only_once_five_distinct_clients_typed_them() {
    // The folder lives as long as `_dir`.
    let Counted {
        _dir,
        usage,
        state,
        app,
        ..
    } = counted(true);
    let search = |client: String, text: &str| {
        from(
            &client,
            &format!("/api/v1/search?q={}", text.replace(' ', "%20")),
        )
    };
    // Four clients, one of them many times, and the same text written four ways.
    for (n, text) in [
        "Luthier Marseille",
        "luthier  marseille",
        "LUTHIER MARSEILLE",
        "luthièr marseille",
    ]
    .iter()
    .enumerate()
    {
        for _ in 0..3 {
            send(&app, search(format!("192.0.2.{n}:5000"), text)).await;
        }
    }
    // Five clients; two of them on one IPv6 /64 count once, so six addresses are needed.
    for client in ["192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13"] {
        send(
            &app,
            search(format!("{client}:5000"), "Orthoptiste Vaucluse"),
        )
        .await;
    }
    send(
        &app,
        search("[2001:db8::1]:5000".into(), "orthoptiste vaucluse"),
    )
    .await;
    send(
        &app,
        search("[2001:db8::2]:5000".into(), "orthoptiste vaucluse"),
    )
    .await;
    // Five clients, but the text found something: never kept.
    for n in 20..26 {
        send(&app, search(format!("192.0.2.{n}:5000"), "apprentissage")).await;
    }
    state.indicators().flush().unwrap();
    let (_, body) = get_json(&app, "/api/v1/indicators?table=sans-resultat").await;
    assert_eq!(
        rows(&body, "sans-resultat"),
        [vec![
            Value::from("orthoptiste vaucluse"),
            1.into(),
            5.into()
        ]]
    );
    let files = stored_files(&usage);
    assert!(
        files
            .iter()
            .any(|(_, text)| text.contains("orthoptiste vaucluse")),
        "{files:?}"
    );
    for (name, text) in &files {
        for never in [
            "luthier",
            "marseille",
            "apprentissage",
            "192.0.2",
            "2001:db8",
        ] {
            assert!(
                !text.to_lowercase().contains(never),
                "{name} holds {never:?}: {text}"
            );
        }
    }
    // A fifth client for the first text: kept from then on.
    send(&app, search("192.0.2.99:5000".into(), "luthier marseille")).await;
    state.indicators().flush().unwrap();
    let stored = std::fs::read_to_string(usage.join(TODAY_FILE)).unwrap();
    assert!(stored.contains("\"luthier marseille\""), "{stored}");
}

#[tokio::test]
async fn the_option_is_off_by_default_and_no_text_is_kept() {
    let Counted {
        _dir,
        usage,
        state,
        app,
        ..
    } = counted(false);
    for n in 0..8 {
        send(
            &app,
            from(&format!("192.0.2.{n}:5000"), "/api/v1/search?q=orthoptiste"),
        )
        .await;
    }
    state.indicators().flush().unwrap();
    let (_, body) = get_json(&app, "/api/v1/indicators").await;
    assert!(!body.to_string().contains("sans-resultat"));
    for (name, text) in stored_files(&usage) {
        assert!(!text.contains("orthoptiste"), "{name}: {text}");
        assert!(text.contains("\"without_results\":8"), "{name}: {text}");
    }
}

#[tokio::test]
async fn counts_stay_beside_the_index_through_a_restore_and_a_rebuild_beside() {
    let Counted {
        _dir: dir,
        index,
        usage,
        state,
        app,
    } = counted(false);
    send(
        &app,
        from("192.0.2.1:5000", "/api/v1/search?q=apprentissage"),
    )
    .await;
    state.indicators().flush().unwrap();
    let before = stored_files(&usage);
    assert!(!before.is_empty());

    let snapshot = dir.path().join("snapshot");
    spo_search::index::snapshot::snapshot(&index, &snapshot).unwrap();
    spo_search::index::snapshot::restore(&snapshot, &index, Duration::from_secs(10)).unwrap();
    // An index of an older layout is rebuilt beside its folder and swapped in.
    std::fs::remove_dir_all(&index).unwrap();
    std::fs::create_dir_all(&index).unwrap();
    let mut builder = tantivy::schema::Schema::builder();
    builder.add_text_field("text", tantivy::schema::TEXT);
    let old = tantivy::Index::create_in_dir(&index, builder.build()).unwrap();
    let mut writer: tantivy::IndexWriter = old.writer(15_000_000).unwrap();
    let mut commit = writer.prepare_commit().unwrap();
    commit.set_payload(r#"{"schema_version":1,"units":{}}"#);
    commit.commit().unwrap();
    drop(writer);
    let report = spo_search::index::run(
        &crate::support::options(fixture_corpus(), &index),
        &mut |_, _| {},
    )
    .unwrap();
    assert!(report.documents > 0);
    assert_eq!(stored_files(&usage), before, "the counts were not touched");
    let mut index_files = std::fs::read_dir(&index).unwrap().flatten();
    assert!(!index_files.any(|e| e.file_name() == DAYS_FILE || e.file_name() == TODAY_FILE));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_counts_file_is_kept_aside_and_the_server_starts_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    index_into(&fixture_corpus(), &index);
    let usage = usage_dir_beside(&index);
    std::fs::create_dir_all(&usage).unwrap();
    std::fs::write(
        usage.join(DAYS_FILE),
        "{\"day\":\"2026-01-01\",\"web\":{\"searches\":\n\u{0}\u{0}garbage\n",
    )
    .unwrap();
    std::fs::write(usage.join(TODAY_FILE), b"\xff\xfe not json").unwrap();
    let (mut child, address) =
        spawn_serve_with(&fixture_corpus(), &index, &[("SPO_USAGE_FLUSH_SECS", "1")]);
    ready_documents(address).await;
    http_get(address, "/api/v1/search?q=apprentissage").await;
    wait_for_flush(&usage, 1, 0).await;
    assert_eq!(
        served_counts(address).await,
        (1, 0, 0),
        "counting started afresh"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let names: Vec<String> = stored_files(&usage)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    for kept in [DAYS_FILE, TODAY_FILE] {
        assert!(
            names
                .iter()
                .any(|name| name.starts_with(&format!("{kept}.damaged-"))),
            "{kept} kept aside: {names:?}"
        );
    }
}
