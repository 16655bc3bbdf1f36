#!/usr/bin/env python3
"""Times `imbalanced evaluate` against imbalanced-learn + scikit-learn's cross_validate, in one run.

    /tmp/bench-venv/bin/python bench/make_data.py 100000
    /tmp/bench-venv/bin/python bench/evaluate.py --sizes 10000 100000

Both sides: 5 methods (none, class_weight="balanced", SMOTE, RandomUnderSampler,
SMOTETomek) x StratifiedKFold(5) of StandardScaler -> [sampler] ->
LogisticRegression(max_iter=1000), scored by balanced accuracy, macro F1, G-mean,
MCC, ROC AUC and average precision. imbalanced-learn runs cross_validate with
n_jobs=2 (both cores, as ours uses); its time excludes loading the CSV, ours is
the whole process (loading included). Prints a Markdown table.
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "target" / "release" / "imbalanced"


def imblearn_seconds(path):
    from imblearn.combine import SMOTETomek
    from imblearn.metrics import geometric_mean_score
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline
    from imblearn.under_sampling import RandomUnderSampler
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import make_scorer, matthews_corrcoef
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.preprocessing import StandardScaler

    table = np.loadtxt(path, delimiter=",", skiprows=1)
    x, y = table[:, :-1], table[:, -1].astype(int)
    scoring = {
        "balanced_accuracy": "balanced_accuracy",
        "f1_macro": "f1_macro",
        "gmean": make_scorer(geometric_mean_score),
        "mcc": make_scorer(matthews_corrcoef),
        "roc_auc": "roc_auc",
        "average_precision": "average_precision",
    }
    methods = {
        "none": [LogisticRegression(max_iter=1000)],
        "balanced": [LogisticRegression(max_iter=1000, class_weight="balanced")],
        "SMOTE": [SMOTE(random_state=0), LogisticRegression(max_iter=1000)],
        "RandomUnderSampler": [RandomUnderSampler(random_state=0), LogisticRegression(max_iter=1000)],
        "SMOTETomek": [SMOTETomek(random_state=0), LogisticRegression(max_iter=1000)],
    }
    start = time.perf_counter()
    means = {}
    for name, steps in methods.items():
        r = cross_validate(make_pipeline(StandardScaler(), *steps), x, y, cv=StratifiedKFold(5), scoring=scoring, n_jobs=2)
        means[name] = float(np.mean(r["test_balanced_accuracy"]))
    return time.perf_counter() - start, means


def ours_seconds(path):
    start = time.perf_counter()
    out = subprocess.run([str(BIN), "evaluate", str(path), "--json"], check=True, capture_output=True).stdout
    seconds = time.perf_counter() - start
    means = {r["method"]: r["metrics"]["balanced_accuracy_score"]["mean"] for r in json.loads(out)["results"]}
    return seconds, means


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "imbalanced-cli"], cwd=ROOT, check=True)
    print("| rows | imblearn + sklearn s | ours s | speed-up | mean balanced accuracy, imblearn / ours |")
    print("|---|---|---|---|---|")
    for n in args.sizes:
        path = ROOT / "bench" / "data" / f"clf_{n}.csv"
        if not path.exists():
            sys.exit(f"{path} is missing: run bench/make_data.py {n}")
        ours, ours_means = ours_seconds(path)
        ref, ref_means = imblearn_seconds(path)
        acc = ", ".join(f"{m} {ref_means[m]:.4f}/{ours_means[m]:.4f}" for m in ref_means)
        print(f"| {n} | {ref:.2f} | {ours:.2f} | {ref / ours:.1f}x | {acc} |", flush=True)


if __name__ == "__main__":
    main()
