//! A stored document read in place: the values of its doc-store record located by byte
//! range, so that showing a hit copies and checks only the fields it shows, and only the part
//! of a long body that its snippets need.
//!
//! The record is tantivy's binary document encoding: a VInt count of values, then each value
//! as a little-endian `u32` field id, a one-byte type code and the payload. This schema stores
//! three kinds of values: text (VInt length, UTF-8), bytes (VInt length, bytes) and u64
//! (8 bytes, little-endian). A test reads every document of an index both ways, so that a
//! change of the encoding in tantivy fails it.

use std::ops::Range;

use tantivy::directory::OwnedBytes;
use tantivy::schema::Field;

/// tantivy's type codes for the kinds of values this schema stores.
const TEXT_CODE: u8 = 0;
const U64_CODE: u8 = 1;
const BYTES_CODE: u8 = 4;

/// A stored record that cannot be read: the index is damaged or was written by another schema.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoredError {
    #[error("a stored document is truncated or malformed")]
    Malformed,
    #[error("a stored document holds a value of type {0}, which this schema never stores")]
    UnexpectedType(u8),
    #[error("a stored text is not UTF-8")]
    NotUtf8,
    #[error("the document store of a segment could not be opened")]
    StoreUnavailable,
}

#[derive(Debug)]
enum Value {
    Text(Range<usize>),
    Bytes(Range<usize>),
    U64(u64),
}

/// One stored document, its values located but not decoded.
pub struct StoredDoc {
    bytes: OwnedBytes,
    values: Vec<(u32, Value)>,
}

impl StoredDoc {
    /// Locates the values of one doc-store record.
    pub fn parse(bytes: OwnedBytes) -> Result<StoredDoc, StoredError> {
        let mut reader = Reader {
            bytes: bytes.as_slice(),
            at: 0,
        };
        let count = reader.vint()?;
        let mut values = Vec::with_capacity(count.min(256) as usize);
        for _ in 0..count {
            let field = u32::from_le_bytes(reader.array()?);
            let value = match reader.byte()? {
                TEXT_CODE => Value::Text(reader.prefixed()?),
                BYTES_CODE => Value::Bytes(reader.prefixed()?),
                U64_CODE => Value::U64(u64::from_le_bytes(reader.array()?)),
                other => return Err(StoredError::UnexpectedType(other)),
            };
            values.push((field, value));
        }
        Ok(StoredDoc { bytes, values })
    }

    /// The first text of `field`, as raw bytes (not checked as UTF-8).
    pub fn raw_text(&self, field: Field) -> Option<&[u8]> {
        self.values.iter().find_map(|(id, value)| match value {
            Value::Text(range) if *id == field.field_id() => Some(&self.bytes[range.clone()]),
            _ => None,
        })
    }

    /// The first text of `field`.
    pub fn text(&self, field: Field) -> Result<Option<&str>, StoredError> {
        self.raw_text(field).map(checked).transpose()
    }

    /// Every text of `field`, in stored order.
    pub fn texts(&self, field: Field) -> Result<Vec<&str>, StoredError> {
        self.values
            .iter()
            .filter_map(|(id, value)| match value {
                Value::Text(range) if *id == field.field_id() => {
                    Some(checked(&self.bytes[range.clone()]))
                }
                _ => None,
            })
            .collect()
    }

    /// The first bytes value of `field`.
    pub fn bytes(&self, field: Field) -> Option<&[u8]> {
        self.values.iter().find_map(|(id, value)| match value {
            Value::Bytes(range) if *id == field.field_id() => Some(&self.bytes[range.clone()]),
            _ => None,
        })
    }

    /// Every u64 of `field`, in stored order.
    pub fn u64s(&self, field: Field) -> Vec<u64> {
        self.values
            .iter()
            .filter_map(|(id, value)| match value {
                Value::U64(n) if *id == field.field_id() => Some(*n),
                _ => None,
            })
            .collect()
    }
}

fn checked(raw: &[u8]) -> Result<&str, StoredError> {
    std::str::from_utf8(raw).map_err(|_| StoredError::NotUtf8)
}

/// The longest prefix of `text[..end]` that ends on a character boundary, checked as UTF-8:
/// a long stored text is checked only as far as it is read.
pub fn utf8_prefix(text: &[u8], end: usize) -> Result<&str, StoredError> {
    let mut end = end.min(text.len());
    // A UTF-8 character is at most 4 bytes: at most 3 continuation bytes to step back over.
    while end < text.len() && end > 0 && (text[end] & 0xC0) == 0x80 {
        end -= 1;
    }
    checked(&text[..end])
}

/// A cursor over a record's bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, StoredError> {
        let byte = *self.bytes.get(self.at).ok_or(StoredError::Malformed)?;
        self.at += 1;
        Ok(byte)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], StoredError> {
        let end = self.at.checked_add(N).ok_or(StoredError::Malformed)?;
        let slice = self.bytes.get(self.at..end).ok_or(StoredError::Malformed)?;
        self.at = end;
        slice.try_into().map_err(|_| StoredError::Malformed)
    }

    /// tantivy's VInt: 7 bits per byte, low bits first, the last byte with its high bit set.
    fn vint(&mut self) -> Result<u64, StoredError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7F) << shift;
            if byte & 0x80 != 0 {
                return Ok(value);
            }
        }
        Err(StoredError::Malformed)
    }

    /// A length-prefixed payload.
    fn prefixed(&mut self) -> Result<Range<usize>, StoredError> {
        let len = usize::try_from(self.vint()?).map_err(|_| StoredError::Malformed)?;
        let end = self.at.checked_add(len).ok_or(StoredError::Malformed)?;
        if end > self.bytes.len() {
            return Err(StoredError::Malformed);
        }
        let range = self.at..end;
        self.at = end;
        Ok(range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::build_schema;
    use tantivy::schema::Value as _;
    use tantivy::{Index, TantivyDocument};

    /// A document with every kind of stored value, written and read back by tantivy.
    fn indexed() -> (tantivy::schema::Schema, TantivyDocument, OwnedBytes) {
        let schema = build_schema();
        let field = |name: &str| schema.get_field(name).unwrap();
        let mut doc = TantivyDocument::default();
        doc.add_text(field("id"), "fiche-1");
        doc.add_text(field("title"), "Boulanger / Boulangère");
        doc.add_text(field("alt_titles"), "Mitron");
        doc.add_text(field("alt_titles"), "Ouvrier boulanger");
        doc.add_text(
            field("body"),
            "Pétrir la pâte, « façonner » — cuire.".repeat(500),
        );
        doc.add_u64(field("page_starts"), 0);
        doc.add_u64(field("page_starts"), u64::MAX);
        doc.add_bytes(field("word_marks"), &[1u8, 0, 0, 0, 200, 1, 0, 0][..]);
        let index = Index::create_in_ram(schema.clone());
        crate::analysis::register(&index);
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.add_document(doc.clone()).unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let store = searcher.segment_reader(0).get_store_reader(1).unwrap();
        (schema, doc, store.get_document_bytes(0).unwrap())
    }

    #[test]
    fn reads_what_tantivy_wrote() {
        let (schema, doc, bytes) = indexed();
        let stored = StoredDoc::parse(bytes).unwrap();
        for (field, entry) in schema.fields() {
            if !entry.is_stored() {
                continue;
            }
            let texts: Vec<&str> = doc.get_all(field).filter_map(|v| v.as_str()).collect();
            assert_eq!(stored.texts(field).unwrap(), texts, "{}", entry.name());
            assert_eq!(stored.text(field).unwrap(), texts.first().copied());
            let numbers: Vec<u64> = doc.get_all(field).filter_map(|v| v.as_u64()).collect();
            assert_eq!(stored.u64s(field), numbers, "{}", entry.name());
            let bytes = doc.get_first(field).and_then(|v| v.as_bytes());
            assert_eq!(stored.bytes(field), bytes, "{}", entry.name());
        }
    }

    #[test]
    fn damaged_records_are_errors() {
        let (_, _, bytes) = indexed();
        let whole = bytes.as_slice().to_vec();
        for cut in [0, 1, 5, 7, whole.len() / 2, whole.len() - 1] {
            let truncated = OwnedBytes::new(whole[..cut].to_vec());
            assert_eq!(
                StoredDoc::parse(truncated).err(),
                Some(StoredError::Malformed),
                "cut at {cut}"
            );
        }
        // One value, field 0, of type "JSON object".
        let object = OwnedBytes::new(vec![0x81, 0, 0, 0, 0, 13]);
        assert_eq!(
            StoredDoc::parse(object).err(),
            Some(StoredError::UnexpectedType(13))
        );
        // One text of two bytes that are not UTF-8.
        let field = Field::from_field_id(3);
        let invalid = OwnedBytes::new(vec![0x81, 3, 0, 0, 0, TEXT_CODE, 0x82, 0xC3, 0x28]);
        let stored = StoredDoc::parse(invalid).unwrap();
        assert_eq!(stored.text(field), Err(StoredError::NotUtf8));
        assert!(stored.raw_text(field).is_some());
    }

    #[test]
    fn prefixes_end_on_character_boundaries() {
        let text = "aé€😀".as_bytes();
        let lengths: Vec<usize> = (0..=text.len() + 2)
            .map(|end| utf8_prefix(text, end).unwrap().len())
            .collect();
        assert_eq!(lengths, [0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 10, 10]);
        assert!(utf8_prefix(&[b'a', 0xFF, b'b'], 3).is_err());
    }
}
