"""The samplers' docstrings: imbalanced-learn's (numpydoc, papers, defaults)
with its examples importing this package's classes, plus an Engine section;
the examples run and print what imbalanced-learn's documentation shows."""

import doctest

import numpy as np
import pytest

from imbalanced import combine, over_sampling, under_sampling

CLASSES = [getattr(m, n) for m in (over_sampling, under_sampling, combine) for n in m.__all__]

# Examples whose printed output is not ours, and why.
DIFFERENT = {
    "KMeansSMOTE": "imbalanced-learn's example uses MiniBatchKMeans without importing it",
    "OneSidedSelection": "the counts follow the random seed row: the default generator is not NumPy's (rng='numpy' is)",
    "SMOTEENN": "the counts follow the random draws: the default generator is not NumPy's (rng='numpy' is)",
}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_docstring_examples(cls):
    assert "from imblearn." not in cls.__doc__
    assert "Engine\n    ------" in cls.__doc__ and "rng :" in cls.__doc__
    tests = [t for t in doctest.DocTestFinder().find(cls, cls.__name__, globs={}) if t.name == cls.__name__]
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    # imbalanced-learn's examples print NumPy scalars as NumPy 1 did (its conftest sets this too).
    with np.printoptions(legacy="1.25"):
        results = [runner.run(t, out=lambda _: None) for t in tests]
    failed = sum(r.failed for r in results)
    if cls.__name__ in DIFFERENT:
        assert failed > 0, f"{cls.__name__}'s example now passes: drop it from DIFFERENT"
    else:
        assert failed == 0 and sum(r.attempted for r in results) >= (0 if cls.__name__ == "CondensedNearestNeighbour" else 5)
