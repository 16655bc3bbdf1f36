"""imbalanced-learn's balanced ensembles on the engine: ``imbalanced.ensemble``.

``BalancedRandomForestClassifier``, ``BalancedBaggingClassifier`` (with any
sampler of the engine), ``RUSBoostClassifier`` and ``EasyEnsembleClassifier``
are imbalanced-learn's classes of the same names,
subclassed as the samplers are: the same parameters, defaults, validation
and tags. ``fit`` runs the engine's ensemble (``imbalanced-ensemble``:
members fitted in parallel on both cores, the same model on any thread
count) whenever every parameter has its engine equivalent; any other value
(a ``max_leaf_nodes``, ``oob_score``, ``warm_start``, ``sample_weight``, an
estimator object the engine does not implement, a callable
``sampling_strategy``, sparse input) runs imbalanced-learn's own code, with
its attributes (``estimators_``, ``feature_importances_``, ...). An
engine-fitted ensemble has ``classes_``, ``n_classes_``, ``n_features_in_``
(and ``feature_names_in_``) and ``model_``, the engine's model, which pickles
as its model file.
"""

from __future__ import annotations

import inspect
import json
import numbers

import imblearn.ensemble as reference
import numpy as np
from scipy import sparse
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.utils.validation import validate_data

from . import _native
from ._engine import NotOnEngine, _ENGINE_PARAMS, _seed, _strategy, _threads, engine_params
from .models import EnginePrediction

__all__ = ["BalancedRandomForestClassifier", "BalancedBaggingClassifier", "RUSBoostClassifier", "EasyEnsembleClassifier"]


class _NotOnEngine(Exception):
    """A parameter value without an engine equivalent: imbalanced-learn's code runs."""


def _require(ok):
    if not ok:
        raise _NotOnEngine


def _sampling(est):
    strategy = est.sampling_strategy
    _require(not callable(strategy))
    return _strategy(est, strategy, None)


def _tree_depth(estimator, default=1):
    """The depth of a DecisionTreeClassifier the engine builds the same way
    (only max_depth set), or ``default`` for None."""
    if estimator is None:
        return default
    _require(type(estimator).__name__ == "DecisionTreeClassifier")
    params = estimator.get_params()
    plain = dict(params, max_depth=None, random_state=None)
    _require(plain == type(estimator)().get_params() and isinstance(params["max_depth"], numbers.Integral))
    return int(params["max_depth"])


def _common(est, p):
    """The parameters every engine ensemble takes as imbalanced-learn names them."""
    return {
        "n_estimators": int(p["n_estimators"]),
        "sampling_strategy": _sampling(est),
        "replacement": bool(p["replacement"]),
        "random_state": _seed(p["random_state"]),
    }


def _forest_params(est):
    p = est.get_params(deep=False)
    _require(
        p["min_weight_fraction_leaf"] == 0.0 and p["max_leaf_nodes"] is None and p["min_impurity_decrease"] == 0.0
        and not p["oob_score"] and not p["warm_start"] and p["ccp_alpha"] == 0.0 and p["max_samples"] is None
        and p["monotonic_cst"] is None
    )
    _require(isinstance(p["min_samples_split"], numbers.Integral) and isinstance(p["min_samples_leaf"], numbers.Integral))
    max_features = p["max_features"]
    _require(max_features in ("sqrt", "log2", None) or isinstance(max_features, numbers.Integral))
    class_weight = p["class_weight"]
    _require(class_weight in (None, "balanced"))
    return {
        **_common(est, p),
        "criterion": {"gini": "gini", "entropy": "entropy", "log_loss": "entropy"}[p["criterion"]],
        "max_depth": p["max_depth"],
        "min_samples_split": int(p["min_samples_split"]),
        "min_samples_leaf": int(p["min_samples_leaf"]),
        "max_features": max_features if not isinstance(max_features, numbers.Integral) else int(max_features),
        "bootstrap": bool(p["bootstrap"]),
        "class_weight": class_weight,
    }


def _rusboost_params(est):
    p = est.get_params(deep=False)
    return {
        **_common(est, p),
        "learning_rate": float(p["learning_rate"]),
        "max_depth": _tree_depth(p["estimator"]),
    }


def _easy_params(est):
    p = est.get_params(deep=False)
    _require(not p["warm_start"])
    boosting = p["estimator"]
    rounds, rate = 50, 1.0
    if boosting is not None:
        _require(type(boosting).__name__ == "AdaBoostClassifier")
        b = boosting.get_params(deep=False)
        _require(_tree_depth(b["estimator"]) == 1)
        rounds, rate = int(b["n_estimators"]), float(b["learning_rate"])
    return {
        **_common(est, p),
        "n_boosting_rounds": rounds,
        "learning_rate": rate,
    }


def _sampler_spec(sampler):
    """A sampler object as the engine's sampler spec (its class name and
    parameters; the ensemble sets sampling_strategy and random_state)."""
    if sampler is None:
        return "RandomUnderSampler"
    name = type(sampler).__name__
    _require(name in _ENGINE_PARAMS)
    try:
        params = engine_params(sampler, None)
    except NotOnEngine as e:
        raise _NotOnEngine from e
    for key in ("sampling_strategy", "random_state"):
        params.pop(key, None)
    return {"name": name, **params}


def _bagging_params(est):
    p = est.get_params(deep=False)
    _require(not p["oob_score"] and not p["warm_start"])
    _require(all(isinstance(p[k], numbers.Real) and not isinstance(p[k], numbers.Integral)
                 for k in ("max_samples", "max_features")))
    estimator = p["estimator"]
    if estimator is not None:
        _require(type(estimator).__name__ == "DecisionTreeClassifier")
        _require(dict(estimator.get_params(), random_state=None) == type(estimator)().get_params())
    return {
        **_common(est, p),
        "max_samples": float(p["max_samples"]),
        "max_features": float(p["max_features"]),
        "bootstrap": bool(p["bootstrap"]),
        "bootstrap_features": bool(p["bootstrap_features"]),
        "sampler": _sampler_spec(p["sampler"]),
    }


class EngineEnsemble(EnginePrediction):
    """Fits an imbalanced-learn ensemble on the engine when its parameters
    allow (mixed in before imbalanced-learn's class)."""

    # Set by _engine_class: the engine's name and the translation of the
    # parameters (raising _NotOnEngine where the engine has no equivalent).
    _engine_name = ""
    _engine_params = None

    def fit(self, X, y, sample_weight=None):
        """Fit the ensemble on ``X`` and class labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; given, imbalanced-learn's code fits the ensemble.

        Returns
        -------
        self : object
        """
        return self._engine_fit(X, y, sample_weight)

    def _engine_fit(self, X, y, sample_weight=None):
        self._validate_params()
        try:
            # Sample weights, sparse rows and 2-D targets (but a column, which
            # validate_data flattens with scikit-learn's warning): imbalanced-learn's own handling.
            shape = np.shape(np.asarray(y))
            _require(sample_weight is None and not sparse.issparse(X) and (len(shape) == 1 or shape[1:] == (1,)))
            params = type(self)._engine_params(self)
            X_checked, y = validate_data(self, X, y, dtype=np.float64, ensure_all_finite=False)
            # Missing values: scikit-learn's trees take them, the engine does not.
            _require(np.isfinite(X_checked).all())
        except _NotOnEngine:
            self.__dict__.pop("model_", None)
            kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
            return self._reference.fit(self, X, y, **kwargs)
        X = X_checked
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        self.n_classes_ = len(self.classes_)
        self.n_outputs_ = 1
        if self.n_classes_ < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes, but the data contains only one "
                f"class: {self.classes_[0]!r}"
            )
        self.model_ = _native.fit(
            self._engine_name,
            json.dumps(params),
            np.ascontiguousarray(X),
            codes.astype(np.int64),
            self.n_classes_,
            _threads(getattr(self, "n_jobs", None)),
        )
        return self

    def _fallback(self, name):
        """imbalanced-learn's method where its own code fitted the ensemble (or none did)."""
        if "model_" in self.__dict__:
            return None
        return getattr(self._reference, name).__get__(self, type(self))


def _has_decision(est):
    """Whether ``est`` has a ``decision_function``: an engine-fitted boosted
    ensemble has; otherwise as imbalanced-learn's class says (EasyEnsemble's
    depends on its estimator)."""
    if "model_" in est.__dict__:
        return True
    return callable(getattr(super(BoostedDecision, est), "decision_function", None))


class BoostedDecision:
    """``decision_function`` of the engine's boosted ensembles (RUSBoost,
    EasyEnsemble), which imbalanced-learn's classes have."""

    @available_if(_has_decision)
    def decision_function(self, X):
        """The SAMME decision, as imbalanced-learn's class gives it: for two
        classes the second class's weighted vote minus the first's, else
        each class's share of the vote (EasyEnsemble: its members' mean).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        score : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        check_is_fitted(self)
        if "model_" not in self.__dict__:
            return super().decision_function(X)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        votes = self.model_.votes(np.ascontiguousarray(X))
        return votes[:, 1] - votes[:, 0] if self.n_classes_ == 2 else votes


class TreeImportances:
    """``feature_importances_`` of the engine's tree ensembles (the balanced
    forest, RUSBoost), which imbalanced-learn's classes have."""

    @property
    def feature_importances_(self):
        """Impurity-based feature importances, summing to 1 (scikit-learn's definition).

        Returns
        -------
        ndarray of shape (n_features,)
        """
        if "model_" not in self.__dict__:
            return super().feature_importances_
        return np.asarray(self.model_.feature_importances())


class EngineEnsembleWithoutWeights(EngineEnsemble):
    """For imbalanced-learn's ensembles whose ``fit`` takes no sample weights."""

    def fit(self, X, y):
        """Fit the ensemble on ``X`` and class labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
        """
        return self._engine_fit(X, y)


# The engine's boosted ensembles, whose models give SAMME votes.
_BOOSTED = {"RUSBoostClassifier", "EasyEnsembleClassifier"}

_ENGINE_DOC = """
    Engine
    ------
    Fitted by the Rust engine of the ``imbalanced`` toolkit whenever every
    parameter has its engine equivalent (the defaults do); otherwise, and with
    ``sample_weight`` or sparse input, by imbalanced-learn's own code. An
    engine-fitted ensemble has ``classes_``, ``n_classes_``, ``n_features_in_``
    and ``model_`` (not ``estimators_``).
"""


def _engine_class(name, engine_name, params):
    ref = getattr(reference, name)
    weighted = "sample_weight" in inspect.signature(ref.fit).parameters
    bases = (EngineEnsemble if weighted else EngineEnsembleWithoutWeights, ref)
    if engine_name in _BOOSTED:
        bases = (BoostedDecision,) + bases
    if hasattr(ref, "feature_importances_"):
        bases = (TreeImportances,) + bases
    return type(
        name,
        bases,
        {
            "__doc__": (ref.__doc__ or "").replace("from imblearn.", "from imbalanced.") + _ENGINE_DOC,
            "__module__": __name__,
            "_engine_name": engine_name,
            "_engine_params": staticmethod(params),
            "_reference": ref,
        },
    )


BalancedRandomForestClassifier = _engine_class(
    "BalancedRandomForestClassifier", "BalancedRandomForestClassifier", _forest_params
)
BalancedBaggingClassifier = _engine_class("BalancedBaggingClassifier", "BalancedBaggingClassifier", _bagging_params)
RUSBoostClassifier = _engine_class("RUSBoostClassifier", "RUSBoostClassifier", _rusboost_params)
EasyEnsembleClassifier = _engine_class("EasyEnsembleClassifier", "EasyEnsembleClassifier", _easy_params)
