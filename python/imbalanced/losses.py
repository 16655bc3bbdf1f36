"""The imbalance losses of the engine on NumPy arrays, and the focal-entropy tools.

Every loss of the engine's catalogue (the names ``imbalanced train --loss``
takes) is a function ``NAME_loss(logits, y, *, PARAMS, class_counts=None)``
returning the batch objective and its gradient with respect to the logits::

    value, grad = focal_loss(logits, y, gamma=2.0)

``logits`` is ``(n_samples, n_classes)``; ``y`` holds class codes
``0..n_classes-1`` (or, for the multi-label losses, a 0/1 matrix of the
logits' shape). The losses that depend on the class frequencies (class
weights, margins, priors) take them from ``class_counts``: by default the
counts of ``y`` itself, but a minibatch should pass the training set's.
The functions, their parameters, defaults and docs are generated from the
engine's catalogue, where each loss is described once.
"""

from __future__ import annotations

import inspect
import json
import keyword
import numbers
import re
from typing import NamedTuple

import numpy as np

from . import _native

__all__ = ["focal_h", "focal_minimiser", "focal_calibrate", "advise_gamma", "FocalMinimiser"]


def _logits(logits):
    arr = np.asarray(logits)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"logits must be numbers, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(f"logits must be a 2-D array (n_samples, n_classes), got shape {arr.shape}")
    return np.ascontiguousarray(arr, dtype=np.float64)


def _codes(y, n, n_classes):
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(f"y must hold one class code per row of logits ({n}), got shape {y.shape}")
    if not (np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.bool_)):
        if not (np.issubdtype(y.dtype, np.floating) and np.all(np.mod(y, 1) == 0)):
            raise ValueError(
                f"y must hold class codes 0..{n_classes - 1} (integers), got dtype {y.dtype}; "
                "encode labels first, e.g. with sklearn.preprocessing.LabelEncoder"
            )
    return y.astype(np.int64)


def _call(name, multilabel, logits, y, params, class_counts, epoch=0, epochs=1):
    x = _logits(logits)
    counts = None if class_counts is None else [float(c) for c in np.asarray(class_counts, dtype=np.float64)]
    y_arr = np.asarray(y)
    if y_arr.ndim == 2:
        if not multilabel:
            raise ValueError(
                f"{name} takes class codes (a 1-D y), not a target matrix; "
                f"the multi-label losses are {', '.join(_MULTILABEL)}"
            )
        if y_arr.shape != x.shape:
            raise ValueError(f"the target matrix has shape {y_arr.shape}, the logits {x.shape}: give one per logit")
        targets = np.ascontiguousarray(y_arr, dtype=np.float64)
        return _native.loss(name, json.dumps(params), x, targets=targets, class_counts=counts,
                            epoch=epoch, epochs=epochs)
    codes = _codes(y_arr, x.shape[0], x.shape[1])
    return _native.loss(name, json.dumps(params), x, y=codes, class_counts=counts, epoch=epoch, epochs=epochs)


def _python_name(param):
    """A parameter's Python name: the engine's, with ``_`` after a keyword (TAL's ``lambda_``)."""
    return param + "_" if keyword.iskeyword(param) else param


def _python_value(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


def _doc(name, summary, params, multilabel, scheduled):
    summary = summary if summary.endswith(".") else summary + "."
    lines = [summary, "", f"The engine's ``{name}`` loss (``imbalanced train --loss {name}``).", "",
             "Parameters", "----------",
             "logits : array-like of shape (n_samples, n_classes)",
             "    The model's raw outputs.",
             "y : array-like of shape (n_samples,)" + (" or (n_samples, n_classes)" if multilabel else ""),
             "    Class codes ``0..n_classes-1``" + (", or a 0/1 multi-label target matrix." if multilabel else ".")]
    for pname, pdoc, default in params:
        value = json.loads(default)
        kind = type(value).__name__ if value is not None else "object"
        # The signature line gives the default; the catalogue's doc line ends with it too.
        pdoc = re.sub(r"\s*Default: [^ ]+$", "", pdoc)
        lines += [f"{_python_name(pname)} : {kind}, default={value!r}", f"    {pdoc}"]
    lines += ["class_counts : array-like of shape (n_classes,), default=None",
              "    Samples per class (positives per label for a target matrix) for the",
              "    losses built from the class frequencies; None: those of ``y``."]
    if scheduled:
        lines += ["epoch : int, default=0", "    The training epoch (0-based), for the loss's schedule.",
                  "epochs : int, default=1", "    The number of training epochs the schedule spans."]
    lines += ["", "Returns", "-------", "value : float", "    The batch objective.",
              "grad : ndarray of shape (n_samples, n_classes)", "    Its gradient with respect to ``logits``."]
    return "\n".join(lines)


def _loss_function(name, summary, params, multilabel, scheduled):
    """The Python function of catalogue loss ``name``."""
    pos = inspect.Parameter.POSITIONAL_OR_KEYWORD
    kw = inspect.Parameter.KEYWORD_ONLY
    parameters = [inspect.Parameter("logits", pos), inspect.Parameter("y", pos)]
    parameters += [inspect.Parameter(_python_name(p), kw, default=json.loads(d)) for p, _, d in params]
    parameters.append(inspect.Parameter("class_counts", kw, default=None))
    if scheduled:
        parameters += [inspect.Parameter("epoch", kw, default=0), inspect.Parameter("epochs", kw, default=1)]
    sig = inspect.Signature(parameters)
    names = [p for p, _, _ in params]

    def loss(*args, **kwargs):
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        a = bound.arguments
        values = {}
        for p in names:
            given = a[_python_name(p)]
            v = _python_value(given)
            if isinstance(v, bool) or not isinstance(v, (numbers.Real, str)):
                raise TypeError(f"{fname}({_python_name(p)}={given!r}): give a number (or, where the doc lists names, a name)")
            values[p] = v
        schedule = {"epoch": int(a["epoch"]), "epochs": int(a["epochs"])} if scheduled else {}
        return _call(name, multilabel, a["logits"], a["y"], values, a["class_counts"], **schedule)

    fname = name.replace("-", "_") + "_loss"
    loss.__name__ = loss.__qualname__ = fname
    loss.__module__ = __name__
    loss.__signature__ = sig
    loss.__doc__ = _doc(name, summary, params, multilabel, scheduled)
    return fname, loss


_CATALOGUE = _native.losses()
_MULTILABEL = [d[0] for d, multilabel, _ in _CATALOGUE if multilabel]
for (_name, _kind, _summary, _params), _multilabel, _scheduled in _CATALOGUE:
    _fname, _function = _loss_function(_name, _summary, _params, _multilabel, _scheduled)
    globals()[_fname] = _function
    __all__.append(_fname)


def focal_h(q, gamma):
    """The focal entropy's ``h(q) = (1-q)^(gamma-1) [(1-q)/q - gamma log q]``, elementwise.

    ``h`` is strictly decreasing on (0, 1); the focal-entropy minimiser solves
    ``p_i h(q_i) = mu`` (Shah, Cardone and Dytso 2026).

    Parameters
    ----------
    q : array-like
        Probabilities in (0, 1].
    gamma : float
        The focusing parameter, >= 0.

    Returns
    -------
    ndarray
        ``h(q)``, of ``q``'s shape.
    """
    arr = np.asarray(q, dtype=np.float64)
    return _native.focal_h(np.ascontiguousarray(arr.ravel()), float(gamma)).reshape(arr.shape)


class FocalMinimiser(NamedTuple):
    """The focal-entropy minimiser of a class distribution (see :func:`focal_minimiser`)."""

    mu: float
    """The Lagrange multiplier; > 1 means the rarest classes are over-suppressed."""
    q: np.ndarray
    """``q*``, the probabilities a focal-trained model estimates, summing to 1."""
    suppressed: np.ndarray
    """Classes with ``q*_i < p_i``."""
    over_suppressed: np.ndarray
    """Suppressed classes rarer than the peak of ``p h(p)``, where focal loss would otherwise amplify."""


def focal_minimiser(p, gamma):
    """What focal loss with ``gamma`` makes of the class distribution ``p``.

    The minimiser ``q*`` of the focal entropy ``sum_i p_i (1-q_i)^gamma log(1/q_i)``
    over distributions ``q`` (Shah, Cardone and Dytso 2026, "Functional
    properties of the focal-entropy"): a focal-trained model's probabilities
    estimate ``q*``, not ``p``.

    Parameters
    ----------
    p : array-like of shape (n_classes,)
        A class distribution (non-negative, summing to 1).
    gamma : float
        The focusing parameter, >= 0.

    Returns
    -------
    FocalMinimiser
        ``(mu, q, suppressed, over_suppressed)``.

    Examples
    --------
    >>> from imbalanced.losses import focal_minimiser
    >>> m = focal_minimiser([0.9, 0.09, 0.01], gamma=2.0)
    >>> print(round(float(m.q.sum()), 6))
    1.0
    """
    mu, q, suppressed, over = _native.focal_minimiser([float(v) for v in np.asarray(p, dtype=np.float64)],
                                                      float(gamma))
    return FocalMinimiser(mu, np.asarray(q), np.asarray(suppressed, dtype=np.intp), np.asarray(over, dtype=np.intp))


def focal_calibrate(proba, gamma):
    """Map a focal-trained model's probabilities back to calibrated ones.

    The exact inverse of the focal-entropy minimiser:
    ``p_i = h(q_i)^-1 / sum_j h(q_j)^-1`` for each row (Shah, Cardone and Dytso 2026).

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes) or (n_classes,)
        Probabilities of a model trained with focal loss, rows summing to 1.
    gamma : float
        The focusing parameter the model was trained with.

    Returns
    -------
    ndarray
        Calibrated probabilities, of ``proba``'s shape.
    """
    arr = np.asarray(proba, dtype=np.float64)
    if arr.ndim not in (1, 2):
        raise ValueError(f"proba must be 1-D or 2-D, got shape {arr.shape}")
    out = _native.focal_calibrate(np.ascontiguousarray(np.atleast_2d(arr)), float(gamma))
    return out.reshape(arr.shape)


def advise_gamma(p, max_gamma=5.0, step=0.1):
    """The largest focusing parameter that over-suppresses no class of ``p``.

    Searches ``0, step, 2 step, ..., max_gamma``; 0 always qualifies (plain
    cross-entropy). The rule is :func:`focal_minimiser`'s ``over_suppressed``.

    Parameters
    ----------
    p : array-like of shape (n_classes,)
        The class distribution (e.g. the training class shares).
    max_gamma : float, default=5.0
        The largest gamma tried.
    step : float, default=0.1
        The grid step.

    Returns
    -------
    float
    """
    return _native.advise_gamma([float(v) for v in np.asarray(p, dtype=np.float64)], float(max_gamma), float(step))
