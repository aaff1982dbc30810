//! Highlighted snippets: the passages of a document that best show why it matched.
//!
//! Matching is done on analyzed terms, so a highlight survives elision, accents, case and
//! plural ("l’Orientation" highlights for "orientation"). The output is HTML in which only
//! our `<mark>` tags are markup: the document's own text is always escaped.

mod fragment;

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

use serde::Serialize;
use tantivy::index::{InvertedIndexReader, SegmentId};
use tantivy::postings::Postings;
use tantivy::postings::TermInfo;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::Token;
use tantivy::{DocId, DocSet, SegmentReader, Term};

use self::fragment::{choose_anchors, floor_char_boundary, Occurrence, Part, Window};
use super::SearchError;
use crate::analysis::{self, Mode, SpoTokenizer, WORD_MARK_STRIDE};
use crate::model::Lang;
use crate::tantivy_format::stored::{utf8_prefix, StoredError};

/// Most fragments per hit.
pub const MAX_FRAGMENTS: usize = 3;
/// Bytes of a body scanned for matches; longer documents show matches from their first 40 KB.
pub(super) const SCAN_BYTES: usize = 40_000;
/// Matches collected before the scan stops: enough for three fragments of several terms.
const MAX_MATCHES: usize = 64;
/// Words read around a fragment's match in a stored body at first: about the fragment's
/// length in French text, before rounding out to the word marks.
const WORDS_READ_BEFORE: usize = 12;
const WORDS_READ_AFTER: usize = 24;

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
    /// Per segment and body field, the stems' entries in the term dictionary, looked up for
    /// the first hit of the segment only.
    looked_up: RefCell<Vec<SegmentTerms>>,
}

/// A segment's body field and where each stem's postings are (in `stems` order).
#[derive(Clone)]
struct SegmentTerms {
    segment: SegmentId,
    field: Field,
    inverted: Arc<InvertedIndexReader>,
    terms: Vec<Option<TermInfo>>,
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
            looked_up: RefCell::new(Vec::new()),
        }
    }

    /// The matched words of `text` (already normalised, as stored texts are), at most
    /// [`MAX_MATCHES`] of them.
    fn matches(&self, text: &str) -> Vec<Token> {
        let mut tokens = Vec::new();
        if !self.stems.is_empty() {
            self.tokenizer
                .find_terms(text, &self.stems, MAX_MATCHES, &mut tokens);
        }
        tokens
    }

    /// The whole of a short text (a title), escaped, with its matches marked.
    pub fn highlight(&self, text: &str) -> String {
        let spans: Vec<(usize, usize)> = self
            .matches(text)
            .iter()
            .map(|t| (t.offset_from, t.offset_to))
            .collect();
        Part::whole(text).render(0, text.len(), &spans)
    }

    /// A summary (a document's description): whole with its matches marked when it is no
    /// longer than two fragments, else its best fragments.
    pub fn summary(&self, text: &str) -> Vec<Snippet> {
        if text.len() <= 2 * fragment::FRAGMENT_BYTES {
            vec![Snippet {
                html: self.highlight(text),
                page: None,
            }]
        } else {
            self.snippets(text, &[])
        }
    }

    /// Up to [`MAX_FRAGMENTS`] fragments of `body`, found by scanning its first
    /// `SCAN_BYTES`; the start of the text when nothing matches. `page_starts` gives the
    /// page of each fragment.
    pub fn snippets(&self, body: &str, page_starts: &[u64]) -> Vec<Snippet> {
        let part = Part::whole(&body[..floor_char_boundary(body, SCAN_BYTES)]);
        let tokens = self.matches(part.text);
        let occurrences: Vec<Occurrence<'_>> = tokens
            .iter()
            .map(|t| Occurrence {
                position: u32::try_from(t.position).unwrap_or(u32::MAX),
                term: &t.text,
            })
            .collect();
        let spans: Vec<(usize, usize)> = tokens
            .iter()
            .map(|t| (t.offset_from, t.offset_to))
            .collect();
        let anchors = choose_anchors(&occurrences, MAX_FRAGMENTS);
        if anchors.is_empty() {
            return opening_of(part, page_starts);
        }
        let mut snippets: Vec<Snippet> = anchors
            .into_iter()
            .filter_map(|anchor| match part.window(spans[anchor].0) {
                Window::Within(start, end) => Some(snippet(part, start, end, &spans, page_starts)),
                // A whole text has nothing before or after it.
                Window::NeedsBefore | Window::NeedsAfter => None,
            })
            .collect();
        // A heading's match and a match under it show the same block once.
        snippets.dedup_by(|a, b| a.html == b.html);
        snippets
    }

    /// Up to [`MAX_FRAGMENTS`] fragments of `body` around the matches found in the index:
    /// the positions of the query's terms in `field` for document `doc` of `segment`; none
    /// when the body holds none of them ([`opening`] is then a choice of the caller).
    /// Fragments are chosen from the positions; only the text around each one is read,
    /// from the document's word marks, and checked as UTF-8.
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
        let looked_up = self.segment_terms(segment, field)?;
        let mut occurrences: Vec<Occurrence<'_>> = Vec::new();
        let mut buffer = Vec::new();
        for (stem, info) in self.stems.iter().zip(&looked_up.terms) {
            let Some(info) = info else {
                continue;
            };
            let mut postings = looked_up
                .inverted
                .read_postings_from_terminfo(info, IndexRecordOption::WithFreqsAndPositions)
                .map_err(tantivy::TantivyError::from)?;
            // A fresh postings list stands on its first document: seeking backwards from a
            // later one is not allowed.
            if postings.doc() <= doc && postings.seek(doc) == doc {
                postings.positions(&mut buffer);
                occurrences.extend(buffer.iter().map(|&position| Occurrence {
                    position,
                    term: stem.as_str(),
                }));
            }
        }
        occurrences.sort_unstable_by_key(|o| (o.position, o.term));
        occurrences.truncate(MAX_MATCHES);
        let anchors = choose_anchors(&occurrences, MAX_FRAGMENTS);
        let located = StoredBody { body, marks };
        let mut snippets = Vec::with_capacity(anchors.len());
        for anchor in anchors {
            if let Some(snippet) = located.fragment(&occurrences, anchor, page_starts)? {
                snippets.push(snippet);
            }
        }
        // A heading's match and a match under it show the same block once.
        snippets.dedup_by(|a: &mut Snippet, b: &mut Snippet| a.html == b.html);
        Ok(snippets)
    }

    /// The stems' entries in the term dictionary of `field` in `segment`, looked up once.
    fn segment_terms(
        &self,
        segment: &SegmentReader,
        field: Field,
    ) -> Result<SegmentTerms, SearchError> {
        let id = segment.segment_id();
        let found = |all: &Vec<SegmentTerms>| {
            all.iter()
                .find(|t| t.segment == id && t.field == field)
                .cloned()
        };
        if let Some(known) = found(&self.looked_up.borrow()) {
            return Ok(known);
        }
        let inverted = segment.inverted_index(field)?;
        let terms = self
            .stems
            .iter()
            .map(|stem| inverted.get_term_info(&Term::from_field_text(field, stem)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(tantivy::TantivyError::from)?;
        let looked_up = SegmentTerms {
            segment: id,
            field,
            inverted,
            terms,
        };
        self.looked_up.borrow_mut().push(looked_up.clone());
        Ok(looked_up)
    }
}

/// A stored body and its word marks, read a stretch at a time.
struct StoredBody<'a> {
    body: &'a [u8],
    marks: &'a [u32],
}

impl StoredBody<'_> {
    /// The fragment around `occurrences[anchor]`, from the stretch of the body between the
    /// word marks around it, widened (doubling) while the fragment may reach beyond it;
    /// `None` when the marks do not reach the match.
    fn fragment(
        &self,
        occurrences: &[Occurrence<'_>],
        anchor: usize,
        page_starts: &[u64],
    ) -> Result<Option<Snippet>, SearchError> {
        let position = occurrences[anchor].position as usize;
        let mut first_mark = position.saturating_sub(WORDS_READ_BEFORE) / WORD_MARK_STRIDE;
        let mut end_mark = (position + WORDS_READ_AFTER) / WORD_MARK_STRIDE + 1;
        let mut widening = 1;
        loop {
            let Some(&first_offset) = self.marks.get(first_mark) else {
                return Ok(None);
            };
            let base = if first_mark == 0 {
                0
            } else {
                first_offset as usize
            };
            let end = self
                .marks
                .get(end_mark)
                .map_or(self.body.len(), |&m| m as usize);
            let raw = self.body.get(base..end).ok_or(StoredError::Malformed)?;
            let part = Part {
                text: std::str::from_utf8(raw).map_err(|_| StoredError::NotUtf8)?,
                base,
                total: self.body.len(),
            };
            // Every occurrence among the stretch's words, located from its marks.
            let (first_word, end_word) =
                (first_mark * WORD_MARK_STRIDE, end_mark * WORD_MARK_STRIDE);
            let inside = occurrences.partition_point(|o| (o.position as usize) < first_word)
                ..occurrences.partition_point(|o| (o.position as usize) < end_word);
            let local_marks: Vec<u32> = self.marks[first_mark..end_mark.min(self.marks.len())]
                .iter()
                .map(|&m| m.saturating_sub(base as u32))
                .collect();
            let relative: Vec<u32> = occurrences[inside.clone()]
                .iter()
                .map(|o| o.position - first_word as u32)
                .collect();
            let spans = analysis::locate_words(part.text, &local_marks, &relative);
            let Some(&(anchor_start, _)) = spans.get(anchor - inside.start) else {
                return Ok(None);
            };
            match part.window(anchor_start) {
                Window::Within(start, end) => {
                    return Ok(Some(snippet(part, start, end, &spans, page_starts)))
                }
                Window::NeedsBefore => first_mark = first_mark.saturating_sub(widening),
                Window::NeedsAfter => end_mark += widening,
            }
            widening *= 2;
        }
    }
}

/// The fragment `start..end` of `part`, its page that of its first highlighted word.
fn snippet(
    part: Part<'_>,
    start: usize,
    end: usize,
    spans: &[(usize, usize)],
    page_starts: &[u64],
) -> Snippet {
    let first_match = spans
        .iter()
        .find(|(from, _)| *from >= start)
        .map_or(start, |m| m.0);
    Snippet {
        html: part.render(start, end, spans),
        page: page_of(page_starts, part.base + first_match),
    }
}

/// The start of a stored `body`, its first block that is not a heading, for a document
/// whose body has none of the query's words.
pub fn opening(body: &[u8], page_starts: &[u64]) -> Result<Vec<Snippet>, SearchError> {
    let part = Part {
        text: utf8_prefix(body, 2 * fragment::FRAGMENT_BYTES)?,
        base: 0,
        total: body.len(),
    };
    Ok(opening_of(part, page_starts))
}

/// The opening of a text, when nothing in it matches.
fn opening_of(part: Part<'_>, page_starts: &[u64]) -> Vec<Snippet> {
    part.opening()
        .map(|html| Snippet {
            html,
            page: page_of(page_starts, 0),
        })
        .into_iter()
        .collect()
}

/// The 1-based page holding byte `offset`, for paginated documents.
fn page_of(page_starts: &[u64], offset: usize) -> Option<usize> {
    (!page_starts.is_empty()).then(|| {
        page_starts
            .partition_point(|&s| s as usize <= offset)
            .max(1)
    })
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

    #[test]
    fn a_short_summary_is_shown_whole_and_a_long_one_by_fragments() {
        let highlighter = Highlighter::new("boulanger", Lang::Fr);
        let short = highlighter.summary("Niveau 3. Remplace : Boulanger.");
        assert_eq!(short.len(), 1);
        assert_eq!(
            short[0].html,
            "Niveau 3. Remplace : <mark>Boulanger</mark>."
        );
        let long = "Un texte sans rapport. ".repeat(40) + "Le boulanger.";
        let fragments = highlighter.summary(&long);
        assert!(fragments[0].html.starts_with('…'), "{}", fragments[0].html);
        assert!(fragments[0].html.contains("<mark>boulanger</mark>"));
    }
}
