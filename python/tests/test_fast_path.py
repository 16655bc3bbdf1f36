"""The fast path of fit_resample (float64 rows, integer labels, the checks
done once in the engine) leaves exactly what the general path (imbalanced-
learn's fit_resample and its checks) leaves: the same arrays, labels,
sampling_strategy_, sample_indices_ and n_features_in_; where it declines,
the general path runs and raises imbalanced-learn's errors."""

import numpy as np
import pytest

from imbalanced import combine, over_sampling, under_sampling

SAMPLERS = [getattr(m, n) for m in (over_sampling, under_sampling, combine) for n in m.__all__
            if n not in ("SMOTENC", "SMOTEN")]


def data(seed=0, n=300, classes=(5, -2, 7), dtype=np.int64):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) + np.arange(n)[:, None] * 1e-6
    weights = np.geomspace(1, 0.15, len(classes))
    y = rng.choice(np.array(classes), size=n, p=weights / weights.sum()).astype(dtype)
    return X, y


def strategies(cls):
    kind = cls._sampling_type
    if kind == "over-sampling":
        return ["auto", "minority", "not majority", "all", {7: 120, -2: 150}]
    if kind == "under-sampling":
        return ["auto", "majority", "not minority", "all", {5: 40, -2: 30}]
    return ["auto", "majority", "not minority", "all", [5, -2]]


def general_path(est, X, y):
    """imbalanced-learn's fit_resample (its checks), then our _fit_resample."""
    return super(type(est).__mro__[1], est).fit_resample(X, y)


def both_paths(est, X, y):
    """Both paths' samplers and outputs; where the fast path declines (the
    engine refuses the data), the general path must refuse it too."""
    fast = est.__class__(**est.get_params())
    out_fast = fast._fit_resample_integers(X, y)
    general = est.__class__(**est.get_params())
    if out_fast is None:
        with pytest.raises(ValueError):
            general_path(general, X, y)
        return None
    return fast, out_fast, general, general_path(general, X, y)


@pytest.mark.parametrize("cls", SAMPLERS, ids=lambda c: c.__name__)
def test_fast_path_equals_the_general_path(cls):
    X, y = data()
    for strategy in strategies(cls):
        kwargs = {"random_state": 0} if "random_state" in cls().get_params() else {}
        if cls.__name__ in ("SMOTEENN", "SMOTETomek") and not isinstance(strategy, str):
            continue  # their strategy is SMOTE's: a dict for over-sampling is covered by SMOTE
        est = cls(sampling_strategy=strategy, **kwargs)
        try:
            paths = both_paths(est, X, y)
        except ValueError:
            # Refused before the engine runs (a strategy this sampler does
            # not take): both paths raise imbalanced-learn's error.
            with pytest.raises(ValueError):
                general_path(cls(sampling_strategy=strategy, **kwargs), X, y)
            continue
        if paths is None:
            continue
        fast, (Xf, yf), general, (Xg, yg) = paths
        where = f"{cls.__name__} {strategy!r}"
        np.testing.assert_array_equal(Xf, Xg, err_msg=where)
        np.testing.assert_array_equal(yf, yg, err_msg=where)
        assert yf.dtype == yg.dtype, where
        assert fast.sampling_strategy_ == general.sampling_strategy_, where
        assert list(fast.sampling_strategy_) == list(general.sampling_strategy_), where
        assert fast.n_features_in_ == general.n_features_in_ == 3
        if hasattr(general, "sample_indices_"):
            np.testing.assert_array_equal(fast.sample_indices_, general.sample_indices_, err_msg=where)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.uint16, np.int64])
def test_label_dtypes_are_kept(dtype):
    X, y = data(classes=(0, 3, 9), dtype=dtype)
    Xr, yr = over_sampling.SMOTE(random_state=0).fit_resample(X, y)
    assert yr.dtype == dtype and set(np.unique(yr)) == {0, 3, 9}


def test_binary_ratio():
    X, y = data(classes=(0, 1))
    for cls, ratio in ((over_sampling.RandomOverSampler, 0.8), (under_sampling.RandomUnderSampler, 0.5)):
        fast, (Xf, yf), general, (Xg, yg) = both_paths(cls(sampling_strategy=ratio, random_state=0), X, y)
        assert fast._fit_resample_integers(X, y) is not None
        np.testing.assert_array_equal(Xf, Xg)
        assert fast.sampling_strategy_ == general.sampling_strategy_


def test_declines_and_the_general_path_raises_imblearns_errors():
    X, y = data()
    bad = X.copy()
    bad[4, 1] = np.nan
    smote = over_sampling.SMOTE()
    assert smote._fit_resample_integers(bad, y) is None
    with pytest.raises(ValueError, match="NaN"):
        smote.fit_resample(bad, y)
    # RandomOverSampler takes NaN (imbalanced-learn's does): the fast path too.
    ros = over_sampling.RandomOverSampler(random_state=0)
    assert ros._fit_resample_integers(bad, y) is not None
    with pytest.raises(ValueError, match="more than 1 class"):
        smote.fit_resample(X, np.zeros_like(y))
    with pytest.raises(ValueError, match="not present"):
        over_sampling.SMOTE(sampling_strategy={99: 500}).fit_resample(X, y)
    with pytest.raises(ValueError, match="sampling_strategy"):
        over_sampling.SMOTE(sampling_strategy="bogus").fit_resample(X, y)
    # Labels spread far apart: the general path, the same result.
    wide = np.where(y == 7, 10**12, y)
    assert smote._fit_resample_integers(X, wide) is None
    assert set(over_sampling.SMOTE(random_state=0).fit_resample(X, wide)[1]) == {5, -2, 10**12}


def test_feature_names_of_an_earlier_frame_are_dropped():
    pd = pytest.importorskip("pandas")
    X, y = data()
    s = over_sampling.SMOTE(random_state=0)
    s.fit_resample(pd.DataFrame(X, columns=["a", "b", "c"]), y)
    assert list(s.feature_names_in_) == ["a", "b", "c"]
    s.fit_resample(X, y)
    assert not hasattr(s, "feature_names_in_")


@pytest.mark.parametrize("cls", [under_sampling.AllKNN, under_sampling.NearMiss, over_sampling.KMeansSMOTE,
                                 under_sampling.EditedNearestNeighbours])
def test_n_jobs_sets_threads_and_not_the_result(cls):
    X, y = data(n=400, classes=(0, 1))
    kwargs = {"random_state": 0} if "random_state" in cls().get_params() else {}
    if cls is over_sampling.KMeansSMOTE:
        kwargs["cluster_balance_threshold"] = 0.0
    outs = [cls(n_jobs=n, **kwargs).fit_resample(X, y) for n in (1, 2, -1, None)]
    for X_res, y_res in outs[1:]:
        np.testing.assert_array_equal(X_res, outs[0][0])
        np.testing.assert_array_equal(y_res, outs[0][1])
    with pytest.raises(ValueError):
        cls(n_jobs=0, **kwargs).fit_resample(X, y)
