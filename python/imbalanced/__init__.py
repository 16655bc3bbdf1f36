"""imbalanced: imbalanced-learn's samplers on a fast, exact Rust engine.

The modules follow imbalanced-learn's layout: ``imbalanced.over_sampling``,
``imbalanced.under_sampling`` and ``imbalanced.combine`` hold the classes of
the same names, with the same parameters and defaults, plus ``rng``
(``"numpy"`` reproduces imbalanced-learn's output for the same integer
``random_state``). ``imbalanced.metrics`` holds imbalanced-learn's metrics,
``imbalanced.losses`` the engine's imbalance losses (value and gradient on
NumPy arrays) and the focal-entropy tools, ``imbalanced.models``
scikit-learn classifiers trained with any of those losses,
``imbalanced.ensemble`` imbalanced-learn's balanced ensembles, and
``imbalanced.federated`` flwr-datasets' partitioners (the same partitions
for the same seed) and a federated simulator, ``imbalanced.active``
active learning's query strategies and loop, ``imbalanced.explain``
exact SHAP values of the fitted estimators, ``imbalanced.smote_variants``
smote-variants' strongest SMOTE variants (its names and parameters),
``imbalanced.synthesis`` synthesis beyond SMOTE (label-consistent
over-sampling), and ``imbalanced.scale`` resampling, folds and partitions of
files larger than memory on Apache DataFusion (in a build with the engine).
"""

from . import (active, combine, ensemble, explain, federated, losses, metrics, models, over_sampling, scale,
               smote_variants, synthesis, under_sampling)
from ._native import __version__

__all__ = ["active", "combine", "ensemble", "explain", "federated", "losses", "metrics", "models", "over_sampling", "scale",
           "smote_variants", "synthesis", "under_sampling", "__version__"]
