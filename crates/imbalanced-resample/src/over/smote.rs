use imbalanced_data::take_rows;
use imbalanced_neighbors::self_neighbors;
use ndarray::{concatenate, Array2, ArrayView2, Axis};

use crate::error::{ResampleError, Result};
use crate::strategy::{SamplingKind, SamplingStrategy};
use crate::util::{class_indices, class_rng, neighbors_of_rows};
use crate::{check_input, Resampled, Resampler};
use imbalanced_random::{RngKind, SamplerRng};

/// SMOTE (Chawla et al. 2002): each new sample lies on the segment between a
/// sample of the class and one of its `k_neighbors` nearest same-class
/// neighbours, at a uniform random position. imbalanced-learn's `SMOTE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Smote {
    /// Default: `Auto` (every class but the majority, up to its size).
    pub sampling_strategy: SamplingStrategy,
    /// Default: 0.
    pub random_state: u64,
    /// Default: [`RngKind::Default`].
    pub rng: RngKind,
    /// Default: 5.
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

setters!(Smote {
    sampling_strategy: SamplingStrategy,
    random_state: u64,
    rng: RngKind,
    k_neighbors: usize,
});

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

    pub(crate) fn generate(self, rng: &mut SamplerRng, n: usize) -> Array2<f64> {
        self.generate_with_seeds(rng, n).0
    }

    /// The new rows and, for each, the row of `base` it was seeded from.
    pub(crate) fn generate_with_seeds(self, rng: &mut SamplerRng, n: usize) -> (Array2<f64>, Vec<usize>) {
        let k = self.nns.ncols();
        let total = self.nns.len();
        // NumPy draws all the indices, then all the steps.
        let picks: Vec<usize> = (0..n).map(|_| rng.randint(total)).collect();
        let steps: Vec<f64> = (0..n).map(|_| self.step_size * rng.uniform(0.0, 1.0)).collect();
        let d = self.base.ncols();
        let mut out = Array2::zeros((n, d));
        let mut pair = self.pair_labels;
        let seeds = picks.iter().map(|p| p / k).collect();
        for (i, (&p, &step)) in picks.iter().zip(&steps).enumerate() {
            let (row, col) = (p / k, p % k);
            let nb = self.nns[(row, col)];
            let shrink = match pair.as_mut() {
                Some((labels, class, prng)) if labels[nb] != *class => Some(prng.uniform(0.0, 0.5)),
                _ => None,
            };
            let (x, z) = (self.base.row(row), self.nn_data.row(nb));
            for j in 0..d {
                let mut diff = z[j] - x[j];
                if let Some(m) = shrink {
                    diff *= m;
                }
                out[(i, j)] = x[j] + step * diff;
            }
        }
        (out, seeds)
    }
}

/// Stacks the input and the synthetic blocks.
pub(crate) fn stack(x: ArrayView2<'_, f64>, y: &[usize], blocks: Vec<(usize, Array2<f64>)>) -> Resampled {
    let mut views = vec![x];
    let mut out_y = y.to_vec();
    let n_new: usize = blocks.iter().map(|(_, b)| b.nrows()).sum();
    for (c, b) in &blocks {
        views.push(b.view());
        out_y.extend(std::iter::repeat_n(*c, b.nrows()));
    }
    Resampled {
        x: concatenate(Axis(0), &views).expect("same column count"),
        y: out_y,
        origin: (0..y.len()).map(Some).chain(std::iter::repeat_n(None, n_new)).collect(),
    }
}

impl Resampler for Smote {
    fn name(&self) -> &'static str {
        "SMOTE"
    }

    fn fit_resample(&self, x: ArrayView2<'_, f64>, y: &[usize]) -> Result<Resampled> {
        check_k("k_neighbors", self.k_neighbors)?;
        let counts = check_input(x, y, true)?;
        let targets = self.sampling_strategy.resolve(&counts, SamplingKind::Over)?;
        let mut blocks = Vec::new();
        for (&c, &n_new) in targets.iter().filter(|(_, &n)| n > 0) {
            let members = class_indices(y, c);
            if members.len() < self.k_neighbors + 1 {
                return Err(ResampleError::TooFewSamples {
                    class: c.to_string(),
                    n: members.len(),
                    needed: self.k_neighbors + 1,
                    param: "k_neighbors",
                    k: self.k_neighbors,
                });
            }
            let xc = take_rows(x.view(), &members);
            let nns = self_neighbors(xc.view(), self.k_neighbors)?.indices;
            let mut rng = class_rng(self.rng, self.random_state, c)?;
            blocks.push((c, SampleDraw::within(xc.view(), &nns).generate(&mut rng, n_new)));
        }
        Ok(stack(x, y, blocks))
    }
}

/// Which Borderline-SMOTE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BorderlineKind {
    /// Interpolate towards same-class neighbours only. The default.
    #[default]
    Borderline1,
    /// Interpolate towards neighbours of any class; towards another class
    /// the step is at most half the segment.
    Borderline2,
}

/// Borderline-SMOTE (Han et al. 2005): SMOTE seeded only from "danger"
/// samples, those with at least half but not all of their `m_neighbors`
/// nearest neighbours (in the whole data) of another class.
/// imbalanced-learn's `BorderlineSMOTE`.
#[derive(Debug, Clone, PartialEq)]
pub struct BorderlineSmote {
    /// Default: `Auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Default: 0.
    pub random_state: u64,
    /// Default: [`RngKind::Default`].
    pub rng: RngKind,
    /// Default: 5.
    pub k_neighbors: usize,
    /// Default: 10.
    pub m_neighbors: usize,
    /// Default: `Borderline1`.
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

setters!(BorderlineSmote {
    sampling_strategy: SamplingStrategy,
    random_state: u64,
    rng: RngKind,
    k_neighbors: usize,
    m_neighbors: usize,
    kind: BorderlineKind,
});

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
    fn name(&self) -> &'static str {
        "BorderlineSMOTE"
    }

    fn fit_resample(&self, x: ArrayView2<'_, f64>, y: &[usize]) -> Result<Resampled> {
        check_k("k_neighbors", self.k_neighbors)?;
        check_k("m_neighbors", self.m_neighbors)?;
        let counts = check_input(x, y, true)?;
        let targets = self.sampling_strategy.resolve(&counts, SamplingKind::Over)?;
        let mut blocks = Vec::new();
        for (&c, &n_new) in targets.iter().filter(|(_, &n)| n > 0) {
            let danger = self.danger_rows(x, y, c)?;
            if danger.is_empty() {
                continue;
            }
            let x_danger = take_rows(x.view(), &danger);
            let mut rng = class_rng(self.rng, self.random_state, c)?;
            let block = match self.kind {
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
                    .generate(&mut rng, n_new)
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
                    .generate(&mut rng, n_new)
                }
            };
            blocks.push((c, block));
        }
        Ok(stack(x, y, blocks))
    }
}
