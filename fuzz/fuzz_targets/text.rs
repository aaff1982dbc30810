//! Fuzzes the plain text extractor (encoding detection, paragraph layout).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = spo_extract::text::extract_plain(data);
});
