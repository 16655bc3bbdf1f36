//! Every metric at once, keyed by the scikit-learn / imbalanced-learn
//! function name (with the averaging as a suffix where there is one).

use ndarray::ArrayView2;

use crate::classification::{
    accuracy_score, balanced_accuracy_score, cohen_kappa_score, geometric_mean_score, index_balanced_accuracy,
    matthews_corrcoef, precision_recall_fscore, sensitivity_specificity_support, GmeanAverage,
};
use crate::probabilistic::{brier_score_loss, expected_calibration_error, log_loss, maximum_calibration_error};
use crate::ranking::{average_precision_score, roc_auc_score, MulticlassAverage};
use crate::{Average, Result};

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
        if binary {
            s.push((
                "roc_auc_score".into(),
                roc_auc_score(y_true, p, MulticlassAverage::Macro)?,
            ));
            s.push((
                "average_precision_score".into(),
                average_precision_score(y_true, p, MulticlassAverage::Macro)?,
            ));
        } else {
            s.push((
                "roc_auc_score_ovr_macro".into(),
                roc_auc_score(y_true, p, MulticlassAverage::Macro)?,
            ));
            s.push((
                "roc_auc_score_ovr_weighted".into(),
                roc_auc_score(y_true, p, MulticlassAverage::Weighted)?,
            ));
            s.push((
                "average_precision_score".into(),
                average_precision_score(y_true, p, MulticlassAverage::Macro)?,
            ));
            s.push((
                "average_precision_score_weighted".into(),
                average_precision_score(y_true, p, MulticlassAverage::Weighted)?,
            ));
        }
        s.push(("log_loss".into(), log_loss(y_true, p)?));
        s.push(("brier_score_loss".into(), brier_score_loss(y_true, p)?));
        s.push((
            "expected_calibration_error".into(),
            expected_calibration_error(y_true, p, 10)?,
        ));
        s.push((
            "maximum_calibration_error".into(),
            maximum_calibration_error(y_true, p, 10)?,
        ));
    }
    Ok(Scores(s))
}
