"""scikit-learn classifiers on the engine's models, trained with any imbalance loss.

``SoftmaxRegression`` (a linear softmax model fitted by L-BFGS) and
``MLPClassifier`` (a multi-layer perceptron trained with Adam) take
``loss=`` any loss of :mod:`imbalanced.losses` by name (``"focal"``), in
the CLI's text form (``"focal:gamma=3"``) or as a dict
(``{"name": "focal", "gamma": 3}``). They follow scikit-learn's estimator
rules (``fit``/``predict``/``predict_proba``/``score``, ``classes_``,
``get_params``/``set_params``, cloning) and pass its ``check_estimator``;
they pickle as the engine's model file (its JSON, checked on loading).
Their parameters, defaults and docs come from the engine's catalogue, where
each model is described once.
"""

from __future__ import annotations

import inspect
import json
import re

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.utils.validation import validate_data

from . import _native
from ._engine import _seed, storing_init

__all__ = ["SoftmaxRegression", "MLPClassifier", "SemiSupervisedMLPClassifier"]


def _to_engine(value):
    """A parameter value as the engine's JSON takes it."""
    if isinstance(value, tuple):
        return [_to_engine(v) for v in value]
    if isinstance(value, list):
        return [_to_engine(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _from_engine(value):
    """A catalogue default as a scikit-learn default: lists become tuples
    (scikit-learn allows no mutable defaults)."""
    if isinstance(value, list):
        return tuple(_from_engine(v) for v in value)
    return value


def class_codes(est, y):
    """The sorted classes of labels ``y`` and each label's code, after
    scikit-learn's target checks; a ValueError naming ``est`` for fewer than
    two classes."""
    check_classification_targets(y)
    classes, codes = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(
            f"{type(est).__name__} needs samples of at least 2 classes, but the data contains only one "
            f"class: {classes[0]!r}"
        )
    return classes, codes


class EnginePrediction:
    """Prediction by the engine's fitted model ``model_`` with scikit-learn's
    checks, for every engine-backed classifier. ``_fallback(name)`` gives
    the method to call instead (imbalanced-learn's, for an ensemble its own
    code fitted), or None."""

    def _fallback(self, name):
        return None

    def predict_proba(self, X):
        """Class probabilities of the rows of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``; rows sum to 1.
        """
        other = self._fallback("predict_proba")
        if other is not None:
            return other(X)
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self.model_.predict_proba(np.ascontiguousarray(X))

    def predict_log_proba(self, X):
        """The logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        other = self._fallback("predict_log_proba")
        if other is not None:
            return other(X)
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class of each row of ``X`` (the first among ties).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        other = self._fallback("predict")
        if other is not None:
            return other(X)
        proba = self.predict_proba(X)  # first: it checks that the model is fitted
        return self.classes_[np.argmax(proba, axis=1)]


class EngineClassifier(EnginePrediction, ClassifierMixin, BaseEstimator):
    """A classifier of the engine's catalogue (``_engine_name``) with scikit-learn's API."""

    _engine_name = ""

    def _engine_params(self):
        params = {}
        for name, value in self.get_params(deep=False).items():
            if name == "random_state":
                value = _seed(value)
            params[name] = _to_engine(value)
        return params

    def fit(self, X, y):
        """Fit the model on ``X`` (n_samples, n_features) and class labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows (finite numbers).
        y : array-like of shape (n_samples,)
            Class labels (any sortable values; at least two classes).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        X, y = validate_data(self, X, y, dtype=np.float64)
        self.model_ = self._fit_checked(X, y)
        self._read_fitted(json.loads(self.model_.to_json()))
        return self

    def _fit_checked(self, X, y):
        """The engine's model of checked ``X`` and ``y``; sets ``classes_``."""
        self.classes_, codes = class_codes(self, y)
        return _native.fit(
            self._engine_name,
            json.dumps(self._engine_params()),
            np.ascontiguousarray(X),
            codes.astype(np.int64),
            len(self.classes_),
        )



def _matrix(m):
    return np.asarray(m["data"], dtype=np.float64).reshape(m["shape"])


# Each class's fitted attributes, read from its model's JSON after fit.
class _SoftmaxAttributes:
    def _read_fitted(self, state):
        self.coef_ = _matrix(state["coef"])
        self.intercept_ = np.asarray(state["intercept"])
        self.n_iter_ = int(state["n_iter"])


class _MlpAttributes:
    def _read_fitted(self, state):
        layers = state["layers"] + [state["head"]]
        # scikit-learn's layout: coefs_[i] is (inputs, outputs).
        self.coefs_ = [_matrix(layer["w"]).T for layer in layers]
        self.intercepts_ = [np.asarray(layer["b"]) for layer in layers]
        self.loss_curve_ = list(state["loss_curve"])
        self.n_iter_ = len(self.loss_curve_)
        self.validation_scores_ = list(state["validation_curve"]) or None


_ATTRIBUTES = {
    "SoftmaxRegression": (
        _SoftmaxAttributes,
        """coef_ : ndarray of shape (n_classes, n_features)
        One row of coefficients per class (also for two classes).
    intercept_ : ndarray of shape (n_classes,)
    n_iter_ : int
        L-BFGS iterations run.""",
    ),
    "MLPClassifier": (
        _MlpAttributes,
        """coefs_ : list of ndarray
        Weights of each layer, ``(inputs, outputs)`` as scikit-learn's.
    intercepts_ : list of ndarray
        Biases of each layer.
    loss_curve_ : list of float
        Mean training loss of each epoch.
    n_iter_ : int
        Epochs trained.
    validation_scores_ : list of float or None
        Balanced accuracy on the validation split after each epoch (with early stopping).""",
    ),
}


def _doc(name, summary, params, attributes):
    lines = [summary if summary.endswith(".") else summary + ".", "",
             f"The engine's ``{name}`` (``imbalanced train --model {name}``).", "", "Parameters", "----------"]
    for pname, pdoc, default in params:
        value = _from_engine(json.loads(default))
        kind = type(value).__name__
        pdoc = re.sub(r"\s*Default: [^ ]+$", "", pdoc)
        lines += [f"{pname} : {kind}, default={value!r}", f"    {pdoc}"]
    lines += ["", "Attributes", "----------",
              "classes_ : ndarray of shape (n_classes,)", "    The class labels, sorted.",
              "n_features_in_ : int", "    Number of features seen during fit.",
              "feature_names_in_ : ndarray of shape (n_features_in_,)",
              "    Names of the features seen during fit, when ``X`` had string column names.",
              "model_ : imbalanced._native.Model", "    The engine's fitted model.",
              "    " + attributes.strip()]
    return "\n    ".join(lines)


def _classifier(name, summary, params):
    attributes, attributes_doc = _ATTRIBUTES[name]
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    parameters += [
        inspect.Parameter(p, inspect.Parameter.KEYWORD_ONLY, default=_from_engine(json.loads(d)))
        for p, _, d in params
    ]
    return type(
        name,
        (attributes, EngineClassifier),
        {
            "__init__": storing_init(inspect.Signature(parameters)),
            "__doc__": _doc(name, summary, params, attributes_doc),
            "__module__": __name__,
            "_engine_name": name,
        },
    )


_CATALOGUE = {name: (summary, params) for name, _kind, summary, params in _native.models()}
SoftmaxRegression = _classifier("SoftmaxRegression", *_CATALOGUE["SoftmaxRegression"])
MLPClassifier = _classifier("MLPClassifier", *_CATALOGUE["MLPClassifier"])


# The semi-supervised settings, beside MLPClassifier's own parameters.
_SSL = {"unlabelled_weight": 1.0, "proportions": None, "stochastic_proportions": False, "alignment": None,
        "alignment_temperature": None, "alignment_proxy_temperature": None}


class SemiSupervisedMLPClassifier(MLPClassifier):
    """``MLPClassifier`` trained on labelled and unlabelled rows.

    Rows labelled ``-1`` in ``y`` are unlabelled (scikit-learn's
    ``sklearn.semi_supervised`` convention). The labelled rows train with the
    model's ``loss``; every step adds a batch of unlabelled rows whose mean
    prediction is pulled toward the class proportions, ``unlabelled_weight *
    (-sum_c pi_c log mean_p_c)`` (learning from label proportions). With
    ``alignment``, the last hidden layer's class distribution is also aligned
    with learnable class proxies (our formulation of SCDL's CDBA + SAC, Su et
    al.: soft assignments embedding-to-proxy and proxy-to-embedding, a
    symmetric KL term, labelled rows as anchors). ``imbalanced train
    --unlabelled POOL [--align WEIGHT]`` is the same training.

    Parameters
    ----------
    **MLPClassifier's parameters**
        See :class:`MLPClassifier`.
    unlabelled_weight : float, default=1.0
        Weight of the proportion loss on the unlabelled rows.
    proportions : array-like of shape (n_classes,) or None, default=None
        Class proportions of the unlabelled rows, in the order of ``classes_``
        (None: the labelled rows' class shares).
    stochastic_proportions : bool, default=False
        Draw each batch's target proportions from the hypergeometric of a batch
        taken from a pool with these proportions, instead of the proportions.
    alignment : float or None, default=None
        Weight of the class-distribution alignment (None: off; the engine's
        suggested weight is 0.1).
    alignment_temperature, alignment_proxy_temperature : float or None, default=None
        Temperatures of the embedding-to-proxy and proxy-to-embedding
        assignments (None: the engine's default, 0.5; SCDL's own values were not
        available to us).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels of the labelled rows, sorted.
    n_unlabelled_ : int
        Unlabelled rows seen during fit.
    **MLPClassifier's fitted attributes**
        ``coefs_``, ``intercepts_``, ``loss_curve_``, ``n_iter_``, ``model_``.
    """

    def _engine_params(self):
        params = super()._engine_params()
        for key in _SSL:
            del params[key]
        return params

    def fit(self, X, y):
        """Fit on the labelled rows of ``X`` and, semi-supervised, its rows labelled ``-1``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows (finite numbers).
        y : array-like of shape (n_samples,)
            Class labels; ``-1`` marks an unlabelled row (with string labels, give
            an object array).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        return super().fit(X, y)

    def _fit_checked(self, X, y):
        if y.dtype.kind in "US" and (y == "-1").any():
            raise ValueError("y holds the string '-1', not the number -1 that marks unlabelled rows: give y as "
                             "an object array with -1 for each unlabelled row")
        unlabelled = np.array([not isinstance(v, str) and v == -1 for v in y], dtype=bool)
        self.n_unlabelled_ = int(unlabelled.sum())
        if not self.n_unlabelled_:
            return super()._fit_checked(X, y)
        self.classes_, codes = class_codes(self, y[~unlabelled])
        proportions = None if self.proportions is None else [float(p) for p in np.ravel(self.proportions)]
        alignment = None
        if self.alignment is not None:
            alignment = (float(self.alignment), *(None if t is None else float(t) for t in
                                                  (self.alignment_temperature, self.alignment_proxy_temperature)))
        return _native.fit_semi_supervised(
            json.dumps(self._engine_params()),
            np.ascontiguousarray(X[~unlabelled]),
            codes.astype(np.int64),
            len(self.classes_),
            np.ascontiguousarray(X[unlabelled]),
            float(self.unlabelled_weight),
            proportions,
            bool(self.stochastic_proportions),
            alignment,
        )


SemiSupervisedMLPClassifier.__init__ = storing_init(inspect.Signature(
    list(inspect.signature(MLPClassifier.__init__).parameters.values())
    + [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=v) for k, v in _SSL.items()]))
