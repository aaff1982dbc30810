//! Text analysis: how documents and queries become terms.
//!
//! One analyzer per supported language (`spo_fr`, `spo_en`, ...) plus `spo_exact`, the folded
//! unstemmed form used for exact, prefix and typo-tolerant matching. All are registered by
//! name on every index open ([`register`]); the schema refers to them by these names.

mod fold;
mod french;
mod memo;
mod tokenizer;

pub use fold::{fold, normalize, slug};
pub use french::is_stop_word;
pub use tokenizer::{fold_char, locate_words, word_marks, Mode, SpoTokenizer, WORD_MARK_STRIDE};

use tantivy::tokenizer::{TextAnalyzer, Token};
use tantivy::Index;

use crate::model::Lang;

/// Name of the folded, unstemmed analyzer.
pub const EXACT: &str = "spo_exact";
/// Name of the French derivational-root analyzer.
pub const ROOT: &str = "spo_root";

/// The analysis of each [`Lang`].
impl Lang {
    /// Name of this language's stemmed analyzer.
    pub fn analyzer(self) -> &'static str {
        match self {
            Lang::Fr => "spo_fr",
            Lang::En => "spo_en",
            Lang::De => "spo_de",
            Lang::Es => "spo_es",
            Lang::It => "spo_it",
            Lang::Pt => "spo_pt",
            Lang::Nl => "spo_nl",
        }
    }

    /// Snowball algorithm, for the languages that do not have their own stemmer here.
    fn snowball(self) -> Option<frostem::Algorithm> {
        match self {
            Lang::Fr => None,
            Lang::En => Some(frostem::Algorithm::English),
            Lang::De => Some(frostem::Algorithm::German),
            Lang::Es => Some(frostem::Algorithm::Spanish),
            Lang::It => Some(frostem::Algorithm::Italian),
            Lang::Pt => Some(frostem::Algorithm::Portuguese),
            Lang::Nl => Some(frostem::Algorithm::Dutch),
        }
    }

    fn whatlang(self) -> whatlang::Lang {
        match self {
            Lang::Fr => whatlang::Lang::Fra,
            Lang::En => whatlang::Lang::Eng,
            Lang::De => whatlang::Lang::Deu,
            Lang::Es => whatlang::Lang::Spa,
            Lang::It => whatlang::Lang::Ita,
            Lang::Pt => whatlang::Lang::Por,
            Lang::Nl => whatlang::Lang::Nld,
        }
    }
}

/// Shortest text on which language detection is trusted; shorter texts take the default.
const MIN_DETECTION_CHARS: usize = 200;

/// Detects the language of `text` among the supported ones, or returns `default` when the
/// text is too short or detection is unsure (short French titles look Dutch or Latin).
pub fn detect_language(text: &str, default: Lang) -> Lang {
    let sample: String = text.chars().take(4_000).collect();
    if sample.chars().filter(|c| c.is_alphabetic()).count() < MIN_DETECTION_CHARS {
        return default;
    }
    let allowlist = Lang::ALL.iter().map(|lang| lang.whatlang()).collect();
    let detector = whatlang::Detector::with_allowlist(allowlist);
    match detector.detect(&sample) {
        Some(info) if info.is_reliable() => Lang::ALL
            .into_iter()
            .find(|lang| lang.whatlang() == info.lang())
            .unwrap_or(default),
        _ => default,
    }
}

/// Registers every analyzer on `index` under its name; call on each open.
pub fn register(index: &Index) {
    let manager = index.tokenizers();
    for lang in Lang::ALL {
        manager.register(
            lang.analyzer(),
            TextAnalyzer::from(SpoTokenizer::new(Mode::Stemmed(lang))),
        );
    }
    manager.register(EXACT, TextAnalyzer::from(SpoTokenizer::new(Mode::Exact)));
    manager.register(ROOT, TextAnalyzer::from(SpoTokenizer::new(Mode::Root)));
}

/// Analyzes `text` (normalised first) and returns its tokens with offsets.
pub fn tokens(mode: Mode, text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    SpoTokenizer::new(mode).analyze_into(&normalize(text), &mut out);
    out
}

/// Analyzes `text` and returns only the terms.
pub fn terms(mode: Mode, text: &str) -> Vec<String> {
    tokens(mode, text)
        .into_iter()
        .map(|token| token.text)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr(text: &str) -> Vec<String> {
        terms(Mode::Stemmed(Lang::Fr), text)
    }

    fn exact(text: &str) -> Vec<String> {
        terms(Mode::Exact, text)
    }

    #[test]
    fn elision_with_both_apostrophes() {
        assert_eq!(fr("l’orientation"), ["orientation"]);
        assert_eq!(fr("l'orientation"), ["orientation"]);
        assert_eq!(
            fr("d’information jusqu’au lorsqu’il qu’elle"),
            ["information"]
        );
        assert_eq!(fr("L'Orientation"), fr("orientation"));
        assert_eq!(fr("aujourd’hui"), ["aujourdhui"]);
        assert_eq!(exact("l’apprentissage"), ["apprentissage"]);
    }

    #[test]
    fn case_accents_and_ligatures_fold() {
        assert_eq!(fr("Métiers"), fr("metier"));
        assert_eq!(fr("ŒUVRE"), ["oeuvr"]);
        assert_eq!(fr("ﬁnancement"), fr("financement"));
        assert_eq!(exact("Métiers de l’Énergie"), ["metiers", "energie"]);
        assert_eq!(fr("re\u{301}sistance"), fr("résistance"));
    }

    #[test]
    fn plural_and_gender_of_job_titles_meet() {
        assert_eq!(fr("Conducteur / Conductrice"), ["conducteur", "conducteur"]);
        assert_eq!(fr("boulangère"), fr("boulanger"));
        assert_eq!(fr("boulangere"), fr("boulanger"));
        assert_eq!(fr("aides-soignantes"), fr("aide-soignant"));
        assert_eq!(fr("Agent(e) d'accueil"), ["agent", "accueil"]);
    }

    #[test]
    fn acronyms_and_codes_stay_whole() {
        assert_eq!(
            fr("BTS CAP VAE CPF RNCP A1101"),
            ["bts", "cap", "vae", "cpf", "rncp", "a1101"]
        );
        assert_eq!(fr("Qualiopi"), ["qualiopi"]);
        assert_eq!(fr("BPJEPS"), ["bpjeps"]);
    }

    #[test]
    fn stop_words_drop_but_keep_positions() {
        let tokens = tokens(Mode::Stemmed(Lang::Fr), "chef de projet sans diplôme");
        let got: Vec<(&str, usize)> = tokens
            .iter()
            .map(|t| (t.text.as_str(), t.position))
            .collect();
        assert_eq!(got, [("chef", 0), ("projet", 2), ("san", 3), ("diplom", 4)]);
    }

    #[test]
    fn offsets_point_at_the_original_word_without_its_elision() {
        let text = "Conseil en l’évolution";
        let tokens = tokens(Mode::Exact, text);
        let words: Vec<&str> = tokens
            .iter()
            .map(|t| &text[t.offset_from..t.offset_to])
            .collect();
        assert_eq!(words, ["Conseil", "évolution"]);
    }

    #[test]
    fn roots_join_a_trade_and_its_place() {
        assert_eq!(
            terms(Mode::Root, "Brasseur"),
            terms(Mode::Root, "la brasserie")
        );
        assert_eq!(terms(Mode::Root, "BTS"), ["bts"]);
    }

    #[test]
    fn english_uses_its_own_stemmer() {
        assert_eq!(
            terms(Mode::Stemmed(Lang::En), "The running jobs"),
            ["the", "run", "job"]
        );
    }

    #[test]
    fn hostile_text_does_not_panic() {
        assert!(fr("").is_empty());
        assert!(fr("’’’ ''' -- // 🙂🙂").is_empty());
        assert_eq!(fr("l'"), Vec::<String>::new());
        assert_eq!(fr("'l'l'l'orientation'"), ["orientation"]);
        let long = "a".repeat(10_000);
        assert!(fr(&long).is_empty());
    }

    #[test]
    fn language_detection_defaults_on_short_text() {
        assert_eq!(detect_language("Boulanger", Lang::Fr), Lang::Fr);
        let english = "The Debian Project is an association of individuals who have made common \
            cause to create a free operating system. This operating system is called Debian. \
            An operating system is the set of basic programs and utilities that make your \
            computer run.";
        assert_eq!(detect_language(english, Lang::Fr), Lang::En);
    }
}
