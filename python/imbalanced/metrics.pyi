"""Type stubs of imbalanced.metrics (written by hand: the signatures are imbalanced-learn's)."""

from typing import Any, Callable, Literal, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "sensitivity_specificity_support",
    "sensitivity_score",
    "specificity_score",
    "geometric_mean_score",
    "make_index_balanced_accuracy",
    "classification_report_imbalanced",
    "macro_averaged_mean_absolute_error",
]

_Average = Literal["binary", "micro", "macro", "weighted", "samples"] | None
_Score = float | NDArray[np.float64]

def sensitivity_specificity_support(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    pos_label: str | int | None = 1,
    average: _Average = None,
    warn_for: Sequence[str] = ("sensitivity", "specificity"),
    sample_weight: ArrayLike | None = None,
) -> tuple[_Score, _Score, NDArray[np.float64] | int | None]: ...
def sensitivity_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    pos_label: str | int | None = 1,
    average: _Average = "binary",
    sample_weight: ArrayLike | None = None,
) -> _Score: ...
def specificity_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    pos_label: str | int | None = 1,
    average: _Average = "binary",
    sample_weight: ArrayLike | None = None,
) -> _Score: ...
def geometric_mean_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    pos_label: str | int | None = 1,
    average: Literal["multiclass", "binary", "micro", "macro", "weighted", "samples"] | None = "multiclass",
    sample_weight: ArrayLike | None = None,
    correction: float = 0.0,
) -> _Score: ...
def make_index_balanced_accuracy(
    *, alpha: float = 0.1, squared: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]: ...
def classification_report_imbalanced(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    target_names: Sequence[str] | None = None,
    sample_weight: ArrayLike | None = None,
    digits: int = 2,
    alpha: float = 0.1,
    output_dict: bool = False,
    zero_division: Literal["warn", 0, 1] = "warn",
) -> str | dict[str, Any]: ...
def macro_averaged_mean_absolute_error(
    y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None
) -> float: ...
