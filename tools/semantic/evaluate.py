"""Measures the fusion of the lexical ranking with cosine similarity before any Rust exists.

Reads the lexical top-50 of every dev query from a running `spo-search serve` (the JSON API:
`/api/v1/search?q=…&per_page=50`, each hit's `id` and `score`), each document's title and
description from `/api/v1/documents/{id}`, and scores on each judged dev set:
- lexical alone;
- fusion `a·minmax(lexical) + (1−a)·minmax(cosine)` over the lexical candidates, cosine from
  the static table or from the full e5 model;
- with a dense-only fallback (cosine over every document) when the lexical search finds nothing.
`a` is tuned on half A of each set (queries split by a hash of their group: a CDTN query's
variants stay together) and reported on half A and on the held-out half B.

Query texts are only sent to the server and embedded in memory; nothing of them is written
except to the cache directory (`--cache`, outside the repository) and the printed figures.
"""

from __future__ import annotations

import argparse
import copy
import csv
import hashlib
import json
import math
import sys
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

import numpy as np

DEPTH = 50
K = 10
GRID = [round(0.05 * i, 2) for i in range(21)]


# ---------------------------------------------------------------- data


def read_judgments(path: Path) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    queries: dict[str, str] = {}
    relevant: dict[str, dict[str, int]] = defaultdict(dict)
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            queries[row["query_id"]] = row["query"]
            if int(row["grade"]) >= 1:
                relevant[row["query_id"]][row["doc_id"]] = int(row["grade"])
    return queries, dict(relevant)


def half(query_id: str) -> str:
    """'A' (tuning) or 'B' (held out), from a hash of the query's group."""
    group = query_id.split(":")[0] if ":" in query_id else query_id
    return "A" if hashlib.sha256(group.encode()).digest()[0] % 2 == 0 else "B"


def _get(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path, timeout=60) as response:
        return json.load(response)


def lexical_top(base: str, queries: dict[str, str], cache: Path) -> dict[str, list[tuple[str, float]]]:
    """qid → [(doc id, lexical score)] best first, at most DEPTH, cached in `cache`."""
    if cache.exists():
        return {k: [tuple(h) for h in v] for k, v in json.loads(cache.read_text()).items()}
    out = {}
    for qid, text in sorted(queries.items()):
        answer = _get(base, "/api/v1/search?" + urllib.parse.urlencode({"q": text, "per_page": DEPTH}))
        out[qid] = [(h["id"], float(h["score"])) for h in answer["hits"]]
    cache.write_text(json.dumps(out))
    return out


def corpus_ids(corpus: Path) -> list[str]:
    """Every document id of the bundled corpus, from its files (ROME codes, DILA fiches, ...)."""
    ids = []
    with (corpus / "rome" / "unix_referentiel_code_rome_v460_utf8.csv").open(encoding="utf-8") as f:
        ids += ["rome:" + row["code_rome"] for row in csv.DictReader(f)]
    for path in sorted((corpus / "service-public").rglob("*.xml")):
        ids.append(f"sp:{path.parent.name}/{path.stem}")
    for record in json.loads((corpus / "travail-emploi" / "fiches-travail.json").read_text()):
        ids.append("travail:" + record["pubId"])
    ids += ["spo/" + p.name for p in sorted((corpus / "spo").iterdir()) if p.name != "source.toml"]
    return sorted(set(ids))


def documents(base: str, ids: list[str], cache: Path) -> dict[str, dict[str, str]]:
    """id → {title, description}, cached."""
    if cache.exists():
        return json.loads(cache.read_text())
    out = {}
    for doc_id in ids:
        d = _get(base, "/api/v1/documents/" + urllib.parse.quote(doc_id, safe="/:"))
        out[doc_id] = {"title": d.get("title") or "", "description": d.get("description") or ""}
    cache.write_text(json.dumps(out, ensure_ascii=False))
    return out


def passage(doc: dict[str, str]) -> str:
    return f"{doc['title']}. {doc['description']}".strip()


# ---------------------------------------------------------------- metrics


def metrics(ranked: list[str], relevant: dict[str, int]) -> np.ndarray:
    """MRR@10, Recall@10, nDCG@10 (binary gains), P@1 of one ranked list."""
    top = ranked[:K]
    rr = next((1.0 / (r + 1) for r, d in enumerate(top) if d in relevant), 0.0)
    found = sum(1 for d in top if d in relevant)
    dcg = sum(1.0 / math.log2(r + 2) for r, d in enumerate(top) if d in relevant)
    ideal = sum(1.0 / math.log2(r + 2) for r in range(min(len(relevant), K)))
    p1 = 1.0 if top and top[0] in relevant else 0.0
    return np.array([rr, found / len(relevant), dcg / ideal, p1])


def minmax(x: np.ndarray) -> np.ndarray:
    spread = x.max() - x.min() if len(x) else 0.0
    return (x - x.min()) / spread if spread > 0 else np.zeros_like(x)


class Run:
    """One dev set: its lexical candidates and the cosines of query and candidates."""

    def __init__(self, queries, relevant, lexical, doc_ids):
        self.qids = sorted(q for q in queries if q in relevant)
        self.relevant = relevant
        self.lexical = lexical
        self.doc_index = {d: i for i, d in enumerate(doc_ids)}
        self.doc_ids = doc_ids

    def ranking(self, qid, a, qvec=None, dvecs=None, fallback=False) -> list[str]:
        hits = self.lexical[qid]
        if not hits:
            if fallback and qvec is not None and np.any(qvec):
                order = np.argsort(-(dvecs @ qvec), kind="stable")[:K]
                return [self.doc_ids[i] for i in order]
            return []
        ids = [h[0] for h in hits]
        if qvec is None or a >= 1.0:
            return ids
        lex = minmax(np.array([h[1] for h in hits]))
        cos = np.array([float(dvecs[self.doc_index[d]] @ qvec) if d in self.doc_index else 0.0 for d in ids])
        fused = a * lex + (1 - a) * minmax(cos)
        order = sorted(range(len(ids)), key=lambda i: (-fused[i], i))
        return [ids[i] for i in order]

    def restricted(self, qids) -> "Run":
        """The same run over a sample of its queries."""
        sample = copy.copy(self)
        sample.qids = qids
        return sample

    def score(self, qids, a, qvecs=None, dvecs=None, fallback=False) -> np.ndarray:
        total = np.zeros(4)
        for qid in qids:
            qvec = None if qvecs is None else qvecs[qid]
            total += metrics(self.ranking(qid, a, qvec, dvecs, fallback), self.relevant[qid])
        return total / max(len(qids), 1)


def tune(runs, halves, qvecs, dvecs) -> float:
    """The grid's `a` with the best mean MRR@10 over the given sets' A halves (ties: larger a)."""
    def mean_mrr(a):
        return sum(run.score(halves[name]["A"], a, qvecs[name], dvecs)[0] for name, run in runs.items()) / len(runs)
    return max(GRID, key=lambda a: (mean_mrr(a), a))


def fmt(m: np.ndarray) -> str:
    return "MRR {:.3f}  R@10 {:.3f}  nDCG {:.3f}  P@1 {:.3f}".format(*m)


def report_model(label, runs, halves, qvecs, dvecs, a_joint, out) -> None:
    """Prints and records lexical vs fused (± fallback) per set and half, for the joint `a`
    and for `a` tuned on that set's A half alone."""
    for name, run in runs.items():
        a_own = tune({name: run}, halves, qvecs, dvecs)
        entry = out.setdefault(name, {}).setdefault(label, {"a_joint": a_joint, "a_own": a_own})
        print(f"{name} · {label}: a = {a_joint} (tuned on both A halves), {a_own} (on this A half)")
        for h, qs in (("A", halves[name]["A"]), ("B", halves[name]["B"]), ("all", run.qids)):
            lexical = run.score(qs, 1.0)
            fused = run.score(qs, a_joint, qvecs[name], dvecs, fallback=True)
            fused_own = run.score(qs, a_own, qvecs[name], dvecs, fallback=True)
            no_fallback = run.score(qs, a_joint, qvecs[name], dvecs)
            entry[h] = {"queries": len(qs), "lexical": lexical.tolist(), "fused": fused.tolist(),
                        "fused_no_fallback": no_fallback.tolist(), "fused_own_a": fused_own.tolist()}
            print(f"  {h:>3} ({len(qs):4}) lexical          {fmt(lexical)}")
            print(f"  {h:>3}        fused+fallback   {fmt(fused)}   ΔMRR {fused[0] - lexical[0]:+.4f}"
                  f"   (no fallback {no_fallback[0] - lexical[0]:+.4f}, own a {fused_own[0] - lexical[0]:+.4f})")


# ---------------------------------------------------------------- main


def main() -> int:
    here = Path(__file__).resolve().parent
    repo = here.parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="http://127.0.0.1:18716")
    parser.add_argument("--corpus", type=Path, default=repo / "corpus")
    parser.add_argument("--eval", type=Path, default=repo.parent / "shared" / "eval")
    parser.add_argument("--table", type=Path, action="append", default=[], help="static table(s) to score")
    parser.add_argument("--cache", type=Path, required=True, help="folder for fetched results (outside the repo)")
    parser.add_argument("--e5", action="store_true", help="also score the full e5 model (needs --engine, --model)")
    parser.add_argument("--e5-sample", type=int, default=1000, help="queries per set for e5 (0: all)")
    parser.add_argument("--engine", type=Path)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)

    from table import StaticModel, decode

    ids = corpus_ids(args.corpus)
    docs = documents(args.server, ids, args.cache / "documents.json")
    doc_ids = sorted(docs)
    passages = [passage(docs[d]) for d in doc_ids]
    report: dict = {}

    sets = {}
    for set_file in sorted(args.eval.glob("*-dev.tsv")):
        name = set_file.name.removesuffix("-dev.tsv")
        queries, relevant = read_judgments(set_file)
        run = Run(queries, relevant, lexical_top(args.server, queries, args.cache / f"lexical-{name}.json"), doc_ids)
        sets[name] = (queries, run)
    runs = {name: run for name, (_, run) in sets.items()}
    halves = {name: {h: [q for q in run.qids if half(q) == h] for h in "AB"} for name, run in runs.items()}
    for name, run in runs.items():
        no_hit = sum(1 for q in run.qids if not run.lexical[q])
        print(f"{name}: {len(run.qids)} queries (A {len(halves[name]['A'])}, B {len(halves[name]['B'])}), "
              f"{no_hit} with no lexical hit")

    for path in args.table:
        model = StaticModel(decode(path.read_bytes()))
        started = time.perf_counter()
        dvecs = np.stack([model.embed(p) for p in passages])
        doc_us = (time.perf_counter() - started) / len(passages) * 1e6
        started = time.perf_counter()
        qvecs = {name: {q: model.embed(queries[q]) for q in sets[name][1].qids} for name, (queries, _) in sets.items()}
        n_queries = sum(len(v) for v in qvecs.values())
        query_us = (time.perf_counter() - started) / n_queries * 1e6
        a = tune(runs, halves, qvecs, dvecs)
        print(f"\n== static table {path.name} ({path.stat().st_size} bytes): embedding in Python "
              f"{query_us:.0f} µs per query, {doc_us:.0f} µs per passage")
        report[path.name] = {"embed_query_us_python": query_us, "embed_passage_us_python": doc_us}
        report_model(path.name, runs, halves, qvecs, dvecs, a, report)

    if args.e5:
        from engine import Engine

        e5 = Engine(args.engine, args.model)
        cached = args.cache / "e5-passages.npy"
        if cached.exists():
            e5_docs = np.load(cached)
        else:
            e5_docs = e5.embed(passages, is_query=False)
            np.save(cached, e5_docs)
        qvecs = {}
        samples = {}
        embedded = 0
        started = time.perf_counter()
        for name, (queries, run) in sets.items():
            by_hash = sorted(run.qids, key=lambda q: hashlib.sha256(q.encode()).hexdigest())
            sample = run.qids if args.e5_sample == 0 else sorted(by_hash[: args.e5_sample])
            samples[name] = sample
            cached = args.cache / f"e5-queries-{name}-{len(sample)}.npy"
            if cached.exists():
                vectors = np.load(cached)
            else:
                vectors = e5.embed([queries[q] for q in sample], is_query=True)
                embedded += len(sample)
                np.save(cached, vectors)
            qvecs[name] = dict(zip(sample, vectors))
        elapsed = time.perf_counter() - started
        sample_runs = {name: run.restricted(samples[name]) for name, run in runs.items()}
        sample_halves = {name: {h: [q for q in samples[name] if half(q) == h] for h in "AB"} for name in runs}
        a = tune(sample_runs, sample_halves, qvecs, e5_docs)
        cost = f"{elapsed / embedded * 1e3:.1f} ms per query, batched" if embedded else "query vectors cached"
        print(f"\n== full e5 ({cost})")
        report["e5"] = {"embed_query_ms_batched": elapsed / embedded * 1e3 if embedded else None}
        report_model("e5", sample_runs, sample_halves, qvecs, e5_docs, a, report)

    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
