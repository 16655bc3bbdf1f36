"""Exact attributions of this package's fitted estimators: ``imbalanced.explain``.

:class:`Explainer` follows shap's explainer interface (``shap_values(X)``,
``expected_value``) on the engine's exact methods:

* linear SHAP for :class:`~imbalanced.models.SoftmaxRegression` (on the
  logits, against the background's mean, as ``shap.LinearExplainer``);
* path-dependent TreeSHAP for :class:`~imbalanced.ensemble.BalancedRandomForestClassifier`,
  :class:`~imbalanced.ensemble.BalancedBaggingClassifier` (tree members),
  :class:`~imbalanced.ensemble.HistGradientBoostingClassifier` (on its raw
  scores), as ``shap.TreeExplainer`` (equal to shap 0.51 on the same trees),
  and :class:`~imbalanced.ensemble.RUSBoostClassifier` and
  :class:`~imbalanced.ensemble.EasyEnsembleClassifier` on their SAMME votes
  per class (``decision_function`` with three classes or more; the second
  column minus the first with two).

The values of each row add up to the model's output: ``expected_value +
shap_values(X).sum(axis=1)`` (per class).

:func:`permutation_importance` is scikit-learn's, run in Rust (columns in
parallel, no Python per shuffle) for this package's engine-fitted
estimators: the same shuffles, so the same importances.

:class:`KernelExplainer` explains any model (this package's estimators
without calling back into Python, or any function of rows, such as a
scikit-learn model's ``predict_proba``) by KernelSHAP: exact over every
coalition when shap's budget affords them, otherwise shap 0.51's sampling
scheme, equal to ``shap.KernelExplainer(f, data).shap_values(x,
l1_reg=False)`` after ``np.random.seed(random_state + i)`` for row ``i``.

:func:`stability` measures how stable those explanations are under noise: a
CIES-style credibility index (our formulation of Vaduva, Oprea & Bara
2026), overall and per class.

Example
-------
>>> import numpy as np
>>> from imbalanced.ensemble import BalancedRandomForestClassifier
>>> from imbalanced.explain import Explainer
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(200, 4)); y = (X[:, 0] + X[:, 1] > 1).astype(int)
>>> forest = BalancedRandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
>>> explainer = Explainer(forest)
>>> values = explainer.shap_values(X[:5])
>>> values.shape
(5, 4, 2)
>>> np.allclose(explainer.expected_value + values.sum(axis=1), forest.predict_proba(X[:5]))
True
"""

from __future__ import annotations

import json
import numbers
from dataclasses import dataclass

import numpy as np
from sklearn import inspection
from sklearn.utils import Bunch, check_random_state
from sklearn.utils.validation import check_is_fitted

from . import _native

__all__ = ["Explainer", "KernelExplainer", "permutation_importance", "stability", "StabilityResult"]


class Explainer:
    """Exact SHAP values of a fitted estimator of this package.

    Parameters
    ----------
    model : fitted estimator
        An estimator of ``imbalanced.models`` or ``imbalanced.ensemble``
        fitted by the engine (its ``model_``).
    data : array-like of shape (n_background, n_features), default=None
        Background rows: their mean is the linear models' reference (pass
        the training rows, as shap's maskers take them). Tree models use
        their node weights instead and ignore it, unless
        ``feature_perturbation="interventional"``. Required for linear
        models.
    feature_perturbation : {"tree_path_dependent", "interventional"}, default="tree_path_dependent"
        For tree models, as shap's ``TreeExplainer``: path-dependent
        TreeSHAP, or the interventional Shapley values against the rows of
        ``data`` (exact; keep ``data`` to a hundred rows or so: the cost
        grows with them).

    Attributes
    ----------
    expected_value : float or ndarray of shape (n_outputs,)
        The model's expected output: a float for a single output (a
        two-class linear or boosted model's logit or raw score), else one
        per class.
    """

    def __init__(self, model, data=None, feature_perturbation="tree_path_dependent"):
        self.model = model
        self.data = data
        self.feature_perturbation = feature_perturbation
        if feature_perturbation not in ("tree_path_dependent", "interventional"):
            raise ValueError(f"feature_perturbation={feature_perturbation!r}: use 'tree_path_dependent' or "
                             "'interventional'")
        if feature_perturbation == "interventional" and data is None:
            raise ValueError("feature_perturbation='interventional' needs background rows: give data=")
        check_is_fitted(model)
        engine = getattr(model, "model_", None)
        if engine is None or not hasattr(engine, "shap_values"):
            raise TypeError(
                f"{type(model).__name__} was not fitted by the engine (its estimator is not one the engine "
                "runs): no exact attributions"
            )
        self._engine = engine
        self._background = None if data is None else self._rows(data)
        self.expected_value = None

    def _rows(self, X):
        X = np.ascontiguousarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D, not of shape {X.shape}")
        n_features = getattr(self.model, "n_features_in_", X.shape[1])
        if X.shape[1] != n_features:
            raise ValueError(f"X has {X.shape[1]} features, but {type(self.model).__name__} was fitted on {n_features}")
        return X

    def shap_values(self, X):
        """SHAP values of the rows of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        values : ndarray of shape (n_samples, n_features) or (n_samples, n_features, n_outputs)
            Two dimensions for a single output, three otherwise (as shap 0.51
            returns them); each row's values plus ``expected_value`` are
            the model's output.
        """
        X = self._rows(X)
        if self._background is None and self._engine.name in ("LogisticRegression", "SoftmaxRegression"):
            raise ValueError(f"{type(self.model).__name__} is linear: give the training rows as data=")
        # Tree models ignore the background: any rows of the right width do.
        background = X if self._background is None else self._background
        base, values = self._engine.shap_values(X, background, self.feature_perturbation == "interventional")
        values, self.expected_value = _as_outputs(values, base)
        return values


def _as_outputs(values, base):
    """shap 0.51's layout: (n, d) for one output, else (n, d, k), and the base value(s)."""
    values = np.transpose(values, (1, 2, 0))
    if values.shape[2] == 1:
        return values[:, :, 0], float(base[0])
    return values, np.asarray(base)


class KernelExplainer:
    """SHAP values of any model by KernelSHAP, as ``shap.KernelExplainer``.

    The Shapley values of ``v(S) = mean over the background rows b of
    f(x_S, b_rest)``. With every coalition of the row's varying features
    within the budget (``nsamples="auto"``: 2 x features + 2048) they are
    exact; otherwise shap 0.51's scheme: the coalition sizes the budget
    affords whole, then random draws, and a weighted least-squares fit with
    the values summing to ``f(x) - expected_value``. Rows run in parallel.

    Parameters
    ----------
    model : fitted estimator or callable
        An estimator of this package fitted by the engine, or its bound
        ``predict_proba``: its class probabilities are explained in Rust.
        Otherwise any function from an array of shape (n, n_features) to
        outputs of shape (n,) or (n, n_outputs), such as a scikit-learn
        model's ``predict_proba``; it is called from several threads, one
        call at a time, each with many rows.
    data : array-like of shape (n_background, n_features)
        Background rows. Keep them few (a few dozen): every coalition is
        evaluated on each of them.
    random_state : int, default=0
        Row ``i`` draws from NumPy's ``RandomState(random_state + i)``,
        so shap's values with ``l1_reg=False`` after
        ``np.random.seed(random_state + i)`` for that row alone are ours.
        (shap's default ``l1_reg="num_features(10)"`` keeps only ten
        features' values; all are kept here.)

    Attributes
    ----------
    expected_value : float or ndarray of shape (n_outputs,)
        The model's mean output over the background rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from imbalanced.explain import KernelExplainer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 4)); y = (X[:, 0] > 0.5).astype(int)
    >>> clf = LogisticRegression().fit(X, y)
    >>> explainer = KernelExplainer(clf.predict_proba, X[:20])
    >>> values = explainer.shap_values(X[:3])
    >>> np.allclose(explainer.expected_value + values.sum(axis=1), clf.predict_proba(X[:3]))
    True
    """

    def __init__(self, model, data, *, random_state=0):
        self.model = model
        self.data = data
        self.random_state = random_state
        if not isinstance(random_state, (int, np.integer)) or isinstance(random_state, bool) or random_state < 0:
            raise TypeError(f"random_state must be an int >= 0, not {random_state!r}")
        self._engine = self._engine_of(model)
        if self._engine is None and not callable(model):
            raise TypeError(f"model must be a fitted estimator of this package or a function of rows, not "
                            f"{type(model).__name__}")
        background = np.ascontiguousarray(data, dtype=np.float64)
        if background.ndim != 2 or background.shape[0] == 0:
            raise ValueError(f"data must hold background rows in 2-D, not an array of shape {background.shape}")
        self._background = background
        base = self._outputs(background).mean(axis=0)
        self.expected_value = float(base[0]) if base.shape[0] == 1 else base

    @staticmethod
    def _engine_of(model):
        owner = getattr(model, "__self__", None)
        if owner is not None and getattr(model, "__name__", "") == "predict_proba":
            model = owner
        engine = getattr(model, "model_", None)
        return engine if isinstance(engine, _native.Model) else None

    def _outputs(self, rows):
        """The model's outputs on ``rows`` as (n, k) float64."""
        if self._engine is not None:
            return self._engine.predict_proba(rows)
        out = np.asarray(self.model(rows), dtype=np.float64)
        if out.ndim == 1:
            out = out[:, None]
        if out.ndim != 2 or out.shape[0] != rows.shape[0]:
            raise ValueError(f"the model returned outputs of shape {out.shape} for {rows.shape[0]} rows: return "
                             "(n,) or (n, n_outputs)")
        return np.ascontiguousarray(out)

    def shap_values(self, X, nsamples="auto"):
        """SHAP values of the rows of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        nsamples : "auto" or int, default="auto"
            Coalitions evaluated per row: ``"auto"`` is 2 x the row's
            varying features + 2048, as shap.

        Returns
        -------
        values : ndarray of shape (n_samples, n_features) or (n_samples, n_features, n_outputs)
            Each row's values plus ``expected_value`` are the model's output.
        """
        X = np.ascontiguousarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self._background.shape[1]:
            raise ValueError(f"X must be 2-D with the background's {self._background.shape[1]} columns, not of "
                             f"shape {X.shape}")
        if nsamples == "auto":
            nsamples = None
        elif not isinstance(nsamples, (int, np.integer)) or isinstance(nsamples, bool) or nsamples < 2:
            raise ValueError(f"nsamples={nsamples!r}: give 'auto' or an int >= 2")
        model = self._engine if self._engine is not None else self._outputs
        base, values = _native.kernel_shap(model, X, self._background, None if nsamples is None else int(nsamples),
                                           int(self.random_state))
        values, self.expected_value = _as_outputs(values, base)
        return values


# The scorers the engine computes; None is a classifier's accuracy.
_ENGINE_SCORING = {None: "accuracy", "accuracy": "accuracy", "balanced_accuracy": "balanced_accuracy",
                   "f1_macro": "f1_macro"}


def permutation_importance(estimator, X, y, *, scoring=None, n_repeats=5, n_jobs=None, random_state=None,
                           sample_weight=None, max_samples=1.0):
    """Permutation importance for feature evaluation, as scikit-learn's.

    scikit-learn's ``sklearn.inspection.permutation_importance``, with its
    parameters and result. For an estimator of this package fitted by the
    engine, with ``scoring`` None, ``"accuracy"``, ``"balanced_accuracy"``
    or ``"f1_macro"``, no ``sample_weight``, and labels among its
    ``classes_``, it runs in Rust, columns in parallel: the same shuffles
    (NumPy's ``RandomState``, bit for bit) and row subsets as scikit-learn
    draws, so the same importances. Anything else is scikit-learn's own
    function.

    Parameters
    ----------
    estimator : fitted estimator
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    scoring : str, callable or None, default=None
        None: the estimator's ``score`` (accuracy for a classifier).
    n_repeats : int, default=5
        Shuffles per column.
    n_jobs : int, default=None
        scikit-learn's jobs; the engine uses every core.
    random_state : int, RandomState instance or None, default=None
        As scikit-learn: one seed is drawn from it, every column shuffled
        from that seed.
    sample_weight : array-like of shape (n_samples,), default=None
    max_samples : int or float, default=1.0
        Rows each column's shuffles are scored on: a count, or a share of
        the rows; the baseline is scored on every row.

    Returns
    -------
    result : Bunch
        ``importances_mean``, ``importances_std`` (per feature) and
        ``importances`` of shape (n_features, n_repeats).
    """
    engine = getattr(estimator, "model_", None)
    classes = getattr(estimator, "classes_", None)
    y_array = np.asarray(y)
    on_engine = (isinstance(engine, _native.Model) and sample_weight is None and classes is not None
                 and isinstance(scoring, (str, type(None))) and scoring in _ENGINE_SCORING
                 and y_array.ndim == 1 and np.isin(y_array, classes).all())
    X_dense = None
    if on_engine:
        try:
            X_dense = np.ascontiguousarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            on_engine = False
    if not on_engine or X_dense.ndim != 2 or X_dense.shape[0] != y_array.shape[0]:
        return inspection.permutation_importance(
            estimator, X, y, scoring=scoring, n_repeats=n_repeats, n_jobs=n_jobs, random_state=random_state,
            sample_weight=sample_weight, max_samples=max_samples)
    if not isinstance(n_repeats, numbers.Integral) or isinstance(n_repeats, bool) or n_repeats < 1:
        raise ValueError(f"n_repeats must be an int >= 1, not {n_repeats!r}")
    if isinstance(max_samples, bool) or not isinstance(max_samples, numbers.Real):
        raise ValueError(f"max_samples must be an int or a float, not {max_samples!r}")
    # scikit-learn's first draw: the seed every column starts from.
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max + 1)
    codes = np.searchsorted(classes, y_array).astype(np.int64)
    samples = str(int(max_samples)) if isinstance(max_samples, numbers.Integral) else repr(float(max_samples))
    _, importances = _native.permutation_importance(
        engine, X_dense, codes, _ENGINE_SCORING[scoring], int(n_repeats), samples, int(seed))
    return Bunch(importances_mean=importances.mean(axis=1), importances_std=importances.std(axis=1),
                 importances=importances)


@dataclass
class StabilityResult:
    """What :func:`stability` returns.

    Attributes
    ----------
    index : float
        Mean over rows of ``1 - the mean rank-weighted distance`` between a
        row's attributions and its noisy copies' (1: rankings never move).
    index_interval : tuple of float
        Its 95% percentile bootstrap interval.
    uniform_index : float
        The same with uniform weights: the baseline.
    weighted_tau, rank_biased_overlap, top3 : float
        Mean weighted Kendall tau (as ``scipy.stats.weightedtau``), rank-biased
        overlap (p 0.9) and top-3 agreement of the same pairs.
    per_class : dict
        Per class label: ``{"rows", "index", "index_interval", "uniform_index"}``.
    rows : ndarray of shape (n_samples, 5)
        Per row: index, uniform index, weighted tau, RBO, top-3.
    mean_abs : ndarray of shape (n_features,)
        Each feature's mean absolute attribution over the rows (each for
        its own class), without noise: what the rankings rank.
    rank_shift : ndarray of shape (n_features,)
        Per place of a row's ranking (0 the most important): how many
        places the feature there moved in the noisy copies, on average.
    """

    index: float
    index_interval: tuple
    uniform_index: float
    weighted_tau: float
    rank_biased_overlap: float
    top3: float
    per_class: dict
    rows: np.ndarray
    mean_abs: np.ndarray
    rank_shift: np.ndarray


def stability(model, X, y, *, data=None, noise=0.1, perturbations=20, weights="harmonic", n_bootstrap=1000,
              random_state=0, categorical=None, flip=None):
    """How stable a fitted model's exact attributions are under noise.

    Each row gets ``perturbations`` noisy copies (Gaussian noise of
    ``noise`` times each column's standard deviation over ``X``), every copy
    is explained (:class:`Explainer`), and the row's index is one minus the
    mean rank-weighted distance between its attribution ranking and the
    copies' (moves among the top features weigh more); our formulation of
    the CIES index (Vaduva, Oprea & Bara 2026). Each row is explained for
    its own class in ``y`` (a single-output model's one output).

    Parameters
    ----------
    model : fitted estimator
        As for :class:`Explainer`.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        The rows' labels, among the model's ``classes_``.
    data : array-like, default=None
        Background rows (the training rows) for linear models.
    noise : float, default=0.1
    perturbations : int, default=20
    weights : {"harmonic", "dcg", "uniform"}, default="harmonic"
        How a feature's displacement is weighed by its place: ``1/(r+1)``,
        ``1/log2(r+2)``, or 1.
    n_bootstrap : int, default=1000
        Resamples of the bootstrap intervals.
    random_state : int, default=0
        Seed of the noise and the bootstrap.
    categorical : list of list of int, default=None
        The one-hot columns of each categorical value, each group side by
        side (as ``OneHotEncoder`` writes them): these columns get no
        Gaussian noise; instead a noisy copy moves the value to another
        level with probability ``flip``.
    flip : float, default=None
        That probability; None: the noise level (capped at 1), so that
        ``noise=0`` changes nothing.

    Returns
    -------
    result : StabilityResult
    """
    explainer = Explainer(model, data)
    X = explainer._rows(X)
    classes = np.asarray(model.classes_)
    y = np.asarray(y)
    codes = np.searchsorted(classes, y)
    if y.shape != (X.shape[0],) or np.any(codes >= len(classes)) or np.any(classes[np.minimum(codes, len(classes) - 1)] != y):
        raise ValueError("y must hold one label per row of X, among the model's classes_")
    if explainer._engine.name in ("LogisticRegression", "SoftmaxRegression") and data is None:
        raise ValueError(f"{type(model).__name__} is linear: give the training rows as data=")
    background = X if explainer._background is None else explainer._background
    probe = explainer._engine.shap_values(X[:1], background)[0]
    output = np.zeros(len(y), dtype=np.int64) if len(probe) == 1 else codes.astype(np.int64)
    if not isinstance(random_state, (int, np.integer)) or random_state < 0:
        raise TypeError(f"random_state must be an int >= 0, not {random_state!r}")
    scale = X.std(axis=0)
    groups = []
    for group in categorical or []:
        columns = sorted(int(c) for c in group)
        if not columns or columns != list(range(columns[0], columns[0] + len(columns))) or columns[-1] >= X.shape[1] \
                or columns[0] < 0:
            raise ValueError(f"categorical group {list(group)}: give each value's one-hot columns side by side, "
                             f"within the {X.shape[1]} columns")
        scale[columns] = 0.0
        groups.append((columns[0], columns[-1] + 1))
    report = json.loads(explainer._engine.stability(
        X, background, codes.astype(np.int64), len(classes), output, scale.tolist(), float(noise),
        int(perturbations), weights, int(n_bootstrap), int(random_state), groups,
        None if flip is None else float(flip)))
    overall = report["overall"]
    per_class = {
        label: None if s is None else {"rows": s["rows"], "index": s["index"],
                                       "index_interval": (s["index_low"], s["index_high"]),
                                       "uniform_index": s["uniform_index"]}
        for label, s in zip(classes.tolist(), report["per_class"])
    }
    return StabilityResult(
        index=overall["index"],
        index_interval=(overall["index_low"], overall["index_high"]),
        uniform_index=overall["uniform_index"],
        weighted_tau=overall["weighted_tau"],
        rank_biased_overlap=overall["rank_biased_overlap"],
        top3=overall["top3"],
        per_class=per_class,
        rows=np.asarray(report["rows"], dtype=np.float64),
        mean_abs=np.asarray(report["mean_abs"], dtype=np.float64),
        rank_shift=np.asarray(report["rank_shift"], dtype=np.float64),
    )

