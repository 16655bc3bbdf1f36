//! SMOBD (Cao & Wang 2011, "Applying Over-sampling Technique Based on Data
//! Density and Cost-sensitive SVM to Imbalanced Learning"), as
//! smote-variants 1.0.1's `SMOBD`.

use imbalanced_catalog::Estimator;
use imbalanced_neighbors::KnnIndex;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::{check_at_least, check_proportion, resample, self_query, Binary, BinaryVariant, Outcome};
use crate::error::{ResampleError, Result};
use crate::util::{make_rng, numpy_sum};
use crate::{Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_random::RngKind;

/// SMOTE with base rows drawn by a density of core distance and
/// neighbourhood size.
///
/// SMOBD (Cao & Wang 2011), as smote-variants 1.0.1's `SMOBD`: a minority
/// row's density is `eta1 x f1 + (1 - eta1) x f2`, with `f1` its OPTICS
/// core distance (to its `min(n_min - 1, min_samples)`-th nearest minority
/// row counting itself; beyond `max_eps` counted as 1.1 times the largest
/// finite one) and `f2` the number of minority rows within `max_eps`, each
/// over its maximum. Each of the `n = int((n_maj - n_min) x proportion)`
/// rows draws a base row by density, one of its `min_samples` nearest
/// minority rows, and a random point between them (a weight per feature).
/// More classes go through `eq_1_vs_many_successive`. Where no core
/// distance is within `max_eps` (features on a large scale) it is an error
/// (smote-variants returns the data unchanged).
///
/// smote-variants' noise test (core distance and reachability above `t`
/// times their means) compares with the mean reachability, which OPTICS
/// leaves infinite (the first point it visits has none): it flags nothing,
/// so `t` changes nothing there or here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "SMOBD", kind = "over", aliases = ["smobd"])]
pub struct Smobd {
    /// The share of the gap between the majority and the minority to generate (1.0: up to the majority's
    /// size). With more than two classes each class is brought to the majority's size instead. Default: 1.0.
    pub proportion: f64,
    /// Weight of the core distance in the density (the rest: the neighbourhood size). Default: 0.5.
    pub eta1: f64,
    /// The noise factor of the paper (no effect, as in smote-variants). Default: 1.8.
    pub t: f64,
    /// OPTICS' `min_samples`, and the partners of a base row. Default: 5.
    pub min_samples: usize,
    /// The radius of the neighbourhood and of a finite core distance. Default: 1.0.
    pub max_eps: f64,
    /// Seed of the rows, partners and points drawn. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: smote-variants' exact
    /// output for the same seed). Default: `default`.
    pub rng: RngKind,
}

impl Default for Smobd {
    fn default() -> Self {
        Smobd {
            proportion: 1.0,
            eta1: 0.5,
            t: 1.8,
            min_samples: 5,
            max_eps: 1.0,
            random_state: 0,
            rng: RngKind::Default,
        }
    }
}

/// `np.around(v, 15)`, as scikit-learn's OPTICS rounds its core distances.
fn around15(v: f64) -> f64 {
    (v * 1e15).round_ties_even() / 1e15
}

impl Smobd {
    /// Each minority row's sampling density (`fix_density`'s normalised
    /// one). Where no core distance is within `max_eps`, smote-variants
    /// returns the data unchanged; that is an error here, so that the
    /// missing rows do not go unnoticed.
    fn density(&self, x_min: ndarray::ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        let n_min = x_min.nrows();
        let index = KnnIndex::new(x_min);
        let all: Vec<usize> = (0..n_min).collect();
        let min_samples = (n_min - 1).min(self.min_samples);
        let core: Vec<f64> = index
            .query_points(&all, min_samples)?
            .distances
            .rows()
            .into_iter()
            .map(|r| {
                let v = r[min_samples - 1];
                if v > self.max_eps {
                    f64::INFINITY
                } else {
                    around15(v)
                }
            })
            .collect();
        // radius_neighbors counts rows at distance <= max_eps, the row itself included.
        let limits = index.limits((self.max_eps * self.max_eps).next_up());
        let counts: Vec<f64> = index
            .closer_than(&all, &limits)
            .iter()
            .map(|near| near.len() as f64)
            .collect();
        // (A row always counts itself, so some count is positive.)
        if core.iter().all(|v| v.is_infinite()) {
            return Err(ResampleError::NotApplicable(format!(
                "SMOBD: no minority row has its {min_samples} nearest neighbours within max_eps={}: raise max_eps \
                 or scale the features",
                self.max_eps
            )));
        }
        let finite_max = core.iter().copied().filter(|v| v.is_finite()).fold(f64::MIN, f64::max);
        let f1: Vec<f64> = core
            .iter()
            .map(|&v| if v.is_infinite() { finite_max * 1.1 } else { v })
            .collect();
        let top = |v: &[f64]| v.iter().copied().fold(f64::MIN, f64::max).max(1e-8);
        let (t1, t2) = (top(&f1), top(&counts));
        let density: Vec<f64> = f1
            .iter()
            .zip(&counts)
            .map(|(a, b)| {
                let v = a / t1 * self.eta1 + b / t2 * (1.0 - self.eta1);
                if v.is_finite() {
                    v
                } else {
                    0.0
                }
            })
            .collect();
        let total = numpy_sum(&density);
        Ok(if total == 0.0 {
            vec![1.0 / n_min as f64; n_min]
        } else {
            density.iter().map(|v| v / total).collect()
        })
    }
}

impl BinaryVariant for Smobd {
    fn generate(&self, data: &Binary<'_>, n: usize) -> Result<Outcome> {
        let x_min = data.minority_rows();
        let d = x_min.ncols();
        let density = self.density(x_min.view())?;
        let partners = self_query(x_min.view(), self.min_samples)?;
        let mut rng = make_rng(self.rng, self.random_state)?;
        let bases = rng.choice_p(&density, n);
        let others: Vec<usize> = (0..n).map(|_| rng.randint(partners.ncols() - 1) + 1).collect();
        let mut out = Array2::zeros((n, d));
        for (r, (&b, &o)) in bases.iter().zip(&others).enumerate() {
            let other = partners[(b, o)];
            for j in 0..d {
                let (base, to) = (x_min[(b, j)], x_min[(other, j)]);
                out[(r, j)] = base + (to - base) * rng.random();
            }
        }
        Ok(out.into())
    }
}

impl Resampler for Smobd {
    fn resample(&self, data: Xy<'_>, _classes: &[String]) -> Result<Resampled> {
        check_proportion(self.proportion)?;
        if !(0.0..=1.0).contains(&self.eta1) {
            return Err(ResampleError::Parameter {
                name: "eta1".into(),
                value: self.eta1.to_string(),
                expected: "a weight in [0, 1]".into(),
            });
        }
        check_at_least("t", self.t, 0.0)?;
        check_at_least("min_samples", self.min_samples as f64, 2.0)?;
        check_at_least("max_eps", self.max_eps, 0.0)?;
        resample(self, data.x(), data.y(), self.proportion)
    }
}
