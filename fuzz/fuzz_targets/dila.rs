//! Fuzzes the DILA (service-public.fr) XML extractor.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = spo_extract::dila::extract(data);
});
