//! Permutation importance (Breiman 2001; scikit-learn's
//! `permutation_importance`): how much a score drops when one column's
//! values are shuffled, repeated `n_repeats` times. With the same seed the
//! shuffles are scikit-learn's (NumPy's `RandomState`, bit for bit: one
//! seed drawn from `random_state`, every column shuffled from it, each
//! repeat shuffling the column as the previous one left it), so a model
//! that predicts alike gets the same importances.

use imbalanced_random::{RngKind, SamplerRng};
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::ExplainError;

/// The score that is compared: scikit-learn's scorer names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scoring {
    /// `"accuracy"`, a classifier's default `score`.
    #[default]
    Accuracy,
    /// `"balanced_accuracy"`: the mean recall, what imbalance calls for.
    BalancedAccuracy,
    /// `"f1_macro"`.
    F1Macro,
}

impl std::str::FromStr for Scoring {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "accuracy" => Ok(Scoring::Accuracy),
            "balanced_accuracy" => Ok(Scoring::BalancedAccuracy),
            "f1_macro" => Ok(Scoring::F1Macro),
            other => Err(format!(
                "unknown scoring {other:?}: use accuracy, balanced_accuracy or f1_macro"
            )),
        }
    }
}

impl Scoring {
    fn score(self, y: &[usize], pred: &[usize]) -> Result<f64, ExplainError> {
        let out = match self {
            Scoring::Accuracy => imbalanced_scores::accuracy_score(y, pred),
            Scoring::BalancedAccuracy => imbalanced_scores::balanced_accuracy_score(y, pred, false),
            Scoring::F1Macro => imbalanced_scores::f1_score(y, pred, imbalanced_scores::Average::Macro),
        };
        out.map_err(|e| ExplainError::Input(e.to_string()))
    }
}

/// How many rows each column's shuffles are scored on: scikit-learn's
/// `max_samples`, a share of the rows (`int(share x rows)`) or a count.
/// The rows are drawn per column (scikit-learn's
/// `sample_without_replacement` from the column's generator); the baseline
/// score is always the one on every row, as scikit-learn computes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxSamples {
    /// In `(0, 1]`.
    Share(f64),
    /// In `1..=rows`.
    Count(usize),
}

impl std::str::FromStr for MaxSamples {
    type Err = String;
    /// An integer is a count of rows (`30`), anything else a share (`0.5`,
    /// `1.0`), as scikit-learn tells an int from a float.
    fn from_str(s: &str) -> Result<Self, String> {
        if let Ok(count) = s.parse::<usize>() {
            return Ok(MaxSamples::Count(count));
        }
        s.parse::<f64>()
            .map(MaxSamples::Share)
            .map_err(|_| format!("max_samples {s:?}: give a share such as 0.5 or a count of rows such as 200"))
    }
}

/// Settings; scikit-learn's defaults: 5 repeats, accuracy, every row,
/// seed 0 (its `random_state=None` draws one; ours is always given).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PermutationImportance {
    pub n_repeats: usize,
    pub scoring: Scoring,
    pub max_samples: MaxSamples,
    pub random_state: u32,
}

impl Default for PermutationImportance {
    fn default() -> Self {
        PermutationImportance {
            n_repeats: 5,
            scoring: Scoring::Accuracy,
            max_samples: MaxSamples::Share(1.0),
            random_state: 0,
        }
    }
}

/// scikit-learn's `Bunch`: per column the mean and standard deviation of
/// the score drops, and each repeat's drop (`d x n_repeats`).
#[derive(Debug, Clone, PartialEq)]
pub struct Importances {
    pub baseline: f64,
    pub importances_mean: Vec<f64>,
    pub importances_std: Vec<f64>,
    pub importances: Array2<f64>,
}

impl Importances {
    /// The columns named `features` by decreasing mean drop, as a table's
    /// header and rows: the feature, its mean drop and standard deviation.
    pub fn table(&self, features: &[String]) -> (Vec<String>, Vec<Vec<String>>) {
        let mut order: Vec<usize> = (0..self.importances_mean.len()).collect();
        order.sort_by(|&a, &b| self.importances_mean[b].total_cmp(&self.importances_mean[a]));
        let header = ["feature", "mean drop", "std"].map(String::from).to_vec();
        let rows = order
            .into_iter()
            .map(|j| {
                vec![
                    features.get(j).cloned().unwrap_or_else(|| format!("column {j}")),
                    format!("{:.4}", self.importances_mean[j]),
                    format!("{:.4}", self.importances_std[j]),
                ]
            })
            .collect();
        (header, rows)
    }

    /// `{"features", "scoring", "baseline", "importances_mean",
    /// "importances_std", "importances": [feature][repeat]}`, for the
    /// columns named `features` and the score named `scoring`.
    pub fn to_json(&self, features: &[String], scoring: &str) -> serde_json::Value {
        serde_json::json!({
            "features": features,
            "scoring": scoring,
            "baseline": self.baseline,
            "importances_mean": self.importances_mean,
            "importances_std": self.importances_std,
            "importances": self.importances.outer_iter().map(|row| row.to_vec()).collect::<Vec<_>>(),
        })
    }
}

impl PermutationImportance {
    /// The importances of `x`'s columns for `predict` (class codes of rows)
    /// against the labels `y`, columns in parallel.
    pub fn compute<P>(&self, predict: P, x: ArrayView2<'_, f64>, y: &[usize]) -> Result<Importances, ExplainError>
    where
        P: Fn(ArrayView2<'_, f64>) -> Result<Vec<usize>, ExplainError> + Sync,
    {
        self.compute_seeded(predict, x, y, self.column_seed())
    }

    /// The seed every column's generator starts from, as scikit-learn
    /// draws it: `RandomState(random_state).randint(2^31)`.
    pub fn column_seed(&self) -> u32 {
        SamplerRng::new(RngKind::Numpy, u64::from(self.random_state)).randint(1 << 31) as u32
    }

    /// [`PermutationImportance::compute`] from a column seed already drawn
    /// (scikit-learn's draw from `random_state=None` or a `RandomState`
    /// is made on the caller's side).
    pub fn compute_seeded<P>(
        &self,
        predict: P,
        x: ArrayView2<'_, f64>,
        y: &[usize],
        seed: u32,
    ) -> Result<Importances, ExplainError>
    where
        P: Fn(ArrayView2<'_, f64>) -> Result<Vec<usize>, ExplainError> + Sync,
    {
        if self.n_repeats == 0 {
            return Err(ExplainError::Input("n_repeats must be at least 1".into()));
        }
        if x.nrows() != y.len() || y.is_empty() {
            return Err(ExplainError::Input(format!(
                "{} rows and {} labels: give one label per row, and some rows",
                x.nrows(),
                y.len()
            )));
        }
        let n = x.nrows();
        let take = match self.max_samples {
            MaxSamples::Share(share) if share > 0.0 && share <= 1.0 => (share * n as f64) as usize,
            MaxSamples::Count(count) if (1..=n).contains(&count) => count,
            other => {
                return Err(ExplainError::Input(format!(
                    "max_samples = {other:?}: give a share in (0, 1] or a count of 1 to {n} rows"
                )))
            }
        };
        if take == 0 {
            return Err(ExplainError::Input(format!(
                "max_samples = {:?} of {n} rows scores no row: give a larger share",
                self.max_samples
            )));
        }
        let baseline = self.scoring.score(y, &predict(x)?)?;
        // scikit-learn shuffles every column from the one seed.
        let seed = u64::from(seed);
        let drops: Vec<Vec<f64>> = (0..x.ncols())
            .into_par_iter()
            .map(|column| {
                let mut rng = SamplerRng::new(RngKind::Numpy, seed);
                let (mut permuted, y) = if take < n {
                    let rows = rng.sample_without_replacement(n, take);
                    (x.select(ndarray::Axis(0), &rows), rows.iter().map(|&r| y[r]).collect())
                } else {
                    (x.to_owned(), y.to_vec())
                };
                let mut order: Vec<usize> = (0..take).collect();
                (0..self.n_repeats)
                    .map(|_| {
                        rng.shuffle(&mut order);
                        // As scikit-learn (`X[:, j] = X[order, j]`): each repeat
                        // shuffles the column as the last one left it.
                        let current = permuted.column(column).to_vec();
                        for (r, &from) in order.iter().enumerate() {
                            permuted[(r, column)] = current[from];
                        }
                        Ok(baseline - self.scoring.score(&y, &predict(permuted.view())?)?)
                    })
                    .collect()
            })
            .collect::<Result<_, ExplainError>>()?;
        let importances = Array2::from_shape_fn((x.ncols(), self.n_repeats), |(j, r)| drops[j][r]);
        let mean: Vec<f64> = drops.iter().map(|d| d.iter().sum::<f64>() / d.len() as f64).collect();
        let std = drops
            .iter()
            .zip(&mean)
            .map(|(d, m)| (d.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / d.len() as f64).sqrt())
            .collect();
        Ok(Importances {
            baseline,
            importances_mean: mean,
            importances_std: std,
            importances,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_column_the_model_ignores_has_no_importance_and_bad_settings_are_refused() {
        let x = array![[0.0, 5.0], [1.0, 3.0], [2.0, 1.0], [3.0, 0.0], [4.0, 2.0], [5.0, 4.0]];
        let y = [0, 0, 0, 1, 1, 1];
        // The model reads column 0 only.
        let predict = |rows: ArrayView2<'_, f64>| Ok(rows.column(0).iter().map(|&v| usize::from(v > 2.5)).collect());
        let r = PermutationImportance::default().compute(predict, x.view(), &y).unwrap();
        assert_eq!(r.baseline, 1.0);
        assert_eq!(r.importances_mean[1], 0.0);
        assert!(r.importances_mean[0] > 0.0 && r.importances.dim() == (2, 5));
        assert_eq!(
            r,
            PermutationImportance::default().compute(predict, x.view(), &y).unwrap(),
            "seeded"
        );
        let none = PermutationImportance {
            n_repeats: 0,
            ..Default::default()
        };
        assert!(none
            .compute(predict, x.view(), &y)
            .unwrap_err()
            .to_string()
            .contains("n_repeats"));
        assert!(PermutationImportance::default()
            .compute(predict, x.view(), &y[..3])
            .unwrap_err()
            .to_string()
            .contains("one label per row"));
        assert!("roc_auc".parse::<Scoring>().unwrap_err().contains("balanced_accuracy"));
        for (max_samples, message) in [
            (MaxSamples::Share(0.0), "a share in (0, 1]"),
            (MaxSamples::Share(1.5), "a share in (0, 1]"),
            (MaxSamples::Count(0), "a count of 1 to 6 rows"),
            (MaxSamples::Count(7), "a count of 1 to 6 rows"),
            (MaxSamples::Share(0.1), "scores no row"),
        ] {
            let settings = PermutationImportance {
                max_samples,
                ..Default::default()
            };
            let e = settings.compute(predict, x.view(), &y).unwrap_err().to_string();
            assert!(e.contains(message), "{max_samples:?}: {e}");
        }
        assert_eq!("30".parse::<MaxSamples>(), Ok(MaxSamples::Count(30)));
        assert_eq!("0.5".parse::<MaxSamples>(), Ok(MaxSamples::Share(0.5)));
        assert!("half"
            .parse::<MaxSamples>()
            .unwrap_err()
            .contains("a share such as 0.5"));
        // Four of the six rows per column: still no importance for the ignored column.
        let some = PermutationImportance {
            max_samples: MaxSamples::Count(4),
            ..Default::default()
        }
        .compute(predict, x.view(), &y)
        .unwrap();
        assert_eq!(some.importances_mean[1], 0.0);
    }
}
