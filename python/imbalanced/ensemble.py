"""imbalanced-learn's balanced ensembles and scikit-learn's histogram gradient
boosting on the engine: ``imbalanced.ensemble``.

``BalancedRandomForestClassifier``, ``BalancedBaggingClassifier`` (with any
sampler of the engine), ``RUSBoostClassifier`` and ``EasyEnsembleClassifier``
are imbalanced-learn's classes of the same names,
subclassed as the samplers are: the same parameters, defaults, validation
and tags. ``fit`` runs the engine's ensemble (``imbalanced-ensemble``:
members fitted in parallel on both cores, the same model on any thread
count) whenever every parameter has its engine equivalent; any other value
(a ``monotonic_cst``, ``sample_weight``, a warm start of an
ensemble imbalanced-learn's code fitted, an
estimator object the engine does not implement, a callable
``sampling_strategy``, sparse input) runs imbalanced-learn's own code, with
its attributes (``estimators_``, ``feature_importances_``, ...). An
engine-fitted ensemble has ``classes_``, ``n_classes_``, ``n_features_in_``
(and ``feature_names_in_``) and ``model_``, the engine's model, which pickles
as its model file.

``HistGradientBoostingClassifier`` is scikit-learn's class, likewise
subclassed, whose ``loss`` also takes the toolkit's imbalance-aware losses
(``"focal"``, ``"logit-adjusted"``, ...) and which adds LightGBM's
``scale_pos_weight`` and ``is_unbalance``.
"""

from __future__ import annotations

import inspect
import json
import numbers
import warnings

import imblearn.ensemble as reference
import numpy as np
from scipy import sparse
from sklearn._loss.loss import BaseLoss
from sklearn.ensemble import HistGradientBoostingClassifier as _HGB
from sklearn.utils._param_validation import Interval
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _check_sample_weight, check_is_fitted
from sklearn_compat.utils.validation import validate_data

from . import _native
from ._engine import NotOnEngine, _ENGINE_PARAMS, _seed, _strategy, _threads, engine_params
from .models import EnginePrediction, class_codes

__all__ = [
    "BalancedRandomForestClassifier",
    "BalancedBaggingClassifier",
    "RUSBoostClassifier",
    "EasyEnsembleClassifier",
    "HistGradientBoostingClassifier",
]


class _NotOnEngine(Exception):
    """A parameter value without an engine equivalent: imbalanced-learn's code runs."""


def _require(ok):
    if not ok:
        raise _NotOnEngine


def _count(value):
    """An optional count as JSON takes it (NumPy integers become ints)."""
    return None if value is None else int(value)


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
    _require(p["monotonic_cst"] is None and p["oob_score"] in (False, True))
    max_samples = p["max_samples"]
    # A fractional max_samples with class weights: scikit-learn 1.9 counts
    # weighted rows (and draws by weight); the engine counts rows.
    _require(max_samples is None or isinstance(max_samples, numbers.Integral) or p["class_weight"] is None)
    _require(isinstance(p["min_samples_split"], numbers.Integral) and isinstance(p["min_samples_leaf"], numbers.Integral))
    max_features = p["max_features"]
    _require(max_features in ("sqrt", "log2", None) or isinstance(max_features, numbers.Integral))
    class_weight = p["class_weight"]
    _require(class_weight in (None, "balanced"))
    return {
        **_common(est, p),
        "criterion": {"gini": "gini", "entropy": "entropy", "log_loss": "entropy"}[p["criterion"]],
        "max_depth": _count(p["max_depth"]),
        "min_samples_split": int(p["min_samples_split"]),
        "min_samples_leaf": int(p["min_samples_leaf"]),
        "max_features": max_features if not isinstance(max_features, numbers.Integral) else int(max_features),
        "min_weight_fraction_leaf": float(p["min_weight_fraction_leaf"]),
        "max_leaf_nodes": _count(p["max_leaf_nodes"]),
        "min_impurity_decrease": float(p["min_impurity_decrease"]),
        "ccp_alpha": float(p["ccp_alpha"]),
        "bootstrap": bool(p["bootstrap"]),
        "max_samples": None if max_samples is None else (
            int(max_samples) if isinstance(max_samples, numbers.Integral) else float(max_samples)),
        "oob_score": bool(p["oob_score"]),
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
    _require(p["oob_score"] in (False, True))
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
        "oob_score": bool(p["oob_score"]),
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
            Sample weights: the engine takes them for RUSBoost and for the
            balanced forest without a bootstrap; otherwise imbalanced-learn's
            code fits the ensemble.

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
            _require(not sparse.issparse(X) and (len(shape) == 1 or shape[1:] == (1,)))
            # Sample weights: the engine's RUSBoost, and its forest without a bootstrap.
            _require(sample_weight is None or self._engine_name == "RUSBoostClassifier"
                     or (self._engine_name == "BalancedRandomForestClassifier" and not self.bootstrap))
            # A warm start grows whichever code's ensemble there is.
            _require(not (getattr(self, "warm_start", False) and "estimators_" in self.__dict__
                          and "model_" not in self.__dict__))
            params = type(self)._engine_params(self)
            X_checked, y = validate_data(self, X, y, dtype=np.float64, ensure_all_finite=False)
            # Missing values: scikit-learn's trees take them, the engine does not.
            _require(np.isfinite(X_checked).all())
        except _NotOnEngine:
            self.__dict__.pop("model_", None)
            kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
            return self._reference.fit(self, X, y, **kwargs)
        X = X_checked
        classes, codes = class_codes(self, y)
        if params.get("oob_score") and not params.get("bootstrap", True):
            raise ValueError("Out of bag estimation only available if bootstrap=True")
        previous = self.__dict__.get("model_") if getattr(self, "warm_start", False) else None
        if previous is not None and (
            previous.n_features != X.shape[1] or len(self.classes_) != len(classes) or np.any(self.classes_ != classes)
        ):
            raise ValueError(
                f"warm_start=True grows the fitted ensemble, which saw {previous.n_features} features and the classes "
                f"{list(self.classes_)}; this data has {X.shape[1]} and {list(classes)}: set warm_start=False to refit"
            )
        self.classes_, self.n_classes_, self.n_outputs_ = classes, len(classes), 1
        args = (json.dumps(params), np.ascontiguousarray(X), codes.astype(np.int64), self.n_classes_)
        threads = _threads(getattr(self, "n_jobs", None))
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        if previous is None:
            self.model_ = _native.fit(self._engine_name, *args, threads, sample_weight)
        else:
            if params.get("oob_score") and self._engine_name == "BalancedBaggingClassifier":
                raise ValueError("Out of bag estimate only available if warm_start=False")
            if self._members() == self.n_estimators:
                warnings.warn("Warm-start fitting without increasing n_estimators does not fit new trees.", UserWarning)
            elif self._members() > self.n_estimators:
                raise ValueError(
                    f"n_estimators={self.n_estimators} must be larger or equal to len(estimators_)="
                    f"{self._members()} when warm_start==True"
                )
            self.model_ = _native.fit_more(self._engine_name, args[0], previous, *args[1:], threads)
        self._set_out_of_bag()
        if self._engine_name == "RUSBoostClassifier":
            self._set_rounds()
        return self

    def _set_rounds(self):
        """imbalanced-learn's estimator_weights_ and estimator_errors_: one
        entry per round asked for, 0 and 1 for the rounds not kept (after an
        early stop), as scikit-learn's AdaBoost leaves them."""
        fitted = json.loads(self.model_.to_json())
        kept = len(fitted["weights"])
        self.estimator_weights_ = np.zeros(self.n_estimators)
        self.estimator_weights_[:kept] = fitted["weights"]
        self.estimator_errors_ = np.ones(self.n_estimators)
        self.estimator_errors_[:kept] = fitted["errors"]

    def __len__(self):
        """The number of members, as imbalanced-learn's ``len(estimators_)``."""
        if "model_" in self.__dict__:
            return self._members()
        return super().__len__()

    def __bool__(self):
        # Truthy whether fitted or not: scikit-learn's ensembles define
        # truth by __len__, so ``if model:`` (shap's KernelExplainer does it
        # to a bound predict_proba's owner) failed on an engine-fitted one.
        return True

    def _members(self):
        """How many members the engine's model holds."""
        fitted = json.loads(self.model_.to_json())
        return len(fitted.get("trees") or fitted.get("members"))

    def _set_out_of_bag(self):
        """imbalanced-learn's oob_score_ and oob_decision_function_, and its warning."""
        out_of_bag = self.model_.out_of_bag()
        if out_of_bag is None:
            for name in ("oob_score_", "oob_decision_function_"):
                self.__dict__.pop(name, None)
            return
        self.oob_score_, decision, unscored = out_of_bag
        if unscored:
            warnings.warn(
                "Some inputs do not have OOB scores. This probably means too few trees were used to compute any "
                "reliable OOB estimates.",
                UserWarning,
            )
            if self._engine_name == "BalancedBaggingClassifier":
                # scikit-learn's bagging divides by a zero sum there.
                decision[decision.sum(axis=1) == 0] = np.nan
        self.oob_decision_function_ = decision

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
    and ``model_`` (not ``estimators_``); RUSBoost also its
    ``estimator_weights_`` and ``estimator_errors_``.
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


def _hgb_params(est):
    """The engine's HistGradientBoostingClassifier parameters, class_weight
    as given (a dict becomes a list once the classes are known)."""
    p = est.get_params(deep=False)
    _require(
        isinstance(p["loss"], str) and p["max_features"] == 1.0 and p["monotonic_cst"] is None
        and p["interaction_cst"] is None and not p["warm_start"] and p["scoring"] == "loss"
        and isinstance(p["validation_fraction"], numbers.Real) and not isinstance(p["validation_fraction"], numbers.Integral)
    )
    return {
        "loss": p["loss"],
        "learning_rate": float(p["learning_rate"]),
        "max_iter": int(p["max_iter"]),
        "max_leaf_nodes": _count(p["max_leaf_nodes"]),
        "max_depth": _count(p["max_depth"]),
        "min_samples_leaf": int(p["min_samples_leaf"]),
        "l2_regularization": float(p["l2_regularization"]),
        "max_bins": int(p["max_bins"]),
        "early_stopping": p["early_stopping"] if p["early_stopping"] == "auto" else bool(p["early_stopping"]),
        "validation_fraction": float(p["validation_fraction"]),
        "n_iter_no_change": int(p["n_iter_no_change"]),
        "tol": float(p["tol"]),
        "scale_pos_weight": float(p["scale_pos_weight"]),
        "is_unbalance": bool(p["is_unbalance"]),
        "random_state": _seed(p["random_state"]),
    }


def _engine_only(est):
    """The parameters only the engine implements, as ``name=value`` texts."""
    given = []
    if est.loss != "log_loss":
        given.append(f"loss={est.loss!r}")
    if est.scale_pos_weight != 1.0:
        given.append(f"scale_pos_weight={est.scale_pos_weight!r}")
    if est.is_unbalance:
        given.append("is_unbalance=True")
    return given


class HistGradientBoostingClassifier(EnginePrediction, _HGB):
    """Histogram-based gradient boosting, scikit-learn's class with the
    toolkit's imbalance-aware losses and LightGBM's class weights.

    scikit-learn's ``HistGradientBoostingClassifier`` (subclassed: the same
    parameters, defaults, validation and tags), fitted by the Rust engine
    whenever every parameter has its engine equivalent (the defaults do),
    otherwise by scikit-learn's own code. Two parameters are added, and
    ``loss`` takes more than ``"log_loss"``.

    Parameters
    ----------
    loss : str, default="log_loss"
        ``"log_loss"`` or any loss of ``imbalanced.losses`` with a Hessian:
        ``"weighted-ce"``, ``"focal"``, ``"cb-focal"``, ``"logit-adjusted"``,
        ``"ldam"`` (use ``"ldam:s=1"`` with trees), ``"balanced-softmax"``,
        ``"label-smoothing"``, ``"bce"``, ``"sigmoid-focal"``, ``"asl"``, with
        parameters as ``"focal:gamma=1"``. The focal forms and ASL are not
        convex; their Hessian is the Fisher form (never negative).
    learning_rate : float, default=0.1
    max_iter : int, default=100
    max_leaf_nodes : int or None, default=31
    max_depth : int or None, default=None
    min_samples_leaf : int, default=20
    l2_regularization : float, default=0.0
    max_features : float, default=1.0
        Other values: scikit-learn's code fits.
    max_bins : int, default=255
    categorical_features : array-like, str or None, default="from_dtype"
        Categorical columns: scikit-learn's code fits.
    monotonic_cst : array-like or dict, default=None
        Given: scikit-learn's code fits.
    interaction_cst : sequence or str, default=None
        Given: scikit-learn's code fits.
    warm_start : bool, default=False
        True: scikit-learn's code fits.
    early_stopping : "auto" or bool, default="auto"
        "auto": on above 10,000 rows, on a stratified ``validation_fraction``.
    scoring : str or callable, default="loss"
        Other than "loss": scikit-learn's code fits.
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=10
    tol : float, default=1e-7
    verbose : int, default=0
    random_state : int, RandomState instance or None, default=None
    class_weight : dict or "balanced", default=None
    scale_pos_weight : float, default=1.0
        LightGBM's weight of the positive class (the second of two classes).
    is_unbalance : bool, default=False
        LightGBM's ``is_unbalance``: the smaller of two classes weighs the
        size ratio. Exclusive with ``scale_pos_weight``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_iter_ : int
    n_trees_per_iteration_ : int
    do_early_stopping_ : bool
    train_score_ : ndarray
        Minus the training loss before the first round and after each, when
        early stopping was on.
    validation_score_ : ndarray
        Minus the validation loss likewise.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    model_ : imbalanced._native.Model
        The engine's model, when the engine fitted (pickles as its model file).

    Notes
    -----
    With ``X_val``, missing values or categorical columns scikit-learn's code fits, which takes only ``loss="log_loss"`` and neither
    added parameter: other values then raise ``ValueError``. An engine-fitted
    model predicts on finite rows only.
    """

    _parameter_constraints: dict = {
        **_HGB._parameter_constraints,
        "loss": [str, BaseLoss],
        "scale_pos_weight": [Interval(numbers.Real, 0, None, closed="neither")],
        "is_unbalance": ["boolean"],
    }
    _reference = _HGB

    def __init__(
        self,
        loss="log_loss",
        *,
        learning_rate=0.1,
        max_iter=100,
        max_leaf_nodes=31,
        max_depth=None,
        min_samples_leaf=20,
        l2_regularization=0.0,
        max_features=1.0,
        max_bins=255,
        categorical_features="from_dtype",
        monotonic_cst=None,
        interaction_cst=None,
        warm_start=False,
        early_stopping="auto",
        scoring="loss",
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-7,
        verbose=0,
        random_state=None,
        class_weight=None,
        scale_pos_weight=1.0,
        is_unbalance=False,
    ):
        super().__init__(
            loss=loss,
            learning_rate=learning_rate,
            max_iter=max_iter,
            max_leaf_nodes=max_leaf_nodes,
            max_depth=max_depth,
            min_samples_leaf=min_samples_leaf,
            l2_regularization=l2_regularization,
            max_features=max_features,
            max_bins=max_bins,
            categorical_features=categorical_features,
            monotonic_cst=monotonic_cst,
            interaction_cst=interaction_cst,
            warm_start=warm_start,
            early_stopping=early_stopping,
            scoring=scoring,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            verbose=verbose,
            random_state=random_state,
            class_weight=class_weight,
        )
        self.scale_pos_weight = scale_pos_weight
        self.is_unbalance = is_unbalance

    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the gradient boosting model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Per-row weights (the engine takes them).
        X_val, y_val, sample_weight_val : array-like, default=None
            Given: scikit-learn's code fits, on this validation set.

        Returns
        -------
        self : object
        """
        self._validate_params()
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None")
        categorical = hasattr(X, "dtypes") and any(str(d) == "category" for d in X.dtypes)
        try:
            _require(X_val is None and not sparse.issparse(X) and not categorical)
            _require(self.categorical_features in (None, "from_dtype"))
            shape = np.shape(np.asarray(y))
            _require(len(shape) == 1 or shape[1:] == (1,))
            params = _hgb_params(self)
            X_checked, y = validate_data(self, X, y, dtype=np.float64, ensure_all_finite=False)
            _require(np.isfinite(X_checked).all())
        except _NotOnEngine:
            only = _engine_only(self)
            if only:
                raise ValueError(
                    f"{', '.join(only)} runs on the engine only, which this fit cannot use (X_val, sparse "
                    "input, missing values, categorical columns or a scikit-learn-only parameter): drop those, "
                    "or use loss='log_loss' with class_weight"
                ) from None
            self.__dict__.pop("model_", None)
            return _HGB.fit(self, X, y, sample_weight, X_val=X_val, y_val=y_val, sample_weight_val=sample_weight_val)
        self.classes_, codes = class_codes(self, y)
        weight = self.class_weight
        if isinstance(weight, dict):
            weight = [float(weight.get(c, 1.0)) for c in self.classes_]
        params["class_weight"] = weight
        params["loss"] = "ce" if params["loss"] == "log_loss" else params["loss"]
        self.model_ = _native.fit(
            "HistGradientBoostingClassifier",
            json.dumps(params),
            np.ascontiguousarray(X_checked),
            codes.astype(np.int64),
            len(self.classes_),
            _threads(None),
            None if sample_weight is None else _check_sample_weight(sample_weight, X_checked, dtype=np.float64,
                                                                     ensure_non_negative=True),
        )
        fitted = json.loads(self.model_.to_json())
        self.n_trees_per_iteration_ = 1 if len(self.classes_) == 2 else len(self.classes_)
        self._engine_n_iter = fitted["n_iter"]
        self.do_early_stopping_ = bool(fitted["validation_score"])
        self.train_score_ = np.asarray(fitted["train_score"])
        self.validation_score_ = np.asarray(fitted["validation_score"])
        return self

    @property
    def n_iter_(self):
        """Boosting rounds fitted."""
        if "model_" in self.__dict__:
            return self._engine_n_iter
        return _HGB.n_iter_.fget(self)

    def _fallback(self, name):
        # predict_log_proba, which scikit-learn's class lacks, follows predict_proba.
        if "model_" in self.__dict__ or not hasattr(_HGB, name):
            return None
        return getattr(_HGB, name).__get__(self, type(self))

    def decision_function(self, X):
        """The raw scores: for two classes the second class's log-odds, else
        one score per class (softmax gives the probabilities).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        decision : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        other = self._fallback("decision_function")
        if other is not None:
            return other(X)
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        raw = self.model_.votes(np.ascontiguousarray(X))
        return raw.ravel() if raw.shape[1] == 1 else raw
