"""imbalanced.smote_variants: smote-variants 1.0.1's output for the same seed
(the fixture of scripts/fixtures/sv_samplers.py), scikit-learn's estimator
rules, imbalanced-learn's pipelines, and bad input."""

import json
from pathlib import Path

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from imbalanced import smote_variants

FIXTURE = Path(__file__).resolve().parents[2] / "crates/imbalanced-resample/tests/fixtures/smote_variants.json"


def cases():
    fixture = json.loads(FIXTURE.read_text())
    for data in fixture["datasets"]:
        for i, case in enumerate(data["results"]):
            yield pytest.param(data, case, id=f"{data['file']}-{case['sampler']}-{i}")


@pytest.mark.parametrize("data, case", cases())
def test_equals_smote_variants_for_the_same_seed(data, case):
    X, y = np.array(data["x"]), np.array(data["y"])
    cls = getattr(smote_variants, case["sampler"])
    params = dict(case["params"])
    if case["random_state"] is not None:
        params["random_state"] = case["random_state"]
    counts = np.bincount(y)
    skipped = [c for c, n in enumerate(counts) if 2 < n < counts.max() and c not in case["y"]]
    if case["sampler"] == "SMOBD" and skipped:
        # smote-variants leaves a class as it is where no core distance is
        # within max_eps; ours says so.
        with pytest.raises(ValueError, match="max_eps"):
            cls(**params).sample(X, y)
        return
    X_res, y_res = cls(**params).sample(X, y)
    kept = case["kept"]
    np.testing.assert_array_equal(X_res[: len(kept)], X[kept])
    new_x, new_y = X_res[len(kept):], y_res[len(kept):]
    np.testing.assert_array_equal(new_y, case["y"])
    if case["inexact"]:
        # The fixture script names why these values differ; counts and labels compare.
        return
    want = np.array(case["x"]).reshape(len(case["y"]), X.shape[1])
    # The poly topology orders rows with equal means as NumPy's unstable
    # argsort does; ours keeps the data's order (not compared there).
    compared = ~np.isin(new_y, data["tied_means"]) if case["sampler"] == "polynom_fit_SMOTE_poly" else slice(None)
    np.testing.assert_allclose(new_x[compared], want[compared], rtol=1e-9, atol=1e-12)


def test_estimator_rules_and_pipelines():
    sampler = smote_variants.polynom_fit_SMOTE_poly(proportion=0.5, order=3, random_state=1)
    assert sampler.get_params() == {"proportion": 0.5, "order": 3, "random_state": 1}
    assert clone(sampler).get_params() == sampler.get_params()
    assert smote_variants.polynom_fit_SMOTE_star().get_params() == {"proportion": 1.0, "random_state": None}
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    y = np.array(["no"] * 64 + ["yes"] * 16)
    X_res, y_res = sampler.fit_resample(X, y)
    assert (y_res == "yes").sum() == 16 + 24 and sampler.n_features_in_ == 3
    # Seeded: the same rows again; another seed, other rows.
    np.testing.assert_array_equal(clone(sampler).fit_resample(X, y)[0], X_res)
    assert not np.array_equal(clone(sampler).set_params(random_state=2).fit_resample(X, y)[0], X_res)
    model = make_pipeline(smote_variants.polynom_fit_SMOTE_star(), LogisticRegression()).fit(X, y)
    assert set(model.predict(X)) <= {"no", "yes"}


@pytest.mark.parametrize("make, match", [
    (lambda: smote_variants.polynom_fit_SMOTE_star(proportion=-1.0), "proportion"),
    (lambda: smote_variants.polynom_fit_SMOTE_poly(order=0), "order"),
    (lambda: smote_variants.ProWSyn(theta=-1.0), "theta"),
    (lambda: smote_variants.Lee(rejection_level=2.0), "rejection_level"),
    (lambda: smote_variants.SMOBD(eta1=1.5), "eta1"),
    (lambda: smote_variants.G_SMOTE(method="non-linear_1.0"), "method"),
    (lambda: smote_variants.CCR(energy=-1.0), "energy"),
    (lambda: smote_variants.LVQ_SMOTE(n_clusters=2), "n_clusters"),
    (lambda: smote_variants.Assembled_SMOTE(thres=3.0), "thres"),
    (lambda: smote_variants.SMOTE_IPF(voting="all"), "voting"),
    (lambda: smote_variants.SMOTE_TomekLinks(n_neighbors=0), "n_neighbors"),
])
def test_bad_parameters_raise_value_errors(make, match):
    X = np.arange(40, dtype=float).reshape(20, 2)
    y = np.array([0] * 15 + [1] * 5)
    with pytest.raises(ValueError, match=match):
        make().fit_resample(X, y)


def test_bad_input_raises_value_errors():
    sampler = smote_variants.polynom_fit_SMOTE_bus()
    with pytest.raises(ValueError):
        sampler.fit_resample(np.array([["a", "b"], ["c", "d"]]), np.array([0, 1]))
    with pytest.raises(ValueError):
        sampler.fit_resample(np.ones((4, 2)), np.array([0, 1, 1]))
    X = np.ones((6, 2))
    X[0, 0] = np.nan
    with pytest.raises(ValueError):
        sampler.fit_resample(X, np.array([0, 0, 0, 0, 1, 1]))


@pytest.mark.parametrize("name", smote_variants.__all__)
def test_every_variant_follows_the_estimator_rules_in_a_pipeline(name):
    cls = getattr(smote_variants, name)
    sampler = cls(random_state=0)
    assert clone(sampler).get_params() == sampler.get_params()
    assert "rng" not in sampler.get_params()
    rng = np.random.RandomState(1)
    X = np.vstack([rng.normal(size=(60, 3)), rng.normal(loc=1.5, size=(15, 3))]) * 0.5
    y = np.array(["no"] * 60 + ["yes"] * 15)
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.shape == (len(y_res), 3) and np.isfinite(X_res).all()
    assert (y_res == "yes").sum() > 15
    np.testing.assert_array_equal(clone(sampler).fit_resample(X, y)[0], X_res)
    model = make_pipeline(cls(random_state=0), LogisticRegression()).fit(X, y)
    assert set(model.predict(X)) <= {"no", "yes"}
