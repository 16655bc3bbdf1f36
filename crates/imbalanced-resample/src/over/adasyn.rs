use imbalanced_catalog::Estimator;
use imbalanced_data::take_rows;
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::error::{ResampleError, Result};
use crate::over::smote::{check_k, other_class_neighbours, Output};
use crate::strategy::{SamplingKind, SamplingStrategy};
use crate::util::{class_indices, make_rng, neighbors_of_rows, numpy_sum};
use crate::{class_counts, Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_random::RngKind;

/// SMOTE with more samples where other classes crowd the neighbourhood.
///
/// ADASYN (He et al. 2008): like SMOTE, but each sample of the class seeds
/// new samples in proportion to the share of other-class points among its
/// `n_neighbors` nearest neighbours (in the whole data), so harder regions
/// get more. Per-sample counts are `rint(r_i / Σr * n)`, hence the total
/// is only approximately the requested one. imbalanced-learn's `ADASYN`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "ADASYN", kind = "over")]
pub struct Adasyn {
    /// Which classes to over-sample and to what size: `auto` (every class but the majority, up to its size),
    /// `minority`, `not minority`, `not majority`, `all`, a ratio minority / majority (binary targets) or
    /// `{"label": count}`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Seed of the random draws. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: imbalanced-learn's
    /// exact output for the same seed). Default: `default`.
    pub rng: RngKind,
    /// Nearest neighbours (of any class) whose share of other classes sets how many samples a row seeds.
    /// Default: 5.
    pub n_neighbors: usize,
}

impl Default for Adasyn {
    fn default() -> Self {
        Adasyn {
            sampling_strategy: SamplingStrategy::Auto,
            random_state: 0,
            rng: RngKind::Default,
            n_neighbors: 5,
        }
    }
}

impl Adasyn {
    /// How many samples each row of class `class` seeds when `n_new` are
    /// asked for: `rint(ratio_i * n_new)` with `ratio` the normalised share
    /// of other-class neighbours.
    pub fn allocation(&self, x: ArrayView2<'_, f64>, y: &[usize], class: usize, n_new: usize) -> Result<Vec<usize>> {
        let k = self.n_neighbors;
        let members = class_indices(y, class);
        let others = other_class_neighbours(x, y, &members, class, k)?;
        let mut ratio: Vec<f64> = others.iter().map(|&o| o as f64 / k as f64).collect();
        let total = numpy_sum(&ratio);
        if total == 0.0 {
            return Err(ResampleError::NotApplicable(format!(
                "ADASYN: no neighbour of class {class}'s samples belongs to another class, so its \
                 density ratio is 0/0: use SMOTE for this data"
            )));
        }
        ratio.iter_mut().for_each(|r| *r /= total);
        Ok(ratio
            .iter()
            .map(|r| (r * n_new as f64).round_ties_even() as usize)
            .collect())
    }
}

impl Resampler for Adasyn {
    fn output_starts_with_input(&self) -> bool {
        true
    }

    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        check_k("n_neighbors", self.n_neighbors)?;
        let counts = class_counts(y);
        let targets = self.sampling_strategy.resolve(&counts, SamplingKind::Over, classes)?;
        let mut rng = make_rng(self.rng, self.random_state)?;
        let k = self.n_neighbors;
        let mut out = Output::new(x, y, targets.values().sum());
        for (&c, &n_new) in targets.iter().filter(|(_, &n)| n > 0) {
            let per_row = self.allocation(x, y, c, n_new)?;
            let n_total: usize = per_row.iter().sum();
            if n_total == 0 {
                return Err(ResampleError::NotApplicable(
                    "ADASYN: no samples would be generated with this sampling_strategy: ask for more".into(),
                ));
            }
            let members = class_indices(y, c);
            let xc = take_rows(x.view(), &members);
            let all: Vec<usize> = (0..members.len()).collect();
            let nns = neighbors_of_rows(xc.view(), &all, k, c, "n_neighbors")?.indices;
            let rows: Vec<usize> = per_row
                .iter()
                .enumerate()
                .flat_map(|(i, &m)| std::iter::repeat_n(i, m))
                .collect();
            let cols: Vec<usize> = (0..n_total).map(|_| rng.randint(k)).collect();
            let steps: Vec<f64> = (0..n_total).map(|_| rng.uniform(0.0, 1.0)).collect();
            let values = out.rows_of(c, n_total);
            let (d, xs) = (xc.ncols(), xc.as_slice().expect("a fresh row-major copy"));
            let row = |i: usize| &xs[i * d..(i + 1) * d];
            for ((&r, &col), &s) in rows.iter().zip(&cols).zip(&steps) {
                let (a, b) = (row(r), row(nns[(r, col)]));
                values.extend(a.iter().zip(b).map(|(a, b)| a + s * (b - a)));
            }
        }
        Ok(out.finish())
    }
}
