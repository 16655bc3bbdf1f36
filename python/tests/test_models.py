"""imbalanced.models: scikit-learn's estimator checks, multinomial logistic
regression's numbers, the loss forms, pickling through the model file,
determinism and bad input."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from imbalanced import _native
from imbalanced.metrics import geometric_mean_score
from imbalanced.models import MLPClassifier, SemiSupervisedMLPClassifier, SoftmaxRegression

CLASSES = [SoftmaxRegression, MLPClassifier]


def data(n_classes=3, n=400, seed=0):
    return make_classification(
        n, 6, n_informative=4, n_classes=n_classes, weights=[0.8, 0.15] if n_classes == 3 else [0.9],
        random_state=seed,
    )


def _expected_failures(estimator):
    if isinstance(estimator, SemiSupervisedMLPClassifier):
        # -1 marks an unlabelled row (scikit-learn's semi_supervised
        # convention), so this check's classes -1 and 1 read as one class.
        return {"check_classifiers_classes": "-1 marks unlabelled rows"}
    return {}


@parametrize_with_checks([SoftmaxRegression(), MLPClassifier(), SemiSupervisedMLPClassifier()],
                         expected_failed_checks=_expected_failures)
def test_sklearn_checks(estimator, check):
    check(estimator)


def test_parameters_come_from_the_catalogue():
    catalogue = {name: params for name, _, _, params in _native.models()}
    for cls in CLASSES:
        assert list(cls().get_params()) == sorted(p for p, _, _ in catalogue[cls.__name__])
        assert "Parameters" in cls.__doc__ and "Attributes" in cls.__doc__
    assert MLPClassifier().hidden_layer_sizes == (100,)
    assert SoftmaxRegression().loss == "ce" and SoftmaxRegression().C == 1.0


def test_softmax_with_cross_entropy_is_multinomial_logistic_regression():
    X, y = data()
    ours = SoftmaxRegression(tol=1e-10).fit(X, y)
    theirs = LogisticRegression(tol=1e-10, max_iter=10_000).fit(X, y)
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-5)
    assert_allclose(ours.coef_, theirs.coef_, atol=1e-4)
    assert ours.coef_.shape == (3, 6) and ours.intercept_.shape == (3,) and ours.n_iter_ > 0


def test_loss_forms_name_text_and_dict_agree():
    X, y = data()
    a = SoftmaxRegression(loss="focal:gamma=3").fit(X, y)
    b = SoftmaxRegression(loss={"name": "focal", "gamma": 3}).fit(X, y)
    c = SoftmaxRegression(loss="focal").fit(X, y)
    assert np.array_equal(a.coef_, b.coef_)
    assert not np.array_equal(a.coef_, c.coef_)


@pytest.mark.parametrize("loss", ["weighted-ce", "balanced-softmax", "logit-adjusted", "ldam-drw"])
def test_imbalance_losses_raise_minority_recall(loss):
    X, y = data(n_classes=2, n=600, seed=3)
    plain = SoftmaxRegression().fit(X, y)
    tuned = SoftmaxRegression(loss=loss).fit(X, y)
    recall = lambda m: np.mean(m.predict(X)[y == 1] == 1)  # noqa: E731
    assert recall(tuned) >= recall(plain)


def test_labels_of_any_kind_and_pandas():
    pd = pytest.importorskip("pandas")
    X, y = data()
    names = np.array(["cat", "dog", "eel"])[y]
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    m = MLPClassifier(hidden_layer_sizes=(8,), max_iter=20).fit(frame, pd.Series(names))
    assert list(m.classes_) == ["cat", "dog", "eel"]
    assert set(m.predict(frame)) <= set(m.classes_)
    assert list(m.feature_names_in_) == list(frame.columns)
    assert [c.shape for c in m.coefs_] == [(6, 8), (8, 3)] and m.n_iter_ == 20 == len(m.loss_curve_)


@pytest.mark.parametrize("cls", CLASSES)
def test_pickle_and_clone(cls):
    X, y = data()
    m = cls(max_iter=30).fit(X, y)
    back = pickle.loads(pickle.dumps(m))
    assert np.array_equal(back.predict_proba(X), m.predict_proba(X))
    assert back.model_.to_json() == m.model_.to_json()
    fresh = clone(m)
    assert not hasattr(fresh, "model_") and fresh.get_params() == m.get_params()


def test_the_model_file_is_checked_when_read():
    X, y = data()
    m = SoftmaxRegression().fit(X, y)
    text = m.model_.to_json().replace('"shape":[3,6]', '"shape":[3,7]')
    with pytest.raises(ValueError):
        _native.Model.from_json(text)
    with pytest.raises(ValueError):
        _native.Model.from_json("{not json")


def test_same_seed_same_model_on_any_thread_count():
    X, y = data()
    a = MLPClassifier(hidden_layer_sizes=(16,), max_iter=15, dropout=0.2, random_state=4).fit(X, y)
    b = MLPClassifier(hidden_layer_sizes=(16,), max_iter=15, dropout=0.2, random_state=4).fit(X, y)
    c = MLPClassifier(hidden_layer_sizes=(16,), max_iter=15, dropout=0.2, random_state=5).fit(X, y)
    assert a.model_.to_json() == b.model_.to_json() != c.model_.to_json()


def test_in_a_pipeline_with_cross_validation():
    X, y = data(n_classes=2, n=300)
    pipe = make_pipeline(StandardScaler(), SoftmaxRegression(loss="weighted-ce"))
    scores = cross_val_score(pipe, X, y, cv=3, scoring="balanced_accuracy")
    assert scores.shape == (3,) and (scores > 0.6).all()
    assert 0 < geometric_mean_score(y, pipe.fit(X, y).predict(X)) <= 1


@pytest.mark.parametrize(
    "model, X, y",
    [
        (SoftmaxRegression(loss="nope"), None, None),
        (SoftmaxRegression(loss="focal:gamma=-2"), None, None),
        (SoftmaxRegression(C=-1.0), None, None),
        (MLPClassifier(hidden_layer_sizes=(0,)), None, None),
        (MLPClassifier(activation="sigmoid"), None, None),
        (MLPClassifier(batch_size=0), None, None),
        (SoftmaxRegression(), [[0.0, np.nan], [1.0, 2.0]], [0, 1]),
        (SoftmaxRegression(), [[0.0, 1.0], [1.0, 2.0]], [0, 0]),
        (SoftmaxRegression(), [[0.0, 1.0], [1.0, 2.0]], [0, 1, 1]),
        (SoftmaxRegression(), [[0.0, 1.0], [1.0, 2.0]], [0.5, 1.5]),
    ],
)
def test_bad_input_raises_value_error(model, X, y):
    if X is None:
        X, y = data()
    with pytest.raises(ValueError):
        model.fit(X, y)


def test_predict_checks_the_width():
    X, y = data()
    m = SoftmaxRegression().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        m.predict(X[:, :4])


def semi_supervised_data():
    """Two classes; half the rows unlabelled (-1), most of them of class 0."""
    X, y = make_classification(600, 4, n_informative=3, n_redundant=0, weights=[0.5], class_sep=0.5,
                               random_state=3)
    y_semi = y.copy()
    y_semi[300:] = -1
    # The unlabelled rows: 90% class 0.
    keep = np.r_[np.arange(300), 300 + np.flatnonzero(y[300:] == 0), 300 + np.flatnonzero(y[300:] == 1)[:15]]
    return X[keep], y[keep], y_semi[keep]


def test_semi_supervised_mlp_pulls_the_unlabelled_rows_toward_the_proportions():
    X, y, y_semi = semi_supervised_data()
    unlabelled = y_semi == -1
    settings = dict(hidden_layer_sizes=[16], max_iter=40, batch_size=50, random_state=0)
    supervised = MLPClassifier(**settings).fit(X[~unlabelled], y[~unlabelled])
    semi = SemiSupervisedMLPClassifier(**settings, unlabelled_weight=2.0, proportions=[0.9, 0.1]).fit(X, y_semi)
    assert semi.n_unlabelled_ == unlabelled.sum() and list(semi.classes_) == [0, 1]

    def p0(model):
        return model.predict_proba(X[unlabelled])[:, 0].mean()

    assert abs(p0(semi) - 0.9) < 0.5 * abs(p0(supervised) - 0.9), (p0(supervised), p0(semi))
    # Weight 0 trains as the supervised model on the same batches; alignment changes the model.
    off = SemiSupervisedMLPClassifier(**settings, unlabelled_weight=0.0).fit(X, y_semi)
    assert abs(p0(off) - 0.9) > 0.5 * abs(p0(supervised) - 0.9)
    aligned = SemiSupervisedMLPClassifier(**settings, alignment=0.1).fit(X, y_semi)
    assert not np.allclose(aligned.predict_proba(X), off.predict_proba(X))
    # Without unlabelled rows it is MLPClassifier.
    plain = SemiSupervisedMLPClassifier(**settings).fit(X[~unlabelled], y[~unlabelled])
    assert plain.n_unlabelled_ == 0
    assert_allclose(plain.predict_proba(X), supervised.predict_proba(X), rtol=0, atol=0)
    # String labels with -1 in an object array.
    named = np.where(y_semi == 1, "yes", "no").astype(object)
    named[unlabelled] = -1
    strings = SemiSupervisedMLPClassifier(**settings, unlabelled_weight=2.0, proportions=[0.9, 0.1]).fit(X, named)
    assert list(strings.classes_) == ["no", "yes"]
    assert_allclose(strings.predict_proba(X), semi.predict_proba(X), rtol=0, atol=0)
    assert clone(semi).get_params() == semi.get_params()


@pytest.mark.parametrize("params, y_kind, match", [
    ({"proportions": [0.5, 0.3, 0.2]}, "int", "proportion"),
    ({"unlabelled_weight": -1.0}, "int", "weight"),
    ({"alignment": 0.1, "alignment_temperature": 0.0}, "int", "temperature"),
    ({}, "str", "object array"),
])
def test_semi_supervised_bad_settings_raise_value_errors(params, y_kind, match):
    X, _, y_semi = semi_supervised_data()
    y = y_semi.astype(str) if y_kind == "str" else y_semi
    with pytest.raises(ValueError, match=match):
        SemiSupervisedMLPClassifier(max_iter=2, **params).fit(X, y)
