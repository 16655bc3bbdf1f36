"""Inputs as users have them: NumPy arrays of other dtypes and layouts,
read-only memory maps, lists, pandas frames and series, SciPy sparse
matrices. In numpy mode every sampler returns what imbalanced-learn's
returns for the same input: the same container, dtype, columns and values."""

import numpy as np
import pytest
from scipy import sparse

import imblearn
from imbalanced import combine, over_sampling, under_sampling

pd = pytest.importorskip("pandas")

SEEDED_EXACT = [
    (over_sampling, "RandomOverSampler"), (over_sampling, "SMOTE"), (over_sampling, "ADASYN"),
    (over_sampling, "BorderlineSMOTE"), (under_sampling, "RandomUnderSampler"), (under_sampling, "NearMiss"),
    (under_sampling, "TomekLinks"), (under_sampling, "EditedNearestNeighbours"), (combine, "SMOTETomek"),
]


def dataset():
    rng = np.random.default_rng(0)
    X = np.round(rng.normal(size=(120, 4)), 6) + np.arange(120)[:, None] * 1e-4  # no distance ties
    y = np.r_[np.zeros(90, int), np.ones(22, int), np.full(8, 2)]
    return X, y


def variants(tmp_path):
    X, y = dataset()
    memmap_path = tmp_path / "x.npy"
    np.save(memmap_path, X)
    columns = ["a", "b", "c", "d"]
    return {
        "float32": (X.astype(np.float32), y),
        "int": (np.round(X * 100).astype(np.int64), y),
        "fortran": (np.asfortranarray(X), y),
        "readonly-memmap": (np.load(memmap_path, mmap_mode="r"), y),
        "lists": (X.tolist(), y.tolist()),
        "text-labels": (X, np.array(["maj", "mid", "rare"])[y]),
        "pandas": (pd.DataFrame(X, columns=columns), pd.Series(y, name="target")),
        "pandas-mixed-dtypes": (pd.DataFrame(X, columns=columns).astype({"a": np.float32}), pd.Series(y, name="t")),
        "csr": (sparse.csr_matrix(np.where(np.abs(X) < 0.5, 0.0, X)), y),
    }


@pytest.mark.parametrize("module, name", SEEDED_EXACT, ids=[n for _, n in SEEDED_EXACT])
def test_every_input_kind_gives_imblearns_output(module, name, tmp_path):
    ours_cls = getattr(module, name)
    ref_cls = getattr(getattr(imblearn, module.__name__.split(".")[-1]), name)
    kwargs = {"random_state": 0} if "random_state" in ref_cls().get_params() else {}
    for kind, (X, y) in variants(tmp_path).items():
        try:
            Xb, yb = ref_cls(**kwargs).fit_resample(X, y)
        except (ValueError, TypeError) as e:
            with pytest.raises(type(e)):
                ours_cls(rng="numpy", **kwargs).fit_resample(X, y)
            continue
        sampler = ours_cls(rng="numpy", **kwargs)
        Xa, ya = sampler.fit_resample(X, y)
        where = f"{name} on {kind}"
        assert type(Xa) is type(Xb) and type(ya) is type(yb), where
        if isinstance(Xb, pd.DataFrame):
            assert list(Xa.columns) == list(Xb.columns) and list(Xa.dtypes) == list(Xb.dtypes), where
            assert ya.name == yb.name, where
            Xa, Xb, ya, yb = Xa.to_numpy(), Xb.to_numpy(), ya.to_numpy(), yb.to_numpy()
        if sparse.issparse(Xb):
            Xa, Xb = Xa.toarray(), Xb.toarray()
        if isinstance(Xb, list):
            Xa, Xb = np.asarray(Xa), np.asarray(Xb)
        assert np.asarray(Xa).dtype == np.asarray(Xb).dtype, where
        np.testing.assert_allclose(np.asarray(Xa, dtype=float), np.asarray(Xb, dtype=float), rtol=1e-12, atol=1e-6 if kind == "float32" else 0, err_msg=where)
        np.testing.assert_array_equal(ya, yb, err_msg=where)
        if isinstance(X, pd.DataFrame):
            assert list(sampler.feature_names_in_) == list(X.columns), where
        assert sampler.n_features_in_ == 4, where


def test_smotenc_on_a_pandas_frame_with_category_columns():
    X, y = dataset()
    frame = pd.DataFrame(X[:, :2], columns=["x0", "x1"])
    frame["colour"] = pd.Categorical(np.array(["red", "green", "blue"])[np.arange(120) % 3])
    frame["size"] = np.array(["s", "m"])[np.arange(120) % 2]
    a = over_sampling.SMOTENC(categorical_features=[2, 3], random_state=0, rng="numpy").fit_resample(frame, y)
    b = imblearn.over_sampling.SMOTENC(categorical_features=[2, 3], random_state=0).fit_resample(frame, y)
    assert type(a[0]) is type(b[0]) and list(a[0].columns) == list(b[0].columns)
    pd.testing.assert_frame_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
