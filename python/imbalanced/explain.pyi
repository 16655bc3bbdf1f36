"""Type stubs of imbalanced.explain (written by hand)."""

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Explainer"]

class Explainer:
    model: Any
    data: ArrayLike | None
    expected_value: float | NDArray[np.float64] | None
    def __init__(self, model: Any, data: ArrayLike | None = None) -> None: ...
    def shap_values(self, X: ArrayLike) -> NDArray[np.float64]: ...
