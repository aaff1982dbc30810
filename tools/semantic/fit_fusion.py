"""Learns the fusion: coordinate ascent on the ranking weights and the fusion weight
`semantic_lexical`, with the semantic layer on, maximising the mean MRR@10 of the A halves
of the dev sets; prints the figures of every half with the weights found.

    python3 tools/semantic/fit_fusion.py --binary target/release/spo-search --index index

Each evaluation is `spo-search eval --half a --semantic static --weight name=value ...`, so
the queries are read only by `eval` and only the fitted weights come out of them.
"""

from __future__ import annotations

import argparse
import json
import subprocess

SETS = {
    "ROME": "../shared/eval/rome-appellations-dev.tsv",
    "CDTN": "../shared/eval/cdtn-queries-dev.tsv",
}
# The weights searched, with their current defaults (search::rank::Ranking) and steps.
START = {
    "semantic_lexical": 0.6,
    "title_precision": 4.0,
    "title_coverage": -3.0,
    "prior:dossier": -3.0,
    "prior:theme": -3.0,
    "prior:fiche-pratique": 0.5,
    "title": 0.5,
    "headings": 0.15,
    "exact_title": 0.15,
    "phrase_title": 0.5,
}
STEPS = {
    "semantic_lexical": [-0.1, -0.05, 0.05, 0.1],
    "title_precision": [-1.0, -0.5, 0.5, 1.0],
    "title_coverage": [-1.0, -0.5, 0.5, 1.0],
    "prior:dossier": [-1.0, 1.0],
    "prior:theme": [-1.0, 1.0],
    "prior:fiche-pratique": [-0.25, 0.25],
    "title": [-0.2, -0.1, 0.1, 0.2],
    "headings": [-0.1, 0.1],
    "exact_title": [-0.1, 0.1],
    "phrase_title": [-0.2, 0.2],
}


def evaluate(args, weights: dict[str, float], half: str, semantic: str) -> dict[str, float]:
    out = {}
    for name, path in SETS.items():
        command = [args.binary, "eval", "--queries", path, "--index", args.index, "--json",
                   "--half", half, "--semantic", semantic]
        for weight, value in weights.items():
            command += ["--weight", f"{weight}={value:g}"]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        out[name] = json.loads(result.stdout)["mrr@10"]
    return out


def objective(figures: dict[str, float]) -> float:
    return sum(figures.values()) / len(figures)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="target/release/spo-search")
    parser.add_argument("--index", default="index")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    weights = dict(START)
    best = objective(evaluate(args, weights, "a", "static"))
    print(f"start: {best:.4f}", flush=True)
    for round_ in range(args.rounds):
        improved = False
        for name, steps in STEPS.items():
            for step in steps:
                trial = dict(weights)
                trial[name] = round(weights[name] + step, 4)
                if name == "semantic_lexical" and not 0.0 <= trial[name] <= 1.0:
                    continue
                score = objective(evaluate(args, trial, "a", "static"))
                if score > best + 1e-4:
                    best, weights, improved = score, trial, True
                    print(f"round {round_ + 1}: {name}={trial[name]:g} -> {best:.4f}", flush=True)
        if not improved:
            break
    print("fitted:", " ".join(f"--weight {k}={v:g}" for k, v in weights.items() if v != START[k]))
    for label, w, semantic in [("lexical (defaults)", {}, "off"),
                               ("static, a = 0.6", {}, "static"),
                               ("lexical, fitted weights", {k: v for k, v in weights.items()
                                                            if k != "semantic_lexical"}, "off"),
                               ("static, fitted", weights, "static")]:
        for half in "ab":
            figures = evaluate(args, w, half, semantic)
            print(f"{label:26} half {half.upper()}: " +
                  "  ".join(f"{k} {v:.4f}" for k, v in figures.items()), flush=True)


if __name__ == "__main__":
    main()
