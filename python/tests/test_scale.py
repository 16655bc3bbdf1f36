"""imbalanced.scale: the DataFusion engine from Python, on paths, folders,
pandas DataFrames and pyarrow Tables; the same rows for any partitioning,
exact counts, the SMOTE path equal to the in-memory sampler, folds and
partitions, and bad input."""

import json
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from imbalanced import scale

pytestmark = pytest.mark.skipif(not scale.available(), reason="built without the DataFusion engine")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def _frame(seed=0, n=600):
    """Three classes (450 / 120 / 30 rows), two float features and an int one."""
    rng = np.random.default_rng(seed)
    y = np.repeat(["no", "yes", "rare"], [int(n * 0.75), int(n * 0.2), n - int(n * 0.75) - int(n * 0.2)])
    shift = {"no": 0.0, "yes": 1.0, "rare": 2.0}
    s = np.array([shift[v] for v in y])
    return pd.DataFrame(
        {
            "a": rng.random(n) + s,
            "b": rng.random(n) - s,
            "n": rng.integers(0, 10, n),
            "label": y,
        }
    )


def _rows(df):
    return sorted(map(tuple, df.astype(str).to_numpy().tolist()))


def test_under_sampling_is_exact_and_the_same_on_any_partitioning(tmp_path):
    df = _frame()
    outs = [scale.resample(df, "RandomUnderSampler", target="label", random_state=3, partitions=p) for p in (1, 4, 16)]
    assert isinstance(outs[0], pd.DataFrame)
    for o in outs[1:]:
        pd.testing.assert_frame_equal(o, outs[0])
    assert Counter(outs[0]["label"]) == {"no": 30, "yes": 30, "rare": 30}
    # Every kept row is an input row.
    assert set(_rows(outs[0])) <= set(_rows(df))
    # Another seed, other rows.
    other = scale.resample(df, "rus", target="label", random_state=4)
    assert not other.equals(outs[0])
    # A file on disk, and a folder of Parquet pieces of it, give the same rows.
    path = tmp_path / "d.parquet"
    df.to_parquet(path, index=False)
    folder = tmp_path / "parts"
    folder.mkdir()
    for i in range(3):
        df.iloc[i * 200 : (i + 1) * 200].to_parquet(folder / f"p{i}.parquet", index=False)
    for source in (path, str(folder), str(folder / "*.parquet")):
        got = scale.resample(source, target="label", random_state=3)
        assert isinstance(got, pa.Table)
        pd.testing.assert_frame_equal(got.to_pandas(), outs[0])


def test_bernoulli_keeps_the_counts_in_expectation():
    df = _frame(n=2000)
    out = scale.resample(df, target="label", random_state=1, bernoulli=True)
    counts = Counter(out["label"])
    assert counts["rare"] == 100
    assert 60 <= counts["no"] <= 140 and 60 <= counts["yes"] <= 140, counts


def test_over_sampling_copies_rows_to_the_targets():
    df = _frame()
    out = scale.resample(df, "RandomOverSampler", target="label", random_state=2, sampling_strategy={"rare": 90})
    assert Counter(out["label"]) == {"no": 450, "yes": 120, "rare": 90}
    rare = Counter(_rows(out[out["label"] == "rare"]))
    assert sorted(set(rare.values())) == [3]


def test_smote_makes_the_in_memory_samplers_rows():
    from imbalanced.over_sampling import SMOTE

    df = _frame()
    df["n"] = df["n"].astype(float)
    out = scale.resample(df, "SMOTE", target="label", random_state=5, k_neighbors=3)
    X, y = SMOTE(random_state=5, k_neighbors=3).fit_resample(df[["a", "b", "n"]].to_numpy(), df["label"].to_numpy())
    want = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "n": X[:, 2], "label": y})
    assert len(out) == len(want) == 3 * 450
    assert _rows(out) == _rows(want)


def test_smote_in_buckets_meets_the_targets():
    df = _frame(n=1200)
    df["n"] = df["n"].astype(float)
    out = scale.resample(df, "SMOTE", target="label", random_state=5, buckets=3)
    assert Counter(out["label"]) == {"no": 900, "yes": 900, "rare": 900}
    assert set(_rows(df)) <= set(_rows(out))
    with pytest.raises(ValueError, match="buckets=0"):
        scale.resample(df, "SMOTE", target="label", buckets=0)
    with pytest.raises(ValueError, match="buckets is not supported"):
        scale.resample(df, "rus", target="label", buckets=2)


def test_tomek_links_on_two_classes(tmp_path):
    from imbalanced.under_sampling import TomekLinks

    rng = np.random.default_rng(7)
    y = np.where(np.arange(300) % 6 == 0, 1, 0)
    X = rng.random((300, 2)) + 0.3 * y[:, None]
    df = pd.DataFrame({"x0": X[:, 0], "x1": X[:, 1], "y": y})
    summary = scale.resample(df, "TomekLinks", target="y", out=tmp_path / "t.csv")
    Xr, yr = TomekLinks().fit_resample(X, y)
    assert summary["rows_after"] == len(yr) < 300
    got = pd.read_csv(tmp_path / "t.csv")
    assert _rows(got) == _rows(pd.DataFrame({"x0": Xr[:, 0], "x1": Xr[:, 1], "y": yr}))


@pytest.mark.parametrize(
    "module, method, params",
    [
        ("under_sampling", "EditedNearestNeighbours", {}),
        ("under_sampling", "EditedNearestNeighbours", {"kind_sel": "mode", "n_neighbors": 5}),
        ("under_sampling", "NeighbourhoodCleaningRule", {}),
        ("over_sampling", "BorderlineSMOTE", {"random_state": 4}),
        ("over_sampling", "ADASYN", {"random_state": 4}),
    ],
)
def test_samplers_reading_neighbours_give_the_in_memory_samplers_rows(module, method, params):
    import importlib

    rng = np.random.default_rng(3)
    y = np.select([np.arange(400) % 15 == 0, np.arange(400) % 6 == 0], ["rare", "yes"], "no")
    shift = np.select([y == "rare", y == "yes"], [0.6, 0.3], 0.0)
    X = rng.random((400, 2)) + shift[:, None]
    df = pd.DataFrame({"x0": X[:, 0], "x1": X[:, 1], "y": y})
    Xr, yr = getattr(importlib.import_module(f"imbalanced.{module}"), method)(**params).fit_resample(X, y)
    assert len(yr) != 400
    engine_params = {k: v for k, v in params.items() if k != "random_state"}
    for partitions in (1, 4):
        out = scale.resample(
            df, method, target="y", partitions=partitions, random_state=params.get("random_state", 0), **engine_params
        )
        assert _rows(out) == _rows(pd.DataFrame({"x0": Xr[:, 0], "x1": Xr[:, 1], "y": yr}))


def test_out_gets_the_file_and_a_summary(tmp_path):
    df = _frame()
    out = tmp_path / "r.parquet"
    summary = scale.resample(pa.Table.from_pandas(df), "rus", target="label", random_state=3, out=out)
    assert summary["method"] == "RandomUnderSampler"
    assert summary["rows_before"] == 600 and summary["rows_after"] == 90
    assert {c["label"]: (c["before"], c["after"]) for c in summary["classes"]} == {
        "no": (450, 30),
        "rare": (30, 30),
        "yes": (120, 30),
    }
    pd.testing.assert_frame_equal(pq.read_table(out).to_pandas(), scale.resample(df, target="label", random_state=3))
    assert [p.name for p in tmp_path.iterdir()] == ["r.parquet"]


def test_folds_are_stratified_and_the_same_on_any_partitioning(tmp_path):
    df = _frame()
    folds = [scale.stratified_folds(df, 4, target="label", random_state=1, partitions=p) for p in (1, 8)]
    pd.testing.assert_frame_equal(folds[0], folds[1])
    assert list(folds[0].columns) == ["a", "b", "n", "label", "fold"]
    sizes = folds[0].groupby(["label", "fold"]).size()
    for label, total in (("no", 450), ("yes", 120), ("rare", 30)):
        # The first N mod k folds hold one row more (StratifiedKFold's sizes).
        want = [total // 4 + (f < total % 4) for f in range(4)]
        assert sizes[label].tolist() == want, label
    assert _rows(folds[0].drop(columns="fold")) == _rows(df)
    counts = scale.stratified_folds(df, 4, target="label", random_state=1, out=tmp_path / "f.csv")
    assert counts["classes"] == ["no", "rare", "yes"]
    assert counts["counts"][0] == [113, 8, 30]


def test_dirichlet_partitions_have_the_in_memory_counts():
    from imbalanced.federated import DirichletPartitioner

    df = _frame()
    parts = scale.partition(df, num_partitions=5, alpha=0.5, seed=11, target="label")
    got = Counter(zip(parts["partition"], parts["label"]))
    codes = pd.Categorical(df["label"], categories=["no", "rare", "yes"]).codes
    want = Counter()
    for p, rows in enumerate(
        DirichletPartitioner(num_partitions=5, partition_by="label", alpha=0.5, seed=11).partition(codes)
    ):
        for r in rows:
            want[(p, df["label"][r])] += 1
    assert got == want


def test_evaluate_scores_the_same_on_any_partitioning():
    df = _frame()
    runs = [
        scale.evaluate(df, ["none", "rus", "SMOTE:k_neighbors=3"], n_splits=3, target="label", partitions=p)
        for p in (1, 4)
    ]
    for r in runs:
        for m in r["results"]:
            m.pop("seconds")
    assert runs[0] == runs[1]
    assert runs[0]["dataset"] == "table"
    results = runs[0]["results"]
    assert [m["method"] for m in results] == ["none", "RandomUnderSampler", "SMOTE:k_neighbors=3"]
    folds = results[0]["metrics"]["balanced_accuracy_score"]["folds"]
    assert len(folds) == 3 and all(0.0 <= f <= 1.0 for f in folds)
    forest = scale.evaluate(
        df, ["rus"], model="RandomForestClassifier", model_params={"n_estimators": 10}, n_splits=2, target="label"
    )
    assert forest["results"][0]["method"] == "RandomUnderSampler"
    with pytest.raises(ValueError, match="n_splits=1"):
        scale.evaluate(df, n_splits=1, target="label")
    with pytest.raises(ValueError):
        scale.evaluate(df, ["none"], model="NoSuchModel", target="label")
    with pytest.raises(ValueError, match="SVMSMOTE"):
        scale.evaluate(df, ["SVMSMOTE"], target="label")


def test_inspect_counts_the_classes(tmp_path):
    df = _frame()
    report = scale.inspect(df, target="label")
    assert report["n_samples"] == 600 and report["n_features"] == 3
    assert report["classes"] == [["no", 450], ["rare", 30], ["yes", 120]]
    assert report["imbalance_ratio"] == 15.0
    json.dumps(report)


def test_bad_input_is_a_value_or_type_error(tmp_path):
    df = _frame()
    with pytest.raises(ValueError, match='no column "nope".*a, b, n, label'):
        scale.resample(df, target="nope")
    with pytest.raises(ValueError, match="does not run on DataFusion"):
        scale.resample(df, "SVMSMOTE", target="label")
    with pytest.raises(ValueError, match="unknown|not a sampler|no sampler"):
        scale.resample(df, "NoSuchSampler", target="label")
    with pytest.raises(ValueError, match="k_neighbors"):
        scale.resample(df, "SMOTE", target="label", k_neighbors="three")
    with pytest.raises(TypeError, match="pandas DataFrame or a pyarrow Table"):
        scale.resample([[1, 2]], target="label")
    with pytest.raises(TypeError):
        scale.resample(df, 3, target="label")
    with pytest.raises(ValueError, match="random_state"):
        scale.resample(df, target="label", random_state=-1)
    with pytest.raises(ValueError, match="n_splits=1"):
        scale.stratified_folds(df, 1, target="label")
    with pytest.raises(ValueError, match="memory_limit"):
        scale.inspect(df, target="label", memory_limit="lots")
    with pytest.raises(ValueError, match="partitions=0"):
        scale.inspect(df, target="label", partitions=0)
    with pytest.raises(ValueError, match="DirichletPartitioner does"):
        scale.partition(df, "IidPartitioner", num_partitions=3, target="label")
    with pytest.raises(ValueError, match="text|Utf8|numeric"):
        scale.resample(df.assign(a=df["a"].astype(str)), "SMOTE", target="label")
    with pytest.raises(ValueError):
        scale.inspect(tmp_path / "missing.parquet")
    # A failed run leaves no output file.
    out = tmp_path / "never.parquet"
    with pytest.raises(ValueError):
        scale.resample(df, "SMOTE", target="label", out=out, k_neighbors=500)
    assert list(tmp_path.iterdir()) == []


def test_the_module_example_runs():
    import doctest

    assert doctest.testmod(scale).failed == 0


def test_a_build_without_the_engine_says_how_to_get_it(monkeypatch):
    from imbalanced import _native

    monkeypatch.delattr(_native, "scale_resample")
    assert not scale.available()
    with pytest.raises(ImportError, match='--features datafusion'):
        scale.resample("x.parquet")
