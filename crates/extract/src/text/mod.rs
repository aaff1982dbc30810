//! Plain text and Markdown extractors, and the text helpers the other extractors share.
//!
//! Helpers: `decode_text` (bytes of unknown encoding to a `String`), `layout::TextLayout`
//! (collapsed whitespace, line and paragraph breaks) and `require_text` (a document with no
//! text at all is an error, not an empty document).

pub(crate) mod layout;
mod markdown;

pub use markdown::extract_markdown;

use super::{ExtractError, Extracted};
use layout::TextLayout;

/// A first line longer than this (in characters) is a paragraph, not a title.
const MAX_TITLE_CHARS: usize = 150;

/// How much of the start of a text file is checked for NUL bytes (the mark of binary data).
const BINARY_SNIFF_BYTES: usize = 8192;

/// Extracts a plain text file: the title is its first non-empty line if short, the body its
/// text with whitespace collapsed inside lines and blank-line runs reduced to one.
pub fn extract_plain(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let body = lay_out_plain_text(&decode_text_file(bytes, "text")?);
    let title = body
        .lines()
        .next()
        .filter(|line| line.chars().count() < MAX_TITLE_CHARS)
        .map(str::to_owned);
    require_text(
        "text",
        Extracted {
            title,
            body,
            ..Extracted::default()
        },
    )
}

/// Lays out plain text: whitespace collapsed inside lines, lines kept, runs of blank lines
/// reduced to one paragraph break.
pub(crate) fn lay_out_plain_text(text: &str) -> String {
    let mut layout = TextLayout::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            layout.paragraph_break();
        } else {
            layout.push_text(line);
            layout.line_break();
        }
    }
    layout.finish()
}

/// Decodes text of unknown encoding. A byte order mark decides (UTF-8 or UTF-16, the mark
/// is removed); otherwise valid UTF-8 is UTF-8. Invalid UTF-8 is read as Windows-1252 (the
/// superset of Latin-1 that French legacy files use), unless it is mostly UTF-8 with a few
/// broken bytes, which are then replaced by U+FFFD.
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(bytes) {
        let content = bytes.get(bom_length..).unwrap_or_default();
        return encoding.decode_without_bom_handling(content).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) if is_mostly_utf8(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// Whether well-formed multi-byte UTF-8 sequences outnumber the invalid ones.
fn is_mostly_utf8(bytes: &[u8]) -> bool {
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| c.len_utf8() > 1).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    multibyte > invalid
}

/// Decodes a text file, refusing binary data (a NUL byte near the start).
fn decode_text_file(bytes: &[u8], format: &'static str) -> Result<String, ExtractError> {
    let start = bytes.get(..BINARY_SNIFF_BYTES).unwrap_or(bytes);
    // UTF-16 text is full of NUL bytes but announces itself with a byte order mark.
    if encoding_rs::Encoding::for_bom(bytes).is_none() && start.contains(&0) {
        return Err(ExtractError::malformed(format, "binary data, not text"));
    }
    Ok(decode_text(bytes))
}

/// The non-empty items, first occurrences only, in their order (keyword lists).
pub(crate) fn unique_non_empty(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .filter(|item| !item.is_empty() && seen.insert(item.clone()))
        .collect()
}

/// Refuses a document with neither a title nor body text: there is nothing to index.
pub(crate) fn require_text(
    format: &'static str,
    extracted: Extracted,
) -> Result<Extracted, ExtractError> {
    let has_title = extracted
        .title
        .as_deref()
        .is_some_and(|title| !title.trim().is_empty());
    if has_title || !extracted.body.trim().is_empty() {
        Ok(extracted)
    } else {
        Err(ExtractError::malformed(format, "no text found"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_title_is_the_first_short_line() {
        let doc =
            extract_plain(b"\n\n  Guide   du CEP \r\nLigne deux\r\n\r\n\r\n\r\nFin.\n").unwrap();
        assert_eq!(doc.title.as_deref(), Some("Guide du CEP"));
        assert_eq!(doc.body, "Guide du CEP\nLigne deux\n\nFin.");
        let long_first_line = "mot ".repeat(40);
        let doc = extract_plain(long_first_line.as_bytes()).unwrap();
        assert_eq!(doc.title, None);
        assert_eq!(doc.body, long_first_line.trim());
    }

    #[test]
    fn plain_text_from_the_markdown_corpus_file() {
        let bytes = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../corpus/spo/accord-cadre-spo-paca.md"
        ));
        let doc = extract_plain(bytes).unwrap();
        assert_eq!(
            doc.title.as_deref(),
            Some("# PROJET D'ACCORD CADRE DANS LE CADRE DE LA LABELLISATION SPO")
        );
        assert!(doc.body.contains("\n\n## Préambule\n\n"));
    }

    #[test]
    fn legacy_encodings_are_decoded() {
        // Windows-1252: "Été – 1er œuvre" with an en dash and an oe ligature.
        let cp1252 = b"\xc9t\xe9 \x96 1er \x9cuvre";
        assert_eq!(decode_text(cp1252), "Été – 1er œuvre");
        assert_eq!(decode_text("\u{feff}Élève".as_bytes()), "Élève");
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("Métier".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode_text(&utf16), "Métier");
        assert_eq!(extract_plain(&utf16).unwrap().body, "Métier");
        // Mostly UTF-8 with one broken byte: only that byte is lost.
        assert_eq!(
            decode_text(b"\xc3\xa9t\xc3\xa9 \xff \xc3\xa0"),
            "été \u{fffd} à"
        );
    }

    #[test]
    fn hostile_text_is_refused_or_survives() {
        assert_eq!(
            extract_plain(b""),
            Err(ExtractError::malformed("text", "no text found"))
        );
        assert_eq!(
            extract_plain(b" \n\t\r\n "),
            Err(ExtractError::malformed("text", "no text found"))
        );
        assert_eq!(
            extract_plain(b"%PDF-1.7\n\x00\x01\x02"),
            Err(ExtractError::malformed("text", "binary data, not text"))
        );
        let one_huge_line = "a".repeat(5_000_000);
        let doc = extract_plain(one_huge_line.as_bytes()).unwrap();
        assert_eq!(doc.title, None);
        assert_eq!(doc.body.len(), 5_000_000);
    }

    #[test]
    fn unique_items_keep_their_first_place() {
        let items = ["b", "", "a", "b", "c", "a"].map(str::to_owned);
        assert_eq!(unique_non_empty(items), ["b", "a", "c"]);
    }
}
