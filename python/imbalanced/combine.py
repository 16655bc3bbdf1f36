"""Over- then under-sampling: imbalanced-learn's ``imblearn.combine`` on the engine."""

from imblearn import combine as _reference

from ._engine import engine_classes

__all__ = ["SMOTEENN", "SMOTETomek"]

SMOTEENN, SMOTETomek = engine_classes(_reference, __name__, __all__)
