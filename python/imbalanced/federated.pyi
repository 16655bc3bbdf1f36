"""Type stubs of imbalanced.federated (written by hand: the signatures are flwr-datasets 0.6.1's)."""

from typing import Any, Literal, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "IidPartitioner",
    "DirichletPartitioner",
    "InnerDirichletPartitioner",
    "PathologicalPartitioner",
    "ShardPartitioner",
    "LinearPartitioner",
    "SquarePartitioner",
    "ExponentialPartitioner",
    "SizePartitioner",
    "NaturalIdPartitioner",
    "DirBalancePartitioner",
    "ShardBalancePartitioner",
    "long_tail",
    "simulate",
    "SimulationResult",
]

_Alpha = float | Sequence[float] | ArrayLike

class _EnginePartitioner:
    dataset: Any
    def is_dataset_assigned(self) -> bool: ...
    def partition(self, values: ArrayLike) -> list[list[int]]: ...
    def load_partition(self, partition_id: int) -> Any: ...
    @property
    def num_partitions(self) -> int: ...

class IidPartitioner(_EnginePartitioner):
    def __init__(self, num_partitions: int) -> None: ...

class DirichletPartitioner(_EnginePartitioner):
    def __init__(
        self,
        num_partitions: int,
        partition_by: str,
        alpha: _Alpha,
        min_partition_size: int = 10,
        self_balancing: bool = False,
        shuffle: bool = True,
        seed: int = 42,
    ) -> None: ...

class InnerDirichletPartitioner(_EnginePartitioner):
    def __init__(
        self, partition_sizes: Sequence[int], partition_by: str, alpha: _Alpha, shuffle: bool = True, seed: int = 42
    ) -> None: ...

class PathologicalPartitioner(_EnginePartitioner):
    def __init__(
        self,
        num_partitions: int,
        partition_by: str,
        num_classes_per_partition: int,
        class_assignment_mode: Literal["random", "deterministic", "first-deterministic"] = "random",
        shuffle: bool = True,
        seed: int = 42,
    ) -> None: ...

class ShardPartitioner(_EnginePartitioner):
    def __init__(
        self,
        num_partitions: int,
        partition_by: str,
        num_shards_per_partition: int | None = None,
        shard_size: int | None = None,
        keep_incomplete_shard: bool = False,
        shuffle: bool = True,
        seed: int = 42,
    ) -> None: ...

class LinearPartitioner(_EnginePartitioner):
    def __init__(self, num_partitions: int) -> None: ...

class SquarePartitioner(_EnginePartitioner):
    def __init__(self, num_partitions: int) -> None: ...

class ExponentialPartitioner(_EnginePartitioner):
    def __init__(self, num_partitions: int) -> None: ...

class SizePartitioner(_EnginePartitioner):
    def __init__(self, partition_sizes: Sequence[int]) -> None: ...

class NaturalIdPartitioner(_EnginePartitioner):
    def __init__(self, partition_by: str) -> None: ...

class DirBalancePartitioner(_EnginePartitioner):
    def __init__(self, num_partitions: int, partition_by: str, alpha: float = 0.1, seed: int = 42) -> None: ...

class ShardBalancePartitioner(_EnginePartitioner):
    def __init__(
        self, num_partitions: int, partition_by: str, num_classes_per_partition: int = 2, seed: int = 42
    ) -> None: ...

def long_tail(
    y: ArrayLike, imbalance_ratio: float, profile: Literal["exponential", "step"] = "exponential", seed: int = 42
) -> NDArray[np.intp]: ...

class SimulationResult:
    rounds: list[dict[str, Any]]
    coef: NDArray[np.float64]
    intercept: NDArray[np.float64]
    classes: NDArray[Any]
    hidden_coef: NDArray[np.float64] | None
    hidden_intercept: NDArray[np.float64] | None
    prototypes: NDArray[np.float64] | None
    def __init__(
        self,
        rounds: list[dict[str, Any]],
        coef: NDArray[np.float64],
        intercept: NDArray[np.float64],
        classes: NDArray[Any],
        hidden_coef: NDArray[np.float64] | None = None,
        hidden_intercept: NDArray[np.float64] | None = None,
        prototypes: NDArray[np.float64] | None = None,
    ) -> None: ...
    def transform(self, X: ArrayLike) -> NDArray[np.float64]: ...
    def decision_function(self, X: ArrayLike) -> NDArray[np.float64]: ...
    def predict(self, X: ArrayLike) -> NDArray[Any]: ...
    def predict_prototype(self, X: ArrayLike) -> NDArray[Any]: ...

def simulate(
    X: ArrayLike,
    y: ArrayLike,
    partitions: Sequence[Sequence[int]],
    *,
    X_test: ArrayLike | None = None,
    y_test: ArrayLike | None = None,
    test_partitions: Sequence[Sequence[int]] | None = None,
    strategy: Literal["fedavg", "fedprox", "fedavgm", "fedadam", "fedtrimmedavg"] = "fedavg",
    strategy_params: dict[str, float] | None = None,
    loss: str | dict[str, Any] = "ce",
    model: Literal["softmax", "mlp"] = "softmax",
    hidden: int = 64,
    prototypes: bool | dict[str, Any] | None = None,
    rounds: int = 10,
    local_epochs: int = 1,
    batch_size: int = 32,
    learning_rate: float = 0.1,
    fraction_train: float = 1.0,
    min_train_clients: int = 2,
    seed: int = 0,
    n_jobs: int | None = None,
) -> SimulationResult: ...
