//! The semantic layer: document vectors made at indexing time and kept until their text
//! changes, the fusion and its dense-only answer, and the lexical fallback without a table.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use spo_search::index::{self, report::IndexReport, IndexOptions};
use spo_search::search::{Engine, SearchRequest};
use spo_search::semantic::{Model, DEFAULT_TABLE};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use crate::support::{bundled_index, top_ids, write_files};

const SOURCE_TOML: &str = "[metadata]\nnetwork = \"cio\"\nkind = \"guide\"\n";

fn table_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_TABLE)
}

fn model() -> Arc<Model> {
    Arc::new(Model::load(&table_path()).expect("the committed table"))
}

fn index_with(corpus: &Path, index_dir: &Path, semantic: Option<Arc<Model>>) -> IndexReport {
    let mut options = IndexOptions::new(corpus, index_dir);
    options.semantic = semantic;
    index::run(&options, &mut |_, _| {}).expect("indexing run")
}

/// The stored vector of the document `id` (`None` without one).
fn stored_vector(index_dir: &Path, id: &str) -> Option<Vec<u8>> {
    let engine = Engine::open(index_dir).expect("open");
    let searcher = engine.searcher();
    let query = TermQuery::new(
        Term::from_field_text(engine.fields().id, id),
        IndexRecordOption::Basic,
    );
    let found = searcher
        .search(&query, &TopDocs::with_limit(1).order_by_score())
        .expect("search");
    let (_, address) = found.first()?;
    let segment = searcher.segment_reader(address.segment_ord);
    let column = segment.fast_fields().bytes("semantic").ok().flatten()?;
    let ord = column.term_ords(address.doc_id).next()?;
    let mut bytes = Vec::new();
    column.ord_to_bytes(ord, &mut bytes).expect("read");
    Some(bytes)
}

fn two_guides(corpus: &Path) {
    write_files(
        corpus,
        &[
            ("guides/source.toml", SOURCE_TOML.as_bytes()),
            (
                "guides/boulanger.md",
                b"# Boulanger\n\nLe boulanger fait le pain et les viennoiseries.",
            ),
            (
                "guides/soudeur.md",
                b"# Soudeur\n\nLe soudeur assemble des pieces de metal.",
            ),
        ],
    );
}

#[test]
fn a_document_vector_is_recomputed_only_when_its_text_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    two_guides(&corpus);
    let model = model();
    let first = index_with(&corpus, &index_dir, Some(model.clone()));
    assert_eq!(first.vectors_computed, 2, "{first}");
    let boulanger = stored_vector(&index_dir, "guides/boulanger.md").expect("a vector");
    let soudeur = stored_vector(&index_dir, "guides/soudeur.md").expect("a vector");
    assert_eq!(boulanger.len(), model.dims() + 4);
    assert_eq!(boulanger, model.document_vector("Boulanger", None));

    let unchanged = index_with(&corpus, &index_dir, Some(model.clone()));
    assert_eq!(
        (unchanged.vectors_computed, unchanged.units_extracted),
        (0, 0)
    );

    write_files(
        &corpus,
        &[(
            "guides/soudeur.md",
            b"# Chaudronnier\n\nIl forme des toles.",
        )],
    );
    let changed = index_with(&corpus, &index_dir, Some(model.clone()));
    assert_eq!(changed.vectors_computed, 1, "{changed}");
    assert_eq!(
        stored_vector(&index_dir, "guides/boulanger.md"),
        Some(boulanger)
    );
    let new = stored_vector(&index_dir, "guides/soudeur.md").expect("a vector");
    assert_ne!(new, soudeur);
    assert_eq!(new, model.document_vector("Chaudronnier", None));

    let without = index_with(&corpus, &index_dir, None);
    assert_eq!(
        (without.units_extracted, without.vectors_computed),
        (2, 0),
        "vectors of another table (here none) are all dropped: {without}"
    );
    assert_eq!(stored_vector(&index_dir, "guides/boulanger.md"), None);
    let again = index_with(&corpus, &index_dir, Some(model));
    assert_eq!(again.vectors_computed, 2);
}

#[test]
fn the_nearest_documents_answer_when_no_word_matches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    two_guides(&corpus);
    let model = model();
    index_with(&corpus, &index_dir, Some(model.clone()));
    let lexical = Engine::open(&index_dir).expect("open");
    let query = "patisserie croissants";
    assert!(top_ids(&lexical, query, 5).is_empty());
    let semantic = Engine::open(&index_dir)
        .expect("open")
        .with_semantic(Some(model.clone()));
    let request = SearchRequest {
        query: query.into(),
        limit: 5,
        ..SearchRequest::default()
    };
    let response = semantic.search(&request).expect("search");
    let ids: Vec<&str> = response.hits.iter().map(|h| h.id.as_str()).collect();
    let vector = model.embed(query);
    let cosine = |title: &str, body: Option<&str>| {
        let stored = model.document_vector(title, body);
        spo_search::semantic::embed::dequantize(&stored, model.dims())
            .map_or(0.0, |doc| spo_search::semantic::cosine(&vector, &doc))
    };
    let mut expected = vec![
        (cosine("Boulanger", None), "guides/boulanger.md"),
        (cosine("Soudeur", None), "guides/soudeur.md"),
    ];
    expected.retain(|(c, _)| *c > 0.0);
    expected.sort_by(|a, b| b.0.total_cmp(&a.0));
    assert!(!expected.is_empty());
    assert_eq!(
        ids,
        expected.iter().map(|(_, id)| *id).collect::<Vec<_>>(),
        "by cosine"
    );
    assert_eq!(response.total, ids.len());
    let filtered = SearchRequest {
        query: format!("{query} kind:guide"),
        ..request
    };
    assert!(
        semantic.search(&filtered).expect("search").hits.is_empty(),
        "a filtered search stays lexical"
    );
}

/// `index` makes document vectors only when asked (`--semantic static`): by default it skips
/// their cost, and asking later indexes every unit again, with its vector.
#[test]
fn the_index_command_makes_vectors_only_when_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    two_guides(&corpus);
    let index = |extra: &[&str]| -> serde_json::Value {
        let output = Command::new(env!("CARGO_BIN_EXE_spo-search"))
            .args(["index", "--json", "--corpus"])
            .arg(&corpus)
            .arg("--index")
            .arg(&index_dir)
            .arg("--semantic-table")
            .arg(table_path())
            .args(extra)
            .output()
            .expect("run index");
        assert!(output.status.success(), "{output:?}");
        serde_json::from_slice(&output.stdout).expect("one JSON object")
    };
    let plain = index(&[]);
    assert_eq!(plain["vectors_computed"], 0, "{plain}");
    assert_eq!(stored_vector(&index_dir, "guides/boulanger.md"), None);

    let asked = index(&["--semantic", "static"]);
    assert_eq!(asked["units_extracted"], 2, "{asked}");
    assert_eq!(asked["vectors_computed"], 2, "{asked}");
    assert!(stored_vector(&index_dir, "guides/boulanger.md").is_some());
}

/// `spo-search eval --json` of `queries` on the bundled index, with `extra` arguments; it
/// must succeed.
fn eval_bundled(queries: &Path, extra: &[&str]) -> std::process::Output {
    let output = Command::new(env!("CARGO_BIN_EXE_spo-search"))
        .arg("eval")
        .arg("--queries")
        .arg(queries)
        .arg("--index")
        .arg(bundled_index())
        .arg("--json")
        .args(extra)
        .output()
        .expect("run eval");
    assert!(output.status.success(), "{output:?}");
    output
}

#[test]
fn without_its_table_or_weights_eval_says_so_once_and_ranks_lexically() {
    let dir = tempfile::tempdir().expect("tempdir");
    let queries = dir.path().join("queries.tsv");
    std::fs::write(
        &queries,
        "query_id\tquery\tdoc_id\tgrade\nq1\tboulanger\trome:D1102\t1\nq2\tsoudeur\trome:H2913\t1\n",
    )
    .expect("write");
    let eval = |extra: &[&str]| {
        let output = eval_bundled(&queries, extra);
        let report: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("one JSON object");
        (
            report["mrr@10"].clone(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (off, quiet) = eval(&["--semantic", "off"]);
    assert!(!quiet.contains("semantic"), "{quiet}");
    // The static table, and the transformer of `--semantic full`, each without its file.
    for (mode, flag, file) in [
        ("static", "--semantic-table", "absent.bin"),
        ("full", "--semantic-weights", "absent-e5.bin"),
    ] {
        let absent = dir.path().join(file);
        let (fallback, log) = eval(&["--semantic", mode, flag, absent.to_str().expect("utf-8")]);
        assert_eq!(fallback, off, "{mode}");
        assert_eq!(
            log.matches("semantic layer off, lexical results only")
                .count(),
            1,
            "{log}"
        );
        assert!(log.contains(file), "{log}");
    }
}

/// `eval --sweep`: one JSON line per value and half, each the figures `--weight` and `--half`
/// give for that value.
#[test]
fn eval_sweeps_a_weight_over_both_halves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let queries = dir.path().join("queries.tsv");
    std::fs::write(
        &queries,
        "query_id\tquery\tdoc_id\tgrade\nq1\tboulanger\trome:D1102\t1\n\
         q2\tsoudeur\trome:H2913\t1\nq3\tpatissier\trome:D1104\t1\nq4\tcoiffeur\trome:D1202\t1\n",
    )
    .expect("write");
    let eval =
        |extra: &[&str]| String::from_utf8(eval_bundled(&queries, extra).stdout).expect("utf-8");
    let lines: Vec<serde_json::Value> = eval(&["--sweep", "phrase_title=1,0"])
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect();
    let seen: Vec<(f64, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["value"].as_f64().expect("value"),
                l["half"].as_str().expect("half"),
            )
        })
        .collect();
    assert_eq!(seen, [(1.0, "A"), (1.0, "B"), (0.0, "A"), (0.0, "B")]);
    for (line, half) in lines.iter().zip(["a", "b", "a", "b"]) {
        let value = line["value"].to_string();
        let alone: serde_json::Value = serde_json::from_str(&eval(&[
            "--half",
            half,
            "--weight",
            &format!("phrase_title={value}"),
        ]))
        .expect("JSON");
        assert_eq!(line["report"]["mrr@10"], alone["mrr@10"], "{line}");
        assert_eq!(line["report"]["queries"], alone["queries"], "{line}");
    }
}

/// Issue 16: the fusion's lexical weight moves per query with the lexical evidence, here the
/// kind of the best lexical answer: weighted to 1, that query keeps its lexical order.
#[test]
fn the_lexical_weight_of_the_fusion_follows_the_best_lexical_answer() {
    use spo_search::search::rank::Ranking;
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    write_files(
        &corpus,
        &[
            ("guides/source.toml", SOURCE_TOML.as_bytes()),
            (
                "guides/notes.md",
                b"# Guide administratif\n\nCuisson, pain. Cuisson du pain: cuisson, pain.",
            ),
            ("guides/boulanger.md", b"# Boulanger\n\nLa cuisson du pain."),
            (
                "guides/soudeur.md",
                b"# Soudeur\n\nLa cuisson du pain, parfois.",
            ),
        ],
    );
    let model = model();
    index_with(&corpus, &index_dir, Some(model.clone()));
    let engine = |weights: &[(&str, f32)]| {
        let mut ranking = Ranking::default();
        for (name, value) in weights {
            ranking.set(name, *value).expect("weight");
        }
        Engine::open(&index_dir)
            .expect("open")
            .with_ranking(ranking)
            .with_semantic(Some(model.clone()))
    };
    let query = "cuisson pain";
    let lexical = top_ids(&engine(&[("semantic_lexical", 1.0)]), query, 5);
    let cosine_only = top_ids(&engine(&[("semantic_lexical", 0.0)]), query, 5);
    assert_eq!(lexical.len(), 3);
    assert_ne!(
        lexical, cosine_only,
        "the cosine alone orders them otherwise"
    );
    let gated = engine(&[
        ("semantic_lexical", 0.0),
        ("semantic_lexical_kind:guide", 1.0),
    ]);
    assert_eq!(top_ids(&gated, query, 5), lexical);
    let other_kind = engine(&[
        ("semantic_lexical", 0.0),
        ("semantic_lexical_kind:fiche-metier", 1.0),
    ]);
    assert_eq!(top_ids(&other_kind, query, 5), cosine_only);
}
