//! Document metadata: the title and date of the Info dictionary and the language of the
//! catalog (`/Lang`).

use lopdf::{decode_text_string, Dictionary, Document, Object};

use super::objects::{lookup, resolve};

/// What the document says about itself.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Metadata {
    pub(super) title: Option<String>,
    pub(super) date: Option<String>,
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
        .and_then(|date| iso_date(&date))
        .or_else(|| text(b"CreationDate").and_then(|date| iso_date(&date)));
    let language = doc
        .catalog()
        .ok()
        .and_then(|catalog| text_entry(doc, catalog, b"Lang"))
        .and_then(|tag| language_code(&tag));
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

/// `D:YYYYMMDDHHmmSS…` (the `D:` and everything after the day optional) as `YYYY-MM-DD`.
fn iso_date(date: &str) -> Option<String> {
    let digits = date.trim().trim_start_matches("D:");
    let year: u32 = digits.get(0..4)?.parse().ok()?;
    let month: u32 = digits
        .get(4..6)
        .map_or(Some(1), |month| month.parse().ok())?;
    let day: u32 = digits.get(6..8).map_or(Some(1), |day| day.parse().ok())?;
    let valid =
        (1000..=9999).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day);
    valid.then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// The ISO 639-1 code of a language tag ("fr-FR" → "fr", "fra" → "fr").
fn language_code(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    if primary.len() == 2 && primary.bytes().all(|byte| byte.is_ascii_lowercase()) {
        return Some(primary);
    }
    let code = match primary.as_str() {
        "fra" | "fre" => "fr",
        "eng" => "en",
        "deu" | "ger" => "de",
        "spa" => "es",
        "ita" => "it",
        "por" => "pt",
        "nld" | "dut" => "nl",
        _ => return None,
    };
    Some(code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pdf_dates() {
        assert_eq!(iso_date("D:20230306180657Z").as_deref(), Some("2023-03-06"));
        assert_eq!(iso_date("D:2019").as_deref(), Some("2019-01-01"));
        assert_eq!(
            iso_date("20221008035248+00'00'").as_deref(),
            Some("2022-10-08")
        );
        assert_eq!(iso_date("D:20231399"), None);
        assert_eq!(iso_date("D:"), None);
        assert_eq!(iso_date("D:2é"), None);
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

    #[test]
    fn reduces_language_tags() {
        assert_eq!(language_code("fr-FR").as_deref(), Some("fr"));
        assert_eq!(language_code("EN").as_deref(), Some("en"));
        assert_eq!(language_code("fra").as_deref(), Some("fr"));
        assert_eq!(language_code("x-klingon"), None);
        assert_eq!(language_code(""), None);
    }
}
