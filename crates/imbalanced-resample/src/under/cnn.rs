use imbalanced_catalog::Estimator;
use imbalanced_data::take_rows;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

use imbalanced_neighbors::{squared_distance, KnnIndex};
use ndarray::ArrayView2;

use crate::error::{ResampleError, Result};
use crate::over::check_k;
use crate::strategy::{minority_class_by_appearance, SamplingKind, SamplingStrategy};
use crate::under::tomek::tomek_links;
use crate::util::{class_indices, make_rng, mode_smallest};
use crate::{class_counts, Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_random::{RngKind, SamplerRng};

/// A k-NN classifier over a growing reference set `c` that keeps, for every
/// query, its `k` nearest references (squared distance, then position in
/// `c`), so adding a reference costs one distance per query instead of a
/// refit. Predictions equal scikit-learn's `KNeighborsClassifier` refit on
/// the same references (majority vote, ties to the smallest class).
struct GrowingKnn<'a> {
    x: ArrayView2<'a, f64>,
    y: &'a [usize],
    k: usize,
    reference: Vec<usize>,
    queries: Vec<usize>,
    /// The queries' features, row after row (contiguous for the distance loop).
    query_rows: Vec<f64>,
    nearest: Vec<Vec<(f64, usize)>>,
}

impl<'a> GrowingKnn<'a> {
    fn new(
        x: ArrayView2<'a, f64>,
        y: &'a [usize],
        k: usize,
        reference: Vec<usize>,
        queries: Vec<usize>,
    ) -> Result<Self> {
        if k > reference.len() {
            return Err(ResampleError::TooFewSamples {
                class: "(minority + seeds)".into(),
                n: reference.len(),
                needed: k,
                param: "n_neighbors",
                k,
            });
        }
        let xr = take_rows(x.view(), &reference);
        let xq = take_rows(x.view(), &queries);
        let nn = KnnIndex::new(xr.view()).query(xq.view(), k)?;
        let nearest = nn
            .indices
            .rows()
            .into_iter()
            .zip(&queries)
            .map(|(row, &q)| {
                let qr = x.row(q).to_vec();
                row.iter()
                    .map(|&p| (squared_distance(&qr, &x.row(reference[p]).to_vec()), p))
                    .collect()
            })
            .collect();
        let query_rows = xq.iter().copied().collect();
        Ok(GrowingKnn {
            x,
            y,
            k,
            reference,
            queries,
            query_rows,
            nearest,
        })
    }

    fn predict(&self, q: usize) -> usize {
        mode_smallest(self.nearest[q].iter().map(|&(_, p)| self.y[self.reference[p]]))
    }

    /// Adds row `r` to the references; returns the queries whose neighbours changed.
    fn add(&mut self, r: usize) -> Vec<usize> {
        let pos = self.reference.len();
        self.reference.push(r);
        let xr = self.x.row(r).to_vec();
        let d = xr.len();
        let mut changed = Vec::new();
        for qi in 0..self.queries.len() {
            let dist = squared_distance(&self.query_rows[qi * d..(qi + 1) * d], &xr);
            let list = &mut self.nearest[qi];
            if list.len() == self.k && list.last().is_some_and(|&(w, _)| dist >= w) {
                continue;
            }
            let at = list.partition_point(|&(v, _)| v <= dist);
            list.insert(at, (dist, pos));
            list.truncate(self.k);
            changed.push(qi);
        }
        changed
    }
}

/// What CNN and OSS share: their checks, the classes to clean, the
/// generator and the minority rows (first-appearance order, as imbalanced-learn).
struct Setup {
    counts: BTreeMap<usize, usize>,
    targets: BTreeMap<usize, usize>,
    rng: SamplerRng,
    minority: Vec<usize>,
}

/// CNN and OSS take the same parameters: (strategy, seed, generator, k, seeds).
trait SeededSelection {
    fn parts(&self) -> (&SamplingStrategy, u64, RngKind, usize, usize);
}

/// Both take their parts from fields of the same names.
macro_rules! seeded_selection {
    ($($ty:ty),*) => {$(
        impl SeededSelection for $ty {
            fn parts(&self) -> (&SamplingStrategy, u64, RngKind, usize, usize) {
                (&self.sampling_strategy, self.random_state, self.rng, self.n_neighbors, self.n_seeds_s)
            }
        }
    )*};
}

seeded_selection!(CondensedNearestNeighbour, OneSidedSelection);

fn setup(params: &impl SeededSelection, y: &[usize], classes: &[String]) -> Result<Setup> {
    let (strategy, seed, kind, n_neighbors, n_seeds) = params.parts();
    check_k("n_neighbors", n_neighbors)?;
    check_k("n_seeds_S", n_seeds)?;
    let counts = class_counts(y);
    let targets = strategy.resolve(&counts, SamplingKind::Clean, classes)?;
    let minority = class_indices(y, minority_class_by_appearance(y, &counts));
    Ok(Setup {
        counts,
        targets,
        rng: make_rng(kind, seed)?,
        minority,
    })
}

/// Keep the rows a growing 1-NN classifier gets wrong.
///
/// Condensed nearest neighbour (Hart 1968): for each cleaned class, starts
/// from the minority class plus `n_seeds_S` random samples of the class and
/// adds every sample of the class that a k-NN classifier on the current set
/// misclassifies, in one pass. imbalanced-learn's
/// `CondensedNearestNeighbour`, including its skip rule (which compares the
/// row's position in the class with the *dataset* indices of the samples
/// already added), so that the kept rows are the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "CondensedNearestNeighbour", kind = "cleaning", aliases = ["cnn", "CondensedNearestNeighbor"])]
pub struct CondensedNearestNeighbour {
    /// Which classes to clean: `auto` (every class but the minority), `majority`, `not minority`, `not
    /// majority`, `all` or `["label", ...]`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Seed of the random draws. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: imbalanced-learn's
    /// exact output for the same seed). Default: `default`.
    pub rng: RngKind,
    /// k of the k-NN classifier that decides which rows to keep. Default: 1.
    pub n_neighbors: usize,
    /// Rows of each cleaned class drawn at random to start the kept set. Default: 1.
    #[serde(rename = "n_seeds_S")]
    pub n_seeds_s: usize,
}

impl Default for CondensedNearestNeighbour {
    fn default() -> Self {
        CondensedNearestNeighbour {
            sampling_strategy: SamplingStrategy::Auto,
            random_state: 0,
            rng: RngKind::Default,
            n_neighbors: 1,
            n_seeds_s: 1,
        }
    }
}

impl Resampler for CondensedNearestNeighbour {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        let Setup {
            counts,
            targets,
            mut rng,
            minority,
        } = setup(self, y, classes)?;
        let mut keep = Vec::new();
        for &c in counts.keys() {
            let members = class_indices(y, c);
            if !targets.contains_key(&c) {
                keep.extend(members);
                continue;
            }
            let seeds: Vec<usize> = (0..self.n_seeds_s)
                .map(|_| members[rng.randint(members.len())])
                .collect();
            let mut reference = minority.clone();
            reference.extend(&seeds);
            let mut knn = GrowingKnn::new(x, y, self.n_neighbors, reference, members.clone())?;
            let mut added: HashSet<usize> = seeds.iter().copied().collect();
            let mut kept = seeds;
            let mut correct: Vec<bool> = Vec::new();
            for (pos, &row) in members.iter().enumerate() {
                let good = added.contains(&pos) || correct.get(pos).copied().unwrap_or(false);
                if good || knn.predict(pos) == c {
                    continue;
                }
                kept.push(row);
                added.insert(row);
                let changed = knn.add(row);
                if correct.is_empty() {
                    correct = (0..members.len()).map(|q| knn.predict(q) == c).collect();
                } else {
                    for q in changed {
                        correct[q] = knn.predict(q) == c;
                    }
                }
            }
            keep.extend(kept);
        }
        Ok(Resampled::from_indices(x, y, keep))
    }
}

/// Keep rows a 1-NN classifier on the minority gets wrong, then remove Tomek links.
///
/// One-sided selection (Kubat & Matwin 1997): for each cleaned class, keeps
/// `n_seeds_S` random samples plus those a k-NN classifier trained on the
/// minority class and the seeds misclassifies, then removes Tomek links.
/// imbalanced-learn's `OneSidedSelection`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "OneSidedSelection", kind = "cleaning", aliases = ["oss"])]
pub struct OneSidedSelection {
    /// Which classes to clean: `auto` (every class but the minority), `majority`, `not minority`, `not
    /// majority`, `all` or `["label", ...]`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Seed of the random draws. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: imbalanced-learn's
    /// exact output for the same seed). Default: `default`.
    pub rng: RngKind,
    /// k of the k-NN classifier that decides which rows to keep. Default: 1.
    pub n_neighbors: usize,
    /// Rows of each cleaned class drawn at random to start the kept set. Default: 1.
    #[serde(rename = "n_seeds_S")]
    pub n_seeds_s: usize,
}

impl Default for OneSidedSelection {
    fn default() -> Self {
        OneSidedSelection {
            sampling_strategy: SamplingStrategy::Auto,
            random_state: 0,
            rng: RngKind::Default,
            n_neighbors: 1,
            n_seeds_s: 1,
        }
    }
}

impl Resampler for OneSidedSelection {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        let Setup {
            counts,
            targets,
            mut rng,
            minority,
        } = setup(self, y, classes)?;
        let mut kept = Vec::new();
        for &c in counts.keys() {
            let members = class_indices(y, c);
            if !targets.contains_key(&c) {
                kept.extend(members);
                continue;
            }
            let picks: Vec<usize> = (0..self.n_seeds_s).map(|_| rng.randint(members.len())).collect();
            let seeds: Vec<usize> = picks.iter().map(|&p| members[p]).collect();
            let picked: HashSet<usize> = picks.into_iter().collect();
            let rest: Vec<usize> = (0..members.len())
                .filter(|p| !picked.contains(p))
                .map(|p| members[p])
                .collect();
            let mut reference = minority.clone();
            reference.extend(&seeds);
            let knn = GrowingKnn::new(x, y, self.n_neighbors, reference, rest.clone())?;
            kept.extend(seeds);
            kept.extend((0..rest.len()).filter(|&q| knn.predict(q) != c).map(|q| rest[q]));
        }
        let ys: Vec<usize> = kept.iter().map(|&i| y[i]).collect();
        let clean: BTreeMap<usize, usize> = targets.keys().map(|&c| (c, 0)).collect();
        let links = tomek_links(take_rows(x.view(), &kept).view(), &ys, &clean)?;
        let keep = kept.iter().zip(links).filter(|(_, l)| !l).map(|(&i, _)| i).collect();
        Ok(Resampled::from_indices(x, y, keep))
    }
}
