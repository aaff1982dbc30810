"""Learns the fusion: coordinate ascent, with the semantic layer on, on the fusion's weights
(`semantic_lexical` and what moves it per query: the query's length, the best lexical
answer's title having every word, its lead, its kind), and with --with-ranking on ranking
weights too, maximising on the A halves of the dev sets the smallest gain in MRR@10 over
lexical search (or with --mean the mean MRR@10); prints the figures of every half with the
weights found, so that B is held out.

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
# The weights searched, with their current defaults (search::rank::Ranking) and steps:
# those of the fusion (the lexical weight and what moves it per query), and with
# --with-ranking the ranking weights too.
FUSION_START = {
    "semantic_lexical": 0.6,
    "semantic_lexical_per_word": 0.0,
    "semantic_lexical_title_hit": 0.0,
    "semantic_lexical_margin": 0.0,
    "semantic_lexical_kind:fiche-metier": 0.0,
    "semantic_lexical_kind:fiche-droits": 0.0,
    "semantic_lexical_kind:fiche-pratique": 0.0,
}
FUSION_STEPS = {
    "semantic_lexical": [-0.1, -0.05, 0.05, 0.1],
    "semantic_lexical_per_word": [-0.05, 0.05, 0.1],
    "semantic_lexical_title_hit": [-0.2, 0.2, 0.4],
    "semantic_lexical_margin": [-0.2, 0.2, 0.4],
    "semantic_lexical_kind:fiche-metier": [-0.2, 0.2],
    "semantic_lexical_kind:fiche-droits": [-0.2, 0.2, 0.4],
    "semantic_lexical_kind:fiche-pratique": [-0.2, 0.2, 0.4],
}
RANKING_START = {
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
RANKING_STEPS = {
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


def objective(figures: dict[str, float], lexical: dict[str, float], worst: bool) -> float:
    """The mean MRR@10 of the sets, or with `worst` the smallest gain over lexical search:
    a fusion that helps one set by hurting the other scores below zero."""
    if worst:
        return min(figures[name] - lexical[name] for name in figures)
    return sum(figures.values()) / len(figures)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="target/release/spo-search")
    parser.add_argument("--index", default="index")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--with-ranking", action="store_true",
                        help="fit the ranking weights too, not only the fusion's")
    parser.add_argument("--mean", action="store_true",
                        help="maximise the mean MRR@10 rather than the smallest gain over lexical")
    args = parser.parse_args()
    START = dict(FUSION_START, **(RANKING_START if args.with_ranking else {}))
    STEPS = dict(FUSION_STEPS, **(RANKING_STEPS if args.with_ranking else {}))
    lexical = evaluate(args, {}, "a", "off")
    worst = not args.mean
    weights = dict(START)
    best = objective(evaluate(args, weights, "a", "static"), lexical, worst)
    print(f"start: {best:.4f}", flush=True)
    for round_ in range(args.rounds):
        improved = False
        for name, steps in STEPS.items():
            for step in steps:
                trial = dict(weights)
                trial[name] = round(weights[name] + step, 4)
                if name == "semantic_lexical" and not 0.0 <= trial[name] <= 1.0:
                    continue
                score = objective(evaluate(args, trial, "a", "static"), lexical, worst)
                if score > best + 1e-4:
                    best, weights, improved = score, trial, True
                    print(f"round {round_ + 1}: {name}={trial[name]:g} -> {best:.4f}", flush=True)
        if not improved:
            break
    print("fitted:", " ".join(f"--weight {k}={v:g}" for k, v in weights.items() if v != START[k]))
    for label, w, semantic in [("lexical (defaults)", {}, "off"),
                               ("static, a = 0.6", {}, "static"),
                               ("lexical, fitted weights", {k: v for k, v in weights.items()
                                                            if not k.startswith("semantic_")},
                                "off"),
                               ("static, fitted", weights, "static")]:
        for half in "ab":
            figures = evaluate(args, w, half, semantic)
            print(f"{label:26} half {half.upper()}: " +
                  "  ".join(f"{k} {v:.4f}" for k, v in figures.items()), flush=True)


if __name__ == "__main__":
    main()
