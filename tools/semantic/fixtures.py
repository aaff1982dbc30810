"""The Rust test's reference: fixed texts, their pieces and their vectors from the tool.

`reference-vectors.json` names the table it was made from (its SHA-256), and for each text
the pieces the tokenizer gives (null for an unknown character) and the vector, to 9
significant digits. The Rust side must give the same pieces exactly and the same vector
within 1e-5 per component (summation order may differ in the last bits).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from table import StaticModel, Table
from tokenizer import UNKNOWN

# Fixed texts written for these tests (no judged query text): short and long, accents,
# capitals, spaces to collapse, a ligature, CJK, an empty text. The e5 fixture uses them too.
TEXTS = [
    "Opérateur de prise de vues",
    "certificat de travail",
    "L'apprentissage en CFA : contrat, rémunération et aides à l'embauche",
    "  ÉLECTROBOBINIER\tH/F\n",
    "aide-soignant(e) ﬁche n° 3 — 25 €",
    "prud' hommes",
    "日本語 ☃",
    "",
]


def write(path: Path, table_path: Path, t: Table) -> None:
    model = StaticModel(t)
    cases = []
    for text in TEXTS:
        pieces = [None if p == UNKNOWN else t.pieces[p] for p in model.tokenizer.encode(text)]
        vector = model.embed(text)
        cases.append({"text": text, "pieces": pieces, "vector": [float(f"{x:.9g}") for x in vector]})
    document = {
        "table": table_path.name,
        "table_sha256": hashlib.sha256(table_path.read_bytes()).hexdigest(),
        "tolerance": 1e-5,
        "cases": cases,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
