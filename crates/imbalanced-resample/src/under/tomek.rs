use imbalanced_catalog::Estimator;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use imbalanced_neighbors::{self_neighbors, KnnIndex};
use ndarray::ArrayView2;

use crate::error::Result;
use crate::strategy::{SamplingKind, SamplingStrategy};
use crate::{class_counts, Resampled, Resampler};
use imbalanced_data::Xy;

/// Remove rows that form a cross-class mutual-nearest-neighbour pair.
///
/// Tomek links (Tomek 1976): removes a sample of a cleaned class when it and
/// its nearest neighbour are of different classes and each is the other's
/// nearest neighbour. Keeps the input order. imbalanced-learn's `TomekLinks`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "TomekLinks", kind = "cleaning", aliases = ["tomek"])]
pub struct TomekLinks {
    /// Which classes to clean: `auto` (every class but the minority), `majority`, `not minority`, `not
    /// majority`, `all` or `["label", ...]`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
}

/// Which rows are in a Tomek link and belong to a class of `clean`.
///
/// A link joins two classes, so it always has an end outside the largest
/// class. When that class holds most rows, searching the nearest neighbour
/// of the other rows only, then of the largest-class rows they point to,
/// finds every link at a fraction of the all-points search (which is what
/// imbalanced-learn does, and what we do when classes are balanced). Both
/// give each row the same neighbour: the second of its two nearest rows
/// (itself first unless it has an earlier duplicate), ties by lower index.
pub(crate) fn tomek_links(x: ArrayView2<'_, f64>, y: &[usize], clean: &BTreeMap<usize, usize>) -> Result<Vec<bool>> {
    let n = y.len();
    let counts = crate::strategy::class_counts(y);
    let largest = counts.iter().max_by_key(|(_, &c)| c).map(|(&k, _)| k).unwrap_or(0);
    let others: Vec<usize> = (0..n).filter(|&i| y[i] != largest).collect();
    // nn[i]: row i's nearest other row, where computed.
    let mut nn = vec![usize::MAX; n];
    if n < 2 || 4 * others.len() > n {
        let all = self_neighbors(x, 1)?.indices;
        (0..n).for_each(|i| nn[i] = all[(i, 0)]);
    } else {
        let index = KnnIndex::new(x);
        let nearest = |rows: &[usize], nn: &mut [usize]| -> Result<()> {
            let found = index.query_rows(x, rows, 2)?.indices;
            rows.iter().enumerate().for_each(|(r, &i)| nn[i] = found[(r, 1)]);
            Ok(())
        };
        nearest(&others, &mut nn)?;
        let mut targets: Vec<usize> = others.iter().map(|&i| nn[i]).filter(|&j| y[j] == largest).collect();
        targets.sort_unstable();
        targets.dedup();
        nearest(&targets, &mut nn)?;
    }
    let linked = |i: usize| {
        let j = nn[i];
        j != usize::MAX && y[j] != y[i] && nn[j] == i
    };
    Ok((0..n).map(|i| clean.contains_key(&y[i]) && linked(i)).collect())
}

impl Resampler for TomekLinks {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        let counts = class_counts(y);
        let clean = self.sampling_strategy.resolve(&counts, SamplingKind::Clean, classes)?;
        let links = tomek_links(x, y, &clean)?;
        let keep = (0..y.len()).filter(|&i| !links[i]).collect();
        Ok(Resampled::from_indices(x, y, keep))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use proptest::prelude::*;

    /// imbalanced-learn's definition over the all-points search.
    fn reference(x: ArrayView2<'_, f64>, y: &[usize]) -> Vec<bool> {
        let nn = self_neighbors(x, 1).unwrap().indices;
        (0..y.len())
            .map(|i| {
                let j = nn[(i, 0)];
                y[j] != y[i] && nn[(j, 0)] == i
            })
            .collect()
    }

    proptest! {
        #[test]
        fn the_short_search_finds_the_same_links(
            cells in proptest::collection::vec((0u8..6, 0u8..6, 0u8..20), 12..200),
        ) {
            // Coarse coordinates: many exact ties and duplicates; about 1 in 10 rows minority.
            let x = Array2::from_shape_fn((cells.len(), 2), |(i, j)| f64::from(if j == 0 { cells[i].0 } else { cells[i].1 }));
            let y: Vec<usize> = cells.iter().map(|c| usize::from(c.2 < 2) + usize::from(c.2 == 0)).collect();
            let all: BTreeMap<usize, usize> = (0..3).map(|k| (k, 0)).collect();
            prop_assert_eq!(tomek_links(x.view(), &y, &all).unwrap(), reference(x.view(), &y));
        }
    }
}
