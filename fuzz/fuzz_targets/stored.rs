//! Fuzzes reading a stored record in place: any bytes are a record or an error, and every
//! read of a record (texts, bytes, numbers, checked prefixes) answers without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spo_search::tantivy_format::stored::{utf8_prefix, StoredDoc};
use tantivy::directory::OwnedBytes;
use tantivy::schema::Field;

fuzz_target!(|input: &[u8]| {
    let Ok(doc) = StoredDoc::parse(OwnedBytes::new(input.to_vec())) else {
        return;
    };
    for id in 0..8 {
        let field = Field::from_field_id(id);
        let _ = doc.text(field);
        let _ = doc.texts(field);
        let _ = doc.bytes(field);
        let _ = doc.u64s(field);
        if let Some(raw) = doc.raw_text(field) {
            for end in [0, 1, raw.len() / 2, raw.len(), raw.len() + 3] {
                if let Ok(prefix) = utf8_prefix(raw, end) {
                    assert!(prefix.len() <= end.min(raw.len()));
                }
            }
        }
    }
});
