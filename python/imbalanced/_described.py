"""Samplers that imbalanced-learn does not have, made from the engine's
description of them (name, summary, parameters, defaults): their classes
are generated here, so the Rust definition stays the only one."""

from __future__ import annotations

import inspect
import json

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_X_y

from . import _native
from ._engine import _seed, storing_init

# The engine's description of each: (name, kind, summary, [(param, doc, default as JSON)]).
_DESCRIBED = {name: (summary, params) for name, _kind, summary, params in _native.samplers()}


class DescribedSampler(BaseEstimator):
    """``fit_resample`` of a sampler the engine describes."""

    _engine_name = ""
    # Whether the engine's sampler draws random numbers (takes a seed).
    _draws = False

    def _engine_params(self):
        """The parameters as the engine reads them (JSON values)."""
        params = {k: v for k, v in self.get_params(deep=False).items() if k != "random_state"}
        if self._draws:
            # NumPy's RandomState, as the references draw.
            params["random_state"] = _seed(self.random_state)
            params["rng"] = "numpy"
        return params

    def fit_resample(self, X, y):
        """Resample ``X`` and ``y``.

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
        x_res, y_codes, _, _ = _native.fit_resample(
            self._engine_name, json.dumps(self._engine_params()), np.ascontiguousarray(X), codes.astype(np.int64),
            [str(label) for label in labels], None)
        self.n_features_in_ = X.shape[1]
        return x_res, labels[y_codes]


def described(name, base, module, origin, seed_doc, extra=()):
    """The class of engine sampler ``name``: ``base`` subclassed with the
    engine's parameters and defaults, then ``extra`` ones the Python side
    reads (``(name, default, doc)``), then ``random_state`` (keyword-only,
    documented by ``seed_doc``); its summary and ``origin`` (where it comes
    from) in its docstring."""
    summary, params = _DESCRIBED[name]
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    docs = []
    for param, doc, default in params:
        if param in ("random_state", "rng"):
            continue
        parameters.append(inspect.Parameter(param, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=json.loads(default)))
        docs.append(f"    {param} : default={default}\n        {doc}")
    for param, default, doc in extra:
        parameters.append(inspect.Parameter(param, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default))
        docs.append(f"    {param} : default={default!r}\n        {doc}")
    # Every class takes random_state, as the references' do, whether or not it draws.
    parameters.append(inspect.Parameter("random_state", inspect.Parameter.KEYWORD_ONLY, default=None))
    docs.append(f"    random_state : int, RandomState instance or None, default=None\n        {seed_doc}")
    doc = f"{summary}.\n\n    {origin}\n\n    Parameters\n    ----------\n" + "\n".join(docs) + "\n"
    return type(name, (base,), {
        "__init__": storing_init(inspect.Signature(parameters)),
        "__doc__": doc,
        "__module__": module,
        "_engine_name": name,
        "_draws": any(p[0] == "random_state" for p in params),
    })
