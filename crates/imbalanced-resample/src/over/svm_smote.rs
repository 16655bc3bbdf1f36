use imbalanced_catalog::Estimator;
use imbalanced_data::take_rows;
use serde::{Deserialize, Serialize};

use crate::error::{ResampleError, Result};
use crate::over::smote::{check_k, other_class_neighbours, Output, SampleDraw};
use crate::strategy::{SamplingKind, SamplingStrategy};
use crate::util::{class_indices, class_rng, make_rng, neighbors_of_rows};
use crate::{class_counts, Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_models::svm::{gamma_scale, support_vectors};
use imbalanced_random::RngKind;

/// SMOTE from an RBF SVM's support vectors, extrapolating from the safe ones.
///
/// SVM-SMOTE (Nguyen, Cooper & Kamei 2011): SMOTE seeded from the class's
/// support vectors of an RBF SVM (`C = 1`, `gamma = 'scale'`, as
/// scikit-learn's `SVC`). Support vectors whose `m_neighbors` nearest
/// neighbours are all of other classes are dropped as noise; from those in
/// danger (at least half of other classes) new samples interpolate towards
/// a same-class neighbour, from the safe ones they extrapolate away from it
/// by up to `out_step`; a Beta(10, 10) draw splits the budget.
/// imbalanced-learn's `SVMSMOTE`; the SVM is a small libsvm-style solver
/// (see the crate's `svm` module), whose support sets match libsvm's on the
/// test fixtures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "SVMSMOTE", kind = "over", aliases = ["svm-smote"])]
pub struct SvmSmote {
    /// Which classes to over-sample and to what size: `auto` (every class but the majority, up to its size),
    /// `minority`, `not minority`, `not majority`, `all`, a ratio minority / majority (binary targets) or
    /// `{"label": count}`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Seed of the random draws. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: imbalanced-learn's
    /// exact output for the same seed). Default: `default`.
    pub rng: RngKind,
    /// Same-class nearest neighbours a new sample is interpolated towards. Default: 5.
    pub k_neighbors: usize,
    /// Nearest neighbours (of any class) that decide whether a support vector is in danger or safe. Default:
    /// 10.
    pub m_neighbors: usize,
    /// Step when extrapolating away from a safe support vector. Default: 0.5.
    pub out_step: f64,
    /// Regularisation `C` of the RBF SVM that finds the support vectors. Default: 1.0.
    #[serde(rename = "C")]
    pub c: f64,
}

impl Default for SvmSmote {
    fn default() -> Self {
        SvmSmote {
            sampling_strategy: SamplingStrategy::Auto,
            random_state: 0,
            rng: RngKind::Default,
            k_neighbors: 5,
            m_neighbors: 10,
            out_step: 0.5,
            c: 1.0,
        }
    }
}

impl Resampler for SvmSmote {
    fn output_starts_with_input(&self) -> bool {
        true
    }

    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        check_k("k_neighbors", self.k_neighbors)?;
        check_k("m_neighbors", self.m_neighbors)?;
        if self.c.is_nan() || self.c <= 0.0 || !self.out_step.is_finite() {
            return Err(ResampleError::Parameter {
                name: "C / out_step".into(),
                value: format!("{} / {}", self.c, self.out_step),
                expected: "C > 0 and a finite out_step".into(),
            });
        }
        let counts = class_counts(y);
        let targets = self.sampling_strategy.resolve(&counts, SamplingKind::Over, classes)?;
        let mut rng = make_rng(self.rng, self.random_state)?;
        let (k, m) = (self.k_neighbors, self.m_neighbors);
        let mut support: Option<Vec<usize>> = None;
        let mut out = Output::new(x, y, targets.values().sum());
        for (&c, &n_new) in targets.iter().filter(|(_, &n)| n > 0) {
            let support = support.get_or_insert_with(|| support_vectors(x, y, self.c, gamma_scale(x)));
            let own: Vec<usize> = support.iter().copied().filter(|&i| y[i] == c).collect();
            let others = other_class_neighbours(x, y, &own, c, m)?;
            let kept: Vec<(usize, usize)> = own.into_iter().zip(others).filter(|&(_, o)| o < m).collect();
            if kept.is_empty() {
                return Err(ResampleError::NotApplicable(format!(
                    "SVMSMOTE: every support vector of class {c} is noise (all its m_neighbors={m} neighbours \
                     are of other classes): try another SMOTE variant"
                )));
            }
            let (danger, safe): (Vec<_>, Vec<_>) = kept.into_iter().partition(|&(_, o)| o as f64 >= m as f64 / 2.0);
            let members = class_indices(y, c);
            let xc = take_rows(x.view(), &members);
            let n_danger = (rng.beta(10.0, 10.0) * (n_new + 1) as f64) as usize;
            let mut part = |rows: Vec<(usize, usize)>, n: usize, step: f64| -> Result<()> {
                if rows.is_empty() {
                    return Ok(());
                }
                let pos: Vec<usize> = rows
                    .iter()
                    .map(|(i, _)| members.binary_search(i).expect("member"))
                    .collect();
                let nns = neighbors_of_rows(xc.view(), &pos, k, c, "k_neighbors")?.indices;
                let base = take_rows(xc.view(), &pos);
                let mut draw_rng = class_rng(self.rng, self.random_state, c)?;
                let draw = SampleDraw {
                    base: base.view(),
                    nn_data: xc.view(),
                    nns: &nns,
                    step_size: step,
                    pair_labels: None,
                };
                draw.append_to(&mut draw_rng, n, out.rows_of(c, n));
                Ok(())
            };
            part(danger, n_danger, 1.0)?;
            part(safe, n_new.saturating_sub(n_danger), -self.out_step)?;
        }
        Ok(out.finish())
    }
}
