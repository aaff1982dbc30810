//! Fuzzes the query parser: any text parses, within the documented clause cap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spo_search::search::query::{parse, MAX_CLAUSES};

fuzz_target!(|input: &str| {
    let parsed = parse(input);
    assert!(parsed.clauses.len() + parsed.filters.len() <= MAX_CLAUSES);
    let _ = parsed.has_text();
    let _ = parsed.understood();
});
