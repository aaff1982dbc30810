//! The document model: an extracted document with its metadata, and its conversion to and
//! from a tantivy document.

use serde::{Deserialize, Serialize};
use tantivy::schema::Value;
use tantivy::TantivyDocument;

use super::Fields;
use crate::analysis::{self, Lang};
use spo_extract::Extracted;

/// Metadata shared by the documents of a source (`[metadata]` of `source.toml`), which a
/// sidecar file may override for one file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// Partner network: `cio`, `france-travail`, `mission-locale`, `information-jeunesse`,
    /// `spo` (shared), `etat` (national administrations).
    pub network: Option<String>,
    /// Kind of resource: `fiche-metier`, `fiche-pratique`, `question-reponse`, `formation`, ...
    pub kind: Option<String>,
    /// Audiences: `tout-public`, `jeunes`, `particuliers`, `professionnels`, ...
    #[serde(default)]
    pub audience: Vec<String>,
    /// Territory: `national`, `paca`, a department or one of the 19 zones.
    pub territory: Option<String>,
    pub publisher: Option<String>,
    /// Language assumed when a text is too short to detect (ISO 639-1).
    pub language: Option<String>,
}

impl Metadata {
    /// `self` with every field that `other` sets replaced by `other`'s value.
    pub fn overridden_by(&self, other: &Metadata) -> Metadata {
        Metadata {
            network: other.network.clone().or_else(|| self.network.clone()),
            kind: other.kind.clone().or_else(|| self.kind.clone()),
            audience: if other.audience.is_empty() {
                self.audience.clone()
            } else {
                other.audience.clone()
            },
            territory: other.territory.clone().or_else(|| self.territory.clone()),
            publisher: other.publisher.clone().or_else(|| self.publisher.clone()),
            language: other.language.clone().or_else(|| self.language.clone()),
        }
    }
}

/// A document ready to index: what was extracted plus where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Stable id: `rome:<code>`, `sp:<audience>/<ID>`, `travail:<pubId>` or the file's path
    /// relative to the corpus.
    pub id: String,
    /// Name of the source folder.
    pub source: String,
    /// Format of the file it came from (`pdf`, `html`, `dila`, `rome`, `json`, ...).
    pub format: String,
    /// Path of the file relative to the corpus (the folder for a ROME release).
    pub path: String,
    pub language: Lang,
    pub metadata: Metadata,
    pub content: Extracted,
}

/// A facet value as a slug: folded, words joined by `-` ("Question-réponse" →
/// "question-reponse", "Mission locale" → "mission-locale").
pub fn slug(text: &str) -> String {
    let folded = crate::analysis::fold(text.trim());
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.join("-")
}

/// Value used for a facet that a source leaves unset.
pub const UNSET: &str = "non-renseigne";

/// `2025-09-18` → 20250918, the sortable key of a date.
pub fn date_key(date: &str) -> Option<i64> {
    let bytes = date.as_bytes();
    let well_formed = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !well_formed {
        return None;
    }
    date.replace('-', "").parse().ok()
}

impl Document {
    /// The values of each facet for this document, in the order of [`super::FACETS`].
    pub fn facet_values(&self) -> [Vec<String>; 7] {
        let one = |value: &Option<String>| vec![value.clone().unwrap_or_else(|| UNSET.into())];
        let audience = if self.metadata.audience.is_empty() {
            vec![UNSET.to_string()]
        } else {
            self.metadata.audience.clone()
        };
        [
            one(&self.metadata.network),
            one(&self.metadata.kind),
            audience,
            one(&self.metadata.territory),
            vec![self.language.code().to_string()],
            vec![self.format.clone()],
            vec![self.source.clone()],
        ]
    }

    /// Builds the tantivy document, indexing text under this document's language.
    pub fn to_tantivy(&self, fields: &Fields) -> TantivyDocument {
        let content = &self.content;
        let lang = fields.lang(self.language);
        let mut doc = TantivyDocument::new();
        doc.add_text(fields.id, &self.id);
        doc.add_text(fields.path, &self.path);
        let title = content.title.clone().unwrap_or_else(|| self.path.clone());
        doc.add_text(fields.title, &title);
        doc.add_text(lang.title, &title);
        let french = self.language == Lang::Fr;
        doc.add_text(fields.title_exact, &title);
        if french {
            doc.add_text(fields.title_root, &title);
        }
        for alt in &content.alt_titles {
            doc.add_text(fields.alt_titles, alt);
            doc.add_text(lang.title, alt);
            doc.add_text(fields.title_exact, alt);
            if french {
                doc.add_text(fields.title_root, alt);
            }
        }
        if let Some(description) = &content.description {
            doc.add_text(fields.description, description);
            doc.add_text(lang.headings, description);
            doc.add_text(fields.body_exact, description);
        }
        for heading in &content.headings {
            doc.add_text(fields.headings, heading);
            doc.add_text(lang.headings, heading);
        }
        for keyword in &content.keywords {
            doc.add_text(fields.keywords, keyword);
            doc.add_text(lang.keywords, keyword);
        }
        doc.add_text(fields.body, &content.body);
        doc.add_text(lang.body, &content.body);
        doc.add_text(fields.body_exact, &content.body);
        if french {
            doc.add_text(fields.body_root, &content.body);
        }
        doc.add_bytes(fields.word_marks, &encode_word_marks(&content.body));
        for start in &content.page_starts {
            doc.add_u64(fields.page_starts, *start as u64);
        }
        if let Some(url) = &content.url {
            doc.add_text(fields.url, url);
        }
        if let Some(date) = &content.date {
            doc.add_text(fields.date, date);
            if let Some(key) = date_key(date) {
                doc.add_i64(fields.date_key, key);
            }
        }
        if let Some(publisher) = &self.metadata.publisher {
            doc.add_text(fields.publisher, publisher);
        }
        for (field, values) in fields.facets.iter().zip(self.facet_values()) {
            for value in values {
                doc.add_text(*field, value);
            }
        }
        doc
    }
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

    #[test]
    fn slugs_fold_and_join_words() {
        assert_eq!(slug("Question-réponse"), "question-reponse");
        assert_eq!(slug(" Mission  locale "), "mission-locale");
        assert_eq!(slug("Comment faire si..."), "comment-faire-si");
    }

    #[test]
    fn date_keys_sort_like_dates() {
        assert_eq!(date_key("2025-09-18"), Some(20250918));
        assert_eq!(date_key("2025-9-18"), None);
        assert_eq!(date_key("abcd-ef-gh"), None);
        assert!(date_key("2020-01-02") < date_key("2020-11-01"));
    }

    #[test]
    fn sidecar_metadata_overrides_source_metadata() {
        let source = Metadata {
            network: Some("etat".into()),
            audience: vec!["particuliers".into()],
            ..Metadata::default()
        };
        let sidecar = Metadata {
            network: Some("cio".into()),
            ..Metadata::default()
        };
        let merged = source.overridden_by(&sidecar);
        assert_eq!(merged.network.as_deref(), Some("cio"));
        assert_eq!(merged.audience, ["particuliers"]);
    }
}
