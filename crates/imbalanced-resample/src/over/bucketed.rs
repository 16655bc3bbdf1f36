//! Bucketed SMOTE-NC: the over-sampler ReTabSyn's code (Lin et al. 2026)
//! starts from. Our formulation of its description: interpolate only inside
//! identical categorical signatures.

use std::collections::BTreeMap;

use imbalanced_catalog::Estimator;
use imbalanced_data::{take_rows, Dataset, Xy};
use imbalanced_neighbors::self_neighbors;
use imbalanced_random::RngKind;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::over::check_k;
use crate::strategy::{SamplingKind, SamplingStrategy};
use crate::util::{class_indices, make_rng, name_classes};
use crate::{class_counts, Resampled, Resampler};

/// SMOTE inside buckets of rows that share every categorical value.
///
/// Bucketed SMOTE-NC, after ReTabSyn's code (Lin et al. 2026), our
/// formulation: a class's rows are bucketed by their categorical values; each
/// new row draws a bucket in proportion to its size, a seed row in it, one of
/// the seed's `k_neighbors` nearest rows of the bucket (numeric features,
/// Euclidean; fewer in a smaller bucket, the seed itself in a bucket of one),
/// and a random point between them. The categorical values are the bucket's,
/// so no new row has a combination the class lacks; numeric columns whose
/// values are all whole numbers stay whole (rounded). Without categorical
/// columns it is SMOTE with that rounding. The output is the input, then the
/// new rows class by class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "BucketedSMOTENC", kind = "over", aliases = ["bucketed-smote-nc"])]
pub struct BucketedSmoteNc {
    /// Which classes to over-sample and to what size: `auto` (every class but the majority, up to its size),
    /// `minority`, `not minority`, `not majority`, `all`, a ratio minority / majority (binary targets) or
    /// `{"label": count}`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Nearest rows of the same bucket a new row is interpolated towards. Default: 5.
    pub k_neighbors: usize,
    /// Seed of the buckets, rows and points drawn. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937). Default: `default`.
    pub rng: RngKind,
}

impl Default for BucketedSmoteNc {
    fn default() -> Self {
        BucketedSmoteNc {
            sampling_strategy: SamplingStrategy::Auto,
            k_neighbors: 5,
            random_state: 0,
            rng: RngKind::Default,
        }
    }
}

/// One class's rows (indices into the data) with one categorical signature,
/// and each row's nearest rows of the bucket (positions in `rows`).
struct Bucket {
    rows: Vec<usize>,
    neighbours: Option<Array2<usize>>,
}

impl BucketedSmoteNc {
    /// New rows for every class the strategy names: numeric values,
    /// categorical codes, class codes.
    fn generate(
        &self,
        num: ArrayView2<'_, f64>,
        cat: ArrayView2<'_, u32>,
        y: &[usize],
        classes: &[String],
    ) -> Result<(Array2<f64>, Array2<u32>, Vec<usize>)> {
        check_k("k_neighbors", self.k_neighbors)?;
        let targets = self
            .sampling_strategy
            .resolve(&class_counts(y), SamplingKind::Over, classes)?;
        let whole: Vec<bool> = num
            .columns()
            .into_iter()
            .map(|c| c.iter().all(|v| v.fract() == 0.0))
            .collect();
        let mut rng = make_rng(self.rng, self.random_state)?;
        let total: usize = targets.values().sum();
        let (mut new_num, mut new_cat) = (Array2::zeros((total, num.ncols())), Array2::zeros((total, cat.ncols())));
        let mut new_y = Vec::with_capacity(total);
        for (&c, &n_new) in targets.iter().filter(|(_, &n)| n > 0) {
            let buckets = self.buckets(num, cat, &class_indices(y, c))?;
            let sizes: Vec<f64> = buckets.iter().map(|b| b.rows.len() as f64).collect();
            for _ in 0..n_new {
                let r = new_y.len();
                let bucket = &buckets[rng.choice_p(&sizes, 1)[0]];
                let seed = rng.randint(bucket.rows.len());
                let partner = match &bucket.neighbours {
                    Some(nn) => nn[(seed, rng.randint(nn.ncols()))],
                    None => seed,
                };
                let (a, b) = (bucket.rows[seed], bucket.rows[partner]);
                let gap = rng.random();
                for j in 0..num.ncols() {
                    let v = num[(a, j)] + gap * (num[(b, j)] - num[(a, j)]);
                    new_num[(r, j)] = if whole[j] { v.round() } else { v };
                }
                new_cat.row_mut(r).assign(&cat.row(a));
                new_y.push(c);
            }
        }
        Ok((new_num, new_cat, new_y))
    }

    /// The rows `members` bucketed by categorical signature (in the order
    /// signatures first appear), each bucket of two rows or more with its
    /// rows' nearest neighbours inside it.
    fn buckets(&self, num: ArrayView2<'_, f64>, cat: ArrayView2<'_, u32>, members: &[usize]) -> Result<Vec<Bucket>> {
        let mut by_signature: BTreeMap<Vec<u32>, usize> = BTreeMap::new();
        let mut buckets: Vec<Bucket> = Vec::new();
        for &i in members {
            let key = cat.row(i).to_vec();
            let b = *by_signature.entry(key).or_insert_with(|| {
                buckets.push(Bucket {
                    rows: Vec::new(),
                    neighbours: None,
                });
                buckets.len() - 1
            });
            buckets[b].rows.push(i);
        }
        for bucket in buckets.iter_mut().filter(|b| b.rows.len() > 1) {
            let k = self.k_neighbors.min(bucket.rows.len() - 1);
            let rows = take_rows(num, &bucket.rows);
            bucket.neighbours = Some(self_neighbors(rows.view(), k)?.indices);
        }
        Ok(buckets)
    }
}

impl Resampler for BucketedSmoteNc {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        let no_categories = Array2::<u32>::zeros((x.nrows(), 0));
        let (new_x, _, new_y) = self.generate(x, no_categories.view(), y, classes)?;
        let n = x.nrows();
        let out_x = ndarray::concatenate(ndarray::Axis(0), &[x, new_x.view()]).expect("same width");
        Ok(Resampled {
            origin: crate::inputs_then_new(n, n + new_y.len()),
            y: y.iter().copied().chain(new_y).collect(),
            x: out_x,
        })
    }

    fn fit_resample_dataset_with_origin(&self, data: &Dataset) -> Result<(Dataset, Vec<Option<usize>>)> {
        let (num, cat, y) = (data.numeric(), data.categorical(), data.y());
        let (new_num, new_cat, new_y) = self
            .generate(num, cat, y, data.classes())
            .map_err(|e| name_classes(e, data.classes()))?;
        let cat_all = ndarray::concatenate(ndarray::Axis(0), &[cat, new_cat.view()]).expect("same width");
        let num_all = ndarray::concatenate(ndarray::Axis(0), &[num, new_num.view()]).expect("same width");
        let origin = crate::inputs_then_new(data.n_samples(), num_all.nrows());
        Ok((
            data.with_rows(num_all, cat_all, y.iter().copied().chain(new_y).collect())?,
            origin,
        ))
    }
}
