"""smote-variants' samplers on the engine: ``imbalanced.smote_variants``.

The samplers that Kovács' comparison of 85 SMOTE variants (2019) found
strongest, with smote-variants 1.0.1's class names, parameters and defaults,
and its two entry points: ``sample(X, y)`` (smote-variants') and
``fit_resample(X, y)`` (imbalanced-learn's, for its pipelines). Each adds
``int((n_maj - n_min) * proportion)`` rows to the minority class; with more
than two classes every class is brought to the majority's size through
smote-variants' ``MulticlassOversampling`` default
(``eq_1_vs_many_successive``), which sets the proportion itself. The output
is the input, then the new rows; on two classes ``SMOTE_TomekLinks`` and
``SMOTE_IPF`` also drop input rows, as smote-variants. An integer
``random_state`` reproduces smote-variants' output for the same seed (its
NumPy ``RandomState``, bit for bit; the fixtures are
scripts/fixtures/sv_samplers.py), except ``G_SMOTE`` (its docstring says
why) and where scikit-learn breaks exact distance ties its own way.

Example
-------
>>> import numpy as np
>>> from imbalanced.smote_variants import polynom_fit_SMOTE_star
>>> X = np.arange(24, dtype=float).reshape(12, 2); y = np.array([0] * 9 + [1] * 3)
>>> X_res, y_res = polynom_fit_SMOTE_star().sample(X, y)
>>> np.bincount(y_res)
array([9, 9])
"""

from __future__ import annotations

import inspect
import json

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_X_y

from . import _native
from ._engine import _seed, storing_init

__all__ = [
    "Assembled_SMOTE", "CCR", "G_SMOTE", "LVQ_SMOTE", "Lee", "ProWSyn", "SMOBD", "SMOTE_IPF", "SMOTE_TomekLinks",
    "polynom_fit_SMOTE_bus", "polynom_fit_SMOTE_mesh", "polynom_fit_SMOTE_poly", "polynom_fit_SMOTE_star",
]

# The engine's description of each: (name, kind, summary, [(param, doc, default as JSON)]).
_DESCRIBED = {name: (summary, params) for name, _kind, summary, params in _native.samplers()}


class SmoteVariant(BaseEstimator):
    """The two entry points of a smote-variants sampler run by the engine."""

    _engine_name = ""
    # Whether the engine's sampler draws random numbers (takes a seed).
    _draws = False

    def fit_resample(self, X, y):
        """Over-sample ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        X_resampled : ndarray of shape (n_samples_new, n_features)
            The input rows kept, then the new rows.
        y_resampled : ndarray of shape (n_samples_new,)
        """
        X, y = check_X_y(X, y, dtype=np.float64)
        labels, codes = np.unique(y, return_inverse=True)
        params = {k: v for k, v in self.get_params().items() if k != "random_state"}
        if self._draws:
            # NumPy's RandomState, as smote-variants draws.
            params["random_state"] = _seed(self.random_state)
            params["rng"] = "numpy"
        x_res, y_codes, _, _ = _native.fit_resample(
            self._engine_name, json.dumps(params), np.ascontiguousarray(X), codes.astype(np.int64),
            [str(label) for label in labels], None)
        self.n_features_in_ = X.shape[1]
        return x_res, labels[y_codes]

    def sample(self, X, y):
        """smote-variants' name for :meth:`fit_resample`."""
        return self.fit_resample(X, y)


def _variant(name):
    summary, params = _DESCRIBED[name]
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    docs = []
    for param, doc, default in params:
        if param in ("random_state", "rng"):
            continue
        parameters.append(inspect.Parameter(param, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=json.loads(default)))
        docs.append(f"    {param} : default={default}\n        {doc}")
    parameters.append(inspect.Parameter("random_state", inspect.Parameter.KEYWORD_ONLY, default=None))
    docs.append("    random_state : int, RandomState instance or None, default=None\n"
                "        An int reproduces smote-variants' output for the same seed.")
    doc = f"{summary}.\n\n    smote-variants 1.0.1's ``{name}`` on the engine.\n\n    Parameters\n    ----------\n" + \
        "\n".join(docs) + "\n"
    return type(name, (SmoteVariant,), {
        "__init__": storing_init(inspect.Signature(parameters)),
        "__doc__": doc,
        "__module__": __name__,
        "_engine_name": name,
        "_draws": any(p[0] == "random_state" for p in params),
    })


polynom_fit_SMOTE_star = _variant("polynom_fit_SMOTE_star")
polynom_fit_SMOTE_bus = _variant("polynom_fit_SMOTE_bus")
polynom_fit_SMOTE_poly = _variant("polynom_fit_SMOTE_poly")
polynom_fit_SMOTE_mesh = _variant("polynom_fit_SMOTE_mesh")
ProWSyn = _variant("ProWSyn")
SMOTE_IPF = _variant("SMOTE_IPF")
Lee = _variant("Lee")
SMOBD = _variant("SMOBD")
G_SMOTE = _variant("G_SMOTE")
CCR = _variant("CCR")
LVQ_SMOTE = _variant("LVQ_SMOTE")
Assembled_SMOTE = _variant("Assembled_SMOTE")
SMOTE_TomekLinks = _variant("SMOTE_TomekLinks")
