//! Over-sampling followed by cleaning.

use imbalanced_catalog::Estimator;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::over::Smote;
use crate::strategy::SamplingStrategy;
use crate::under::{EditedNearestNeighbours, TomekLinks};
use crate::{Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_random::RngKind;

/// Runs `second` on the output of `first`, tracing rows back to the input.
fn chain(first: Resampled, second: &dyn Resampler, classes: &[String]) -> Result<Resampled> {
    let out = second.fit_resample_labelled(first.x.view(), &first.y, classes)?;
    let origin = out.origin.iter().map(|o| o.and_then(|i| first.origin[i])).collect();
    Ok(Resampled { origin, ..out })
}

/// SMOTE, then ENN on every class.
///
/// SMOTE then ENN (Batista et al. 2004). Unless given, the SMOTE step is
/// `SMOTE(sampling_strategy, random_state)` and the ENN step cleans every
/// class (`EditedNearestNeighbours(sampling_strategy='all')`).
/// imbalanced-learn's `SMOTEENN`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "SMOTEENN", kind = "combined", aliases = ["smote-enn"])]
pub struct SmoteEnn {
    /// Passed to the default SMOTE step (see `smote`). Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Seed of the default SMOTE step. Default: 0.
    pub random_state: u64,
    /// Bit source of the default SMOTE step: `default` or `numpy`. Default: `default`.
    pub rng: RngKind,
    /// The over-sampling step; `null` builds `SMOTE(sampling_strategy, random_state, rng)` from the parameters
    /// above. Default: `null`.
    #[param(nested = Self::smote_step)]
    pub smote: Option<Smote>,
    /// The cleaning step; `null` builds `EditedNearestNeighbours(sampling_strategy="all")`. Default: `null`.
    #[param(nested = Self::enn_step)]
    pub enn: Option<EditedNearestNeighbours>,
}

/// `SMOTE(sampling_strategy, random_state, rng)`: the over-sampling step
/// of both combinations when `given` is none.
fn smote_step(given: &Option<Smote>, strategy: &SamplingStrategy, seed: u64, rng: RngKind) -> Smote {
    given.clone().unwrap_or_else(|| {
        Smote::default()
            .sampling_strategy(strategy.clone())
            .random_state(seed)
            .rng(rng)
    })
}

/// The default step with `sampling_strategy="all"`: the cleaning step of both
/// combinations when `given` is none.
fn cleaning_step<T: Clone + Default>(given: &Option<T>, all: impl FnOnce(T) -> T) -> T {
    given.clone().unwrap_or_else(|| all(T::default()))
}

impl SmoteEnn {
    /// The over-sampling step this sampler runs.
    pub fn smote_step(&self) -> Smote {
        smote_step(&self.smote, &self.sampling_strategy, self.random_state, self.rng)
    }

    /// The cleaning step this sampler runs.
    pub fn enn_step(&self) -> EditedNearestNeighbours {
        cleaning_step(&self.enn, |s| s.sampling_strategy(SamplingStrategy::All))
    }
}

impl Resampler for SmoteEnn {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let first = self.smote_step().fit_resample_checked(data, classes)?;
        chain(first, &self.enn_step(), classes)
    }
}

/// SMOTE, then remove Tomek links in every class.
///
/// SMOTE then Tomek links removal (Batista et al. 2003). Unless given, the
/// SMOTE step is `SMOTE(sampling_strategy, random_state)` and the Tomek step
/// cleans every class. imbalanced-learn's `SMOTETomek`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "SMOTETomek", kind = "combined", aliases = ["smote-tomek"])]
pub struct SmoteTomek {
    /// Passed to the default SMOTE step (see `smote`). Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Seed of the default SMOTE step. Default: 0.
    pub random_state: u64,
    /// Bit source of the default SMOTE step: `default` or `numpy`. Default: `default`.
    pub rng: RngKind,
    /// The over-sampling step; `null` builds `SMOTE(sampling_strategy, random_state, rng)` from the parameters
    /// above. Default: `null`.
    #[param(nested = Self::smote_step)]
    pub smote: Option<Smote>,
    /// The cleaning step; `null` builds `TomekLinks(sampling_strategy="all")`. Default: `null`.
    #[param(nested = Self::tomek_step)]
    pub tomek: Option<TomekLinks>,
}

impl SmoteTomek {
    /// The over-sampling step this sampler runs.
    pub fn smote_step(&self) -> Smote {
        smote_step(&self.smote, &self.sampling_strategy, self.random_state, self.rng)
    }

    /// The cleaning step this sampler runs.
    pub fn tomek_step(&self) -> TomekLinks {
        cleaning_step(&self.tomek, |s| s.sampling_strategy(SamplingStrategy::All))
    }
}

impl Resampler for SmoteTomek {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let first = self.smote_step().fit_resample_checked(data, classes)?;
        chain(first, &self.tomek_step(), classes)
    }
}
