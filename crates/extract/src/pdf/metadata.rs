//! Document metadata: the title and date of the Info dictionary and the language of the
//! catalog (`/Lang`).

use lopdf::{decode_text_string, Dictionary, Document, Object};

use super::objects::{lookup, resolve};
use crate::date::Date;
use crate::language::iso_639_1;

/// What the document says about itself.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Metadata {
    pub(super) title: Option<String>,
    pub(super) date: Option<Date>,
    pub(super) language: Option<String>,
}

/// Reads the metadata of `doc`; absent or unusable entries are `None`.
pub(super) fn read(doc: &Document) -> Metadata {
    let info = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|info| resolve(doc, info))
        .and_then(|info| info.as_dict().ok());
    let text = |key: &[u8]| info.and_then(|info| text_entry(doc, info, key));
    let date = text(b"ModDate")
        .and_then(|date| pdf_date(&date))
        .or_else(|| text(b"CreationDate").and_then(|date| pdf_date(&date)));
    let language = doc
        .catalog()
        .ok()
        .and_then(|catalog| text_entry(doc, catalog, b"Lang"))
        .and_then(|tag| iso_639_1(&tag));
    Metadata {
        title: text(b"Title").and_then(meaningful_title),
        date,
        language,
    }
}

fn text_entry(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<String> {
    match lookup(doc, dict, key)? {
        Object::Name(name) => Some(String::from_utf8_lossy(name).into_owned()),
        object => decode_text_string(object).ok(),
    }
}

/// The title with whitespace collapsed, unless it says nothing: empty, a placeholder
/// ("untitled", "Document1") or a file name ("rapport.docx").
fn meaningful_title(title: String) -> Option<String> {
    let title = title
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let title = title
        .strip_prefix("Microsoft Word - ")
        .unwrap_or(&title)
        .to_string();
    let lower = title.to_lowercase();
    let placeholder = ["untitled", "sans titre", "titre", "title", "document"]
        .iter()
        .any(|placeholder| {
            lower.trim_end_matches(|c: char| c.is_ascii_digit()).trim() == *placeholder
        });
    let file_name = [
        ".doc", ".docx", ".odt", ".pdf", ".rtf", ".tex", ".dvi", ".ps", ".indd", ".txt",
    ]
    .iter()
    .any(|extension| lower.ends_with(extension));
    let letters = title.chars().filter(|c| c.is_alphabetic()).count();
    (letters >= 2 && !placeholder && !file_name).then_some(title)
}

/// `D:YYYYMMDDHHmmSS…` (the `D:` and everything after the day optional) as a date.
fn pdf_date(date: &str) -> Option<Date> {
    let digits = date.trim().trim_start_matches("D:");
    let number = |range: std::ops::Range<usize>| -> Option<Option<u32>> {
        match digits.get(range) {
            None => Some(None),
            Some(text) if text.bytes().all(|b| b.is_ascii_digit()) => text.parse().ok().map(Some),
            Some(_) => None,
        }
    };
    let year = number(0..4)??;
    let month = number(4..6)?.unwrap_or(1);
    let day = number(6..8)?.unwrap_or(1);
    (year >= 1000)
        .then(|| Date::new(year, month, day))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pdf_dates() {
        assert_eq!(
            pdf_date("D:20230306180657Z")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2023-03-06")
        );
        assert_eq!(
            pdf_date("D:2019").map(|d| d.to_string()).as_deref(),
            Some("2019-01-01")
        );
        assert_eq!(
            pdf_date("20221008035248+00'00'")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2022-10-08")
        );
        assert_eq!(pdf_date("D:20231399"), None);
        assert_eq!(pdf_date("D:20250231"), None, "no 31 February");
        assert_eq!(pdf_date("D:"), None);
        assert_eq!(pdf_date("D:2é"), None);
    }

    #[test]
    fn keeps_meaningful_titles_only() {
        let title = |text: &str| meaningful_title(text.to_string());
        assert_eq!(
            title("  Guide du\nnouveau responsable ").as_deref(),
            Some("Guide du nouveau responsable")
        );
        assert_eq!(
            title("Microsoft Word - Rapport annuel").as_deref(),
            Some("Rapport annuel")
        );
        assert_eq!(title(""), None);
        assert_eq!(title("Untitled"), None);
        assert_eq!(title("Document1"), None);
        assert_eq!(title("accord.docx"), None);
        assert_eq!(title("-- 1 --"), None);
    }
}
