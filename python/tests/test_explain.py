"""imbalanced.explain: exact SHAP values of the engine's fitted estimators,
adding up to their outputs (shap's equality is proven on the engine by
crates/imbalanced-explain/tests/shap_fixture.rs), and bad input."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from imbalanced.ensemble import (BalancedBaggingClassifier, BalancedRandomForestClassifier, EasyEnsembleClassifier,
                                 HistGradientBoostingClassifier, RUSBoostClassifier)
from imbalanced.explain import Explainer, KernelExplainer, permutation_importance, stability
from imbalanced.models import MLPClassifier, SoftmaxRegression


def data(k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(300, 5))
    y = np.digitize(X[:, 0] + 0.5 * X[:, 1], [0.3, 1.2][: k - 1])
    return X, y


@pytest.mark.parametrize("make, output", [
    (lambda: BalancedRandomForestClassifier(n_estimators=8, random_state=0), "predict_proba"),
    (lambda: BalancedBaggingClassifier(n_estimators=6, random_state=0), "predict_proba"),
    # Boosting explains its SAMME votes: decision_function with three classes.
    (lambda: RUSBoostClassifier(n_estimators=5, random_state=0), "decision_function"),
    (lambda: EasyEnsembleClassifier(n_estimators=3, random_state=0), "decision_function"),
])
def test_tree_ensembles_add_up_to_their_outputs(make, output):
    X, y = data()
    model = make().fit(X, y)
    explainer = Explainer(model)
    values = explainer.shap_values(X[:30])
    assert values.shape == (30, 5, 3)
    np.testing.assert_allclose(explainer.expected_value + values.sum(axis=1), getattr(model, output)(X[:30]),
                               rtol=0, atol=1e-12)


def test_interventional_values_add_up_and_equal_the_definition():
    X, y = data()
    model = BalancedRandomForestClassifier(n_estimators=4, max_depth=3, random_state=0).fit(X, y)
    background = X[200:210]
    explainer = Explainer(model, data=background, feature_perturbation="interventional")
    values = explainer.shap_values(X[:3])
    np.testing.assert_allclose(explainer.expected_value, model.predict_proba(background).mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(explainer.expected_value + values.sum(axis=1), model.predict_proba(X[:3]), atol=1e-12)
    # The definition, by enumerating every coalition of the 5 features.
    from itertools import combinations
    from math import factorial
    row = X[0]
    def v(S):
        z = background.copy()
        z[:, list(S)] = row[list(S)]
        return model.predict_proba(z).mean(axis=0)
    for j in range(5):
        others = [i for i in range(5) if i != j]
        phi = sum(factorial(len(S)) * factorial(4 - len(S)) / factorial(5) * (v(S + (j,)) - v(S))
                  for s in range(5) for S in combinations(others, s))
        np.testing.assert_allclose(values[0, j], phi, atol=1e-12)
    with pytest.raises(ValueError, match="needs background rows"):
        Explainer(model, feature_perturbation="interventional")
    with pytest.raises(ValueError, match="feature_perturbation"):
        Explainer(model, data=background, feature_perturbation="causal")


def test_boosting_explains_its_raw_score():
    X, y = data(k=2)
    model = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y)
    explainer = Explainer(model)
    values = explainer.shap_values(X[:20])
    assert values.shape == (20, 5) and isinstance(explainer.expected_value, float)
    np.testing.assert_allclose(explainer.expected_value + values.sum(axis=1), model.decision_function(X[:20]),
                               rtol=0, atol=1e-10)
    X3, y3 = data(k=3)
    multi = HistGradientBoostingClassifier(max_iter=10, random_state=0).fit(X3, y3)
    e3 = Explainer(multi)
    v3 = e3.shap_values(X3[:10])
    np.testing.assert_allclose(e3.expected_value + v3.sum(axis=1), multi.decision_function(X3[:10]), atol=1e-10)


def test_linear_models_explain_their_logits_against_the_background_mean():
    X, y = data()
    model = SoftmaxRegression(max_iter=50).fit(X, y)
    explainer = Explainer(model, data=X)
    values = explainer.shap_values(X[:10])
    coef, intercept = model.coef_, model.intercept_
    np.testing.assert_allclose(values, (coef[None, :, :] * (X[:10, None, :] - X.mean(axis=0))).transpose(0, 2, 1),
                               atol=1e-12)
    np.testing.assert_allclose(explainer.expected_value, coef @ X.mean(axis=0) + intercept, atol=1e-12)
    with pytest.raises(ValueError, match="give the training rows as data="):
        Explainer(model).shap_values(X[:3])


def test_bad_input_names_the_fix():
    X, y = data()
    with pytest.raises(NotFittedError):
        Explainer(BalancedRandomForestClassifier())
    with pytest.raises(TypeError, match="not fitted by the engine"):
        Explainer(LogisticRegression().fit(X, y))
    explainer = Explainer(BalancedRandomForestClassifier(n_estimators=3, random_state=0).fit(X, y))
    with pytest.raises(ValueError, match="fitted on 5"):
        explainer.shap_values(X[:, :3])
    with pytest.raises(ValueError, match="2-D"):
        explainer.shap_values(X[0])
    bad = X[:4].copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        explainer.shap_values(bad)


def test_stability_is_one_without_noise_and_reported_per_class():
    X, y = data(k=2)
    labels = np.array(["maj", "min"])[y]
    model = BalancedRandomForestClassifier(n_estimators=6, random_state=0).fit(X, labels)
    quiet = stability(model, X[:30], labels[:30], noise=0.0, perturbations=3, n_bootstrap=50)
    assert quiet.index == 1.0 and quiet.uniform_index == 1.0 and quiet.top3 == 1.0
    noisy = stability(model, X[:30], labels[:30], noise=0.5, perturbations=5, n_bootstrap=50, random_state=2)
    assert noisy.index < 1.0 and noisy.index_interval[0] <= noisy.index <= noisy.index_interval[1]
    assert noisy.rows.shape == (30, 5)
    assert noisy.mean_abs.shape == (X.shape[1],) and np.all(noisy.mean_abs >= 0)
    assert noisy.rank_shift.shape == (X.shape[1],) and np.any(noisy.rank_shift > 0)
    assert np.all(quiet.rank_shift == 0)
    counts = {k: v["rows"] for k, v in noisy.per_class.items() if v is not None}
    assert sum(counts.values()) == 30 and set(counts) <= {"maj", "min"}
    again = stability(model, X[:30], labels[:30], noise=0.5, perturbations=5, n_bootstrap=50, random_state=2)
    np.testing.assert_array_equal(again.rows, noisy.rows)
    with pytest.raises(ValueError, match="noise"):
        stability(model, X[:5], labels[:5], noise=-1)
    with pytest.raises(ValueError, match="among the model's classes_"):
        stability(model, X[:5], np.array(["x"] * 5))
    with pytest.raises(ValueError, match="weights"):
        stability(model, X[:5], labels[:5], weights="linear")



def test_kernel_explainer_equals_shaps_scheme_and_the_exact_values():
    X, y = data(k=3)
    clf = LogisticRegression(max_iter=500).fit(X, y)
    background = X[:15]
    # Every coalition of 4 features fits the budget: exact Shapley values,
    # which for a model linear in each logit are not linear SHAP (the
    # softmax), so compare with the definition.
    explainer = KernelExplainer(clf.predict_proba, background)
    values = explainer.shap_values(X[:3])
    assert values.shape == (3, X.shape[1], 3)
    np.testing.assert_allclose(explainer.expected_value + values.sum(axis=1), clf.predict_proba(X[:3]), atol=1e-12)
    d = X.shape[1]

    def v(row, S):
        rows = background.copy()
        rows[:, list(S)] = row[list(S)]
        return clf.predict_proba(rows).mean(axis=0)

    from itertools import combinations
    from math import factorial
    row = X[1]
    for j in range(d):
        others = [k for k in range(d) if k != j]
        phi = sum(factorial(len(S)) * factorial(d - len(S) - 1) / factorial(d) * (v(row, S + (j,)) - v(row, S))
                  for r in range(d) for S in combinations(others, r))
        np.testing.assert_allclose(values[1, j], phi, atol=1e-12)
    # Sampled (a small budget): seeded, additive, and the engine's own model
    # gives the values of its predict_proba called back from Python.
    forest = BalancedRandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    fast = KernelExplainer(forest, background, random_state=3).shap_values(X[:4], nsamples=20)
    slow = KernelExplainer(lambda r: forest.predict_proba(r), background, random_state=3).shap_values(X[:4], nsamples=20)
    np.testing.assert_allclose(fast, slow, atol=1e-12)
    again = KernelExplainer(forest.predict_proba, background, random_state=3).shap_values(X[:4], nsamples=20)
    np.testing.assert_array_equal(again, fast)
    np.testing.assert_allclose(fast.sum(axis=1) + KernelExplainer(forest, background).expected_value,
                               forest.predict_proba(X[:4]), atol=1e-12)


def test_kernel_explainer_refuses_bad_input_and_keeps_the_models_exception():
    X, y = data(k=2)
    with pytest.raises(TypeError, match="function of rows"):
        KernelExplainer(42, X[:5])
    with pytest.raises(ValueError, match="background rows in 2-D"):
        KernelExplainer(np.sum, X[0])
    with pytest.raises(TypeError, match="random_state"):
        KernelExplainer(np.sum, X[:5], random_state=-1)
    explainer = KernelExplainer(lambda r: r[:, 0] * r[:, 1], X[:5])
    assert isinstance(explainer.expected_value, float)
    with pytest.raises(ValueError, match="columns"):
        explainer.shap_values(X[:2, :2])
    with pytest.raises(ValueError, match="nsamples"):
        explainer.shap_values(X[:2], nsamples=1)
    calls = []

    def failing(rows):
        calls.append(len(rows))
        if len(calls) > 1:
            raise KeyError("the model broke")
        return rows[:, 0]

    with pytest.raises(KeyError, match="the model broke"):
        KernelExplainer(failing, X[:5]).shap_values(X[:3])


@pytest.mark.parametrize("scoring, max_samples, random_state", [
    (None, 1.0, 0), ("balanced_accuracy", 0.5, 3), ("f1_macro", 7, None), ("accuracy", 118, np.random.RandomState(2)),
])
def test_permutation_importance_equals_scikit_learns_on_the_engine(scoring, max_samples, random_state):
    from sklearn import inspection
    X, y = data(k=3)
    labels = np.array(["a", "b", "c"])[y]
    forest = BalancedRandomForestClassifier(n_estimators=8, random_state=0).fit(X, labels)
    if random_state is None:
        np.random.seed(5)
    theirs_state = random_state if not isinstance(random_state, np.random.RandomState) else np.random.RandomState(2)
    ours = permutation_importance(forest, X, labels, scoring=scoring, n_repeats=4, random_state=random_state,
                                  max_samples=max_samples)
    if random_state is None:
        np.random.seed(5)
    theirs = inspection.permutation_importance(forest, X, labels, scoring=scoring, n_repeats=4,
                                               random_state=theirs_state, max_samples=max_samples)
    np.testing.assert_allclose(ours.importances, theirs.importances, atol=1e-12)
    np.testing.assert_allclose(ours.importances_mean, theirs.importances_mean, atol=1e-12)
    np.testing.assert_allclose(ours.importances_std, theirs.importances_std, atol=1e-12)


def test_permutation_importance_falls_back_and_refuses_bad_input():
    X, y = data(k=2)
    forest = BalancedRandomForestClassifier(n_estimators=4, random_state=0).fit(X, y)
    # A scorer the engine does not compute: scikit-learn's function, same result shape.
    r = permutation_importance(forest, X, y, scoring="roc_auc", n_repeats=2, random_state=0)
    assert r.importances.shape == (X.shape[1], 2)
    with pytest.raises(ValueError, match="n_repeats"):
        permutation_importance(forest, X, y, n_repeats=0, random_state=0)
    with pytest.raises(ValueError, match="a count of 1 to"):
        permutation_importance(forest, X, y, max_samples=10 ** 6, random_state=0)
    with pytest.raises(ValueError, match="a share in"):
        permutation_importance(forest, X, y, max_samples=1.5, random_state=0)


def test_the_mlp_is_explained_by_kernel_shap_and_refused_by_the_exact_explainer():
    X, y = data(k=3)
    mlp = MLPClassifier(random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="KernelSHAP"):
        Explainer(mlp, X[:20]).shap_values(X[:2])
    explainer = KernelExplainer(mlp, X[:20])
    values = explainer.shap_values(X[:5])
    np.testing.assert_allclose(explainer.expected_value + values.sum(axis=1), mlp.predict_proba(X[:5]), atol=1e-12)
    # The same values as shap's scheme on the estimator's predict_proba, called back.
    np.testing.assert_allclose(KernelExplainer(lambda r: mlp.predict_proba(r), X[:20]).shap_values(X[:5]), values,
                               atol=1e-12)


def test_stability_flips_one_hot_groups():
    rng = np.random.default_rng(3)
    numeric = rng.normal(size=(150, 2))
    level = rng.integers(0, 3, size=150)
    X = np.column_stack([numeric, np.eye(3)[level]])
    y = ((numeric[:, 0] > 0) ^ (level == 2)).astype(int)
    model = BalancedRandomForestClassifier(n_estimators=6, random_state=0).fit(X, y)
    groups = [[2, 3, 4]]
    quiet = stability(model, X[:20], y[:20], noise=0.0, perturbations=3, n_bootstrap=20, categorical=groups)
    assert quiet.index == 1.0
    flipped = stability(model, X[:20], y[:20], noise=0.0, perturbations=3, n_bootstrap=20, categorical=groups,
                        flip=1.0)
    assert flipped.index < 1.0
    with pytest.raises(ValueError, match="side by side"):
        stability(model, X[:5], y[:5], categorical=[[2, 4]])
    with pytest.raises(ValueError, match="flip"):
        stability(model, X[:5], y[:5], categorical=groups, flip=2.0)
