#!/usr/bin/env python3
"""Histogram gradient boosting: ours (the library, through the
`boosting_timing` example) against LightGBM and scikit-learn's
HistGradientBoostingClassifier, on the same rows, in one run.

    cargo build --release -p imbalanced-boosting --example boosting_timing
    python bench/make_data.py 100000
    pip install lightgbm==4.6.0 scikit-learn==1.9.1
    python bench/boosting.py --size 100000 [--repeats 3]

The first 80% of bench/data/clf_SIZE.csv trains, the rest tests. Every
side grows the same trees: 100 rounds, 31 leaves, 255 bins, learning rate
0.1, at least 20 rows per leaf, no early stopping, log loss, on every core
(LightGBM's num_threads and ours: all cores; scikit-learn: OpenMP on all).
Fit times are medians of REPEATS fits taken in turn; ours is measured in
the example around the fit call, theirs around `fit` (both without the
file reading). ROC AUC is on the test rows.
"""
import argparse
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

import lightgbm
import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "target" / "release" / "examples" / "boosting_timing"
THREADS = os.cpu_count()


def theirs(name):
    if name == "LightGBM":
        return lightgbm.LGBMClassifier(
            n_estimators=100, num_leaves=31, max_bin=255, learning_rate=0.1, min_child_samples=20,
            min_child_weight=1e-3, subsample=1.0, colsample_bytree=1.0, reg_lambda=0.0,
            num_threads=THREADS, verbose=-1, random_state=0)
    return HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    table = np.loadtxt(ROOT / "bench" / "data" / f"clf_{args.size}.csv", delimiter=",", skiprows=1)
    cut = int(0.8 * len(table))
    header = ",".join([f"f{i}" for i in range(table.shape[1] - 1)] + ["target"])
    paths = []
    for part, rows in [("train", table[:cut]), ("test", table[cut:])]:
        path = ROOT / "bench" / "data" / f"boost_{part}_{args.size}.csv"
        np.savetxt(path, rows, delimiter=",", header=header, comments="", fmt="%.17g")
        paths.append(str(path))
    X, y = table[:cut, :-1], table[:cut, -1].astype(int)
    Xt, yt = table[cut:, :-1], table[cut:, -1].astype(int)
    print(f"lightgbm {lightgbm.__version__}, scikit-learn {sklearn.__version__}, {THREADS} threads")
    print("| rows | LightGBM fit s | scikit-learn fit s | ours fit s | ours vs LightGBM | ours vs scikit-learn "
          "| ROC AUC LightGBM / scikit-learn / ours |")
    print("|---|---|---|---|---|---|---|")
    times = {"LightGBM": [], "scikit-learn": [], "ours": []}
    auc = {}
    for _ in range(args.repeats):
        for name in ["LightGBM", "scikit-learn"]:
            model = theirs(name)
            started = time.perf_counter()
            model.fit(X, y)
            times[name].append(time.perf_counter() - started)
            auc[name] = roc_auc_score(yt, model.predict_proba(Xt)[:, 1])
        out = subprocess.run([str(EXAMPLE), *paths, "max_iter=100", "early_stopping=false"],
                             capture_output=True, text=True, check=True)
        ours = json.loads(out.stdout)
        times["ours"].append(ours["fit"])
        auc["ours"] = ours["roc_auc"]
    lgb, skl, our = (statistics.median(times[k]) for k in ["LightGBM", "scikit-learn", "ours"])
    print(f"| {cut} | {lgb:.2f} | {skl:.2f} | {our:.2f} | {lgb / our:.2f}x | {skl / our:.2f}x "
          f"| {auc['LightGBM']:.4f} / {auc['scikit-learn']:.4f} / {auc['ours']:.4f} |", flush=True)


if __name__ == "__main__":
    main()
