//! What people get for what they type (issue 13): codes, nonsense, the command line's output
//! and the README's examples, on the bundled corpus.

use std::process::Command;

use spo_search::search::eval::{evaluate, parse_queries};

use crate::support::{bundled_index, engine};

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
