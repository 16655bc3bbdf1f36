"""imbalanced.losses: every loss of the catalogue on NumPy arrays (values
against closed forms, gradients against finite differences), the
focal-entropy tools' invariants, and bad input."""

import inspect

import numpy as np
import pytest
from numpy.testing import assert_allclose

import imbalanced.losses as L

CATALOGUE = {name: (multilabel, scheduled) for (name, *_), multilabel, scheduled in L._CATALOGUE}
FUNCTIONS = {name: getattr(L, name.replace("-", "_") + "_loss") for name in CATALOGUE}


def batch(seed=0, n=12, c=4):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, c))
    y = np.r_[np.zeros(n // 2, int), rng.integers(0, c, n - n // 2)]
    y[:c] = np.arange(c)  # every class present
    return logits, y


def numeric_grad(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += eps
        down[idx] -= eps
        g[idx] = (f(up) - f(down)) / (2 * eps)
    return g


def test_every_catalogue_loss_has_a_function():
    assert len(FUNCTIONS) == 19
    for name, f in FUNCTIONS.items():
        assert f.__name__ in L.__all__
        assert "Returns" in f.__doc__ and "Parameters" in f.__doc__
        params = inspect.signature(f).parameters
        assert list(params)[:2] == ["logits", "y"] and "class_counts" in params
        assert ("epoch" in params) == CATALOGUE[name][1]


# Seesaw's compensation factor is a function of the softmax that is not
# differentiated (mmdetection's seesaw_ce_loss): its gradient is the
# derivative with the factor held, exact when the factor is off (q=0).
HELD_CONSTANT = {"seesaw": {"q": 0.0}}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_gradient_is_the_derivative_of_the_value(name):
    f = FUNCTIONS[name]
    logits, y = batch(sum(name.encode()))
    kwargs = HELD_CONSTANT.get(name, {})
    value, grad = f(logits, y, **kwargs)
    assert np.isfinite(value) and grad.shape == logits.shape
    assert_allclose(grad, numeric_grad(lambda x: f(x, y, **kwargs)[0], logits), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", sorted(n for n, (m, _) in CATALOGUE.items() if m))
def test_multilabel_targets(name):
    f = FUNCTIONS[name]
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(10, 3))
    targets = (rng.random((10, 3)) < 0.4).astype(float)
    targets[0] = 1.0  # every label has a positive
    value, grad = f(logits, targets)
    assert np.isfinite(value)
    assert_allclose(grad, numeric_grad(lambda x: f(x, targets)[0], logits), rtol=1e-4, atol=1e-6)


def log_softmax(x):
    z = x - x.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def test_values_against_closed_forms():
    logits, y = batch(1)
    ce = -log_softmax(logits)[np.arange(len(y)), y].mean()
    assert_allclose(L.ce_loss(logits, y)[0], ce, rtol=1e-12)
    # Focal with gamma 0 is cross-entropy; its value shrinks as gamma grows.
    assert_allclose(L.focal_loss(logits, y, gamma=0.0)[0], ce, rtol=1e-12)
    assert L.focal_loss(logits, y, gamma=2.0)[0] < ce
    p_t = np.exp(log_softmax(logits)[np.arange(len(y)), y])
    assert_allclose(L.focal_loss(logits, y, gamma=2.0)[0], np.mean(-((1 - p_t) ** 2) * np.log(p_t)), rtol=1e-12)
    # Balanced softmax: cross-entropy of the logits shifted by log priors.
    counts = np.bincount(y, minlength=logits.shape[1]).astype(float)
    shifted = logits + np.log(counts)
    assert_allclose(L.balanced_softmax_loss(logits, y)[0],
                    -log_softmax(shifted)[np.arange(len(y)), y].mean(), rtol=1e-12)


def test_class_counts_default_to_the_batchs_and_can_be_given():
    logits, y = batch(2)
    counts = np.bincount(y, minlength=4)
    a = L.weighted_ce_loss(logits, y)
    b = L.weighted_ce_loss(logits, y, class_counts=counts)
    assert a[0] == b[0] and np.array_equal(a[1], b[1])
    c = L.weighted_ce_loss(logits, y, class_counts=[100, 10, 10, 1])
    assert c[0] != a[0]


def test_ldam_drw_reweights_from_t0():
    logits, y = batch(4)
    counts = [50, 10, 5, 1]
    before = [L.ldam_drw_loss(logits, y, class_counts=counts, epoch=e, epochs=10)[0] for e in (0, 7)]
    after = [L.ldam_drw_loss(logits, y, class_counts=counts, epoch=e, epochs=10)[0] for e in (8, 9)]
    assert before[0] == before[1] and after[0] == after[1] and before[0] != after[0]
    assert before[0] == L.ldam_loss(logits, y, class_counts=counts)[0]


def test_keyword_parameters_and_tal_lambda():
    logits, y = batch(5)
    assert "lambda_" in inspect.signature(L.tal_loss).parameters
    assert np.isfinite(L.tal_loss(logits, y, lambda_=0.5)[0])
    with pytest.raises(TypeError):
        L.tal_loss(logits, y, **{"lambda": 0.5})
    assert L.label_smoothing_loss(logits, y, eps=0.0)[0] == pytest.approx(L.ce_loss(logits, y)[0], rel=1e-12)


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: L.ce_loss(np.zeros(4), [0, 1, 0, 1]), ValueError),
        (lambda: L.ce_loss(np.zeros((4, 2)), [0, 1, 0]), ValueError),
        (lambda: L.ce_loss(np.zeros((4, 2)), [0, 1, 0, 2]), ValueError),
        (lambda: L.ce_loss(np.zeros((4, 2)), [0, -1, 0, 1]), ValueError),
        (lambda: L.ce_loss(np.zeros((4, 2)), ["a", "b", "a", "b"]), ValueError),
        (lambda: L.ce_loss(np.zeros((2, 2)), [0.5, 1.0]), ValueError),
        (lambda: L.ce_loss([[0.0, np.nan], [0.0, 1.0]], [0, 1]), ValueError),
        (lambda: L.ce_loss([["a", "b"]], [0]), TypeError),
        (lambda: L.ce_loss(np.zeros((2, 2)), np.eye(2)), ValueError),
        (lambda: L.bce_loss(np.zeros((2, 2)), np.ones((3, 2))), ValueError),
        (lambda: L.focal_loss(np.zeros((2, 2)), [0, 1], gamma=-1.0), ValueError),
        (lambda: L.focal_loss(np.zeros((2, 2)), [0, 1], gamma="two"), ValueError),
        (lambda: L.focal_loss(np.zeros((2, 2)), [0, 1], gamma=[2.0]), TypeError),
        (lambda: L.weighted_ce_loss(np.zeros((2, 2)), [0, 1], weights="bogus"), ValueError),
        (lambda: L.weighted_ce_loss(np.zeros((2, 2)), [0, 0]), ValueError),
        (lambda: L.focal_loss(np.zeros((2, 2)), [0, 1], bogus=1), TypeError),
        (lambda: L.focal_loss(np.zeros((0, 2)), []), ValueError),
    ],
)
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()


def test_focal_minimiser_and_its_inverse():
    p = np.array([0.7, 0.2, 0.07, 0.03])
    for gamma in (0.0, 1.0, 2.0, 5.0):
        m = L.focal_minimiser(p, gamma)
        assert m.q.sum() == pytest.approx(1.0) and (m.q > 0).all()
        assert_allclose(L.focal_calibrate(m.q, gamma), p, rtol=1e-6)
        if gamma == 0.0:
            assert_allclose(m.q, p, rtol=1e-9)
    # Rows at once, shape kept.
    q = np.stack([L.focal_minimiser(p, 2.0).q, L.focal_minimiser(p[::-1], 2.0).q])
    assert_allclose(L.focal_calibrate(q, 2.0), np.stack([p, p[::-1]]), rtol=1e-6)
    h = L.focal_h(np.array([[0.1, 0.5], [0.9, 0.99]]), 2.0)
    assert h.shape == (2, 2) and (np.diff(h.ravel()) < 0).all()  # h decreases


def test_advise_gamma_follows_the_minimisers_rule():
    p = np.geomspace(1, 1e-3, 10)
    p /= p.sum()
    g = L.advise_gamma(p, max_gamma=5.0, step=0.5)
    assert len(L.focal_minimiser(p, g).over_suppressed) == 0
    if g + 0.5 <= 5.0:
        assert any(len(L.focal_minimiser(p, x).over_suppressed) for x in np.arange(g + 0.5, 5.01, 0.5))
    with pytest.raises(ValueError):
        L.advise_gamma(p, step=0.0)
    with pytest.raises(ValueError):
        L.focal_minimiser([0.5, 0.6], 2.0)
