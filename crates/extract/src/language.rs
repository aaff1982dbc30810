//! Language tags as documents declare them (`fr-FR`, `fr_FR`, `FR`, `fra`), reduced to the
//! ISO 639-1 code (`fr`) that the rest of spo-search works with.

/// The ISO 639-1 code of a language tag: its primary subtag when it has two letters
/// (`fr-FR`, `fr_FR` and `FR` give `fr`), or the two-letter code of an ISO 639-2 code of the
/// languages the index analyses (`fra` and `fre` give `fr`); `None` for anything else.
pub fn iso_639_1(tag: &str) -> Option<String> {
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
    fn tags_reduce_to_two_lowercase_letters() {
        for (tag, code) in [
            ("fr", "fr"),
            ("fr-FR", "fr"),
            ("fr_FR", "fr"),
            ("FR", "fr"),
            (" En ", "en"),
            ("fra", "fr"),
            ("ger", "de"),
        ] {
            assert_eq!(iso_639_1(tag).as_deref(), Some(code), "{tag:?}");
        }
        for tag in ["", "x-klingon", "f", "français", "f1", "é"] {
            assert_eq!(iso_639_1(tag), None, "{tag:?}");
        }
    }
}
