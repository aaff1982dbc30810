//! Fuzzes the ODT extractor: zip container, XML parts, zip-bomb guards.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = spo_extract::office::extract_odt(data);
});
