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

from ._described import DescribedSampler, described

__all__ = [
    "Assembled_SMOTE", "CCR", "G_SMOTE", "LVQ_SMOTE", "Lee", "ProWSyn", "SMOBD", "SMOTE_IPF", "SMOTE_TomekLinks",
    "polynom_fit_SMOTE_bus", "polynom_fit_SMOTE_mesh", "polynom_fit_SMOTE_poly", "polynom_fit_SMOTE_star",
]


class SmoteVariant(DescribedSampler):
    """A smote-variants sampler on the engine: ``fit_resample`` (imbalanced-learn's entry point, for its
    pipelines) and ``sample`` (smote-variants')."""

    def sample(self, X, y):
        """smote-variants' name for :meth:`fit_resample`."""
        return self.fit_resample(X, y)


def _variant(name):
    return described(name, SmoteVariant, __name__, f"smote-variants 1.0.1's ``{name}`` on the engine.",
                     "An int reproduces smote-variants' output for the same seed.")


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
