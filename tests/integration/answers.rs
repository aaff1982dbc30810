//! What people get for what they type (issue 13): codes, nonsense, the command line's output
//! and the README's examples, on the bundled corpus.

use std::process::Command;

use spo_search::search::eval::{evaluate, parse_queries};
use spo_search::search::{SearchRequest, SearchResponse};

use crate::support::{bundled_index, engine};

fn search(query: &str) -> SearchResponse {
    let request = SearchRequest {
        query: query.into(),
        limit: 10,
        snippets: true,
        ..Default::default()
    };
    engine().search(&request).expect("search")
}

#[test]
fn a_code_finds_its_document_first_and_titles_show_their_code() {
    for (query, id, code) in [
        ("J1501", "rome:J1501", "J1501"),
        ("k2111", "rome:K2111", "K2111"),
        ("fiche d1102", "rome:D1102", "D1102"),
    ] {
        let response = search(query);
        let first = response.hits.first().expect("a hit");
        assert_eq!(first.id, id, "{query}");
        assert!(
            first.title.ends_with(&format!("({code})")),
            "{query}: {}",
            first.title
        );
    }
    let document = engine().document("rome:D1102").unwrap().unwrap();
    assert!(document.title.ends_with("(D1102)"), "{}", document.title);
    // Other documents have no code beside their title.
    let pratique = engine().document("sp:professionnels/F40").unwrap().unwrap();
    assert_eq!(pratique.title, "Fin d'un contrat à durée déterminée (CDD)");
}

#[test]
fn nonsense_does_not_find_noise() {
    // "quantique" is in one fiche (Astronome, "physique quantique"); "xylophoniste" in none.
    // Fragments of its family ("quantité") and fuzzy matches no longer pad the list.
    let response = search("xylophoniste quantique");
    assert_eq!(
        response
            .hits
            .iter()
            .map(|h| h.id.as_str())
            .collect::<Vec<_>>(),
        ["rome:K2409"]
    );
    assert!(response.hits[0]
        .snippets
        .iter()
        .any(|s| s.html.contains("<mark>")));
    assert_eq!(search("xylophoniste").total, 0);
    // A word that the corpus lacks may still be found by its family.
    assert!(search("brasseur").total > 0);
}

#[test]
fn the_command_line_prints_colour_only_to_a_terminal() {
    let output = Command::new(env!("CARGO_BIN_EXE_spo-search"))
        .args(["search", "boulanger", "--limit", "3", "--index"])
        .arg(bundled_index())
        .output()
        .expect("run search");
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert!(output.status.success(), "{text}");
    assert!(text.contains("Boulanger"), "{text}");
    assert!(!text.contains('\u{1b}'), "escape codes in a pipe: {text:?}");
}

#[test]
fn the_readme_example_of_a_judged_query_file_is_one_that_eval_reads() {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("query_id\tquery\tdoc_id\tgrade")
        .expect("the example");
    let example = &readme[start..start + readme[start..].find("```").expect("its end")];
    let queries = parse_queries(example).expect("the example parses");
    assert_eq!(queries.len(), 2);
    let report = evaluate(engine(), &queries, 10).expect("eval");
    assert_eq!(report.missing_doc_ids, 0, "its ids are ids of the index");
    assert!(report.mrr > 0.0, "{report:?}");
}
