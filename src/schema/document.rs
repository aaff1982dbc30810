//! A [`Document`] as a tantivy document, and the stored values of a tantivy document read
//! back.

use tantivy::schema::Value;
use tantivy::TantivyDocument;

use super::{Fields, Part};
use crate::analysis;
use crate::model::link::{document_id, link_key, stored_reference};
use crate::model::{is_web_url, Document, Lang};
use crate::semantic::Model;

/// What the semantic vector of `document` is made of: its title (or path) and description.
pub fn semantic_text(document: &Document) -> (&str, Option<&str>) {
    let title = document.content.title.as_deref().unwrap_or(&document.path);
    (title, document.content.description.as_deref())
}

/// The stored semantic vector of `document`: its title (or path) and description's.
pub fn semantic_vector(document: &Document, model: &Model) -> Vec<u8> {
    let (title, description) = semantic_text(document);
    model.document_vector(title, description)
}

/// The tantivy document of `document`, its text indexed under its language, with its
/// semantic vector when a table is given.
pub fn to_tantivy(
    document: &Document,
    fields: &Fields,
    semantic: Option<&Model>,
) -> TantivyDocument {
    let content = &document.content;
    let text = fields.text(Part::of(document.format));
    let lang = text.lang(document.language);
    let mut doc = TantivyDocument::new();
    doc.add_text(fields.id, &document.id);
    doc.add_text(fields.path, &document.path);
    let title = content
        .title
        .clone()
        .unwrap_or_else(|| document.path.clone());
    doc.add_text(fields.title, &title);
    if let Some(model) = semantic {
        doc.add_bytes(fields.semantic, &semantic_vector(document, model));
    }
    doc.add_text(lang.title, &title);
    doc.add_text(text.words, &title);
    let french = document.language == Lang::Fr;
    doc.add_text(text.title_exact, &title);
    if french {
        doc.add_text(text.title_root, &title);
    }
    for alt in &content.alt_titles {
        doc.add_text(fields.alt_titles, alt);
        doc.add_text(lang.title, alt);
        doc.add_text(text.words, alt);
        doc.add_text(text.title_exact, alt);
        if french {
            doc.add_text(text.title_root, alt);
        }
    }
    if let Some(description) = &content.description {
        doc.add_text(fields.description, description);
        doc.add_text(lang.headings, description);
        doc.add_text(text.words, description);
        doc.add_text(text.body_exact, description);
    }
    for heading in &content.headings {
        doc.add_text(fields.headings, heading);
        doc.add_text(lang.headings, heading);
    }
    for title in &document.vocabulary {
        doc.add_text(lang.vocabulary, title);
        doc.add_text(text.words, title);
    }
    for keyword in &content.keywords {
        doc.add_text(fields.keywords, keyword);
        doc.add_text(lang.keywords, keyword);
    }
    doc.add_text(fields.body, &content.body);
    doc.add_text(lang.body, &content.body);
    doc.add_text(text.words, &content.body);
    doc.add_text(text.body_exact, &content.body);
    if french {
        doc.add_text(text.body_root, &content.body);
    }
    doc.add_bytes(fields.word_marks, &encode_word_marks(&content.body));
    for start in &content.page_starts {
        doc.add_u64(fields.page_starts, *start as u64);
    }
    if let Some(url) = content.url.as_deref().filter(|url| is_web_url(url)) {
        doc.add_text(fields.url, url);
    }
    if let Some(date) = content.date {
        doc.add_text(fields.date, date.to_string());
        doc.add_i64(fields.date_key, date.key());
    }
    if let Some(last) = document.stale_after() {
        doc.add_text(fields.stale_after, last.to_string());
    }
    if let Some(work) = document.work() {
        doc.add_text(fields.work, work);
    }
    if let Some(publisher) = &document.metadata.publisher {
        doc.add_text(fields.publisher, publisher);
    }
    for reference in &content.references {
        doc.add_text(fields.links, stored_reference(reference));
        let target = document_id(&reference.code);
        doc.add_text(fields.link_keys, link_key(reference.relation, &target));
    }
    for (facet, values) in document.facet_values().iter() {
        for value in values {
            doc.add_text(fields.facet(facet), value);
        }
    }
    doc
}

/// First stored text value of `field`.
pub fn stored_text(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// Every stored text value of `field`.
pub fn stored_texts(doc: &TantivyDocument, field: tantivy::schema::Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|v| v.as_str())
        .map(str::to_string)
        .collect()
}

/// The word marks of `body` (see [`analysis::word_marks`]) as stored: little-endian `u32`s.
fn encode_word_marks(body: &str) -> Vec<u8> {
    analysis::word_marks(body)
        .iter()
        .flat_map(|mark| mark.to_le_bytes())
        .collect()
}

/// The word marks stored with a document, decoded.
pub fn decode_word_marks(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Every stored u64 value of `field`.
pub fn stored_u64s(doc: &TantivyDocument, field: tantivy::schema::Field) -> Vec<u64> {
    doc.get_all(field).filter_map(|v| v.as_u64()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_marks_read_back_as_written() {
        let body = "Le boulanger pétrit la pâte. ".repeat(40);
        let marks = analysis::word_marks(&body);
        assert!(marks.len() > 2);
        assert_eq!(decode_word_marks(&encode_word_marks(&body)), marks);
        assert!(
            decode_word_marks(&[1, 0, 0]).is_empty(),
            "a truncated mark is dropped"
        );
    }
}
