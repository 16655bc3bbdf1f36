//! Over-sampling followed by cleaning.

use ndarray::ArrayView2;

use crate::error::Result;
use crate::over::Smote;
use crate::strategy::SamplingStrategy;
use crate::under::{EditedNearestNeighbours, TomekLinks};
use crate::{Resampled, Resampler};
use imbalanced_random::RngKind;

/// Runs `second` on the output of `first`, tracing rows back to the input.
fn chain(first: Resampled, second: &dyn Resampler) -> Result<Resampled> {
    let out = second.fit_resample(first.x.view(), &first.y)?;
    let origin = out.origin.iter().map(|o| o.and_then(|i| first.origin[i])).collect();
    Ok(Resampled { origin, ..out })
}

/// SMOTE then ENN (Batista et al. 2004). Unless given, the SMOTE step is
/// `SMOTE(sampling_strategy, random_state)` and the ENN step cleans every
/// class (`EditedNearestNeighbours(sampling_strategy='all')`).
/// imbalanced-learn's `SMOTEENN`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SmoteEnn {
    /// Passed to the default SMOTE step. Default: `Auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Passed to the default SMOTE step. Default: 0.
    pub random_state: u64,
    /// Passed to the default SMOTE step. Default: [`RngKind::Default`].
    pub rng: RngKind,
    /// The over-sampling step. Default: `None` (see above).
    pub smote: Option<Smote>,
    /// The cleaning step. Default: `None` (see above).
    pub enn: Option<EditedNearestNeighbours>,
}

setters!(SmoteEnn {
    sampling_strategy: SamplingStrategy,
    random_state: u64,
    rng: RngKind,
    smote: Option<Smote>,
    enn: Option<EditedNearestNeighbours>,
});

fn default_smote(strategy: &SamplingStrategy, seed: u64, rng: RngKind, given: &Option<Smote>) -> Smote {
    given.clone().unwrap_or_else(|| {
        Smote::default()
            .sampling_strategy(strategy.clone())
            .random_state(seed)
            .rng(rng)
    })
}

impl Resampler for SmoteEnn {
    fn name(&self) -> &'static str {
        "SMOTEENN"
    }

    fn fit_resample(&self, x: ArrayView2<'_, f64>, y: &[usize]) -> Result<Resampled> {
        let smote = default_smote(&self.sampling_strategy, self.random_state, self.rng, &self.smote);
        let enn = self
            .enn
            .clone()
            .unwrap_or_else(|| EditedNearestNeighbours::default().sampling_strategy(SamplingStrategy::All));
        chain(smote.fit_resample(x, y)?, &enn)
    }
}

/// SMOTE then Tomek links removal (Batista et al. 2003). Unless given, the
/// SMOTE step is `SMOTE(sampling_strategy, random_state)` and the Tomek step
/// cleans every class. imbalanced-learn's `SMOTETomek`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SmoteTomek {
    /// Passed to the default SMOTE step. Default: `Auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Passed to the default SMOTE step. Default: 0.
    pub random_state: u64,
    /// Passed to the default SMOTE step. Default: [`RngKind::Default`].
    pub rng: RngKind,
    /// The over-sampling step. Default: `None` (see above).
    pub smote: Option<Smote>,
    /// The cleaning step. Default: `None` (see above).
    pub tomek: Option<TomekLinks>,
}

setters!(SmoteTomek {
    sampling_strategy: SamplingStrategy,
    random_state: u64,
    rng: RngKind,
    smote: Option<Smote>,
    tomek: Option<TomekLinks>,
});

impl Resampler for SmoteTomek {
    fn name(&self) -> &'static str {
        "SMOTETomek"
    }

    fn fit_resample(&self, x: ArrayView2<'_, f64>, y: &[usize]) -> Result<Resampled> {
        let smote = default_smote(&self.sampling_strategy, self.random_state, self.rng, &self.smote);
        let tomek = self
            .tomek
            .clone()
            .unwrap_or_else(|| TomekLinks::default().sampling_strategy(SamplingStrategy::All));
        chain(smote.fit_resample(x, y)?, &tomek)
    }
}
