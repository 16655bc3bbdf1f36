"""Type stubs of imbalanced.active (written by hand)."""

from dataclasses import dataclass
from typing import Any, Literal, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "RandomQuery",
    "LeastConfidentQuery",
    "MarginQuery",
    "EntropyQuery",
    "CoresetQuery",
    "BadgeQuery",
    "ClassBalancedQuery",
    "gradient_embeddings",
    "learning_curve",
    "LearningCurve",
]

class _Query:
    def query(
        self,
        X_pool: ArrayLike,
        proba: ArrayLike,
        embeddings: ArrayLike | None = None,
        labelled: ArrayLike | None = None,
        budget: int = 1,
    ) -> NDArray[np.intp]: ...

class RandomQuery(_Query):
    random_state: int | None
    def __init__(self, random_state: int | None = None) -> None: ...

class LeastConfidentQuery(_Query): ...
class MarginQuery(_Query): ...
class EntropyQuery(_Query): ...
class CoresetQuery(_Query): ...

class BadgeQuery(_Query):
    random_state: int | None
    def __init__(self, random_state: int | None = None) -> None: ...

class ClassBalancedQuery(_Query): ...

def gradient_embeddings(proba: ArrayLike, X: ArrayLike, y: ArrayLike | None = None) -> NDArray[np.float64]: ...
@dataclass
class LearningCurve:
    labelled: NDArray[np.int64]
    balanced_accuracy: NDArray[np.float64]
    minority_recall: NDArray[np.float64]
    labelled_counts: NDArray[np.int64]
    queried_counts: NDArray[np.int64]
    mean_balanced_accuracy: float
    classes: NDArray[Any]
    global_queries: NDArray[np.int64] | None = None
    fairness: list[dict[str, float] | None] | None = None

def learning_curve(
    X: ArrayLike,
    y: ArrayLike,
    X_test: ArrayLike,
    y_test: ArrayLike,
    strategy: str | _Query = "random",
    *,
    initial: float = 0.05,
    query_ratio: float = 0.05,
    end_ratio: float = 0.45,
    loss: str | dict[str, Any] = "ce",
    model: Literal["softmax", "mlp"] = "softmax",
    hidden: int = 64,
    rounds: int = 1,
    epochs: int = 20,
    batch_size: int = 32,
    learning_rate: float = 0.1,
    partitions: Sequence[Sequence[int]] | None = None,
    test_partitions: Sequence[Sequence[int]] | None = None,
    query_model: Literal["global", "local", "adaptive"] = "global",
    local_model_epochs: int = 50,
    seed: int = 0,
) -> LearningCurve: ...
