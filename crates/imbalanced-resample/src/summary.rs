//! What a resampling did, as `imbalanced resample --json` reports it.

use imbalanced_catalog::Value;
use imbalanced_data::Dataset;
use imbalanced_random::RngKind;
use serde::Serialize;

/// One class's rows before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassChange {
    pub label: String,
    pub before: usize,
    pub after: usize,
}

impl ClassChange {
    /// Each class of `before` with its rows there and in `after` (the same
    /// classes, as a sampler's output has).
    pub fn between(before: &Dataset, after: &Dataset) -> Vec<ClassChange> {
        let (b, a) = (before.class_counts(), after.class_counts());
        before
            .classes()
            .iter()
            .enumerate()
            .map(|(c, label)| ClassChange {
                label: label.clone(),
                before: b[c],
                after: a.get(c).copied().unwrap_or(0),
            })
            .collect()
    }
}

/// A resampling run: the sampler with its parameters, the files, the rows
/// and seconds of `fit_resample`, each class's change.
#[derive(Debug, Clone, Serialize)]
pub struct ResampleSummary {
    pub method: &'static str,
    pub params: Vec<(String, Value)>,
    pub seed: u64,
    pub rng: RngKind,
    pub input: String,
    pub output: String,
    pub rows_before: usize,
    pub rows_after: usize,
    pub seconds: f64,
    pub classes: Vec<ClassChange>,
}
