#!/usr/bin/env python3
"""TreeSHAP: ours (the library, through the `treeshap_timing` example)
against shap's C++ TreeExplainer on the same forest and rows, in one run.

    cargo build --release -p imbalanced-explain --example treeshap_timing
    python bench/make_data.py 10000
    python bench/treeshap.py --size 10000 [--trees 100] [--max-depth 8] [--rows 10000]

A scikit-learn RandomForestClassifier (TREES trees, MAX_DEPTH, seed 0) is
fitted on bench/data/clf_SIZE.csv; its trees go to ours as scikit-learn's
arrays (the same trees, so the same values); both sides explain the first
ROWS rows with path-dependent TreeSHAP, timed alone (shap's
`shap_values`, our `forest`), and the largest difference between the two
is printed. The features are rounded to float32, as scikit-learn's trees
compare them. Requires shap 0.51 and scikit-learn 1.9.1.
"""
import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import shap
from sklearn.ensemble import RandomForestClassifier

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "target" / "release" / "examples" / "treeshap_timing"


def tree_arrays(estimator):
    t = estimator.tree_
    value = t.value[:, 0, :]
    return {
        "children": [[int(a), int(b)] for a, b in zip(t.children_left, t.children_right)],
        "feature": [int(max(f, 0)) for f in t.feature],
        "threshold": t.threshold.tolist(),
        "value": (value / value.sum(axis=1, keepdims=True)).tolist(),
        "cover": t.weighted_n_node_samples.tolist(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--max-depth", type=int, default=8, help="0: unlimited (scikit-learn's default)")
    parser.add_argument("--rows", type=int, default=10000)
    args = parser.parse_args()
    data = np.loadtxt(ROOT / "bench" / "data" / f"clf_{args.size}.csv", delimiter=",", skiprows=1)
    x = data[:, :-1].astype(np.float32).astype(np.float64)
    y = data[:, -1].astype(int)
    model = RandomForestClassifier(n_estimators=args.trees, max_depth=args.max_depth or None, random_state=0,
                                   n_jobs=-1)
    model.fit(x, y)
    rows = x[: args.rows]
    with tempfile.TemporaryDirectory() as tmp:
        trees_path, rows_path, out_path = (os.path.join(tmp, n) for n in ("trees.json", "rows.json", "out.json"))
        Path(trees_path).write_text(json.dumps({"n_features": x.shape[1],
                                                "trees": [tree_arrays(e) for e in model.estimators_]}))
        Path(rows_path).write_text(json.dumps(rows.tolist()))
        explainer = shap.TreeExplainer(model)
        started = time.perf_counter()
        theirs = np.asarray(explainer.shap_values(rows))
        shap_s = time.perf_counter() - started
        subprocess.run([str(EXAMPLE), trees_path, rows_path, out_path], check=True, capture_output=True)
        out = json.loads(Path(out_path).read_text())
    ours = np.asarray(out["values"]).transpose(1, 2, 0)
    diff = float(np.abs(ours - theirs).max())
    print("| rows explained | trees | max_depth | shap s | ours s | ours vs shap | largest difference |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {len(rows)} | {args.trees} | {args.max_depth} | {shap_s:.2f} | {out['seconds']:.2f} | "
          f"{shap_s / out['seconds']:.1f}x | {diff:.1e} |")


if __name__ == "__main__":
    main()
