//! CCR, Combined Cleaning and Resampling (Koziarski & Wożniak 2017,
//! "CCR: A combined cleaning and resampling algorithm for imbalanced data
//! classification"), as smote-variants 1.0.1's `CCR`.

use imbalanced_catalog::Estimator;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::{check_at_least, check_proportion, resample, Binary, BinaryVariant, Outcome};
use crate::error::{ResampleError, Result};
use crate::util::{make_rng, numpy_sum};
use crate::{Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_random::{RngKind, SamplerRng};
use rayon::prelude::*;

/// Points in an energy-sized taxicab sphere around each minority row.
///
/// CCR (Koziarski & Wożniak 2017), as smote-variants 1.0.1's `CCR`: each
/// minority row spends an `energy` (times `d^scaling`) to grow an L1 sphere
/// through its nearest majority rows, each row it passes costing more; the
/// rows of `n = int((n_maj - n_min) x proportion)` go to the spheres in
/// inverse proportion to their radius (`rint`), each a random point in
/// the taxicab ball of that radius around its row. The cleaning step moves
/// majority rows out of the spheres; as in smote-variants, the moved rows
/// are not returned (the output keeps the input). More classes go through
/// `eq_1_vs_many_successive`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "CCR", kind = "over", aliases = ["ccr"])]
pub struct Ccr {
    /// The share of the gap between the majority and the minority to generate (1.0: up to the majority's
    /// size). With more than two classes each class is brought to the majority's size instead. Default: 1.0.
    pub proportion: f64,
    /// The budget that sets a sphere's radius. Default: 1.0.
    pub energy: f64,
    /// The energy is multiplied by `d^scaling`. Default: 0.0.
    pub scaling: f64,
    /// Seed of the points drawn. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: smote-variants' exact
    /// output for the same seed). Default: `default`.
    pub rng: RngKind,
}

impl Default for Ccr {
    fn default() -> Self {
        Ccr {
            proportion: 1.0,
            energy: 1.0,
            scaling: 0.0,
            random_state: 0,
            rng: RngKind::Default,
        }
    }
}

impl Ccr {
    /// The sphere's radius of a minority row from its L1 distances to the
    /// majority rows, as smote-variants computes it (including its reading
    /// of the last distance at the first step, `sorted[-1]`), how many of
    /// the nearest majority rows it pushes out, and how many of those lie on
    /// the minority row (distance below 1e-20).
    fn radius(&self, mut distances: Vec<f64>, d: usize) -> (f64, usize, usize) {
        // Only the distances' values matter, so the sort's tie order does not.
        distances.sort_unstable_by(f64::total_cmp);
        let m = distances.len();
        let mut energy = self.energy * (d as f64).powf(self.scaling);
        let (mut radius, mut last, mut current) = (0.0, 0.0, 0);
        for c in 0..m {
            current = c;
            if energy <= 0.0 {
                energy = 0.0;
                break;
            }
            let change = energy / (c as f64 + 1.0);
            let dist = distances[c];
            if dist >= radius + change {
                radius += change;
                break;
            }
            let change = (dist - last).max(0.0);
            radius += change;
            energy -= change * (c as f64 + 1.0);
            last = distances[(c + m - 1) % m];
        }
        if current == m - 1 {
            radius += energy / current.max(1) as f64;
        }
        let on_row = distances[..current].iter().take_while(|&&v| v < 1e-20).count();
        (radius, current, on_row)
    }
}

/// smote-variants' `taxicab_sample`: each coordinate spread over what the
/// previous one left of the radius, then the coordinates permuted.
fn taxicab(rng: &mut SamplerRng, d: usize, radius: f64) -> Vec<f64> {
    let draws: Vec<f64> = (0..d).map(|_| rng.random()).collect();
    let mut sample: Vec<f64> = Vec::with_capacity(d);
    for u in draws {
        let spread = radius - sample.last().map_or(0.0, |v: &f64| v.abs());
        sample.push(spread * (2.0 * u - 1.0));
    }
    rng.permutation(d).into_iter().map(|i| sample[i]).collect()
}

impl BinaryVariant for Ccr {
    fn generate(&self, data: &Binary<'_>, n: usize) -> Result<Outcome> {
        let (minority, majority) = (data.minority_rows(), data.majority_rows());
        let d = minority.ncols();
        let mut rng = make_rng(self.rng, self.random_state)?;
        // Each row's sphere on its own (in parallel: the draws come after, in row order).
        let spheres: Vec<(f64, usize, usize)> = (0..minority.nrows())
            .into_par_iter()
            .map(|i| {
                let p = minority.row(i);
                let distances: Vec<f64> = majority
                    .rows()
                    .into_iter()
                    .map(|q| p.iter().zip(q).map(|(a, b)| (a - b).abs()).sum())
                    .collect();
                self.radius(distances, d)
            })
            .collect();
        let mut radii = Vec::with_capacity(minority.nrows());
        for (radius, _, on_row) in spheres {
            // A majority row on the minority row is first nudged at random
            // (`random_majority_offset`): the moved rows are not returned,
            // but the draws advance the generator.
            for _ in 0..on_row {
                (0..d).for_each(|_| {
                    rng.random();
                });
                (0..d).for_each(|_| {
                    rng.randint(2);
                });
            }
            radii.push(radius);
        }
        let inverse_sum = radii.len() as f64 / numpy_sum(&radii);
        let mut out = Array2::zeros((0, d));
        for (p, &r) in minority.rows().into_iter().zip(&radii) {
            let count = (n as f64 / minority.nrows() as f64 * (1.0 / r) / inverse_sum).round_ties_even();
            if !count.is_finite() {
                return Err(ResampleError::NotApplicable(format!(
                    "CCR: a minority row's sphere has radius {r} with energy {}: give a larger energy",
                    self.energy
                )));
            }
            for _ in 0..count.max(0.0) as usize {
                let offset = taxicab(&mut rng, d, r);
                let row: Vec<f64> = p.iter().zip(&offset).map(|(a, b)| a + b).collect();
                out.push_row(ndarray::ArrayView1::from(&row)).expect("same width");
            }
        }
        Ok(out.into())
    }
}

impl Resampler for Ccr {
    fn resample(&self, data: Xy<'_>, _classes: &[String]) -> Result<Resampled> {
        check_proportion(self.proportion)?;
        check_at_least("energy", self.energy, 0.0)?;
        check_at_least("scaling", self.scaling, 0.0)?;
        resample(self, data.x(), data.y(), self.proportion)
    }
}
