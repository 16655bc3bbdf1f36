//! SMOTE followed by a cleaning step, as smote-variants 1.0.1 runs them:
//! `SMOTE_TomekLinks` (Batista, Prati & Monard 2004) and `SMOTE_IPF`
//! (Sáez, Luengo, Stefanowski & Herrera 2015).

use imbalanced_catalog::Estimator;
use imbalanced_data::{stratified_kfold, take_rows, Xy};
use imbalanced_models::{DecisionTreeClassifier, Fit, Predict};
use imbalanced_neighbors::KnnIndex;
use imbalanced_random::RngKind;
use ndarray::{concatenate, Array2, Axis};
use serde::{Deserialize, Serialize};

use super::{check_at_least, check_proportion, resample, smote, Binary, BinaryVariant, Outcome};
use crate::error::{ResampleError, Result};
use crate::util::make_rng;
use crate::{Resampled, Resampler};

/// The SMOTE rows of a binary run (smote-variants' `SMOTE` with the same
/// seed) and the input followed by them, with sv's 0/1 labels.
fn smote_rows(
    data: &Binary<'_>,
    k: usize,
    n: usize,
    seed: u64,
    kind: RngKind,
) -> Result<(Array2<f64>, Array2<f64>, Vec<usize>)> {
    let x_min = data.minority_rows();
    let mut rng = make_rng(kind, seed)?;
    let synthetic = smote(x_min.view(), k, n, &mut rng)?;
    let all = concatenate(Axis(0), &[data.x, synthetic.view()]).expect("same width");
    let labels = (0..data.x.nrows())
        .map(|r| data.label(r))
        .chain(std::iter::repeat_n(data.min_label, n))
        .collect();
    Ok((synthetic, all, labels))
}

/// SMOTE, then both rows of every Tomek link removed.
///
/// smote-variants 1.0.1's `SMOTE_TomekLinks` (Batista et al. 2004): its
/// SMOTE (`n = int((n_maj - n_min) x proportion)` random points on segments
/// to the `n_neighbors` nearest minority rows), then every pair of rows of
/// different classes that are each other's nearest neighbour is removed,
/// input rows included (`TomekLinkRemoval(strategy="remove_both")`). If
/// nothing would remain, the input comes back. More classes go through
/// `eq_1_vs_many_successive`, which, as smote-variants, removes no input
/// row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "SMOTE_TomekLinks", kind = "over", aliases = ["smote-tomeklinks"])]
pub struct SmoteTomekLinks {
    /// The share of the gap between the majority and the minority to generate (1.0: up to the majority's
    /// size). With more than two classes each class is brought to the majority's size instead. Default: 1.0.
    pub proportion: f64,
    /// SMOTE's nearest minority rows. Default: 5.
    pub n_neighbors: usize,
    /// Seed of the segments and points drawn. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: smote-variants' exact
    /// output for the same seed). Default: `default`.
    pub rng: RngKind,
}

impl Default for SmoteTomekLinks {
    fn default() -> Self {
        SmoteTomekLinks {
            proportion: 1.0,
            n_neighbors: 5,
            random_state: 0,
            rng: RngKind::Default,
        }
    }
}

impl BinaryVariant for SmoteTomekLinks {
    fn cleans_anyway(&self) -> bool {
        true
    }

    fn generate(&self, data: &Binary<'_>, n: usize) -> Result<Outcome> {
        let (synthetic, all, labels) = smote_rows(data, self.n_neighbors, n, self.random_state, self.rng)?;
        let rows: Vec<usize> = (0..all.nrows()).collect();
        let nearest = KnnIndex::new(all.view()).query_points(&rows, 2)?.indices;
        let mut removed = vec![false; all.nrows()];
        for i in rows {
            let j = nearest[(i, 1)];
            if nearest[(j, 1)] == i && labels[i] != labels[j] {
                removed[i] = true;
                removed[j] = true;
            }
        }
        let removed: Vec<usize> = (0..all.nrows()).filter(|&r| removed[r]).collect();
        if removed.len() == all.nrows() {
            return Ok(Array2::zeros((0, data.x.ncols())).into());
        }
        Ok(Outcome { synthetic, removed })
    }
}

impl Resampler for SmoteTomekLinks {
    fn resample(&self, data: Xy<'_>, _classes: &[String]) -> Result<Resampled> {
        check_proportion(self.proportion)?;
        check_at_least("n_neighbors", self.n_neighbors as f64, 1.0)?;
        resample(self, data.x(), data.y(), self.proportion)
    }
}

/// How SMOTE_IPF's folds vote a row out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IpfVoting {
    /// Removed when the mean predicted label (0/1) disagrees with its own. The default.
    #[default]
    Majority,
    /// As `majority`, but only rows that every fold's tree labels 1 (smote-variants' reading).
    Consensus,
}

/// SMOTE, then the iterative-partitioning filter.
///
/// smote-variants 1.0.1's `SMOTE_IPF` (Sáez et al. 2015): its SMOTE, then
/// rounds of `n_folds`-fold stratified cross-validation (no shuffle) with a
/// decision tree; each round removes the rows (input rows included) whose
/// fold-trees' vote disagrees with their label, and the filter stops after
/// `k` rounds in a row that removed fewer than `p` of the rows. More
/// classes go through `eq_1_vs_many_successive`, which, as smote-variants,
/// removes no input row.
///
/// The tree is our scikit-learn `DecisionTreeClassifier` with
/// `random_state = 2`; where scikit-learn breaks ties between equally good
/// splits by its own feature order, the trees, and so the rows removed, can
/// differ from smote-variants'.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "SMOTE_IPF", kind = "over", aliases = ["smote-ipf"])]
pub struct SmoteIpf {
    /// The share of the gap between the majority and the minority to generate (1.0: up to the majority's
    /// size). With more than two classes each class is brought to the majority's size instead. Default: 1.0.
    pub proportion: f64,
    /// SMOTE's nearest minority rows. Default: 5.
    pub n_neighbors: usize,
    /// Folds of each filtering round (at most the minority's size). Default: 9.
    pub n_folds: usize,
    /// Quiet rounds in a row that end the filter. Default: 3.
    pub k: usize,
    /// A round is quiet when it removes fewer than this share of the rows. Default: 0.01.
    pub p: f64,
    /// `majority` or `consensus`. Default: `majority`.
    pub voting: IpfVoting,
    /// Seed of SMOTE's segments and points. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: smote-variants' SMOTE
    /// rows for the same seed). Default: `default`.
    pub rng: RngKind,
}

impl Default for SmoteIpf {
    fn default() -> Self {
        SmoteIpf {
            proportion: 1.0,
            n_neighbors: 5,
            n_folds: 9,
            k: 3,
            p: 0.01,
            voting: IpfVoting::Majority,
            random_state: 0,
            rng: RngKind::Default,
        }
    }
}

impl BinaryVariant for SmoteIpf {
    fn generate(&self, data: &Binary<'_>, n: usize) -> Result<Outcome> {
        let n_min = data.minority.iter().filter(|&&m| m).count();
        let (synthetic, all, labels) = smote_rows(data, self.n_neighbors, n, self.random_state, self.rng)?;
        let n_folds = self.n_folds.min(n_min);
        let tree = DecisionTreeClassifier {
            random_state: 2,
            ..Default::default()
        };
        let model_error = |e: imbalanced_models::ModelError| ResampleError::NotApplicable(format!("SMOTE_IPF: {e}"));
        // Rows of `all` still in.
        let mut live: Vec<usize> = (0..all.nrows()).collect();
        let mut quiet = 0;
        while quiet < self.k {
            let x = take_rows(all.view(), &live);
            let y: Vec<usize> = live.iter().map(|&r| labels[r]).collect();
            let folds = stratified_kfold(&y, n_folds, None).map_err(|e| ResampleError::Parameter {
                name: "n_folds".into(),
                value: n_folds.to_string(),
                expected: e.to_string(),
            })?;
            let mut ones = vec![0usize; live.len()];
            for f in 0..n_folds {
                let train: Vec<usize> = (0..live.len()).filter(|&i| folds[i] != f).collect();
                let ytr: Vec<usize> = train.iter().map(|&i| y[i]).collect();
                // A fold left with one class: scikit-learn's tree predicts it everywhere.
                let predicted = if ytr.iter().all(|&c| c == ytr[0]) {
                    vec![ytr[0]; live.len()]
                } else {
                    let fitted = tree
                        .fit(take_rows(x.view(), &train).view(), &ytr, 2)
                        .map_err(model_error)?;
                    fitted.predict(x.view()).map_err(model_error)?
                };
                for (o, p) in ones.iter_mut().zip(predicted) {
                    *o += p;
                }
            }
            let out: Vec<bool> = (0..live.len())
                .map(|i| {
                    let vote = usize::from(ones[i] as f64 / n_folds as f64 > 0.5);
                    vote != y[i] && (self.voting == IpfVoting::Majority || ones[i] == self.n_folds)
                })
                .collect();
            let n_out = out.iter().filter(|&&o| o).count();
            live = live.iter().zip(&out).filter(|(_, &o)| !o).map(|(&r, _)| r).collect();
            let calm = (n_out as f64) < live.len() as f64 * self.p;
            quiet = if calm { quiet + 1 } else { 0 };
        }
        let mut removed = vec![true; all.nrows()];
        live.iter().for_each(|&r| removed[r] = false);
        Ok(Outcome {
            synthetic,
            removed: (0..all.nrows()).filter(|&r| removed[r]).collect(),
        })
    }
}

impl Resampler for SmoteIpf {
    fn resample(&self, data: Xy<'_>, _classes: &[String]) -> Result<Resampled> {
        check_proportion(self.proportion)?;
        check_at_least("n_neighbors", self.n_neighbors as f64, 1.0)?;
        check_at_least("n_folds", self.n_folds as f64, 2.0)?;
        check_at_least("k", self.k as f64, 1.0)?;
        check_at_least("p", self.p, 0.0)?;
        resample(self, data.x(), data.y(), self.proportion)
    }
}
