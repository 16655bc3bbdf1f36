"""imbalanced.active: the query strategies against NumPy references (random
draws bit for bit, uncertainty orders, k-center greedy, gradient
embeddings), the class-balanced query's balance, the learning-curve loop,
and bad input."""

import json
from pathlib import Path

import numpy as np
import pytest

from imbalanced import active
from imbalanced.active import (BadgeQuery, ClassBalancedQuery, CoresetQuery, EntropyQuery, LeastConfidentQuery,
                               MarginQuery, RandomQuery, gradient_embeddings, learning_curve)

ALL = [RandomQuery(0), LeastConfidentQuery(), MarginQuery(), EntropyQuery(), CoresetQuery(), BadgeQuery(0),
       ClassBalancedQuery()]


def pool(seed=0, n=60, k=3, d=4, n_labelled=9):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    proba = rng.dirichlet(np.ones(k), size=n)
    labelled = np.full(n, -1)
    chosen = rng.choice(n, n_labelled, replace=False)
    labelled[chosen] = np.arange(n_labelled) % k
    return X, proba, labelled


def blobs(seed, counts=(150, 40, 10)):
    """Three Gaussian classes of `counts` rows, well apart."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    centres = 3.0 * np.eye(len(counts), 3)
    return centres[y] + rng.normal(size=(len(y), 3)), y


@pytest.mark.parametrize("seed", [0, 7, 2**40])
@pytest.mark.parametrize("budget", [1, 5, 51])
def test_random_query_draws_what_numpy_draws(seed, budget):
    X, proba, labelled = pool()
    unlabelled = np.flatnonzero(labelled < 0)
    want = unlabelled[np.random.default_rng(seed).choice(len(unlabelled), min(budget, len(unlabelled)), replace=False)]
    np.testing.assert_array_equal(RandomQuery(seed).query(X, proba, labelled=labelled, budget=budget), want)


def numpy_top(score, rows, budget):
    """The rows of highest score, ties to the earlier row."""
    order = np.lexsort((rows, -score[rows]))
    return rows[order][:budget]


def test_uncertainty_queries_rank_as_their_formulas():
    X, proba, labelled = pool(1)
    rows = np.flatnonzero(labelled < 0)
    top2 = np.sort(proba, axis=1)[:, ::-1]
    scores = {
        LeastConfidentQuery: 1 - proba.max(axis=1),
        MarginQuery: -(top2[:, 0] - top2[:, 1]),
        EntropyQuery: -(proba * np.log(proba)).sum(axis=1),
    }
    for cls, score in scores.items():
        got = cls().query(X, proba, labelled=labelled, budget=10)
        np.testing.assert_array_equal(got, numpy_top(score, rows, 10), err_msg=cls.__name__)


def test_coreset_is_k_center_greedy_from_the_labelled_rows():
    X, proba, labelled = pool(2)
    unl, lab = np.flatnonzero(labelled < 0), np.flatnonzero(labelled >= 0)
    nearest = ((X[unl, None, :] - X[None, lab, :]) ** 2).sum(-1).min(axis=1)
    want = []
    for _ in range(8):
        pick = int(np.argmax(nearest))
        want.append(unl[pick])
        nearest = np.minimum(nearest, ((X[unl] - X[unl[pick]]) ** 2).sum(-1))
    np.testing.assert_array_equal(CoresetQuery().query(X, proba, labelled=labelled, budget=8), want)


def test_gradient_embeddings_are_badges_last_layer_gradients():
    X, proba, _ = pool(3)
    onehot = np.eye(proba.shape[1])[proba.argmax(axis=1)]
    want = ((onehot - proba)[:, :, None] * X[:, None, :]).reshape(len(X), -1)
    np.testing.assert_allclose(gradient_embeddings(proba, X), want, rtol=0, atol=1e-15)
    y = np.arange(len(X)) % proba.shape[1]
    want = ((np.eye(proba.shape[1])[y] - proba)[:, :, None] * X[:, None, :]).reshape(len(X), -1)
    np.testing.assert_allclose(gradient_embeddings(proba, X, y), want, rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="not in 0..3"):
        gradient_embeddings(proba, X, np.full(len(X), 3))


FIXTURE = Path(__file__).resolve().parents[2] / "crates" / "imbalanced-active" / "tests" / "fixtures" / "fairfal_queries.json"


@pytest.mark.parametrize("case", json.loads(FIXTURE.read_text())["cases"], ids=lambda c: f"budget{c['budget']}")
def test_class_balanced_query_selects_what_fairfals_code_selects(case):
    # The fixture: FairFAL's own selection code (scripts/fixtures/fairfal.py).
    n = len(case["features"])
    X_pool = np.vstack([case["features"], case["labelled_features"]])
    proba = np.vstack([case["proba"], case["labelled_proba"]])
    labelled = np.concatenate([np.full(n, -1), case["labelled_y"]])
    got = ClassBalancedQuery().query(X_pool, proba, labelled=labelled, budget=case["budget"])
    assert got.tolist() == case["selected"]


def test_badge_starts_from_the_largest_gradient_and_is_seeded():
    X, proba, labelled = pool(4)
    unl = np.flatnonzero(labelled < 0)
    norms = (gradient_embeddings(proba, X)[unl] ** 2).sum(axis=1)
    got = BadgeQuery(5).query(X, proba, labelled=labelled, budget=12)
    assert got[0] == unl[np.argmax(norms)]
    np.testing.assert_array_equal(got, BadgeQuery(5).query(X, proba, labelled=labelled, budget=12))
    assert not np.array_equal(got, BadgeQuery(6).query(X, proba, labelled=labelled, budget=12))
    # Given embeddings replace the gradients.
    E = np.random.default_rng(0).normal(size=(len(X), 2))
    first = BadgeQuery(5).query(X, proba, embeddings=E, labelled=labelled, budget=1)
    assert first[0] == unl[np.argmax((E[unl] ** 2).sum(axis=1))]


@pytest.mark.parametrize("query", ALL, ids=repr)
def test_every_query_returns_distinct_unlabelled_rows(query):
    X, proba, labelled = pool(5)
    got = query.query(X, proba, labelled=labelled, budget=20)
    assert got.dtype == np.intp and len(got) == 20 and len(set(got.tolist())) == 20
    assert np.all(labelled[got] == -1)
    # A budget beyond the unlabelled rows takes what there is.
    assert len(query.query(X, proba, labelled=labelled, budget=1000)) <= int((labelled < 0).sum())
    assert len(query.query(X, proba, labelled=labelled, budget=0)) == 0
    everything = np.arange(len(X)) % proba.shape[1]
    assert len(query.query(X, proba, labelled=everything, budget=3)) == 0


def test_class_balanced_query_splits_the_budget_over_the_classes():
    X, y = blobs(0)
    rng = np.random.default_rng(1)
    labelled = np.full(len(y), -1)
    for c in range(3):
        labelled[rng.choice(np.flatnonzero(y == c), 2, replace=False)] = c
    proba = np.full((len(y), 3), 1 / 3) + rng.uniform(0, 0.01, size=(len(y), 3))
    proba /= proba.sum(axis=1, keepdims=True)
    got = ClassBalancedQuery().query(X, proba, labelled=labelled, budget=9)
    np.testing.assert_array_equal(np.bincount(y[got], minlength=3), [3, 3, 3])
    by_entropy = EntropyQuery().query(X, proba, labelled=labelled, budget=9)
    assert np.bincount(y[by_entropy], minlength=3).min() < 3


def test_learning_curve_runs_the_loop_from_one_start():
    X, y = blobs(2)
    Xt, yt = blobs(3)
    curves = {s: learning_curve(X, y, Xt, yt, s, initial=0.1, query_ratio=0.1, end_ratio=0.4, seed=4)
              for s in ["random", "entropy", "class-balanced"]}
    for s, c in curves.items():
        np.testing.assert_array_equal(c.labelled, [20, 40, 60, 80])
        np.testing.assert_array_equal(c.labelled_counts.sum(axis=1), c.labelled)
        np.testing.assert_array_equal(c.labelled_counts[0], curves["random"].labelled_counts[0])
        np.testing.assert_array_equal(c.labelled_counts[1:] - c.labelled_counts[:-1], c.queried_counts[:-1])
        assert c.balanced_accuracy.min() <= c.mean_balanced_accuracy <= c.balanced_accuracy.max()
        assert c.balanced_accuracy[-1] > 0.8, s
        assert c.classes.tolist() == [0, 1, 2]
    again = learning_curve(X, y, Xt, yt, ClassBalancedQuery(), initial=0.1, query_ratio=0.1, end_ratio=0.4, seed=4)
    np.testing.assert_array_equal(again.balanced_accuracy, curves["class-balanced"].balanced_accuracy)
    # The rarest class gets more of the class-balanced query's labels than of random's.
    share = {s: c.queried_counts[:, 2].sum() / c.queried_counts.sum() for s, c in curves.items()}
    assert share["class-balanced"] > share["random"], share
    labels = np.array(["maj", "mid", "min"])
    named = learning_curve(X, labels[y], Xt, labels[yt], "random", initial=0.1, query_ratio=0.1, end_ratio=0.2)
    assert named.classes.tolist() == ["maj", "mid", "min"]


def test_federated_learning_curves_query_per_client():
    from imbalanced.federated import DirichletPartitioner

    X, y = blobs(4, counts=(300, 80, 20))
    Xt, yt = blobs(5)
    parts = DirichletPartitioner(num_partitions=4, partition_by="label", alpha=0.5, min_partition_size=20).partition(y)
    test_parts = DirichletPartitioner(num_partitions=4, partition_by="label", alpha=0.5,
                                      min_partition_size=5).partition(yt)
    run = lambda query_model, model="softmax": learning_curve(
        X, y, Xt, yt, "class-balanced", initial=0.05, query_ratio=0.05, end_ratio=0.25, rounds=5, epochs=2,
        model=model, hidden=8, loss="logit-adjusted", partitions=parts, test_partitions=test_parts,
        query_model=query_model, local_model_epochs=10, seed=1)
    adaptive = run("adaptive")
    assert adaptive.labelled[0] == sum(max(1, int(0.05 * len(p))) for p in parts)
    assert adaptive.labelled[-1] == 100
    assert adaptive.global_queries is not None and adaptive.global_queries[-1] == -1
    assert np.all(adaptive.global_queries[:-1] >= 0) and np.all(adaptive.global_queries[:-1] <= 4)
    assert all(f["worst"] <= f["mean"] for f in adaptive.fairness)
    assert adaptive.balanced_accuracy[-1] > 0.7
    glob = run("global")
    assert glob.global_queries is None
    np.testing.assert_array_equal(run("adaptive").labelled_counts, adaptive.labelled_counts)
    assert run("local", model="mlp").labelled[-1] == 100
    with pytest.raises(ValueError, match="give partitions too"):
        learning_curve(X, y, Xt, yt, query_model="adaptive")
    with pytest.raises(ValueError, match="every client needs rows"):
        learning_curve(X, y, Xt, yt, partitions=[list(range(10)), []])
    with pytest.raises(ValueError, match="unknown variant"):
        learning_curve(X, y, Xt, yt, partitions=parts, query_model="both")


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"X_pool": np.zeros(5)}, ValueError, "2-D"),
    ({"X_pool": [["a", "b"]] * 5}, TypeError, "numeric"),
    ({"proba": np.full((4, 2), 0.5)}, ValueError, "one row of probabilities"),
    ({"proba": np.full((5, 2), np.nan)}, ValueError, "NaN"),
    ({"labelled": [0, -1, -1]}, ValueError, "one entry per row"),
    ({"labelled": [0, 5, -1, -1, -1]}, ValueError, "outside -1..1"),
    ({"labelled": [0.0, -1, -1, -1, -1]}, TypeError, "integer class"),
    ({"budget": -1}, ValueError, "0 or more"),
    ({"budget": 2.5}, TypeError, "budget must be an int"),
    ({"embeddings": np.zeros((3, 2))}, ValueError, "embeddings has 3 rows"),
])
def test_bad_queries_name_the_fix(kwargs, error, message):
    args = {"X_pool": np.zeros((5, 2)), "proba": np.full((5, 2), 0.5), "labelled": [0, 1, -1, -1, -1], "budget": 2}
    args.update(kwargs)
    with pytest.raises(error, match=message):
        CoresetQuery().query(**args)


def test_bad_seeds_and_unlabelled_pools_are_refused():
    X, proba, _ = pool()
    with pytest.raises(TypeError, match="random_state"):
        RandomQuery(-1).query(X, proba)
    with pytest.raises(TypeError, match="random_state"):
        BadgeQuery("7").query(X, proba)
    with pytest.raises(ValueError, match="label a few rows first"):
        ClassBalancedQuery().query(X, proba, budget=3)
    # Without labelled rows the others still query.
    assert len(CoresetQuery().query(X, proba, budget=3)) == 3


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"strategy": "uncertainty"}, "unknown strategy"),
    ({"initial": 0.001}, "raise it"),
    ({"initial": 0.5, "end_ratio": 0.2}, "initial <= end_ratio"),
    ({"loss": "focall"}, "focal"),
    ({"y_test": np.full(20, 9)}, "labels y does not"),
    ({"X_test": np.zeros((20, 2))}, "columns"),
    ({"epochs": 0}, "epochs"),
])
def test_bad_loops_name_the_fix(kwargs, message):
    X, y = blobs(0)
    args = {"X": X, "y": y, "X_test": X[:20], "y_test": y[:20]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        learning_curve(**args)


def test_the_module_documents_what_it_exports():
    for name in active.__all__:
        doc = getattr(active, name).__doc__
        assert doc and len(doc.strip()) > 40, name
