//! Unicode normalisation and folding: the text forms that analyzers compare.
//!
//! Every text enters the index and every query enters search through [`normalize`] (NFKC:
//! composed accents, ligatures "ﬁ" expanded, no-break spaces made plain). Tokens are then
//! lowercased and [`fold`]ed: accents removed, "œ" → "oe", "æ" → "ae", so that "métiers" and
//! "metiers" meet.

use std::borrow::Cow;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// NFKC-normalises `text`, borrowing it when it is already normalised (the common case).
pub fn normalize(text: &str) -> Cow<'_, str> {
    match is_nfkc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        _ => Cow::Owned(text.nfkc().collect()),
    }
}

/// A text as a slug, the form of facet values: folded, words joined by `-`
/// ("Question-réponse" → "question-reponse", "Mission locale" → "mission-locale").
pub fn slug(text: &str) -> String {
    let folded = fold(text.trim());
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.join("-")
}

/// Lowercases and removes diacritics from one token, expanding ligatures.
pub fn fold(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    fold_into(token, &mut out);
    out
}

/// [`fold`] appended to `out`: the analyzers fold every word of a text into buffers they
/// reuse, without allocating a string per word.
pub(super) fn fold_into(token: &str, out: &mut String) {
    if token.is_ascii() {
        let from = out.len();
        out.push_str(token);
        out[from..].make_ascii_lowercase();
        return;
    }
    for c in token.chars().flat_map(char::to_lowercase) {
        match c {
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            'ø' => out.push('o'),
            'đ' | 'ð' => out.push('d'),
            'ł' => out.push('l'),
            'þ' => out.push_str("th"),
            _ if c.is_ascii() => out.push(c),
            _ => {
                for d in std::iter::once(c).nfd() {
                    if !is_combining_mark(d) {
                        out.push(d);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_french_accents_and_ligatures() {
        assert_eq!(fold("Métiers"), "metiers");
        assert_eq!(fold("ŒUVRE"), "oeuvre");
        assert_eq!(fold("cæcum"), "caecum");
        assert_eq!(fold("boulangère"), "boulangere");
        assert_eq!(fold("Çà"), "ca");
        assert_eq!(fold("A1101"), "a1101");
        let mut out = String::from("déjà ");
        fold_into("Ça", &mut out);
        fold_into("BTS", &mut out);
        assert_eq!(out, "déjà cabts", "appended, what was there untouched");
    }

    #[test]
    fn normalize_composes_and_expands() {
        assert_eq!(normalize("re\u{301}sistance"), "résistance");
        assert_eq!(normalize("e\u{fb03}cace"), "efficace");
        assert_eq!(normalize("a\u{a0}b"), "a b");
        assert!(matches!(normalize("déjà"), Cow::Borrowed(_)));
    }

    #[test]
    fn slugs_fold_and_join_words() {
        assert_eq!(slug("Question-réponse"), "question-reponse");
        assert_eq!(slug(" Mission  locale "), "mission-locale");
        assert_eq!(slug("Comment faire si..."), "comment-faire-si");
    }
}
