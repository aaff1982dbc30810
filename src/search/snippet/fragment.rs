//! Fragments: which matches a snippet shows, chosen by word positions, and the escaped text
//! around each one with its matches in `<mark>`.
//!
//! Fragments are chosen from positions alone, so that a snippet built from the index reads
//! and checks only the text around its few chosen matches, not the whole body. A fragment
//! stays inside one block of the text (a heading, a paragraph, a list, a table).

use crate::model::blocks;

/// Bytes of context shown around the matches of one fragment.
pub(super) const FRAGMENT_BYTES: usize = 220;
/// Bytes shown before a fragment's first match.
const LEAD_BYTES: usize = FRAGMENT_BYTES / 3;
/// Words counted before and after a match when choosing fragments: about [`LEAD_BYTES`] and
/// the rest of [`FRAGMENT_BYTES`] of French text.
const WORDS_BEFORE: u32 = 11;
const WORDS_AFTER: u32 = 22;

/// A matched word: its position among the text's words and its term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Occurrence<'a> {
    pub position: u32,
    pub term: &'a str,
}

/// The matches (indexes into `occurrences`, in text order) that anchor the fragments: up to
/// `most`, each the unused match whose surrounding words hold the most distinct terms not
/// shown yet, then the most such matches. `occurrences` are in text order.
pub(super) fn choose_anchors(occurrences: &[Occurrence<'_>], most: usize) -> Vec<usize> {
    // Each occurrence's term as a bit, so that distinct terms are counted without hashing.
    let mut terms: Vec<&str> = Vec::new();
    let bits: Vec<u64> = occurrences
        .iter()
        .map(|o| {
            let index = terms.iter().position(|t| *t == o.term).unwrap_or_else(|| {
                terms.push(o.term);
                terms.len() - 1
            });
            1u64 << index.min(63)
        })
        .collect();
    let window = |anchor: &Occurrence<'_>| {
        let first = anchor.position.saturating_sub(WORDS_BEFORE);
        first..=anchor.position.saturating_add(WORDS_AFTER)
    };
    let mut used = vec![false; occurrences.len()];
    let mut anchors = Vec::new();
    while anchors.len() < most {
        let mut best: Option<(usize, usize)> = None;
        for (i, anchor) in occurrences.iter().enumerate() {
            if used[i] {
                continue;
            }
            let words = window(anchor);
            let first = occurrences[..i].partition_point(|o| o.position < *words.start());
            let (mut distinct, mut count) = (0u64, 0);
            for (j, o) in occurrences.iter().enumerate().skip(first) {
                if o.position > *words.end() {
                    break;
                }
                if !used[j] {
                    distinct |= bits[j];
                    count += 1;
                }
            }
            let score = distinct.count_ones() as usize * 10 + count;
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((i, score));
            }
        }
        let Some((anchor, _)) = best else {
            break;
        };
        let words = window(&occurrences[anchor]);
        for (o, u) in occurrences.iter().zip(&mut used) {
            *u |= words.contains(&o.position);
        }
        anchors.push(anchor);
    }
    anchors.sort_unstable();
    anchors
}

/// A checked part of a text: `text` starts at byte `base` of a text of `total` bytes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Part<'a> {
    pub text: &'a str,
    pub base: usize,
    pub total: usize,
}

/// Where the fragment around a match lies in a [`Part`].
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Window {
    /// From `start` to `end`, bytes of the part.
    Within(usize, usize),
    /// The fragment may begin before the part.
    NeedsBefore,
    /// The fragment may end after the part.
    NeedsAfter,
}

impl Part<'_> {
    /// The whole of `text`.
    pub fn whole(text: &str) -> Part<'_> {
        Part {
            text,
            base: 0,
            total: text.len(),
        }
    }

    /// The fragment around the match at byte `anchor` of the part: from the start of the
    /// word [`LEAD_BYTES`] before it, [`FRAGMENT_BYTES`] long, cut after a whole word, and
    /// never across the blank line that ends a block (a paragraph, a list, a table). A match
    /// in a heading shows the block under it: the heading alone says little.
    pub fn window(&self, anchor: usize) -> Window {
        let text = self.text;
        let mut anchor = floor_char_boundary(text, anchor);
        loop {
            let block = text[..anchor].rfind("\n\n").map_or(0, |i| i + 2);
            if !is_heading_line(&text[block..]) {
                break;
            }
            match text[anchor..].find("\n\n") {
                Some(end) => anchor += end + 2,
                None if self.base + text.len() < self.total => return Window::NeedsAfter,
                None => break,
            }
        }
        let block_start = text[..anchor].rfind("\n\n").map(|i| i + 2);
        let block_end = text[anchor..].find("\n\n").map(|i| anchor + i);
        let mut start = word_start(text, anchor.saturating_sub(LEAD_BYTES));
        if let Some(block_start) = block_start {
            start = start.max(block_start);
        }
        // Without a space in the part before the anchor, the word may begin before it.
        if start == 0 && self.base > 0 {
            return Window::NeedsBefore;
        }
        let limit = block_end.unwrap_or(text.len());
        if block_end.is_none()
            && start + FRAGMENT_BYTES >= text.len()
            && self.base + text.len() < self.total
        {
            return Window::NeedsAfter;
        }
        let end = if start + FRAGMENT_BYTES >= limit {
            limit
        } else {
            word_end(text, start + FRAGMENT_BYTES)
        };
        Window::Within(start, end)
    }

    /// The opening fragment, shown when nothing matches: the first block that is not a
    /// heading, cut to [`FRAGMENT_BYTES`].
    pub fn opening(&self) -> Option<String> {
        let mut start = 0;
        while is_heading_line(&self.text[start..]) {
            match self.text[start..].find("\n\n") {
                Some(end) => start += end + 2,
                None => break,
            }
        }
        let rest = &self.text[start..];
        let block = rest.find("\n\n").unwrap_or(rest.len());
        let end = start + floor_char_boundary(rest, FRAGMENT_BYTES.min(block));
        (end > start).then(|| self.render(start, end, &[]))
    }

    /// `text[start..end]` escaped, the given spans (in order) in `<mark>`, with ellipses
    /// where the fragment cuts a block of the text. Runs of whitespace become one space; the
    /// marks of the block markup ([`blocks`]) are left out.
    pub fn render(&self, start: usize, end: usize, spans: &[(usize, usize)]) -> String {
        let before = &self.text[..start];
        let line_start = (start == 0 && self.base == 0) || before.ends_with('\n');
        let text = blocks::blank_marks(&self.text[start..end], line_start);
        let mut html = String::with_capacity(end - start + 32);
        let block_start = (start == 0 && self.base == 0) || before.ends_with("\n\n");
        if !block_start {
            html.push('…');
        }
        let mut cursor = 0;
        for &(from, to) in spans {
            if from < start + cursor || to > end {
                continue;
            }
            let (from, to) = (from - start, to - start);
            escape_collapsed(&text[cursor..from], &mut html);
            html.push_str("<mark>");
            escape_collapsed(&text[from..to], &mut html);
            html.push_str("</mark>");
            cursor = to;
        }
        escape_collapsed(&text[cursor..], &mut html);
        let block_end = self.text[end..].starts_with("\n\n") || self.base + end >= self.total;
        if !block_end {
            html.push('…');
        }
        let trimmed = html.trim_end_matches(' ').len();
        html.truncate(trimmed);
        html
    }
}

/// Whether `text` begins with a heading line of the block markup.
fn is_heading_line(text: &str) -> bool {
    let hashes = text.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes) && text[hashes..].starts_with(' ')
}

pub(super) fn floor_char_boundary(text: &str, index: usize) -> usize {
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

/// Escapes the five HTML-significant characters of `text` into `out`, with runs of
/// whitespace written as one space (none at the start of `out`). Bytes are scanned, and
/// runs of plain text copied whole: only the lead bytes of non-ASCII spaces are decoded.
fn escape_collapsed(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut pending_space = false;
    // Start of the run of plain text not copied yet.
    let mut plain = 0;
    let mut i = 0;
    while i < bytes.len() {
        // What the byte begins: `None` for plain text, else its escape ("" for a space).
        let special = match bytes[i] {
            b'<' => Some(("&lt;", 1)),
            b'>' => Some(("&gt;", 1)),
            b'&' => Some(("&amp;", 1)),
            b'"' => Some(("&quot;", 1)),
            b'\'' => Some(("&#39;", 1)),
            b'\t'..=b'\r' | b' ' => Some(("", 1)),
            // Lead bytes of U+0085, U+00A0, U+1680, U+2000–U+205F and U+3000.
            0xC2 | 0xE1 | 0xE2 | 0xE3 => text[i..]
                .chars()
                .next()
                .filter(|c| c.is_whitespace())
                .map(|c| ("", c.len_utf8())),
            _ => None,
        };
        let Some((escaped, width)) = special else {
            if pending_space {
                push_space(out);
                pending_space = false;
                plain = i;
            }
            i += 1;
            continue;
        };
        out.push_str(&text[plain..i]);
        i += width;
        plain = i;
        if escaped.is_empty() {
            pending_space = true;
        } else {
            if pending_space {
                push_space(out);
                pending_space = false;
            }
            out.push_str(escaped);
        }
    }
    if pending_space {
        push_space(out);
    } else {
        out.push_str(&text[plain..]);
    }
}

/// One space, unless `out` is empty or already ends with one.
fn push_space(out: &mut String) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(positions: &[(u32, &'static str)]) -> Vec<Occurrence<'static>> {
        positions
            .iter()
            .map(|&(position, term)| Occurrence { position, term })
            .collect()
    }

    #[test]
    fn anchors_prefer_windows_with_more_distinct_terms() {
        // "contrat" alone at 3 and 400; "contrat" and "travail" together at 200.
        let occurrences = at(&[
            (3, "contrat"),
            (200, "contrat"),
            (202, "travail"),
            (400, "contrat"),
        ]);
        assert_eq!(choose_anchors(&occurrences, 1), [1]);
        // The pair is shown once, then the lone matches, in text order.
        assert_eq!(choose_anchors(&occurrences, 3), [0, 1, 3]);
        assert!(choose_anchors(&[], 3).is_empty());
    }

    #[test]
    fn a_window_needs_more_text_when_the_part_cuts_it() {
        let text = "un deux trois quatre";
        let whole = Part::whole(text);
        assert_eq!(whole.window(3), Window::Within(0, text.len()));
        let inner = Part {
            text: "motlong suite",
            base: 10,
            total: 400,
        };
        assert_eq!(inner.window(8), Window::NeedsBefore);
        let text = format!("{}mot fin", "a ".repeat(50));
        let short = Part {
            text: &text,
            base: 10,
            total: 400,
        };
        assert_eq!(short.window(100), Window::NeedsAfter);
        let last = Part {
            total: 10 + text.len(),
            ..short
        };
        assert_eq!(last.window(100), Window::Within(26, text.len()));
    }

    #[test]
    fn whitespace_collapses_around_marks_and_ellipses() {
        let text = "  Un   texte\n\tavec  <des>  espaces  ";
        let part = Part::whole(text);
        assert_eq!(
            part.render(2, text.len() - 4, &[(7, 12)]),
            "…Un <mark>texte</mark> avec &lt;des&gt; espac…"
        );
        assert_eq!(
            part.render(0, text.len(), &[]),
            "Un texte avec &lt;des&gt; espaces"
        );
    }

    /// The definition: escape character by character, whitespace runs as one space.
    fn escape_by_char(text: &str, out: &mut String) {
        let mut pending_space = false;
        for c in text.chars() {
            if c.is_whitespace() {
                pending_space = true;
                continue;
            }
            if pending_space {
                push_space(out);
            }
            pending_space = false;
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                _ => out.push(c),
            }
        }
        if pending_space {
            push_space(out);
        }
    }

    #[test]
    fn escaping_by_runs_equals_escaping_by_character() {
        let pieces = [
            "a", "é", "€", "😀", " ", "\t", "\u{b}", "\u{85}", "\u{a0}", "\u{1680}", "\u{2009}",
            "\u{202f}", "\u{205f}", "\u{3000}", "\u{2060}", "\u{e2}", "<", ">", "&", "\"", "'",
            "Â", "\u{1c}",
        ];
        // Every text of up to three pieces, after an empty and a non-empty output.
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}");
                    for prefix in ["", "x", "x "] {
                        let (mut fast, mut reference) = (prefix.to_string(), prefix.to_string());
                        escape_collapsed(&text, &mut fast);
                        escape_by_char(&text, &mut reference);
                        assert_eq!(fast, reference, "{text:?} after {prefix:?}");
                    }
                }
            }
        }
        let mut out = String::new();
        escape_collapsed("a\u{a0}\u{a0}b 'c' \"d\" é&è ", &mut out);
        assert_eq!(out, "a b &#39;c&#39; &quot;d&quot; é&amp;è ");
    }

    #[test]
    fn fragments_stay_in_their_block_without_marks() {
        let text = "## Conclusion du contrat\n\nVous devez signer | le contrat\n\n- suite";
        let part = Part::whole(text);
        let anchor = text.find("signer").unwrap_or_default();
        let Window::Within(start, end) = part.window(anchor) else {
            panic!("the whole text is there");
        };
        assert_eq!(&text[start..end], "Vous devez signer | le contrat");
        assert_eq!(
            part.render(start, end, &[(anchor, anchor + 6)]),
            "Vous devez <mark>signer</mark> ; le contrat"
        );
        // A match in the heading shows the block under it.
        let heading = text.find("Conclusion").unwrap_or_default();
        assert_eq!(part.window(heading), part.window(anchor));
        let last = Part::whole("Texte.\n\n## Conclusion");
        let Window::Within(start, end) = last.window(10) else {
            panic!("the whole text is there");
        };
        assert_eq!(last.render(start, end, &[]), "Conclusion");
        assert_eq!(
            part.opening().as_deref(),
            Some("Vous devez signer ; le contrat")
        );
        let list = Part::whole("- un\n- deux");
        assert_eq!(list.opening().as_deref(), Some("un deux"));
    }

    #[test]
    fn a_part_inside_a_text_gets_ellipses_from_the_whole_text() {
        let part = Part {
            text: "milieu du texte",
            base: 5,
            total: 40,
        };
        assert_eq!(part.render(0, 6, &[(0, 6)]), "…<mark>milieu</mark>…");
        assert_eq!(Part::whole("").opening(), None);
    }
}
