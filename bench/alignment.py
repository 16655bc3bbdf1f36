#!/usr/bin/env python3
"""Does the hidden space's class alignment (our formulation of SCDL) help
the semi-supervised MLP? On a few KEEL binary datasets, for several seeds:
a stratified 20% of the rows is labelled, 60% is the unlabelled pool
(labels dropped), 20% the test rows; `imbalanced train --unlabelled` with
and without `--align 0.1` (features standardised inside the pipeline), then
`imbalanced predict` on the test rows, scored by balanced accuracy.

    cargo build --release -p imbalanced-cli
    /tmp/testvenv/bin/python bench/alignment.py [--seeds 5] [--align 0.1]
"""
import argparse
import csv
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ["ecoli2", "yeast6", "vehicle0", "glass4", "abalone9_18", "wisconsin"]


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def run(args):
    subprocess.run([str(ROOT / "target/release/imbalanced"), *args], check=True, capture_output=True, text=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--align", default="0.1", help="the alignment's weight")
    args = parser.parse_args()
    print(f"| dataset | without alignment | with --align {args.align} |")
    print("|---|---|---|")
    means = {"off": [], "on": []}
    for name in DATASETS:
        with open(ROOT / "data" / "keel" / f"{name}.csv") as f:
            rows = list(csv.reader(f))
        header, rows = rows[0], rows[1:]
        y = np.array([r[-1] for r in rows])
        scores = {"off": [], "on": []}
        for seed in range(args.seeds):
            idx = np.arange(len(rows))
            rest, test = train_test_split(idx, test_size=0.2, stratify=y, random_state=seed)
            labelled, pool = train_test_split(rest, train_size=0.25, stratify=y[rest], random_state=seed)
            with tempfile.TemporaryDirectory() as d:
                d = Path(d)
                write(d / "labelled.csv", header, [rows[i] for i in labelled])
                write(d / "pool.csv", header[:-1], [rows[i][:-1] for i in pool])
                write(d / "test.csv", header, [rows[i] for i in test])
                for key, extra in [("off", []), ("on", ["--align", args.align])]:
                    run(["train", str(d / "labelled.csv"), "--unlabelled", str(d / "pool.csv"), "--seed", str(seed),
                         *extra, "--out", str(d / "model.json")])
                    run(["predict", str(d / "model.json"), str(d / "test.csv"), "--out", str(d / "pred.csv")])
                    with open(d / "pred.csv") as f:
                        pred = list(csv.DictReader(f))
                    scores[key].append(balanced_accuracy_score([p["y_true"] for p in pred], [p["y_pred"] for p in pred]))
        for key in scores:
            means[key].append(np.mean(scores[key]))
        print(f"| {name} | {np.mean(scores['off']):.4f} | {np.mean(scores['on']):.4f} |")
    print(f"| mean | {np.mean(means['off']):.4f} | {np.mean(means['on']):.4f} |")


if __name__ == "__main__":
    main()
