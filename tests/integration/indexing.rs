//! Indexing: the bundled corpus, incremental runs, crashes and bad input.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use spo_search::index::{self, IndexOptions};
use spo_search::search::Engine;

use crate::support::{
    bundled_index, bundled_report, corpus, engine, index_into, top_ids, write_files,
};

const SOURCE_TOML: &str =
    "[metadata]\nnetwork = \"cio\"\nkind = \"guide\"\naudience = [\"jeunes\"]\n";

#[test]
fn bundled_corpus_indexes_every_document_without_failure() {
    let report = bundled_report();
    assert_eq!(report.failures, [], "{report}");
    assert_eq!(report.by_source.get("rome"), Some(&1584));
    assert_eq!(report.by_source.get("service-public"), Some(&1103));
    assert_eq!(report.by_source.get("travail-emploi"), Some(&269));
    assert_eq!(report.by_source.get("spo"), Some(&5));
    assert_eq!(report.by_source.get("rncp"), Some(&17369));
    assert_eq!(report.by_source.get("onisep"), Some(&(958 + 6086)));
    assert_eq!(report.by_source.get("lheo"), Some(&1));
    assert_eq!(
        report.documents,
        1584 + 1103 + 269 + 5 + 17369 + 958 + 6086 + 1
    );
    assert_eq!(report.by_language.get("fr"), Some(&report.documents));
    assert!(report.pdf_without_text.is_empty());
    // Written whole by several threads, each with its own segment: merged into one.
    assert_eq!(engine().searcher().segment_readers().len(), 1);
}

#[test]
fn unchanged_corpus_re_extracts_nothing_and_commits_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("index");
    copy_dir(bundled_index(), &copy);
    let again = index_into(&corpus(), &copy);
    assert_eq!(again.units_extracted, 0, "{again}");
    assert!(!again.committed);
    assert_eq!(again.documents, bundled_report().documents);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read index dir") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

#[test]
fn added_changed_and_removed_files_are_reflected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    write_files(
        &corpus,
        &[
            ("guides/source.toml", SOURCE_TOML.as_bytes()),
            (
                "guides/boulanger.md",
                b"# Devenir boulanger\n\nLe CAP boulanger se prepare en apprentissage.",
            ),
            (
                "guides/soudeur.txt",
                b"Soudeur\n\nLe soudeur assemble des pieces metalliques.",
            ),
        ],
    );
    let first = index_into(&corpus, &index_dir);
    assert_eq!(
        (first.documents, first.documents_added, first.failed),
        (2, 2, 0),
        "{first}"
    );

    write_files(
        &corpus,
        &[
            (
                "guides/soudeur.txt",
                b"Soudeuse\n\nLa soudeuse travaille en atelier de chaudronnerie.",
            ),
            (
                "guides/fleuriste.md",
                b"# Fleuriste\n\nComposer des bouquets.",
            ),
        ],
    );
    std::fs::remove_file(corpus.join("guides/boulanger.md")).expect("remove");
    let second = index_into(&corpus, &index_dir);
    assert_eq!(second.units_extracted, 2, "{second}");
    assert_eq!(second.units_unchanged, 0);
    assert_eq!(second.units_removed, 1);
    assert_eq!(second.documents, 2);

    let engine = Engine::open(&index_dir).expect("open");
    assert_eq!(top_ids(&engine, "boulanger", 5), Vec::<String>::new());
    assert_eq!(top_ids(&engine, "chaudronnerie", 5), ["guides/soudeur.txt"]);
    assert_eq!(top_ids(&engine, "bouquets", 5), ["guides/fleuriste.md"]);
    assert_eq!(
        top_ids(&engine, "metalliques", 5),
        Vec::<String>::new(),
        "old content is gone"
    );

    let third = index_into(&corpus, &index_dir);
    assert_eq!((third.units_extracted, third.units_unchanged), (0, 2));
}

#[test]
fn bad_files_are_reported_and_the_rest_is_indexed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    write_files(
        &corpus,
        &[
            ("docs/source.toml", SOURCE_TOML.as_bytes()),
            ("docs/ok.md", b"# Bon document\n\nDu texte lisible."),
            ("docs/broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog"),
            ("docs/garbage.docx", b"PK\x03\x04 not really a zip"),
            ("docs/tableur.xlsx", b"whatever"),
            (
                "export/source.toml",
                b"format = \"json\"\n[json]\nid = \"ref\"\ntitle = \"name\"\n",
            ),
            (
                "export/records.json",
                b"[{\"ref\": \"a\", \"name\": \"Premier\"}, {\"name\": \"sans id\"}]",
            ),
            ("export/broken.json", b"[{\"ref\": "),
        ],
    );
    let report = index_into(&corpus, &index_dir);
    let failed: Vec<&str> = report.failures.iter().map(|f| f.path.as_str()).collect();
    assert!(failed.contains(&"docs/broken.pdf"), "{report}");
    assert!(failed.contains(&"docs/garbage.docx"), "{report}");
    assert!(failed.contains(&"export/broken.json"), "{report}");
    assert!(
        failed.contains(&"export/records.json"),
        "the record without id: {report}"
    );
    assert!(report.failures.iter().all(|f| !f.reason.is_empty()));
    assert_eq!(report.skipped.len(), 1, "the xlsx is skipped with a reason");
    assert_eq!(report.documents, 2, "ok.md and the good record: {report}");
    assert!(report.committed);

    let engine = Engine::open(&index_dir).expect("open");
    assert_eq!(top_ids(&engine, "lisible", 5), ["docs/ok.md"]);
    assert_eq!(
        top_ids(&engine, "premier", 5),
        ["a"],
        "a JSON source without id_prefix uses the raw key"
    );
}

/// An id that one unit gives twice is one document, its last record, in a new index as in
/// one that had it already.
#[test]
fn an_id_given_twice_by_one_unit_is_its_last_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    let source = b"format = \"json\"\n[json]\nid = \"ref\"\ntitle = \"name\"\n";
    let records = |first: &str, second: &str| {
        format!("[{{\"ref\": \"a\", \"name\": \"{first}\"}}, {{\"ref\": \"a\", \"name\": \"{second}\"}}]")
    };
    let write = |first: &str, second: &str| {
        write_files(
            &corpus,
            &[
                ("export/source.toml", source.as_slice()),
                ("export/records.json", records(first, second).as_bytes()),
            ],
        );
    };
    write("Premier", "Second");
    index_into(&corpus, &index_dir);
    let engine = Engine::open(&index_dir).expect("open");
    assert_eq!(engine.searcher().num_docs(), 1);
    assert_eq!(top_ids(&engine, "second", 5), ["a"]);
    assert!(top_ids(&engine, "premier", 5).is_empty());
    write("Troisieme", "Quatrieme");
    index_into(&corpus, &index_dir);
    let engine = Engine::open(&index_dir).expect("open");
    assert_eq!(engine.searcher().num_docs(), 1);
    assert_eq!(top_ids(&engine, "quatrieme", 5), ["a"]);
    assert!(top_ids(&engine, "second troisieme", 5).is_empty());
}

/// Records that move to another file of the corpus between two runs (an export saved under
/// a new name, split or joined) keep their ids: the next run has them, whichever file it
/// reads first, and the deletes of the file they left do not take them away.
#[test]
fn records_that_move_to_another_file_stay_in_the_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    let source = b"format = \"json\"\n[json]\nid = \"ref\"\ntitle = \"name\"\n";
    let records = |names: &[(&str, &str)]| {
        let records: Vec<String> = names
            .iter()
            .map(|(id, name)| format!("{{\"ref\": \"{id}\", \"name\": \"{name}\"}}"))
            .collect();
        format!("[{}]", records.join(", "))
    };
    write_files(
        &corpus,
        &[
            ("export/source.toml", source.as_slice()),
            (
                "export/b-2024.json",
                records(&[("luthier", "Luthier"), ("ebeniste", "Ebeniste")]).as_bytes(),
            ),
        ],
    );
    index_into(&corpus, &index_dir);
    // The 2024 file is removed, its records saved under a name read before and after it,
    // one of them changed.
    std::fs::remove_file(corpus.join("export/b-2024.json")).expect("remove");
    write_files(
        &corpus,
        &[
            (
                "export/a-2025.json",
                records(&[("luthier", "Luthier guitares")]).as_bytes(),
            ),
            (
                "export/c-2025.json",
                records(&[("ebeniste", "Ebeniste")]).as_bytes(),
            ),
        ],
    );
    let report = index_into(&corpus, &index_dir);
    assert_eq!((report.documents, report.failed), (2, 0), "{report}");
    let engine = Engine::open(&index_dir).expect("open");
    assert_eq!(engine.searcher().num_docs(), 2);
    assert_eq!(top_ids(&engine, "guitares", 5), ["luthier"]);
    assert_eq!(top_ids(&engine, "ebeniste", 5), ["ebeniste"]);
}

/// A record of an export is in the language its source declares (no detection); a file in
/// a source that declares French is detected, and its text wins.
#[test]
fn exports_keep_their_declared_language_and_files_are_detected() {
    let english = "The Debian Project is an association of individuals who have made common \
        cause to create a free operating system. This operating system is called Debian. An \
        operating system is the set of basic programs and utilities that make your computer run.";
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    let record = format!("[{{\"ref\": \"a\", \"name\": \"Debian\", \"text\": \"{english}\"}}]");
    let file = format!("# Debian\n\n{english}");
    write_files(
        &corpus,
        &[
            (
                "docs/source.toml",
                b"[metadata]\nlanguage = \"fr\"\n".as_slice(),
            ),
            ("docs/debian.md", file.as_bytes()),
            (
                "export/source.toml",
                b"format = \"json\"\n[metadata]\nlanguage = \"fr\"\n\
                  [json]\nid = \"ref\"\ntitle = \"name\"\nbody = [\"text\"]\n",
            ),
            ("export/records.json", record.as_bytes()),
        ],
    );
    let report = index_into(&corpus, &index_dir);
    assert_eq!(report.failed, 0, "{report}");
    assert_eq!(report.by_language.get("fr"), Some(&1), "{report}");
    assert_eq!(report.by_language.get("en"), Some(&1), "{report}");
    let engine = Engine::open(&index_dir).expect("open");
    assert_eq!(top_ids(&engine, "debian langue:fr", 5), ["a"]);
    assert_eq!(top_ids(&engine, "debian langue:en", 5), ["docs/debian.md"]);
}

#[test]
fn files_over_the_size_limit_are_refused_with_their_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    let big = "mot ".repeat(300_000);
    write_files(
        &corpus,
        &[
            ("docs/source.toml", SOURCE_TOML.as_bytes()),
            ("docs/big.txt", big.as_bytes()),
        ],
    );
    let mut options = crate::support::options(&corpus, &index_dir);
    options.limits.max_file_bytes = 1024 * 1024;
    let report = index::run(&options, &mut |_, _| {}).expect("run");
    assert_eq!(report.failed, 1);
    assert!(
        report.failures[0].reason.contains("over the limit"),
        "{report}"
    );
}

#[test]
fn missing_corpus_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let error = index::run(
        &IndexOptions::new(dir.path().join("nope"), dir.path().join("index")),
        &mut |_, _| {},
    )
    .expect_err("missing corpus");
    assert!(error.to_string().contains("does not exist"), "{error}");
}

#[test]
fn cli_reports_json_and_fails_on_failed_documents() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    write_files(
        &corpus,
        &[
            ("docs/source.toml", SOURCE_TOML.as_bytes()),
            ("docs/ok.txt", b"Bonjour"),
            ("docs/bad.pdf", b"nope"),
        ],
    );
    let output = Command::new(env!("CARGO_BIN_EXE_spo-search"))
        .args(["index", "--json", "--corpus"])
        .arg(&corpus)
        .arg("--index")
        .arg(&index_dir)
        .output()
        .expect("run binary");
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON object on stdout");
    assert_eq!(report["documents"], 1);
    assert_eq!(report["failed"], 1);
    assert_eq!(report["failures"][0]["path"], "docs/bad.pdf");
}

/// A server sees a commit made by another process (`spo-search index` beside `serve`)
/// without being told: its engine watches the commit.
#[test]
fn an_open_engine_picks_up_another_writers_commit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    write_files(
        &corpus,
        &[
            ("docs/source.toml", SOURCE_TOML.as_bytes()),
            ("docs/a.txt", b"Le boulanger fait le pain."),
        ],
    );
    index_into(&corpus, &index_dir);
    let engine = Engine::open(&index_dir).expect("open");
    assert_eq!(engine.searcher().num_docs(), 1);

    write_files(&corpus, &[("docs/b.txt", b"Le soudeur assemble le metal.")]);
    index_into(&corpus, &index_dir);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while engine.searcher().num_docs() != 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the new commit was never loaded"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// kill -9 at several moments of a run over the real corpus: the index always opens, and the
/// next run completes the work.
#[test]
fn a_killed_run_leaves_a_searchable_index_that_the_next_run_repairs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index_dir = dir.path().join("index");
    for delay_ms in [300, 1_500] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_spo-search"))
            .args(["index", "--corpus"])
            .arg(corpus())
            .arg("--index")
            .arg(&index_dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn indexer");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        if index_dir.join("meta.json").exists() {
            let engine = Engine::open(&index_dir).expect("index opens after kill -9");
            let _ = top_ids(&engine, "boulanger", 3);
        }
    }
    let repaired = index_into(&corpus(), &index_dir);
    assert_eq!(repaired.failed, 0, "{repaired}");
    assert_eq!(repaired.documents, bundled_report().documents);
    let engine = Engine::open(&index_dir).expect("open");
    assert_eq!(
        engine.searcher().num_docs() as usize,
        repaired.documents,
        "no duplicates left behind"
    );
}

#[test]
fn warnings_of_a_rome_release_reach_the_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rome");
    crate::admin::copy_dir(&fixture, &corpus.join("metiers"));
    write_files(
        &corpus,
        &[(
            "metiers/source.toml",
            b"format = \"rome\"\nid_prefix = \"rome:\"\n",
        )],
    );
    let report = index_into(&corpus, &index_dir);
    assert_eq!(report.failed, 0, "{report}");
    let warnings: Vec<(&str, &str)> = report
        .warnings
        .iter()
        .map(|warning| (warning.path.as_str(), warning.reason.as_str()))
        .collect();
    for expected in [
        "referentiel_code_rome: duplicate code_rome A1101 skipped",
        "texte: position_phrase \"deux\" is not a number",
        "cr_gd_dp: version 998 ignored, 999 kept",
    ] {
        assert!(warnings.contains(&("metiers", expected)), "{warnings:?}");
    }
    assert!(report
        .to_string()
        .contains("warning metiers: referentiel_code_rome: duplicate code_rome A1101 skipped"));
    let json = serde_json::to_value(&report).expect("the report is JSON");
    assert_eq!(
        json["warnings"].as_array().map(Vec::len),
        Some(warnings.len())
    );
}

/// Regression (issue 11, item 4): segment files that a stopped or killed run wrote stayed
/// until a later run committed; on a full disk no later run could. The next run removes
/// them first, even when it has nothing to commit.
#[test]
fn files_that_no_commit_references_are_removed_by_the_next_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    write_files(&corpus, &[("guides/luthier.md", b"# Luthier\n\nViolons.")]);
    index_into(&corpus, &index_dir);
    // A run stopped after writing a segment, before its commit.
    let index = tantivy::Index::open_in_dir(&index_dir).expect("open");
    spo_search::analysis::register(&index);
    let mut writer: tantivy::IndexWriter = index.writer(15_000_000).expect("writer");
    for _ in 0..100 {
        writer
            .add_document(tantivy::TantivyDocument::default())
            .expect("add");
    }
    drop(writer.prepare_commit().expect("segment written"));
    drop(writer);
    let left = index::stray_files(&index_dir).expect("list");
    assert!(!left.is_empty(), "the stopped run left its segment");

    let report = index_into(&corpus, &index_dir);
    assert!(!report.committed, "nothing changed: {report}");
    assert_eq!(
        index::stray_files(&index_dir).expect("list"),
        Vec::<String>::new()
    );
}
