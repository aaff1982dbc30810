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

use super::{fold::fold, french, Lang};

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
        self.analyze_where(text, |_| true, |_| true, usize::MAX, tokens);
    }

    /// The first `limit` occurrences in `text` of the given `terms`, into `tokens` (cleared
    /// first). Only words whose folded first letter is the first letter of a term are
    /// analyzed (stemming keeps a word's first letter), so long texts are scanned cheaply:
    /// snippets look for the query's terms this way.
    pub fn find_terms(
        &self,
        text: &str,
        terms: &HashSet<String>,
        limit: usize,
        tokens: &mut Vec<Token>,
    ) {
        tokens.clear();
        let initials: Vec<char> = terms.iter().filter_map(|t| t.chars().next()).collect();
        let keep_word = |word: &str| {
            word.chars()
                .next()
                .map(fold_char)
                .is_some_and(|c| initials.contains(&c))
        };
        self.analyze_where(text, keep_word, |term| terms.contains(term), limit, tokens);
    }

    fn analyze_where(
        &self,
        text: &str,
        keep_word: impl Fn(&str) -> bool,
        keep_term: impl Fn(&str) -> bool,
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
            match self.term(word.text) {
                Some(term) if keep_term(&term) => tokens.push(Token {
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

    /// The indexed term for one word, or `None` when the word is not indexed.
    fn term(&self, word: &str) -> Option<String> {
        let mut folded = fold(word);
        // "aujourd’hui" is indexed as "aujourdhui".
        folded.retain(|c| !is_apostrophe(c));
        if folded.len() > MAX_TOKEN_BYTES || is_lone_letter(&folded) {
            return None;
        }
        match self.mode {
            Mode::Exact => (!french::is_stop_word(&folded)).then_some(folded),
            Mode::Root => (!french::is_stop_word(&folded)).then(|| french::root(&folded)),
            Mode::Stemmed(Lang::Fr) => {
                (!french::is_stop_word(&folded)).then(|| french::stem(&folded))
            }
            Mode::Stemmed(_) => match &self.stemmer {
                Some(stemmer) if !folded.bytes().any(|b| b.is_ascii_digit()) => {
                    let lower = word.to_lowercase();
                    Some(fold(&stemmer.stem(&lower)))
                }
                _ => Some(folded),
            },
        }
    }
}

/// The first character of the folded form of a character ("É" → 'e').
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut buffer = [0u8; 4];
    fold(c.encode_utf8(&mut buffer)).chars().next().unwrap_or(c)
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
        self.analyze_into(text, &mut tokens);
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
    scratch: String,
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    c.is_alphanumeric() || is_combining_mark(c)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '‘' | '`' | '´')
}

impl<'a> Words<'a> {
    fn new(text: &'a str) -> Words<'a> {
        Words {
            text,
            cursor: 0,
            scratch: String::new(),
        }
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = Word<'a>;

    fn next(&mut self) -> Option<Word<'a>> {
        let rest = &self.text[self.cursor..];
        let skip = rest.find(is_word_char)?;
        let mut start = self.cursor + skip;
        let mut end = start;
        let mut chars = self.text[start..].char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if is_word_char(c) {
                end = start + i + c.len_utf8();
            } else if is_apostrophe(c) && chars.peek().is_some_and(|&(_, n)| is_word_char(n)) {
                // Elision: drop a leading particle such as "l’" or "qu’".
                self.scratch.clear();
                self.scratch.extend(
                    self.text[start..start + i]
                        .chars()
                        .flat_map(char::to_lowercase),
                );
                if french::is_elision(&self.scratch) {
                    start = start + i + c.len_utf8();
                    end = start;
                    chars = self.text[start..].char_indices().peekable();
                }
            } else {
                break;
            }
        }
        self.cursor = end.max(start);
        let text = &self.text[start..end];
        Some(Word { start, end, text })
    }
}
