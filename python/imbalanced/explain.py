"""Exact attributions of this package's fitted estimators: ``imbalanced.explain``.

:class:`Explainer` follows shap's explainer interface (``shap_values(X)``,
``expected_value``) on the engine's exact methods:

* linear SHAP for :class:`~imbalanced.models.SoftmaxRegression` (on the
  logits, against the background's mean, as ``shap.LinearExplainer``);
* path-dependent TreeSHAP for :class:`~imbalanced.ensemble.BalancedRandomForestClassifier`,
  :class:`~imbalanced.ensemble.BalancedBaggingClassifier` (tree members) and
  :class:`~imbalanced.ensemble.HistGradientBoostingClassifier` (on its raw
  scores), as ``shap.TreeExplainer``; equal to shap 0.51 on the same trees.

The values of each row add up to the model's output: ``expected_value +
shap_values(X).sum(axis=1)`` (per class).

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

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["Explainer"]


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
        their node weights instead and ignore it. Required for linear
        models.

    Attributes
    ----------
    expected_value : float or ndarray of shape (n_outputs,)
        The model's expected output: a float for a single output (a
        two-class linear or boosted model's logit or raw score), else one
        per class.
    """

    def __init__(self, model, data=None):
        self.model = model
        self.data = data
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
        base, values = self._engine.shap_values(X, background)
        values = np.transpose(values, (1, 2, 0))
        if values.shape[2] == 1:
            self.expected_value = float(base[0])
            return values[:, :, 0]
        self.expected_value = np.asarray(base)
        return values

