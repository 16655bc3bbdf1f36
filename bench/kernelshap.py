#!/usr/bin/env python3
"""KernelSHAP: imbalanced.explain.KernelExplainer against shap's
KernelExplainer, the same model, background and rows, in one Python process.

    pip install ./python shap==0.51.0 scikit-learn==1.9.1
    python bench/make_data.py 10000
    python bench/kernelshap.py --size 10000 [--rows 50] [--background 50] [--features 8 16]

For each feature count F (the first F columns of bench/data/clf_SIZE.csv):
a scikit-learn LogisticRegression, and a BalancedRandomForestClassifier of
this package (50 trees, fitted by the engine), each explained on its class
probabilities for ROWS rows against BACKGROUND rows:

* shap: ``shap.KernelExplainer(model.predict_proba, background)
  .shap_values(rows, l1_reg=False, silent=True)``;
* ours: ``KernelExplainer(model.predict_proba, background)`` for the
  scikit-learn model (called back from Rust: the same function), and
  ``KernelExplainer(forest, background)`` for the engine's forest (no
  Python in the loop).

With 8 features every coalition fits shap's budget (exact values, equal on
both sides); with 16 both sample 2 x 16 + 2048 coalitions per row, with
different draws (shap's global NumPy stream against ours per row), so the
largest difference printed is sampling error there. Medians of REPEATS runs.
"""
import argparse
from pathlib import Path

import numpy as np
import shap
from sklearn.linear_model import LogisticRegression

from imbalanced.ensemble import BalancedRandomForestClassifier
from imbalanced.explain import KernelExplainer

from timing import timed  # noqa: E402  (bench/timing.py, beside this script)

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--background", type=int, default=50)
    parser.add_argument("--features", type=int, nargs="+", default=[8, 16])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    data = np.loadtxt(ROOT / "bench" / "data" / f"clf_{args.size}.csv", delimiter=",", skiprows=1)
    print(f"shap {shap.__version__}, {args.rows} rows, {args.background} background rows, "
          f"medians of {args.repeats}")
    print("| model | features | shap s | ours s | ours vs shap | largest difference |")
    print("|---|---|---|---|---|---|")
    for f in args.features:
        x, y = data[:, :f], data[:, -1].astype(int)
        background, rows = x[: args.background], x[-args.rows:]
        logistic = LogisticRegression(max_iter=1000).fit(x, y)
        forest = BalancedRandomForestClassifier(n_estimators=50, random_state=0).fit(x, y)
        for name, theirs_model, ours_model in [
            ("LogisticRegression (scikit-learn)", logistic.predict_proba, logistic.predict_proba),
            ("BalancedRandomForest (engine)", forest.predict_proba, forest),
        ]:
            explainer = shap.KernelExplainer(theirs_model, background)
            theirs_s, theirs = timed(
                lambda: np.asarray(explainer.shap_values(rows, l1_reg=False, silent=True)), args.repeats)
            ours_s, ours = timed(lambda: KernelExplainer(ours_model, background).shap_values(rows), args.repeats)
            diff = float(np.abs(np.asarray(theirs) - ours).max())
            print(f"| {name} | {f} | {theirs_s:.3f} | {ours_s:.3f} | {theirs_s / ours_s:.1f}x | {diff:.1e} |",
                  flush=True)


if __name__ == "__main__":
    main()
