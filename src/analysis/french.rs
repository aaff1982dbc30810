//! French specifics: elided articles, stop words and a light stemmer for job nouns.
//!
//! The stemmer works on folded (lowercase, unaccented) tokens, so that a query typed without
//! accents ("boulangere") is stemmed exactly like the accented text ("boulangère"). It only
//! conflates inflection: plural ("conseillers" → "conseiller") and grammatical gender of job
//! nouns and adjectives ("conductrice" → "conducteur", "coiffeuse" → "coiffeur",
//! "boulangère" → "boulanger"). It deliberately keeps derivations apart
//! ("formation" ≠ "formateur"): precision on job titles matters more than recall here.

use std::sync::LazyLock;

/// Elided words that come before an apostrophe: "l’orientation" is indexed as "orientation".
pub const ELISIONS: &[&str] = &[
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
];

/// Folded French stop words. Built from the Snowball list, minus the words that carry
/// meaning in searches about jobs and training: "sans" ("formation sans bac"), "son"
/// ("technicien du son"), "été" ("job d'été"), "pas", "même", "plus" are kept as terms.
const STOP_WORDS: &[&str] = &[
    "a", "ai", "aie", "aient", "aies", "ait", "as", "au", "aura", "aurai", "auraient", "aurais",
    "aurait", "auras", "aurez", "auriez", "aurions", "aurons", "auront", "aux", "avaient", "avais",
    "avait", "avec", "avez", "aviez", "avions", "avons", "ayant", "ayez", "ayons", "c", "ce",
    "ceci", "cela", "celle", "celles", "celui", "ces", "cet", "cette", "ceux", "d", "dans", "de",
    "des", "du", "elle", "elles", "en", "es", "est", "et", "etaient", "etais", "etait", "etant",
    "etes", "etiez", "etions", "eu", "eue", "eues", "eurent", "eus", "eut", "eux", "il", "ils",
    "j", "je", "jusqu", "l", "la", "le", "les", "leur", "leurs", "lorsqu", "lui", "m", "ma",
    "mais", "me", "mes", "moi", "mon", "n", "ne", "nos", "notre", "nous", "on", "ont", "ou", "par",
    "puisqu", "qu", "que", "quel", "quelle", "quelles", "quels", "qui", "quoiqu", "s", "sa", "se",
    "sera", "serai", "seraient", "serais", "serait", "seras", "serez", "seriez", "serions",
    "serons", "seront", "ses", "soi", "soient", "sois", "soit", "sommes", "sont", "soyez",
    "soyons", "suis", "sur", "t", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos",
    "votre", "vous", "y",
];

/// Words of four letters or more that the stemmer must leave alone: acronyms whose ending
/// looks like an inflection ("BPJEPS" is not the plural of "bpjep") and invariable nouns in
/// "-s" ("parcours" must not meet "parcour").
const PROTECTED: &[&str] = &[
    "bpjeps", "dejeps", "desjeps", "cnous", "crous", "erasmus", "fonds", "temps", "corps", "cours",
    "concours", "discours", "parcours", "secours", "recours", "permis", "pays",
];

/// A set of short ASCII words, each packed into one integer, in an open-addressing table:
/// a membership test hashes one integer and compares one or two, with no string comparison.
/// Every word of every text goes through the stop list, and comparing strings was a sixth of
/// the time of indexing (a binary search over the integers, 2.5 % still).
struct ShortWords {
    /// The packed words at their hashed slots; 0 (no word packs to it) marks an empty slot.
    slots: Vec<u64>,
}

/// Longest word a [`ShortWords`] holds.
const SHORT_WORD_BYTES: usize = 8;

impl ShortWords {
    fn new(words: &[&str]) -> ShortWords {
        let packed: Vec<u64> = words.iter().filter_map(|word| pack(word)).collect();
        assert_eq!(packed.len(), words.len(), "a word is not short ASCII");
        // At most a quarter full: probes stay short.
        let mut slots = vec![0; (packed.len() * 4).next_power_of_two()];
        for word in packed {
            let mut slot = Self::slot(word, slots.len());
            while slots[slot] != 0 && slots[slot] != word {
                slot = (slot + 1) % slots.len();
            }
            slots[slot] = word;
        }
        ShortWords { slots }
    }

    /// The first slot of `packed` in a table of `len` slots (a power of two).
    fn slot(packed: u64, len: usize) -> usize {
        // Fibonacci hashing: the high bits of the product mix every byte of the word.
        (packed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & (len - 1)
    }

    fn contains(&self, word: &str) -> bool {
        let Some(packed) = pack(word) else {
            return false;
        };
        let mut slot = Self::slot(packed, self.slots.len());
        loop {
            match self.slots[slot] {
                0 => return false,
                found if found == packed => return true,
                _ => slot = (slot + 1) % self.slots.len(),
            }
        }
    }
}

/// The bytes of a non-empty ASCII word of at most [`SHORT_WORD_BYTES`], without NUL (the
/// padding), in one integer.
fn pack(word: &str) -> Option<u64> {
    if word.is_empty()
        || word.len() > SHORT_WORD_BYTES
        || !word.is_ascii()
        || word.as_bytes().contains(&0)
    {
        return None;
    }
    let mut bytes = [0u8; SHORT_WORD_BYTES];
    bytes[..word.len()].copy_from_slice(word.as_bytes());
    Some(u64::from_be_bytes(bytes))
}

static STOP_WORD_SET: LazyLock<ShortWords> = LazyLock::new(|| ShortWords::new(STOP_WORDS));
static ELISION_SET: LazyLock<ShortWords> = LazyLock::new(|| ShortWords::new(ELISIONS));
static PROTECTED_SET: LazyLock<ShortWords> = LazyLock::new(|| ShortWords::new(PROTECTED));

/// Returns true for a folded French stop word.
pub fn is_stop_word(folded: &str) -> bool {
    STOP_WORD_SET.contains(folded)
}

/// Returns true when `folded` (lowercase) is an elided particle such as "l" or "qu".
pub fn is_elision(folded: &str) -> bool {
    ELISION_SET.contains(folded)
}

/// Words that no stemming touches: short words and acronyms ("bts", "cap"), codes with
/// digits ("a1101"), non-Latin words and the protected list.
fn is_unchanged(token: &str) -> bool {
    // A word with a non-ASCII letter is unchanged whatever its length: the length in bytes
    // is the length in characters of the others.
    !token.is_ascii()
        || token.len() <= 3
        || token.bytes().any(|b| b.is_ascii_digit())
        || PROTECTED_SET.contains(token)
}

/// Light French stemming of a folded token: plural, then feminine → masculine. The stem is
/// written into `word`, cleared first: the analyzers reuse one buffer per token.
pub(super) fn stem(token: &str, word: &mut String) {
    word.clear();
    word.push_str(token);
    if is_unchanged(token) {
        return;
    }
    strip_plural(word);
    masculine(word);
}

fn strip_plural(word: &mut String) {
    if word.ends_with("eaux") {
        word.pop();
    } else if word.ends_with("aux") && word.len() > 4 {
        word.truncate(word.len() - 3);
        word.push_str("al");
    } else if (word.ends_with('s') && !word.ends_with("ss")) || word.ends_with('x') {
        word.pop();
    }
}

/// Feminine endings mapped to their masculine form, longest first.
const FEMININE_ENDINGS: &[(&str, &str)] = &[
    ("eresse", "eur"),
    ("trice", "teur"),
    ("euse", "eur"),
    ("ienne", "ien"),
    ("enne", "en"),
    ("onne", "on"),
    ("elle", "el"),
    ("ette", "et"),
    ("effe", "ef"),
    ("ive", "if"),
];

fn masculine(word: &mut String) {
    for (feminine, masculine) in FEMININE_ENDINGS {
        if word.len() >= feminine.len() + 2 && word.ends_with(feminine) {
            word.truncate(word.len() - feminine.len());
            word.push_str(masculine);
            return;
        }
    }
    // "agente" → "agent", "boulangere" → "boulanger", "employee" → "employ".
    while word.len() > 4 && word.ends_with('e') {
        word.pop();
    }
}

/// Derivational suffixes, longest first: agent nouns, activities, places, adjectives.
const DERIVATIONAL_SUFFIXES: &[&str] = &[
    "icienne", "isation", "ication", "abilite", "icien", "atrice", "ation", "ateur", "icite",
    "ienne", "ique", "iste", "isme", "erie", "euse", "iere", "ment", "able", "eur", "ier", "ien",
    "ite", "age", "ure", "ere", "ive", "er", "ie", "if",
];

/// Shortest root kept by [`root`]: shorter ones merge unrelated words.
const MIN_ROOT_CHARS: usize = 4;

/// The derivational root of a folded token, shared by a trade, its agent and its place:
/// "brasseur", "brasserie" → "brass"; "plasturgiste", "plasturgie" → "plasturg";
/// "electricien", "electrique" → "electr". Much coarser than [`stem`]: used as a weak signal.
/// Written into `word`, cleared first.
pub(super) fn root(token: &str, word: &mut String) {
    word.clear();
    word.push_str(token);
    if is_unchanged(token) {
        return;
    }
    strip_plural(word);
    for suffix in DERIVATIONAL_SUFFIXES {
        if word.len() >= MIN_ROOT_CHARS + suffix.len() && word.ends_with(suffix) {
            word.truncate(word.len() - suffix.len());
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stem(token: &str) -> String {
        let mut word = String::from("left over");
        super::stem(token, &mut word);
        word
    }

    fn root(token: &str) -> String {
        let mut word = String::from("left over");
        super::root(token, &mut word);
        word
    }

    #[test]
    fn short_word_sets_hold_their_words_and_nothing_else() {
        for (set, words) in [
            (&*STOP_WORD_SET, STOP_WORDS),
            (&*ELISION_SET, ELISIONS),
            (&*PROTECTED_SET, PROTECTED),
        ] {
            for word in words {
                assert!(set.contains(word), "{word}");
                for other in [format!("{word}s"), format!("x{word}"), word.to_uppercase()] {
                    assert_eq!(
                        set.contains(&other),
                        words.contains(&other.as_str()),
                        "{other}"
                    );
                }
            }
        }
        for absent in ["", "seraient1", "été", "boulanger", "\0", "a\0"] {
            assert!(!STOP_WORD_SET.contains(absent), "{absent:?}");
        }
    }

    #[test]
    fn meaningful_short_words_are_not_stop_words() {
        for word in ["sans", "son", "ete", "pas", "bts", "cap", "vae", "plus"] {
            assert!(!is_stop_word(word), "{word}");
        }
        for word in ["le", "la", "des", "qu", "etaient"] {
            assert!(is_stop_word(word), "{word}");
        }
    }

    #[test]
    fn gender_and_number_of_job_nouns_meet() {
        let pairs = [
            ("boulanger", "boulangere"),
            ("boulangers", "boulangeres"),
            ("conducteur", "conductrice"),
            ("conseiller", "conseillere"),
            ("conseillers", "conseiller"),
            ("coiffeur", "coiffeuse"),
            ("technicien", "technicienne"),
            ("bucheron", "bucheronne"),
            ("agent", "agente"),
            ("infirmier", "infirmiere"),
            ("soignant", "soignantes"),
            ("professionnel", "professionnelles"),
            ("sportif", "sportive"),
            ("employe", "employee"),
            ("journal", "journaux"),
            ("bureau", "bureaux"),
            ("chef", "cheffe"),
        ];
        for (masculine, other) in pairs {
            assert_eq!(stem(masculine), stem(other), "{masculine} / {other}");
        }
    }

    #[test]
    fn roots_join_trades_agents_and_places() {
        let families: &[&[&str]] = &[
            &["brasseur", "brasserie", "brasseuse"],
            &["plasturgiste", "plasturgie"],
            &["boulanger", "boulangerie", "boulangere"],
            &["electricien", "electrique", "electricite", "electricienne"],
            &["menuisier", "menuiserie"],
            &["jardinier", "jardinage", "jardin"],
            &["soudeur", "soudure"],
            &["informaticien", "informatique"],
        ];
        for family in families {
            let roots: Vec<String> = family.iter().map(|w| root(w)).collect();
            assert!(
                roots.windows(2).all(|w| w[0] == w[1]),
                "{family:?} -> {roots:?}"
            );
        }
        assert_eq!(root("bts"), "bts");
        assert_eq!(root("age"), "age");
    }

    #[test]
    fn derivations_and_acronyms_stay_apart() {
        assert_ne!(stem("formation"), stem("formateur"));
        assert_eq!(stem("bts"), "bts");
        assert_eq!(stem("bpjeps"), "bpjeps");
        assert_eq!(stem("a1101"), "a1101");
        assert_eq!(stem("cours"), "cours");
    }
}
