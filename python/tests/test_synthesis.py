"""imbalanced.synthesis: the label-consistent over-sampler from Python:
counts, seeds, the ways to name its proposing sampler, scikit-learn's
estimator rules, and bad input."""

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from imbalanced import over_sampling, smote_variants
from imbalanced.synthesis import LabelConsistentOverSampler


def data():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(size=(200, 3)), rng.normal(loc=1.0, size=(30, 3))])
    y = np.array(["no"] * 200 + ["yes"] * 30)
    return X, y


def test_counts_seeds_and_the_proposing_sampler():
    X, y = data()
    sampler = LabelConsistentOverSampler(random_state=3)
    X_res, y_res = sampler.fit_resample(X, y)
    assert (y_res == "yes").sum() == 200 and sampler.n_features_in_ == 3
    np.testing.assert_array_equal(X_res[:230], X)
    np.testing.assert_array_equal(clone(sampler).fit_resample(X, y)[0], X_res)
    assert not np.array_equal(clone(sampler).set_params(random_state=4).fit_resample(X, y)[0], X_res)
    # The proposing sampler: a name, a dict, or an object of this package.
    for proposer in ["ADASYN", {"name": "SMOTE", "k_neighbors": 3}, over_sampling.SMOTE(k_neighbors=3),
                     smote_variants.ProWSyn(theta=0.5)]:
        X_p, y_p = LabelConsistentOverSampler(sampler=proposer, shortfall="keep").fit_resample(X, y)
        assert (y_p == "yes").sum() > 30, proposer
    same = [LabelConsistentOverSampler(sampler=s, random_state=0).fit_resample(X, y)[0]
            for s in [{"name": "SMOTE", "k_neighbors": 3}, over_sampling.SMOTE(k_neighbors=3)]]
    np.testing.assert_array_equal(same[0], same[1])


def test_any_engine_classifier_judges_given_by_name_dict_or_object():
    from sklearn.ensemble import AdaBoostClassifier, HistGradientBoostingClassifier, RandomForestClassifier

    from imbalanced.models import MLPClassifier

    X, y = data()
    for judge in ["KNeighborsClassifier", "rf", {"name": "knn", "n_neighbors": 1}, KNeighborsClassifier(3),
                  RandomForestClassifier(n_estimators=20), MLPClassifier(loss="weighted-ce"), LogisticRegression(),
                  AdaBoostClassifier(n_estimators=20), HistGradientBoostingClassifier(max_iter=20)]:
        X_j, y_j = LabelConsistentOverSampler(judge=judge, shortfall="keep").fit_resample(X, y)
        assert len(y_j) > len(y), judge
    # An object's parameters reach the engine: the same rows as its dict.
    same = [LabelConsistentOverSampler(judge=j, shortfall="keep", random_state=0).fit_resample(X, y)[0]
            for j in [{"name": "KNeighborsClassifier", "n_neighbors": 3}, KNeighborsClassifier(3)]]
    np.testing.assert_array_equal(same[0], same[1])


def test_estimator_rules_and_pipelines():
    X, y = data()
    sampler = LabelConsistentOverSampler(judge="random_forest", threshold=0.6, random_state=1)
    params = sampler.get_params()
    assert params["judge"] == "random_forest" and params["threshold"] == 0.6 and params["sampler"] == "SMOTE"
    assert clone(sampler).get_params() == params
    model = make_pipeline(sampler, LogisticRegression()).fit(X, y)
    assert set(model.predict(X)) <= {"no", "yes"}


@pytest.mark.parametrize("params, error, match", [
    ({"threshold": 2.0}, ValueError, "threshold"),
    ({"cv": 1}, ValueError, "cv"),
    ({"judge": "oracle"}, ValueError, "judge"),
    ({"judge": {"name": "knn", "n_trees": 3}}, ValueError, "n_trees"),
    ({"judge": over_sampling.SMOTE()}, ValueError, "SMOTE"),
    ({"judge": "BalancedRandomForestClassifier"}, ValueError, "judge"),
    ({"judge": 3}, TypeError, "judge"),
    ({"judge": KNeighborsClassifier(metric="manhattan")}, ValueError, "metric"),
    ({"sampler": "NoSuchSampler"}, ValueError, "NoSuchSampler"),
    ({"sampler": LogisticRegression()}, ValueError, "LogisticRegression"),
    ({"sampler": 3}, TypeError, "sampler"),
    ({"threshold": 0.95, "max_rounds": 1}, ValueError, "shortfall"),
])
def test_bad_parameters_raise_errors_that_name_them(params, error, match):
    X, y = data()
    with pytest.raises(error, match=match):
        LabelConsistentOverSampler(**params).fit_resample(X, y)


def mixed_data():
    rng = np.random.RandomState(1)
    n = 150
    y = np.where(np.arange(n) % 5 == 0, "rare", "common")
    X = np.empty((n, 3), dtype=object)
    X[:, 0] = rng.normal(size=n) + (y == "rare")
    X[:, 1] = rng.choice(["red", "green", "blue"], n)
    X[:, 2] = rng.randint(0, 10, n).astype(float)
    return X, y


def test_bucketed_smote_nc_keeps_each_new_row_inside_a_categorical_signature():
    from imbalanced.synthesis import BucketedSMOTENC

    X, y = mixed_data()
    sampler = BucketedSMOTENC(categorical_features=[1], random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert (y_res == "rare").sum() == (y == "common").sum()
    assert X_res.shape[1] == 3 and sampler.n_features_in_ == 3
    for row, label in zip(X_res[len(X):], y_res[len(X):]):
        same = (y == label) & (X[:, 1] == row[1])
        assert same.any(), row
        assert X[same, 0].min() - 1e-12 <= row[0] <= X[same, 0].max() + 1e-12
        assert float(row[2]).is_integer()
    # The same columns named by a boolean mask: the same rows.
    masked = BucketedSMOTENC(categorical_features=[False, True, False], random_state=0).fit_resample(X, y)[0]
    np.testing.assert_array_equal(masked, X_res)
    assert BucketedSMOTENC().get_params()["categorical_features"] is None


@pytest.mark.parametrize("params, match", [
    ({"categorical_features": [5]}, "categorical_features"),
    ({"categorical_features": [True]}, "mask"),
    ({}, "numeric"),
    ({"categorical_features": [1], "k_neighbors": 0}, "k_neighbors"),
])
def test_bucketed_smote_nc_bad_input(params, match):
    from imbalanced.synthesis import BucketedSMOTENC

    X, y = mixed_data()
    with pytest.raises(ValueError, match=match):
        BucketedSMOTENC(**params).fit_resample(X, y)


def test_association_test_keeps_a_tables_own_associations_and_loses_shuffled_labels():
    from imbalanced.synthesis import association_test

    X, y = mixed_data()
    same = association_test(X, y, X, y, categorical_features=[1], top=3)
    assert same["score"] == 1.0 and same["mean_abs_change"] == 0.0
    assert same["features"][0]["feature"] == "n0" and same["features"][0]["measure"] == "pearson"
    measures = {f["feature"]: f["measure"] for f in association_test(X, y, X, y, categorical_features=[1],
                                                                    top=3)["features"]}
    assert measures.get("c0", "theils_u") == "theils_u"
    shuffled = np.random.RandomState(0).permutation(y)
    broken = association_test(X, y, X, shuffled, categorical_features=[1], top=1)
    assert broken["score"] == 0.0
    with pytest.raises(ValueError, match="columns"):
        association_test(X, y, X[:, :2], y, categorical_features=[1])
    with pytest.raises(ValueError, match="classes"):
        association_test(X, y, X, np.where(y == "rare", "other", y), categorical_features=[1])


def test_diffusion_over_sampler_generates_rows_like_their_class():
    from imbalanced.synthesis import DiffusionOverSampler

    rng = np.random.RandomState(2)
    X = np.vstack([rng.normal(size=(200, 3)), rng.normal(loc=[4, -4, 2], size=(40, 3))])
    y = np.array(["no"] * 200 + ["yes"] * 40)
    sampler = DiffusionOverSampler(max_iter=300, hidden_layer_sizes=[32, 32], n_steps=40, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert (y_res == "yes").sum() == 200
    new = X_res[len(X):]
    np.testing.assert_allclose(new.mean(axis=0), [4, -4, 2], atol=0.7)
    np.testing.assert_array_equal(clone(sampler).fit_resample(X, y)[0], X_res)
    assert sampler.get_params()["condition"] == [] and sampler.get_params()["n_steps"] == 40
    with pytest.raises(ValueError, match="condition"):
        DiffusionOverSampler(condition=[7]).fit_resample(X, y)


def test_relational_smote_interpolates_by_block():
    from imbalanced.synthesis import RelationalSMOTE

    rng = np.random.RandomState(3)
    y = np.array(["yes" if i % 8 == 0 else "no" for i in range(160)])
    X = np.column_stack([rng.normal(size=160), rng.normal(size=160) + 3 * (y == "yes"),
                         rng.randint(0, 4, 160) + 3 * (y == "yes")]).astype(float)
    sampler = RelationalSMOTE(blocks=[1, 2], integral=[2], random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert (y_res == "yes").sum() == 140
    assert np.all(X_res[160:, 2] == np.round(X_res[160:, 2]))
    assert sampler.get_params()["gate"] == "association"
    with pytest.raises(ValueError, match="blocks"):
        RelationalSMOTE(blocks=[1, 1]).fit_resample(X, y)


def test_diffusion_over_sampler_takes_categorical_columns():
    from imbalanced.synthesis import DiffusionOverSampler

    X, y = mixed_data()
    sampler = DiffusionOverSampler(categorical_features=[1], max_iter=200, hidden_layer_sizes=[32], n_steps=30,
                                   random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert (y_res == "rare").sum() == (y == "common").sum()
    assert set(X_res[len(X):, 1]) <= {"red", "green", "blue"}
    assert np.isfinite(X_res[len(X):, [0, 2]].astype(float)).all()
