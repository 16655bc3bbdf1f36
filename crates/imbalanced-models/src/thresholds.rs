//! Per-class decision thresholds tuned on validation data.

use ndarray::ArrayView2;

use crate::persist::{ensure, finite};
use crate::ModelError;
use serde::{Deserialize, Serialize};

/// What a class's threshold optimises, one-vs-rest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ThresholdObjective {
    /// The class's F1.
    F1,
    /// The highest recall whose precision is at least this.
    Precision(f64),
    /// The highest precision whose recall is at least this.
    Recall(f64),
}

/// Thresholds `t_c`; the decision is `argmax_c p_c / t_c`, which for two
/// classes means "class 1 iff p_1 >= t_1" (with `t_0 = 1 - t_1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Thresholds {
    /// One per class.
    pub thresholds: Vec<f64>,
}

impl Thresholds {
    /// The checks of loaded thresholds for `n_classes` columns.
    pub fn check(&self, n_classes: usize) -> Result<(), String> {
        ensure(self.thresholds.len() == n_classes, || {
            format!("thresholds: {} values for {n_classes} classes", self.thresholds.len())
        })?;
        finite("thresholds", &self.thresholds)?;
        ensure(self.thresholds.iter().all(|&t| t > 0.0), || {
            "thresholds must be positive".into()
        })
    }
}

/// The best threshold of one class: scans the distinct scores, highest first.
fn tune_one(scores: &[f64], positive: &[bool], objective: ThresholdObjective) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let total_pos = positive.iter().filter(|&&p| p).count() as f64;
    let (mut tp, mut fp) = (0.0, 0.0);
    let (mut best, mut best_t) = (f64::NEG_INFINITY, 0.5);
    for (r, &i) in order.iter().enumerate() {
        if positive[i] {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        if r + 1 < order.len() && scores[order[r + 1]] == scores[i] {
            continue; // a threshold sits between distinct scores
        }
        let precision = tp / (tp + fp);
        let recall = if total_pos > 0.0 { tp / total_pos } else { 0.0 };
        let value = match objective {
            ThresholdObjective::F1 => {
                if tp == 0.0 {
                    0.0
                } else {
                    2.0 * precision * recall / (precision + recall)
                }
            }
            ThresholdObjective::Precision(p) => {
                if precision >= p {
                    recall
                } else {
                    f64::NEG_INFINITY
                }
            }
            ThresholdObjective::Recall(q) => {
                if recall >= q {
                    precision
                } else {
                    f64::NEG_INFINITY
                }
            }
        };
        if value > best {
            best = value;
            best_t = scores[i];
        }
    }
    best_t
}

impl Thresholds {
    /// Tunes one threshold per class (for two classes, class 1's only).
    pub fn fit(proba: ArrayView2<'_, f64>, y: &[usize], objective: ThresholdObjective) -> Result<Self, ModelError> {
        imbalanced_data::Xy::new(proba, y, proba.ncols())?;
        let target = match objective {
            ThresholdObjective::F1 => 0.5,
            ThresholdObjective::Precision(p) | ThresholdObjective::Recall(p) => p,
        };
        if !(0.0..=1.0).contains(&target) {
            return Err(ModelError::Parameter(format!("target {target}: use a value in [0, 1]")));
        }
        let k = proba.ncols();
        let tune = |c: usize| {
            let s = proba.column(c).to_vec();
            let pos: Vec<bool> = y.iter().map(|&t| t == c).collect();
            tune_one(&s, &pos, objective).clamp(1e-12, 1.0)
        };
        let thresholds = if k == 2 {
            let t = tune(1).min(1.0 - 1e-12);
            vec![1.0 - t, t]
        } else {
            (0..k).map(tune).collect()
        };
        Ok(Thresholds { thresholds })
    }

    /// Decisions: `argmax_c p_c / t_c` (first on ties); for two classes,
    /// class 1 iff `p_1 >= t_1`, the threshold itself included.
    pub fn predict(&self, proba: ArrayView2<'_, f64>) -> Vec<usize> {
        if self.thresholds.len() == 2 {
            return proba
                .column(1)
                .iter()
                .map(|&p| usize::from(p >= self.thresholds[1]))
                .collect();
        }
        proba
            .rows()
            .into_iter()
            .map(|r| {
                (0..r.len())
                    .fold((0, f64::NEG_INFINITY), |best, c| {
                        let v = r[c] / self.thresholds[c];
                        if v > best.1 {
                            (c, v)
                        } else {
                            best
                        }
                    })
                    .0
            })
            .collect()
    }
}
