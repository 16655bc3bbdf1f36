#!/usr/bin/env python3
"""The KEEL ranking of SMOTE, smote-variants' strongest variants, the
label-consistent filter and the diffusion sampler: `imbalanced bench` over the shared KEEL binary
collection with two classifiers, mean ranks by balanced accuracy,
Friedman's test and Nemenyi's critical difference (Demšar 2006).

    cargo build --release -p imbalanced-cli
    python3 bench/keel_variants.py [--keel ../shared/data/keel/binary] [--models knn,tree]

Prints a Markdown table (mean rank per method and classifier, and over
both) for BENCHMARKS.md, with the methods that failed on a dataset and why
(a failure ranks last there, as `bench` ranks it). Every method runs at its
defaults, except SMOBD (smote-variants' max_eps=1.0 finds no core distance
on most standardised data, so also run with max_eps=1e9, OPTICS' own
default of no limit) and the filter (shortfall=keep: a class short of rows
is returned short rather than failing the fold).
"""
import argparse
import json
import subprocess
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
METHODS = [
    "none", "SMOTE", "polynom_fit_SMOTE_star", "polynom_fit_SMOTE_bus", "polynom_fit_SMOTE_poly",
    "polynom_fit_SMOTE_mesh", "ProWSyn", "SMOTE_IPF", "Lee", "SMOBD", "SMOBD:max_eps=1e9", "G_SMOTE", "CCR",
    "LVQ_SMOTE", "Assembled_SMOTE", "SMOTE_TomekLinks", "LabelConsistentOverSampler:shortfall=keep",
    "DiffusionOverSampler",
]


def run(keel, model):
    cmd = [str(ROOT / "target/release/imbalanced"), "bench", str(keel), "--methods", ",".join(METHODS),
           "--model", model, "--json"]
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout), time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keel", default=str(ROOT.parent / "shared/data/keel/binary"))
    parser.add_argument("--models", default="knn,tree")
    args = parser.parse_args()
    models = args.models.split(",")
    results = {m: run(args.keel, m) for m in models}
    n = len(results[models[0]][0]["datasets"])
    print(f"{n} KEEL binary datasets, 5 stratified folds, balanced accuracy; mean rank (1 = best)\n")
    print("| method | " + " | ".join(models) + " | both |")
    print("|---|" + "---|" * (len(models) + 1))
    both = {m: sum(results[k][0]["average_ranks"][m] for k in models) / len(models) for m in METHODS}
    for m in sorted(METHODS, key=both.get):
        ranks = " | ".join(f"{results[k][0]['average_ranks'][m]:.2f}" for k in models)
        print(f"| {m} | {ranks} | {both[m]:.2f} |")
    print()
    for k in models:
        r, seconds = results[k]
        f = r["friedman"]
        print(f"{k}: Friedman chi2 = {f['chi_square']:.1f}, p = {f['p']:.2g}; Nemenyi critical difference "
              f"{f['critical_difference']:.2f} ranks; {seconds:.0f} s")
        failed = Counter((x["method"], x["reason"].split(":")[0] if "k_neighbors" not in x["reason"]
                          else "a fold's class below k_neighbors + 1")
                         for d in r["datasets"] for x in d["failed"])
        for (method, reason), count in sorted(failed.items()):
            print(f"  {method} failed on {count} datasets ({reason})")


if __name__ == "__main__":
    main()
