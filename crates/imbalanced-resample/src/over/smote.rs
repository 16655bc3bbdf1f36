use imbalanced_catalog::Estimator;
use imbalanced_data::take_rows;
use imbalanced_neighbors::self_neighbors;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{ResampleError, Result};
use crate::strategy::{SamplingKind, SamplingStrategy};
use crate::util::{class_indices, class_rng, neighbors_of_rows};
use crate::{class_counts, Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_random::{RngKind, SamplerRng};

/// Interpolate between a row and one of its k nearest same-class neighbours.
///
/// SMOTE (Chawla et al. 2002): each new sample lies on the segment between a
/// sample of the class and one of its `k_neighbors` nearest same-class
/// neighbours, at a uniform random position. imbalanced-learn's `SMOTE`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "SMOTE", kind = "over")]
pub struct Smote {
    /// Which classes to over-sample and to what size: `auto` (every class but the majority, up to its size),
    /// `minority`, `not minority`, `not majority`, `all`, a ratio minority / majority (binary targets) or
    /// `{"label": count}`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Seed of the random draws. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: imbalanced-learn's
    /// exact output for the same seed). Default: `default`.
    pub rng: RngKind,
    /// Same-class nearest neighbours a new sample is interpolated towards. Default: 5.
    pub k_neighbors: usize,
}

impl Default for Smote {
    fn default() -> Self {
        Smote {
            sampling_strategy: SamplingStrategy::Auto,
            random_state: 0,
            rng: RngKind::Default,
            k_neighbors: 5,
        }
    }
}

/// The error for class `class` of `n` rows, too few for `k_neighbors = k`
/// (a row and its `k` neighbours).
pub(crate) fn too_few(class: usize, n: usize, k: usize) -> ResampleError {
    ResampleError::TooFewSamples {
        class: class.to_string(),
        n,
        needed: k + 1,
        param: "k_neighbors",
        k,
    }
}

pub(crate) fn check_k(name: &str, k: usize) -> Result<()> {
    if k == 0 {
        return Err(ResampleError::Parameter {
            name: name.into(),
            value: "0".into(),
            expected: "an integer >= 1".into(),
        });
    }
    Ok(())
}

/// SMOTE's `_make_samples`: `n` draws of a (row, neighbour) pair and a step
/// in `[0, step_size)`. `base` holds the rows that seed samples, `nn_data`
/// the points that `nns` indexes. With `pair_labels` (Borderline-2), a
/// neighbour of another class shortens the step by a factor in `[0, 0.5)`
/// drawn from `pair_rng`.
pub(crate) struct SampleDraw<'a> {
    pub base: ArrayView2<'a, f64>,
    pub nn_data: ArrayView2<'a, f64>,
    pub nns: &'a Array2<usize>,
    pub step_size: f64,
    pub pair_labels: Option<(&'a [usize], usize, SamplerRng)>,
}

impl<'a> SampleDraw<'a> {
    /// Plain SMOTE: seeds and neighbours are the rows of `data`, steps in `[0, 1)`.
    pub(crate) fn within(data: ArrayView2<'a, f64>, nns: &'a Array2<usize>) -> Self {
        SampleDraw {
            base: data,
            nn_data: data,
            nns,
            step_size: 1.0,
            pair_labels: None,
        }
    }

    /// Appends `n` new rows to `values` (row-major, `n * d` values) and
    /// returns, for each, the row of `base` it was seeded from.
    pub(crate) fn append_to(self, rng: &mut SamplerRng, n: usize, values: &mut Vec<f64>) -> Vec<usize> {
        let k = self.nns.ncols();
        let total = self.nns.len();
        // NumPy draws all the indices, then all the steps.
        let picks: Vec<usize> = (0..n).map(|_| rng.randint(total)).collect();
        let steps: Vec<f64> = (0..n).map(|_| self.step_size * rng.uniform(0.0, 1.0)).collect();
        // Contiguous rows make each new row one tight loop over two slices.
        let (base, nn_data) = (self.base.as_standard_layout(), self.nn_data.as_standard_layout());
        let (base, nn_data) = (
            base.as_slice().expect("standard"),
            nn_data.as_slice().expect("standard"),
        );
        let d = self.base.ncols();
        fn row(a: &[f64], d: usize, i: usize) -> &[f64] {
            &a[i * d..(i + 1) * d]
        }
        values.reserve(n * d);
        let mut pair = self.pair_labels;
        let mut seeds = Vec::with_capacity(n);
        for (&p, &step) in picks.iter().zip(&steps) {
            let (seed, nb) = (p / k, self.nns[(p / k, p % k)]);
            seeds.push(seed);
            let (x, z) = (row(base, d, seed), row(nn_data, d, nb));
            match pair.as_mut() {
                Some((labels, class, prng)) if labels[nb] != *class => {
                    let m = prng.uniform(0.0, 0.5);
                    values.extend(x.iter().zip(z).map(|(a, b)| a + step * ((b - a) * m)));
                }
                _ => values.extend(x.iter().zip(z).map(|(a, b)| a + step * (b - a))),
            }
        }
        seeds
    }
}

/// An over-sampler's output, built in place: the input rows, then the new
/// rows class by class (imbalanced-learn's order). One buffer sized for the
/// requested counts from the start, rather than a block per class copied
/// together with the input at the end: at 100k rows that copy and the
/// blocks' fresh pages were a third of SMOTE's time.
pub(crate) struct Output {
    n_input: usize,
    d: usize,
    values: Vec<f64>,
    y: Vec<usize>,
}

impl Output {
    /// Starts from the rows of `x` with room for `extra` new rows.
    pub(crate) fn new(x: ArrayView2<'_, f64>, y: &[usize], extra: usize) -> Self {
        let (n, d) = x.dim();
        let mut values = Vec::with_capacity((n + extra) * d);
        match x.as_slice() {
            Some(all) => values.extend_from_slice(all),
            None => values.extend(x.iter().copied()),
        }
        let mut labels = Vec::with_capacity(n + extra);
        labels.extend_from_slice(y);
        Output {
            n_input: n,
            d,
            values,
            y: labels,
        }
    }

    /// The buffer to append `rows` new rows of class `c` to: exactly
    /// `rows * d` values, row-major.
    pub(crate) fn rows_of(&mut self, c: usize, rows: usize) -> &mut Vec<f64> {
        self.y.extend(std::iter::repeat_n(c, rows));
        &mut self.values
    }

    pub(crate) fn finish(self) -> Resampled {
        let rows = self.y.len();
        debug_assert_eq!(self.values.len(), rows * self.d, "rows_of callers append whole rows");
        Resampled {
            x: Array2::from_shape_vec((rows, self.d), self.values).expect("whole rows"),
            y: self.y,
            origin: crate::inputs_then_new(self.n_input, rows),
        }
    }
}

impl Resampler for Smote {
    fn output_starts_with_input(&self) -> bool {
        true
    }

    fn categorical_variant(&self, data: &imbalanced_data::Dataset) -> Option<Box<dyn Resampler>> {
        if !data.has_categorical() {
            return None;
        }
        let s = self.clone();
        Some(if data.numeric().ncols() == 0 {
            Box::new(crate::SmoteN {
                sampling_strategy: s.sampling_strategy,
                random_state: s.random_state,
                rng: s.rng,
                k_neighbors: s.k_neighbors,
            })
        } else {
            Box::new(crate::SmoteNc {
                sampling_strategy: s.sampling_strategy,
                random_state: s.random_state,
                rng: s.rng,
                k_neighbors: s.k_neighbors,
            })
        })
    }

    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        check_k("k_neighbors", self.k_neighbors)?;
        let counts = class_counts(y);
        let targets = self.sampling_strategy.resolve(&counts, SamplingKind::Over, classes)?;
        let mut out = Output::new(x, y, targets.values().sum());
        for (&c, &n_new) in targets.iter().filter(|(_, &n)| n > 0) {
            let members = class_indices(y, c);
            if members.len() < self.k_neighbors + 1 {
                return Err(too_few(c, members.len(), self.k_neighbors));
            }
            let xc = take_rows(x.view(), &members);
            let nns = self_neighbors(xc.view(), self.k_neighbors)?.indices;
            let mut rng = class_rng(self.rng, self.random_state, c)?;
            SampleDraw::within(xc.view(), &nns).append_to(&mut rng, n_new, out.rows_of(c, n_new));
        }
        Ok(out.finish())
    }
}

/// Which Borderline-SMOTE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum BorderlineKind {
    /// Interpolate towards same-class neighbours only. The default.
    #[default]
    #[serde(rename = "borderline-1")]
    Borderline1,
    /// Interpolate towards neighbours of any class; towards another class
    /// the step is at most half the segment.
    #[serde(rename = "borderline-2")]
    Borderline2,
}

/// SMOTE seeded only from rows near the class border.
///
/// Borderline-SMOTE (Han et al. 2005): SMOTE seeded only from "danger"
/// samples, those with at least half but not all of their `m_neighbors`
/// nearest neighbours (in the whole data) of another class.
/// imbalanced-learn's `BorderlineSMOTE`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "BorderlineSMOTE", kind = "over", aliases = ["borderline"])]
pub struct BorderlineSmote {
    /// Which classes to over-sample and to what size: `auto` (every class but the majority, up to its size),
    /// `minority`, `not minority`, `not majority`, `all`, a ratio minority / majority (binary targets) or
    /// `{"label": count}`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Seed of the random draws. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: imbalanced-learn's
    /// exact output for the same seed). Default: `default`.
    pub rng: RngKind,
    /// Same-class nearest neighbours a new sample is interpolated towards. Default: 5.
    pub k_neighbors: usize,
    /// Nearest neighbours (of any class) that decide whether a row is in danger. Default: 10.
    pub m_neighbors: usize,
    /// `borderline-1` (interpolate towards the same class only) or `borderline-2` (towards any class, at most
    /// halfway towards another one). Default: `borderline-1`.
    pub kind: BorderlineKind,
}

impl Default for BorderlineSmote {
    fn default() -> Self {
        BorderlineSmote {
            sampling_strategy: SamplingStrategy::Auto,
            random_state: 0,
            rng: RngKind::Default,
            k_neighbors: 5,
            m_neighbors: 10,
            kind: BorderlineKind::Borderline1,
        }
    }
}

/// imbalanced-learn's `_in_danger_noise`: counts, for each query row, the
/// neighbours of another class among its `m` nearest in `x` (itself excluded).
pub(crate) fn other_class_neighbours(
    x: ArrayView2<'_, f64>,
    y: &[usize],
    rows: &[usize],
    class: usize,
    m: usize,
) -> Result<Vec<usize>> {
    let nn = neighbors_of_rows(x, rows, m, class, "m_neighbors")?;
    Ok(nn
        .indices
        .rows()
        .into_iter()
        .map(|r| r.iter().filter(|&&j| y[j] != class).count())
        .collect())
}

impl BorderlineSmote {
    /// The rows of class `class` that are in danger (see the type's docs).
    pub fn danger_rows(&self, x: ArrayView2<'_, f64>, y: &[usize], class: usize) -> Result<Vec<usize>> {
        let members = class_indices(y, class);
        let m = self.m_neighbors;
        let n_other = other_class_neighbours(x, y, &members, class, m)?;
        Ok(members
            .into_iter()
            .zip(n_other)
            .filter(|&(_, k)| k as f64 >= m as f64 / 2.0 && k < m)
            .map(|(i, _)| i)
            .collect())
    }
}

impl Resampler for BorderlineSmote {
    fn output_starts_with_input(&self) -> bool {
        true
    }

    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        check_k("k_neighbors", self.k_neighbors)?;
        check_k("m_neighbors", self.m_neighbors)?;
        let counts = class_counts(y);
        let targets = self.sampling_strategy.resolve(&counts, SamplingKind::Over, classes)?;
        let mut out = Output::new(x, y, targets.values().sum());
        for (&c, &n_new) in targets.iter().filter(|(_, &n)| n > 0) {
            let danger = self.danger_rows(x, y, c)?;
            if danger.is_empty() {
                continue;
            }
            let x_danger = take_rows(x.view(), &danger);
            let mut rng = class_rng(self.rng, self.random_state, c)?;
            let values = out.rows_of(c, n_new);
            match self.kind {
                BorderlineKind::Borderline1 => {
                    let members = class_indices(y, c);
                    let xc = take_rows(x.view(), &members);
                    let pos: Vec<usize> = danger
                        .iter()
                        .map(|i| members.binary_search(i).expect("member"))
                        .collect();
                    let nns = neighbors_of_rows(xc.view(), &pos, self.k_neighbors, c, "k_neighbors")?.indices;
                    SampleDraw {
                        base: x_danger.view(),
                        nn_data: xc.view(),
                        nns: &nns,
                        step_size: 1.0,
                        pair_labels: None,
                    }
                    .append_to(&mut rng, n_new, values);
                }
                BorderlineKind::Borderline2 => {
                    let nns = neighbors_of_rows(x, &danger, self.k_neighbors, c, "k_neighbors")?.indices;
                    // imbalanced-learn re-creates the generator from the seed for these
                    // draws, replaying the stream; elsewhere use an independent stream.
                    let pair_seed = match self.rng {
                        RngKind::Numpy => self.random_state,
                        RngKind::Default => !self.random_state,
                    };
                    let pair_rng = class_rng(self.rng, pair_seed, c)?;
                    SampleDraw {
                        base: x_danger.view(),
                        nn_data: x,
                        nns: &nns,
                        step_size: 1.0,
                        pair_labels: Some((y, c, pair_rng)),
                    }
                    .append_to(&mut rng, n_new, values);
                }
            }
        }
        Ok(out.finish())
    }
}
