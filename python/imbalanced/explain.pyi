"""Type stubs of imbalanced.explain (written by hand)."""

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Explainer", "KernelExplainer", "permutation_importance", "stability", "StabilityResult"]

class Explainer:
    model: Any
    data: ArrayLike | None
    expected_value: float | NDArray[np.float64] | None
    feature_perturbation: Literal["tree_path_dependent", "interventional"]
    def __init__(
        self,
        model: Any,
        data: ArrayLike | None = None,
        feature_perturbation: Literal["tree_path_dependent", "interventional"] = "tree_path_dependent",
    ) -> None: ...
    def shap_values(self, X: ArrayLike) -> NDArray[np.float64]: ...

class KernelExplainer:
    model: Any
    data: ArrayLike
    random_state: int
    expected_value: float | NDArray[np.float64]
    def __init__(self, model: Any, data: ArrayLike, *, random_state: int = 0) -> None: ...
    def shap_values(self, X: ArrayLike, nsamples: Literal["auto"] | int = "auto") -> NDArray[np.float64]: ...

def permutation_importance(
    estimator: Any,
    X: ArrayLike,
    y: ArrayLike,
    *,
    scoring: Any = None,
    n_repeats: int = 5,
    n_jobs: int | None = None,
    random_state: Any = None,
    sample_weight: ArrayLike | None = None,
    max_samples: int | float = 1.0,
) -> Any: ...

@dataclass
class StabilityResult:
    index: float
    index_interval: tuple[float, float]
    uniform_index: float
    weighted_tau: float
    rank_biased_overlap: float
    top3: float
    per_class: dict[Any, dict[str, Any] | None]
    rows: NDArray[np.float64]
    mean_abs: NDArray[np.float64]
    rank_shift: NDArray[np.float64]

def stability(
    model: Any,
    X: ArrayLike,
    y: ArrayLike,
    *,
    data: ArrayLike | None = None,
    noise: float = 0.1,
    perturbations: int = 20,
    weights: Literal["harmonic", "dcg", "uniform"] = "harmonic",
    n_bootstrap: int = 1000,
    random_state: int = 0,
    categorical: list[list[int]] | None = None,
    flip: float | None = None,
) -> StabilityResult: ...

