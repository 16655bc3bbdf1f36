//! Losses as Newton-boosting objectives: per-sample gradients and a
//! diagonal Hessian that is never negative, what a gradient-boosted tree's
//! leaf value `-Σg / (Σh + λ)` divides by.
//!
//! Losses convex in each logit (cross-entropy and its weighted, smoothed
//! and shifted forms, BCE) give their exact second derivatives. The focal
//! forms and ASL are not convex: binary focal loss at γ = 2 has a second
//! derivative as low as -0.047 (near z = -3.85), so an exact Newton leaf
//! can divide by a negative or zero sum. For them the Hessian is the
//! Fisher (Gauss–Newton) form: their gradient is a cross-entropy gradient
//! with a per-sample weight, `g_j = w (p_j - y_j)` with `w >= 0` (the
//! modulating factor and its derivative folded in), and the Hessian taken
//! is that weighted cross-entropy's, `w p_j (1 - p_j) >= 0`: exact at γ = 0,
//! never negative, and zero only where the gradient is zero too.

use ndarray::{Array2, ArrayView2};

use crate::math::sigmoid;
use crate::{check_single, Loss, LossOutput, MultiLabelLoss, Result};

/// A loss summed over samples, as gradient boosting fits it: per-sample
/// losses, gradients and a non-negative diagonal Hessian
/// ([`LossOutput::hess`] is always `Some`) of logits `n x K`.
pub trait NewtonObjective: Send + Sync {
    fn newton(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<LossOutput>;
}

/// A loss convex in each logit, with its exact Hessian.
pub(crate) struct Exact<L>(pub L);

impl<L: Loss + Send + Sync> NewtonObjective for Exact<L> {
    fn newton(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<LossOutput> {
        let mut out = self.0.forward(logits, targets)?;
        let hess = out.hess.as_mut().expect("an exact-Hessian loss gives its Hessian");
        // Rounding can leave -0.0 or -1e-17 where p saturates.
        hess.mapv_inplace(|h| h.max(0.0));
        Ok(out)
    }
}

/// A softmax loss whose gradient is `w (p - onehot(y))`, `w >= 0` (focal,
/// class-balanced focal), with the Fisher Hessian `w p_j (1 - p_j)`.
pub(crate) struct SoftmaxFisher<L>(pub L);

impl<L: Loss + Send + Sync> NewtonObjective for SoftmaxFisher<L> {
    fn newton(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<LossOutput> {
        let mut out = self.0.forward(logits, targets)?;
        let mut hess = Array2::zeros(logits.dim());
        for ((i, z), &y) in logits.rows().into_iter().enumerate().zip(targets) {
            let m = z.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
            let total: f64 = e.iter().sum();
            // 1 - p_y as the sum of the others: exact where p_y ~ 1.
            let rest: f64 = e
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != y)
                .map(|(_, v)| v)
                .sum::<f64>()
                / total;
            let w = if rest > 0.0 {
                (-out.grad[(i, y)] / rest).max(0.0)
            } else {
                0.0
            };
            for (j, v) in e.iter().enumerate() {
                let p = v / total;
                hess[(i, j)] = w * p * (1.0 - p);
            }
        }
        out.hess = Some(hess);
        Ok(out)
    }
}

/// A multi-label (sigmoid) loss trained on one-hot targets: its exact
/// Hessian where it gives one (BCE), else the Fisher form per logit,
/// `g (1 - p)` for a 0 target and `-g p` for a 1 target (the gradient read
/// as `w (p - t)`, `w >= 0`).
pub(crate) struct OneHotSigmoid<M>(pub M);

impl<M: MultiLabelLoss + Send + Sync> NewtonObjective for OneHotSigmoid<M> {
    fn newton(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<LossOutput> {
        check_single(logits, targets)?;
        let t = Array2::from_shape_fn(logits.dim(), |(i, j)| f64::from(u8::from(targets[i] == j)));
        let mut out = self.0.forward(logits, t.view())?;
        let hess = match out.hess.take() {
            Some(h) => h.mapv(|v| v.max(0.0)),
            None => Array2::from_shape_fn(logits.dim(), |(i, j)| {
                let (p, g) = (sigmoid(logits[(i, j)]), out.grad[(i, j)]);
                if t[(i, j)] == 1.0 {
                    (-g * p).max(0.0)
                } else {
                    (g * (1.0 - p)).max(0.0)
                }
            }),
        };
        out.hess = Some(hess);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Asl, CrossEntropy, Focal};
    use ndarray::arr2;

    /// `∂g_j/∂z_j` by central differences of the analytic gradient.
    fn numeric_hessian(loss: &impl Loss, z: &Array2<f64>, y: &[usize]) -> Array2<f64> {
        let h = 1e-5;
        Array2::from_shape_fn(z.dim(), |(i, j)| {
            let mut up = z.clone();
            let mut down = z.clone();
            up[(i, j)] += h;
            down[(i, j)] -= h;
            let gu = loss.forward(up.view(), y).unwrap().grad[(i, j)];
            let gd = loss.forward(down.view(), y).unwrap().grad[(i, j)];
            (gu - gd) / (2.0 * h)
        })
    }

    fn grid() -> (Array2<f64>, Vec<usize>) {
        let z = Array2::from_shape_fn((81, 2), |(i, j)| if j == 0 { 0.0 } else { -8.0 + 0.2 * i as f64 });
        (z, vec![1; 81])
    }

    #[test]
    fn focal_loss_is_not_convex_so_its_exact_hessian_goes_negative() {
        let (z, y) = grid();
        let exact = numeric_hessian(&Focal::default(), &z, &y);
        let min = exact.column(1).fold(f64::INFINITY, |a, &b| a.min(b));
        assert!((-0.05..-0.04).contains(&min), "{min}");
    }

    #[test]
    fn the_fisher_form_is_never_negative_and_exact_at_gamma_zero() {
        let (z, y) = grid();
        for gamma in [0.5, 1.0, 2.0, 5.0] {
            let focal = SoftmaxFisher(Focal { gamma, alpha: None });
            let out = focal.newton(z.view(), &y).unwrap();
            let h = out.hess.unwrap();
            assert!(h.iter().all(|v| v.is_finite() && *v >= 0.0), "gamma {gamma}");
            // Zero only where the gradient vanishes.
            for (g, h) in out.grad.column(1).iter().zip(h.column(1)) {
                assert!(*h > 0.0 || g.abs() < 1e-12, "{g} {h}");
            }
        }
        let fisher = SoftmaxFisher(Focal {
            gamma: 0.0,
            alpha: None,
        })
        .newton(z.view(), &y)
        .unwrap();
        let ce = Exact(CrossEntropy::default()).newton(z.view(), &y).unwrap();
        let (a, b) = (fisher.hess.unwrap(), ce.hess.unwrap());
        assert!(a.iter().zip(&b).all(|(a, b)| (a - b).abs() < 1e-12));
        assert!(fisher.grad.iter().zip(&ce.grad).all(|(a, b)| (a - b).abs() < 1e-12));
    }

    #[test]
    fn the_exact_hessian_matches_finite_differences_for_cross_entropy() {
        let z = arr2(&[[0.3, -1.2, 2.0], [4.0, 0.0, -3.0]]);
        let y = [2, 1];
        let ce = CrossEntropy::default().weights(vec![1.0, 3.0, 0.5]);
        let numeric = numeric_hessian(&ce, &z, &y);
        let h = Exact(ce).newton(z.view(), &y).unwrap().hess.unwrap();
        assert!(
            h.iter().zip(&numeric).all(|(a, b)| (a - b).abs() < 1e-6),
            "{h} {numeric}"
        );
    }

    #[test]
    fn sigmoid_losses_on_one_hot_targets_get_non_negative_hessians() {
        let (z, y) = grid();
        let asl = OneHotSigmoid(Asl::default()).newton(z.view(), &y).unwrap();
        let h = asl.hess.unwrap();
        assert!(h.iter().all(|v| v.is_finite() && *v >= 0.0));
        assert!(h.column(1).iter().any(|v| *v > 0.0));
        // The fixed column-0 logit (a negative at 0 in every row) has the
        // same gradient and Hessian in every row, whatever column 1 holds.
        let (g0, h0) = (asl.grad[(0, 0)], h[(0, 0)]);
        assert!(g0 > 0.0 && h0 > 0.0, "{g0} {h0}");
        assert!(asl.grad.column(0).iter().all(|g| *g == g0) && h.column(0).iter().all(|v| *v == h0));
    }
}
