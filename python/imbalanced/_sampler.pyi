"""What every sampler of this package has: imbalanced-learn's BaseSampler, stubbed."""

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from typing_extensions import Self

class Sampler:
    """What every sampler of this package has (imbalanced-learn's BaseSampler)."""

    sampling_strategy_: dict[Any, int]
    n_features_in_: int
    feature_names_in_: np.ndarray
    def fit(self, X: ArrayLike, y: ArrayLike) -> Self: ...
    def fit_resample(self, X: ArrayLike, y: ArrayLike) -> tuple[Any, Any]: ...
    def get_params(self, deep: bool = True) -> dict[str, Any]: ...
    def set_params(self, **params: Any) -> Self: ...
    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray: ...
