//! Highlighted snippets: the passages of a document that best show why it matched.
//!
//! Matching is done on analyzed terms, so a highlight survives elision, accents, case and
//! plural ("l’Orientation" highlights for "orientation"). The output is HTML in which only
//! our `<mark>` tags are markup: the document's own text is always escaped.

use std::collections::HashSet;

use serde::Serialize;
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, SegmentReader, Term};

use super::SearchError;
use crate::analysis::{self, Lang, Mode, SpoTokenizer};
use crate::schema::utf8_prefix;

/// Characters of context shown around the matches of one fragment.
const FRAGMENT_CHARS: usize = 220;
/// Most fragments per hit.
pub const MAX_FRAGMENTS: usize = 3;
/// Bytes of a body scanned for matches; longer documents show matches from their first 40 KB.
pub(super) const SCAN_BYTES: usize = 40_000;
/// Matches collected before the scan stops: enough for three fragments of several terms.
const MAX_MATCHES: usize = 64;

/// One highlighted fragment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// Escaped HTML with `<mark>` around matched words.
    pub html: String,
    /// 1-based page number, for paginated documents (PDF).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
}

/// The terms to highlight, per analysis.
#[derive(Clone)]
pub struct Highlighter {
    stems: HashSet<String>,
    tokenizer: SpoTokenizer,
}

impl Highlighter {
    /// Highlights the words of `query_text` as analyzed for documents in `lang`.
    pub fn new(query_text: &str, lang: Lang) -> Highlighter {
        let stems: HashSet<String> = analysis::terms(Mode::Stemmed(lang), query_text)
            .into_iter()
            .collect();
        Highlighter {
            stems,
            tokenizer: SpoTokenizer::new(Mode::Stemmed(lang)),
        }
    }

    /// Byte ranges of matched words in `text` (already normalised, as stored texts are),
    /// at most [`MAX_MATCHES`] of them.
    fn matches(&self, text: &str) -> Vec<(usize, usize, String)> {
        if self.stems.is_empty() {
            return Vec::new();
        }
        let mut tokens = Vec::new();
        self.tokenizer
            .find_terms(text, &self.stems, MAX_MATCHES, &mut tokens);
        tokens
            .into_iter()
            .map(|t| (t.offset_from, t.offset_to, t.text))
            .collect()
    }

    /// The whole of a short text (a title), escaped, with its matches marked.
    pub fn highlight(&self, text: &str) -> String {
        let matches: Vec<(usize, usize)> = self
            .matches(text)
            .into_iter()
            .map(|(a, b, _)| (a, b))
            .collect();
        render(text, 0, text.len(), &matches)
    }

    /// Up to [`MAX_FRAGMENTS`] fragments of `body`, found by scanning its first
    /// [`SCAN_BYTES`]; the start of the text when nothing matches. `page_starts` gives the
    /// page of each fragment.
    pub fn snippets(&self, body: &str, page_starts: &[u64]) -> Vec<Snippet> {
        let scanned = &body[..floor_char_boundary(body, SCAN_BYTES)];
        let matches = self.matches(scanned);
        fragments(scanned, &matches, page_starts)
    }

    /// Up to [`MAX_FRAGMENTS`] fragments of `body` around the matches found in the index:
    /// the positions of the query's terms in `field` for document `doc` of `segment`,
    /// located in the text with the document's word marks. No scan of the text, which is
    /// checked as UTF-8 only as far as the fragments can reach.
    pub fn indexed_snippets(
        &self,
        located: IndexedBody<'_>,
        page_starts: &[u64],
    ) -> Result<Vec<Snippet>, SearchError> {
        let IndexedBody {
            segment,
            doc,
            field,
            body,
            marks,
        } = located;
        let inverted = segment.inverted_index(field)?;
        let mut positions: Vec<(u32, &str)> = Vec::new();
        let mut buffer = Vec::new();
        for stem in &self.stems {
            let term = Term::from_field_text(field, stem);
            let Some(mut postings) = inverted
                .read_postings(&term, IndexRecordOption::WithFreqsAndPositions)
                .map_err(tantivy::TantivyError::from)?
            else {
                continue;
            };
            // A fresh postings list stands on its first document: seeking backwards from a
            // later one is not allowed.
            if postings.doc() <= doc && postings.seek(doc) == doc {
                postings.positions(&mut buffer);
                positions.extend(buffer.iter().map(|&p| (p, stem.as_str())));
            }
        }
        positions.sort_unstable();
        positions.truncate(MAX_MATCHES);
        let sorted: Vec<u32> = positions.iter().map(|&(p, _)| p).collect();
        // The last located word ends before the mark after its own; a fragment ends at most
        // FRAGMENT_CHARS after its first match, so the text beyond is never shown, and a
        // fragment ending before the text does still gets its ellipsis.
        let reach = sorted.last().map_or(0, |&last| {
            let next_mark = last as usize / analysis::WORD_MARK_STRIDE + 1;
            marks.get(next_mark).map_or(body.len(), |&m| m as usize)
        });
        let body = utf8_prefix(body, reach.saturating_add(2 * FRAGMENT_CHARS))?;
        let matches: Vec<(usize, usize, String)> = analysis::locate_words(body, marks, &sorted)
            .into_iter()
            .zip(&positions)
            .map(|((start, end), (_, stem))| (start, end, stem.to_string()))
            .collect();
        Ok(fragments(body, &matches, page_starts))
    }
}

/// Where a document's body is in the index, for [`Highlighter::indexed_snippets`].
pub struct IndexedBody<'a> {
    pub segment: &'a SegmentReader,
    pub doc: DocId,
    /// The body field analysed in the document's language.
    pub field: Field,
    /// The stored body, not yet checked as UTF-8.
    pub body: &'a [u8],
    pub marks: &'a [u32],
}

/// Up to [`MAX_FRAGMENTS`] fragments of `text` around `matches` (byte ranges and terms,
/// in order); the start of the text when there is none.
fn fragments(text: &str, matches: &[(usize, usize, String)], page_starts: &[u64]) -> Vec<Snippet> {
    let page_of = |offset: usize| -> Option<usize> {
        (!page_starts.is_empty()).then(|| {
            page_starts
                .partition_point(|&s| s as usize <= offset)
                .max(1)
        })
    };
    if matches.is_empty() {
        let end = floor_char_boundary(text, FRAGMENT_CHARS);
        if end == 0 {
            return Vec::new();
        }
        return vec![Snippet {
            html: render(text, 0, end, &[]),
            page: page_of(0),
        }];
    }
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    let mut used = vec![false; matches.len()];
    while chosen.len() < MAX_FRAGMENTS {
        let Some((start, end, score)) = best_window(text, matches, &used) else {
            break;
        };
        if score == 0 {
            break;
        }
        for (i, m) in matches.iter().enumerate() {
            if m.0 >= start && m.1 <= end {
                used[i] = true;
            }
        }
        chosen.push((start, end));
    }
    chosen.sort();
    let spans: Vec<(usize, usize)> = matches.iter().map(|(a, b, _)| (*a, *b)).collect();
    chosen
        .into_iter()
        .map(|(start, end)| {
            // The page of a fragment is the page of its first highlighted word.
            let first_match = spans
                .iter()
                .find(|(from, _)| *from >= start)
                .map_or(start, |m| m.0);
            Snippet {
                html: render(text, start, end, &spans),
                page: page_of(first_match),
            }
        })
        .collect()
}

/// The window around an unused match that covers the most distinct matched terms.
fn best_window(
    text: &str,
    matches: &[(usize, usize, String)],
    used: &[bool],
) -> Option<(usize, usize, usize)> {
    // Each match's term as a bit, so that distinct terms are counted without hashing.
    let mut terms: Vec<&str> = Vec::new();
    let bits: Vec<u64> = matches
        .iter()
        .map(|m| {
            let index = terms.iter().position(|t| *t == m.2).unwrap_or_else(|| {
                terms.push(&m.2);
                terms.len() - 1
            });
            1u64 << index.min(63)
        })
        .collect();
    let mut best: Option<(usize, usize, usize)> = None;
    for (i, anchor) in matches.iter().enumerate() {
        if used[i] {
            continue;
        }
        let start = word_start(text, anchor.0.saturating_sub(FRAGMENT_CHARS / 3));
        let end = word_end(text, (start + FRAGMENT_CHARS).min(text.len()));
        // Matches are in text order: those inside the window are one run of them.
        let first = matches[..i].partition_point(|m| m.0 < start);
        let mut distinct = 0u64;
        let mut count = 0;
        for (j, m) in matches.iter().enumerate().skip(first) {
            if m.0 > end {
                break;
            }
            if m.1 <= end && !used[j] {
                distinct |= bits[j];
                count += 1;
            }
        }
        let score = distinct.count_ones() as usize * 10 + count;
        if best.is_none_or(|(_, _, s)| score > s) {
            best = Some((start, end, score));
        }
    }
    best
}

fn floor_char_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Moves `index` back to the start of the word it falls in.
fn word_start(text: &str, index: usize) -> usize {
    let index = floor_char_boundary(text, index);
    text[..index]
        .rfind(char::is_whitespace)
        .map_or(0, |i| i + 1)
}

/// Moves `index` back to the end of the previous whole word.
fn word_end(text: &str, index: usize) -> usize {
    let index = floor_char_boundary(text, index);
    if index >= text.len() {
        return text.len();
    }
    text[..index].rfind(char::is_whitespace).unwrap_or(index)
}

/// Escapes `text[start..end]` and wraps the given spans in `<mark>`; adds ellipses where the
/// fragment cuts the text. Runs of whitespace become one space, in the same pass.
fn render(text: &str, start: usize, end: usize, spans: &[(usize, usize)]) -> String {
    let mut html = String::with_capacity(end - start + 32);
    if start > 0 {
        html.push('…');
    }
    let mut cursor = start;
    for &(from, to) in spans {
        if from < cursor || to > end {
            continue;
        }
        escape_collapsed(&text[cursor..from], &mut html);
        html.push_str("<mark>");
        escape_collapsed(&text[from..to], &mut html);
        html.push_str("</mark>");
        cursor = to;
    }
    escape_collapsed(&text[cursor..end], &mut html);
    if end < text.len() {
        html.push('…');
    }
    html.trim_end_matches(' ').to_string()
}

/// [`escape_into`], with runs of whitespace written as one space (none at the start).
fn escape_collapsed(text: &str, out: &mut String) {
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
        pending_space = false;
        escape_char(c, out);
    }
    if pending_space && !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

/// Escapes the five HTML-significant characters.
pub fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        escape_char(c, out);
    }
}

fn escape_char(c: char, out: &mut String) {
    match c {
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        _ => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_survive_elision_accents_and_plural() {
        let highlighter = Highlighter::new("orientation metier", Lang::Fr);
        assert_eq!(
            highlighter.highlight("L’Orientation et les Métiers"),
            "L’<mark>Orientation</mark> et les <mark>Métiers</mark>"
        );
    }

    #[test]
    fn document_markup_is_escaped() {
        let highlighter = Highlighter::new("script", Lang::Fr);
        let html = highlighter.highlight("<script>alert('x')</script> & co");
        assert_eq!(
            html,
            "&lt;<mark>script</mark>&gt;alert(&#39;x&#39;)&lt;/<mark>script</mark>&gt; &amp; co"
        );
        assert!(!html.contains("<script"));
    }

    #[test]
    fn fragments_carry_their_page_numbers() {
        let page_one = "Introduction générale sans rapport. ".repeat(20);
        let body = format!("{page_one}\n\nLe contrat d'apprentissage est signé avec un employeur.");
        let starts = [0u64, page_one.len() as u64 + 2];
        let snippets = Highlighter::new("apprentissage", Lang::Fr).snippets(&body, &starts);
        assert_eq!(snippets.len(), 1);
        assert_eq!(snippets[0].page, Some(2));
        assert!(
            snippets[0].html.contains("<mark>apprentissage</mark>"),
            "{}",
            snippets[0].html
        );
    }

    #[test]
    fn whitespace_collapses_around_marks_and_ellipses() {
        let text = "  Un   texte\n\tavec  <des>  espaces  ";
        assert_eq!(
            render(text, 2, text.len() - 4, &[(7, 12)]),
            "…Un <mark>texte</mark> avec &lt;des&gt; espac…"
        );
        assert_eq!(
            render(text, 0, text.len(), &[]),
            "Un texte avec &lt;des&gt; espaces"
        );
    }

    #[test]
    fn at_most_three_fragments_and_a_fallback() {
        let body = "Le salaire minimum. ".to_string() + &"Autre texte sans lien ici. ".repeat(30);
        let body = body.repeat(5);
        let snippets = Highlighter::new("salaire", Lang::Fr).snippets(&body, &[]);
        assert!(!snippets.is_empty() && snippets.len() <= MAX_FRAGMENTS);
        assert!(snippets.iter().all(|s| s.page.is_none()));
        let fallback = Highlighter::new("introuvable", Lang::Fr).snippets("Texte court é", &[]);
        assert_eq!(fallback[0].html, "Texte court é");
        assert!(Highlighter::new("x", Lang::Fr).snippets("", &[]).is_empty());
    }
}
