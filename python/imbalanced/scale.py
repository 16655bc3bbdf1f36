"""Data larger than memory: ``imbalanced.scale``.

Random under- and over-sampling, SMOTE, BorderlineSMOTE, ADASYN, TomekLinks, ENN,
NCR, stratified folds,
flwr-datasets' Dirichlet partitions and cross-validation on Apache DataFusion,
out of core: the same engine as ``imbalanced resample --engine datafusion``. The source is a
Parquet or CSV file, a folder or a glob of them (read in pieces, never whole),
or a pandas DataFrame or pyarrow Table.

Every random choice is a function of the seed and the row (a hash of the
row's values), never of the partitioning: the same ``random_state`` gives the
same rows for any ``partitions``. The exact under-sampler keeps exactly the
strategy's rows per class; ``bernoulli=True`` keeps each row with probability
target / count in one pass.

Where ``out`` is given, the result is written there (Parquet or CSV by
extension, atomically) and a summary comes back; without it the result comes
back as a table (a pandas DataFrame for a pandas source, else a pyarrow
Table), which must then fit in memory. Tables and results pass through
Parquet files, so those need pyarrow.

This module needs the package built with the engine
(``MATURIN_PEP517_ARGS="--features datafusion" pip install ./python``);
:func:`available` says whether it was.

Example
-------
>>> import pandas as pd
>>> from imbalanced import scale
>>> df = pd.DataFrame({"x": range(100), "y": [1] * 10 + [0] * 90})
>>> out = scale.resample(df, "RandomUnderSampler", target="y", random_state=0)
>>> out["y"].value_counts().sort_index().tolist()
[10, 10]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from typing import Any

from . import _native

__all__ = [
    "available",
    "inspect",
    "resample",
    "stratified_folds",
    "partition",
    "evaluate",
]

_HOW_TO_BUILD = (
    "imbalanced.scale needs the package built with Apache DataFusion: "
    'MATURIN_PEP517_ARGS="--features datafusion" pip install ./python'
)


def available() -> bool:
    """Whether this build of the package has the DataFusion engine.

    Returns
    -------
    bool
        True where :mod:`imbalanced.scale`'s functions run.
    """
    return hasattr(_native, "scale_resample")


def _check_available() -> None:
    if not available():
        raise ImportError(_HOW_TO_BUILD)


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError as e:  # pragma: no cover - pyarrow is a test requirement
        raise ImportError(
            "imbalanced.scale passes tables through Parquet files: install pyarrow, or give a file path and out="
        ) from e
    return pyarrow


class _Source:
    """A source as the engine reads it: a path, or a table written to a
    temporary Parquet file (removed on close), and whether it was pandas."""

    def __init__(self, source: Any):
        self._tmp = None
        self.pandas = False
        if isinstance(source, (str, os.PathLike)):
            self.path = os.fspath(source)
            self.name = os.path.splitext(os.path.basename(self.path.rstrip("/")))[0] or self.path
            return
        # Only modules already imported can have made `source`.
        pd, pa_loaded = sys.modules.get("pandas"), sys.modules.get("pyarrow")
        if pd is not None and isinstance(source, pd.DataFrame):
            pa = _pyarrow()
            table = pa.Table.from_pandas(source, preserve_index=False)
            self.pandas = True
        elif pa_loaded is not None and isinstance(source, pa_loaded.Table):
            pa = _pyarrow()
            table = source
        else:
            raise TypeError(
                f"source must be a path (a Parquet or CSV file, a folder or a glob), a pandas DataFrame or a "
                f"pyarrow Table, not {type(source).__name__}"
            )
        self.name = "table"
        self._tmp = tempfile.TemporaryDirectory(prefix="imbalanced-scale-")
        self.path = os.path.join(self._tmp.name, "source.parquet")
        pa.parquet.write_table(table, self.path)

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


def _run(source: Any, out, call):
    """Runs ``call(path, out_path)`` on the engine: into ``out`` where given
    (returning the engine's JSON report, read), else into a temporary Parquet
    file read back as a table of the source's kind."""
    _check_available()
    src = _Source(source)
    try:
        if out is not None:
            return json.loads(call(src.path, os.fspath(out)))
        pa = _pyarrow()
        with tempfile.TemporaryDirectory(prefix="imbalanced-scale-") as tmp:
            path = os.path.join(tmp, "out.parquet")
            call(src.path, path)
            table = pa.parquet.read_table(path)
        return table.to_pandas() if src.pandas else table
    finally:
        src.close()


def _settings(partitions: int | None, memory_limit: int | str | None) -> tuple:
    """The engine's settings as the native functions take them, checked."""
    if partitions is not None and (isinstance(partitions, bool) or not isinstance(partitions, int)):
        raise TypeError(f"partitions must be an int or None, not {type(partitions).__name__}")
    if memory_limit is None or isinstance(memory_limit, str):
        return (partitions, memory_limit)
    if isinstance(memory_limit, int) and not isinstance(memory_limit, bool):
        return (partitions, str(memory_limit))
    raise TypeError(f"memory_limit must be a size such as '2G', a number of bytes or None, not {memory_limit!r}")


def _check_splits(n_splits: int) -> None:
    if isinstance(n_splits, bool) or not isinstance(n_splits, int):
        raise TypeError(f"n_splits must be an int, not {type(n_splits).__name__}")
    if n_splits < 2:
        raise ValueError(f"n_splits={n_splits}: give at least 2")


def _seed(random_state: int) -> int:
    if isinstance(random_state, bool) or not isinstance(random_state, int) or random_state < 0:
        raise ValueError(f"random_state must be a non-negative int, not {random_state!r}")
    return random_state


def inspect(
    source: Any,
    *,
    target: str | None = None,
    partitions: int | None = None,
    memory_limit: int | str | None = None,
) -> dict:
    """Rows, features, class counts and imbalance ratio, in one pass.

    Parameters
    ----------
    source : str, path-like, pandas.DataFrame or pyarrow.Table
        A Parquet or CSV file, a folder or a glob of them, or a table.
    target : str, default=None
        The class column. None: the last column.
    partitions : int, default=None
        Partitions of each scan. None: the number of cores.
    memory_limit : str or int, default=None
        Memory the engine may hold ("2G", or bytes); beyond it sorts and
        aggregations spill to disk. None: no limit.

    Returns
    -------
    dict
        ``input``, ``target``, ``n_samples``, ``n_features``,
        ``imbalance_ratio`` and ``classes`` (``[label, count]`` pairs).
    """
    _check_available()
    settings = _settings(partitions, memory_limit)
    src = _Source(source)
    try:
        return json.loads(_native.scale_inspect(src.path, target, settings))
    finally:
        src.close()


def resample(
    source: Any,
    method: str = "RandomUnderSampler",
    *,
    out: str | os.PathLike | None = None,
    target: str | None = None,
    random_state: int = 0,
    bernoulli: bool = False,
    buckets: int = 1,
    partitions: int | None = None,
    memory_limit: int | str | None = None,
    **params: Any,
):
    """Resample ``source`` with a sampler the engine runs.

    Parameters
    ----------
    source : str, path-like, pandas.DataFrame or pyarrow.Table
        A Parquet or CSV file, a folder or a glob of them, or a table.
    method : str, default="RandomUnderSampler"
        ``RandomUnderSampler``, ``RandomOverSampler``, ``SMOTE``,
        ``BorderlineSMOTE`` (borderline-1), ``ADASYN``, ``TomekLinks``,
        ``EditedNearestNeighbours`` or ``NeighbourhoodCleaningRule`` (or their
        short names, as the CLI takes them).
    out : str or path-like, default=None
        Where to write the result (``.parquet`` or ``.csv``). None: return it.
    target : str, default=None
        The class column. None: the last column.
    random_state : int, default=0
        The seed of every draw.
    bernoulli : bool, default=False
        RandomUnderSampler only: keep each row with probability target /
        count in one pass (the counts are then the strategy's in
        expectation) instead of exactly.
    buckets : int, default=1
        SMOTE only, for classes too large to gather: resample them in this
        many hash buckets, one at a time. Approximate: a row's neighbours are
        sought within its bucket. 1: each class whole (exact).
    partitions : int, default=None
        Partitions of each scan. None: the number of cores. The result does
        not depend on it.
    memory_limit : str or int, default=None
        Memory the engine may hold ("2G", or bytes). None: no limit.
    **params
        The sampler's parameters, with imbalanced-learn's names
        (``sampling_strategy``, ``k_neighbors``, ...).

    Returns
    -------
    pandas.DataFrame, pyarrow.Table or dict
        The resampled rows, sorted by class (a DataFrame for a pandas
        source, else a Table); with ``out``, the summary written beside it:
        ``method``, ``rows_before``, ``rows_after``, ``classes`` (each
        class's ``label``, ``before`` and ``after``) and ``seconds``.
    """
    if not isinstance(method, str):
        raise TypeError(f"method must be a sampler's name, not {type(method).__name__}")
    settings = _settings(partitions, memory_limit)
    if isinstance(buckets, bool) or not isinstance(buckets, int):
        raise TypeError(f"buckets must be an int, not {type(buckets).__name__}")
    if buckets < 1:
        raise ValueError(f"buckets={buckets}: give at least 1")
    seed = _seed(random_state)
    given = json.dumps(params, default=_json_default)
    return _run(
        source,
        out,
        lambda path, to: _native.scale_resample(
            path, target, (method, given), (seed, bool(bernoulli), buckets), to, settings
        ),
    )


def stratified_folds(
    source: Any,
    n_splits: int = 5,
    *,
    out: str | os.PathLike | None = None,
    target: str | None = None,
    random_state: int = 0,
    partitions: int | None = None,
    memory_limit: int | str | None = None,
):
    """Stratified k-fold assignment: the rows with a ``fold`` column.

    A class's rows, in the order of their seeded draws, are dealt into
    ``n_splits`` consecutive blocks: the first ``N_c mod n_splits`` folds
    hold ``N_c // n_splits + 1`` rows of class ``c``, the others
    ``N_c // n_splits`` (scikit-learn's ``StratifiedKFold`` sizes). Exact
    duplicate rows share a draw and so a fold.

    Parameters
    ----------
    source : str, path-like, pandas.DataFrame or pyarrow.Table
        A Parquet or CSV file, a folder or a glob of them, or a table.
    n_splits : int, default=5
        Folds, at least 2.
    out : str or path-like, default=None
        Where to write the rows with their fold. None: return them.
    target : str, default=None
        The class column. None: the last column.
    random_state : int, default=0
        The seed of the draws.
    partitions : int, default=None
        Partitions of each scan. None: the number of cores.
    memory_limit : str or int, default=None
        Memory the engine may hold ("2G", or bytes). None: no limit.

    Returns
    -------
    pandas.DataFrame, pyarrow.Table or dict
        The rows with ``fold`` (0 to ``n_splits - 1``); with ``out``, each
        fold's rows of each class: ``{"classes": [...], "counts": [[...]]}``.
    """
    _check_splits(n_splits)
    settings = _settings(partitions, memory_limit)
    seed = _seed(random_state)
    return _run(source, out, lambda path, to: _native.scale_folds(path, target, n_splits, seed, to, settings))


def partition(
    source: Any,
    partitioner: str = "DirichletPartitioner",
    *,
    out: str | os.PathLike | None = None,
    target: str | None = None,
    partitions: int | None = None,
    memory_limit: int | str | None = None,
    **params: Any,
):
    """Federated partitions: the rows with a ``partition`` column.

    flwr-datasets' Dirichlet cut is computed from the class counts (the same
    clients x classes counts as flwr-datasets 0.6.1 and
    :class:`imbalanced.federated.DirichletPartitioner` for the same seed);
    a class's rows go to the partitions in the order of their seeded draws.

    Parameters
    ----------
    source : str, path-like, pandas.DataFrame or pyarrow.Table
        A Parquet or CSV file, a folder or a glob of them, or a table.
    partitioner : str, default="DirichletPartitioner"
        The partitioner; the engine runs ``DirichletPartitioner``.
    out : str or path-like, default=None
        Where to write the rows with their partition. None: return them.
    target : str, default=None
        The class column. None: the last column.
    partitions : int, default=None
        Partitions of each scan (of the engine, not the federated ones).
        None: the number of cores.
    memory_limit : str or int, default=None
        Memory the engine may hold ("2G", or bytes). None: no limit.
    **params
        The partitioner's parameters, with flwr-datasets' names
        (``num_partitions``, ``alpha``, ``seed``, ``min_partition_size``,
        ``self_balancing``).

    Returns
    -------
    pandas.DataFrame, pyarrow.Table or dict
        The rows with ``partition``; with ``out``, each partition's rows of
        each class: ``{"classes": [...], "counts": [[...]]}``.
    """
    if not isinstance(partitioner, str):
        raise TypeError(f"partitioner must be a name, not {type(partitioner).__name__}")
    settings = _settings(partitions, memory_limit)
    given = json.dumps(params, default=_json_default)
    return _run(
        source, out, lambda path, to: _native.scale_partition(path, target, partitioner, given, to, settings)
    )


def evaluate(
    source: Any,
    methods: tuple[str, ...] | list[str] = ("none", "balanced", "SMOTE", "RandomUnderSampler"),
    *,
    model: str = "LogisticRegression",
    model_params: dict | None = None,
    n_splits: int = 5,
    target: str | None = None,
    random_state: int = 0,
    scale: bool = True,
    partitions: int | None = None,
    memory_limit: int | str | None = None,
) -> dict:
    """Cross-validate imbalance methods on data larger than memory.

    The engine's stratified folds (:func:`stratified_folds`); each method's
    training rows are resampled by the engine and then fitted in memory (so
    they must fit: an under-sampler makes them small); the test folds are
    streamed past the fitted models. The scores do not depend on
    ``partitions``. Two differences from an in-memory
    ``cross_validate`` of a pipeline: the folds are the engine's (seeded
    draws), and the sampler sees the raw features (the standard scaler is
    fitted on its output).

    Parameters
    ----------
    source : str, path-like, pandas.DataFrame or pyarrow.Table
        A Parquet or CSV file, a folder or a glob of them, or a table.
        The features must be numeric.
    methods : sequence of str, default=("none", "balanced", "SMOTE", "RandomUnderSampler")
        ``none``, ``balanced`` (class weights) or a sampler the engine runs,
        its parameters as ``NAME:key=value`` (``SMOTE:k_neighbors=3``).
    model : str, default="LogisticRegression"
        The classifier, by its name in the engine's catalogue.
    model_params : dict, default=None
        Its parameters (scikit-learn's names).
    n_splits : int, default=5
        Folds, at least 2.
    target : str, default=None
        The class column. None: the last column.
    random_state : int, default=0
        The seed of the folds, the samplers and the classifier.
    scale : bool, default=True
        Standardise the features inside each training fold.
    partitions : int, default=None
        Partitions of each scan. None: the number of cores.
    memory_limit : str or int, default=None
        Memory the engine may hold ("2G", or bytes). None: no limit.

    Returns
    -------
    dict
        As ``imbalanced evaluate --json`` prints it: per method, each
        metric's ``mean``, ``std`` and fold values; the methods that failed
        and why.
    """
    if isinstance(methods, str):
        methods = [methods]
    methods = list(methods)
    if not all(isinstance(m, str) for m in methods):
        raise TypeError("methods must be names (str)")
    _check_splits(n_splits)
    _check_available()
    settings = _settings(partitions, memory_limit)
    seed = _seed(random_state)
    params = json.dumps(model_params or {}, default=_json_default)
    src = _Source(source)
    try:
        return json.loads(
            _native.scale_evaluate(
                (src.path, src.name),
                target,
                methods,
                (model, params),
                (n_splits, seed, bool(scale)),
                settings,
            )
        )
    finally:
        src.close()


def _json_default(value: Any):
    """NumPy scalars and dict keys as JSON takes them."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a dependency
        np = None
    if np is not None and isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"a parameter of type {type(value).__name__} cannot be passed to the engine")

