use imbalanced_catalog::Estimator;
use imbalanced_data::take_rows;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use ndarray::ArrayView2;

use crate::error::{ResampleError, Result};
use crate::over::check_k;
use crate::strategy::{class_counts, minority_class_by_appearance, Bound, SamplingKind, SamplingStrategy};
use crate::util::{class_indices, mode_smallest, neighbors_of_rows};
use crate::{Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_neighbors::KnnIndex;

/// How ENN decides that a sample agrees with its neighbourhood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KindSel {
    /// Keep a sample only if all its neighbours share its class. The default.
    #[default]
    All,
    /// Keep a sample if the most frequent class among its neighbours is its own.
    Mode,
}

impl KindSel {
    /// Whether a row of class `own` is kept with neighbours of classes
    /// `neighbours`: all of them `own` (`All`), or `own` the most frequent,
    /// ties to the smaller class code (`Mode`, as SciPy's `mode`).
    pub fn agrees(self, own: usize, mut neighbours: impl Iterator<Item = usize>) -> bool {
        match self {
            KindSel::All => neighbours.all(|c| c == own),
            KindSel::Mode => mode_smallest(neighbours) == own,
        }
    }
}

/// Remove rows whose nearest neighbours disagree with their class.
///
/// Edited nearest neighbours (Wilson 1972): removes samples of the cleaned
/// classes whose `n_neighbors` nearest neighbours disagree with their class
/// (all of them, or their mode, per `kind_sel`).
/// imbalanced-learn's `EditedNearestNeighbours`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "EditedNearestNeighbours", kind = "cleaning", aliases = ["enn", "EditedNearestNeighbors"])]
pub struct EditedNearestNeighbours {
    /// Which classes to clean: `auto` (every class but the minority), `majority`, `not minority`, `not
    /// majority`, `all` or `["label", ...]`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Nearest neighbours a row is compared with. Default: 3.
    pub n_neighbors: usize,
    /// `all` (remove a row unless all its neighbours share its class) or `mode` (unless most of them do).
    /// Default: `all`.
    pub kind_sel: KindSel,
}

impl Default for EditedNearestNeighbours {
    fn default() -> Self {
        EditedNearestNeighbours {
            sampling_strategy: SamplingStrategy::Auto,
            n_neighbors: 3,
            kind_sel: KindSel::All,
        }
    }
}

/// The rows of the classes `strategy` cleans, in class order, after
/// checking that `k + 1` neighbours exist.
fn cleaned_rows(y: &[usize], counts: &BTreeMap<usize, usize>, targets: Bound<'_>, k: usize) -> Result<Vec<usize>> {
    let clean = targets.resolve(counts, SamplingKind::Clean)?;
    if k + 1 > y.len() {
        return Err(ResampleError::TooFewSamples {
            class: "(all)".into(),
            n: y.len(),
            needed: k + 1,
            param: "n_neighbors",
            k,
        });
    }
    Ok(counts
        .keys()
        .filter(|c| clean.contains_key(c))
        .flat_map(|&c| class_indices(y, c))
        .collect())
}

/// The rows kept when each row of `cleaned` has the neighbours
/// `neighbours(position in cleaned)`: all of them of its class
/// (`KindSel::All`) or most (`KindSel::Mode`); rows grouped by class.
fn edit<'a>(
    y: &[usize],
    counts: &BTreeMap<usize, usize>,
    cleaned: &[usize],
    neighbours: impl Fn(usize) -> &'a [usize],
    kind_sel: KindSel,
) -> Vec<usize> {
    let mut agrees = vec![true; y.len()];
    for (p, &i) in cleaned.iter().enumerate() {
        let (c, row) = (y[i], neighbours(p));
        agrees[i] = kind_sel.agrees(c, row.iter().map(|&j| y[j]));
    }
    counts
        .keys()
        .flat_map(|&c| class_indices(y, c))
        .filter(|&i| agrees[i])
        .collect()
}

/// One ENN pass with `k` neighbours: the kept rows, grouped by class.
pub(crate) fn enn_keep(
    x: ArrayView2<'_, f64>,
    y: &[usize],
    targets: Bound<'_>,
    k: usize,
    kind_sel: KindSel,
) -> Result<Vec<usize>> {
    let counts = class_counts(y);
    let cleaned = cleaned_rows(y, &counts, targets, k)?;
    if kind_sel == KindSel::All {
        if let Some(keep) = enn_all_by_counting(x, y, &counts, &cleaned, k)? {
            return Ok(keep);
        }
    }
    // One search for the rows of every cleaned class.
    let nn = neighbors_of_rows(x, &cleaned, k, 0, "n_neighbors")?;
    let width = nn.indices.ncols();
    let flat = nn.indices.as_slice().expect("a fresh row-major array");
    Ok(edit(
        y,
        &counts,
        &cleaned,
        |p| &flat[p * width..(p + 1) * width],
        kind_sel,
    ))
}

impl EditedNearestNeighbours {
    /// Checks `n_neighbors` (at least 1).
    pub fn check(&self) -> Result<()> {
        check_k("n_neighbors", self.n_neighbors)
    }
}

impl Resampler for EditedNearestNeighbours {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        self.check()?;
        let keep = enn_keep(
            x,
            y,
            Bound {
                strategy: &self.sampling_strategy,
                classes,
            },
            self.n_neighbors,
            self.kind_sel,
        )?;
        Ok(Resampled::from_indices(x, y, keep))
    }
}

/// ENN with `KindSel::All` without full neighbour lists: a row keeps iff
/// its `k` neighbours (its `k + 1` nearest rows by distance and row number,
/// less the first) are all of its class, that is iff at least `k + 1` rows
/// of its class (itself included) come before the nearest row of another
/// class, which [`KnnIndex::count_before`] counts with early exit. Rows
/// whose nearest other-class row comes before themselves (a duplicate of
/// lower row number) take the full search. `None` where the counting search
/// is not available (see [`KnnIndex::count_before`]).
fn enn_all_by_counting(
    x: ArrayView2<'_, f64>,
    y: &[usize],
    counts: &BTreeMap<usize, usize>,
    cleaned: &[usize],
    k: usize,
) -> Result<Option<Vec<usize>>> {
    let mut agrees = vec![true; y.len()];
    let mut unsure = Vec::new();
    let classes: Vec<usize> = counts
        .keys()
        .copied()
        .filter(|&c| cleaned.iter().any(|&i| y[i] == c))
        .collect();
    for c in classes {
        let members = class_indices(y, c);
        let others: Vec<usize> = (0..y.len()).filter(|&i| y[i] != c).collect();
        let (xc, xo) = (take_rows(x, &members), take_rows(x, &others));
        let nearest = KnnIndex::new(xo.view()).query(xc.view(), 1)?.indices;
        // The search reports distances; the counting compares exact squares.
        let (rc, ro) = (xc.as_slice().expect("fresh rows"), xo.as_slice().expect("fresh rows"));
        let d = x.ncols();
        let limits: Vec<(f64, usize)> = nearest
            .column(0)
            .iter()
            .enumerate()
            .map(|(p, &o)| {
                let squared = imbalanced_neighbors::squared_distance(&rc[p * d..(p + 1) * d], &ro[o * d..(o + 1) * d]);
                (squared, others[o])
            })
            .collect();
        let Some(before) = KnnIndex::new(xc.view()).count_before(&limits, &members, k + 1) else {
            return Ok(None);
        };
        for (&i, &s) in members.iter().zip(&before) {
            match s {
                0 => unsure.push(i),
                s if s <= k => agrees[i] = false,
                _ => {}
            }
        }
    }
    if !unsure.is_empty() {
        let nn = neighbors_of_rows(x, &unsure, k, 0, "n_neighbors")?;
        for (row, &i) in nn.indices.rows().into_iter().zip(&unsure) {
            agrees[i] = KindSel::All.agrees(y[i], row.iter().map(|&j| y[j]));
        }
    }
    Ok(Some(
        counts
            .keys()
            .flat_map(|&c| class_indices(y, c))
            .filter(|&i| agrees[i])
            .collect(),
    ))
}

/// Runs ENN passes with the neighbourhood sizes `ks` until a stop rule of
/// imbalanced-learn's RENN / AllKNN fires. Returns the kept rows and the
/// number of passes made.
///
/// Each pass is ENN on the rows the last one kept, in its output order
/// (grouped by class), as imbalanced-learn refits on `X[kept]`. The
/// neighbour lists carry over: a row's `K + 1` nearest (`K` the largest of
/// `ks`) stay its nearest in a smaller set unless one of them was removed,
/// so a pass re-searches only rows that lost a neighbour. Not across the
/// first pass: its ties go by input order, later passes' by class order.
fn repeat_edit(
    x: ArrayView2<'_, f64>,
    y: &[usize],
    targets: Bound<'_>,
    kind_sel: KindSel,
    ks: impl Iterator<Item = usize> + Clone,
    stop_on_convergence: bool,
    allow_minority: bool,
) -> Result<(Vec<usize>, usize)> {
    let counts = class_counts(y);
    let minority = minority_class_by_appearance(y, &counts);
    let width = ks.clone().max().unwrap_or(1) + 1;
    // Per input row: its `width` nearest among the current rows (input
    // indices), nearest first; empty when it must be searched again.
    let mut lists: Vec<Vec<usize>> = vec![Vec::new(); y.len()];
    let mut kept: Vec<usize> = (0..y.len()).collect();
    let mut passes = 0;
    for k in ks {
        passes += 1;
        let ys: Vec<usize> = kept.iter().map(|&i| y[i]).collect();
        let now_counts = class_counts(&ys);
        let cleaned = cleaned_rows(&ys, &now_counts, targets, k)?;
        let stale: Vec<usize> = cleaned.iter().copied().filter(|&p| lists[kept[p]].is_empty()).collect();
        if !stale.is_empty() {
            let xs = take_rows(x.view(), &kept);
            let w = width.min(kept.len());
            let index = KnnIndex::new(xs.view());
            let nn = index.query_points(&stale, w)?;
            for (&p, row) in stale.iter().zip(nn.indices.rows()) {
                lists[kept[p]] = row.iter().map(|&q| kept[q]).collect();
            }
        }
        // imbalanced-learn's kneighbors(X, k + 1)[:, 1:], in positions of this pass.
        let mut position = vec![usize::MAX; y.len()];
        kept.iter().enumerate().for_each(|(p, &i)| position[i] = p);
        let neighbours: Vec<Vec<usize>> = cleaned
            .iter()
            .map(|&p| lists[kept[p]][1..=k].iter().map(|&i| position[i]).collect())
            .collect();
        let local = edit(&ys, &now_counts, &cleaned, |p| &neighbours[p], kind_sel);
        let converged = local.len() == ys.len();
        let mut removed = vec![true; y.len()];
        for &p in &local {
            removed[kept[p]] = false;
        }
        kept = local.iter().map(|&p| kept[p]).collect();
        if passes == 1 {
            lists.iter_mut().for_each(Vec::clear);
        } else {
            for &i in &kept {
                if lists[i].iter().any(|&j| removed[j]) {
                    lists[i].clear();
                }
            }
        }
        let now: BTreeMap<usize, usize> = class_counts(&kept.iter().map(|&i| y[i]).collect::<Vec<_>>());
        let minority_became_majority =
            !allow_minority && now.iter().any(|(&c, &n)| c != minority && n < counts[&minority]);
        let lost_a_class = now.len() < counts.len();
        if (stop_on_convergence && converged) || minority_became_majority || lost_a_class {
            break;
        }
    }
    Ok((kept, passes))
}

/// ENN repeated until nothing changes.
///
/// Repeated edited nearest neighbours (Tomek 1976): ENN passes until one
/// removes nothing, `max_iter` passes were made, or a cleaned class would
/// fall below the minority's size. imbalanced-learn's
/// `RepeatedEditedNearestNeighbours`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "RepeatedEditedNearestNeighbours", kind = "cleaning", aliases = ["renn", "RepeatedEditedNearestNeighbors"])]
pub struct RepeatedEditedNearestNeighbours {
    /// Which classes to clean: `auto` (every class but the minority), `majority`, `not minority`, `not
    /// majority`, `all` or `["label", ...]`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Nearest neighbours a row is compared with. Default: 3.
    pub n_neighbors: usize,
    /// Rounds of editing at most. Default: 100.
    pub max_iter: usize,
    /// `all` (remove a row unless all its neighbours share its class) or `mode` (unless most of them do).
    /// Default: `all`.
    pub kind_sel: KindSel,
}

impl Default for RepeatedEditedNearestNeighbours {
    fn default() -> Self {
        RepeatedEditedNearestNeighbours {
            sampling_strategy: SamplingStrategy::Auto,
            n_neighbors: 3,
            max_iter: 100,
            kind_sel: KindSel::All,
        }
    }
}

impl RepeatedEditedNearestNeighbours {
    /// Resamples and also returns the number of ENN passes (`n_iter_`);
    /// `classes` as in [`Resampler::resample`].
    pub fn fit_resample_iter(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[usize],
        classes: &[String],
    ) -> Result<(Resampled, usize)> {
        check_k("n_neighbors", self.n_neighbors)?;
        check_k("max_iter", self.max_iter)?;
        let ks = std::iter::repeat_n(self.n_neighbors, self.max_iter);
        let (keep, passes) = repeat_edit(
            x,
            y,
            Bound {
                strategy: &self.sampling_strategy,
                classes,
            },
            self.kind_sel,
            ks,
            true,
            false,
        )?;
        Ok((Resampled::from_indices(x, y, keep), passes))
    }
}

impl Resampler for RepeatedEditedNearestNeighbours {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        Ok(self.fit_resample_iter(x, y, classes)?.0)
    }
}

/// ENN with 1, 2, ..., n_neighbors neighbours in turn.
///
/// All-k-NN (Tomek 1976): ENN with 1, 2, ..., `n_neighbors` neighbours in
/// turn, stopping early as RENN does (unless `allow_minority`).
/// imbalanced-learn's `AllKNN`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "AllKNN", kind = "cleaning", aliases = ["all-knn"])]
pub struct AllKnn {
    /// Which classes to clean: `auto` (every class but the minority), `majority`, `not minority`, `not
    /// majority`, `all` or `["label", ...]`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Largest neighbourhood: ENN runs with 1, 2, ..., n_neighbors neighbours. Default: 3.
    pub n_neighbors: usize,
    /// `all` (remove a row unless all its neighbours share its class) or `mode` (unless most of them do).
    /// Default: `all`.
    pub kind_sel: KindSel,
    /// Keep going when a class falls below the minority's size. Default: `false`.
    pub allow_minority: bool,
}

impl Default for AllKnn {
    fn default() -> Self {
        AllKnn {
            sampling_strategy: SamplingStrategy::Auto,
            n_neighbors: 3,
            kind_sel: KindSel::All,
            allow_minority: false,
        }
    }
}

impl Resampler for AllKnn {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        check_k("n_neighbors", self.n_neighbors)?;
        let (keep, _) = repeat_edit(
            x,
            y,
            Bound {
                strategy: &self.sampling_strategy,
                classes,
            },
            self.kind_sel,
            1..=self.n_neighbors,
            false,
            self.allow_minority,
        )?;
        Ok(Resampled::from_indices(x, y, keep))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUTO: Bound<'static> = Bound {
        strategy: &SamplingStrategy::Auto,
        classes: &[],
    };
    use ndarray::Array2;
    use proptest::prelude::*;

    /// Uniform numbers in [0, 1), reproducible from `seed`: test data.
    fn uniform(seed: u64) -> impl FnMut() -> f64 {
        let mut rng = imbalanced_random::SamplerRng::new(imbalanced_random::RngKind::Default, seed);
        move || rng.random()
    }

    /// `repeat_edit` as imbalanced-learn runs it: a fresh ENN on the kept
    /// rows every pass.
    fn fresh_passes(
        x: ArrayView2<'_, f64>,
        y: &[usize],
        kind_sel: KindSel,
        ks: impl Iterator<Item = usize>,
        stop_on_convergence: bool,
    ) -> Result<Vec<usize>> {
        let counts = class_counts(y);
        let minority = minority_class_by_appearance(y, &counts);
        let mut kept: Vec<usize> = (0..y.len()).collect();
        for k in ks {
            let ys: Vec<usize> = kept.iter().map(|&i| y[i]).collect();
            let local = enn_keep(take_rows(x, &kept).view(), &ys, AUTO, k, kind_sel)?;
            let converged = local.len() == ys.len();
            kept = local.iter().map(|&p| kept[p]).collect();
            let now = class_counts(&kept.iter().map(|&i| y[i]).collect::<Vec<_>>());
            if (stop_on_convergence && converged)
                || now.iter().any(|(&c, &n)| c != minority && n < counts[&minority])
                || now.len() < counts.len()
            {
                break;
            }
        }
        Ok(kept)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Counting rows before the nearest other-class row decides as the
        /// full neighbour lists do, ties and duplicates included.
        #[test]
        fn counting_equals_neighbour_lists(
            n in 8usize..400,
            d in 1usize..6,
            seed in 0u64..1000,
            grid in proptest::bool::ANY,
            k in 1usize..5,
        ) {
            let mut next = uniform(seed);
            let x = Array2::from_shape_fn((n, d), |_| if grid { (next() * 3.0).floor() } else { next() });
            let y: Vec<usize> = (0..n).map(|_| { let u = next(); usize::from(u > 0.5) + usize::from(u > 0.8) }).collect();
            let counts = class_counts(&y);
            prop_assume!(counts.len() >= 2 && n > k + 1);
            let cleaned = cleaned_rows(&y, &counts, Bound { strategy: &SamplingStrategy::All, classes: &[] }, k).unwrap();
            let nn = neighbors_of_rows(x.view(), &cleaned, k, 0, "n_neighbors").unwrap();
            let width = nn.indices.ncols();
            let flat = nn.indices.as_slice().unwrap();
            let want = edit(&y, &counts, &cleaned, |p| &flat[p * width..(p + 1) * width], KindSel::All);
            // Without AVX-512 VNNI there is no counting search to compare.
            if let Some(got) = enn_all_by_counting(x.view(), &y, &counts, &cleaned, k).unwrap() {
                prop_assert_eq!(got, want);
            }
        }

        /// Carrying neighbour lists across passes changes nothing, ties included.
        #[test]
        fn carried_lists_equal_fresh_passes(
            n in 12usize..300,
            seed in 0u64..1000,
            grid in proptest::bool::ANY,
            mode in proptest::bool::ANY,
        ) {
            let mut next = uniform(seed);
            let x = Array2::from_shape_fn((n, 2), |_| if grid { (next() * 5.0).floor() } else { next() });
            // Three overlapping classes, the last rarest.
            let y: Vec<usize> = (0..n).map(|_| { let u = next(); usize::from(u > 0.55) + usize::from(u > 0.85) }).collect();
            let counts = class_counts(&y);
            prop_assume!(counts.len() == 3 && counts.values().all(|&c| c >= 2));
            let kind_sel = if mode { KindSel::Mode } else { KindSel::All };
            for (ks, stop) in [(vec![3; 20], true), ((1..=4).collect::<Vec<_>>(), false)] {
                let got = repeat_edit(x.view(), &y, AUTO, kind_sel, ks.iter().copied(), stop, false);
                let want = fresh_passes(x.view(), &y, kind_sel, ks.iter().copied(), stop);
                match (got, want) {
                    (Ok((g, _)), Ok(w)) => prop_assert_eq!(g, w),
                    (g, w) => prop_assert_eq!(g.is_err(), w.is_err()),
                }
            }
        }
    }
}
