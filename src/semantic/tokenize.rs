//! A text as entries of the table: SentencePiece's unigram segmentation restricted to the
//! table's entries, exactly as `tools/semantic/tokenizer.py` (the reference) does it.

use super::table::Table;
use crate::analysis;

/// SentencePiece's meta-space, which marks the start of a word.
const META: char = '\u{2581}';

/// Characters SentencePiece reads as a space.
fn is_space_like(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\r' | '\u{0C}' | '\u{1680}' | '\u{200B}'
            ..='\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFD}' | '\u{2581}'
    )
}

/// Steps 1 to 4: NFKC, lowercase if the table says so, spaces and controls, words joined
/// by the meta-space with one in front; empty when the text has no word.
fn meta_spaced(text: &str, lowercase: bool) -> Vec<char> {
    let normalized = analysis::normalize(text);
    let cased = if lowercase {
        normalized.to_lowercase()
    } else {
        normalized.into_owned()
    };
    let cleaned: String = cased
        .chars()
        .filter_map(|c| {
            if is_space_like(c) {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect();
    let mut out = Vec::with_capacity(cleaned.len() + 1);
    for word in cleaned.split(' ').filter(|w| !w.is_empty()) {
        out.push(META);
        out.extend(word.chars());
    }
    out
}

/// The entries of `text` in order; `None` for a character no entry covers.
pub fn segment(table: &Table, text: &str) -> Vec<Option<u32>> {
    let chars = meta_spaced(text, table.lowercase);
    let n = chars.len();
    let mut best = vec![f64::NEG_INFINITY; n + 1];
    let mut entry: Vec<Option<u32>> = vec![None; n + 1];
    let mut from = vec![0usize; n + 1];
    best[0] = 0.0;
    let mut piece = String::new();
    for i in 0..n {
        let base = best[i];
        piece.clear();
        for e in i + 1..=n.min(i + table.max_chars) {
            piece.push(chars[e - 1]);
            let Some(prefix) = table.prefixes.get(piece.as_str()) else {
                break;
            };
            if let Some(index) = prefix.entry {
                let candidate = base + f64::from(table.scores[index as usize]);
                if candidate > best[e] {
                    best[e] = candidate;
                    entry[e] = Some(index);
                    from[e] = i;
                }
            }
            if !prefix.longer {
                break;
            }
        }
        let candidate = base + f64::from(table.unk_score);
        if candidate > best[i + 1] {
            best[i + 1] = candidate;
            entry[i + 1] = None;
            from[i + 1] = i;
        }
    }
    let mut out = Vec::new();
    let mut e = n;
    while e > 0 {
        out.push(entry[e]);
        e = from[e];
    }
    out.reverse();
    out
}
