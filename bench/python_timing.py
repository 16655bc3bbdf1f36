#!/usr/bin/env python3
"""Our Python classes against imbalanced-learn's, in one Python process.

    python3 -m venv /tmp/pyvenv && /tmp/pyvenv/bin/pip install -r python/requirements-test.txt ./python
    /tmp/pyvenv/bin/python bench/make_data.py 10000 100000
    /tmp/pyvenv/bin/python bench/python_timing.py --sizes 10000 100000 --repeats 3

For each sampler and size (bench/data/clf_N.csv, read once with NumPy), the
median of REPEATS `fit_resample` calls of imbalanced-learn's class and of ours
(default generator, random_state=0 on both sides), taking turns; and the
Python layer's overhead: the median of our class's time minus the median of
the bare engine call (`imbalanced._native.fit_resample` with the same
parameters, the label codes given), each over 2 REPEATS + 1 calls taking turns
in alternating order (after a call of imbalanced-learn's class the next call
finds cold caches; timing ours after theirs and the bare call after ours
charged that to the layer), i.e. what validation, label encoding, parameter
translation and array conversion cost.
"""
import argparse
import json
import statistics
import time
from pathlib import Path

import imblearn
import numpy as np

import imbalanced
from imbalanced import _native
from imbalanced._engine import engine_params

ROOT = Path(__file__).resolve().parents[1]
MODULES = [(imbalanced.over_sampling, imblearn.over_sampling), (imbalanced.under_sampling, imblearn.under_sampling),
           (imbalanced.combine, imblearn.combine)]
DEFAULT = ["RandomOverSampler", "SMOTE", "BorderlineSMOTE", "ADASYN", "RandomUnderSampler", "NearMiss", "TomekLinks",
           "EditedNearestNeighbours", "SMOTETomek"]


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--samplers", nargs="+", default=DEFAULT)
    args = ap.parse_args()
    print("| sampler | rows | imblearn s | ours s | speed-up | Python layer ms | layer share |")
    print("|---|---|---|---|---|---|---|")
    for n in args.sizes:
        table = np.loadtxt(ROOT / "bench" / "data" / f"clf_{n}.csv", delimiter=",", skiprows=1)
        X, y = table[:, :-1], table[:, -1].astype(int)
        labels, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
        for name in args.samplers:
            ours_cls, ref_cls = next((getattr(o, name), getattr(t, name)) for o, t in MODULES if name in o.__all__)
            kwargs = {"random_state": 0} if "random_state" in ref_cls().get_params() else {}
            ours, ref = ours_cls(**kwargs), ref_cls(**kwargs)
            theirs_t, ours_t, bare_t = [], [], []
            for _ in range(args.repeats):
                theirs_t.append(timed(lambda: ref.fit_resample(X, y)))
                ours_t.append(timed(lambda: ours.fit_resample(X, y)))
            params = json.dumps(engine_params(ours, dict(zip(labels, counts))))
            bare = lambda: _native.fit_resample(name, params, X, codes.astype(np.int64), [str(v) for v in labels])  # noqa: E731
            layer_ours = []
            for i in range(2 * args.repeats + 1):
                calls = [(layer_ours, lambda: ours.fit_resample(X, y)), (bare_t, bare)]
                for times, call in calls if i % 2 else calls[::-1]:
                    times.append(timed(call))
            t, o = statistics.median(theirs_t), statistics.median(ours_t)
            layer = statistics.median(layer_ours) - statistics.median(bare_t)  # noise can make it negative
            o_layer = statistics.median(layer_ours)
            print(f"| {name} | {n} | {t:.3f} | {o:.4f} | {t / o:.1f}x | {1000 * layer:.2f} | {100 * layer / o_layer:.1f}% |",
                  flush=True)


if __name__ == "__main__":
    main()
