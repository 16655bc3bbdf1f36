use std::collections::BTreeMap;

use imbalanced_neighbors::self_neighbors;
use ndarray::ArrayView2;

use crate::error::Result;
use crate::strategy::{SamplingKind, SamplingStrategy};
use crate::{check_input, Resampled, Resampler};

/// Tomek links (Tomek 1976): removes a sample of a cleaned class when it and
/// its nearest neighbour are of different classes and each is the other's
/// nearest neighbour. Keeps the input order. imbalanced-learn's `TomekLinks`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TomekLinks {
    /// Classes to clean. Default: `Auto` (every class but the minority).
    pub sampling_strategy: SamplingStrategy,
}

setters!(TomekLinks {
    sampling_strategy: SamplingStrategy,
});

/// Which rows are in a Tomek link and belong to a class of `clean`.
pub(crate) fn tomek_links(x: ArrayView2<'_, f64>, y: &[usize], clean: &BTreeMap<usize, usize>) -> Result<Vec<bool>> {
    let nn = self_neighbors(x, 1)?.indices;
    Ok((0..y.len())
        .map(|i| {
            let j = nn[(i, 0)];
            clean.contains_key(&y[i]) && y[j] != y[i] && nn[(j, 0)] == i
        })
        .collect())
}

impl Resampler for TomekLinks {
    fn name(&self) -> &'static str {
        "TomekLinks"
    }

    fn fit_resample(&self, x: ArrayView2<'_, f64>, y: &[usize]) -> Result<Resampled> {
        let counts = check_input(x, y, true)?;
        let clean = self.sampling_strategy.resolve(&counts, SamplingKind::Clean)?;
        let links = tomek_links(x, y, &clean)?;
        let keep = (0..y.len()).filter(|&i| !links[i]).collect();
        Ok(Resampled::from_indices(x, y, keep))
    }
}
