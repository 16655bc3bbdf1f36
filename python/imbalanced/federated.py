"""flwr-datasets' partitioners on the engine: ``imbalanced.federated``.

The classes have flwr-datasets 0.6.1's names, signatures and defaults, and
give the same partitions for the same seed (the engine draws from NumPy's
``Generator`` exactly as flwr-datasets does; tested against flwr-datasets'
output). Two ways to use them:

* on labels, without any other package: ``partitioner.partition(y)`` returns
  the row numbers of each partition;
* as flwr-datasets ``Partitioner`` objects (they subclass it when
  flwr-datasets is installed): assign a Hugging Face ``datasets.Dataset`` to
  ``partitioner.dataset`` (or pass the partitioner to ``FederatedDataset``)
  and call ``load_partition(partition_id)``.

Example
-------
>>> import numpy as np
>>> from imbalanced.federated import DirichletPartitioner
>>> y = np.repeat([0, 1, 2], [500, 80, 20])
>>> parts = DirichletPartitioner(num_partitions=4, partition_by="label", alpha=0.5).partition(y)
>>> sorted(int(i) for p in parts for i in p) == list(range(600))
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from . import _native

try:  # flwr-datasets' base class, when it is installed
    from flwr_datasets.partitioner import Partitioner as _Partitioner
except ImportError:  # pragma: no cover - exercised where flwr-datasets is absent

    class _Partitioner:
        """flwr-datasets' ``Partitioner`` interface, for use without it."""

        def __init__(self):
            self._dataset = None

        @property
        def dataset(self):
            """The dataset the partitions are taken from."""
            if self._dataset is None:
                raise AttributeError("The dataset field should be set before using it.")
            return self._dataset

        @dataset.setter
        def dataset(self, value):
            if self._dataset is not None:
                raise ValueError("The dataset should be assigned only once to the partitioner.")
            self._dataset = value

        def is_dataset_assigned(self):
            """Whether a dataset has been assigned."""
            return self._dataset is not None


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


def _codes(values):
    """A column as codes into its sorted distinct values (as flwr-datasets'
    ``sorted(dataset.unique(column))`` orders them) and their number."""
    values = np.asarray(values)
    if values.ndim != 1:
        raise ValueError(f"the column to partition by must be 1-D, not of shape {values.shape}")
    distinct, codes = np.unique(values, return_inverse=True)
    return codes.astype(np.int64), len(distinct)


class _EnginePartitioner(_Partitioner):
    """A flwr-datasets partitioner computed by the engine."""

    _engine_name = ""

    def __init__(self, **params):
        super().__init__()
        # flwr-datasets' parameter names, stored as given (validated by the engine).
        self._params = params
        self._partition_id_to_indices = None

    def _engine_params(self):
        params = dict(self._params)
        if "partition_by" in params:
            # The engine is given the column itself; the name matters only here.
            params["partition_by"] = None if self._engine_name != "NaturalIdPartitioner" else params["partition_by"]
        for key, value in params.items():
            if isinstance(value, np.ndarray):
                params[key] = value.tolist()
            elif isinstance(value, np.generic):
                params[key] = value.item()
        return params

    def partition(self, values):
        """The row numbers of each partition of rows whose ``partition_by``
        column holds ``values``.

        Parameters
        ----------
        values : array-like of shape (n_samples,)
            The column partitioned by: the class labels (or, for
            ``NaturalIdPartitioner``, the client ids) of the rows.

        Returns
        -------
        partitions : list of list of int
            Each partition's rows (0-based), in flwr-datasets' order.
        """
        codes, n_values = _codes(values)
        return _native.partition(self._engine_name, json.dumps(self._engine_params()), codes, n_values)

    def _indices(self):
        if self._partition_id_to_indices is None:
            column = self._params.get("partition_by")
            if column is None:
                raise ValueError(f"{type(self).__name__} needs partition_by: the column of the dataset to split by")
            self._partition_id_to_indices = self.partition(self.dataset[column])
        return self._partition_id_to_indices

    def load_partition(self, partition_id):
        """One partition of the assigned dataset (flwr-datasets' API).

        Parameters
        ----------
        partition_id : int
            The partition's number, from 0.

        Returns
        -------
        dataset_partition : datasets.Dataset
            The partition's rows (``dataset.select`` of its row numbers).
        """
        indices = self._indices()
        if not 0 <= partition_id < len(indices):
            raise ValueError(f"partition_id={partition_id}: give 0 to {len(indices) - 1}")
        return self.dataset.select(indices[partition_id])

    @property
    def num_partitions(self):
        """The number of partitions."""
        return len(self._indices())


class _PositionalPartitioner(_EnginePartitioner):
    """A partitioner that splits by row position, not by a column's values."""

    def partition(self, values):
        """The row numbers of each partition of ``len(values)`` rows (the
        values themselves do not matter).

        Parameters
        ----------
        values : array-like of shape (n_samples,)
            Any column of the rows.

        Returns
        -------
        partitions : list of list of int
            Each partition's rows (0-based), in flwr-datasets' order.
        """
        n = len(values)
        return _native.partition(self._engine_name, json.dumps(self._engine_params()), np.zeros(n, np.int64), 1)

    def _indices(self):
        if self._partition_id_to_indices is None:
            self._partition_id_to_indices = self.partition(range(self.dataset.num_rows))
        return self._partition_id_to_indices


class IidPartitioner(_PositionalPartitioner):
    """Contiguous, near-equal shards in row order (flwr-datasets'
    ``IidPartitioner``).

    Parameters
    ----------
    num_partitions : int
        Number of partitions.
    """

    _engine_name = "IidPartitioner"

    def __init__(self, num_partitions):
        super().__init__(num_partitions=num_partitions)


class DirichletPartitioner(_EnginePartitioner):
    """Label skew by Dirichlet proportions per class (flwr-datasets'
    ``DirichletPartitioner``).

    Parameters
    ----------
    num_partitions : int
        Number of partitions.
    partition_by : str
        The column split by (the label).
    alpha : float or list of float
        Concentration: one value, or one per partition.
    min_partition_size : int, default=10
        Fewest rows a partition may get; the draw is repeated up to 10
        times, then a ``ValueError``.
    self_balancing : bool, default=False
        Give no more rows of a class to partitions above the average size.
    shuffle : bool, default=True
        Shuffle the rows within each partition.
    seed : int, default=42
        Seed of ``np.random.default_rng``.
    """

    _engine_name = "DirichletPartitioner"

    def __init__(self, num_partitions, partition_by, alpha, min_partition_size=10, self_balancing=False,
                 shuffle=True, seed=42):
        super().__init__(num_partitions=num_partitions, partition_by=partition_by, alpha=alpha,
                         min_partition_size=min_partition_size, self_balancing=self_balancing, shuffle=shuffle,
                         seed=seed)


class InnerDirichletPartitioner(_EnginePartitioner):
    """Partitions of given sizes with per-partition Dirichlet class priors
    (flwr-datasets' ``InnerDirichletPartitioner``).

    Parameters
    ----------
    partition_sizes : list of int
        Rows of each partition.
    partition_by : str
        The column split by (the label; flwr-datasets requires 0..C-1).
    alpha : float or list of float
        Concentration: one value, or one per class.
    shuffle : bool, default=True
        Shuffle the rows within each partition.
    seed : int, default=42
        Seed of ``np.random.default_rng``.
    """

    _engine_name = "InnerDirichletPartitioner"

    def __init__(self, partition_sizes, partition_by, alpha, shuffle=True, seed=42):
        super().__init__(partition_sizes=list(partition_sizes), partition_by=partition_by, alpha=alpha,
                         shuffle=shuffle, seed=seed)


class PathologicalPartitioner(_EnginePartitioner):
    """Each partition holds rows of a few classes only (flwr-datasets'
    ``PathologicalPartitioner``).

    Parameters
    ----------
    num_partitions : int
        Number of partitions.
    partition_by : str
        The column split by (the label).
    num_classes_per_partition : int
        Classes each partition holds.
    class_assignment_mode : {"random", "deterministic", "first-deterministic"}, default="random"
        How classes are given to partitions.
    shuffle : bool, default=True
        Shuffle the rows within each partition.
    seed : int, default=42
        Seed of ``np.random.default_rng``.
    """

    _engine_name = "PathologicalPartitioner"

    def __init__(self, num_partitions, partition_by, num_classes_per_partition, class_assignment_mode="random",
                 shuffle=True, seed=42):
        super().__init__(num_partitions=num_partitions, partition_by=partition_by,
                         num_classes_per_partition=num_classes_per_partition,
                         class_assignment_mode=class_assignment_mode, shuffle=shuffle, seed=seed)


class ShardPartitioner(_EnginePartitioner):
    """Label-sorted shards dealt to partitions (flwr-datasets'
    ``ShardPartitioner``).

    Parameters
    ----------
    num_partitions : int
        Number of partitions.
    partition_by : str
        The column sorted by (the label).
    num_shards_per_partition : int, optional
        Shards each partition gets.
    shard_size : int, optional
        Rows per shard.
    keep_incomplete_shard : bool, default=False
        Keep the last, shorter shard.
    shuffle : bool, default=True
        Shuffle the rows within each partition.
    seed : int, default=42
        Seed of ``np.random.default_rng``.
    """

    _engine_name = "ShardPartitioner"

    def __init__(self, num_partitions, partition_by, num_shards_per_partition=None, shard_size=None,
                 keep_incomplete_shard=False, shuffle=True, seed=42):
        super().__init__(num_partitions=num_partitions, partition_by=partition_by,
                         num_shards_per_partition=num_shards_per_partition, shard_size=shard_size,
                         keep_incomplete_shard=keep_incomplete_shard, shuffle=shuffle, seed=seed)


class LinearPartitioner(_PositionalPartitioner):
    """Partition ``i`` (from 1) gets rows in proportion to ``i``
    (flwr-datasets' ``LinearPartitioner``).

    Parameters
    ----------
    num_partitions : int
        Number of partitions.
    """

    _engine_name = "LinearPartitioner"

    def __init__(self, num_partitions):
        super().__init__(num_partitions=num_partitions)


class SquarePartitioner(_PositionalPartitioner):
    """Partition ``i`` (from 1) gets rows in proportion to ``i**2``
    (flwr-datasets' ``SquarePartitioner``).

    Parameters
    ----------
    num_partitions : int
        Number of partitions.
    """

    _engine_name = "SquarePartitioner"

    def __init__(self, num_partitions):
        super().__init__(num_partitions=num_partitions)


class ExponentialPartitioner(_PositionalPartitioner):
    """Partition ``i`` (from 1) gets rows in proportion to ``exp(i)``
    (flwr-datasets' ``ExponentialPartitioner``).

    Parameters
    ----------
    num_partitions : int
        Number of partitions.
    """

    _engine_name = "ExponentialPartitioner"

    def __init__(self, num_partitions):
        super().__init__(num_partitions=num_partitions)


class SizePartitioner(_PositionalPartitioner):
    """Consecutive runs of the given sizes (flwr-datasets'
    ``SizePartitioner``).

    Parameters
    ----------
    partition_sizes : list of int
        Rows of each partition.
    """

    _engine_name = "SizePartitioner"

    def __init__(self, partition_sizes):
        super().__init__(partition_sizes=list(partition_sizes))


class NaturalIdPartitioner(_EnginePartitioner):
    """One partition per client id, in the ids' sorted order
    (flwr-datasets' ``NaturalIdPartitioner``).

    Parameters
    ----------
    partition_by : str
        The column of client ids.
    """

    _engine_name = "NaturalIdPartitioner"

    def __init__(self, partition_by):
        super().__init__(partition_by=partition_by)


class DirBalancePartitioner(_EnginePartitioner):
    """Dirichlet label skew with equal client sizes: FairFAL's
    ``dir_balance`` (Zong & Huang, CVPR 2026; our formulation of its code,
    drawing from ``np.random.default_rng(seed)``).

    Parameters
    ----------
    num_partitions : int
        Number of partitions (clients).
    partition_by : str
        The column split by (the label).
    alpha : float, default=0.1
        Dirichlet concentration (FairFAL's ``dd_beta``).
    seed : int, default=42
        Seed of ``np.random.default_rng``.
    """

    _engine_name = "DirBalancePartitioner"

    def __init__(self, num_partitions, partition_by, alpha=0.1, seed=42):
        super().__init__(num_partitions=num_partitions, partition_by=partition_by, alpha=alpha, seed=seed)


class ShardBalancePartitioner(_EnginePartitioner):
    """Each client holds a few classes, each class split evenly among its
    clients: FairFAL's ``shard_balance`` (our formulation of its code).

    Parameters
    ----------
    num_partitions : int
        Number of partitions (clients), at most the number of classes.
    partition_by : str
        The column split by (the label).
    num_classes_per_partition : int, default=2
        Classes each client holds.
    seed : int, default=42
        Seed of ``np.random.default_rng``.
    """

    _engine_name = "ShardBalancePartitioner"

    def __init__(self, num_partitions, partition_by, num_classes_per_partition=2, seed=42):
        super().__init__(num_partitions=num_partitions, partition_by=partition_by,
                         num_classes_per_partition=num_classes_per_partition, seed=seed)


def long_tail(y, imbalance_ratio, profile="exponential", seed=42):
    """The rows of a long-tailed subsample: class ``i`` (in sorted order)
    keeps ``n_max * imbalance_ratio ** (-i / (C - 1))`` random rows
    (``profile="step"``: the first half of the classes ``n_max``, the rest
    ``n_max / imbalance_ratio``), ``n_max`` the largest head every class can
    supply (CIFAR-10-LT's construction, Cao et al. 2019).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels.
    imbalance_ratio : float
        Rows of the first class over rows of the last, at least 1.
    profile : {"exponential", "step"}, default="exponential"
        How the counts fall.
    seed : int, default=42
        Seed of ``np.random.default_rng``.

    Returns
    -------
    rows : ndarray of shape (n_kept,)
        The rows kept, in increasing order.
    """
    codes, n_classes = _codes(y)
    return np.asarray(_native.long_tail(codes, n_classes, profile, float(imbalance_ratio), int(seed)), dtype=np.intp)


@dataclass
class SimulationResult:
    """What :func:`simulate` returns.

    Attributes
    ----------
    rounds : list of dict
        Per round: ``round``, ``clients`` (those trained), ``train_loss``,
        ``balanced_accuracy``, ``macro_f1``, ``recall`` (per class, ``None``
        where the test rows lack it) and ``fairness`` (``mean``, ``std`` and
        ``worst`` of the clients' balanced accuracies on their test rows).
    coef : ndarray of shape (n_classes, n_features) or (n_classes, hidden)
        The final global model's output layer.
    intercept : ndarray of shape (n_classes,)
        Its intercepts.
    classes : ndarray of shape (n_classes,)
        The class labels, in the order of the rows of ``coef``.
    hidden_coef : ndarray of shape (hidden, n_features) or None
        The MLP's hidden layer (``None`` for the softmax model).
    hidden_intercept : ndarray of shape (hidden,) or None
        Its intercepts.
    prototypes : ndarray of shape (n_classes, n_embedding) or None
        With ``prototypes``: the final global class prototypes in the
        model's penultimate features (NaN rows for classes no client holds).
    """

    rounds: list
    coef: np.ndarray
    intercept: np.ndarray
    classes: np.ndarray
    hidden_coef: np.ndarray | None = None
    hidden_intercept: np.ndarray | None = None
    prototypes: np.ndarray | None = None

    def transform(self, X):
        """The penultimate features of ``X``: the MLP's hidden activations, or ``X`` itself.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        features : ndarray of shape (n_samples, n_embedding)
        """
        X = np.asarray(X, dtype=np.float64)
        if self.hidden_coef is None:
            return X
        return np.maximum(X @ self.hidden_coef.T + self.hidden_intercept, 0.0)

    def decision_function(self, X):
        """The logits ``X @ coef.T + intercept``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        logits : ndarray of shape (n_samples, n_classes)
        """
        return self.transform(X) @ self.coef.T + self.intercept

    def predict(self, X):
        """The most probable class of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return self.classes[np.argmax(self.decision_function(X), axis=1)]

    def predict_prototype(self, X):
        """The class of the nearest (Euclidean) global prototype to each row's features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        if self.prototypes is None:
            raise ValueError("this simulation kept no prototypes: run simulate(..., prototypes=True)")
        features = self.transform(X)
        distances = ((features[:, None, :] - self.prototypes[None, :, :]) ** 2).sum(axis=2)
        distances[:, np.isnan(self.prototypes).any(axis=1)] = np.inf
        return self.classes[np.argmin(distances, axis=1)]


def simulate(X, y, partitions, *, X_test=None, y_test=None, test_partitions=None, strategy="fedavg",
             strategy_params=None, loss="ce", model="softmax", hidden=64, prototypes=None, rounds=10, local_epochs=1,
             batch_size=32, learning_rate=0.1, fraction_train=1.0, min_train_clients=2, seed=0, n_jobs=None):
    """Simulate federated training in-process (the engine's simulator):
    rounds of local mini-batch SGD on a softmax model or an MLP and Flower 1.42's
    server aggregation, clients in parallel, the same result on any number
    of threads.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Training rows (standardise them first).
    y : array-like of shape (n_samples,)
        Their class labels.
    partitions : list of list of int
        Each client's rows of ``X`` (a partitioner's ``partition(y)``).
    X_test, y_test : array-like, optional
        Test rows, scored after every round.
    test_partitions : list of list of int, optional
        Each client's rows of ``X_test``, for client fairness.
    strategy : {"fedavg", "fedprox", "fedavgm", "fedadam", "fedtrimmedavg"}, default="fedavg"
        The server's aggregation.
    strategy_params : dict, optional
        Its parameters in Flower's names: ``proximal_mu`` (fedprox, default
        1.0), ``server_learning_rate`` and ``server_momentum`` (fedavgm),
        ``eta``, ``beta_1``, ``beta_2``, ``tau`` (fedadam), ``beta``
        (fedtrimmedavg, default 0.2).
    loss : str or dict, default="ce"
        The clients' loss: any of the engine's (``"focal"``,
        ``"logit-adjusted"``, ``{"name": "focal", "gamma": 1}``), built from
        each client's own class counts.
    model : {"softmax", "mlp"}, default="softmax"
        The clients' model: softmax regression, or a one-hidden-layer ReLU
        network (initialised from ``seed`` as scikit-learn's MLPClassifier).
    hidden : int, default=64
        The MLP's hidden units.
    prototypes : bool or dict, default=None
        Confidence-aware class prototypes (CAFedCL-style; our formulation):
        clients report per-class feature statistics, the server pools them
        weighted by count, inverse variance and confidence, and they align
        the next round's training (weight ``lambda``) and classify by the
        nearest prototype (``rounds[i]["prototype_balanced_accuracy"]``,
        :meth:`SimulationResult.predict_prototype`). ``True`` for the
        defaults, or a dict of ``lambda`` (1.0), ``count``,
        ``inverse_variance``, ``confidence`` (each ``True``; only ``count``:
        plain count-weighted prototypes).
    rounds : int, default=10
    local_epochs : int, default=1
    batch_size : int, default=32
    learning_rate : float, default=0.1
        The clients' SGD step.
    fraction_train : float, default=1.0
        Share of the clients trained each round.
    min_train_clients : int, default=2
        Fewest clients trained each round.
    seed : int, default=0
    n_jobs : int, optional
        Threads (``None`` or -1: all cores).

    Returns
    -------
    result : SimulationResult
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, not of shape {X.shape}")
    classes, codes = np.unique(np.asarray(y), return_inverse=True)
    if (X_test is None) != (y_test is None):
        raise ValueError("give both X_test and y_test, or neither")
    test_args = {}
    if X_test is not None:
        test_codes = np.searchsorted(classes, np.asarray(y_test))
        unknown = (test_codes >= len(classes)) | (classes[np.minimum(test_codes, len(classes) - 1)] != np.asarray(y_test))
        if np.any(unknown):
            raise ValueError(f"y_test holds labels y does not: {np.unique(np.asarray(y_test)[unknown]).tolist()}")
        test_args = {"x_test": np.ascontiguousarray(X_test, dtype=np.float64), "y_test": test_codes.astype(np.int64)}
        if test_partitions is not None:
            test_args["client_tests"] = [[int(i) for i in p] for p in test_partitions]
    elif test_partitions is not None:
        raise ValueError("test_partitions need X_test and y_test")
    settings = {
        "rounds": rounds,
        "local_epochs": local_epochs,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "fraction_train": fraction_train,
        "min_train_clients": min_train_clients,
        "strategy": {"name": strategy, **(strategy_params or {})},
        "loss": loss,
        "model": {"name": "mlp", "hidden": hidden} if model == "mlp" else {"name": model},
        "seed": seed,
    }
    if prototypes:
        settings["prototypes"] = {} if prototypes is True else dict(prototypes)
    clients = [[int(i) for i in p] for p in partitions]
    out, layers, kept = _native.simulate(json.dumps(settings), X, codes.astype(np.int64), len(classes), clients,
                                         n_jobs=n_jobs, **test_args)
    hidden_layer = layers[0] if len(layers) == 2 else None
    return SimulationResult(
        rounds=json.loads(out),
        coef=layers[-1][:, :-1].copy(),
        intercept=layers[-1][:, -1].copy(),
        classes=classes,
        hidden_coef=None if hidden_layer is None else hidden_layer[:, :-1].copy(),
        hidden_intercept=None if hidden_layer is None else hidden_layer[:, -1].copy(),
        prototypes=kept,
    )
