"""Type stubs of imbalanced.scale (written by hand: the signatures are the module's)."""

import os
from typing import Any

__all__ = ["available", "inspect", "resample", "stratified_folds", "partition", "evaluate"]

_Source = str | os.PathLike[str] | Any
_Out = str | os.PathLike[str] | None

def available() -> bool: ...
def inspect(
    source: _Source,
    *,
    target: str | None = None,
    partitions: int | None = None,
    memory_limit: int | str | None = None,
) -> dict[str, Any]: ...
def resample(
    source: _Source,
    method: str = "RandomUnderSampler",
    *,
    out: _Out = None,
    target: str | None = None,
    random_state: int = 0,
    bernoulli: bool = False,
    buckets: int = 1,
    partitions: int | None = None,
    memory_limit: int | str | None = None,
    **params: Any,
) -> Any: ...
def stratified_folds(
    source: _Source,
    n_splits: int = 5,
    *,
    out: _Out = None,
    target: str | None = None,
    random_state: int = 0,
    partitions: int | None = None,
    memory_limit: int | str | None = None,
) -> Any: ...
def partition(
    source: _Source,
    partitioner: str = "DirichletPartitioner",
    *,
    out: _Out = None,
    target: str | None = None,
    partitions: int | None = None,
    memory_limit: int | str | None = None,
    **params: Any,
) -> Any: ...
def evaluate(
    source: _Source,
    methods: tuple[str, ...] | list[str] = ("none", "balanced", "SMOTE", "RandomUnderSampler"),
    *,
    model: str = "LogisticRegression",
    model_params: dict[str, Any] | None = None,
    n_splits: int = 5,
    target: str | None = None,
    random_state: int = 0,
    scale: bool = True,
    partitions: int | None = None,
    memory_limit: int | str | None = None,
) -> dict[str, Any]: ...
