"""The static model's tokenizer: the reference implementation the Rust side reproduces.

The algorithm, exactly (README.md, "Tokenisation", says the same in prose):
1. NFKC-normalise the text; if the table says so, lowercase it (`str.lower`).
2. Map to a space (U+0020) the characters SentencePiece treats as spaces: tab, line feed,
   carriage return, form feed, U+1680, U+200B..U+200F, U+2028, U+2029, U+FEFF, U+FFFD and
   U+2581; drop every other control character (general category Cc).
3. Collapse runs of spaces into one and trim spaces at both ends. An empty text has no token.
4. Prepend one space, then write every space as U+2581 ("▁"), SentencePiece's meta-space.
5. Viterbi over characters: best[0] = 0; for each position i in order, for each end
   e = i+1 .. i+max_piece_chars (within the text), in increasing order, if text[i:e] is a
   piece of the vocabulary and best[i] + score(piece) > best[e] (strictly), take it; then,
   if best[i] + unk_score > best[i+1] (strictly), position i+1 is reached by an unknown
   character. Scores are added in double precision (each f32 score widened to f64).
6. Walk back from the end: the pieces in text order; unknown characters have no piece.

This is the XLM-R unigram model's own segmentation (its normaliser is NFKC plus the
whitespace and control rules of step 2) restricted to the pruned vocabulary, so text made of
the words the vocabulary was built from segments as the real tokenizer does.
"""

from __future__ import annotations

import unicodedata

META = "\u2581"
SPACE_LIKE = frozenset(
    "\t\n\r\x0c\u1680\u200b\u200c\u200d\u200e\u200f\u2028\u2029\ufeff\ufffd\u2581"
)
UNKNOWN = -1


def normalize(text: str, lowercase: bool) -> str:
    """Steps 1 to 4: the meta-spaced text the segmentation runs over ("" if no token)."""
    text = unicodedata.normalize("NFKC", text)
    if lowercase:
        text = text.lower()
    kept = []
    for c in text:
        if c in SPACE_LIKE:
            kept.append(" ")
        elif unicodedata.category(c) != "Cc":
            kept.append(c)
    words = [w for w in "".join(kept).split(" ") if w]
    if not words:
        return ""
    return META + META.join(words)


class Tokenizer:
    """Unigram Viterbi over a vocabulary of pieces with their log-probabilities."""

    def __init__(self, pieces: list[str], scores: list[float], unk_score: float, lowercase: bool):
        self.index = {piece: i for i, piece in enumerate(pieces)}
        self.scores = [float(s) for s in scores]
        self.unk_score = float(unk_score)
        self.lowercase = lowercase
        self.max_piece_chars = max(len(p) for p in pieces)

    def encode(self, text: str) -> list[int]:
        """Piece indices of `text` in order; UNKNOWN (-1) for a character no piece covers."""
        s = normalize(text, self.lowercase)
        n = len(s)
        best = [float("-inf")] * (n + 1)
        piece_at = [UNKNOWN] * (n + 1)
        start_at = [0] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            base = best[i]
            for e in range(i + 1, min(n, i + self.max_piece_chars) + 1):
                piece = self.index.get(s[i:e])
                if piece is not None:
                    candidate = base + self.scores[piece]
                    if candidate > best[e]:
                        best[e], piece_at[e], start_at[e] = candidate, piece, i
            candidate = base + self.unk_score
            if candidate > best[i + 1]:
                best[i + 1], piece_at[i + 1], start_at[i + 1] = candidate, UNKNOWN, i
        out = []
        e = n
        while e > 0:
            out.append(piece_at[e])
            e = start_at[e]
        out.reverse()
        return out
