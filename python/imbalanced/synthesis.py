"""Synthesis beyond SMOTE: ``imbalanced.synthesis``.

``LabelConsistentOverSampler`` (our formulation of ReTabSyn's idea, Lin et
al. 2026: a synthetic table should above all keep P(y | X)): any
over-sampler proposes rows, a classifier cross-fitted on the real rows keeps
those whose class it agrees with, and rounds of proposals continue until
every class has the rows the sampler meant to add; too few is an error
unless ``shortfall="keep"``.

Example
-------
>>> import numpy as np
>>> from imbalanced.synthesis import LabelConsistentOverSampler
>>> rng = np.random.RandomState(0)
>>> X = np.vstack([rng.normal(size=(90, 2)), rng.normal(loc=2.0, size=(10, 2))])
>>> y = np.array([0] * 90 + [1] * 10)
>>> X_res, y_res = LabelConsistentOverSampler(random_state=0).fit_resample(X, y)
>>> np.bincount(y_res)
array([90, 90])
"""

from __future__ import annotations

import json

from ._described import DescribedSampler, described
from ._engine import _ENGINE_PARAMS

__all__ = ["LabelConsistentOverSampler"]


def _sampler_spec(sampler):
    """The engine's spec of ``sampler``: a name, a ``{"name": ...}`` dict, or
    an estimator of this package or imbalanced-learn (its class name and the
    parameters the engine takes, the seed set by the wrapper)."""
    if isinstance(sampler, (str, dict)):
        return sampler
    if not hasattr(sampler, "get_params"):
        raise TypeError(f"sampler must be a name, a dict with a 'name', or a sampler object, not {sampler!r}")
    name = type(sampler).__name__
    known = _ENGINE_PARAMS.get(name)
    if known is None:
        raise ValueError(f"sampler {name} is not one the engine runs: give one of imbalanced.over_sampling's "
                         "or imbalanced.smote_variants' samplers, or its name")
    params = {}
    for key, value in sampler.get_params(deep=False).items():
        if key in known and key not in ("random_state", "rng"):
            try:
                json.dumps(value)
            except TypeError:
                raise ValueError(f"sampler {name}'s {key}={value!r} cannot be passed to the engine: give a "
                                 "number or a string") from None
            params[key] = value
    return {"name": name, **params}


class _Synthesis(DescribedSampler):
    def _engine_params(self):
        params = super()._engine_params()
        if "sampler" in params:
            params["sampler"] = _sampler_spec(params["sampler"])
        return params


LabelConsistentOverSampler = described(
    "LabelConsistentOverSampler", _Synthesis, __name__,
    "Our formulation of ReTabSyn's label consistency (Lin et al. 2026) on the engine. ``sampler`` is a name, a "
    "``{\"name\": ..., parameters}`` dict or a sampler object of this package.",
    "Seeds the folds, the judge and the proposing sampler's rounds.")
