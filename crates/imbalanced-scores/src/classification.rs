//! Metrics on predicted labels: scikit-learn's `precision_recall_fscore_support`
//! family, balanced accuracy, MCC, Cohen's kappa, and imbalanced-learn's
//! sensitivity/specificity, geometric mean, index balanced accuracy and
//! `classification_report_imbalanced`.

use crate::confusion::Confusion;
use crate::{check_lengths, divide, nan_average, Average, MetricError, Result};

/// Per-class precision, recall, F-beta and support, one entry per label.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassScores {
    pub labels: Vec<usize>,
    pub precision: Vec<f64>,
    pub recall: Vec<f64>,
    pub fscore: Vec<f64>,
    pub support: Vec<f64>,
}

/// Counts per label, restricted as `average` asks.
struct Counts {
    tp: Vec<f64>,
    pred: Vec<f64>,
    truth: Vec<f64>,
    tn: Vec<f64>,
}

fn counts(c: &Confusion, average: Option<Average>) -> Result<Counts> {
    let mut k = Counts {
        tp: c.true_positives(),
        pred: c.pred_sums(),
        truth: c.true_sums(),
        tn: c.true_negatives(),
    };
    match average {
        Some(Average::Binary) => {
            let labels = c.labels();
            if labels.len() > 2 {
                return Err(MetricError::NotBinary(labels.len()));
            }
            // scikit-learn's pos_label=1: its counts, or zeros when 1 is absent.
            let pick = |v: &[f64]| vec![labels.iter().position(|&l| l == 1).map_or(0.0, |p| v[p])];
            if labels.len() == 2 && !labels.contains(&1) {
                return Err(MetricError::Undefined(format!(
                    "average=binary scores label 1, but the labels are {labels:?}: use Macro or recode the labels"
                )));
            }
            let n = c.total();
            k = Counts {
                tp: pick(&k.tp),
                pred: pick(&k.pred),
                truth: pick(&k.truth),
                tn: pick(&k.tn),
            };
            if !labels.contains(&1) {
                k.tn = vec![n];
            }
        }
        Some(Average::Micro) => {
            let sum = |v: &[f64]| vec![v.iter().sum()];
            k = Counts {
                tp: sum(&k.tp),
                pred: sum(&k.pred),
                truth: sum(&k.truth),
                tn: sum(&k.tn),
            };
        }
        _ => {}
    }
    Ok(k)
}

fn fbeta(tp: f64, pred: f64, truth: f64, beta: f64, zero_division: f64) -> f64 {
    if beta == f64::INFINITY {
        divide(tp, truth, zero_division)
    } else if beta == 0.0 {
        divide(tp, pred, zero_division)
    } else {
        let b2 = beta * beta;
        divide((1.0 + b2) * tp, b2 * truth + pred, zero_division)
    }
}

/// scikit-learn's `precision_recall_fscore_support(average=None)`: the
/// scores of every label. `zero_division` replaces 0/0 (scikit-learn's
/// default "warn" gives 0).
pub fn precision_recall_fscore_support(
    y_true: &[usize],
    y_pred: &[usize],
    beta: f64,
    zero_division: f64,
) -> Result<ClassScores> {
    let c = Confusion::new(y_true, y_pred)?;
    let k = counts(&c, None)?;
    let n = k.tp.len();
    Ok(ClassScores {
        labels: c.labels().to_vec(),
        precision: (0..n).map(|i| divide(k.tp[i], k.pred[i], zero_division)).collect(),
        recall: (0..n).map(|i| divide(k.tp[i], k.truth[i], zero_division)).collect(),
        fscore: (0..n)
            .map(|i| fbeta(k.tp[i], k.pred[i], k.truth[i], beta, zero_division))
            .collect(),
        support: k.truth,
    })
}

/// scikit-learn's `precision_recall_fscore_support` with an `average`:
/// `(precision, recall, F-beta)`.
pub fn precision_recall_fscore(
    y_true: &[usize],
    y_pred: &[usize],
    beta: f64,
    average: Average,
    zero_division: f64,
) -> Result<(f64, f64, f64)> {
    let c = Confusion::new(y_true, y_pred)?;
    let k = counts(&c, Some(average))?;
    let n = k.tp.len();
    let precision: Vec<f64> = (0..n).map(|i| divide(k.tp[i], k.pred[i], zero_division)).collect();
    let recall: Vec<f64> = (0..n).map(|i| divide(k.tp[i], k.truth[i], zero_division)).collect();
    let f: Vec<f64> = (0..n)
        .map(|i| fbeta(k.tp[i], k.pred[i], k.truth[i], beta, zero_division))
        .collect();
    let weights = (average == Average::Weighted).then_some(k.truth.as_slice());
    Ok((
        nan_average(&precision, weights),
        nan_average(&recall, weights),
        nan_average(&f, weights),
    ))
}

/// scikit-learn's `precision_score` (zero_division 0).
pub fn precision_score(y_true: &[usize], y_pred: &[usize], average: Average) -> Result<f64> {
    Ok(precision_recall_fscore(y_true, y_pred, 1.0, average, 0.0)?.0)
}

/// scikit-learn's `recall_score` (zero_division 0).
pub fn recall_score(y_true: &[usize], y_pred: &[usize], average: Average) -> Result<f64> {
    Ok(precision_recall_fscore(y_true, y_pred, 1.0, average, 0.0)?.1)
}

/// scikit-learn's `f1_score`: `2 tp / (2 tp + fn + fp)` per label (zero_division 0).
pub fn f1_score(y_true: &[usize], y_pred: &[usize], average: Average) -> Result<f64> {
    fbeta_score(y_true, y_pred, 1.0, average)
}

/// scikit-learn's `fbeta_score`: `(1 + b²) tp / ((1 + b²) tp + b² fn + fp)`.
pub fn fbeta_score(y_true: &[usize], y_pred: &[usize], beta: f64, average: Average) -> Result<f64> {
    if beta.is_nan() || beta < 0.0 {
        return Err(MetricError::Undefined(format!("beta={beta}: must be >= 0")));
    }
    Ok(precision_recall_fscore(y_true, y_pred, beta, average, 0.0)?.2)
}

/// scikit-learn's `accuracy_score`: the fraction of correct predictions.
pub fn accuracy_score(y_true: &[usize], y_pred: &[usize]) -> Result<f64> {
    check_lengths(y_true.len(), y_pred.len())?;
    let correct = y_true.iter().zip(y_pred).filter(|(t, p)| t == p).count();
    Ok(correct as f64 / y_true.len() as f64)
}

/// scikit-learn's `balanced_accuracy_score`: the mean recall over the
/// labels of `y_true` (labels only predicted are skipped). `adjusted`
/// rescales so that chance scores 0: `(s - 1/C) / (1 - 1/C)`.
pub fn balanced_accuracy_score(y_true: &[usize], y_pred: &[usize], adjusted: bool) -> Result<f64> {
    let c = Confusion::new(y_true, y_pred)?;
    let (tp, truth) = (c.true_positives(), c.true_sums());
    let recalls: Vec<f64> = tp
        .iter()
        .zip(&truth)
        .filter(|(_, &t)| t > 0.0)
        .map(|(p, t)| p / t)
        .collect();
    let mut score = recalls.iter().sum::<f64>() / recalls.len() as f64;
    if adjusted {
        let chance = 1.0 / recalls.len() as f64;
        score = (score - chance) / (1.0 - chance);
    }
    Ok(score)
}

/// scikit-learn's `matthews_corrcoef` (the multiclass R_K of Gorodkin 2004);
/// 0 where it is undefined.
pub fn matthews_corrcoef(y_true: &[usize], y_pred: &[usize]) -> Result<f64> {
    let c = Confusion::new(y_true, y_pred)?;
    let (t, p) = (c.true_sums(), c.pred_sums());
    let n = c.total();
    let correct: f64 = c.true_positives().iter().sum();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let cov_ytyp = correct * n - dot(&t, &p);
    let cov_ypyp = n * n - dot(&p, &p);
    let cov_ytyt = n * n - dot(&t, &t);
    if cov_ypyp * cov_ytyt == 0.0 {
        return Ok(0.0);
    }
    Ok(cov_ytyp / (cov_ytyt * cov_ypyp).sqrt())
}

/// scikit-learn's `cohen_kappa_score` (unweighted): `1 - Σ w·C / Σ w·E`
/// with `w` off-diagonal ones and `E` the chance agreement. NaN where
/// undefined, as scikit-learn's `replace_undefined_by=np.nan`.
pub fn cohen_kappa_score(y_true: &[usize], y_pred: &[usize]) -> Result<f64> {
    let c = Confusion::new(y_true, y_pred)?;
    let (sum0, sum1) = (c.pred_sums(), c.true_sums());
    let total: f64 = sum0.iter().sum();
    let m = c.matrix();
    let (mut observed, mut expected) = (0.0, 0.0);
    for i in 0..sum0.len() {
        for j in 0..sum0.len() {
            if i != j {
                observed += m[(i, j)] as f64;
                expected += sum0[i] * sum1[j] / total;
            }
        }
    }
    if expected == 0.0 {
        return Ok(f64::NAN);
    }
    Ok(1.0 - observed / expected)
}

/// imbalanced-learn's `sensitivity_specificity_support`: per label, or
/// averaged. Returns `(sensitivity, specificity, support)`; specificity is
/// `tn / (tn + fp)`. Undefined ratios are 0.
pub fn sensitivity_specificity_support(
    y_true: &[usize],
    y_pred: &[usize],
    average: Option<Average>,
) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let c = Confusion::new(y_true, y_pred)?;
    if average == Some(Average::Binary) && c.labels().len() < 2 && !c.labels().contains(&1) {
        // imbalanced-learn returns zeros when label 1 never occurs.
        return Ok((vec![0.0], vec![0.0], Vec::new()));
    }
    let k = counts(&c, average)?;
    let n = k.tp.len();
    let spec: Vec<f64> = (0..n)
        .map(|i| divide(k.tn[i], k.tn[i] + k.pred[i] - k.tp[i], 0.0))
        .collect();
    let sens: Vec<f64> = (0..n).map(|i| divide(k.tp[i], k.truth[i], 0.0)).collect();
    match average {
        None => Ok((sens, spec, k.truth)),
        Some(a) => {
            let weights = (a == Average::Weighted).then_some(k.truth.as_slice());
            Ok((
                vec![nan_average(&sens, weights)],
                vec![nan_average(&spec, weights)],
                Vec::new(),
            ))
        }
    }
}

/// The averaging of [`geometric_mean_score`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GmeanAverage {
    /// imbalanced-learn's default "multiclass": the geometric mean of the
    /// per-class recalls, a recall of 0 replaced by `correction` (default 0).
    Multiclass { correction: f64 },
    /// `sqrt(sensitivity · specificity)` after averaging both as `Average`.
    Averaged(Average),
}

impl Default for GmeanAverage {
    fn default() -> Self {
        GmeanAverage::Multiclass { correction: 0.0 }
    }
}

/// imbalanced-learn's `geometric_mean_score` (Barandela et al. 2003;
/// Kubat & Matwin 1997). Default averaging: multiclass, correction 0.
pub fn geometric_mean_score(y_true: &[usize], y_pred: &[usize], average: GmeanAverage) -> Result<f64> {
    match average {
        GmeanAverage::Multiclass { correction } => {
            let c = Confusion::new(y_true, y_pred)?;
            let recalls: Vec<f64> = c
                .true_positives()
                .iter()
                .zip(c.true_sums())
                .map(|(&tp, t)| divide(tp, t, 0.0))
                .map(|r| if r == 0.0 { correction } else { r })
                .collect();
            // scipy's gmean: exp(mean(log r)).
            let mean_log = recalls.iter().map(|r| r.ln()).sum::<f64>() / recalls.len() as f64;
            Ok(mean_log.exp())
        }
        GmeanAverage::Averaged(a) => {
            let (sen, spe, _) = sensitivity_specificity_support(y_true, y_pred, Some(a))?;
            Ok((sen[0] * spe[0]).sqrt())
        }
    }
}

/// imbalanced-learn's `make_index_balanced_accuracy(alpha, squared=True)`
/// applied to the default `geometric_mean_score` (García et al. 2009):
/// `(1 + alpha (sens - spec)) · G²`, sensitivity and specificity
/// macro-averaged. Default alpha: 0.1.
pub fn index_balanced_accuracy(y_true: &[usize], y_pred: &[usize], alpha: f64) -> Result<f64> {
    let g = geometric_mean_score(y_true, y_pred, GmeanAverage::default())?;
    let (sen, spe, _) = sensitivity_specificity_support(y_true, y_pred, Some(Average::Macro))?;
    Ok((1.0 + alpha * (sen[0] - spe[0])) * g * g)
}

/// One row of [`classification_report_imbalanced`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClassReport {
    pub pre: f64,
    pub rec: f64,
    pub spe: f64,
    pub f1: f64,
    pub geo: f64,
    pub iba: f64,
    pub sup: f64,
}

/// imbalanced-learn's `classification_report_imbalanced` (its
/// `output_dict` form): a row per label and the support-weighted averages.
#[derive(Debug, Clone, PartialEq)]
pub struct ImbalancedReport {
    pub labels: Vec<usize>,
    pub classes: Vec<ClassReport>,
    /// Support-weighted means; `sup` is the total support.
    pub average: ClassReport,
}

/// imbalanced-learn's `classification_report_imbalanced(alpha=0.1)`.
pub fn classification_report_imbalanced(y_true: &[usize], y_pred: &[usize], alpha: f64) -> Result<ImbalancedReport> {
    let prf = precision_recall_fscore_support(y_true, y_pred, 1.0, 0.0)?;
    let (sen, spe, _) = sensitivity_specificity_support(y_true, y_pred, None)?;
    let classes: Vec<ClassReport> = (0..prf.labels.len())
        .map(|i| ClassReport {
            pre: prf.precision[i],
            rec: prf.recall[i],
            spe: spe[i],
            f1: prf.fscore[i],
            geo: (sen[i] * spe[i]).sqrt(),
            // The per-class IBA of the squared geometric mean.
            iba: (1.0 + alpha * (sen[i] - spe[i])) * (sen[i] * spe[i]).sqrt().powi(2),
            sup: prf.support[i],
        })
        .collect();
    let w = Some(prf.support.as_slice());
    let avg = |f: fn(&ClassReport) -> f64| nan_average(&classes.iter().map(f).collect::<Vec<_>>(), w);
    let average = ClassReport {
        pre: avg(|r| r.pre),
        rec: avg(|r| r.rec),
        spe: avg(|r| r.spe),
        f1: avg(|r| r.f1),
        geo: avg(|r| r.geo),
        iba: avg(|r| r.iba),
        sup: prf.support.iter().sum(),
    };
    Ok(ImbalancedReport {
        labels: prf.labels,
        classes,
        average,
    })
}

/// imbalanced-learn's `macro_averaged_mean_absolute_error` for ordinal
/// labels (Baccianella et al. 2009): the mean over labels of the (weighted)
/// mean absolute error of that label's samples. Labels are numeric values
/// here; `weights` default to 1 per sample. A label predicted but absent
/// from `y_true` is an error, as in imbalanced-learn.
pub fn macro_averaged_mean_absolute_error(y_true: &[f64], y_pred: &[f64], weights: Option<&[f64]>) -> Result<f64> {
    check_lengths(y_true.len(), y_pred.len())?;
    if let Some(w) = weights.filter(|w| w.len() != y_true.len()) {
        return Err(MetricError::Undefined(format!(
            "sample_weight has {} entries but there are {} samples: give one weight per sample",
            w.len(),
            y_true.len()
        )));
    }
    if let Some(v) = y_true.iter().chain(y_pred).find(|v| !v.is_finite()) {
        return Err(MetricError::Undefined(format!("label value {v} is not finite")));
    }
    let mut labels: Vec<f64> = y_true.iter().chain(y_pred).copied().collect();
    labels.sort_by(f64::total_cmp);
    labels.dedup();
    let mut total = 0.0;
    for &l in &labels {
        let (mut sum, mut weight) = (0.0, 0.0);
        for (i, (t, p)) in y_true.iter().zip(y_pred).enumerate().filter(|(_, (&t, _))| t == l) {
            let w = weights.map_or(1.0, |w| w[i]);
            sum += w * (t - p).abs();
            weight += w;
        }
        if weight == 0.0 {
            return Err(MetricError::Undefined(format!(
                "label {l} is predicted but never true (or its weights sum to 0): \
                 macro-averaged MAE needs every label in y_true"
            )));
        }
        total += sum / weight;
    }
    Ok(total / labels.len() as f64)
}
