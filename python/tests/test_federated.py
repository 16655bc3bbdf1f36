"""imbalanced.federated: flwr-datasets 0.6.1's partitions for the same
parameters and seed (the fixture of crates/imbalanced-federated, written by
scripts/fixtures/partitions.py), flwr-datasets' Partitioner interface, and
bad input."""

import json
from pathlib import Path

import numpy as np
import pytest

from imbalanced import federated

FIXTURE = Path(__file__).resolve().parents[2] / "crates" / "imbalanced-federated" / "tests" / "fixtures" / "flwr_partitions.json"
CASES = json.loads(FIXTURE.read_text())
TAKES_PARTITION_BY = {"DirichletPartitioner", "InnerDirichletPartitioner", "PathologicalPartitioner",
                      "ShardPartitioner"}


def build(name, params):
    params = dict(params)
    if name in TAKES_PARTITION_BY:
        params.setdefault("partition_by", "label")
    return getattr(federated, name)(**params)


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: f"{c['partitioner']}-{c['data']}-{c['params']}")
def test_partitions_equal_flwr_datasets(case):
    name, data = case["partitioner"], case["data"]
    partitioner = build(name, case["params"])
    values = CASES["client_codes"][data] if name == "NaturalIdPartitioner" else CASES["data"][data]
    if "error" in case:
        with pytest.raises(ValueError):
            partitioner.partition(values)
    else:
        assert partitioner.partition(values) == case["partitions"]


def test_labels_of_any_type_are_split_in_sorted_order():
    codes = np.array(CASES["data"]["ecoli"])
    labels = np.array(["cl%02d" % c for c in codes])
    a = federated.DirichletPartitioner(num_partitions=4, partition_by="label", alpha=0.5).partition(codes)
    b = federated.DirichletPartitioner(num_partitions=4, partition_by="label", alpha=0.5).partition(list(labels))
    assert a == b


class _Rows:
    """The little of a Hugging Face Dataset the partitioners use."""

    def __init__(self, columns, rows=None):
        self.columns = columns
        self.rows = list(range(len(next(iter(columns.values()))))) if rows is None else rows

    @property
    def num_rows(self):
        return len(self.rows)

    def __getitem__(self, column):
        return [self.columns[column][r] for r in self.rows]

    def select(self, indices):
        return _Rows(self.columns, [self.rows[i] for i in indices])


def test_load_partition_follows_flwr_datasets_interface():
    labels = CASES["data"]["longtail10"]
    p = federated.PathologicalPartitioner(num_partitions=10, partition_by="label", num_classes_per_partition=3)
    with pytest.raises(AttributeError):
        p.dataset
    p.dataset = _Rows({"label": labels})
    assert p.is_dataset_assigned()
    assert p.num_partitions == 10
    want = p.partition(labels)
    assert p.load_partition(3).rows == want[3]
    assert len(set(p.load_partition(0)["label"])) <= 3
    with pytest.raises(ValueError):
        p.load_partition(10)
    with pytest.raises(ValueError):
        p.dataset = _Rows({"label": labels})
    iid = federated.IidPartitioner(num_partitions=3)
    iid.dataset = _Rows({"x": list(range(10))})
    assert [iid.load_partition(i).rows for i in range(3)] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]


@pytest.mark.parametrize(
    "make, values, match",
    [
        (lambda: federated.DirichletPartitioner(3, "label", alpha=0.0), [0, 1] * 20, "greater than zero"),
        (lambda: federated.DirichletPartitioner(3, "label", alpha=[1.0, 2.0]), [0, 1] * 20, "alpha has 2 values"),
        (lambda: federated.DirichletPartitioner(50, "label", alpha=1.0), [0, 1] * 20, "must not exceed"),
        (lambda: federated.DirichletPartitioner(3, "label", alpha=0.01), [0, 1] * 20, "min_partition_size"),
        (lambda: federated.PathologicalPartitioner(3, "label", 3), [0, 1] * 20, "num_classes_per_partition"),
        (lambda: federated.SizePartitioner([30, 30]), [0, 1] * 20, "more than the 40 rows"),
        (lambda: federated.ShardPartitioner(5, "label", 1), [0, 1] * 2, "must not exceed"),
        (lambda: federated.ShardPartitioner(2, "label"), [0, 1] * 20, "give shard_size"),
        (lambda: federated.DirichletPartitioner(3, "label", alpha=1.0), [[0, 1]] * 20, "must be 1-D"),
    ],
)
def test_bad_input_raises_value_error(make, values, match):
    with pytest.raises(ValueError, match=match):
        make().partition(values)


def test_partitioners_subclass_flwr_datasets_when_installed():
    flwr = pytest.importorskip("flwr_datasets.partitioner")
    assert isinstance(federated.DirichletPartitioner(2, "label", 0.5), flwr.Partitioner)


def test_module_example_runs():
    import doctest

    failed, attempted = doctest.testmod(federated, optionflags=doctest.ELLIPSIS)
    assert failed == 0 and attempted >= 4


def test_fairfal_partitions_are_balanced_and_the_long_tail_falls():
    y = np.array(CASES["data"]["longtail10"])
    parts = federated.DirBalancePartitioner(num_partitions=7, partition_by="label", alpha=0.1).partition(y)
    sizes = sorted(len(p) for p in parts)
    assert sizes[-1] - sizes[0] <= 1 and sum(sizes) == len(y)
    shards = federated.ShardBalancePartitioner(num_partitions=5, partition_by="label").partition(y)
    assert all(len(set(y[p])) == 2 for p in shards)
    balanced = np.repeat(np.arange(4), 250)
    rows = federated.long_tail(balanced, imbalance_ratio=10)
    assert np.bincount(balanced[rows]).tolist() == [250, 116, 53, 25]
    assert federated.long_tail(balanced, 10, profile="step").size == 250 * 2 + 25 * 2
    with pytest.raises(ValueError, match="profile"):
        federated.long_tail(balanced, 10, profile="linear")
    with pytest.raises(ValueError):
        federated.long_tail(balanced, 0.5)


def _blobs(n=600, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    X = rng.normal(size=(n, 4)) + np.eye(4)[y] * 2.5
    return X, np.array(["a", "b", "c"])[y]


def test_simulate_learns_reports_rounds_and_is_deterministic():
    X, y = _blobs()
    parts = federated.DirichletPartitioner(num_partitions=5, partition_by="label", alpha=1.0,
                                           min_partition_size=5).partition(y)
    Xt, yt = _blobs(300, seed=1)
    test_parts = federated.IidPartitioner(num_partitions=5).partition(yt)
    run = lambda n_jobs: federated.simulate(X, y, parts, X_test=Xt, y_test=yt, test_partitions=test_parts,
                                            strategy="fedprox", strategy_params={"proximal_mu": 0.01},
                                            loss="logit-adjusted", rounds=6, n_jobs=n_jobs)
    result = run(1)
    assert len(result.rounds) == 6 and result.coef.shape == (3, 4) and list(result.classes) == ["a", "b", "c"]
    last = result.rounds[-1]
    assert last["balanced_accuracy"] > 0.8
    assert last["fairness"]["worst"] <= last["fairness"]["mean"]
    assert np.mean(result.predict(Xt) == yt) > 0.8
    again = run(2)
    assert np.array_equal(again.coef, result.coef) and again.rounds == result.rounds


def test_simulate_trains_an_mlp_with_confidence_aware_prototypes():
    X, y = _blobs()
    parts = federated.DirichletPartitioner(num_partitions=4, partition_by="label", alpha=1.0,
                                           min_partition_size=5).partition(y)
    Xt, yt = _blobs(300, seed=1)
    result = federated.simulate(X, y, parts, X_test=Xt, y_test=yt, model="mlp", hidden=8, prototypes=True,
                                loss="logit-adjusted", rounds=8, seed=3)
    assert result.hidden_coef.shape == (8, 4) and result.hidden_intercept.shape == (8,)
    assert result.coef.shape == (3, 8) and result.prototypes.shape == (3, 8)
    # The Python forward pass is the engine's: its predictions score what the engine reported.
    pred = result.predict(Xt)
    classes = result.classes
    recall = [np.mean(pred[yt == c] == c) for c in classes]
    assert abs(np.mean(recall) - result.rounds[-1]["balanced_accuracy"]) < 1e-12
    proto = result.predict_prototype(Xt)
    recall = [np.mean(proto[yt == c] == c) for c in classes]
    assert abs(np.mean(recall) - result.rounds[-1]["prototype_balanced_accuracy"]) < 1e-12
    assert result.rounds[-1]["prototype_balanced_accuracy"] > 0.6
    plain = federated.simulate(X, y, parts, model="mlp", hidden=8, rounds=2, seed=3)
    assert plain.prototypes is None and "prototype_balanced_accuracy" not in plain.rounds[-1]
    with pytest.raises(ValueError, match="prototypes=True"):
        plain.predict_prototype(Xt)
    counted = federated.simulate(X, y, parts, X_test=Xt, y_test=yt, model="mlp", hidden=8, rounds=2, seed=3,
                                 prototypes={"inverse_variance": False, "confidence": False, "lambda": 0.5})
    assert counted.prototypes.shape == (3, 8)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"model": "mlp", "hidden": 0}, "hidden"),
        ({"model": "cnn"}, "cnn"),
        ({"prototypes": {"lambda": -1}}, "lambda"),
        ({"prototypes": {"weights": 1}}, "weights"),
        ({"strategy": "fedsgd"}, "fedsgd"),
        ({"strategy": "fedprox", "strategy_params": {"mu": 1}}, "mu"),
        ({"rounds": 0}, "at least 1"),
        ({"loss": "focall"}, "focal"),
        ({"y_test": ["a"]}, "both"),
    ],
)
def test_simulate_bad_input_raises_value_error(kwargs, match):
    X, y = _blobs(100)
    with pytest.raises(ValueError, match=match):
        federated.simulate(X, y, [list(range(50)), list(range(50, 100))], **kwargs)
