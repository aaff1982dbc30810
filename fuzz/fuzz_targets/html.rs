//! Fuzzes the HTML extractor (whole pages) and the HTML fragment reader used by JSON exports.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = spo_extract::html::extract(data);
    if let Ok(fragment) = std::str::from_utf8(data) {
        let _ = spo_extract::html::fragment_to_text(fragment);
    }
});
