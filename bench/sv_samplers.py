#!/usr/bin/env python3
"""smote-variants' samplers (a file name that does not shadow the package): imbalanced.smote_variants against smote-variants
1.0.1 itself, the same class, parameters and seed, in one Python process.

    python3 -m venv /tmp/sv-venv
    /tmp/sv-venv/bin/pip install smote-variants==1.0.1 ./python
    python bench/make_data.py 100000
    /tmp/sv-venv/bin/python bench/sv_samplers.py --size 100000 [--repeats 3] [--samplers ProWSyn,Lee]

On bench/data/clf_SIZE.csv (20 features, a binary label at ~5% minority),
each sampler's ``sample(X, y)`` with ``random_state=0`` is timed on both
sides (arrays in, arrays out: our side includes its conversions), and
whether the outputs are equal is printed (the poly topology orders rows of
equal means as NumPy's argsort does, so equality there is not expected
when such ties exist). Medians of REPEATS runs.
"""
import argparse
import logging
from pathlib import Path

import numpy as np
import smote_variants as sv

from imbalanced import smote_variants as ours

from timing import timed  # noqa: E402  (bench/timing.py, beside this script)

ROOT = Path(__file__).resolve().parents[1]
SAMPLERS = ["polynom_fit_SMOTE_star", "polynom_fit_SMOTE_bus", "polynom_fit_SMOTE_poly", "polynom_fit_SMOTE_mesh",
            "ProWSyn", "SMOTE_IPF", "Lee", "SMOBD", "G_SMOTE", "CCR", "LVQ_SMOTE", "Assembled_SMOTE", "SMOTE_TomekLinks"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--samplers", default=",".join(SAMPLERS))
    args = parser.parse_args()
    logging.getLogger("smote_variants").setLevel(logging.WARNING)
    data = np.loadtxt(ROOT / "bench" / "data" / f"clf_{args.size}.csv", delimiter=",", skiprows=1)
    X, y = data[:, :-1], data[:, -1].astype(int)
    print(f"{args.size} rows, {X.shape[1]} features, minority {int(y.sum())}; medians of {args.repeats}")
    print("| sampler | smote-variants s | ours s | ours vs smote-variants | same output |")
    print("|---|---|---|---|---|")
    for name in args.samplers.split(","):
        # SMOBD's default max_eps finds no core distance on these 20 features (see its docs).
        params = {"max_eps": 1e9} if name == "SMOBD" else {}
        theirs_s, (tx, ty) = timed(lambda: getattr(sv, name)(random_state=0, **params).sample(X, y), args.repeats)
        ours_s, (ox, oy) = timed(lambda: getattr(ours, name)(random_state=0, **params).sample(X, y), args.repeats)
        same = tx.shape == ox.shape and np.array_equal(ty, oy) and np.allclose(tx, ox, rtol=1e-9, atol=1e-12)
        print(f"| {name} | {theirs_s:.3f} | {ours_s:.3f} | {theirs_s / ours_s:.1f}x | {'yes' if same else 'no'} |",
              flush=True)


if __name__ == "__main__":
    main()
