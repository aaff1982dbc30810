//! The word analysis that the analyzers of one text share. Tantivy analyses a document's
//! fields one after the other on its indexing thread, and a French body is analysed three
//! times (stemmed, exact, root): the word splitting, elision, folding and stop list are the
//! same each time, only the last step differs. So the last long texts analysed on a thread
//! are kept with their [`FoldedWords`], and an analyzer given one of them again starts from
//! its words.

use std::cell::RefCell;
use std::ops::Range;

/// Shortest text worth keeping: titles and short descriptions cost less to analyse again
/// than to compare.
const MIN_BYTES: usize = 256;

/// Longest text kept, so that a thread does not hold on to the words of a long PDF.
const MAX_BYTES: usize = 256 * 1024;

/// Texts kept per thread: a document's body and its description, which tantivy analyses
/// interleaved with its titles.
const KEPT: usize = 2;

/// One word of a text before an analyzer's own last step.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct FoldedWord {
    /// Byte range of the word in the text, without its elided particle.
    pub start: usize,
    pub end: usize,
    /// Its position, counting every word (dropped ones too).
    pub position: usize,
    /// Its folded form, in [`FoldedWords::folded`].
    folded: Range<usize>,
    /// Whether it is a French stop word.
    pub stop: bool,
}

/// The words of a text that some analyzer indexes, folded (too long runs and lone letters
/// are left out); their folded forms are one string.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct FoldedWords {
    folded: String,
    words: Vec<FoldedWord>,
}

impl FoldedWords {
    /// Adds the word at `start..end` and `position`, folded as `folded`.
    pub fn push(&mut self, start: usize, end: usize, position: usize, folded: &str, stop: bool) {
        let from = self.folded.len();
        self.folded.push_str(folded);
        self.words.push(FoldedWord {
            start,
            end,
            position,
            folded: from..self.folded.len(),
            stop,
        });
    }

    /// Each word with its folded form.
    pub fn iter(&self) -> impl Iterator<Item = (&FoldedWord, &str)> {
        self.words
            .iter()
            .map(|word| (word, &self.folded[word.folded.clone()]))
    }

    fn clear(&mut self) {
        self.folded.clear();
        self.words.clear();
    }
}

/// The texts kept on one thread, the most recent first.
#[derive(Default)]
struct Kept(Vec<(String, FoldedWords)>);

thread_local! {
    static KEPT_WORDS: RefCell<Kept> = RefCell::new(Kept::default());
}

/// Calls `with` on the folded words of `text`: the kept ones when this thread analysed the
/// same text last or just before, else those that `fold` writes (and keeps, for a text of a
/// length worth it).
pub(super) fn with_folded_words<R>(
    text: &str,
    fold: impl FnOnce(&str, &mut FoldedWords),
    with: impl FnOnce(&FoldedWords) -> R,
) -> R {
    if !(MIN_BYTES..=MAX_BYTES).contains(&text.len()) {
        let mut words = FoldedWords::default();
        fold(text, &mut words);
        return with(&words);
    }
    KEPT_WORDS.with(|kept| {
        let mut kept = kept.borrow_mut();
        let kept = &mut kept.0;
        match kept.iter().position(|(kept_text, _)| kept_text == text) {
            Some(found) => kept[..=found].rotate_right(1),
            None => {
                // The oldest entry's buffers are reused for the new text.
                if kept.len() < KEPT {
                    kept.push(Default::default());
                }
                kept.rotate_right(1);
                let (kept_text, words) = &mut kept[0];
                kept_text.clear();
                kept_text.push_str(text);
                words.clear();
                fold(text, words);
            }
        }
        with(&kept[0].1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold_counting(calls: &RefCell<usize>) -> impl FnOnce(&str, &mut FoldedWords) + '_ {
        move |text, words| {
            *calls.borrow_mut() += 1;
            for (position, word) in text.split(' ').enumerate() {
                words.push(0, word.len(), position, &word.to_lowercase(), false);
            }
        }
    }

    fn folded_of(words: &FoldedWords) -> Vec<String> {
        words.iter().map(|(_, folded)| folded.to_string()).collect()
    }

    #[test]
    fn a_long_text_is_folded_once_while_it_is_among_the_last_two() {
        let calls = RefCell::new(0);
        let body = "Mot ".repeat(100);
        let description = "Autre ".repeat(60);
        let other = "Troisième ".repeat(40);
        let first = with_folded_words(&body, fold_counting(&calls), folded_of);
        assert_eq!(first.len(), 101);
        assert_eq!(first[0], "mot");
        with_folded_words(&description, fold_counting(&calls), folded_of);
        assert_eq!(*calls.borrow(), 2);
        let again = with_folded_words(&body, fold_counting(&calls), folded_of);
        assert_eq!((again, *calls.borrow()), (first.clone(), 2));
        with_folded_words(&other, fold_counting(&calls), folded_of);
        with_folded_words(&body, fold_counting(&calls), folded_of);
        assert_eq!(*calls.borrow(), 3, "the body was used last but one");
        with_folded_words(&description, fold_counting(&calls), folded_of);
        assert_eq!(*calls.borrow(), 4, "the description was pushed out");
    }

    #[test]
    fn short_texts_are_folded_each_time() {
        let calls = RefCell::new(0);
        for _ in 0..2 {
            let words = with_folded_words("Un titre", fold_counting(&calls), folded_of);
            assert_eq!(words, ["un", "titre"]);
        }
        assert_eq!(*calls.borrow(), 2);
    }
}
