#!/usr/bin/env python3
"""One imbalanced-learn run for bench/run.py: `imblearn_one.py SAMPLER CSV [JSON_PARAMS]`.

Loads the CSV, times fit_resample only, prints {"seconds", "rows"} as JSON.
"""
import json
import sys
import time

import numpy as np
from imblearn import combine, over_sampling, under_sampling

RANDOMISED = {"RandomOverSampler", "RandomUnderSampler", "SMOTE", "BorderlineSMOTE", "ADASYN",
              "CondensedNearestNeighbour", "OneSidedSelection", "SMOTEENN", "SMOTETomek", "SVMSMOTE",
              "KMeansSMOTE", "ClusterCentroids", "InstanceHardnessThreshold", "SMOTENC", "SMOTEN"}


def make(name, params):
    """imbalanced-learn's sampler `name` with `params`, seeded 0 where it is random."""
    cls = next(getattr(m, name) for m in (over_sampling, under_sampling, combine) if hasattr(m, name))
    kwargs = {"random_state": 0} if name in RANDOMISED else {}
    kwargs.update(params)
    return cls(**kwargs)


def main(name, path, params):
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    X, y = table[:, :-1], table[:, -1].astype(int)
    del table
    sampler = make(name, params)
    start = time.perf_counter()
    _, y_res = sampler.fit_resample(X, y)
    print(json.dumps({"seconds": time.perf_counter() - start, "rows": int(len(y_res))}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) > 3 else {})
