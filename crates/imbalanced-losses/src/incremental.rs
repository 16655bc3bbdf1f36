//! Temporal-decay negative re-weighting for class-incremental learning:
//! our formulation of the idea of Ma & Zhu's Temporal-Adjusted Loss (TAL,
//! CVPR 2026), whose exact formula is not published with code.

use ndarray::ArrayView2;

use crate::margin::shifted_ce;
use crate::{check_single, Loss, LossError, LossOutput, Result};

/// Decayed per-class positive counts `Q_c <- λ Q_c + n_c` (one
/// [`TemporalDecay::update`] per step); the loss is `CE(z + (1 - e_y) log ω, y)`
/// with negative weights `ω_j = Q_j / mean(Q)`: classes that received
/// little recent supervision push less on the others' negatives. Equal `Q`
/// gives plain cross-entropy. A class with `Q_j = 0` exerts no negative
/// push. Experimental: labelled as our formulation, not the paper's. Default λ: 0.99.
#[derive(Debug, Clone, PartialEq)]
pub struct TemporalDecay {
    pub q: Vec<f64>,
    pub lambda: f64,
}

impl TemporalDecay {
    /// Zero counts for `classes` classes.
    pub fn new(classes: usize, lambda: f64) -> Self {
        TemporalDecay {
            q: vec![0.0; classes],
            lambda,
        }
    }

    /// Decays the counts and adds a step's labels.
    pub fn update(&mut self, targets: &[usize]) -> Result<()> {
        if !(0.0..=1.0).contains(&self.lambda) {
            return Err(LossError::Parameter {
                name: "lambda",
                value: self.lambda,
                fix: "the decay must be in [0, 1]",
            });
        }
        self.q.iter_mut().for_each(|q| *q *= self.lambda);
        crate::add_counts(&mut self.q, targets)
    }
}

impl Loss for TemporalDecay {
    fn forward(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<LossOutput> {
        check_single(logits, targets)?;
        crate::check_class_vector(&self.q, logits.ncols(), "q")?;
        let mean = self.q.iter().sum::<f64>() / self.q.len() as f64;
        if mean <= 0.0 {
            return Err(LossError::Invalid(
                "every decayed count is 0: call update() with the step's labels first".into(),
            ));
        }
        let log_w: Vec<f64> = self.q.iter().map(|q| (q / mean).ln()).collect();
        Ok(shifted_ce(logits, targets, 1.0, None, |_, y, j| {
            if j == y {
                0.0
            } else {
                log_w[j]
            }
        }))
    }
}
