"""Metrics for imbalanced classification, as imbalanced-learn's ``imblearn.metrics``.

The same functions, signatures, defaults, warnings and values (equal to
imbalanced-learn 0.14's to 1e-12, checked against its outputs in
``tests/test_metrics.py``). Labels, ``pos_label`` and ``average`` are
resolved here as imbalanced-learn resolves them; the sums over the samples
(weighted true positives, predictions and supports per label; the per-class
mean absolute errors) run in the Rust engine.
"""

from __future__ import annotations

import functools
import numbers
import warnings
from inspect import signature

import numpy as np
from scipy import stats
from sklearn.metrics import precision_recall_fscore_support
from sklearn.metrics._classification import _prf_divide
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import check_consistent_length, column_or_1d
from sklearn_compat.metrics._classification import _check_targets

from . import _native

__all__ = [
    "sensitivity_specificity_support",
    "sensitivity_score",
    "specificity_score",
    "geometric_mean_score",
    "make_index_balanced_accuracy",
    "classification_report_imbalanced",
    "macro_averaged_mean_absolute_error",
]

_AVERAGES = [None, StrOptions({"binary", "micro", "macro", "weighted", "samples"})]
_LABEL_PARAMS = {
    "y_true": ["array-like"],
    "y_pred": ["array-like"],
    "labels": ["array-like", None],
    "pos_label": [str, numbers.Integral, None],
    "sample_weight": ["array-like", None],
}


def _selected_sums(y_true, y_pred, labels, present, sample_weight):
    """``tp_sum``, ``pred_sum``, ``true_sum`` of the ``labels`` asked for (all
    present labels when None), in that order, computed by the engine over
    every label (asked or present)."""
    if labels is None:
        chosen, every = present, present
    else:
        chosen = labels
        every = np.hstack([labels, np.setdiff1d(present, labels, assume_unique=True)])
    sorted_labels = np.unique(every)
    codes_true = np.searchsorted(sorted_labels, y_true)
    codes_pred = np.searchsorted(sorted_labels, y_pred)
    weights = None if sample_weight is None else np.ascontiguousarray(sample_weight, dtype=np.float64)
    tp, pred, true = _native.label_sums(
        codes_true.astype(np.int64), codes_pred.astype(np.int64), len(sorted_labels), weights
    )
    indices = np.searchsorted(sorted_labels, chosen)
    return tp[indices], pred[indices], true[indices]


@validate_params({**_LABEL_PARAMS, "average": _AVERAGES, "warn_for": ["array-like"]},
                 prefer_skip_nested_validation=True)
def sensitivity_specificity_support(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average=None,
    warn_for=("sensitivity", "specificity"),
    sample_weight=None,
):
    """Compute sensitivity, specificity, and support for each class.

    The sensitivity is ``tp / (tp + fn)``, the ability to find the samples of
    a class; the specificity is ``tn / (tn + fp)``, the ability to reject the
    samples of the other classes. In a binary problem, the sensitivity of the
    positive class is its recall; its specificity is the recall of the
    negative class.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground truth (correct) target values.
    y_pred : array-like of shape (n_samples,)
        Estimated targets as returned by a classifier.
    labels : array-like, default=None
        The labels to include when ``average != 'binary'``, and their order
        when ``average is None``. Labels present in the data can be left out;
        labels absent from it get 0 (with a warning).
    pos_label : str, int or None, default=1
        The class to report if ``average='binary'`` and the data is binary.
    average : {'binary', 'micro', 'macro', 'weighted', 'samples'} or None, default=None
        ``None`` returns the scores of each class; ``'binary'`` those of
        ``pos_label``; ``'micro'`` counts globally; ``'macro'`` takes the
        unweighted mean over labels; ``'weighted'`` the mean weighted by
        support. ``'samples'`` is refused (multilabel only).
    warn_for : tuple or set, default=('sensitivity', 'specificity')
        The metrics to warn about when they are ill-defined.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    sensitivity : float or ndarray of shape (n_unique_labels,)
    specificity : float or ndarray of shape (n_unique_labels,)
    support : int, ndarray of shape (n_unique_labels,) or None
        The weighted number of samples of each label in ``y_true``; None when
        averaged.

    References
    ----------
    .. [1] Wikipedia, "Sensitivity and specificity".

    Examples
    --------
    >>> from imbalanced.metrics import sensitivity_specificity_support
    >>> sen, spe, support = sensitivity_specificity_support([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average='macro')
    >>> print(round(sen, 3), round(spe, 3), support)
    0.333 0.667 None
    """
    y_type, _, y_true, y_pred, sample_weight = _check_targets(y_true, y_pred, sample_weight=sample_weight)
    present_labels = unique_labels(y_true, y_pred)

    if average == "binary":
        if y_type == "binary":
            if pos_label not in present_labels:
                if len(present_labels) < 2:
                    return (0.0, 0.0, 0)  # only negative labels
                raise ValueError(f"pos_label={pos_label!r} is not a valid label: {present_labels!r}")
            labels = [pos_label]
        else:
            raise ValueError(f"Target is {y_type} but average='binary'. Please choose another average setting.")
    elif pos_label not in (None, 1):
        warnings.warn(
            f"Note that pos_label (set to {pos_label!r}) is ignored when average != 'binary' "
            f"(got {average!r}). You may use labels=[pos_label] to specify a single positive class.",
            UserWarning,
        )
    if y_type.startswith("multilabel"):
        raise ValueError("imblearn does not support multilabel")
    if average == "samples":
        raise ValueError(
            "Sample-based precision, recall, fscore is not meaningful outside multilabel "
            "classification. See the accuracy_score instead."
        )
    tp_sum, pred_sum, true_sum = _selected_sums(y_true, y_pred, labels, present_labels, sample_weight)
    tn_sum = y_true.size - (pred_sum + true_sum - tp_sum)
    if average == "micro":
        tp_sum, pred_sum, true_sum, tn_sum = (np.array([s.sum()]) for s in (tp_sum, pred_sum, true_sum, tn_sum))

    with np.errstate(divide="ignore", invalid="ignore"):
        specificity = _prf_divide(tn_sum, tn_sum + pred_sum - tp_sum, "specificity", "predicted", average, warn_for)
        sensitivity = _prf_divide(tp_sum, true_sum, "sensitivity", "true", average, warn_for)

    weights = None
    if average == "weighted":
        weights = true_sum
        if weights.sum() == 0:
            return 0, 0, None
    if average is not None:
        specificity = np.average(specificity, weights=weights)
        sensitivity = np.average(sensitivity, weights=weights)
        true_sum = None
    return sensitivity, specificity, true_sum


def _one_score(index, name, formula, meaning, example):
    """``sensitivity_score`` (``index`` 0) or ``specificity_score`` (1): one
    part of :func:`sensitivity_specificity_support`."""

    def score(y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None):
        return sensitivity_specificity_support(
            y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
            warn_for=(name,), sample_weight=sample_weight,
        )[index]

    score.__name__ = score.__qualname__ = f"{name}_score"
    score.__module__ = __name__
    score.__doc__ = f"""Compute the {name}, ``{formula}``: {meaning}.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground truth (correct) target values.
    y_pred : array-like of shape (n_samples,)
        Estimated targets as returned by a classifier.
    labels : array-like, default=None
        The labels to include when ``average != 'binary'``.
    pos_label : str, int or None, default=1
        The class to report if ``average='binary'`` and the data is binary.
    average : {{'binary', 'micro', 'macro', 'weighted', 'samples'}} or None, default='binary'
        As in :func:`sensitivity_specificity_support`.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    {name} : float or ndarray of shape (n_unique_labels,)

    Examples
    --------
    >>> from imbalanced.metrics import {name}_score
    >>> print(round({name}_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average='macro'), 3))
    {example}
    """
    return validate_params({**_LABEL_PARAMS, "average": _AVERAGES}, prefer_skip_nested_validation=True)(score)


sensitivity_score = _one_score(0, "sensitivity", "tp / (tp + fn)", "the recall of a class", "0.333")
specificity_score = _one_score(1, "specificity", "tn / (tn + fp)", "how well the other classes are rejected", "0.667")


@validate_params(
    {
        **_LABEL_PARAMS,
        "average": [None, StrOptions({"multiclass", "binary", "micro", "macro", "weighted", "samples"})],
        "correction": [Interval(numbers.Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def geometric_mean_score(
    y_true, y_pred, *, labels=None, pos_label=1, average="multiclass", sample_weight=None, correction=0.0
):
    """Compute the geometric mean (G-mean) of the per-class sensitivities.

    With ``average='multiclass'`` (the default), the n-th root of the product
    of the n classes' sensitivities (Barandela et al. 2003 for two classes,
    Kubat and Matwin 1997); a class never recognised makes it 0 unless
    ``correction`` replaces its zero sensitivity. Otherwise, one-vs-rest per
    class, ``sqrt(sensitivity * specificity)``, averaged as ``average`` says.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground truth (correct) target values.
    y_pred : array-like of shape (n_samples,)
        Estimated targets as returned by a classifier.
    labels : array-like, default=None
        The labels to include, and their order when ``average is None``.
    pos_label : str, int or None, default=1
        The class to report if ``average='binary'`` and the data is binary.
    average : {'multiclass', 'binary', 'micro', 'macro', 'weighted', 'samples'} or None, default='multiclass'
        ``'multiclass'``: the geometric mean of the per-class sensitivities;
        the others as in :func:`sensitivity_specificity_support`.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    correction : float, default=0.0
        The value a zero sensitivity is replaced by (``average='multiclass'``).

    Returns
    -------
    geometric_mean : float or ndarray of shape (n_unique_labels,)

    References
    ----------
    .. [1] Kubat, M. and Matwin, S. "Addressing the curse of imbalanced
       training sets: one-sided selection", ICML 1997.
    .. [2] Barandela, R., Sánchez, J. S., García, V. and Rangel, E. "Strategies
       for learning in class imbalance problems", Pattern Recognition 36(3), 2003.

    Examples
    --------
    >>> from imbalanced.metrics import geometric_mean_score
    >>> print(geometric_mean_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1]))
    0.0
    >>> print(round(geometric_mean_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], correction=0.001), 4))
    0.01
    """
    if average is None or average != "multiclass":
        sen, spe, _ = sensitivity_specificity_support(
            y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
            warn_for=("specificity", "specificity"), sample_weight=sample_weight,
        )
        return np.sqrt(sen * spe)
    present_labels = unique_labels(y_true, y_pred)
    y_true, y_pred = column_or_1d(y_true), column_or_1d(y_pred)
    check_consistent_length(y_true, y_pred, sample_weight)
    tp_sum, _, true_sum = _selected_sums(y_true, y_pred, labels, present_labels, sample_weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        recall = _prf_divide(tp_sum, true_sum, "recall", "true", None, "recall")
    recall[recall == 0] = correction
    with np.errstate(divide="ignore", invalid="ignore"):
        gmean = stats.gmean(recall)
    if isinstance(gmean, np.ma.core.MaskedConstant):
        return 0.0
    return gmean


@validate_params({"alpha": [numbers.Real], "squared": ["boolean"]}, prefer_skip_nested_validation=True)
def make_index_balanced_accuracy(*, alpha=0.1, squared=True):
    """Wrap a scoring function into its index balanced accuracy (IBA).

    ``IBA = (1 + alpha * (sensitivity - specificity)) * score`` (``score``
    squared first when ``squared``), García et al. 2012. Only metrics of
    ``y_pred`` qualify (not of ``y_score``: no dominance without predictions).

    Parameters
    ----------
    alpha : float, default=0.1
        Weighting factor of the dominance.
    squared : bool, default=True
        Square the metric before weighting it.

    Returns
    -------
    iba_scoring_func : callable
        The decorated scoring function.

    References
    ----------
    .. [1] García, V., Sánchez, J. S. and Mollineda, R. A. "On the
       effectiveness of preprocessing methods when dealing with different
       levels of class imbalance", Knowledge-Based Systems 25(1), 2012.

    Examples
    --------
    >>> from imbalanced.metrics import geometric_mean_score as gmean
    >>> from imbalanced.metrics import make_index_balanced_accuracy as iba
    >>> gmean = iba(alpha=0.1, squared=True)(gmean)
    >>> print(gmean([1, 0, 0, 1, 0, 1], [0, 0, 1, 1, 0, 1], average=None))
    [0.44...  0.44...]
    """

    def decorate(scoring_func):
        @functools.wraps(scoring_func)
        def compute_score(*args, **kwargs):
            params = signature(scoring_func).parameters
            if {"y_score", "y_prob", "y2"} & set(params):
                raise AttributeError(
                    f"The function {scoring_func.__name__} has an unsupported attribute. Metric with`y_pred` "
                    "are the only supported metrics is the only supported."
                )
            bound = signature(scoring_func).bind(*args, **kwargs)
            bound.apply_defaults()
            score = scoring_func(*bound.args, **bound.kwargs)
            if squared:
                score = np.power(score, 2)
            common = set(signature(sensitivity_specificity_support).parameters) & set(bound.arguments)
            sens_spec = {k: bound.arguments[k] for k in common}
            if scoring_func.__name__ == "geometric_mean_score":
                if sens_spec.get("average") == "multiclass":
                    sens_spec["average"] = "macro"
            elif scoring_func.__name__ in ("accuracy_score", "jaccard_score"):
                sens_spec["average"] = "binary"  # no multilabel: binary is the only average
            sensitivity, specificity, _ = sensitivity_specificity_support(**sens_spec)
            return (1.0 + alpha * (sensitivity - specificity)) * score

        return compute_score

    return decorate


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "labels": ["array-like", None],
        "target_names": ["array-like", None],
        "sample_weight": ["array-like", None],
        "digits": [Interval(numbers.Integral, 0, None, closed="left")],
        "alpha": [numbers.Real],
        "output_dict": ["boolean"],
        "zero_division": [StrOptions({"warn"}), Interval(numbers.Integral, 0, 1, closed="both")],
    },
    prefer_skip_nested_validation=True,
)
def classification_report_imbalanced(
    y_true,
    y_pred,
    *,
    labels=None,
    target_names=None,
    sample_weight=None,
    digits=2,
    alpha=0.1,
    output_dict=False,
    zero_division="warn",
):
    """Report precision, recall, specificity, F1, G-mean and IBA per class.

    The columns are ``pre``, ``rec``, ``spe``, ``f1``, ``geo`` (one-vs-rest
    G-mean), ``iba`` (index balanced accuracy of the squared G-mean) and
    ``sup`` (support); the last line averages them weighted by support.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground truth (correct) target values.
    y_pred : array-like of shape (n_samples,)
        Estimated targets as returned by a classifier.
    labels : array-like of shape (n_labels,), default=None
        The labels to report, in order (default: every label present).
    target_names : list of str of shape (n_labels,), default=None
        Display names of the labels, in the same order.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    digits : int, default=2
        Digits of the printed values (ignored with ``output_dict``).
    alpha : float, default=0.1
        Weighting factor of the index balanced accuracy.
    output_dict : bool, default=False
        Return a dict (unrounded values) instead of the text.
    zero_division : "warn" or {0, 1}, default="warn"
        The value of an undefined precision or recall; "warn" acts as 0 and warns.

    Returns
    -------
    report : str or dict
        The text table, or ``{label: {'pre': ..., ...}, 'avg_pre': ..., 'total_support': ...}``.

    Examples
    --------
    >>> from imbalanced.metrics import classification_report_imbalanced
    >>> print(classification_report_imbalanced([0, 1, 2, 2, 2], [0, 0, 2, 2, 1]))  # doctest: +SKIP
    """
    labels = unique_labels(y_true, y_pred) if labels is None else np.asarray(labels)
    last_line_heading = "avg / total"
    if target_names is None:
        target_names = [f"{label}" for label in labels]
    width = max(max(len(cn) for cn in target_names), len(last_line_heading), digits)
    headers = ["pre", "rec", "spe", "f1", "geo", "iba", "sup"]
    fmt = "%% %ds" % width + "  " + " ".join(["% 9s" for _ in headers]) + "\n"
    report = fmt % tuple([""] + headers) + "\n"

    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=None, sample_weight=sample_weight, zero_division=zero_division
    )
    common = dict(labels=labels, average=None, sample_weight=sample_weight)
    specificity = specificity_score(y_true, y_pred, **common)
    geo_mean = geometric_mean_score(y_true, y_pred, **common)
    iba = make_index_balanced_accuracy(alpha=alpha, squared=True)(geometric_mean_score)(y_true, y_pred, **common)

    report_dict = {}
    columns = [precision, recall, specificity, f1, geo_mean, iba]
    for i in range(len(labels)):
        values = [target_names[i]]
        row = {}
        for name, column in zip(headers[:-1], columns):
            values.append("{0:0.{1}f}".format(column[i], digits))
            row[name] = column[i]
        values.append(f"{support[i]}")
        row[headers[-1]] = support[i]
        report += fmt % tuple(values)
        report_dict[target_names[i]] = row
    report += "\n"
    values = [last_line_heading]
    for name, column in zip(headers[:-1], columns):
        score = np.average(column, weights=support)
        values.append("{0:0.{1}f}".format(score, digits))
        report_dict[f"avg_{name}"] = score
    values.append(f"{np.sum(support)}")
    report += fmt % tuple(values)
    report_dict["total_support"] = np.sum(support)
    return report_dict if output_dict else report


@validate_params(
    {"y_true": ["array-like"], "y_pred": ["array-like"], "sample_weight": ["array-like", None]},
    prefer_skip_nested_validation=True,
)
def macro_averaged_mean_absolute_error(y_true, y_pred, *, sample_weight=None):
    """Compute the macro-averaged mean absolute error for ordinal classes.

    The mean absolute error of each true class's samples, averaged with equal
    weight per class (Baccianella et al. 2009), so that a rare class counts
    as much as a frequent one.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground truth (correct) ordinal target values (numbers).
    y_pred : array-like of shape (n_samples,)
        Estimated targets as returned by a classifier.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    loss : float
        Non-negative; the best value is 0.0.

    References
    ----------
    .. [1] Baccianella, S., Esuli, A. and Sebastiani, F. "Evaluation measures
       for ordinal regression", ISDA 2009.

    Examples
    --------
    >>> from imbalanced.metrics import macro_averaged_mean_absolute_error
    >>> print(round(macro_averaged_mean_absolute_error([1, 2, 2, 2], [1, 2, 1, 2]), 3))
    0.167
    """
    _, _, y_true, y_pred, sample_weight = _check_targets(y_true, y_pred, sample_weight)
    if sample_weight is not None:
        sample_weight = np.ascontiguousarray(column_or_1d(sample_weight), dtype=np.float64)
    check_consistent_length(y_true, y_pred, sample_weight)
    try:
        t = np.ascontiguousarray(y_true, dtype=np.float64)
        p = np.ascontiguousarray(y_pred, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(
            "macro_averaged_mean_absolute_error needs numeric (ordinal) labels, "
            f"got {y_true.dtype} and {y_pred.dtype}"
        ) from e
    return _native.macro_averaged_mean_absolute_error(t, p, sample_weight)
