//! Small, bounded accessors over the lopdf object graph: every lookup follows references
//! through `Document::dereference` (which stops on long chains and cycles) and answers
//! `None` instead of an error when the object is missing or of the wrong kind.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

/// Follows `object` to what it refers to.
pub(super) fn resolve<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Object> {
    doc.dereference(object).ok().map(|(_, object)| object)
}

/// The resolved value of `key` in `dict`.
pub(super) fn lookup<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Object> {
    resolve(doc, dict.get(key).ok()?)
}

/// The dictionary at `key` (a stream's dictionary counts).
pub(super) fn lookup_dict<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Dictionary> {
    as_dict(lookup(doc, dict, key)?)
}

/// The stream at `key`.
pub(super) fn lookup_stream<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Stream> {
    lookup(doc, dict, key)?.as_stream().ok()
}

/// The array at `key`.
pub(super) fn lookup_array<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a [Object]> {
    lookup(doc, dict, key)?.as_array().ok().map(Vec::as_slice)
}

/// The name at `key`.
pub(super) fn lookup_name<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a [u8]> {
    lookup(doc, dict, key)?.as_name().ok()
}

/// The number (integer or real) at `key`.
pub(super) fn lookup_number(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<f64> {
    number(lookup(doc, dict, key)?)
}

/// An object as a dictionary (a stream's dictionary counts).
pub(super) fn as_dict(object: &Object) -> Option<&Dictionary> {
    match object {
        Object::Dictionary(dict) => Some(dict),
        Object::Stream(stream) => Some(&stream.dict),
        _ => None,
    }
}

/// An integer or real object as a finite number.
pub(super) fn number(object: &Object) -> Option<f64> {
    let value = match object {
        Object::Integer(value) => *value as f64,
        Object::Real(value) => f64::from(*value),
        _ => return None,
    };
    value.is_finite().then_some(value)
}

/// The id an object refers to, when it is a reference.
pub(super) fn reference_id(object: &Object) -> Option<ObjectId> {
    object.as_reference().ok()
}

/// Whether `haystack` contains `needle`.
pub(super) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// The decoded data of a stream, or `None` when it cannot be decoded within `limit` bytes.
pub(super) fn stream_data(stream: &Stream, limit: usize) -> Option<Vec<u8>> {
    stream.decompressed_content_with_limit(limit).ok()
}
