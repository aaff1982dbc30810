//! Codes that name one document, as counsellors type them: a ROME code (`J1501`), an RNCP
//! number (`RNCP34021`), an ONISEP id (`MET.877`, `FOR.6913`). A query word that is a code
//! finds the document it names first, and results show the code of the documents that
//! have one.

/// The id of the document that a query word names, when it is a code: `j1501` →
/// `rome:J1501`, `rncp34021` → `rncp:RNCP34021`, `met.877` → `onisep:MET.877`.
pub fn document_id(word: &str) -> Option<String> {
    let word = word.trim().to_ascii_uppercase();
    if is_rome(&word) {
        return Some(format!("rome:{word}"));
    }
    if let Some(number) = word.strip_prefix("RNCP") {
        if is_number(number, 6) {
            return Some(format!("rncp:{word}"));
        }
    }
    for prefix in ["MET.", "FOR."] {
        if word.strip_prefix(prefix).is_some_and(|n| is_number(n, 6)) {
            return Some(format!("onisep:{word}"));
        }
    }
    None
}

/// The code a document id carries, shown beside its title: `rome:J1501` → `J1501`; `None`
/// for documents that have no code (files, service-public fiches).
pub fn of_id(id: &str) -> Option<&str> {
    let (prefix, code) = id.split_once(':')?;
    matches!(prefix, "rome" | "rncp" | "onisep")
        .then_some(code)
        .filter(|code| document_id(code).as_deref() == Some(id))
}

/// A title with its document's code after it, unless it already shows it:
/// "Boulangerie - viennoiserie (D1102)".
pub fn titled(title: &str, code: Option<&str>) -> String {
    match code {
        Some(code) if !title.contains(code) => format!("{title} ({code})"),
        _ => title.to_string(),
    }
}

/// A ROME code: a letter from A to N and four digits.
fn is_rome(word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes.len() == 5 && (b'A'..=b'N').contains(&bytes[0]) && is_number(&word[1..], 4)
}

/// Between one and `most` ASCII digits.
fn is_number(text: &str, most: usize) -> bool {
    (1..=most).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_recognised_whatever_their_case() {
        assert_eq!(document_id("j1501").as_deref(), Some("rome:J1501"));
        assert_eq!(document_id("K2111").as_deref(), Some("rome:K2111"));
        assert_eq!(document_id("rncp34021").as_deref(), Some("rncp:RNCP34021"));
        assert_eq!(document_id("MET.877").as_deref(), Some("onisep:MET.877"));
        assert_eq!(document_id("for.6913").as_deref(), Some("onisep:FOR.6913"));
        for word in [
            "Z1501",
            "J150",
            "J15011",
            "boulanger",
            "RNCP",
            "MET.",
            "2024",
            "é1501",
        ] {
            assert_eq!(document_id(word), None, "{word}");
        }
    }

    #[test]
    fn a_title_shows_its_documents_code_once() {
        assert_eq!(of_id("rome:J1501"), Some("J1501"));
        assert_eq!(of_id("rncp:RNCP34021"), Some("RNCP34021"));
        assert_eq!(of_id("sp:particuliers/F2301"), None);
        assert_eq!(of_id("rome:notacode"), None);
        assert_eq!(titled("Boulangerie", Some("D1102")), "Boulangerie (D1102)");
        assert_eq!(
            titled("D1102 Boulangerie", Some("D1102")),
            "D1102 Boulangerie"
        );
        assert_eq!(titled("Rupture", None), "Rupture");
    }
}
