"""The shared KEEL collection for the benchmark scripts beside this one."""
import csv
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BINARY = ROOT.parent / "shared/data/keel/binary"


def binary_datasets(folder):
    """The binary datasets' names in `folder` (its manifest one level up), sorted."""
    manifest = json.loads((Path(folder).parent / "manifest.json").read_text())
    return sorted(m["name"] for m in manifest if m["kind"] == "binary")


def load(path):
    """A KEEL CSV: numeric features, the last column's labels coded in sorted order."""
    with open(path) as f:
        rows = list(csv.reader(f))[1:]
    X = np.array([[float(v) for v in r[:-1]] for r in rows])
    _, y = np.unique([r[-1] for r in rows], return_inverse=True)
    return X, y
