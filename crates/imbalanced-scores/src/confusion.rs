//! The confusion matrix and the per-class counts every label metric uses.

use ndarray::Array2;

use crate::{check_lengths, MetricError, Result};

/// A confusion matrix over the sorted union of the labels of `y_true` and
/// `y_pred`: rows are true labels, columns predicted labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confusion {
    labels: Vec<usize>,
    matrix: Array2<u64>,
}

/// scikit-learn's `confusion_matrix(y_true, y_pred)`.
pub fn confusion_matrix(y_true: &[usize], y_pred: &[usize]) -> Result<Confusion> {
    Confusion::new(y_true, y_pred)
}

impl Confusion {
    /// Counts `(true, predicted)` pairs.
    pub fn new(y_true: &[usize], y_pred: &[usize]) -> Result<Self> {
        check_lengths(y_true.len(), y_pred.len())?;
        let mut labels: Vec<usize> = y_true.iter().chain(y_pred).copied().collect();
        labels.sort_unstable();
        labels.dedup();
        let top = labels[labels.len() - 1];
        let mut position = vec![usize::MAX; top + 1];
        for (p, &l) in labels.iter().enumerate() {
            position[l] = p;
        }
        let mut matrix = Array2::zeros((labels.len(), labels.len()));
        for (&t, &p) in y_true.iter().zip(y_pred) {
            matrix[(position[t], position[p])] += 1;
        }
        Ok(Confusion { labels, matrix })
    }

    /// The labels of the rows and columns, ascending.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// The counts: `matrix[(i, j)]` samples of label `labels[i]` predicted as `labels[j]`.
    pub fn matrix(&self) -> &Array2<u64> {
        &self.matrix
    }

    /// Number of samples.
    pub fn total(&self) -> f64 {
        self.matrix.sum() as f64
    }

    /// Correct predictions of each label.
    pub fn true_positives(&self) -> Vec<f64> {
        self.matrix.diag().iter().map(|&v| v as f64).collect()
    }

    /// Samples of each label in `y_true` (its support).
    pub fn true_sums(&self) -> Vec<f64> {
        self.matrix.rows().into_iter().map(|r| r.sum() as f64).collect()
    }

    /// Predictions of each label.
    pub fn pred_sums(&self) -> Vec<f64> {
        self.matrix.columns().into_iter().map(|c| c.sum() as f64).collect()
    }

    /// Samples neither of the label nor predicted as it.
    pub fn true_negatives(&self) -> Vec<f64> {
        let n = self.total();
        let (tp, t, p) = (self.true_positives(), self.true_sums(), self.pred_sums());
        (0..self.labels.len()).map(|k| n - (p[k] + t[k] - tp[k])).collect()
    }
}

/// Per-label sums of a prediction, each sample counted with its weight:
/// scikit-learn's `tp_sum`, `pred_sum` and `true_sum` (the `np.bincount`s of
/// its `precision_recall_fscore_support` and of imbalanced-learn's
/// `sensitivity_specificity_support`, summed in the same order, so equal to
/// the bit).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelSums {
    /// Weight of the samples predicted as their true label, per label.
    pub tp: Vec<f64>,
    /// Weight of the samples predicted as each label.
    pub pred: Vec<f64>,
    /// Weight of the samples of each true label (the support).
    pub truth: Vec<f64>,
}

impl LabelSums {
    /// Sums over labels `0..n_labels`; `weights` default to 1 per sample.
    /// Codes at or above `n_labels`, and weights of another length than the
    /// labels, are errors.
    pub fn new(y_true: &[usize], y_pred: &[usize], n_labels: usize, weights: Option<&[f64]>) -> Result<Self> {
        if y_true.len() != y_pred.len() {
            return Err(MetricError::LengthMismatch {
                y_true: y_true.len(),
                y_pred: y_pred.len(),
            });
        }
        if let Some(w) = weights.filter(|w| w.len() != y_true.len()) {
            return Err(MetricError::Undefined(format!(
                "sample_weight has {} entries but there are {} samples: give one weight per sample",
                w.len(),
                y_true.len()
            )));
        }
        if let Some(&label) = y_true.iter().chain(y_pred).find(|&&c| c >= n_labels) {
            return Err(MetricError::UnknownLabel {
                label,
                classes: n_labels,
            });
        }
        let mut sums = LabelSums {
            tp: vec![0.0; n_labels],
            pred: vec![0.0; n_labels],
            truth: vec![0.0; n_labels],
        };
        for (i, (&t, &p)) in y_true.iter().zip(y_pred).enumerate() {
            let w = weights.map_or(1.0, |w| w[i]);
            sums.truth[t] += w;
            sums.pred[p] += w;
            if t == p {
                sums.tp[t] += w;
            }
        }
        Ok(sums)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_pairs_over_the_union_of_labels() {
        let c = confusion_matrix(&[0, 0, 2, 2], &[0, 5, 2, 0]).unwrap();
        assert_eq!(c.labels(), &[0, 2, 5]);
        assert_eq!(c.matrix().row(0).to_vec(), vec![1, 0, 1]);
        assert_eq!(c.matrix().row(1).to_vec(), vec![1, 1, 0]);
        assert_eq!(c.true_negatives(), vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn label_sums_weigh_each_sample() {
        let s = LabelSums::new(&[0, 0, 1, 2], &[0, 1, 1, 0], 4, Some(&[1.0, 2.0, 0.5, 4.0])).unwrap();
        assert_eq!(s.tp, vec![1.0, 0.5, 0.0, 0.0]);
        assert_eq!(s.pred, vec![5.0, 2.5, 0.0, 0.0]);
        assert_eq!(s.truth, vec![3.0, 0.5, 4.0, 0.0]);
        let unweighted = LabelSums::new(&[0, 1], &[1, 1], 2, None).unwrap();
        assert_eq!((unweighted.tp, unweighted.truth), (vec![0.0, 1.0], vec![1.0, 1.0]));
    }

    #[test]
    fn label_sums_refuse_bad_codes_and_weights() {
        assert!(matches!(
            LabelSums::new(&[0, 3], &[0, 0], 3, None),
            Err(MetricError::UnknownLabel { label: 3, classes: 3 })
        ));
        assert!(LabelSums::new(&[0, 1], &[0], 2, None).is_err());
        assert!(LabelSums::new(&[0, 1], &[0, 1], 2, Some(&[1.0])).is_err());
    }

    #[test]
    fn refuses_mismatched_lengths() {
        assert!(confusion_matrix(&[0, 1], &[0]).is_err());
        assert!(confusion_matrix(&[], &[]).is_err());
    }
}
