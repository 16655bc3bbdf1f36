"""Synthesis beyond SMOTE: ``imbalanced.synthesis``.

``LabelConsistentOverSampler`` (our formulation of ReTabSyn's idea, Lin et
al. 2026: a synthetic table should above all keep P(y | X)): any
over-sampler proposes rows, a classifier cross-fitted on the real rows keeps
those whose class it agrees with, and rounds of proposals continue until
every class has the rows the sampler meant to add; too few is an error
unless ``shortfall="keep"``.

``BucketedSMOTENC`` (the over-sampler ReTabSyn's code starts from; our
formulation): SMOTE only inside rows of one class that share every
categorical value, buckets drawn by size, whole-number columns kept whole.

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

import numpy as np
from sklearn.utils import check_array, column_or_1d

from . import _native
from ._described import DescribedSampler, described
from ._engine import _ENGINE_PARAMS

__all__ = ["BucketedSMOTENC", "LabelConsistentOverSampler"]


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


class _Bucketed(DescribedSampler):
    """Categorical columns, named by ``categorical_features``, go to the engine as codes."""

    def _engine_params(self):
        params = super()._engine_params()
        del params["categorical_features"]
        return params

    def fit_resample(self, X, y):
        """Over-sample ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric columns, and the categorical columns ``categorical_features``
            names (any values: strings, integers).
        y : array-like of shape (n_samples,)

        Returns
        -------
        X_resampled : ndarray of shape (n_samples_new, n_features)
            The input rows, then the new rows (an object array when ``X`` holds strings).
        y_resampled : ndarray of shape (n_samples_new,)
        """
        X = check_array(X, dtype=None, ensure_all_finite=False)
        y = column_or_1d(y)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
        d = X.shape[1]
        mask = np.zeros(d, dtype=bool)
        if self.categorical_features is not None:
            chosen = np.asarray(self.categorical_features)
            if chosen.dtype == bool:
                if chosen.shape != (d,):
                    raise ValueError(f"categorical_features is a mask of {chosen.size} values for {d} columns")
                mask = chosen
            else:
                if chosen.size and (chosen.min() < -d or chosen.max() >= d):
                    raise ValueError(f"categorical_features {chosen.tolist()} names columns outside 0..{d - 1}")
                mask[chosen] = True
        try:
            numeric = np.ascontiguousarray(X[:, ~mask], dtype=np.float64)
        except ValueError as e:
            raise ValueError(f"a column not in categorical_features is not numeric ({e}): name it there") from None
        values, codes = [], np.empty((len(X), int(mask.sum())), dtype=np.int64)
        for j, column in enumerate(np.flatnonzero(mask)):
            _, first, codes[:, j] = np.unique(X[:, column].astype(str), return_index=True, return_inverse=True)
            values.append(X[first, column])
        labels, y_codes = np.unique(y, return_inverse=True)
        num_res, y_res, _, cat_res = _native.fit_resample(
            self._engine_name, json.dumps(self._engine_params()), numeric, y_codes.astype(np.int64),
            [str(label) for label in labels], None, codes, [len(v) for v in values])
        out = np.empty((len(y_res), d), dtype=X.dtype if mask.any() else np.float64)
        out[:, ~mask] = num_res
        for j, column in enumerate(np.flatnonzero(mask)):
            out[:, column] = values[j][cat_res[:, j]]
        self.n_features_in_ = d
        return out, labels[y_res]


BucketedSMOTENC = described(
    "BucketedSMOTENC", _Bucketed, __name__,
    "Our formulation of the bucketed SMOTE-NC of ReTabSyn's code (Lin et al. 2026) on the engine.",
    "Seeds the buckets, rows and points drawn.",
    extra=[("categorical_features", None,
            "The categorical columns: indices or a boolean mask (None: every column numeric).")])
