"""imbalanced-learn's and scikit-learn's estimator checks over every sampler,
set up as imbalanced-learn's own test suite sets up its classes
(``imblearn/tests/test_common.py``): the same constructor parameters, the
same checking parameters, the same expected failures."""

import warnings

import imblearn
import pytest
from imblearn.utils._test_common import instance_generator as reference
from imblearn.utils.estimator_checks import _set_checking_parameters, check_param_validation
from imblearn.utils.estimator_checks import parametrize_with_checks as parametrize_imblearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks as parametrize_sklearn

import imbalanced
from imbalanced import combine, over_sampling, under_sampling

MODULES = [(over_sampling, imblearn.over_sampling), (under_sampling, imblearn.under_sampling), (combine, imblearn.combine)]


def _instances():
    """Every sampler of this package, with imbalanced-learn's test parameters."""
    for ours, theirs in MODULES:
        for name in ours.__all__:
            cls, ref = getattr(ours, name), getattr(theirs, name)
            if ref in reference.SKIPPED_ESTIMATORS:
                continue  # imbalanced-learn cannot build them for its checks either (SMOTENC)
            param_sets = reference.INIT_PARAMS.get(ref, {})
            for params in param_sets if isinstance(param_sets, list) else [param_sets]:
                est = cls(**params)
                _set_checking_parameters(est)
                yield est


# Checks that imbalanced-learn's own class passes and ours does not, and why.
OURS_XFAIL = {
    "KMeansSMOTE": {
        "check_samplers_fit": (
            "on 30 random rows in 12 clusters, the engine's k-means (not scikit-learn's MiniBatchKMeans) "
            "finds no cluster with 3 minority rows for this seed, and the sampler refuses, as "
            "imbalanced-learn's does for seeds whose clustering finds none (over 50 seeds ours "
            "succeeds at least as often: test_kmeans_smote_finds_clusters_as_often_as_imblearns)"
        ),
    },
}


def _expected_failures(estimator):
    """imbalanced-learn's expected failures of the class we subclass, and ours."""
    reference_class = type(estimator).__mro__[2]
    return {
        **reference.PER_ESTIMATOR_XFAIL_CHECKS.get(reference_class, {}),
        **OURS_XFAIL.get(type(estimator).__name__, {}),
    }


def test_every_sampler_is_exported():
    for ours, theirs in MODULES:
        assert set(theirs.__all__) == set(ours.__all__), theirs.__name__
    assert imbalanced.__version__


@parametrize_imblearn(list(_instances()), expected_failed_checks=_expected_failures)
def test_imblearn_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=(FutureWarning, ConvergenceWarning, UserWarning))
        check(estimator)


@parametrize_sklearn(list(_instances()), expected_failed_checks=_expected_failures)
def test_sklearn_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", list(_instances()), ids=lambda e: type(e).__name__)
def test_parameter_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)


def test_kmeans_smote_finds_clusters_as_often_as_imblearns():
    """The data of check_samplers_fit, over 50 seeds: the engine's k-means
    finds a cluster to over-sample at least as often as imbalanced-learn's
    MiniBatchKMeans (42 and 40 times here); seed 0 is one where it does not."""
    import numpy as np

    rng = np.random.RandomState(42)
    X, y = rng.random_sample((30, 2)), np.array([1] * 20 + [0] * 10)

    def successes(cls):
        done = 0
        for seed in range(50):
            try:
                cls(random_state=seed).fit_resample(X, y)
                done += 1
            except (RuntimeError, ValueError):
                pass
        return done

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert successes(over_sampling.KMeansSMOTE) >= successes(imblearn.over_sampling.KMeansSMOTE)
