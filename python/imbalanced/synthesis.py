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

``DiffusionOverSampler`` (a TabDDPM-style class-conditional diffusion
model, our formulation): Gaussian diffusion of the numeric features,
multinomial diffusion of the categorical ones, an MLP denoiser given the
class and optional ``condition`` columns (generate given known parameters).

``RelationalSMOTE`` (a Rel-MOSS spin-off, our formulation): SMOTE over
column blocks, one per relation of a database (``imbalanced relational``
flattens a parent table and its children into them), neighbours found in
the gated block space, one gap per block.

``association_test`` (an association-guided corruption test, our
formulation): does a synthetic or resampled table keep the real table's
strongest associations with the target?

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

__all__ = ["BucketedSMOTENC", "DiffusionOverSampler", "LabelConsistentOverSampler", "RelationalSMOTE",
           "association_test"]


def _categorical_mask(categorical_features, d):
    """A boolean mask of the ``d`` columns from indices, a mask, or None (none categorical)."""
    mask = np.zeros(d, dtype=bool)
    if categorical_features is None:
        return mask
    chosen = np.asarray(categorical_features)
    if chosen.dtype == bool:
        if chosen.shape != (d,):
            raise ValueError(f"categorical_features is a mask of {chosen.size} values for {d} columns")
        return chosen
    if chosen.size and (chosen.min() < -d or chosen.max() >= d):
        raise ValueError(f"categorical_features {chosen.tolist()} names columns outside 0..{d - 1}")
    mask[chosen] = True
    return mask


def _numeric(X, mask):
    try:
        return np.ascontiguousarray(X[:, ~mask], dtype=np.float64)
    except ValueError as e:
        raise ValueError(f"a column not in categorical_features is not numeric ({e}): name it there") from None


def association_test(X_real, y_real, X_synthetic, y_synthetic, *, categorical_features=None, top=5,
                     random_state=0):
    """Whether a synthetic table keeps the real table's strongest associations with the target.

    An association-guided corruption test (after ReTabSyn, Lin et al. 2026; our formulation): each
    feature's association with the target is measured on the real table (Pearson's r with a binary
    target, the correlation ratio with more classes, Theil's U for categorical features); the ``top``
    strongest are measured on the synthetic table, and on it with that feature's column shuffled. A
    feature is kept when the synthetic value lies nearer the real one than the shuffled one. A
    balanced table's r and correlation ratio exceed an imbalanced one's: read signs and order then.

    Parameters
    ----------
    X_real, X_synthetic : array-like of shape (n_samples, n_features)
        The two tables, the same columns.
    y_real, y_synthetic : array-like of shape (n_samples,)
        Their labels, the same classes.
    categorical_features : indices or boolean mask, default=None
        The categorical columns (None: every column numeric).
    top : int, default=5
        Features compared, the strongest by real association.
    random_state : int, default=0
        Seed of the shuffles.

    Returns
    -------
    dict
        ``features`` (one dict per feature: ``feature``, ``measure``, ``real``, ``synthetic``,
        ``corrupted``, ``kept``; columns named ``n<i>`` and ``c<i>``, numeric and categorical in
        order), ``score`` (the share kept) and ``mean_abs_change``.
    """
    X_real = check_array(X_real, dtype=None)
    X_synthetic = check_array(X_synthetic, dtype=None)
    y_real, y_synthetic = column_or_1d(y_real), column_or_1d(y_synthetic)
    if X_real.shape[1] != X_synthetic.shape[1]:
        raise ValueError(f"the synthetic table has {X_synthetic.shape[1]} columns, the real one {X_real.shape[1]}")
    if len(X_real) != len(y_real) or len(X_synthetic) != len(y_synthetic):
        raise ValueError("each table needs one label per row")
    mask = _categorical_mask(categorical_features, X_real.shape[1])
    labels, y_codes = np.unique(np.concatenate([y_real, y_synthetic]).astype(str), return_inverse=True)
    if len(np.unique(y_real.astype(str))) != len(labels):
        raise ValueError("the synthetic table has classes the real one lacks")
    both = np.concatenate([X_real[:, mask], X_synthetic[:, mask]]).astype(str)
    codes, n_categories = np.empty(both.shape, dtype=np.int64), []
    for j in range(both.shape[1]):
        values, codes[:, j] = np.unique(both[:, j], return_inverse=True)
        n_categories.append(len(values))
    n = len(X_real)
    result = _native.association_test(
        _numeric(X_real, mask), codes[:n], y_codes[:n].astype(np.int64),
        _numeric(X_synthetic, mask), codes[n:], y_codes[n:].astype(np.int64),
        n_categories, [str(label) for label in labels], int(top), int(random_state))
    return json.loads(result)


# The engine's parameter names of each model that can judge (its judge catalogue).
_JUDGE_PARAMS = {name: {p[0] for p in params} for name, _kind, _summary, params in _native.judges()}


# Settings of how an estimator runs, not of what it fits.
_NOT_MODEL = {"random_state", "rng", "n_jobs", "verbose"}


def _same(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


def _spec(estimator, param, known, where):
    """The engine's spec of ``estimator``, given as parameter ``param``: a
    name, a ``{"name": ...}`` dict, or an estimator object whose class the
    engine runs (``known``: its parameter names by class; ``where``: which
    classes those are, for the error). The object's class name and the
    parameters the engine takes go over, its seed is the wrapper's; one the
    engine lacks is an error unless it is at its default."""
    if isinstance(estimator, (str, dict)):
        return estimator
    if not hasattr(estimator, "get_params"):
        raise TypeError(f"{param} must be a name, a dict with a 'name', or an estimator object, not {estimator!r}")
    name = type(estimator).__name__
    names = known.get(name)
    if names is None:
        raise ValueError(f"{param} {name} is not one the engine runs: give {where}, or its name")
    params, defaults = {}, type(estimator)().get_params(deep=False)
    for key, value in estimator.get_params(deep=False).items():
        if key not in names and key not in _NOT_MODEL and not _same(value, defaults.get(key)):
            raise ValueError(f"{param} {name}'s {key}={value!r}: the engine's {name} has no such setting (it "
                             f"takes {', '.join(sorted(names))}); leave it at its default")
        if key in names and key not in ("random_state", "rng"):
            try:
                json.dumps(value)
            except TypeError:
                raise ValueError(f"{param} {name}'s {key}={value!r} cannot be passed to the engine: give a "
                                 "number or a string") from None
            params[key] = value
    return {"name": name, **params}


class _Synthesis(DescribedSampler):
    def _engine_params(self):
        params = super()._engine_params()
        if "sampler" in params:
            params["sampler"] = _spec(params["sampler"], "sampler", _ENGINE_PARAMS,
                                      "one of imbalanced.over_sampling's or imbalanced.smote_variants' samplers")
        if "judge" in params:
            params["judge"] = _spec(params["judge"], "judge", _JUDGE_PARAMS,
                                    "a scikit-learn or imbalanced.models classifier of "
                                    + ", ".join(sorted(_JUDGE_PARAMS)))
        return params


LabelConsistentOverSampler = described(
    "LabelConsistentOverSampler", _Synthesis, __name__,
    "Our formulation of ReTabSyn's label consistency (Lin et al. 2026) on the engine. ``sampler`` is a name, a "
    "``{\"name\": ..., parameters}`` dict or a sampler object of this package; ``judge`` likewise a classifier "
    "(a scikit-learn object such as ``RandomForestClassifier(n_estimators=50)`` gives its class and the "
    "parameters the engine takes).",
    "Seeds the folds, the judge and the proposing sampler's rounds.")


class _WithCategories(DescribedSampler):
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
        mask = _categorical_mask(self.categorical_features, d)
        numeric = _numeric(X, mask)
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


_CATEGORICAL = ("categorical_features", None,
                "The categorical columns: indices or a boolean mask (None: every column numeric).")

BucketedSMOTENC = described(
    "BucketedSMOTENC", _WithCategories, __name__,
    "Our formulation of the bucketed SMOTE-NC of ReTabSyn's code (Lin et al. 2026) on the engine.",
    "Seeds the buckets, rows and points drawn.",
    extra=[_CATEGORICAL])


DiffusionOverSampler = described(
    "DiffusionOverSampler", _WithCategories, __name__,
    "Our formulation of a TabDDPM-style sampler (Kotelnikov et al. 2023) on the engine; categorical columns "
    "(``categorical_features``) by multinomial diffusion, ``condition`` indexing the numeric ones.",
    "Seeds the network, the batches and the noise.",
    extra=[_CATEGORICAL])


RelationalSMOTE = described(
    "RelationalSMOTE", DescribedSampler, __name__,
    "Our formulation of relational over-sampling after Rel-MOSS (Yin et al. 2026) on the engine.",
    "Seeds the seeds, neighbours and gaps drawn.")
