"""imbalanced.ensemble: imbalanced-learn's and scikit-learn's estimator
checks as imbalanced-learn runs them on its own classes, the engine used
for the defaults and imbalanced-learn's code for the rest, accuracy close
to imbalanced-learn's, pickling and bad input."""

import pickle
import warnings

import imblearn.ensemble as theirs
import numpy as np
import pytest
from imblearn.utils._test_common import instance_generator as reference
from imblearn.utils.estimator_checks import parametrize_with_checks as parametrize_imblearn
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import cross_val_score
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks as parametrize_sklearn

from imbalanced import ensemble as ours

# imbalanced-learn's ensembles (the module also holds scikit-learn's
# HistGradientBoostingClassifier, tested at the end).
NAMES = [name for name in ours.__all__ if hasattr(theirs, name)]


def _instances():
    for name in NAMES:
        cls, ref = getattr(ours, name), getattr(theirs, name)
        params = reference.INIT_PARAMS.get(ref, {})
        for p in params if isinstance(params, list) else [params]:
            yield cls(**p)


def _expected_failures(estimator):
    """imbalanced-learn's expected failures of the class we subclass."""
    return reference.PER_ESTIMATOR_XFAIL_CHECKS.get(type(estimator)._reference, {})


@parametrize_imblearn(list(_instances()), expected_failed_checks=_expected_failures)
def test_imblearn_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)


@parametrize_sklearn(list(_instances()), expected_failed_checks=_expected_failures)
def test_sklearn_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)


def data(seed=0):
    return make_classification(600, 8, n_informative=5, weights=[0.93], random_state=seed)


@pytest.mark.parametrize("name", NAMES)
def test_defaults_run_on_the_engine_and_score_like_imblearn(name):
    X, y = data()
    est = getattr(ours, name)(random_state=0)
    ref = getattr(theirs, name)(random_state=0)
    a = cross_val_score(est, X, y, cv=5, scoring="balanced_accuracy").mean()
    b = cross_val_score(ref, X, y, cv=5, scoring="balanced_accuracy").mean()
    assert abs(a - b) < 0.05, (a, b)
    est.fit(X, y)
    assert "model_" in est.__dict__ and not hasattr(est, "estimators_")
    assert est.predict_proba(X).shape == (600, 2)
    back = pickle.loads(pickle.dumps(est))
    assert np.array_equal(back.predict_proba(X), est.predict_proba(X))
    assert clone(est).get_params() == est.get_params()


@pytest.mark.parametrize(
    "make",
    [
        lambda: ours.BalancedRandomForestClassifier(monotonic_cst=[1] + [0] * 7, random_state=0),
        lambda: ours.RUSBoostClassifier(estimator=DecisionTreeClassifier(max_depth=2, min_samples_leaf=3),
                                        random_state=0),
        lambda: ours.EasyEnsembleClassifier(estimator=DecisionTreeClassifier(random_state=0), random_state=0),
    ],
)
def test_other_parameters_run_imblearns_code(make):
    X, y = data(1)
    est = make()
    est.fit(X, y)
    assert "model_" not in est.__dict__ and hasattr(est, "estimators_")
    ref = getattr(theirs, type(est).__name__)(**est.get_params(deep=False))
    np.testing.assert_array_equal(est.predict_proba(X), ref.fit(X, y).predict_proba(X))


def test_engine_parameters_are_used():
    X, y = data(2)
    shallow = ours.BalancedRandomForestClassifier(max_depth=1, n_estimators=5, random_state=0).fit(X, y)
    deep = ours.BalancedRandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    assert balanced_accuracy_score(y, deep.predict(X)) > balanced_accuracy_score(y, shallow.predict(X))
    rus = ours.RUSBoostClassifier(estimator=DecisionTreeClassifier(max_depth=2), random_state=0).fit(X, y)
    assert "model_" in rus.__dict__
    same = [ours.RUSBoostClassifier(random_state=3, n_estimators=5).fit(X, y).predict_proba(X) for _ in range(2)]
    np.testing.assert_array_equal(*same)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ours.BalancedRandomForestClassifier(n_estimators=0),
        lambda: ours.RUSBoostClassifier(learning_rate=0.0),
        lambda: ours.EasyEnsembleClassifier(sampling_strategy="bogus"),
    ],
)
def test_bad_parameters_raise_value_errors(make):
    X, y = data()
    with pytest.raises(ValueError):
        make().fit(X, y)
    bad = X.copy()
    bad[0, 0] = np.inf
    with pytest.raises(ValueError):
        ours.BalancedRandomForestClassifier().fit(bad, y)
    # NaN is a missing value to scikit-learn's trees: imbalanced-learn's code fits it.
    bad[0, 0] = np.nan
    assert "model_" not in ours.BalancedRandomForestClassifier(n_estimators=3).fit(bad, y).__dict__


@pytest.mark.parametrize("name", ["BalancedRandomForestClassifier", "RUSBoostClassifier"])
def test_feature_importances_from_the_engine(name):
    # Two informative features of six, the rest noise.
    X, y = make_classification(800, 6, n_informative=2, n_redundant=0, shuffle=False, weights=[0.9], random_state=0)
    est = getattr(ours, name)(random_state=0).fit(X, y)
    assert "model_" in est.__dict__
    imp = est.feature_importances_
    assert imp.shape == (6,) and abs(imp.sum() - 1) < 1e-9 and (imp >= 0).all()
    assert imp[:2].sum() > imp[2:].sum()
    ref = getattr(theirs, name)(random_state=0).fit(X, y).feature_importances_
    assert np.argmax(imp) == np.argmax(ref)
    assert not hasattr(ours.EasyEnsembleClassifier(), "feature_importances_")


# Behaviours of imbalanced-learn's own ensemble tests (test_forest.py,
# test_bagging.py, test_easy_ensemble.py, test_weight_boosting.py) on the
# engine path: its imbalanced iris subset, member counts, labels of any kind,
# grid search.
def imbalanced_iris():
    from imblearn.datasets import make_imbalance
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return make_imbalance(X, y, sampling_strategy={0: 20, 1: 30, 2: 50}, random_state=0)


@pytest.mark.parametrize(
    "name, members, key",
    [
        ("BalancedRandomForestClassifier", 10, "trees"),
        ("BalancedBaggingClassifier", 10, "members"),
        ("EasyEnsembleClassifier", 10, "members"),
        ("RUSBoostClassifier", 10, "trees"),
    ],
)
def test_member_counts_and_multiclass_iris(name, members, key):
    import json

    X, y = imbalanced_iris()
    est = getattr(ours, name)(n_estimators=members, random_state=0).fit(X, y)
    assert "model_" in est.__dict__
    state = json.loads(est.model_.to_json())
    assert state["model"] == name
    assert 1 <= len(state[key]) <= members and (len(state[key]) == members or name == "RUSBoostClassifier")
    # len() counts the members as imbalanced-learn's len(estimators_); an
    # estimator is truthy fitted or not (``if model:`` must not raise).
    assert len(est) == len(state[key]) and bool(est) and bool(getattr(ours, name)())
    assert list(est.classes_) == [0, 1, 2] and est.n_classes_ == 3
    proba = est.predict_proba(X)
    assert proba.shape == (100, 3) and np.allclose(proba.sum(axis=1), 1)
    assert est.score(X, y) > 0.85
    # Text labels (sorting as the codes do): the same model.
    names = np.array(["setosa", "versicolor", "virginica"])
    named = getattr(ours, name)(n_estimators=members, random_state=0).fit(X, names[y])
    assert list(named.classes_) == list(names)
    np.testing.assert_array_equal(named.predict(X), names[est.predict(X)])
    np.testing.assert_array_equal(named.predict_proba(X), proba)


def test_grid_search_over_engine_parameters():
    from sklearn.model_selection import GridSearchCV

    X, y = imbalanced_iris()
    grid = GridSearchCV(
        ours.BalancedRandomForestClassifier(n_estimators=5, random_state=0),
        {"max_depth": [1, None], "sampling_strategy": ["all", "not minority"]},
        cv=3,
        scoring="balanced_accuracy",
    ).fit(X, y)
    assert grid.best_params_["max_depth"] is None
    assert "model_" in grid.best_estimator_.__dict__


# HistGradientBoostingClassifier: scikit-learn's class on the engine.
HGB = ours.HistGradientBoostingClassifier


def _engine_only_failures(estimator):
    """With a loss only the engine has, the pickle check fails by design: it
    puts NaN in the rows, which need scikit-learn's code (no focal loss
    there), and the ValueError says so."""
    if estimator.loss == "log_loss":
        return {}
    why = "missing values need scikit-learn's code, which has no focal loss"
    return {"check_estimators_pickle": why, "check_estimators_pickle(readonly_memmap=True)": why}


# is_unbalance is for two classes (as LightGBM's): the checks' data has three.
@parametrize_sklearn([HGB(), HGB(loss="focal", max_iter=20)], expected_failed_checks=_engine_only_failures)
def test_hgb_sklearn_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)


def halves():
    X, y = make_classification(1200, 8, n_informative=5, weights=[0.93], random_state=0)
    return X[:600], y[:600], X[600:], y[600:]


def test_hgb_runs_on_the_engine_and_scores_like_scikit_learn():
    from sklearn.ensemble import HistGradientBoostingClassifier as Reference

    X, y, Xt, yt = halves()
    for weight in [None, "balanced"]:
        est = HGB(class_weight=weight, random_state=0).fit(X, y)
        ref = Reference(class_weight=weight, random_state=0).fit(X, y)
        assert "model_" in est.__dict__ and est.n_iter_ == ref.n_iter_ == 100
        a = balanced_accuracy_score(yt, est.predict(Xt))
        b = balanced_accuracy_score(yt, ref.predict(Xt))
        assert abs(a - b) < 0.03, (weight, a, b)
        assert est.decision_function(Xt).shape == (len(yt),)
        assert est.n_trees_per_iteration_ == 1
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict_proba(Xt), est.predict_proba(Xt))


def test_hgb_imbalance_losses_and_lightgbm_weights():
    X, y, Xt, yt = halves()
    plain = balanced_accuracy_score(yt, HGB(random_state=0).fit(X, y).predict(Xt))
    for est in [HGB(loss="logit-adjusted"), HGB(is_unbalance=True), HGB(scale_pos_weight=13.0),
                HGB(loss="weighted-ce")]:
        score = balanced_accuracy_score(yt, est.fit(X, y).predict(Xt))
        assert score > plain, (est, score, plain)
    focal = HGB(loss="focal:gamma=1", early_stopping=True, n_iter_no_change=1000, max_iter=30).fit(X, y)
    assert np.all(np.diff(focal.train_score_) >= -1e-9)
    assert focal.validation_score_.shape == (31,)
    X3, y3 = make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)
    est = HGB(loss="cb-focal", max_iter=10).fit(X3, y3)
    assert est.decision_function(X3).shape == (300, 3) and est.n_trees_per_iteration_ == 3


def test_hgb_falls_back_to_scikit_learn_and_says_what_only_the_engine_does():
    X, y = data()
    X = X.copy()
    X[0, 0] = np.nan
    est = HGB(max_iter=5).fit(X, y)
    assert "model_" not in est.__dict__ and est.n_iter_ == 5
    assert est.predict(X).shape == (600,)
    with pytest.raises(ValueError, match="loss='focal' runs on the engine only"):
        HGB(loss="focal").fit(X, y)
    with pytest.raises(ValueError, match="scale_pos_weight"):
        HGB(scale_pos_weight=2.0).fit(X[1:], y[1:], X_val=X[1:], y_val=y[1:])
    # Sample weights run on the engine: unit weights fit what none fit.
    weighted = HGB(loss="focal", max_iter=5).fit(X[1:], y[1:], sample_weight=np.ones(599))
    plain = HGB(loss="focal", max_iter=5).fit(X[1:], y[1:])
    assert weighted.model_.to_json() == plain.model_.to_json()


@pytest.mark.parametrize(
    "params, match",
    [
        ({"loss": "dice"}, "gradient boosting cannot fit it"),
        ({"loss": "nope"}, "nope"),
        ({"max_bins": 256}, "max_bins"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"max_iter": 0}, "max_iter"),
        ({"scale_pos_weight": -1.0}, "scale_pos_weight"),
        ({"is_unbalance": True, "scale_pos_weight": 2.0}, "only one"),
    ],
)
def test_hgb_bad_parameters_raise_value_errors(params, match):
    X, y = data()
    with pytest.raises(ValueError, match=match):
        HGB(**params).fit(X, y)


# Warm starts and out-of-bag estimates on the engine (imbalanced-learn's
# test_forest.py / test_bagging.py / test_easy_ensemble.py behaviour).
WARM = ["BalancedRandomForestClassifier", "BalancedBaggingClassifier", "EasyEnsembleClassifier"]


@pytest.mark.parametrize("name", WARM)
def test_warm_start_five_and_five_more_equal_ten(name):
    X, y = data()
    warm = getattr(ours, name)(n_estimators=5, warm_start=True, random_state=3).fit(X, y)
    assert "model_" in warm.__dict__
    warm.set_params(n_estimators=10).fit(X, y)
    cold = getattr(ours, name)(n_estimators=10, random_state=3).fit(X, y)
    assert warm._members() == 10
    assert warm.model_.to_json() == cold.model_.to_json()
    np.testing.assert_array_equal(warm.predict_proba(X), cold.predict_proba(X))
    with pytest.warns(UserWarning, match="without increasing n_estimators"):
        warm.fit(X, y)
    with pytest.raises(ValueError, match="must be larger or equal"):
        warm.set_params(n_estimators=4).fit(X, y)
    with pytest.raises(ValueError, match="warm_start=False to refit"):
        warm.set_params(n_estimators=12).fit(X[:, :5], y)


def test_warm_start_of_an_imblearn_fit_stays_with_imblearn():
    X, y = data()
    est = ours.BalancedRandomForestClassifier(n_estimators=5, warm_start=True, monotonic_cst=[1] + [0] * 7,
                                              random_state=0)
    est.fit(X, y)
    assert "model_" not in est.__dict__
    est.set_params(n_estimators=8, monotonic_cst=None).fit(X, y)
    assert "model_" not in est.__dict__ and len(est.estimators_) == 8


def test_forest_out_of_bag_score_is_close_to_the_test_score():
    # imbalanced-learn's test_balanced_random_forest_oob, on its data.
    X, y = make_classification(n_samples=10000, n_features=2, n_informative=2, n_redundant=0, n_repeated=0,
                               n_classes=3, n_clusters_per_class=1, weights=[0.01, 0.05, 0.94], class_sep=0.8,
                               random_state=0)
    from sklearn.model_selection import train_test_split

    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=42, stratify=y)
    est = ours.BalancedRandomForestClassifier(oob_score=True, random_state=0, n_estimators=1000, min_samples_leaf=2,
                                              sampling_strategy="all", replacement=True, bootstrap=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X_train, y_train)
    assert "model_" in est.__dict__
    assert abs(est.score(X_test, y_test) - est.oob_score_) < 0.1
    assert est.oob_decision_function_.shape == (len(y_train), 3)
    with pytest.warns(UserWarning, match="Some inputs do not have OOB scores"):
        ours.BalancedRandomForestClassifier(oob_score=True, random_state=0, n_estimators=1, bootstrap=True).fit(X, y)
    with pytest.raises(ValueError, match="bootstrap=True"):
        ours.BalancedRandomForestClassifier(oob_score=True, bootstrap=False).fit(X, y)


def test_bagging_out_of_bag_score_like_imblearns():
    X, y = make_classification(n_samples=2000, n_features=6, n_informative=4, weights=[0.9], random_state=0)
    X_train, y_train, X_test, y_test = X[:1500], y[:1500], X[1500:], y[1500:]
    est = ours.BalancedBaggingClassifier(n_estimators=50, oob_score=True, random_state=0).fit(X_train, y_train)
    ref = theirs.BalancedBaggingClassifier(n_estimators=50, oob_score=True, random_state=0).fit(X_train, y_train)
    assert "model_" in est.__dict__
    assert abs(est.score(X_test, y_test) - est.oob_score_) < 0.1
    assert abs(est.oob_score_ - ref.oob_score_) < 0.05
    with pytest.raises(ValueError, match="warm_start=False"):
        ours.BalancedBaggingClassifier(n_estimators=5, warm_start=True, oob_score=True).fit(X, y).set_params(
            n_estimators=6).fit(X, y)


def test_max_samples_runs_on_the_engine():
    X, y = data()
    est = ours.BalancedRandomForestClassifier(bootstrap=True, max_samples=10, n_estimators=5, random_state=0).fit(X, y)
    assert "model_" in est.__dict__
    weighted = ours.BalancedRandomForestClassifier(bootstrap=True, max_samples=0.5, class_weight="balanced",
                                                   n_estimators=5).fit(X, y)
    assert "model_" not in weighted.__dict__


@pytest.mark.parametrize("params", [{"max_leaf_nodes": 8}, {"ccp_alpha": 0.01}, {"min_impurity_decrease": 0.01},
                                    {"min_weight_fraction_leaf": 0.05}])
def test_tree_rules_run_on_the_engine_and_score_like_imblearn(params):
    X, y, Xt, yt = halves()
    est = ours.BalancedRandomForestClassifier(random_state=0, **params).fit(X, y)
    ref = theirs.BalancedRandomForestClassifier(random_state=0, **params).fit(X, y)
    assert "model_" in est.__dict__
    a, b = balanced_accuracy_score(yt, est.predict(Xt)), balanced_accuracy_score(yt, ref.predict(Xt))
    assert abs(a - b) < 0.08, (params, a, b)


def test_unit_weights_fit_what_no_weights_fit_on_the_engine():
    # imbalanced-learn's test_rusboost_sample_weight and test_balanced_random_forest_sample_weight.
    X, y = make_classification(n_samples=10000, n_features=2, n_informative=2, n_redundant=0, n_repeated=0,
                               n_classes=3, n_clusters_per_class=1, weights=[0.01, 0.05, 0.94], class_sep=0.8,
                               random_state=0)
    for est in [ours.RUSBoostClassifier(random_state=0),
                ours.BalancedRandomForestClassifier(n_estimators=5, random_state=0, sampling_strategy="all",
                                                    replacement=True, bootstrap=False)]:
        weighted = clone(est).fit(X, y, np.ones_like(y))
        plain = clone(est).fit(X, y)
        assert "model_" in weighted.__dict__
        assert weighted.model_.to_json() == plain.model_.to_json()
        other = clone(est).fit(X, y, np.random.RandomState(42).rand(len(y)))
        assert not np.array_equal(other.predict_proba(X), plain.predict_proba(X))
    with pytest.raises(ValueError):
        ours.RUSBoostClassifier().fit(X, y, -np.ones(len(y)))
    # A bootstrap drawn by weight is scikit-learn's alone.
    boot = ours.BalancedRandomForestClassifier(n_estimators=3, bootstrap=True).fit(X, y, np.ones(len(y)))
    assert "model_" not in boot.__dict__


def test_rusboost_round_weights_and_errors_as_imblearns():
    X, y = make_classification(n_samples=600, weights=[0.9, 0.1], flip_y=0.1, random_state=3)
    for n in (5, 50):
        ours_fit = ours.RUSBoostClassifier(n_estimators=n, random_state=0).fit(X, y)
        theirs_fit = theirs.RUSBoostClassifier(n_estimators=n, random_state=0).fit(X, y)
        assert "model_" in ours_fit.__dict__
        for name in ("estimator_weights_", "estimator_errors_"):
            assert getattr(ours_fit, name).shape == getattr(theirs_fit, name).shape == (n,)
        kept = int((ours_fit.estimator_weights_ > 0).sum())
        assert kept >= 1
        errors = ours_fit.estimator_errors_[:kept]
        # SAMME's round weight, learning rate 1, two classes.
        np.testing.assert_allclose(ours_fit.estimator_weights_[:kept], np.log((1 - errors) / errors))
        assert (ours_fit.estimator_weights_[kept:] == 0).all() and (ours_fit.estimator_errors_[kept:] == 1).all()
