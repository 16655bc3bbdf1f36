#!/usr/bin/env python3
"""The relational benchmark: a churn-like database (customers, orders,
tickets) whose label depends on patterns across the relations, flattened by
`imbalanced relational` and cross-validated: no resampling, SMOTE on the
flat table, RelationalSMOTE with a uniform, the association and the learned gate.

    cargo build --release -p imbalanced-cli
    python3 bench/relational_churn.py [--customers 3000] [--seeds 0,1,2] [--models knn,tree]

The generator (our formulation): each customer has an age and a tenure
(noise for the label), 0-12 orders whose amounts trend down for churners,
and 0-6 support tickets whose waits are long for churners and whose topic
(billing, technical, cancel; a categorical column, flattened into the share
of each topic) is more often "cancel" for churners; about 8% churn.
Writes bench/data/churn_SEED/{customers,orders,tickets}.csv and prints a
Markdown table of balanced accuracy and G-mean (mean over 5 folds and the
seeds) for BENCHMARKS.md.
"""
import argparse
import csv
import json
import subprocess
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def generate(n, seed, out):
    rng = np.random.RandomState(seed)
    out.mkdir(parents=True, exist_ok=True)
    churn = rng.rand(n) < 0.08
    with open(out / "customers.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "age", "tenure", "churn"])
        for i in range(n):
            w.writerow([f"c{i}", rng.randint(18, 80), round(rng.exponential(3.0), 2), "yes" if churn[i] else "no"])
    with open(out / "orders.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "amount"])
        for i in range(n):
            k = rng.randint(0, 13)
            base = rng.lognormal(3.0, 0.4)
            # Churners' spending falls over their orders; others' wanders.
            trend = -0.12 if churn[i] else 0.0
            for t in range(k):
                w.writerow([f"c{i}", round(base * np.exp(trend * t + rng.normal(0, 0.25)), 2)])
    with open(out / "tickets.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "wait", "topic"])
        topics = ["billing", "technical", "cancel"]
        for i in range(n):
            k = rng.poisson(2.5 if churn[i] else 1.0)
            for _ in range(min(k, 6)):
                topic = topics[rng.choice(3, p=[0.4, 0.35, 0.25] if churn[i] else [0.45, 0.5, 0.05])]
                w.writerow([f"c{i}", round(rng.gamma(2.0, 6.0 if churn[i] else 3.5), 1), topic])


def evaluate(folder, model):
    cmd = [str(ROOT / "target/release/imbalanced"), "relational", str(folder / "customers.csv"), "--key", "id",
           "--target", "churn", "--child", f"{folder / 'orders.csv'}:customer_id",
           "--child", f"{folder / 'tickets.csv'}:customer_id", "--evaluate", "--model", model, "--json"]
    out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    return {r["method"]: (r["metrics"]["balanced_accuracy_score"]["mean"], r["metrics"]["geometric_mean_score"]["mean"])
            for r in out["results"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--models", default="knn,tree")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    for model in args.models.split(","):
        runs = []
        for seed in seeds:
            folder = ROOT / "bench" / "data" / f"churn_{seed}"
            generate(args.customers, seed, folder)
            runs.append(evaluate(folder, model))
        print(f"\n{model}: {args.customers} customers, seeds {args.seeds}, 5 folds; mean balanced accuracy, G-mean\n")
        print("| method | balanced accuracy | G-mean |")
        print("|---|---|---|")
        for method in runs[0]:
            ba = np.mean([r[method][0] for r in runs])
            gm = np.mean([r[method][1] for r in runs])
            print(f"| {method} | {ba:.4f} | {gm:.4f} |")


if __name__ == "__main__":
    main()
