//! SMOTE for categorical features: SMOTE-NC (mixed) and SMOTE-N (categorical only).

use imbalanced_catalog::Estimator;
use imbalanced_data::{median, take_rows, Dataset, FeatureKind};
use imbalanced_neighbors::self_neighbors;
use ndarray::{concatenate, s, Array2, ArrayView2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{ResampleError, Result};
use crate::over::smote::{check_k, too_few, SampleDraw};
use crate::strategy::{class_counts, SamplingKind, SamplingStrategy};
use crate::util::{class_indices, class_rng, name_classes};
use crate::{Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_random::{RngKind, SamplerRng};

fn numeric_names(data: &Dataset) -> String {
    data.features()
        .iter()
        .filter(|f| f.kind == FeatureKind::Numeric)
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// SMOTE for mixed numeric and categorical features.
///
/// SMOTE-NC (Chawla et al. 2002, §6.1): SMOTE for mixed numeric and
/// categorical features. Distances treat a categorical mismatch as the
/// median standard deviation of the class's numeric features; numeric
/// values are interpolated as in SMOTE; each categorical value of a new
/// sample is the most frequent among the seed's `k_neighbors` neighbours
/// (ties broken at random, as imbalanced-learn does). imbalanced-learn's
/// `SMOTENC`; use it through [`Resampler::fit_resample_dataset`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "SMOTENC", kind = "over", aliases = ["smote-nc"])]
pub struct SmoteNc {
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

impl Default for SmoteNc {
    fn default() -> Self {
        SmoteNc {
            sampling_strategy: SamplingStrategy::Auto,
            random_state: 0,
            rng: RngKind::Default,
            k_neighbors: 5,
        }
    }
}

/// `numpy.isclose` with its default tolerances.
fn isclose(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-8 + 1e-5 * b.abs()
}

impl SmoteNc {
    /// Resamples numeric features `num`, categorical codes `cat` (column `j`
    /// has `n_categories[j]` categories) and class codes `y`; returns the
    /// three with the new rows appended.
    pub fn fit_resample_mixed(
        &self,
        num: ArrayView2<'_, f64>,
        cat: ArrayView2<'_, u32>,
        n_categories: &[usize],
        y: &[usize],
        classes: &[String],
    ) -> Result<(Array2<f64>, Array2<u32>, Vec<usize>)> {
        self.mixed(Xy::new(num, y, classes.len())?, cat, n_categories, classes)
    }

    /// [`SmoteNc::fit_resample_mixed`] on checked numeric features.
    fn mixed(
        &self,
        data: Xy<'_>,
        cat: ArrayView2<'_, u32>,
        n_categories: &[usize],
        classes: &[String],
    ) -> Result<(Array2<f64>, Array2<u32>, Vec<usize>)> {
        check_k("k_neighbors", self.k_neighbors)?;
        let (num, y) = (data.x(), data.y());
        let counts = class_counts(y);
        if cat.ncols() == 0 || num.ncols() == 0 {
            return Err(ResampleError::NotApplicable(
                "SMOTENC needs both numeric and categorical features: with numeric features only use SMOTE, \
                 with categorical ones only use SMOTEN"
                    .into(),
            ));
        }
        let targets = self.sampling_strategy.resolve(&counts, SamplingKind::Over, classes)?;
        let k = self.k_neighbors;
        let (mut nums, mut cats, mut out_y) = (vec![num.to_owned()], vec![cat.to_owned()], y.to_vec());
        for (&c, &n_new) in targets.iter().filter(|(_, &n)| n > 0) {
            let members = class_indices(y, c);
            if members.len() < k + 1 {
                return Err(too_few(c, members.len(), k));
            }
            let xn = take_rows(num.view(), &members);
            let xc = take_rows(cat.view(), &members);
            let median_std = median(&mut xn.std_axis(Axis(0), 0.0).to_vec());
            // A categorical mismatch weighs median_std: each differing one-hot entry median_std / sqrt 2.
            let scale = median_std / std::f64::consts::SQRT_2;
            let width: usize = n_categories.iter().sum();
            let mut encoded = Array2::zeros((members.len(), num.ncols() + width));
            encoded.slice_mut(s![.., ..num.ncols()]).assign(&xn);
            for (r, row) in xc.rows().into_iter().enumerate() {
                let mut offset = num.ncols();
                for (j, &code) in row.iter().enumerate() {
                    encoded[(r, offset + code as usize)] = scale;
                    offset += n_categories[j];
                }
            }
            let nns = self_neighbors(encoded.view(), k)?.indices;
            let mut rng = class_rng(self.rng, self.random_state, c)?;
            let mut new_num = Vec::new();
            let seeds = SampleDraw::within(xn.view(), &nns).append_to(&mut rng, n_new, &mut new_num);
            let new_num = Array2::from_shape_vec((n_new, xn.ncols()), new_num).expect("whole rows");
            // imbalanced-learn draws the tie-breaks from a generator re-created from the seed.
            let mut tie_rng = class_rng(self.rng, self.random_state, c)?;
            // With a zero median std the one-hot entries are unscaled for the vote.
            let unit = if median_std == 0.0 { 1.0 } else { scale };
            let mut new_cat = Array2::zeros((n_new, cat.ncols()));
            for j in 0..cat.ncols() {
                let votes: Vec<Vec<f64>> = seeds
                    .iter()
                    .map(|&row| {
                        let mut v = vec![0.0; n_categories[j]];
                        for &nb in nns.row(row) {
                            v[xc[(nb, j)] as usize] += unit;
                        }
                        v
                    })
                    .collect();
                let chosen = vote(&votes, &mut tie_rng);
                for (r, ch) in chosen.into_iter().enumerate() {
                    new_cat[(r, j)] = ch as u32;
                }
            }
            nums.push(new_num);
            cats.push(new_cat);
            out_y.extend(std::iter::repeat_n(c, n_new));
        }
        let stack_f = |v: &[Array2<f64>]| concatenate(Axis(0), &v.iter().map(|a| a.view()).collect::<Vec<_>>());
        let stack_u = |v: &[Array2<u32>]| concatenate(Axis(0), &v.iter().map(|a| a.view()).collect::<Vec<_>>());
        Ok((
            stack_f(&nums).expect("same width"),
            stack_u(&cats).expect("same width"),
            out_y,
        ))
    }
}

/// For each row of votes, a category with the (numerically) largest vote;
/// ties go to the tied (row, category) pair that comes first in a random
/// permutation of all tied pairs, as imbalanced-learn's
/// `rng.permutation(np.argwhere(is_max))`.
fn vote(votes: &[Vec<f64>], rng: &mut SamplerRng) -> Vec<usize> {
    let mut tied = Vec::new();
    for (r, v) in votes.iter().enumerate() {
        let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        tied.extend(
            v.iter()
                .enumerate()
                .filter(|(_, &x)| isclose(x, max))
                .map(|(c, _)| (r, c)),
        );
    }
    let order = rng.permutation(tied.len());
    let mut chosen = vec![usize::MAX; votes.len()];
    for p in order {
        let (r, c) = tied[p];
        if chosen[r] == usize::MAX {
            chosen[r] = c;
        }
    }
    chosen
}

impl Resampler for SmoteNc {
    fn resample(&self, _data: Xy<'_>, _classes: &[String]) -> Result<Resampled> {
        Err(ResampleError::NotApplicable(
            "SMOTENC needs categorical features: call fit_resample_dataset (or fit_resample_mixed)".into(),
        ))
    }

    fn fit_resample_dataset_with_origin(&self, data: &Dataset) -> Result<(Dataset, Vec<Option<usize>>)> {
        let n_categories: Vec<usize> = data.categories().iter().map(Vec::len).collect();
        let (num, cat, y) = self
            .mixed(Xy::of(data)?, data.categorical(), &n_categories, data.classes())
            .map_err(|e| name_classes(e, data.classes()))?;
        let origin = crate::inputs_then_new(data.n_samples(), y.len());
        Ok((data.with_rows(num, cat, y)?, origin))
    }
}

/// SMOTE for categorical features only (value difference metric).
///
/// SMOTE-N (Chawla et al. 2002, §6.2): over-sampling for categorical
/// features only. Neighbours are found with the value difference metric
/// (Stanfill & Waltz 1986; k = 1, r = 2), and each new sample takes, feature
/// by feature, the most frequent value among a random seed and its
/// `k_neighbors` neighbours (ties: the first category in sorted order).
/// imbalanced-learn's `SMOTEN`; use it through [`Resampler::fit_resample_dataset`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "SMOTEN", kind = "over", aliases = ["smote-n"])]
pub struct SmoteN {
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

impl Default for SmoteN {
    fn default() -> Self {
        SmoteN {
            sampling_strategy: SamplingStrategy::Auto,
            random_state: 0,
            rng: RngKind::Default,
            k_neighbors: 5,
        }
    }
}

impl SmoteN {
    /// Resamples categorical codes `cat` (column `j` has `n_categories[j]`
    /// categories) with class codes `y`; returns both with new rows appended.
    pub fn fit_resample_categorical(
        &self,
        cat: ArrayView2<'_, u32>,
        n_categories: &[usize],
        y: &[usize],
        classes: &[String],
    ) -> Result<(Array2<u32>, Vec<usize>)> {
        check_k("k_neighbors", self.k_neighbors)?;
        let counts = class_counts(Xy::unscanned(Array2::<f64>::zeros((cat.nrows(), 0)).view(), y, classes.len())?.y());
        let targets = self.sampling_strategy.resolve(&counts, SamplingKind::Over, classes)?;
        let classes: Vec<usize> = class_counts(y).into_keys().collect();
        // P(class | category) per feature: the value difference metric's tables.
        let proba: Vec<Array2<f64>> = (0..cat.ncols())
            .map(|j| {
                let mut t = Array2::<f64>::zeros((n_categories[j], classes.len()));
                for (i, &code) in cat.column(j).iter().enumerate() {
                    let ci = classes.binary_search(&y[i]).expect("present class");
                    t[(code as usize, ci)] += 1.0;
                }
                for mut row in t.rows_mut() {
                    let total: f64 = row.sum();
                    if total > 0.0 {
                        row.mapv_inplace(|v| v / total);
                    }
                }
                t
            })
            .collect();
        let vdm = |a: usize, b: usize| -> f64 {
            (0..cat.ncols())
                .map(|j| {
                    let (pa, pb) = (proba[j].row(cat[(a, j)] as usize), proba[j].row(cat[(b, j)] as usize));
                    let l1: f64 = pa.iter().zip(pb).map(|(x, y)| (x - y).abs()).sum();
                    l1 * l1
                })
                .sum()
        };
        let k = self.k_neighbors;
        let (mut rows, mut out_y) = (vec![cat.to_owned()], y.to_vec());
        for (&c, &n_new) in targets.iter().filter(|(_, &n)| n > 0) {
            let members = class_indices(y, c);
            if members.len() < k + 1 {
                return Err(too_few(c, members.len(), k));
            }
            // The k + 1 nearest members of each member, itself included.
            let neighbours: Vec<Vec<usize>> = members
                .par_iter()
                .map(|&a| {
                    let mut d: Vec<(f64, usize)> = members.iter().enumerate().map(|(p, &b)| (vdm(a, b), p)).collect();
                    d.select_nth_unstable_by(k, |x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
                    d.truncate(k + 1);
                    d.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
                    d.into_iter().map(|(_, p)| p).collect()
                })
                .collect();
            let mut rng = class_rng(self.rng, self.random_state, c)?;
            let picks: Vec<usize> = (0..n_new).map(|_| rng.randint(members.len())).collect();
            let mut block = Array2::<u32>::zeros((n_new, cat.ncols()));
            for (r, &p) in picks.iter().enumerate() {
                for j in 0..cat.ncols() {
                    let codes = neighbours[p].iter().map(|&q| cat[(members[q], j)] as usize);
                    block[(r, j)] = crate::util::mode_smallest(codes) as u32;
                }
            }
            rows.push(block);
            out_y.extend(std::iter::repeat_n(c, n_new));
        }
        let views: Vec<_> = rows.iter().map(|a| a.view()).collect();
        Ok((concatenate(Axis(0), &views).expect("same width"), out_y))
    }
}

impl Resampler for SmoteN {
    fn resample(&self, _data: Xy<'_>, _classes: &[String]) -> Result<Resampled> {
        Err(ResampleError::NotApplicable(
            "SMOTEN needs categorical features: call fit_resample_dataset (or fit_resample_categorical)".into(),
        ))
    }

    fn fit_resample_dataset_with_origin(&self, data: &Dataset) -> Result<(Dataset, Vec<Option<usize>>)> {
        if data.numeric().ncols() > 0 {
            return Err(ResampleError::NotApplicable(format!(
                "SMOTEN treats every feature as categorical but {} are numeric: declare them categorical, \
                 or use SMOTENC for mixed data",
                numeric_names(data)
            )));
        }
        let n_categories: Vec<usize> = data.categories().iter().map(Vec::len).collect();
        let (cat, y) = self
            .fit_resample_categorical(data.categorical(), &n_categories, data.y(), data.classes())
            .map_err(|e| name_classes(e, data.classes()))?;
        let origin = crate::inputs_then_new(data.n_samples(), y.len());
        Ok((data.with_rows(Array2::zeros((y.len(), 0)), cat, y)?, origin))
    }
}
