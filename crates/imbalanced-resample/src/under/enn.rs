use imbalanced_data::take_rows;
use std::collections::BTreeMap;

use ndarray::ArrayView2;

use crate::error::{ResampleError, Result};
use crate::over::check_k;
use crate::strategy::{class_counts, minority_class_by_appearance, SamplingKind, SamplingStrategy};
use crate::util::{class_indices, mode_smallest, neighbors_of_rows};
use crate::{check_input, Resampled, Resampler};

/// How ENN decides that a sample agrees with its neighbourhood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KindSel {
    /// Keep a sample only if all its neighbours share its class. The default.
    #[default]
    All,
    /// Keep a sample if the most frequent class among its neighbours is its own.
    Mode,
}

impl std::str::FromStr for KindSel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "all" => Ok(KindSel::All),
            "mode" => Ok(KindSel::Mode),
            other => Err(format!("kind_sel must be 'all' or 'mode', got {other:?}")),
        }
    }
}

/// Edited nearest neighbours (Wilson 1972): removes samples of the cleaned
/// classes whose `n_neighbors` nearest neighbours disagree with their class
/// (all of them, or their mode, per `kind_sel`).
/// imbalanced-learn's `EditedNearestNeighbours`.
#[derive(Debug, Clone, PartialEq)]
pub struct EditedNearestNeighbours {
    /// Classes to clean. Default: `Auto` (every class but the minority).
    pub sampling_strategy: SamplingStrategy,
    /// Default: 3.
    pub n_neighbors: usize,
    /// Default: `All`.
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

setters!(EditedNearestNeighbours {
    sampling_strategy: SamplingStrategy,
    n_neighbors: usize,
    kind_sel: KindSel,
});

/// One ENN pass with `k` neighbours: the kept rows, grouped by class.
pub(crate) fn enn_keep(
    x: ArrayView2<'_, f64>,
    y: &[usize],
    strategy: &SamplingStrategy,
    k: usize,
    kind_sel: KindSel,
) -> Result<Vec<usize>> {
    let counts = check_input(x, y, true)?;
    let clean = strategy.resolve(&counts, SamplingKind::Clean)?;
    if k + 1 > y.len() {
        return Err(ResampleError::TooFewSamples {
            class: "(all)".into(),
            n: y.len(),
            needed: k + 1,
            param: "n_neighbors",
            k,
        });
    }
    // One search for the rows of every cleaned class, in class order.
    let cleaned: Vec<usize> = counts
        .keys()
        .filter(|c| clean.contains_key(c))
        .flat_map(|&c| class_indices(y, c))
        .collect();
    let nn = neighbors_of_rows(x, &cleaned, k, 0, "n_neighbors")?;
    let mut agrees = vec![true; y.len()];
    for (row, &i) in nn.indices.rows().into_iter().zip(&cleaned) {
        let c = y[i];
        agrees[i] = match kind_sel {
            KindSel::All => row.iter().all(|&j| y[j] == c),
            KindSel::Mode => mode_smallest(row.iter().map(|&j| y[j])) == c,
        };
    }
    let keep = counts
        .keys()
        .flat_map(|&c| class_indices(y, c))
        .filter(|&i| agrees[i])
        .collect();
    Ok(keep)
}

impl Resampler for EditedNearestNeighbours {
    fn name(&self) -> &'static str {
        "EditedNearestNeighbours"
    }

    fn fit_resample(&self, x: ArrayView2<'_, f64>, y: &[usize]) -> Result<Resampled> {
        check_k("n_neighbors", self.n_neighbors)?;
        let keep = enn_keep(x, y, &self.sampling_strategy, self.n_neighbors, self.kind_sel)?;
        Ok(Resampled::from_indices(x, y, keep))
    }
}

/// Runs ENN passes with the neighbourhood sizes `ks` until a stop rule of
/// imbalanced-learn's RENN / AllKNN fires. Returns the kept rows and the
/// number of passes made.
fn repeat_edit(
    x: ArrayView2<'_, f64>,
    y: &[usize],
    strategy: &SamplingStrategy,
    kind_sel: KindSel,
    ks: impl Iterator<Item = usize>,
    stop_on_convergence: bool,
    allow_minority: bool,
) -> Result<(Vec<usize>, usize)> {
    let counts = check_input(x, y, true)?;
    let minority = minority_class_by_appearance(y, &counts);
    let mut kept: Vec<usize> = (0..y.len()).collect();
    let mut passes = 0;
    for k in ks {
        passes += 1;
        let (xs, ys) = (
            take_rows(x.view(), &kept),
            kept.iter().map(|&i| y[i]).collect::<Vec<_>>(),
        );
        let local = enn_keep(xs.view(), &ys, strategy, k, kind_sel)?;
        let converged = local.len() == ys.len();
        kept = local.iter().map(|&i| kept[i]).collect();
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

/// Repeated ENN (Tomek 1976): ENN applied until it removes nothing, a class
/// other than the minority falls below the minority's size, a class
/// vanishes, or `max_iter` passes. imbalanced-learn's
/// `RepeatedEditedNearestNeighbours`.
#[derive(Debug, Clone, PartialEq)]
pub struct RepeatedEditedNearestNeighbours {
    /// Default: `Auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Default: 3.
    pub n_neighbors: usize,
    /// Default: 100.
    pub max_iter: usize,
    /// Default: `All`.
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

setters!(RepeatedEditedNearestNeighbours {
    sampling_strategy: SamplingStrategy,
    n_neighbors: usize,
    max_iter: usize,
    kind_sel: KindSel,
});

impl RepeatedEditedNearestNeighbours {
    /// Resamples and also returns the number of ENN passes (`n_iter_`).
    pub fn fit_resample_iter(&self, x: ArrayView2<'_, f64>, y: &[usize]) -> Result<(Resampled, usize)> {
        check_k("n_neighbors", self.n_neighbors)?;
        check_k("max_iter", self.max_iter)?;
        let ks = std::iter::repeat_n(self.n_neighbors, self.max_iter);
        let (keep, passes) = repeat_edit(x, y, &self.sampling_strategy, self.kind_sel, ks, true, false)?;
        Ok((Resampled::from_indices(x, y, keep), passes))
    }
}

impl Resampler for RepeatedEditedNearestNeighbours {
    fn name(&self) -> &'static str {
        "RepeatedEditedNearestNeighbours"
    }

    fn fit_resample(&self, x: ArrayView2<'_, f64>, y: &[usize]) -> Result<Resampled> {
        Ok(self.fit_resample_iter(x, y)?.0)
    }
}

/// All-k-NN (Tomek 1976): ENN with 1, 2, ..., `n_neighbors` neighbours in
/// turn, stopping early as RENN does (unless `allow_minority`).
/// imbalanced-learn's `AllKNN`.
#[derive(Debug, Clone, PartialEq)]
pub struct AllKnn {
    /// Default: `Auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Default: 3.
    pub n_neighbors: usize,
    /// Default: `All`.
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

setters!(AllKnn {
    sampling_strategy: SamplingStrategy,
    n_neighbors: usize,
    kind_sel: KindSel,
    allow_minority: bool,
});

impl Resampler for AllKnn {
    fn name(&self) -> &'static str {
        "AllKNN"
    }

    fn fit_resample(&self, x: ArrayView2<'_, f64>, y: &[usize]) -> Result<Resampled> {
        check_k("n_neighbors", self.n_neighbors)?;
        let (keep, _) = repeat_edit(
            x,
            y,
            &self.sampling_strategy,
            self.kind_sel,
            1..=self.n_neighbors,
            false,
            self.allow_minority,
        )?;
        Ok(Resampled::from_indices(x, y, keep))
    }
}
