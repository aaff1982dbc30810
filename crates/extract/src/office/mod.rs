//! Office document extractors: DOCX (Word) and ODT (OpenDocument Text).
//!
//! Both are zip packages of XML parts, read with limits against zip bombs
//! (`package`) and walked without recursion (`walk`). The body and headings come from
//! the main part (`word/document.xml`, `content.xml`), the title, language, date,
//! description and keywords from the Dublin Core metadata part (`docProps/core.xml`,
//! `meta.xml`); without a metadata title, the first heading is the title. A DOCX's list
//! numbering is read from `word/numbering.xml` (`numbering`).

mod docx;
mod numbering;
mod odt;
mod package;
mod walk;

pub use docx::extract_docx;
pub use odt::extract_odt;

use crate::date::Date;
use crate::language::iso_639_1;
use crate::text::layout::collapse_whitespace;
use crate::text::{require_text, unique_non_empty};
use crate::{ExtractError, Extracted};

const DUBLIN_CORE: &str = "http://purl.org/dc/elements/1.1/";
const DC_TERMS: &str = "http://purl.org/dc/terms/";
const OOXML_CORE_PROPERTIES: &str =
    "http://schemas.openxmlformats.org/package/2006/metadata/core-properties";
const ODF_META: &str = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0";

/// What the metadata part of a package says about the document.
#[derive(Debug, Default, PartialEq)]
struct Metadata {
    title: Option<String>,
    description: Option<String>,
    language: Option<String>,
    /// Modification date.
    modified: Option<Date>,
    /// Creation date: the date when there is no modification date.
    created: Option<Date>,
    /// Keywords and subjects as listed, possibly repeated.
    keywords: Vec<String>,
}

/// Reads the Dublin Core metadata of `docProps/core.xml` (DOCX) or `meta.xml` (ODT).
fn read_metadata(part: &roxmltree::Document) -> Metadata {
    let mut metadata = Metadata::default();
    for element in part.descendants().filter(roxmltree::Node::is_element) {
        let text = collapse_whitespace(element.text().unwrap_or_default());
        if text.is_empty() {
            continue;
        }
        let name = element.tag_name();
        match (name.namespace().unwrap_or_default(), name.name()) {
            (DUBLIN_CORE, "title") => metadata.title = metadata.title.or(Some(text)),
            (DUBLIN_CORE, "description") => {
                metadata.description = metadata.description.or(Some(text))
            }
            (DUBLIN_CORE, "language") => metadata.language = metadata.language.or(iso_639_1(&text)),
            (DUBLIN_CORE, "date") | (DC_TERMS, "modified") => {
                metadata.modified = Date::from_iso(&text)
            }
            (DC_TERMS, "created") | (ODF_META, "creation-date") => {
                metadata.created = Date::from_iso(&text)
            }
            (DUBLIN_CORE, "subject")
            | (ODF_META, "keyword")
            | (OOXML_CORE_PROPERTIES, "keywords") => {
                let keywords = text
                    .split([',', ';'])
                    .map(|keyword| keyword.trim().to_owned());
                metadata.keywords.extend(keywords);
            }
            _ => {}
        }
    }
    metadata
}

/// Builds the extracted document of a package.
fn assemble(
    format: &'static str,
    metadata: Metadata,
    body: String,
    headings: Vec<String>,
) -> Result<Extracted, ExtractError> {
    let title = metadata.title.or_else(|| headings.first().cloned());
    require_text(
        format,
        Extracted {
            title,
            description: metadata.description,
            headings,
            body,
            language: metadata.language,
            date: metadata.modified.or(metadata.created),
            keywords: unique_non_empty(metadata.keywords),
            ..Extracted::default()
        },
    )
}

#[cfg(test)]
mod tests;
