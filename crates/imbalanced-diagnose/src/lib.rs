//! What a dataset's imbalance looks like: class counts, the imbalance
//! ratio, and how hard each class's samples are to learn.
//!
//! Difficulty follows Napierala & Stefanowski (2016), "Types of minority
//! class examples and their influence on learning classifiers from
//! imbalanced data", J. Intell. Inf. Syst. 46: with `k = 5`, a sample whose
//! nearest neighbours include 4-5 of its own class is *safe*, 2-3
//! *borderline*, 1 *rare*, 0 an *outlier* (other `k`: see
//! [`Difficulty::from_same_class`]).
//! Distances are the paper's HVDM: numeric features scaled by 4 standard
//! deviations, categorical features compared by overlap (0 if equal, 1 if not).

#![forbid(unsafe_code)]

pub mod associations;
pub mod plot;

use imbalanced_data::Dataset;
use imbalanced_neighbors::{self_neighbors, NeighborsError};
use ndarray::{Array2, Axis};
use serde::Serialize;

/// Errors of a diagnosis.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiagnoseError {
    #[error("the difficulty profile needs more than k={k} samples; the data has {n}: lower k")]
    TooFewSamples { k: usize, n: usize },
    #[error("k must be at least 1")]
    ZeroK,
    #[error(transparent)]
    Neighbors(#[from] NeighborsError),
    /// Two tables that should match do not.
    #[error("{0}")]
    Mismatch(String),
}

/// Napierala & Stefanowski's four types of sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Safe,
    Borderline,
    Rare,
    Outlier,
}

impl Difficulty {
    /// The type of a sample with `same` of its `k` nearest neighbours in
    /// its own class. For `k = 5` this is the paper's rule (5-4 safe, 3-2
    /// borderline, 1 rare, 0 outlier); other `k` scale it: the share of
    /// same-class neighbours above 0.7 is safe, above 0.3 borderline, any
    /// other non-zero count rare.
    pub fn from_same_class(same: usize, k: usize) -> Difficulty {
        let share = same as f64 / k as f64;
        if same == 0 {
            Difficulty::Outlier
        } else if share > 0.7 {
            Difficulty::Safe
        } else if share > 0.3 {
            Difficulty::Borderline
        } else {
            Difficulty::Rare
        }
    }
}

/// The summary of one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassProfile {
    /// The original label.
    pub label: String,
    pub count: usize,
    /// `count / n`.
    pub fraction: f64,
    /// Fractions of the class's samples of each type (sum to 1).
    pub safe: f64,
    pub borderline: f64,
    pub rare: f64,
    pub outlier: f64,
}

/// The diagnosis of a dataset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    pub n_samples: usize,
    pub n_features: usize,
    /// Largest class count divided by the smallest.
    pub imbalance_ratio: f64,
    /// Neighbourhood size of the difficulty profile.
    pub k: usize,
    /// One entry per class, in sorted label order.
    pub classes: Vec<ClassProfile>,
}

/// The rows of `data` as points for HVDM-like Euclidean distances: numeric
/// columns divided by 4 standard deviations, categorical columns one-hot
/// scaled by 1/sqrt(2) so that a mismatch adds exactly 1 to the squared distance.
pub fn hvdm_points(data: &Dataset) -> Array2<f64> {
    let num = data.numeric();
    let std = num.std_axis(Axis(0), 0.0);
    let widths: Vec<usize> = data.categories().iter().map(Vec::len).collect();
    let total = num.ncols() + widths.iter().sum::<usize>();
    let mut out = Array2::zeros((data.n_samples(), total));
    for (j, &s) in std.iter().enumerate() {
        let scale = if s > 0.0 { 1.0 / (4.0 * s) } else { 0.0 };
        out.column_mut(j).assign(&num.column(j).mapv(|v| v * scale));
    }
    let cat = data.categorical();
    let mut offset = num.ncols();
    for (j, &w) in widths.iter().enumerate() {
        for (i, &code) in cat.column(j).iter().enumerate() {
            out[(i, offset + code as usize)] = std::f64::consts::FRAC_1_SQRT_2;
        }
        offset += w;
    }
    out
}

/// The difficulty type of every sample, with neighbourhood size `k`.
pub fn difficulty(data: &Dataset, k: usize) -> Result<Vec<Difficulty>, DiagnoseError> {
    if k == 0 {
        return Err(DiagnoseError::ZeroK);
    }
    if data.n_samples() <= k {
        return Err(DiagnoseError::TooFewSamples { k, n: data.n_samples() });
    }
    let points = hvdm_points(data);
    let nn = self_neighbors(points.view(), k)?;
    let y = data.y();
    Ok(nn
        .indices
        .rows()
        .into_iter()
        .zip(y)
        .map(|(row, &c)| Difficulty::from_same_class(row.iter().filter(|&&j| y[j] == c).count(), k))
        .collect())
}

/// Class counts, imbalance ratio and difficulty fractions (paper default `k = 5`).
pub fn profile(data: &Dataset, k: usize) -> Result<Profile, DiagnoseError> {
    let kinds = difficulty(data, k)?;
    let counts = data.class_counts();
    let n = data.n_samples();
    let max = counts.iter().copied().max().unwrap_or(0);
    let min = counts.iter().copied().min().unwrap_or(0);
    let classes = counts
        .iter()
        .enumerate()
        .map(|(c, &count)| {
            let share = |d: Difficulty| {
                let m = data
                    .y()
                    .iter()
                    .zip(&kinds)
                    .filter(|(&yc, &kd)| yc == c && kd == d)
                    .count();
                m as f64 / count as f64
            };
            ClassProfile {
                label: data.classes()[c].clone(),
                count,
                fraction: count as f64 / n as f64,
                safe: share(Difficulty::Safe),
                borderline: share(Difficulty::Borderline),
                rare: share(Difficulty::Rare),
                outlier: share(Difficulty::Outlier),
            }
        })
        .collect();
    Ok(Profile {
        n_samples: n,
        n_features: data.features().len(),
        imbalance_ratio: max as f64 / min as f64,
        k,
        classes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn paper_thresholds_for_k5() {
        let kinds: Vec<Difficulty> = (0..=5).map(|s| Difficulty::from_same_class(s, 5)).collect();
        use Difficulty::*;
        assert_eq!(kinds, [Outlier, Rare, Borderline, Borderline, Safe, Safe]);
    }

    #[test]
    fn an_isolated_minority_point_is_an_outlier() {
        // Six majority points on a line, one minority point among them, one far away.
        let x = array![[0.0], [1.0], [2.0], [3.0], [4.0], [5.0], [2.5], [100.0], [101.0]];
        let labels = ["a", "a", "a", "a", "a", "a", "b", "b", "a"];
        let ds = Dataset::from_numeric(x, &labels).unwrap();
        let d = difficulty(&ds, 5).unwrap();
        assert_eq!(d[6], Difficulty::Outlier);
        assert_eq!(d[0], Difficulty::Safe);
        let p = profile(&ds, 5).unwrap();
        assert_eq!(p.classes[1].count, 2);
        assert!((p.imbalance_ratio - 3.5).abs() < 1e-12);
        let c = &p.classes[0];
        assert!((c.safe + c.borderline + c.rare + c.outlier - 1.0).abs() < 1e-12);
    }

    #[test]
    fn too_few_samples_is_an_error() {
        let ds = Dataset::from_numeric(array![[0.0], [1.0]], &["a", "b"]).unwrap();
        assert!(matches!(profile(&ds, 5), Err(DiagnoseError::TooFewSamples { .. })));
    }
}
