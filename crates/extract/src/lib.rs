//! spo-extract: the extractors of spo-search, one module per format, turning the bytes of a
//! file (or the folder of a ROME release) into [`Extracted`] documents.
//!
//! Each format has its own module. Single-file formats take the raw bytes and return one
//! document; multi-document formats (a ROME release folder, a JSON export) return many, each
//! carrying a `key` from which the caller builds the stable document id. Extractors know
//! nothing of the index or of the corpus's sources: they read bytes, and every problem with
//! those bytes is an [`ExtractError`], never a panic.
//!
//! The registry of formats is [`Format`], with the one dispatch [`extract`]; dates are read
//! into one type, [`Date`], and language tags into ISO 639-1 codes by [`language`]. The
//! formats, one module each:
//! - [`pdf`]: PDF text layers, laid out from glyph positions;
//! - [`html`]: HTML pages and fragments;
//! - [`office`]: DOCX and ODT packages;
//! - [`text`]: plain text and Markdown;
//! - [`dila`]: service-public.fr fiches in DILA XML;
//! - [`json`]: JSON and JSON Lines exports, mapped field by field;
//! - [`rome`]: a ROME 4.0 release, a folder of CSV tables.

pub mod blocks;
pub mod date;
pub mod dila;
mod format;
pub mod html;
pub mod json;
pub mod language;
pub mod lheo;
pub mod office;
pub mod onisep;
pub mod pdf;
mod reference;
pub mod rncp;
pub mod rome;
mod table;
pub mod text;
mod xml;

pub use date::Date;
pub use format::{extract, Extraction, Format, Input};
pub use reference::{Code, Reference, Relation};
/// What an extractor found in one document, before metadata from the source is applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extracted {
    /// Key of the document within a multi-document file (ROME code, JSON id); `None` for
    /// single-document files, whose id is their path.
    pub key: Option<String>,
    pub title: Option<String>,
    /// Alternative titles (ROME appellations), searchable like the title.
    pub alt_titles: Vec<String>,
    pub description: Option<String>,
    pub headings: Vec<String>,
    /// The readable text in the block markup of [`blocks`]: blocks separated by blank
    /// lines, headings, list items and table rows marked.
    pub body: String,
    /// Byte offsets in `body` where each page starts (`page_starts[0] == 0`); empty when the
    /// format has no pages.
    pub page_starts: Vec<usize>,
    /// Language declared by the document itself (ISO 639-1, lowercase), if any.
    pub language: Option<String>,
    pub url: Option<String>,
    /// Publication or modification date.
    pub date: Option<Date>,
    /// Subjects, keywords, professional domains: short searchable labels.
    pub keywords: Vec<String>,
    /// Audiences declared by the document (e.g. DILA `<Audience>`).
    pub audience: Vec<String>,
    /// Kind of resource declared by the document itself (DILA `dc:type`: "Fiche pratique",
    /// "Question-réponse", "Dossier"); it replaces the source's kind, as a slug.
    pub kind: Option<String>,
    /// Metadata the document carries itself, by name (a facet's field name), each with its
    /// values: a JSON record's `[json.metadata]`. They replace the source's.
    pub metadata: Vec<(String, Vec<String>)>,
    /// Level of a qualification in the European framework, 1 to 8.
    pub level: Option<u8>,
    /// Ways into a qualification, as slugs: `apprentissage`, `contrat-professionnalisation`,
    /// `vae`, `formation-continue`, `formation-initiale`, `candidature-individuelle`.
    pub access_routes: Vec<String>,
    /// Codes of the departments where the document applies (the places of a training
    /// offer); they replace the source's territory.
    pub departments: Vec<String>,
    /// Other documents this one refers to, by code ([`Reference`]).
    pub references: Vec<Reference>,
}

/// Why one document could not be extracted: the document's fault, reported and skipped.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ExtractError {
    #[error("malformed {format}: {reason}")]
    Malformed {
        format: &'static str,
        reason: String,
    },
    #[error("encrypted pdf")]
    Encrypted,
    #[error("file is {size} bytes, over the limit of {limit}")]
    TooLarge { size: u64, limit: u64 },
    #[error("extraction took longer than {seconds} s")]
    Timeout { seconds: u64 },
    #[error("extractor panicked: {0}")]
    Panicked(String),
    #[error("unsupported file type: {0}")]
    Unsupported(String),
    #[error("cannot read: {0}")]
    Io(String),
}

impl ExtractError {
    /// Shorthand for a [`ExtractError::Malformed`] error.
    pub fn malformed(format: &'static str, reason: impl std::fmt::Display) -> Self {
        ExtractError::Malformed {
            format,
            reason: reason.to_string(),
        }
    }
}
