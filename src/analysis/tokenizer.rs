//! The one tokenizer behind every analyzer: word splitting, elision, folding, stop words and
//! stemming, in the order that French needs.
//!
//! Words are runs of letters and digits; an apostrophe between two letters stays inside the
//! word, so that "l’orientation" can drop its elided "l’" and "aujourd’hui" stays one word.
//! Hyphens, slashes and brackets split: "aide-soignant" → aide, soignant; "agent(e)" → agent.
//! Each word keeps its position in the text even when it is dropped, so phrase queries do not
//! match across a removed stop word.

use std::collections::HashSet;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::char::is_combining_mark;

use super::fold::{fold, fold_into};
use super::memo::{self, FoldedWords};
use super::{french, Lang};

/// Longest token kept, in bytes: longer runs are noise (hashes, base64, URLs without breaks).
const MAX_TOKEN_BYTES: usize = 48;

/// What an analyzer does after splitting words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Folded and stemmed with the rules of a language: the main matching form.
    Stemmed(Lang),
    /// Folded only: exact, prefix and typo-tolerant matching.
    Exact,
    /// French derivational roots ("brasserie" → "brass"): a weak, recall-oriented signal.
    Root,
}

/// A tantivy tokenizer applying [`Mode`]; registered once per analyzer name.
#[derive(Clone)]
pub struct SpoTokenizer {
    mode: Mode,
    stemmer: Option<frostem::Stemmer>,
    tokens: Vec<Token>,
}

impl SpoTokenizer {
    /// Builds the tokenizer of one analyzer.
    pub fn new(mode: Mode) -> SpoTokenizer {
        let stemmer = match mode {
            Mode::Stemmed(lang) => lang.snowball().map(frostem::Stemmer::new),
            Mode::Exact | Mode::Root => None,
        };
        SpoTokenizer {
            mode,
            stemmer,
            tokens: Vec::new(),
        }
    }

    /// Analyzes `text` into `tokens` (cleared first).
    pub fn analyze_into(&self, text: &str, tokens: &mut Vec<Token>) {
        tokens.clear();
        self.analyze_where(text, |_| true, true, |_, _| true, usize::MAX, tokens);
    }

    /// The first `limit` occurrences in `text` of the given `terms`, into `tokens` (cleared
    /// first). Stemming keeps a word's first two letters, so only words that begin like one
    /// of the terms are analyzed, and the stop list is consulted only for matches: long texts
    /// are scanned cheaply. Snippets look for the query's terms this way.
    pub fn find_terms(
        &self,
        text: &str,
        terms: &HashSet<String>,
        limit: usize,
        tokens: &mut Vec<Token>,
    ) {
        tokens.clear();
        let beginnings: Vec<(char, Option<char>)> = terms
            .iter()
            .filter_map(|term| {
                let mut chars = term.chars();
                Some((chars.next()?, chars.next()))
            })
            .collect();
        let keep_word = |word: &str| {
            let mut chars = word.chars().filter(|&c| !is_apostrophe(c));
            let Some(first) = chars.next() else {
                return false;
            };
            let folded_first = fold_char(first);
            // "œuvre" folds to two letters: its second one is not the word's second.
            let expands = matches!(folded_first, 'o' | 'a' | 's' | 't') && !first.is_ascii();
            let second = chars.next().map(fold_char);
            beginnings
                .iter()
                .any(|&(a, b)| a == folded_first && (expands || b.is_none() || b == second))
        };
        let keep_term = |term: &str, word: &str| {
            terms.contains(term) && !(self.drops_stop_words() && french::is_stop_word(&fold(word)))
        };
        self.analyze_where(text, keep_word, false, keep_term, limit, tokens);
    }

    /// Whether this analyzer drops the French stop words.
    fn drops_stop_words(&self) -> bool {
        matches!(
            self.mode,
            Mode::Exact | Mode::Root | Mode::Stemmed(Lang::Fr)
        )
    }

    fn analyze_where(
        &self,
        text: &str,
        keep_word: impl Fn(&str) -> bool,
        drop_stop_words: bool,
        keep_term: impl Fn(&str, &str) -> bool,
        limit: usize,
        tokens: &mut Vec<Token>,
    ) {
        for (position, word) in Words::new(text).enumerate() {
            if tokens.len() >= limit {
                break;
            }
            if !keep_word(word.text) {
                continue;
            }
            match self.term(word.text, drop_stop_words) {
                Some(term) if keep_term(&term, word.text) => tokens.push(Token {
                    offset_from: word.start,
                    offset_to: word.end,
                    position,
                    text: term,
                    position_length: 1,
                }),
                _ => {}
            }
        }
    }

    /// The indexed term for one word, or `None` when the word is not indexed. Stop words
    /// are `None` only when `drop_stop_words` is set.
    fn term(&self, word: &str, drop_stop_words: bool) -> Option<String> {
        let mut folded = String::new();
        if !fold_word(word, &mut folded) {
            return None;
        }
        if drop_stop_words && self.drops_stop_words() && french::is_stop_word(&folded) {
            return None;
        }
        let mut term = String::new();
        self.finish(word, &folded, &mut term);
        Some(term)
    }

    /// The last step of this analyzer, on a `word` whose folded form is `folded`: its term,
    /// written into `term` (cleared first).
    fn finish(&self, word: &str, folded: &str, term: &mut String) {
        match self.mode {
            Mode::Exact => {
                term.clear();
                term.push_str(folded);
            }
            Mode::Root => french::root(folded, term),
            Mode::Stemmed(Lang::Fr) => french::stem(folded, term),
            Mode::Stemmed(_) => {
                term.clear();
                match &self.stemmer {
                    Some(stemmer) if !folded.bytes().any(|b| b.is_ascii_digit()) => {
                        let lower = word.to_lowercase();
                        fold_into(&stemmer.stem(&lower), term);
                    }
                    _ => term.push_str(folded),
                }
            }
        }
    }

    /// Analyzes `text` into `tokens` from its folded words, which the other analyzers of the
    /// same text on this thread share ([`memo`]). The tokens of the last text are written
    /// over, their strings reused: no allocation per token once the buffer has grown.
    fn analyze_shared(&self, text: &str, tokens: &mut Vec<Token>) {
        let drops_stop_words = self.drops_stop_words();
        let mut count = 0;
        memo::with_folded_words(text, fold_words, |words| {
            for (word, folded) in words.iter() {
                if word.stop && drops_stop_words {
                    continue;
                }
                if count == tokens.len() {
                    tokens.push(Token::default());
                }
                let token = &mut tokens[count];
                token.offset_from = word.start;
                token.offset_to = word.end;
                token.position = word.position;
                token.position_length = 1;
                self.finish(&text[word.start..word.end], folded, &mut token.text);
                count += 1;
            }
        });
        tokens.truncate(count);
    }
}

/// Writes the folded form of one word into `folded` (cleared first); false when no analyzer
/// indexes the word.
fn fold_word(word: &str, folded: &mut String) -> bool {
    folded.clear();
    fold_into(word, folded);
    // "aujourd’hui" is indexed as "aujourdhui".
    if folded.chars().any(is_apostrophe) {
        folded.retain(|c| !is_apostrophe(c));
    }
    folded.len() <= MAX_TOKEN_BYTES && !is_lone_letter(folded)
}

/// Every indexed word of `text`, folded, into `words`.
fn fold_words(text: &str, words: &mut FoldedWords) {
    let mut folded = String::new();
    for (position, word) in Words::new(text).enumerate() {
        if fold_word(word.text, &mut folded) {
            let stop = french::is_stop_word(&folded);
            words.push(word.start, word.end, position, &folded, stop);
        }
    }
}

/// Words between two word marks: see [`word_marks`].
pub const WORD_MARK_STRIDE: usize = 32;

/// The byte offset of every [`WORD_MARK_STRIDE`]-th word of `text` (words 0, 32, 64…),
/// counted as the analyzers count positions. Stored with a document, it lets [`locate_words`]
/// turn positions read from the index back into text without re-analysing the text.
pub fn word_marks(text: &str) -> Vec<u32> {
    Words::new(text)
        .step_by(WORD_MARK_STRIDE)
        .map_while(|word| u32::try_from(word.start).ok())
        .collect()
}

/// Byte ranges in `text` of the words at the given `positions` (ascending), found from the
/// nearest preceding mark of [`word_marks`]; positions that the marks do not reach are left
/// out.
pub fn locate_words(text: &str, marks: &[u32], positions: &[u32]) -> Vec<(usize, usize)> {
    let mut ranges = Vec::with_capacity(positions.len());
    // The walk over the text: the position of the next word it yields, and the words.
    let mut walk: Option<(usize, Words)> = None;
    for &position in positions {
        let position = position as usize;
        let mark = position / WORD_MARK_STRIDE;
        let mark_position = mark * WORD_MARK_STRIDE;
        let reusable = walk
            .as_ref()
            .is_some_and(|(next, _)| (mark_position..=position).contains(next));
        if !reusable {
            let Some(&offset) = marks.get(mark) else {
                break;
            };
            if !text.is_char_boundary(offset as usize) {
                break;
            }
            let words = Words {
                text,
                cursor: offset as usize,
            };
            walk = Some((mark_position, words));
        }
        let Some((next, words)) = walk.as_mut() else {
            break;
        };
        let Some(word) = words.nth(position - *next) else {
            break;
        };
        *next = position + 1;
        ranges.push((word.start, word.end));
    }
    ranges
}

/// The first character of the folded form of a character ("É" → 'e'), without allocating.
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    match lower {
        'œ' | 'ø' => 'o',
        'æ' => 'a',
        'ß' => 's',
        'đ' | 'ð' => 'd',
        'ł' => 'l',
        'þ' => 't',
        _ => {
            let mut base = None;
            unicode_normalization::char::decompose_canonical(lower, |d| {
                if base.is_none() && !is_combining_mark(d) {
                    base = Some(d);
                }
            });
            base.unwrap_or(c)
        }
    }
}

/// A single letter carries no meaning ("agent(e)", "a" of "il y a"); a single digit does.
fn is_lone_letter(folded: &str) -> bool {
    let mut chars = folded.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if !c.is_ascii_digit())
}

impl Tokenizer for SpoTokenizer {
    type TokenStream<'a> = SpoTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SpoTokenStream<'a> {
        let mut tokens = std::mem::take(&mut self.tokens);
        self.analyze_shared(text, &mut tokens);
        SpoTokenStream {
            owner: self,
            tokens,
            next: 0,
        }
    }
}

/// Tokens of one text, computed eagerly; the buffer returns to its tokenizer when dropped.
pub struct SpoTokenStream<'a> {
    owner: &'a mut SpoTokenizer,
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for SpoTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Drop for SpoTokenStream<'_> {
    fn drop(&mut self) {
        self.owner.tokens = std::mem::take(&mut self.tokens);
    }
}

/// One word of the text, after its elided particle was removed.
struct Word<'a> {
    start: usize,
    end: usize,
    text: &'a str,
}

/// Iterator over the words of a text.
struct Words<'a> {
    text: &'a str,
    cursor: usize,
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    // Latin-1 and Latin Extended-A/B are letters but for × and ÷: no Unicode table lookup.
    if ('\u{c0}'..='\u{24f}').contains(&c) {
        return c != '×' && c != '÷';
    }
    c.is_alphanumeric() || is_combining_mark(c)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '‘' | '`' | '´')
}

impl<'a> Words<'a> {
    fn new(text: &'a str) -> Words<'a> {
        Words { text, cursor: 0 }
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = Word<'a>;

    /// Scans bytes, decoding a character only outside ASCII: snippets run this over every
    /// word of long bodies.
    fn next(&mut self) -> Option<Word<'a>> {
        let text = self.text;
        let mut i = self.cursor;
        loop {
            let (c, width) = char_at(text, i)?;
            if is_word_char(c) {
                break;
            }
            i += width;
        }
        let mut start = i;
        let mut end = i;
        while let Some((c, width)) = char_at(text, i) {
            if is_word_char(c) {
                i += width;
                end = i;
            } else if is_apostrophe(c)
                && char_at(text, i + width).is_some_and(|(n, _)| is_word_char(n))
            {
                if is_elided_particle(&text[start..end]) {
                    // Elision: drop a leading particle such as "l’" or "qu’".
                    start = i + width;
                    end = start;
                }
                i += width;
            } else {
                break;
            }
        }
        self.cursor = end.max(start);
        Some(Word {
            start,
            end,
            text: &text[start..end],
        })
    }
}

/// The character starting at byte `i` of `text` and its width, without decoding ASCII.
fn char_at(text: &str, i: usize) -> Option<(char, usize)> {
    let byte = *text.as_bytes().get(i)?;
    if byte.is_ascii() {
        return Some((char::from(byte), 1));
    }
    let c = text.get(i..)?.chars().next()?;
    Some((c, c.len_utf8()))
}

/// True when `word` is an elided French particle ("L" of "L’emploi", "qu" of "qu’il").
fn is_elided_particle(word: &str) -> bool {
    let mut lower = [0u8; 8];
    if word.len() > lower.len() || !word.is_ascii() {
        return false;
    }
    for (slot, byte) in lower.iter_mut().zip(word.bytes()) {
        *slot = byte.to_ascii_lowercase();
    }
    std::str::from_utf8(&lower[..word.len()]).is_ok_and(french::is_elision)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_char_is_the_first_char_of_fold() {
        for c in (0u32..0x2500).filter_map(char::from_u32) {
            let mut buffer = [0u8; 4];
            let Some(expected) = fold(c.encode_utf8(&mut buffer)).chars().next() else {
                continue;
            };
            if c.to_lowercase().count() == 1 {
                assert_eq!(fold_char(c), expected, "{c:?}");
            }
        }
    }

    #[test]
    fn latin_fast_path_agrees_with_unicode() {
        for c in ('\u{c0}'..='\u{24f}').chain(['é', '×', '÷']) {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn find_terms_matches_stems_and_skips_stop_words() {
        let tokenizer = SpoTokenizer::new(Mode::Stemmed(Lang::Fr));
        let terms: HashSet<String> = ["boulanger", "oeuvr", "de"]
            .map(String::from)
            .into_iter()
            .collect();
        let mut tokens = Vec::new();
        let text = "Les Boulangères de l’œuvre : boulanger, boulangerie.";
        tokenizer.find_terms(text, &terms, 10, &mut tokens);
        let found: Vec<&str> = tokens
            .iter()
            .map(|t| &text[t.offset_from..t.offset_to])
            .collect();
        assert_eq!(found, ["Boulangères", "œuvre", "boulanger"]);
        tokenizer.find_terms(text, &terms, 1, &mut tokens);
        assert_eq!(tokens.len(), 1);
    }

    #[test]
    fn located_words_are_the_analyzed_positions() {
        let text = "L’agent d’accueil. ".repeat(40) + "Fin: l’orientation";
        let marks = word_marks(&text);
        assert_eq!(marks.len(), 82usize.div_ceil(WORD_MARK_STRIDE));
        let tokenizer = SpoTokenizer::new(Mode::Exact);
        let mut tokens = Vec::new();
        tokenizer.analyze_into(&text, &mut tokens);
        let positions: Vec<u32> = [0usize, 1, 31, 32, 33, 70, 81]
            .iter()
            .map(|&p| p as u32)
            .collect();
        let expected: Vec<(usize, usize)> = positions
            .iter()
            .map(|&p| {
                let token = tokens.iter().find(|t| t.position == p as usize).unwrap();
                (token.offset_from, token.offset_to)
            })
            .collect();
        assert_eq!(locate_words(&text, &marks, &positions), expected);
        assert_eq!(&text[expected[6].0..expected[6].1], "orientation");
        // Positions past the text, or marks that do not fit it, give nothing.
        assert!(locate_words(&text, &marks, &[500]).is_empty());
        assert!(locate_words("abc", &[7], &[0]).is_empty());
    }

    #[test]
    fn analyzers_sharing_a_text_give_what_each_gives_alone() {
        let text = "L’Œuvre des boulangères d’aujourd’hui : CAP, BTS A1101, Conducteur / \
            Conductrice de travaux, l'apprentissage jusqu’au bac pro. The running jobs, \
            aides-soignantes et agent(e) d'accueil. "
            .repeat(4)
            + &"x".repeat(60);
        let modes = [
            Mode::Stemmed(Lang::Fr),
            Mode::Exact,
            Mode::Root,
            Mode::Stemmed(Lang::En),
        ];
        for text in [text.as_str(), "Un titre court d’une ligne"] {
            for mode in modes {
                let mut alone = Vec::new();
                SpoTokenizer::new(mode).analyze_into(text, &mut alone);
                let mut tokenizer = SpoTokenizer::new(mode);
                let mut stream = tokenizer.token_stream(text);
                let mut shared = Vec::new();
                while stream.advance() {
                    shared.push(stream.token().clone());
                }
                assert!(!shared.is_empty());
                let fields = |t: &Token| (t.text.clone(), t.position, t.offset_from, t.offset_to);
                assert_eq!(
                    shared.iter().map(fields).collect::<Vec<_>>(),
                    alone.iter().map(fields).collect::<Vec<_>>(),
                    "{mode:?}"
                );
            }
        }
    }

    #[test]
    fn words_split_elide_and_keep_inner_apostrophes() {
        let text = "L’orientation, aujourd'hui: qu’il l'x a-b É";
        let words: Vec<&str> = Words::new(text).map(|w| w.text).collect();
        assert_eq!(
            words,
            ["orientation", "aujourd'hui", "il", "x", "a", "b", "É"]
        );
        let first = Words::new(text).next().map(|w| (w.start, w.end));
        assert_eq!(first, Some((4, 15)));
    }
}
