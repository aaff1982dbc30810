//! Fuzzes the Markdown extractor (front matter, headings, inline markup).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = spo_extract::text::extract_markdown(data);
});
