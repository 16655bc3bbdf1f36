"""Over-samplers: imbalanced-learn's ``imblearn.over_sampling`` on the engine."""

from imblearn import over_sampling as _reference

from ._engine import engine_classes

__all__ = ["ADASYN", "BorderlineSMOTE", "KMeansSMOTE", "RandomOverSampler", "SMOTE", "SMOTEN", "SMOTENC", "SVMSMOTE"]

(
    ADASYN,
    BorderlineSMOTE,
    KMeansSMOTE,
    RandomOverSampler,
    SMOTE,
    SMOTEN,
    SMOTENC,
    SVMSMOTE,
) = engine_classes(_reference, __name__, __all__)
