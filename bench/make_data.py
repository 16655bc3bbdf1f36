#!/usr/bin/env python3
"""Writes the benchmark datasets both sides read: bench/data/clf_<n>.csv.

sklearn.datasets.make_classification(n_samples=n, n_features=20,
weights=[0.95, 0.05], random_state=0), as the foundation issue specifies;
features f0..f19, label `target` last. For SMOTENC, bench/data/clf_nc_<n>.csv
is the same data with f17..f19 cut at their quintiles into codes 0..4 (used
as 3 categorical features). Run once; later runs reuse the files.
"""
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import make_classification

OUT = Path(__file__).resolve().parent / "data"


def main(sizes):
    OUT.mkdir(exist_ok=True)
    for n in sizes:
        path = OUT / f"clf_{n}.csv"
        if path.exists() and (OUT / f"clf_nc_{n}.csv").exists():
            continue
        X, y = make_classification(n_samples=n, n_features=20, weights=[0.95, 0.05], random_state=0)
        header = ",".join([f"f{j}" for j in range(20)] + ["target"])
        np.savetxt(path, np.column_stack([X, y]), delimiter=",", header=header, comments="", fmt=["%.17g"] * 20 + ["%d"])
        for j in (17, 18, 19):
            X[:, j] = np.searchsorted(np.quantile(X[:, j], [0.2, 0.4, 0.6, 0.8]), X[:, j])
        np.savetxt(OUT / f"clf_nc_{n}.csv", np.column_stack([X, y]), delimiter=",", header=header, comments="",
                   fmt=["%.17g"] * 17 + ["%d"] * 4)
        print("wrote", path, file=sys.stderr)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000])
