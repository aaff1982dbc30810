//! Fuzzes the PDF extractor: any bytes give a document or an `ExtractError`, never a panic,
//! a hang or an unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = spo_extract::pdf::extract(data);
});
