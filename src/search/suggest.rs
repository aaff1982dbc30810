//! The index vocabulary, for "did you mean" respellings and search-as-you-type completions.
//!
//! Built once per commit from the term dictionaries of the folded (unstemmed) fields and the
//! title column, then queried in memory: a completion is a binary search, a respelling a
//! bounded edit-distance scan.

use std::collections::HashMap;

use crate::analysis::{self, fold, Mode};
use crate::schema::Fields;

use super::columns::{DecodedColumn, Segments};
use super::query::{Occurrence, ParsedQuery};

/// Words seen in fewer documents than this are not offered as respellings (they are often
/// typos themselves).
const MIN_RESPELL_DOCS: u32 = 2;

/// Folded words and titles of the index.
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// Folded words, sorted, with the number of documents that have them.
    words: Vec<(String, u32)>,
    /// (folded title, title), sorted by folded title.
    titles: Vec<(String, String)>,
}

impl Vocabulary {
    /// Reads the vocabulary of the searcher's commit.
    /// Titles come from the segments' decoded title columns, `columns`.
    pub fn build(searcher: &tantivy::Searcher, fields: &Fields, columns: &Segments) -> Vocabulary {
        let mut counts: HashMap<String, u32> = HashMap::new();
        let mut titles = Vec::new();
        for segment in searcher.segment_readers() {
            let text_fields = fields.parts.iter();
            for field in text_fields.flat_map(|part| [part.title_exact, part.body_exact]) {
                let Ok(inverted) = segment.inverted_index(field) else {
                    continue;
                };
                let Ok(mut stream) = inverted.terms().stream() else {
                    continue;
                };
                while stream.advance() {
                    if let Ok(word) = std::str::from_utf8(stream.key()) {
                        let entry = counts.entry(word.to_string()).or_insert(0);
                        *entry = (*entry).max(stream.value().doc_freq);
                    }
                }
            }
            let decoded = columns
                .get(&segment.segment_id())
                .and_then(|c| c.title.as_ref());
            for title in decoded.map(DecodedColumn::terms).unwrap_or_default() {
                titles.push((fold(title), title.clone()));
            }
        }
        let mut words: Vec<(String, u32)> = counts.into_iter().collect();
        words.sort();
        titles.sort();
        titles.dedup();
        Vocabulary { words, titles }
    }

    fn doc_freq(&self, word: &str) -> u32 {
        self.words
            .binary_search_by(|(w, _)| w.as_str().cmp(word))
            .map_or(0, |i| self.words[i].1)
    }

    /// The closest frequent word within one edit (two for long words), if `word` is unknown.
    fn closest(&self, word: &str) -> Option<&str> {
        let length = word.chars().count();
        let max_edits = if length >= 8 { 2 } else { 1 };
        let mut best: Option<(usize, u32, &str)> = None;
        for (candidate, freq) in &self.words {
            if *freq < MIN_RESPELL_DOCS || candidate.len().abs_diff(word.len()) > max_edits {
                continue;
            }
            if let Some(distance) = bounded_levenshtein(word, candidate, max_edits) {
                let better =
                    best.is_none_or(|(d, f, _)| distance < d || (distance == d && *freq > f));
                if better {
                    best = Some((distance, *freq, candidate));
                }
            }
        }
        best.map(|(_, _, w)| w)
    }

    /// The query with its unknown words replaced by their closest known ones, or `None` when
    /// every word is known or nothing close exists.
    pub fn respell(&self, parsed: &ParsedQuery) -> Option<String> {
        let mut changed = false;
        let mut parts = Vec::new();
        for clause in parsed
            .clauses
            .iter()
            .filter(|c| c.occurrence != Occurrence::MustNot)
        {
            let mut words = Vec::new();
            for word in analysis::terms(Mode::Exact, &clause.text) {
                if self.doc_freq(&word) == 0 {
                    if let Some(replacement) = self.closest(&word) {
                        changed = true;
                        words.push(replacement.to_string());
                        continue;
                    }
                }
                words.push(word);
            }
            parts.push(words.join(" "));
        }
        changed.then(|| parts.join(" "))
    }

    /// The query's words without the one found in the fewest documents (a stop word is
    /// never the one), for a query of two words or more that found little; `None` otherwise.
    /// Phrases and excluded words are left out of the broader query.
    pub fn without_rarest(&self, parsed: &ParsedQuery) -> Option<String> {
        // Each word with the documents it is in; `None` for a stop word.
        let words: Vec<(&str, Option<u32>)> = parsed
            .clauses
            .iter()
            .filter(|c| c.occurrence != Occurrence::MustNot && !c.phrase)
            .map(|c| {
                let terms = analysis::terms(Mode::Exact, &c.text);
                let counted = terms.iter().filter(|t| !analysis::is_stop_word(t));
                (c.text.as_str(), counted.map(|t| self.doc_freq(t)).min())
            })
            .collect();
        if words.iter().filter(|(_, freq)| freq.is_some()).count() < 2 {
            return None;
        }
        let rarest = (0..words.len())
            .filter(|&i| words[i].1.is_some())
            .min_by_key(|&i| words[i].1)?;
        let kept: Vec<&str> = (0..words.len())
            .filter(|&i| i != rarest)
            .map(|i| words[i].0)
            .collect();
        Some(kept.join(" "))
    }

    /// Completions of `prefix`: titles that start with it, then titles with a word starting
    /// with its last word, then frequent words completing its last word.
    pub fn complete(&self, prefix: &str, limit: usize) -> Vec<String> {
        let folded = fold(prefix.trim());
        if folded.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<String> = Vec::new();
        let push = |text: &str, out: &mut Vec<String>| {
            if out.len() < limit && !out.iter().any(|o| o == text) {
                out.push(text.to_string());
            }
        };
        let start = self
            .titles
            .partition_point(|(f, _)| f.as_str() < folded.as_str());
        for (folded_title, title) in &self.titles[start..] {
            if !folded_title.starts_with(&folded) || out.len() >= limit {
                break;
            }
            push(title, &mut out);
        }
        let (head, last) = match folded.rsplit_once(' ') {
            Some((head, last)) => (Some(head), last),
            None => (None, folded.as_str()),
        };
        if head.is_none() && last.chars().count() >= 3 {
            for (folded_title, title) in &self.titles {
                if out.len() >= limit {
                    break;
                }
                if folded_title
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| w.starts_with(last))
                {
                    push(title, &mut out);
                }
            }
        }
        let start = self.words.partition_point(|(w, _)| w.as_str() < last);
        let mut completions: Vec<&(String, u32)> = self.words[start..]
            .iter()
            .take_while(|(w, _)| w.starts_with(last))
            .collect();
        completions.sort_by_key(|entry| std::cmp::Reverse(entry.1));
        for (word, _) in completions {
            let text = match head {
                Some(head) => format!("{head} {word}"),
                None => word.clone(),
            };
            push(&text, &mut out);
        }
        out
    }
}

/// Levenshtein distance between `a` and `b` if it is at most `max`, else `None`.
fn bounded_levenshtein(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        let mut row_min = current[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            current[j + 1] = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
            row_min = row_min.min(current[j + 1]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = previous[b.len()];
    (distance <= max).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        let mut words: Vec<(String, u32)> = [
            ("boulanger", 12),
            ("boulangerie", 5),
            ("boule", 1),
            ("electricien", 7),
            ("formation", 40),
        ]
        .into_iter()
        .map(|(w, n)| (w.to_string(), n))
        .collect();
        words.sort();
        let mut titles: Vec<(String, String)> =
            ["Boulanger / Boulangère", "Électricien / Électricienne"]
                .into_iter()
                .map(|t| (fold(t), t.to_string()))
                .collect();
        titles.sort();
        Vocabulary { words, titles }
    }

    #[test]
    fn the_broader_query_drops_the_rarest_word() {
        let v = vocabulary();
        let broader = |q: &str| v.without_rarest(&crate::search::query::parse(q));
        assert_eq!(
            broader("formation de boulanger xylophone").as_deref(),
            Some("formation de boulanger")
        );
        assert_eq!(
            broader("Boulangerie formation").as_deref(),
            Some("formation")
        );
        // The stop word "de" is never the rarest; one word, or a phrase, has no broader form.
        assert_eq!(broader("de formation"), None);
        assert_eq!(broader("formation"), None);
        assert_eq!(broader("\"formation boulanger\""), None);
        assert_eq!(
            broader("formation -boulanger electricien").as_deref(),
            Some("formation")
        );
    }

    #[test]
    fn respells_unknown_words_only() {
        let vocabulary = vocabulary();
        let parsed = super::super::query::parse("boulangr formation");
        assert_eq!(
            vocabulary.respell(&parsed).as_deref(),
            Some("boulanger formation")
        );
        assert_eq!(
            vocabulary.respell(&super::super::query::parse("formation")),
            None
        );
        assert_eq!(
            vocabulary.respell(&super::super::query::parse("xyzzyx")),
            None
        );
    }

    #[test]
    fn completes_titles_then_words() {
        let vocabulary = vocabulary();
        assert_eq!(
            vocabulary.complete("boul", 3),
            ["Boulanger / Boulangère", "boulanger", "boulangerie"]
        );
        assert_eq!(
            vocabulary.complete("elec", 5)[0],
            "Électricien / Électricienne"
        );
        assert_eq!(
            vocabulary.complete("formation boul", 2),
            ["formation boulanger", "formation boulangerie"]
        );
        assert!(vocabulary.complete("   ", 5).is_empty());
    }

    #[test]
    fn levenshtein_is_bounded() {
        assert_eq!(bounded_levenshtein("boulangr", "boulanger", 1), Some(1));
        assert_eq!(bounded_levenshtein("chat", "chien", 1), None);
        assert_eq!(bounded_levenshtein("", "ab", 2), Some(2));
    }
}
