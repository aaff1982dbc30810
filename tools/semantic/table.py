"""The static table's binary format, and a text's vector from it.

Little-endian throughout (README.md, "The table", is the specification):

    offset  size        field
    0       8           magic  b"SPOSEM\\x00\\x01"  (the last byte is the format version)
    8       4  u32      flags  (bit 0: the text is lowercased before segmentation)
    12      4  u32      n      number of pieces
    16      4  u32      dims   dimensions of every vector
    20      4  f32      unk_score  log-probability of an unknown character
    24      4  u32      blob_len   bytes of piece text
    28      4n f32      scores     unigram log-probability of each piece
    ..      4n f32      scales     each vector's scale
    ..      n·dims i8   values     vector i is scales[i] · values[i·dims .. (i+1)·dims]
    ..      4(n+1) u32  offsets    piece i is blob[offsets[i] .. offsets[i+1]]
    ..      blob_len    blob       the pieces' UTF-8 text, in table order
    end                 nothing may follow

Pieces are distinct, non-empty, in the model's id order; scores and scales are finite, scales
positive; offsets start at 0, never decrease and end at blob_len.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from tokenizer import UNKNOWN, Tokenizer

MAGIC = b"SPOSEM\x00\x01"
HEADER = struct.Struct("<8sIIIfI")
LOWERCASE = 1


@dataclass
class Table:
    pieces: list[str]
    scores: np.ndarray  # f32 [n]
    unk_score: np.float32
    lowercase: bool
    scales: np.ndarray  # f32 [n]
    values: np.ndarray  # i8 [n, dims]

    def tokenizer(self) -> Tokenizer:
        return Tokenizer(self.pieces, self.scores.tolist(), float(self.unk_score), self.lowercase)

    def vectors(self) -> np.ndarray:
        """Dequantised vectors, f32 [n, dims] (scale · value, rounded to f32)."""
        return (self.values.astype(np.float32) * self.scales[:, None]).astype(np.float32)


def encode(t: Table) -> bytes:
    n, dims = t.values.shape
    blob = b"".join(p.encode("utf-8") for p in t.pieces)
    offsets = np.zeros(n + 1, dtype="<u4")
    offsets[1:] = np.cumsum([len(p.encode("utf-8")) for p in t.pieces])
    flags = LOWERCASE if t.lowercase else 0
    return b"".join([
        HEADER.pack(MAGIC, flags, n, dims, float(t.unk_score), len(blob)),
        t.scores.astype("<f4").tobytes(),
        t.scales.astype("<f4").tobytes(),
        t.values.astype(np.int8).tobytes(),
        offsets.tobytes(),
        blob,
    ])


def decode(data: bytes) -> Table:
    magic, flags, n, dims, unk_score, blob_len = HEADER.unpack_from(data, 0)
    if magic != MAGIC:
        raise ValueError(f"not a static table (magic {magic!r})")
    at = HEADER.size
    scores = np.frombuffer(data, "<f4", n, at).astype(np.float32)
    at += 4 * n
    scales = np.frombuffer(data, "<f4", n, at).astype(np.float32)
    at += 4 * n
    values = np.frombuffer(data, np.int8, n * dims, at).reshape(n, dims).copy()
    at += n * dims
    offsets = np.frombuffer(data, "<u4", n + 1, at)
    at += 4 * (n + 1)
    blob = data[at : at + blob_len]
    if at + blob_len != len(data):
        raise ValueError("static table: trailing or missing bytes")
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]
    return Table(pieces, scores, np.float32(unk_score), bool(flags & LOWERCASE), scales, values)


class StaticModel:
    """Embeds a text as the L2-normalised sum of its pieces' vectors (f32 arithmetic)."""

    def __init__(self, t: Table):
        self.tokenizer = t.tokenizer()
        self.vectors = t.vectors()
        self.dims = self.vectors.shape[1]

    def embed(self, text: str) -> np.ndarray:
        """The text's unit vector; all zeros when no piece of it is known."""
        total = np.zeros(self.dims, dtype=np.float32)
        for piece in self.tokenizer.encode(text):
            if piece != UNKNOWN:
                total += self.vectors[piece]
        norm = np.float32(np.sqrt(np.dot(total, total)))
        return total / norm if norm > 0 else total
