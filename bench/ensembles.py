#!/usr/bin/env python3
"""Balanced ensembles: ours (the library, through the `ensemble_timing`
example) against imbalanced-learn's classes, on the same data, in one run.

    cargo build --release -p imbalanced-ensemble --example ensemble_timing
    python bench/make_data.py 100000
    python bench/ensembles.py --size 100000 [--repeats 3]

Fit time of each ensemble with its defaults and random_state=0 (both sides
on every core: n_jobs=-1 where imbalanced-learn's class takes it; ours uses
all cores), medians of REPEATS fits in one process on each side, and the balanced accuracy
on the training rows (a sanity check, not a benchmark of accuracy).
Imbalanced-learn's time includes its input checks, ours the example's (not
the file reading on either side).
"""
import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path

import numpy as np
from imblearn.ensemble import (
    BalancedBaggingClassifier,
    BalancedRandomForestClassifier,
    EasyEnsembleClassifier,
    RUSBoostClassifier,
)
from sklearn.metrics import balanced_accuracy_score

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "target" / "release" / "examples" / "ensemble_timing"
THEIRS = {
    "BalancedRandomForestClassifier": lambda: BalancedRandomForestClassifier(random_state=0, n_jobs=-1),
    "RUSBoostClassifier": lambda: RUSBoostClassifier(random_state=0),
    "EasyEnsembleClassifier": lambda: EasyEnsembleClassifier(random_state=0, n_jobs=-1),
    "BalancedBaggingClassifier": lambda: BalancedBaggingClassifier(random_state=0, n_jobs=-1),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    path = ROOT / "bench" / "data" / f"clf_{args.size}.csv"
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    X, y = table[:, :-1], table[:, -1].astype(int)
    print("| ensemble | rows | imbalanced-learn fit s | ours fit s | ours vs theirs | balanced acc. theirs / ours (train) |")
    print("|---|---|---|---|---|---|")
    for name, make in THEIRS.items():
        theirs_t = []
        for _ in range(args.repeats):
            model = make()
            started = time.perf_counter()
            model.fit(X, y)
            theirs_t.append(time.perf_counter() - started)
        theirs_score = balanced_accuracy_score(y, model.predict(X))
        out = subprocess.run([str(EXAMPLE), str(path), "--repeats", str(args.repeats), name],
                             capture_output=True, text=True, check=True)
        ours = json.loads(out.stdout)
        t, o = statistics.median(theirs_t), ours["fit"]
        print(f"| {name} | {args.size} | {t:.3f} | {o:.3f} | {t / o:.1f}x | {theirs_score:.3f} / {ours['balanced_accuracy']:.3f} |",
              flush=True)


if __name__ == "__main__":
    main()
