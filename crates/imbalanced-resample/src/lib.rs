//! Every imbalanced-learn sampler, with the same parameters, defaults,
//! `sampling_strategy` semantics and output order.
//!
//! Samplers are plain structs with public, documented parameters,
//! `Default` values equal to imbalanced-learn 0.14.2's and a builder setter
//! per parameter (from `#[derive(Estimator)]`); each implements
//! [`Resampler`]. Randomised samplers take a `random_state` seed and an
//! [`RngKind`]: with [`RngKind::Numpy`] they reproduce imbalanced-learn's
//! arrays for the same integer seed.
//!
//! Labels are class codes `0..n_classes` in sorted label order, as
//! [`imbalanced_data::Dataset::y`] gives them.

mod combine;
mod error;
mod file;
mod over;
mod registry;
mod spec;
mod strategy;
mod summary;
mod under;
mod util;

use imbalanced_data::{take_rows, Dataset, FeatureKind, Xy};
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

pub use combine::{SmoteEnn, SmoteTomek};
pub use error::{ResampleError, Result};
pub use file::{resample_file, FileResampled};
pub use imbalanced_catalog::Named;
pub use imbalanced_random::{Mt19937, RngKind, SamplerRng};
pub use over::{
    Adasyn, AssembledSmote, BorderlineKind, BorderlineSmote, BucketedSmoteNc, Ccr, DiffusionOverSampler, GSmote,
    IpfVoting, KMeansSmote, LabelConsistentOverSampler, Lee, LvqSmote, PolynomFitSmoteBus, PolynomFitSmoteMesh,
    PolynomFitSmotePoly, PolynomFitSmoteStar, ProWSyn, RandomOverSampler, Rejected, RelationGate, RelationalSmote,
    Shortfall, Shrinkage, Smobd, Smote, SmoteIpf, SmoteN, SmoteNc, SmoteTomekLinks, SvmSmote,
};
pub use registry::{randomness, take_categorical_features, SAMPLERS};
pub use spec::{Catalogued, JudgeSpec, Judges, SamplerSpec, Samplers, Spec, JUDGES};
pub use strategy::{
    class_code, class_counts, code_labels, majority_class, minority_class, minority_class_by_appearance, SamplingKind,
    SamplingStrategy,
};
pub use summary::{ClassChange, ResampleSummary};
pub use under::{
    AllKnn, ClusterCentroids, CondensedNearestNeighbour, EditedNearestNeighbours, InstanceHardnessThreshold, KindSel,
    NearMiss, NeighbourhoodCleaningRule, OneSidedSelection, RandomUnderSampler, RepeatedEditedNearestNeighbours,
    TomekLinks, Voting,
};

/// The output of a sampler: features, class codes, and where each output
/// row comes from (`Some(input row)`, or `None` for a synthetic row).
#[derive(Debug, Clone, PartialEq)]
pub struct Resampled {
    pub x: Array2<f64>,
    pub y: Vec<usize>,
    pub origin: Vec<Option<usize>>,
}

impl Resampled {
    /// Output made of input rows only.
    pub(crate) fn from_indices(x: ArrayView2<'_, f64>, y: &[usize], indices: Vec<usize>) -> Self {
        Resampled {
            x: take_rows(x.view(), &indices),
            y: indices.iter().map(|&i| y[i]).collect(),
            origin: indices.into_iter().map(Some).collect(),
        }
    }

    /// The input rows that appear in the output, in output order
    /// (imbalanced-learn's `sample_indices_` for under-samplers).
    pub fn sample_indices(&self) -> Vec<usize> {
        self.origin.iter().flatten().copied().collect()
    }

    /// Whether every new row (`origin` `None`) is finite, scanned on the
    /// pool; rows copied from a dataset are finite as its values are.
    /// `false` also where `x` is not in standard layout.
    fn new_rows_finite(&self) -> bool {
        let Some(values) = self.x.as_slice() else {
            return false;
        };
        values
            .par_chunks(self.x.ncols().max(1))
            .zip(&self.origin)
            .all(|(row, origin)| origin.is_some() || row.iter().fold(true, |ok, v| ok & v.is_finite()))
    }

    /// Number of synthetic rows.
    pub fn n_synthetic(&self) -> usize {
        self.origin.iter().filter(|o| o.is_none()).count()
    }
}

/// A sampler: turns a labelled sample into a resampled one. Its
/// [`Named::name`] is imbalanced-learn's class name (`"SMOTE"`).
pub trait Resampler: Named + Send + Sync {
    /// The sampler itself, on checked rows whose values are known finite
    /// whenever [`Resampler::reads_features`] is true; `classes[c]` is the
    /// label of code `c`, which label-keyed strategies (`{"pos": 50}`) are
    /// resolved against. Call the `fit_resample*` methods, which check.
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled>;

    /// Resamples checked rows, scanning their values first only if they
    /// are not known finite and this sampler reads them. A [`Dataset`]'s
    /// rows ([`Xy::of`]) are not scanned again.
    fn fit_resample_checked(&self, mut data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        if self.reads_features() {
            data.require_finite()?;
        }
        self.resample(data, classes)
    }

    /// Resamples numeric features `x` (`n x d`) with class codes `y`;
    /// `classes[c]` is the label of code `c`.
    fn fit_resample_labelled(&self, x: ArrayView2<'_, f64>, y: &[usize], classes: &[String]) -> Result<Resampled> {
        self.fit_resample_checked(Xy::unscanned(x, y, classes.len())?, classes)
    }

    /// Resamples numeric features `x` (`n x d`) with class codes `y`, the
    /// codes being the labels (`{"1": 50}` names code 1).
    fn fit_resample(&self, x: ArrayView2<'_, f64>, y: &[usize]) -> Result<Resampled> {
        self.fit_resample_labelled(x, y, &code_labels(y))
    }

    /// The sampler that does this one's work on `data` when `data` has
    /// categorical columns that this one cannot compute on: SMOTE's is
    /// SMOTENC (SMOTEN when there is no numeric column), with the same
    /// parameters. `None`: this sampler takes such data as it is, or refuses it.
    fn categorical_variant(&self, data: &Dataset) -> Option<Box<dyn Resampler>> {
        let _ = data;
        None
    }

    /// Whether the output depends on feature values. Samplers that only pick
    /// rows at random (RandomUnderSampler, RandomOverSampler without
    /// shrinkage) do not, so they accept categorical features as they are.
    fn reads_features(&self) -> bool {
        true
    }

    /// Whether every output starts with all the input rows, in their order,
    /// before the rows this sampler adds (true of over-samplers that only
    /// add rows). A caller may then write those rows while the sampler runs
    /// (`imbalanced resample` does). `tests/invariants.rs` checks every
    /// sampler that says so.
    fn output_starts_with_input(&self) -> bool {
        false
    }

    /// Resamples a whole dataset, carrying categorical columns along with
    /// their rows. Samplers that compute on feature values refuse
    /// categorical columns; SMOTENC and SMOTEN handle them.
    fn fit_resample_dataset(&self, data: &Dataset) -> Result<Dataset> {
        self.fit_resample_dataset_with_origin(data).map(|(out, _)| out)
    }

    /// [`Resampler::fit_resample_dataset`], and where each output row comes
    /// from ([`Resampled::origin`]: an input row, or `None` for a new one),
    /// so that a writer can copy the input rows as the file had them.
    fn fit_resample_dataset_with_origin(&self, data: &Dataset) -> Result<(Dataset, Vec<Option<usize>>)> {
        if data.has_categorical() && self.reads_features() {
            let columns = data
                .features()
                .iter()
                .filter(|f| f.kind == FeatureKind::Categorical)
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(ResampleError::CategoricalUnsupported {
                sampler: self.name(),
                columns,
            });
        }
        let out = self
            .fit_resample_checked(Xy::of(data)?, data.classes())
            .map_err(|e| util::name_classes(e, data.classes()))?;
        // Categorical columns are only present for samplers that never synthesise.
        let rows: Vec<usize> = out.origin.iter().map(|o| o.unwrap_or(0)).collect();
        let categorical = take_rows(data.categorical().view(), &rows);
        let ds = if out.new_rows_finite() {
            data.with_derived_rows(out.x, categorical, out.y)
        } else {
            // Scanned again, for the error that names the value.
            data.with_rows(out.x, categorical, out.y)
        };
        Ok((ds?, out.origin))
    }
}

/// The origin of `n` input rows followed by new ones up to `total` rows.
pub(crate) fn inputs_then_new(n: usize, total: usize) -> Vec<Option<usize>> {
    (0..total).map(|r| (r < n).then_some(r)).collect()
}
