"""Pool-based active learning on the engine: ``imbalanced.active``.

Query strategies choose which unlabelled rows of a pool to label next, from
the model's class probabilities (and, for the representative strategies,
the rows' features or embeddings). Each has one method,
``query(X_pool, proba, embeddings=None, labelled=None, budget=1)``, which
returns row numbers of ``X_pool``:

* :class:`RandomQuery`: uniformly at random (``np.random.default_rng(seed)
  .choice(n_unlabelled, budget, replace=False)``, bit for bit);
* :class:`LeastConfidentQuery`, :class:`MarginQuery`,
  :class:`EntropyQuery`: uncertainty sampling;
* :class:`CoresetQuery`: k-center greedy from the labelled rows (Sener &
  Savarese, ICLR 2018);
* :class:`BadgeQuery`: k-means++ seeding on gradient embeddings (Ash et
  al., ICLR 2020);
* :class:`ClassBalancedQuery`: FairFAL's class-balanced query (Zong &
  Huang, CVPR 2026; the same rows as its code): the budget split equally
  over prototype pseudo-labelled classes, an entropy prefilter, then
  k-center greedy seeded by each class's labelled rows.

:func:`learning_curve` runs the whole loop (train a softmax model, score it,
query, label, repeat) on arrays whose labels play the oracle.

Example
-------
>>> import numpy as np
>>> from imbalanced.active import EntropyQuery
>>> proba = np.array([[0.9, 0.1], [0.5, 0.5], [0.6, 0.4], [0.99, 0.01]])
>>> X_pool = np.arange(8.0).reshape(4, 2)
>>> labelled = np.array([0, -1, -1, -1])   # row 0 is labelled class 0
>>> EntropyQuery().query(X_pool, proba, labelled=labelled, budget=2)
array([1, 2])
"""

from __future__ import annotations

import json
import numbers
from dataclasses import dataclass

import numpy as np

from . import _native

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


def _matrix(values, name):
    try:
        array = np.ascontiguousarray(values, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name} must be numeric: {e}") from None
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D, not of shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds NaN or infinite values: impute or drop them first")
    return array


def _seed(random_state):
    if random_state is None:
        return int(np.random.default_rng().integers(2**63))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool) and 0 <= random_state < 2**64:
        return int(random_state)
    raise TypeError(f"random_state must be None or an int in [0, 2**64), not {random_state!r}")


def gradient_embeddings(proba, X, y=None):
    """BADGE's gradient embeddings (Ash et al., ICLR 2020).

    The negative gradient of the cross-entropy with respect to the last
    layer's weights, ``(onehot(t) - p) ⊗ h``, as BADGE's and FairFAL's code
    compute it: ``t`` is the row's label, or, for an unlabelled row, its
    predicted class ``argmax p``.

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)
        The model's class probabilities.
    X : array-like of shape (n_samples, n_features)
        The features the last layer reads (a linear model's inputs, or a
        network's penultimate features).
    y : array-like of shape (n_samples,), default=None
        Class indices (columns of ``proba``); default: the predicted classes.

    Returns
    -------
    embeddings : ndarray of shape (n_samples, n_classes * n_features)
    """
    labels = None if y is None else np.asarray(y, dtype=np.int64)
    return _native.gradient_embeddings(_matrix(proba, "proba"), _matrix(X, "X"), labels)


class _Query:
    """A query strategy: the engine's by name."""

    _name = ""
    _gradients = False

    def query(self, X_pool, proba, embeddings=None, labelled=None, budget=1):
        """The unlabelled rows of the pool to label next.

        Parameters
        ----------
        X_pool : array-like of shape (n_samples, n_features)
            Every row of the pool, labelled or not: the space in which
            distances (coreset) and class prototypes (class-balanced) are
            taken. Scale it first.
        proba : array-like of shape (n_samples, n_classes)
            The current model's class probabilities of each row.
        embeddings : array-like of shape (n_samples, n_embedding), default=None
            The space of BADGE's seeding and of the class-balanced query's
            k-center step; default: :func:`gradient_embeddings` from
            ``proba`` and ``X_pool`` (with the labels of labelled rows).
        labelled : array-like of shape (n_samples,), default=None
            The class of each labelled row as a column of ``proba``, and -1
            for each row not labelled yet; default: none labelled.
        budget : int, default=1
            How many rows to query (fewer when fewer are unlabelled).

        Returns
        -------
        rows : ndarray of shape (n_queried,)
            Distinct row numbers of ``X_pool``, each unlabelled, in the
            order the strategy chose them.
        """
        X = _matrix(X_pool, "X_pool")
        proba = _matrix(proba, "proba")
        n = X.shape[0]
        if proba.shape[0] != n:
            raise ValueError(f"proba has {proba.shape[0]} rows and X_pool {n}: give one row of probabilities per row")
        if labelled is None:
            labelled = np.full(n, -1, dtype=np.int64)
        labelled = np.asarray(labelled)
        if labelled.ndim != 1 or labelled.shape[0] != n:
            raise ValueError(f"labelled must be 1-D with one entry per row of X_pool ({n}), not of shape {labelled.shape}")
        if not np.issubdtype(labelled.dtype, np.integer):
            raise TypeError("labelled must hold integer class indices (columns of proba) and -1 for unlabelled rows")
        if np.any((labelled < -1) | (labelled >= proba.shape[1])):
            raise ValueError(f"labelled holds values outside -1..{proba.shape[1] - 1}: classes are columns of proba")
        if not isinstance(budget, numbers.Integral) or isinstance(budget, bool):
            raise TypeError(f"budget must be an int, not {budget!r}")
        if budget < 0:
            raise ValueError(f"budget={budget}: give a number of rows, 0 or more")
        seed = _seed(getattr(self, "random_state", 0))
        unlabelled = np.flatnonzero(labelled < 0)
        known = np.flatnonzero(labelled >= 0)
        extra = {}
        if embeddings is not None:
            E = _matrix(embeddings, "embeddings")
            if E.shape[0] != n:
                raise ValueError(f"embeddings has {E.shape[0]} rows and X_pool {n}")
            extra = {"gradients": E[unlabelled], "labelled_gradients": E[known]}
        elif self._gradients:
            extra = {"gradients": gradient_embeddings(proba[unlabelled], X[unlabelled]),
                     "labelled_gradients": gradient_embeddings(proba[known], X[known], labelled[known])}
        rows = _native.query(self._name, X[unlabelled], proba[unlabelled], X[known], labelled[known].astype(np.int64),
                             int(budget), seed, **extra)
        return unlabelled[np.asarray(rows, dtype=np.intp)]

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"


class RandomQuery(_Query):
    """Query unlabelled rows uniformly at random.

    The rows are ``np.random.default_rng(random_state).choice(n_unlabelled,
    budget, replace=False)`` of the unlabelled rows, bit for bit.

    Parameters
    ----------
    random_state : int or None, default=None
        Seed of NumPy's ``default_rng``; ``None``: fresh entropy.
    """

    _name = "random"

    def __init__(self, random_state=None):
        self.random_state = random_state


class LeastConfidentQuery(_Query):
    """Query the rows whose most probable class is least probable.

    Ties go to the earlier row.
    """

    _name = "least-confident"


class MarginQuery(_Query):
    """Query the rows with the smallest gap between their two most probable classes."""

    _name = "margin"


class EntropyQuery(_Query):
    """Query the rows of highest predictive entropy ``-sum p log p``."""

    _name = "entropy"


class CoresetQuery(_Query):
    """k-center greedy (Sener & Savarese, ICLR 2018).

    Each queried row is the unlabelled row farthest (squared Euclidean, in
    ``X_pool``) from the labelled rows and the rows queried before it.
    """

    _name = "coreset"


class BadgeQuery(_Query):
    """BADGE (Ash et al., ICLR 2020): k-means++ seeding on gradient embeddings.

    The first row is the one of largest embedding norm, each next one drawn
    with probability proportional to its squared distance to the nearest
    row chosen so far.

    Parameters
    ----------
    random_state : int or None, default=None
        Seed of NumPy's ``default_rng``; ``None``: fresh entropy.
    """

    _name = "badge"
    _gradients = True

    def __init__(self, random_state=None):
        self.random_state = random_state


class ClassBalancedQuery(_Query):
    """FairFAL's class-balanced query (Zong & Huang, CVPR 2026).

    As the paper's code (``FairFALSampling.query`` and
    ``balanced_sample_by_pred_kmeans_maxscore``, tested against it): the
    unlabelled rows are pseudo-labelled by cosine similarity to the class
    prototypes (means of the labelled rows' normalised ``X_pool`` rows;
    softmax at temperature 1.5, classes without labelled rows masked). Each
    class gets ``budget // n_classes`` rows, the remainder one each to the
    classes with the most pseudo-labelled rows, a quota capped by the
    class's rows and what the caps leave handed round to the classes with
    rows left. Per class the ``max(1, 4 x quota)`` rows of highest
    normalised entropy are kept, and ``quota`` of them taken by k-center
    greedy on the embeddings, seeded by that class's labelled rows (from
    the highest-entropy row when it has none). The rows come back in
    increasing order. It needs labelled rows.
    """

    _name = "class-balanced"
    _gradients = True


@dataclass
class LearningCurve:
    """What :func:`learning_curve` returns: one entry per cycle.

    Attributes
    ----------
    labelled : ndarray of shape (n_cycles,)
        Rows labelled when the cycle's model was trained.
    balanced_accuracy : ndarray of shape (n_cycles,)
        Its balanced accuracy on the test rows.
    minority_recall : ndarray of shape (n_cycles,)
        Its recall of the test rows' rarest class.
    labelled_counts : ndarray of shape (n_cycles, n_classes)
        Labelled rows per class.
    queried_counts : ndarray of shape (n_cycles, n_classes)
        Rows per class the cycle queried (zeros after the last training).
    mean_balanced_accuracy : float
        Area under balanced accuracy against the labelled count, divided by
        the span of labelled counts: 1 for a perfect learner.
    global_queries : ndarray of shape (n_cycles,) or None
        Federated runs with ``query_model="adaptive"``: the clients whose
        uncertainty came from the global model each cycle (-1 after the last
        training).
    fairness : list of dict or None
        Federated runs with ``test_partitions``: per cycle the ``mean``,
        ``std`` and ``worst`` of the clients' balanced accuracies.
    classes : ndarray of shape (n_classes,)
        The class labels, in the order of the counts' columns.
    """

    labelled: np.ndarray
    balanced_accuracy: np.ndarray
    minority_recall: np.ndarray
    labelled_counts: np.ndarray
    queried_counts: np.ndarray
    mean_balanced_accuracy: float
    classes: np.ndarray
    global_queries: np.ndarray | None = None
    fairness: list | None = None


_STRATEGIES = {c._name: c for c in (RandomQuery, LeastConfidentQuery, MarginQuery, EntropyQuery, CoresetQuery,
                                    BadgeQuery, ClassBalancedQuery)}


def learning_curve(X, y, X_test, y_test, strategy="random", *, initial=0.05, query_ratio=0.05, end_ratio=0.45,
                   loss="ce", model="softmax", hidden=64, rounds=1, epochs=20, batch_size=32, learning_rate=0.1,
                   partitions=None, test_partitions=None, query_model="global", local_model_epochs=50, seed=0):
    """Run pool-based active learning and score each cycle.

    ``initial`` of the pool is labelled at random; then each cycle trains a
    model afresh by mini-batch SGD on the labelled rows, scores it on the
    test rows and queries ``query_ratio`` of the pool with ``strategy``,
    whose labels ``y`` reveals, until ``end_ratio`` is labelled. The same
    ``seed`` gives every strategy the same initial rows.

    With ``partitions`` the run is federated, as in FairFAL (Zong & Huang,
    CVPR 2026): each client labels ``initial`` of its rows, each cycle
    trains the global model by ``rounds`` of FedAvg on the labelled rows,
    and each client queries ``query_ratio x n_samples / n_clients`` of its
    rows with ``query_model``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The pool (standardise it first: the model is linear).
    y : array-like of shape (n_samples,)
        Its labels, revealed when queried.
    X_test, y_test : array-like
        The rows each cycle's model is scored on.
    strategy : str or query object, default="random"
        ``"random"``, ``"least-confident"``, ``"margin"``, ``"entropy"``,
        ``"coreset"``, ``"badge"``, ``"class-balanced"``, or an instance of
        this module's classes.
    initial : float, default=0.05
        Share of the pool labelled at random before the first query.
    query_ratio : float, default=0.05
        Share of the pool queried each cycle.
    end_ratio : float, default=0.45
        Share of the pool labelled when the loop stops.
    loss : str or dict, default="ce"
        The model's training loss: any of the engine's (``"focal"``,
        ``"logit-adjusted"``, ``{"name": "focal", "gamma": 1}``).
    model : {"softmax", "mlp"}, default="softmax"
        The model; the queries see its penultimate features (the inputs, or
        the MLP's hidden activations).
    hidden : int, default=64
        The MLP's hidden units.
    rounds : int, default=1
        Federated: rounds of FedAvg per cycle.
    epochs : int, default=20
        Training epochs each cycle (federated: each client's per round).
    batch_size : int, default=32
    learning_rate : float, default=0.1
    partitions : list of list of int, default=None
        Each client's rows of ``X`` (a partitioner's ``partition(y)``):
        federated active learning.
    test_partitions : list of list of int, default=None
        Each client's rows of ``X_test``, for client fairness.
    query_model : {"global", "local", "adaptive"}, default="global"
        Federated: the model each client queries with: the global model,
        its local model (trained from scratch on its labelled rows), or
        FairFAL's per-client choice between them.
    local_model_epochs : int, default=50
        Epochs of the local models (FairFAL's 50).
    seed : int, default=0
        Seed of the initial rows, the draws of the random and BADGE queries
        and the training order.

    Returns
    -------
    curve : LearningCurve
    """
    if isinstance(strategy, _Query):
        strategy = strategy._name
    if strategy not in _STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}: use one of {', '.join(_STRATEGIES)}")
    X = _matrix(X, "X")
    X_test = _matrix(X_test, "X_test")
    if X_test.shape[1] != X.shape[1]:
        raise ValueError(f"X_test has {X_test.shape[1]} columns and X {X.shape[1]}")
    classes, codes = np.unique(np.asarray(y), return_inverse=True)
    y_test = np.asarray(y_test)
    test_codes = np.searchsorted(classes, y_test)
    unknown = (test_codes >= len(classes)) | (classes[np.minimum(test_codes, len(classes) - 1)] != y_test)
    if np.any(unknown):
        raise ValueError(f"y_test holds labels y does not: {np.unique(y_test[unknown]).tolist()}")
    settings = {
        "strategy": strategy,
        "initial": initial,
        "query_ratio": query_ratio,
        "end_ratio": end_ratio,
        "training": {"rounds": rounds, "local_epochs": epochs, "batch_size": batch_size,
                     "learning_rate": learning_rate, "loss": loss, "seed": seed,
                     "model": {"name": "mlp", "hidden": hidden} if model == "mlp" else {"name": model}},
        "query_model": query_model,
        "local_model_epochs": local_model_epochs,
        "seed": seed,
    }
    if partitions is None and (query_model != "global" or test_partitions is not None):
        raise ValueError("query_model and test_partitions are for federated runs: give partitions too")
    clients = None if partitions is None else [[int(i) for i in p] for p in partitions]
    client_tests = None if test_partitions is None else [[int(i) for i in p] for p in test_partitions]
    out = json.loads(_native.learning_curve(json.dumps(settings), X, codes.astype(np.int64), len(classes), X_test,
                                            test_codes.astype(np.int64), clients, client_tests))
    cycles = out["cycles"]
    k = len(classes)
    return LearningCurve(
        labelled=np.array([c["labelled"] for c in cycles]),
        balanced_accuracy=np.array([c["balanced_accuracy"] for c in cycles], dtype=np.float64),
        minority_recall=np.array([c["minority_recall"] for c in cycles], dtype=np.float64),
        labelled_counts=np.array([c["labelled_counts"] for c in cycles]).reshape(-1, k),
        queried_counts=np.array([c["queried_counts"] or [0] * k for c in cycles]).reshape(-1, k),
        mean_balanced_accuracy=float(out["mean_balanced_accuracy"]),
        classes=classes,
        global_queries=(np.array([c.get("global_queries", -1) for c in cycles])
                        if any("global_queries" in c for c in cycles) else None),
        fairness=[c.get("fairness") for c in cycles] if any("fairness" in c for c in cycles) else None,
    )
