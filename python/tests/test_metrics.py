"""imbalanced.metrics against imblearn.metrics: the same values (1e-12), the
same errors and warnings, on random predictions with every option."""

import doctest
import warnings

import imblearn.metrics as theirs
import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.metrics import accuracy_score

import imbalanced.metrics as ours

FUNCTIONS = ["sensitivity_specificity_support", "sensitivity_score", "specificity_score", "geometric_mean_score"]
AVERAGES = [None, "micro", "macro", "weighted"]


def predictions(seed, n_classes, n=200, labels=None):
    rng = np.random.default_rng(seed)
    # Imbalanced truth; predictions right about two times in three.
    p = np.geomspace(1, 0.1, n_classes)
    y_true = rng.choice(n_classes, size=n, p=p / p.sum())
    y_pred = np.where(rng.random(n) < 0.66, y_true, rng.integers(0, n_classes, n))
    if labels is not None:
        y_true, y_pred = np.asarray(labels)[y_true], np.asarray(labels)[y_pred]
    return y_true, y_pred, rng.random(n) * 3


def same(a, b):
    if isinstance(b, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
    elif b is None:
        assert a is None
    else:
        assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-12, atol=1e-12)


def call_both(name, *args, **kwargs):
    """Both libraries' results and warnings, or both their errors."""
    out = []
    for module in (ours, theirs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                value = getattr(module, name)(*args, **kwargs)
            except Exception as e:  # noqa: BLE001 - compared below
                value = e
        out.append((value, sorted({f"{w.category.__name__}: {w.message}" for w in caught})))
    (a, wa), (b, wb) = out
    if isinstance(b, Exception):
        assert type(a) is type(b) and str(a) == str(b)
    else:
        same(a, b)
    assert wa == wb
    return a


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("average", AVERAGES + ["binary"])
@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("weighted", [False, True])
def test_values_equal_imblearns(name, average, n_classes, weighted):
    y_true, y_pred, w = predictions(n_classes, n_classes)
    call_both(name, y_true, y_pred, average=average, sample_weight=w if weighted else None)


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("average", AVERAGES)
def test_label_subsets_orders_and_absent_labels(name, average):
    y_true, y_pred, _ = predictions(7, 4, labels=["d", "a", "c", "b"])
    for labels in (["c", "a"], ["b", "d", "a", "c"], ["a", "z"]):
        call_both(name, y_true, y_pred, labels=labels, average=average)


@pytest.mark.parametrize("pos_label", ["yes", "no", "maybe"])
def test_pos_label_of_text_labels(pos_label):
    y_true, y_pred, _ = predictions(3, 2, labels=["no", "yes"])
    for name in FUNCTIONS:
        call_both(name, y_true, y_pred, average="binary", pos_label=pos_label)
    call_both("sensitivity_score", y_true, y_pred, average="macro", pos_label=pos_label)


def test_gmean_correction_and_a_class_never_found():
    y_true = [0, 1, 2, 0, 1, 2]
    y_pred = [0, 2, 1, 0, 0, 1]
    for correction in (0.0, 0.001, 0.5):
        call_both("geometric_mean_score", y_true, y_pred, correction=correction)
    call_both("geometric_mean_score", y_true, y_pred, labels=[2, 0], correction=0.1)
    assert ours.geometric_mean_score(y_true, y_pred) == 0.0


def test_only_negative_labels_and_degenerate_inputs():
    call_both("sensitivity_specificity_support", [0, 0, 0], [0, 0, 0], average="binary")
    call_both("sensitivity_score", [0, 0, 1], [0, 0, 0], average="binary")
    call_both("specificity_score", [1, 1, 1], [1, 1, 1], average=None)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"average": "samples"},
        {"average": "binary", "y": ([0, 1, 2], [0, 1, 2])},
        {"average": "binary", "pos_label": 5},
        {"y": ([0, 1, 1], [0, 1])},
        {"y": ([[0, 1], [1, 0]], [[0, 1], [1, 1]])},
        {"average": "bogus"},
        {"sample_weight": [1.0, 2.0]},
    ],
)
def test_bad_input_raises_as_imblearn(kwargs):
    y_true, y_pred = kwargs.pop("y", ([0, 1, 1, 0], [0, 1, 0, 0]))
    for name in FUNCTIONS:
        with pytest.raises(ValueError) as ours_error:
            getattr(ours, name)(y_true, y_pred, **kwargs)
        try:
            getattr(theirs, name)(y_true, y_pred, **kwargs)
        except ValueError as e:
            # imbalanced-learn's wording, except where its message is NumPy's
            # (lengths that do not broadcast): ours names the lengths.
            assert str(ours_error.value) == str(e) or "could not be broadcast" in str(e)
        except IndexError:
            pass  # imbalanced-learn's geometric mean indexes weights of another length


@pytest.mark.parametrize("alpha,squared", [(0.1, True), (0.5, False), (0.0, True)])
@pytest.mark.parametrize("average", ["multiclass", "macro", None])
def test_index_balanced_accuracy(alpha, squared, average):
    y_true, y_pred, w = predictions(11, 3)
    a = ours.make_index_balanced_accuracy(alpha=alpha, squared=squared)(ours.geometric_mean_score)
    b = theirs.make_index_balanced_accuracy(alpha=alpha, squared=squared)(theirs.geometric_mean_score)
    same(a(y_true, y_pred, average=average, sample_weight=w), b(y_true, y_pred, average=average, sample_weight=w))
    acc_a = ours.make_index_balanced_accuracy(alpha=alpha, squared=squared)(accuracy_score)
    acc_b = theirs.make_index_balanced_accuracy(alpha=alpha, squared=squared)(accuracy_score)
    yt, yp, _ = predictions(12, 2)
    same(acc_a(yt, yp), acc_b(yt, yp))


def test_index_balanced_accuracy_refuses_score_metrics():
    def roc(y_true, y_score):
        return 0.0

    with pytest.raises(AttributeError):
        ours.make_index_balanced_accuracy()(roc)([0, 1], [0.2, 0.8])


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("labels", [None, ["a", "c"]])
def test_classification_report(weighted, labels):
    y_true, y_pred, w = predictions(5, 3, labels=["a", "b", "c"])
    kwargs = dict(labels=labels, sample_weight=w if weighted else None)
    for digits in (2, 5):
        assert ours.classification_report_imbalanced(
            y_true, y_pred, digits=digits, **kwargs
        ) == theirs.classification_report_imbalanced(y_true, y_pred, digits=digits, **kwargs)
    a = ours.classification_report_imbalanced(y_true, y_pred, output_dict=True, alpha=0.3, **kwargs)
    b = theirs.classification_report_imbalanced(y_true, y_pred, output_dict=True, alpha=0.3, **kwargs)
    assert a.keys() == b.keys()
    for key in b:
        if isinstance(b[key], dict):
            assert a[key].keys() == b[key].keys()
            for k in b[key]:
                same(a[key][k], b[key][k])
        else:
            same(a[key], b[key])
    names = ours.classification_report_imbalanced([0, 1, 1], [0, 1, 0], target_names=["neg", "pos"])
    assert names == theirs.classification_report_imbalanced([0, 1, 1], [0, 1, 0], target_names=["neg", "pos"])


@pytest.mark.parametrize("weighted", [False, True])
def test_macro_averaged_mae(weighted):
    y_true, y_pred, w = predictions(9, 5, n=1000)
    call_both("macro_averaged_mean_absolute_error", y_true, y_pred, sample_weight=w if weighted else None)
    call_both("macro_averaged_mean_absolute_error", [1, 2, 2, 2], [1, 2, 1, 2])
    call_both("macro_averaged_mean_absolute_error", [1.5, 2.5, 2.5], [1.5, 2.5, 2.5])
    with pytest.raises(ValueError):
        ours.macro_averaged_mean_absolute_error([1, 2], [1, 2, 3])


def test_same_functions_as_imblearn():
    assert set(ours.__all__) == set(theirs.__all__)


def test_docstring_examples_run():
    result = doctest.testmod(ours, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5 and result.failed == 0
