//! Metrics on scores: ROC and precision-recall curves and their areas, as
//! scikit-learn's `_binary_clf_curve`, `roc_curve`, `roc_auc_score`,
//! `precision_recall_curve` and `average_precision_score`.

use ndarray::ArrayView2;

use crate::{check_lengths, MetricError, Result};

/// A curve: `x`, `y` and the score threshold of each point.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub thresholds: Vec<f64>,
}

impl Curve {
    /// The trapezoidal area under the curve (scikit-learn's `auc(x, y)`):
    /// the ROC AUC of a [`roc_curve`].
    pub fn auc(&self) -> f64 {
        self.x
            .windows(2)
            .zip(self.y.windows(2))
            .map(|(a, b)| (a[1] - a[0]) * (b[0] + b[1]) / 2.0)
            .sum()
    }

    /// The step area `-Σ (x[i+1] - x[i]) y[i]` of a [`precision_recall_curve`]:
    /// scikit-learn's average precision (no interpolation).
    pub fn average_precision(&self) -> f64 {
        let area: f64 = -self
            .x
            .windows(2)
            .zip(&self.y)
            .map(|(r, p)| (r[1] - r[0]) * p)
            .sum::<f64>();
        area.max(0.0)
    }
}

/// How one-vs-rest areas of a multiclass problem are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MulticlassAverage {
    /// Unweighted mean over classes (scikit-learn's default).
    #[default]
    Macro,
    /// Mean weighted by each class's prevalence in `y_true`.
    Weighted,
}

fn check_scores(y_true: &[bool], scores: &[f64]) -> Result<()> {
    check_lengths(y_true.len(), scores.len())?;
    if let Some((row, &value)) = scores.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(MetricError::NonFinite { row, value });
    }
    Ok(())
}

/// False and true positive counts at each distinct score, scores descending.
fn binary_clf_curve(y_true: &[bool], scores: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    // numpy's stable argsort, reversed: descending score, ties by descending index.
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(a.cmp(&b)));
    order.reverse();
    let (mut fps, mut tps, mut thresholds) = (Vec::new(), Vec::new(), Vec::new());
    let mut tp = 0.0;
    for (i, &o) in order.iter().enumerate() {
        if y_true[o] {
            tp += 1.0;
        }
        let last = i + 1 == order.len() || scores[order[i + 1]] != scores[o];
        if last {
            tps.push(tp);
            fps.push((i + 1) as f64 - tp);
            thresholds.push(scores[o]);
        }
    }
    (fps, tps, thresholds)
}

/// scikit-learn's `roc_curve(y_true, y_score, drop_intermediate=True)` for
/// the positive class `y_true[i] == true`: `x` is the false positive rate,
/// `y` the true positive rate; the first threshold is `+inf`.
pub fn roc_curve(y_true: &[bool], scores: &[f64]) -> Result<Curve> {
    check_scores(y_true, scores)?;
    let (mut fps, mut tps, mut thr) = binary_clf_curve(y_true, scores);
    if fps.len() > 2 {
        // Drop points collinear with their neighbours (second differences zero).
        let keep: Vec<usize> = (0..fps.len())
            .filter(|&i| {
                i == 0
                    || i + 1 == fps.len()
                    || fps[i + 1] - 2.0 * fps[i] + fps[i - 1] != 0.0
                    || tps[i + 1] - 2.0 * tps[i] + tps[i - 1] != 0.0
            })
            .collect();
        fps = keep.iter().map(|&i| fps[i]).collect();
        tps = keep.iter().map(|&i| tps[i]).collect();
        thr = keep.iter().map(|&i| thr[i]).collect();
    }
    fps.insert(0, 0.0);
    tps.insert(0, 0.0);
    thr.insert(0, f64::INFINITY);
    let (fn_, tn_) = (fps[fps.len() - 1], tps[tps.len() - 1]);
    Ok(Curve {
        x: fps.iter().map(|f| f / fn_).collect(),
        y: tps.iter().map(|t| t / tn_).collect(),
        thresholds: thr,
    })
}

fn binary_roc_auc(y_true: &[bool], scores: &[f64]) -> Result<f64> {
    let positives = y_true.iter().filter(|&&t| t).count();
    if positives == 0 || positives == y_true.len() {
        return Err(MetricError::SingleClass("ROC AUC"));
    }
    Ok(roc_curve(y_true, scores)?.auc())
}

/// scikit-learn's `precision_recall_curve(y_true, y_score)`: `x` is the
/// recall, `y` the precision, ending at recall 0 and precision 1;
/// thresholds ascending (one fewer than points).
pub fn precision_recall_curve(y_true: &[bool], scores: &[f64]) -> Result<Curve> {
    check_scores(y_true, scores)?;
    let (fps, tps, thr) = binary_clf_curve(y_true, scores);
    let total = tps[tps.len() - 1];
    let mut precision: Vec<f64> = tps
        .iter()
        .zip(&fps)
        .map(|(t, f)| if t + f != 0.0 { t / (t + f) } else { 0.0 })
        .collect();
    let mut recall: Vec<f64> = tps.iter().map(|t| if total == 0.0 { 1.0 } else { t / total }).collect();
    precision.reverse();
    recall.reverse();
    precision.push(1.0);
    recall.push(0.0);
    Ok(Curve {
        x: recall,
        y: precision,
        thresholds: thr.into_iter().rev().collect(),
    })
}

fn binary_average_precision(y_true: &[bool], scores: &[f64]) -> Result<f64> {
    Ok(precision_recall_curve(y_true, scores)?.average_precision())
}

/// One-vs-rest scores of class `k`: the indicator of `y_true == k` and column `k`.
fn one_vs_rest(y_true: &[usize], proba: ArrayView2<'_, f64>, k: usize) -> (Vec<bool>, Vec<f64>) {
    (y_true.iter().map(|&c| c == k).collect(), proba.column(k).to_vec())
}

/// Checks a probability matrix against labels `0..C` and returns `C`.
/// Rows must sum to 1 as numpy's `allclose` (relative 1e-5) where asked.
pub(crate) fn check_proba(y_true: &[usize], proba: ArrayView2<'_, f64>, need_sum_one: bool) -> Result<usize> {
    check_lengths(y_true.len(), proba.nrows())?;
    let classes = proba.ncols();
    if classes < 2 {
        return Err(MetricError::ProbaShape {
            columns: classes,
            classes: 2,
        });
    }
    if let Some(&label) = y_true.iter().find(|&&c| c >= classes) {
        return Err(MetricError::UnknownLabel { label, classes });
    }
    for (row, r) in proba.rows().into_iter().enumerate() {
        if let Some(&value) = r.iter().find(|v| !v.is_finite()) {
            return Err(MetricError::NonFinite { row, value });
        }
        if need_sum_one {
            let sum: f64 = r.sum();
            // numpy's allclose(1, sum): |1 - sum| <= 1e-8 + 1e-5 |sum|.
            if (1.0 - sum).abs() > 1e-8 + 1e-5 * sum.abs() {
                return Err(MetricError::ProbaNotNormalised { row, sum });
            }
        }
    }
    Ok(classes)
}

fn average_ovr(
    y_true: &[usize],
    proba: ArrayView2<'_, f64>,
    average: MulticlassAverage,
    score: fn(&[bool], &[f64]) -> Result<f64>,
) -> Result<f64> {
    let classes = proba.ncols();
    let (mut sum, mut wsum) = (0.0, 0.0);
    for k in 0..classes {
        let (t, s) = one_vs_rest(y_true, proba, k);
        let w = match average {
            MulticlassAverage::Macro => 1.0,
            MulticlassAverage::Weighted => t.iter().filter(|&&b| b).count() as f64,
        };
        sum += w * score(&t, &s)?;
        wsum += w;
    }
    Ok(sum / wsum)
}

fn present(y_true: &[usize], classes: usize) -> usize {
    let mut seen = vec![false; classes];
    y_true.iter().for_each(|&c| seen[c] = true);
    seen.iter().filter(|&&s| s).count()
}

/// The area `binary` gives class 1's scores for two columns, or the
/// one-vs-rest areas averaged for more (every class must be in `y_true`).
fn area(
    y_true: &[usize],
    proba: ArrayView2<'_, f64>,
    average: MulticlassAverage,
    need_sum_one: bool,
    binary: fn(&[bool], &[f64]) -> Result<f64>,
) -> Result<f64> {
    let classes = check_proba(y_true, proba, need_sum_one)?;
    if classes == 2 {
        let (t, s) = one_vs_rest(y_true, proba, 1);
        return binary(&t, &s);
    }
    let found = present(y_true, classes);
    if found != classes {
        return Err(MetricError::ProbaShape {
            columns: classes,
            classes: found,
        });
    }
    average_ovr(y_true, proba, average, binary)
}

/// scikit-learn's `roc_auc_score` on class probabilities (`n x C`, column
/// `k` for class `k`). Two columns: the binary area of column 1. More: the
/// one-vs-rest areas averaged (scikit-learn's `multi_class="ovr"`), which
/// needs rows that sum to 1 and every class present in `y_true`.
pub fn roc_auc_score(y_true: &[usize], proba: ArrayView2<'_, f64>, average: MulticlassAverage) -> Result<f64> {
    area(y_true, proba, average, proba.ncols() > 2, binary_roc_auc)
}

/// scikit-learn's `average_precision_score`: `Σ (R_n - R_{n-1}) P_n`, the
/// step-wise area under the precision-recall curve (no interpolation).
/// Two columns: class 1's. More: one-vs-rest, averaged.
pub fn average_precision_score(
    y_true: &[usize],
    proba: ArrayView2<'_, f64>,
    average: MulticlassAverage,
) -> Result<f64> {
    area(y_true, proba, average, false, binary_average_precision)
}
