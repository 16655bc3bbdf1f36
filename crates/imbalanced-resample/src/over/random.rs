use imbalanced_catalog::Estimator;
use imbalanced_data::take_rows;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use ndarray::Axis;

use crate::error::{ResampleError, Result};
use crate::strategy::{class_code, SamplingKind, SamplingStrategy};
use crate::util::{class_indices, make_rng};
use crate::{class_counts, Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_random::RngKind;

/// `shrinkage` of [`RandomOverSampler`]: the smoothed bootstrap's scale,
/// written as a number or `{"label": factor}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Shrinkage {
    /// One factor for every resampled class.
    All(f64),
    /// A factor per class label; every resampled class needs one.
    PerClass(BTreeMap<String, f64>),
}

/// Duplicate random rows of the smaller classes (smoothed bootstrap with shrinkage).
///
/// Random over-sampling: draws rows of each resampled class with replacement.
///
/// With `shrinkage`, a smoothed bootstrap (ROSE, Menardi & Torelli 2014):
/// each drawn row gets Gaussian noise of scale
/// `shrinkage * (4 / ((d + 2) n))^(1 / (d + 4)) * std_class` per feature.
/// imbalanced-learn's `RandomOverSampler`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "RandomOverSampler", kind = "over", aliases = ["ros", "random-over"])]
pub struct RandomOverSampler {
    /// Which classes to over-sample and to what size: `auto` (every class but the majority, up to its size),
    /// `minority`, `not minority`, `not majority`, `all`, a ratio minority / majority (binary targets) or
    /// `{"label": count}`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Seed of the random draws. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: imbalanced-learn's
    /// exact output for the same seed). Default: `default`.
    pub rng: RngKind,
    /// Scale of the smoothed bootstrap: `null` (plain bootstrap), a factor >= 0 for every class, or `{"label":
    /// factor}`. Default: `null`.
    pub shrinkage: Option<Shrinkage>,
}

impl Default for RandomOverSampler {
    fn default() -> Self {
        RandomOverSampler {
            sampling_strategy: SamplingStrategy::Auto,
            random_state: 0,
            rng: RngKind::Default,
            shrinkage: None,
        }
    }
}

impl Resampler for RandomOverSampler {
    fn output_starts_with_input(&self) -> bool {
        true
    }

    fn reads_features(&self) -> bool {
        self.shrinkage.is_some()
    }

    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        let counts = class_counts(y);
        let targets = self.sampling_strategy.resolve(&counts, SamplingKind::Over, classes)?;
        let factor = |c: usize| -> Result<Option<f64>> {
            let f = match &self.shrinkage {
                None => return Ok(None),
                Some(Shrinkage::All(f)) => *f,
                Some(Shrinkage::PerClass(m)) => m
                    .iter()
                    .find(|(label, _)| class_code(label, classes) == Some(c))
                    .map(|(_, &f)| f)
                    .ok_or_else(|| ResampleError::Parameter {
                        name: "shrinkage".into(),
                        value: format!("{m:?}"),
                        expected: format!(
                            "a shrinkage factor for every resampled class; class {:?} has none",
                            classes.get(c).map_or("?", String::as_str)
                        ),
                    })?,
            };
            if f.is_nan() || f < 0.0 {
                return Err(ResampleError::Parameter {
                    name: "shrinkage".into(),
                    value: f.to_string(),
                    expected: "a factor >= 0".into(),
                });
            }
            Ok(Some(f))
        };
        let mut rng = make_rng(self.rng, self.random_state)?;
        let (n, d) = x.dim();
        let mut indices: Vec<usize> = (0..n).collect();
        let mut smooth = Vec::new();
        for (&c, &n_new) in &targets {
            let members = class_indices(y, c);
            let start = indices.len();
            indices.extend((0..n_new).map(|_| members[rng.randint(members.len())]));
            if let Some(f) = factor(c)? {
                // Row-major draws, as NumPy's `randn(n_new, d)`, right after the class's bootstrap.
                let noise: Vec<f64> = (0..n_new * d).map(|_| rng.standard_normal()).collect();
                smooth.push((members, start, n_new, f, noise));
            }
        }
        // One gather builds the whole output: the input rows, then the bootstrap rows.
        let mut x_out = take_rows(x, &indices);
        if !smooth.is_empty() {
            let smoothing = (4.0 / ((d as f64 + 2.0) * n as f64)).powf(1.0 / (d as f64 + 4.0));
            for (members, start, n_new, f, noise) in smooth {
                let std = take_rows(x, &members).std_axis(Axis(0), 0.0);
                for r in 0..n_new {
                    for j in 0..d {
                        x_out[(start + r, j)] += noise[r * d + j] * (f * smoothing * std[j]);
                    }
                }
            }
        }
        let out_y = indices.iter().map(|&i| y[i]).collect();
        // Smoothed rows are synthetic: only the original rows are input rows.
        let smoothed = self.shrinkage.is_some();
        let origin = indices
            .into_iter()
            .enumerate()
            .map(|(r, i)| (r < n || !smoothed).then_some(i))
            .collect();
        Ok(Resampled {
            x: x_out,
            y: out_y,
            origin,
        })
    }
}
