//! Every metric at once, keyed by the scikit-learn / imbalanced-learn
//! function name (with the averaging as a suffix where there is one).

use ndarray::ArrayView2;

use crate::classification::{
    accuracy_score, balanced_accuracy_score, cohen_kappa_score, geometric_mean_score, index_balanced_accuracy,
    macro_averaged_mean_absolute_error, matthews_corrcoef, precision_recall_fscore, sensitivity_specificity_support,
    GmeanAverage,
};
use crate::probabilistic::{brier_score_loss, expected_calibration_error, log_loss, maximum_calibration_error};
use crate::ranking::{average_precision_score, roc_auc_score, MulticlassAverage};
use crate::{Average, Result};

/// `roc_auc_score` or `average_precision_score`.
type AreaScore = fn(&[usize], ArrayView2<'_, f64>, MulticlassAverage) -> Result<f64>;

/// Named metric values, in a fixed order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scores(pub Vec<(String, f64)>);

impl Scores {
    /// The value of a metric by name.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}

/// All label metrics of `y_pred`, and the probability metrics when
/// `proba` (`n x C`, column `k` for class `k`) is given. A binary problem
/// (`C == 2`, or at most two labels without probabilities) adds the
/// `average="binary"` scores of class 1 and names its areas without a suffix;
/// a multiclass one reports one-vs-rest areas: `roc_auc_score_ovr_macro`,
/// `roc_auc_score_ovr_weighted`, `average_precision_score` (macro, as
/// scikit-learn's default) and `average_precision_score_weighted`.
pub fn all_scores(y_true: &[usize], y_pred: &[usize], proba: Option<ArrayView2<'_, f64>>) -> Result<Scores> {
    let mut s: Vec<(String, f64)> = Vec::new();
    s.push(("accuracy_score".into(), accuracy_score(y_true, y_pred)?));
    s.push((
        "balanced_accuracy_score".into(),
        balanced_accuracy_score(y_true, y_pred, false)?,
    ));
    s.push((
        "balanced_accuracy_score_adjusted".into(),
        balanced_accuracy_score(y_true, y_pred, true)?,
    ));
    let max_label = y_true.iter().chain(y_pred).max().copied().unwrap_or(0);
    let binary = proba.map_or(max_label <= 1, |p| p.ncols() == 2);
    let averages: &[(Average, &str)] = if binary {
        &[
            (Average::Binary, ""),
            (Average::Macro, "_macro"),
            (Average::Weighted, "_weighted"),
            (Average::Micro, "_micro"),
        ]
    } else {
        &[
            (Average::Macro, "_macro"),
            (Average::Weighted, "_weighted"),
            (Average::Micro, "_micro"),
        ]
    };
    for &(average, suffix) in averages {
        let (p, r, f) = precision_recall_fscore(y_true, y_pred, 1.0, average, 0.0)?;
        let (sen, spe, _) = sensitivity_specificity_support(y_true, y_pred, Some(average))?;
        for (name, v) in [
            ("precision_score", p),
            ("recall_score", r),
            ("f1_score", f),
            ("sensitivity_score", sen[0]),
            ("specificity_score", spe[0]),
        ] {
            s.push((format!("{name}{suffix}"), v));
        }
    }
    s.push((
        "geometric_mean_score".into(),
        geometric_mean_score(y_true, y_pred, GmeanAverage::default())?,
    ));
    s.push((
        "index_balanced_accuracy".into(),
        index_balanced_accuracy(y_true, y_pred, 0.1)?,
    ));
    s.push(("matthews_corrcoef".into(), matthews_corrcoef(y_true, y_pred)?));
    s.push(("cohen_kappa_score".into(), cohen_kappa_score(y_true, y_pred)?));
    if let Some(p) = proba {
        let (macro_, weighted) = (MulticlassAverage::Macro, MulticlassAverage::Weighted);
        let areas: &[(&str, AreaScore, MulticlassAverage)] = if binary {
            &[
                ("roc_auc_score", roc_auc_score, macro_),
                ("average_precision_score", average_precision_score, macro_),
            ]
        } else {
            &[
                ("roc_auc_score_ovr_macro", roc_auc_score, macro_),
                ("roc_auc_score_ovr_weighted", roc_auc_score, weighted),
                ("average_precision_score", average_precision_score, macro_),
                ("average_precision_score_weighted", average_precision_score, weighted),
            ]
        };
        for &(name, area, average) in areas {
            s.push((name.into(), area(y_true, p, average)?));
        }
        s.push(("log_loss".into(), log_loss(y_true, p)?));
        s.push(("brier_score_loss".into(), brier_score_loss(y_true, p)?));
        let ece = expected_calibration_error(y_true, p, 10)?;
        s.push(("expected_calibration_error".into(), ece));
        s.push((
            "maximum_calibration_error".into(),
            maximum_calibration_error(y_true, p, 10)?,
        ));
    }
    Ok(Scores(s))
}

/// [`all_scores`] of classes named `labels` (code `c` is `labels[c]`); when
/// every label is a number (ordinal classes), imbalanced-learn's
/// `macro_averaged_mean_absolute_error` between the label values comes last.
pub fn all_scores_labelled(
    y_true: &[usize],
    y_pred: &[usize],
    proba: Option<ArrayView2<'_, f64>>,
    labels: &[String],
) -> Result<Scores> {
    let mut scores = all_scores(y_true, y_pred, proba)?;
    let values: Option<Vec<f64>> = labels.iter().map(|l| l.trim().parse::<f64>().ok()).collect();
    if let Some(values) = values {
        let value = |codes: &[usize]| {
            codes
                .iter()
                .map(|&c| values.get(c).copied().unwrap_or(f64::NAN))
                .collect::<Vec<_>>()
        };
        if let Ok(mae) = macro_averaged_mean_absolute_error(&value(y_true), &value(y_pred), None) {
            scores.0.push(("macro_averaged_mean_absolute_error".into(), mae));
        }
    }
    Ok(scores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinal_labels_add_the_mean_absolute_error_of_their_values() {
        let (t, p) = ([0, 1, 2, 2, 1], [0, 2, 2, 0, 1]);
        let numbers: Vec<String> = ["1", "5", "10"].map(String::from).to_vec();
        let s = all_scores_labelled(&t, &p, None, &numbers).unwrap();
        let want = macro_averaged_mean_absolute_error(&[1., 5., 10., 10., 5.], &[1., 10., 10., 1., 5.], None).unwrap();
        assert_eq!(s.get("macro_averaged_mean_absolute_error"), Some(want));
        assert_eq!(s.0.last().unwrap().0, "macro_averaged_mean_absolute_error");
        let words: Vec<String> = ["low", "mid", "high"].map(String::from).to_vec();
        let s = all_scores_labelled(&t, &p, None, &words).unwrap();
        assert_eq!(s.get("macro_averaged_mean_absolute_error"), None);
        assert_eq!(s, all_scores(&t, &p, None).unwrap());
    }
}
