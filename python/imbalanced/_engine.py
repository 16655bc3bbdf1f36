"""The bridge between imbalanced-learn's classes and the Rust engine.

Every sampler class of this package is imbalanced-learn's class of the same
name, subclassed: its parameters, defaults, parameter validation, input
checks (``fit_resample`` of imbalanced-learn's ``BaseSampler``: lists,
pandas, one-hot targets, ``sampling_strategy_``) and tags are inherited, so
that imbalanced-learn's and scikit-learn's checks see the class they know.
What runs is ``_fit_resample``, here: the parameters are translated to the
engine's (the same names; estimator objects read into the numbers the
engine takes), the arrays go to Rust, the GIL is released while it works.

One shortcut: for float64 rows and integer labels in NumPy arrays (the
common input), ``fit_resample`` does imbalanced-learn's checks once, in the
engine, rather than through the inherited ``fit_resample`` (which passes
over y four times); any other input, and any input those checks would
refuse, takes the inherited path and its errors.

Why subclass imbalanced-learn rather than restate it: its checks and
pipelines branch on ``isinstance``, and the classes' signatures and
``_parameter_constraints`` are the reference to match; one more parameter,
``rng``, is added.
"""

from __future__ import annotations

import inspect
import json
import numbers
from collections import OrderedDict

import numpy as np
from scipy import sparse
from sklearn import get_config
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._param_validation import StrOptions

from . import _native

# Parameters that name a neighbour count, as an int or a NearestNeighbors /
# KNeighborsClassifier. For most, imbalanced-learn adds the row itself to an
# int, so an object's n_neighbors is one more than the count; for these
# (NearMiss's, and CNN's and OSS's classifier), the object's is the count.
_NEIGHBOUR_PARAMS = {"k_neighbors", "m_neighbors", "n_neighbors", "n_neighbors_ver3"}
_COUNT_IS_THE_OBJECTS = {"n_neighbors_ver3", "NearMiss.n_neighbors", "CondensedNearestNeighbour.n_neighbors",
                         "OneSidedSelection.n_neighbors"}

# Parameters that hold a whole sampler (SMOTEENN's smote and enn,
# SMOTETomek's smote and tomek): the engine takes that sampler's parameters.
_NESTED_SAMPLERS = {"smote", "enn", "tomek"}

# The engine's parameter names of each sampler (its catalogue).
_ENGINE_PARAMS = {name: {p[0] for p in params} for name, _kind, _summary, params in _native.samplers()}


class NotOnEngine(ValueError):
    """A parameter value the engine has no equivalent of (an estimator
    object it does not implement, or one with other settings): the sampler
    runs imbalanced-learn's own code instead."""


class EngineSampler:
    """Runs a sampler of imbalanced-learn's API on the Rust engine.

    Mixed in before imbalanced-learn's class; ``_engine_name`` names the
    engine's sampler.
    """

    _engine_name: str = ""
    _picks_rows_only = False
    # Whether imbalanced-learn's class sets sample_indices_ (its under-samplers and RandomOverSampler).
    _sets_sample_indices = False

    def fit_resample(self, X, y, **params):
        out = None if params else self._fit_resample_integers(X, y)
        return super().fit_resample(X, y, **params) if out is None else out

    def _fit_resample_integers(self, X, y):
        """imbalanced-learn's ``fit_resample`` for the common input, float64
        rows (a 2-D ndarray) and integer labels (a 1-D ndarray), with each
        input check done once, in the engine (imbalanced-learn's checks pass
        over y four times). ``None`` where the input is another kind, or
        where the engine finds it would not pass those checks (the general
        path then raises imbalanced-learn's error)."""
        if not (
            type(X) is np.ndarray and X.dtype == np.float64 and X.ndim == 2 and X.shape[0] > 0 and X.shape[1] > 0
            and type(y) is np.ndarray and y.ndim == 1 and len(y) == len(X)
            and (y.dtype.kind == "i" or (y.dtype.kind == "u" and y.dtype.itemsize < 8))
            and self._engine_name not in _CATEGORICAL and not callable(self.sampling_strategy)
        ):
            return None
        if not get_config()["skip_parameter_validation"]:
            self._validate_params()
        try:
            params = engine_params(self, None)
        except NotOnEngine:
            return None
        finite = not (self._picks_rows_only and getattr(self, "shrinkage", None) is None)
        try:
            out = _native.fit_resample_integers(
                self._engine_name, json.dumps(params), X, y.astype(np.int64, copy=False), finite,
                _threads(getattr(self, "n_jobs", None)),
            )
        except ValueError:
            return None  # the general path raises imbalanced-learn's error, or the engine's
        if out is None:
            return None
        labels, counts, (X_res, y_codes, origin, _) = out
        labels = labels.astype(y.dtype, copy=False)
        strategy = resolved_strategy(self.sampling_strategy, labels, counts, self._sampling_type)
        if strategy is None:
            return None
        # What imbalanced-learn's fit_resample leaves on the sampler.
        self.sampling_strategy_ = strategy
        self.n_features_in_ = X.shape[1]
        if hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        if self._sets_sample_indices and (origin >= 0).all():
            self.sample_indices_ = origin
        return X_res, labels[y_codes]

    def _fit_resample(self, X, y):
        labels, codes, counts = _encode(y)
        try:
            params = engine_params(self, dict(zip(labels, counts)))
        except NotOnEngine:
            return self._reference._fit_resample(self, X, y)
        if self._engine_name in _COMBINED and X.dtype.kind in "biu":
            # imbalanced-learn truncates SMOTE's new rows to the integer
            # dtype before cleaning them, which the engine's one pass does not.
            return self._reference._fit_resample(self, X, y)
        picks_only = self._picks_rows_only and getattr(self, "shrinkage", None) is None
        was_sparse = sparse.issparse(X)
        if picks_only:
            x = np.zeros((len(y), 1))
        else:
            x = X.toarray() if was_sparse else np.asarray(X)
            x = np.asarray(x, dtype=np.float64)
        x_res, y_codes, origin, _ = _native.fit_resample(
            self._engine_name,
            json.dumps(params),
            x,
            codes.astype(np.int64),
            [str(label) for label in labels],
            _threads(getattr(self, "n_jobs", None)),
        )
        if picks_only:
            X_res = _safe_indexing(X, origin)
        else:
            # X's own dtype, as imbalanced-learn's samplers cast their new
            # rows (integer features truncated as its astype truncates).
            dtype = X.dtype if X.dtype.kind in "biuf" else np.float64
            X_res = x_res.astype(dtype, copy=False)
            if was_sparse:
                X_res = type(X)(X_res)
        if self._sets_sample_indices and (origin >= 0).all():
            self.sample_indices_ = origin
        return X_res, labels[y_codes]


class CategoricalEngineSampler(EngineSampler):
    """SMOTENC and SMOTEN on the engine: categorical columns go to it as
    category codes (sorted categories, as imbalanced-learn's encoders sort
    them) and come back as the categories."""

    def _fit_resample(self, X, y):
        labels, y_codes, counts = _encode(y)
        try:
            params = engine_params(self, dict(zip(labels, counts)))
        except NotOnEngine:
            return self._reference._fit_resample(self, X, y)
        n, d = X.shape
        if self._engine_name == "SMOTENC":
            # imbalanced-learn's own checks of the column kinds and messages.
            self.n_features_ = d
            self._validate_column_types(X)
            self._validate_estimator()
            cat_cols, num_cols = self.categorical_features_, self.continuous_features_
        else:
            self._validate_estimator()
            cat_cols, num_cols = np.arange(d), np.arange(0)
        dense = X.toarray() if sparse.issparse(X) else X
        numeric = np.asarray(_safe_indexing(dense, num_cols, axis=1), dtype=np.float64).reshape(n, len(num_cols))
        categorical = np.asarray(_safe_indexing(dense, cat_cols, axis=1)).reshape(n, len(cat_cols))
        categories, cat_codes = [], np.empty((n, len(cat_cols)), dtype=np.int64)
        for j in range(len(cat_cols)):
            values, cat_codes[:, j] = np.unique(categorical[:, j], return_inverse=True)
            categories.append(values)
        for name in ("categorical_features", "categorical_encoder"):
            params.pop(name, None)
        num_res, y_res, _, cat_res = _native.fit_resample(
            self._engine_name,
            json.dumps(params),
            numeric,
            y_codes.astype(np.int64),
            [str(label) for label in labels],
            _threads(getattr(self, "n_jobs", None)),
            categorical=cat_codes,
            n_categories=[len(c) for c in categories],
        )
        new = slice(n, len(y_res))
        keep_dtype = isinstance(dense, np.ndarray) and dense.dtype != object
        X_new = np.empty((len(y_res) - n, d), dtype=dense.dtype if keep_dtype else object)
        X_new[:, num_cols] = num_res[new]
        for j, col in enumerate(cat_cols):
            X_new[:, col] = categories[j][cat_res[new, j]]
        head = np.asarray(dense) if keep_dtype else np.asarray(dense, dtype=object)
        X_res = np.vstack([head, X_new])
        if sparse.issparse(X):
            X_res = type(X)(X_res.astype(np.float64))
        return X_res, labels[y_res]


def _encode(y):
    """Sorted labels, each row's label code and the class counts: np.unique's
    (labels, inverse, counts) without the argsort of every row that
    return_inverse costs; the labels are few."""
    labels = np.unique(y)
    codes = np.searchsorted(labels, y)
    return labels, codes, np.bincount(codes, minlength=len(labels))


def resolved_strategy(strategy, labels, counts, sampling_type):
    """imbalanced-learn's ``check_sampling_strategy`` computed from the class
    ``counts`` of the sorted ``labels`` (not from every row): the same
    ``OrderedDict``. ``None`` where imbalanced-learn would raise (or for a
    callable), so that its own check runs and raises."""
    stats = dict(zip(labels, np.asarray(counts, dtype=np.int64)))
    over = sampling_type == "over-sampling"
    n_max, n_min = max(stats.values()), min(stats.values())
    majority, minority = max(stats, key=stats.get), min(stats, key=stats.get)
    if isinstance(strategy, str):
        chosen = {
            "auto": lambda k: k != (majority if over else minority),
            "not majority": lambda k: k != majority,
            "not minority": lambda k: k != minority,
            "all": lambda k: True,
            "minority": (lambda k: k == minority) if over else None,
            "majority": None if over else (lambda k: k == majority),
        }.get(strategy)
        if chosen is None:
            return None
        out = {k: (n_max - v if over else n_min) for k, v in stats.items() if chosen(k)}
    elif isinstance(strategy, dict):
        if set(strategy) - set(stats) or any(n < 0 for n in strategy.values()) or sampling_type == "clean-sampling":
            return None
        if any((n < stats[k]) if over else (n > stats[k]) for k, n in strategy.items()):
            return None
        out = {k: (n - stats[k] if over else n) for k, n in strategy.items()}
    elif isinstance(strategy, list):
        if sampling_type != "clean-sampling" or set(strategy) - set(stats):
            return None
        out = {k: n_min for k in strategy}
    elif isinstance(strategy, numbers.Real) and not isinstance(strategy, bool):
        if not 0 < strategy <= 1 or len(stats) != 2 or sampling_type == "clean-sampling":
            return None
        if over:
            out = {k: int(n_max * strategy - v) for k, v in stats.items() if k != majority}
            if any(n <= 0 for n in out.values()):
                return None
        else:
            out = {k: int(n_min / strategy) for k in stats if k != minority}
            if any(n > stats[k] for k, n in out.items()):
                return None
    else:
        return None
    return OrderedDict(sorted(out.items()))


def _threads(n_jobs):
    if n_jobs is None or n_jobs == -1:
        return None
    return int(n_jobs)


def _seed(random_state):
    """An integer seed: the int itself (so ``rng="numpy"`` can match
    imbalanced-learn), else one drawn from the RandomState it names."""
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def _strategy(est, value, counts):
    """``sampling_strategy`` as the engine reads it, labels as text; a
    callable is what imbalanced-learn resolved it to (``sampling_strategy_``:
    rows to add when over-sampling, rows to keep when under-sampling, the
    classes to clean when cleaning), given back as the engine's form."""
    if callable(value):
        resolved = est.sampling_strategy_
        if est._sampling_type == "over-sampling":
            return {str(k): int(counts[k] + v) for k, v in resolved.items()}
        if est._sampling_type == "clean-sampling":
            return [str(k) for k in resolved]
        return {str(k): int(v) for k, v in resolved.items()}
    if isinstance(value, dict):
        return {str(k): int(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return value


def _neighbours(cls, name, value):
    """A neighbour count from an int or a NearestNeighbors-like object (None: the default)."""
    if value is None or isinstance(value, numbers.Integral):
        return value if value is None else int(value)
    k = getattr(value, "n_neighbors", None)
    metric = getattr(value, "metric", "minkowski")
    p = getattr(value, "p", 2)
    if not isinstance(k, numbers.Integral) or not (metric == "euclidean" or (metric == "minkowski" and p == 2)):
        raise NotOnEngine(f"{name}={value!r}: the engine finds Euclidean neighbours only")
    if name in _COUNT_IS_THE_OBJECTS or f"{cls}.{name}" in _COUNT_IS_THE_OBJECTS:
        return int(k)
    return int(k) - 1


def engine_params(est, counts):
    """``est``'s parameters as the engine reads them (a JSON object);
    ``counts`` are the class counts of the data, by label."""
    out = {}
    cls = type(est).__name__
    for name, value in est.get_params(deep=False).items():
        # n_jobs is the thread count; a deterministic sampler has no seed.
        if name == "n_jobs" or (name in ("random_state", "rng") and name not in _ENGINE_PARAMS[cls]):
            continue
        if name == "random_state":
            value = _seed(value)
        elif name == "sampling_strategy":
            value = _strategy(est, value, counts)
        elif name in _NEIGHBOUR_PARAMS:
            value = _neighbours(cls, name, value)
            if value is None:
                continue  # imbalanced-learn's default: the engine's default
        elif name in _NESTED_SAMPLERS:
            value = None if value is None else engine_params(value, counts)
        elif name == "categorical_encoder":
            if value is not None:
                raise NotOnEngine(f"{cls}(categorical_encoder={value!r}): the engine codes the categories itself")
            continue
        elif name == "categorical_features":
            continue  # read by the sampler's column checks, not the engine
        elif name in ("kmeans_estimator", "svm_estimator", "estimator", "edited_nearest_neighbours"):
            out.update(_estimator_params(cls, name, value))
            continue
        elif isinstance(value, np.generic):
            value = value.item()
        out[name] = value
    return out


def _estimator_params(cls, name, value):
    """The engine's parameters for an estimator object imbalanced-learn takes."""
    if value is None:
        return {}
    if name == "kmeans_estimator":
        if isinstance(value, numbers.Integral):
            return {"kmeans_estimator": int(value)}
        if hasattr(value, "n_clusters"):
            return {"kmeans_estimator": int(value.n_clusters)}
    if name == "svm_estimator" and type(value).__name__ == "SVC" and value.kernel == "rbf" and value.gamma == "scale":
        return {"C": float(value.C)}
    if name == "estimator" and cls == "ClusterCentroids" and type(value).__name__ in ("KMeans", "MiniBatchKMeans"):
        # The engine's k-means (k-means++, Lloyd) with the object's iteration limit;
        # its other settings (n_init, algorithm, tol) are the engine's.
        return {"max_iter": int(value.max_iter)}
    if name == "estimator" and cls == "InstanceHardnessThreshold" and type(value).__name__ == "RandomForestClassifier":
        return {"n_estimators": int(value.n_estimators)}
    raise NotOnEngine(f"{cls}({name}={value!r}) has no equivalent in the engine")


# Samplers that run SMOTE, then clean.
_COMBINED = {"SMOTEENN", "SMOTETomek"}

# Samplers that only pick rows (with RandomOverSampler's shrinkage off): they
# run on row numbers, so X may hold any dtype, as imbalanced-learn allows.
_PICKS_ROWS_ONLY = {"RandomOverSampler", "RandomUnderSampler"}


def engine_classes(reference_module, module, names):
    """The engine-backed classes of ``reference_module``'s ``names``, in order."""
    return [engine_class(getattr(reference_module, name), module) for name in names]


# The samplers of categorical data (engine entry point fit_resample_categorical).
_CATEGORICAL = {"SMOTENC", "SMOTEN"}


def storing_init(signature):
    """An ``__init__`` with ``signature`` (``self`` first) that only stores
    its arguments, as scikit-learn's estimator rules ask."""

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        for key, value in list(bound.arguments.items())[1:]:
            setattr(self, key, value)

    __init__.__signature__ = signature
    return __init__


def engine_class(reference, module):
    """The engine-backed class of imbalanced-learn's class ``reference``:
    the same name, signature and constraints, plus ``rng``."""
    ref_sig = inspect.signature(reference.__init__)
    params = list(ref_sig.parameters.values())
    params.append(inspect.Parameter("rng", inspect.Parameter.KEYWORD_ONLY, default="default"))
    signature = ref_sig.replace(parameters=params)

    __init__ = storing_init(signature)
    __init__.__doc__ = reference.__init__.__doc__
    constraints = dict(getattr(reference, "_parameter_constraints", {}))
    constraints["rng"] = [StrOptions({"default", "numpy"})]
    # imbalanced-learn's docs (numpydoc, with the papers and defaults), its
    # examples importing this package's class.
    doc = (reference.__doc__ or "").replace("from imblearn.", "from imbalanced.") + _RNG_DOC
    mixin = CategoricalEngineSampler if reference.__name__ in _CATEGORICAL else EngineSampler
    return type(
        reference.__name__,
        (mixin, reference),
        {
            "__init__": __init__,
            "__doc__": doc,
            "__module__": module,
            "_engine_name": reference.__name__,
            "_reference": reference,
            "_picks_rows_only": reference.__name__ in _PICKS_ROWS_ONLY,
            "_sets_sample_indices": "sample_indices_" in inspect.getsource(reference._fit_resample),
            "_parameter_constraints": constraints,
        },
    )


_RNG_DOC = """
    Engine
    ------
    Runs on the Rust engine of the ``imbalanced`` toolkit. One parameter more
    than imbalanced-learn's class:

    rng : {"default", "numpy"}, default="default"
        The random bits: ``"numpy"`` reproduces imbalanced-learn's output for
        the same integer ``random_state`` exactly (MT19937 and NumPy's
        sampling algorithms); ``"default"`` is the faster xoshiro256++.

    Estimator objects (``k_neighbors=NearestNeighbors(...)``,
    ``estimator=...``, ``svm_estimator=...``) are read into the engine's
    parameters where the engine implements them with the same meaning
    (Euclidean neighbour counts, an RBF ``SVC``'s ``C``, k-means' cluster
    count, a random forest's size). Any other object (another metric, a
    different classifier, a ``categorical_encoder``) runs imbalanced-learn's
    own code for this class, with the object as given; so does SMOTEENN or
    SMOTETomek on integer features (imbalanced-learn truncates the new rows
    to integers before cleaning).
"""
