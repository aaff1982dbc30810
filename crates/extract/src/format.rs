//! The registry of formats: every format the corpus is read in, one line each, and the one
//! dispatch from a format and its input to its extractor ([`extract`]).
//!
//! A new format is a module of this crate, a variant of [`Format`] with its name, and an arm
//! of [`extract`]; files of a source of files also need their extensions in
//! [`Format::of_file`].

use std::path::Path;

use crate::json::JsonMapping;
use crate::{
    dila, html, json, lheo, office, onisep, pdf, rncp, rome, text, ExtractError, Extracted,
};

/// A format of the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// PDF, by its text layer ([`pdf`]).
    Pdf,
    /// HTML pages ([`html`]).
    Html,
    /// Plain text ([`text`]).
    Text,
    /// Markdown ([`text`]).
    Markdown,
    /// Word documents ([`office`]).
    Docx,
    /// OpenDocument texts ([`office`]).
    Odt,
    /// service-public.fr fiches in DILA XML ([`dila`]).
    Dila,
    /// JSON or JSON Lines exports, one document per record ([`json`]).
    Json,
    /// A ROME release, a folder of CSV tables, one document per job profile ([`rome`]).
    Rome,
    /// An RNCP export, a folder of CSV tables, one document per certification ([`rncp`]).
    Rncp,
    /// An ONISEP CSV file, one document per job fiche or programme ([`onisep`]).
    Onisep,
    /// A LHÉO XML file, one document per training offer ([`lheo`]).
    Lheo,
}

impl Format {
    /// Its name in facets, reports and the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Html => "html",
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Docx => "docx",
            Format::Odt => "odt",
            Format::Dila => "dila-xml",
            Format::Json => "json",
            Format::Rome => "rome-csv",
            Format::Rncp => "rncp-csv",
            Format::Onisep => "onisep-csv",
            Format::Lheo => "lheo-xml",
        }
    }

    /// Every format.
    pub const ALL: [Format; 12] = [
        Format::Pdf,
        Format::Html,
        Format::Text,
        Format::Markdown,
        Format::Docx,
        Format::Odt,
        Format::Dila,
        Format::Json,
        Format::Rome,
        Format::Rncp,
        Format::Onisep,
        Format::Lheo,
    ];

    /// The format named `name` ([`Format::name`]).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|format| format.name() == name)
    }

    /// The format of a file of a source of files, by its extension; `None` for extensions
    /// that such a source does not read.
    pub fn of_file(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match extension.as_str() {
            "pdf" => Format::Pdf,
            "html" | "htm" | "xhtml" => Format::Html,
            "txt" | "text" => Format::Text,
            "md" | "markdown" => Format::Markdown,
            "docx" => Format::Docx,
            "odt" => Format::Odt,
            _ => return None,
        })
    }
}

/// What an extractor reads.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// The bytes of one file.
    File(&'a [u8]),
    /// The bytes of an export and the mapping of its fields.
    Export(&'a [u8], &'a JsonMapping),
    /// The folder of a release or an export of several tables (ROME, RNCP).
    Release(&'a Path),
}

/// The documents read from one input, and what was skipped while reading it.
#[derive(Debug, Default)]
pub struct Extraction {
    /// One result per document: a record of an export may fail alone.
    pub documents: Vec<Result<Extracted, ExtractError>>,
    /// Skipped rows and ignored tables or columns, one sentence each.
    pub warnings: Vec<String>,
}

impl Extraction {
    fn one(document: Extracted) -> Extraction {
        Extraction {
            documents: vec![Ok(document)],
            warnings: Vec::new(),
        }
    }
}

/// Reads `input` as `format`. The error is for an input that cannot be read at all.
pub fn extract(format: Format, input: Input<'_>) -> Result<Extraction, ExtractError> {
    match (format, input) {
        (Format::Pdf, Input::File(bytes)) => pdf::extract(bytes).map(Extraction::one),
        (Format::Html, Input::File(bytes)) => html::extract(bytes).map(Extraction::one),
        (Format::Text, Input::File(bytes)) => text::extract_plain(bytes).map(Extraction::one),
        (Format::Markdown, Input::File(bytes)) => {
            text::extract_markdown(bytes).map(Extraction::one)
        }
        (Format::Docx, Input::File(bytes)) => office::extract_docx(bytes).map(Extraction::one),
        (Format::Odt, Input::File(bytes)) => office::extract_odt(bytes).map(Extraction::one),
        (Format::Dila, Input::File(bytes)) => dila::extract(bytes).map(Extraction::one),
        (Format::Json, Input::Export(bytes, mapping)) => Ok(Extraction {
            documents: json::extract(bytes, mapping)?,
            warnings: Vec::new(),
        }),
        (Format::Rome, Input::Release(dir)) => {
            let release = rome::extract(dir)?;
            Ok(Extraction {
                documents: release.fiches.into_iter().map(Ok).collect(),
                warnings: release.warnings,
            })
        }
        (Format::Rncp, Input::Release(dir)) => {
            let export = rncp::extract(dir)?;
            Ok(Extraction {
                documents: export.certifications.into_iter().map(Ok).collect(),
                warnings: export.warnings,
            })
        }
        (Format::Onisep, Input::File(bytes)) => {
            let file = onisep::extract(bytes)?;
            Ok(Extraction {
                documents: file.documents.into_iter().map(Ok).collect(),
                warnings: file.warnings,
            })
        }
        (Format::Lheo, Input::File(bytes)) => {
            let file = lheo::extract(bytes)?;
            Ok(Extraction {
                documents: file.documents,
                warnings: file.warnings,
            })
        }
        (format, _) => Err(ExtractError::Unsupported(format!(
            "{} is not read from this kind of input",
            format.name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_extension() {
        assert_eq!(Format::of_file(Path::new("a/Guide.PDF")), Some(Format::Pdf));
        assert_eq!(Format::of_file(Path::new("page.htm")), Some(Format::Html));
        assert_eq!(
            Format::of_file(Path::new("fiche.xml")),
            None,
            "only in DILA sources"
        );
        assert_eq!(Format::of_file(Path::new("README")), None);
    }

    #[test]
    fn formats_are_known_by_name() {
        for format in Format::ALL {
            assert_eq!(Format::from_name(format.name()), Some(format));
        }
        assert_eq!(Format::from_name("excel"), None);
    }

    #[test]
    fn a_format_reads_only_its_own_kind_of_input() {
        let mismatch = extract(Format::Rome, Input::File(b"code_rome"));
        assert!(
            matches!(mismatch, Err(ExtractError::Unsupported(_))),
            "{mismatch:?}"
        );
        let text = extract(Format::Text, Input::File(b"Bonjour")).unwrap();
        assert_eq!(text.documents.len(), 1);
    }
}
