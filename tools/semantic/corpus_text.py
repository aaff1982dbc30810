"""The French text the vocabulary and its frequencies are taken from.

Sources, all read in sorted order so that a rebuild sees the same texts:
- the bundled corpus (`corpus/`): ROME CSVs, service-public XML, travail-emploi JSON, the SPO
  agreement (Markdown only: its other formats are renderings of the same text);
- the real data about to enter the corpus (`../shared/data/`): RNCP 2021 CSVs, ONISEP CSVs,
  the LHÉO sample.
The judged query sets (`shared/eval/`) are never read here.

Every source yields short texts (a CSV cell, an XML paragraph, a JSON string with its HTML
removed). Texts are deduplicated across all sources, so a label repeated on thousands of rows
(`Emploi Blanc`, `niveau4`) counts once; texts without a letter and texts holding a URL (lists of links) are dropped.
"""

from __future__ import annotations

import csv
import html
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

csv.field_size_limit(sys.maxsize)

TAG = re.compile(r"<[^>]+>")
LETTER = re.compile(r"[^\W\d_]")
URL = re.compile(r"https?://|www\.")


def _csv_cells(path: Path, delimiter: str, fix_doubled_quotes: bool = False):
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f, delimiter=delimiter):
            for cell in row:
                yield cell.replace("''", "'") if fix_doubled_quotes else cell


def _xml_texts(path: Path):
    root = ET.parse(path).getroot()
    for element in root.iter():
        for piece in (element.text, element.tail):
            if piece and piece.strip():
                yield piece


def _json_strings(value):
    if isinstance(value, str):
        yield html.unescape(TAG.sub(" ", value))
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)
    elif isinstance(value, dict):
        for key in sorted(value):
            yield from _json_strings(value[key])


def _source_texts(repo: Path, data: Path):
    """Raw texts of every source, in a fixed order."""
    corpus = repo / "corpus"
    for path in sorted((corpus / "rome").glob("*.csv")):
        yield from _csv_cells(path, ",", fix_doubled_quotes=True)
    for path in sorted((corpus / "service-public").rglob("*.xml")):
        yield from _xml_texts(path)
    for path in sorted((corpus / "travail-emploi").glob("*.json")):
        yield from _json_strings(json.loads(path.read_text(encoding="utf-8")))
    for path in sorted((corpus / "spo").glob("*.md")):
        yield from path.read_text(encoding="utf-8").splitlines()
    for path in sorted((data / "rncp-2021").glob("*.csv")):
        yield from _csv_cells(path, ";")
    for path in sorted((data / "onisep").glob("*.csv")):
        yield from _csv_cells(path, ";")
    for path in sorted((data / "lheo").glob("*.xml")):
        yield from _xml_texts(path)


def french_texts(repo: Path, data: Path) -> list[str]:
    """Distinct texts of every source, whitespace collapsed, sorted."""
    seen: set[str] = set()
    for raw in _source_texts(repo, data):
        text = " ".join(raw.split())
        if not text or not LETTER.search(text) or URL.search(text):
            continue
        seen.add(text)
    return sorted(seen)
