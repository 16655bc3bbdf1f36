//! L-BFGS (Liu & Nocedal 1989) with a strong-Wolfe line search (Nocedal &
//! Wright 2006, algorithms 3.5 and 3.6), for smooth objectives on `Vec<f64>`.
//!
//! Why not a crate: argmin's L-BFGS needs its math backend traits, whose
//! ndarray backend lags the ndarray 0.17 we use, and the solver we need is
//! small. The stopping rules are SciPy's L-BFGS-B ones that scikit-learn's
//! `lbfgs` solver relies on: the largest gradient component at most
//! `gtol`, or a relative decrease of the objective at most `ftol`.

/// Solver settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Lbfgs {
    /// Correction pairs kept (SciPy's `maxcor`). Default: 10.
    pub memory: usize,
    /// Iterations at most. Default: 1000.
    pub max_iter: usize,
    /// Stop when `max |g_i| <= gtol`. Default: 1e-6.
    pub gtol: f64,
    /// Stop when `(f_k - f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) <= ftol`.
    /// Default: `64 ε`, as scikit-learn passes to SciPy.
    pub ftol: f64,
}

impl Default for Lbfgs {
    fn default() -> Self {
        Lbfgs {
            memory: 10,
            max_iter: 1000,
            gtol: 1e-6,
            ftol: 64.0 * f64::EPSILON,
        }
    }
}

/// Where the solver stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub value: f64,
    /// Iterations (line searches) done.
    pub n_iter: usize,
    /// Whether a stopping rule, not `max_iter`, ended the run.
    pub converged: bool,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// One point of the line search: step, value, gradient, directional derivative.
struct Probe {
    step: f64,
    value: f64,
    grad: Vec<f64>,
    slope: f64,
}

impl Lbfgs {
    /// Minimises `f`, which writes the gradient into its second argument
    /// and returns the value, from `x0`.
    pub fn minimize(&self, x0: Vec<f64>, mut f: impl FnMut(&[f64], &mut [f64]) -> f64) -> Minimum {
        let n = x0.len();
        let mut x = x0;
        let mut g = vec![0.0; n];
        let mut value = f(&x, &mut g);
        let mut history: std::collections::VecDeque<(Vec<f64>, Vec<f64>, f64)> = Default::default();
        let mut trial = vec![0.0; n];
        for iter in 0..self.max_iter {
            if max_abs(&g) <= self.gtol {
                return Minimum {
                    x,
                    value,
                    n_iter: iter,
                    converged: true,
                };
            }
            // Two-loop recursion: d = -H g.
            let mut d: Vec<f64> = g.iter().map(|v| -v).collect();
            let mut alphas = Vec::with_capacity(history.len());
            for (s, y, rho) in history.iter().rev() {
                let a = rho * dot(s, &d);
                d.iter_mut().zip(y).for_each(|(di, yi)| *di -= a * yi);
                alphas.push(a);
            }
            if let Some((s, y, _)) = history.back() {
                let gamma = dot(s, y) / dot(y, y);
                d.iter_mut().for_each(|di| *di *= gamma);
            }
            for ((s, y, rho), a) in history.iter().zip(alphas.iter().rev()) {
                let b = rho * dot(y, &d);
                d.iter_mut().zip(s).for_each(|(di, si)| *di += (a - b) * si);
            }
            let mut slope = dot(&g, &d);
            if slope >= 0.0 {
                // Not a descent direction (rounding): restart from steepest descent.
                history.clear();
                d = g.iter().map(|v| -v).collect();
                slope = dot(&g, &d);
            }
            let first = if history.is_empty() {
                (1.0 / max_abs(&g)).min(1.0)
            } else {
                1.0
            };
            let mut eval = |step: f64| -> Probe {
                trial
                    .iter_mut()
                    .zip(&x)
                    .zip(&d)
                    .for_each(|((t, xi), di)| *t = xi + step * di);
                let mut grad = vec![0.0; n];
                let value = f(&trial, &mut grad);
                let slope = dot(&grad, &d);
                Probe {
                    step,
                    value,
                    grad,
                    slope,
                }
            };
            let Some(p) = strong_wolfe(value, slope, first, &mut eval) else {
                // No acceptable step: we are at the precision limit.
                return Minimum {
                    x,
                    value,
                    n_iter: iter,
                    converged: true,
                };
            };
            let s: Vec<f64> = d.iter().map(|di| p.step * di).collect();
            let y: Vec<f64> = p.grad.iter().zip(&g).map(|(a, b)| a - b).collect();
            x.iter_mut().zip(&s).for_each(|(xi, si)| *xi += si);
            let decrease = (value - p.value) / value.abs().max(p.value.abs()).max(1.0);
            value = p.value;
            g = p.grad;
            let sy = dot(&s, &y);
            if sy > f64::EPSILON * dot(&y, &y) {
                if history.len() == self.memory {
                    history.pop_front();
                }
                history.push_back((s, y, 1.0 / sy));
            }
            if decrease <= self.ftol {
                return Minimum {
                    x,
                    value,
                    n_iter: iter + 1,
                    converged: true,
                };
            }
        }
        let converged = max_abs(&g) <= self.gtol;
        Minimum {
            x,
            value,
            n_iter: self.max_iter,
            converged,
        }
    }
}

const C1: f64 = 1e-4;
const C2: f64 = 0.9;
const MAX_EVALS: usize = 50;

/// A step satisfying the strong Wolfe conditions, or `None`.
fn strong_wolfe(f0: f64, slope0: f64, first: f64, eval: &mut impl FnMut(f64) -> Probe) -> Option<Probe> {
    let mut prev = Probe {
        step: 0.0,
        value: f0,
        grad: Vec::new(),
        slope: slope0,
    };
    let mut step = first;
    for i in 0..MAX_EVALS {
        let p = eval(step);
        if !p.value.is_finite() {
            step /= 2.0;
            continue;
        }
        if p.value > f0 + C1 * p.step * slope0 || (i > 0 && p.value >= prev.value) {
            return zoom(prev, p, f0, slope0, eval);
        }
        if p.slope.abs() <= -C2 * slope0 {
            return Some(p);
        }
        if p.slope >= 0.0 {
            return zoom(p, prev, f0, slope0, eval);
        }
        step = 2.0 * p.step;
        prev = p;
    }
    None
}

/// Narrows `[lo, hi]` (lo satisfies sufficient decrease) to a strong-Wolfe step.
fn zoom(mut lo: Probe, mut hi: Probe, f0: f64, slope0: f64, eval: &mut impl FnMut(f64) -> Probe) -> Option<Probe> {
    for _ in 0..MAX_EVALS {
        let width = hi.step - lo.step;
        // Minimiser of the quadratic through lo (value, slope) and hi (value),
        // kept inside the middle 80% of the interval.
        let denom = 2.0 * (hi.value - lo.value - lo.slope * width);
        let mut step = if denom > 0.0 {
            lo.step - lo.slope * width * width / denom
        } else {
            lo.step + width / 2.0
        };
        let (a, b) = (lo.step.min(hi.step), lo.step.max(hi.step));
        let margin = 0.1 * (b - a);
        if !step.is_finite() || step < a + margin || step > b - margin {
            step = (a + b) / 2.0;
        }
        if (b - a) <= f64::EPSILON * b.abs().max(1.0) {
            return (lo.step > 0.0).then_some(lo);
        }
        let p = eval(step);
        if p.value > f0 + C1 * p.step * slope0 || p.value >= lo.value {
            hi = p;
        } else {
            if p.slope.abs() <= -C2 * slope0 {
                return Some(p);
            }
            if p.slope * (hi.step - lo.step) >= 0.0 {
                hi = lo;
            }
            lo = p;
        }
    }
    (lo.step > 0.0).then_some(lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rosenbrock(x: &[f64], g: &mut [f64]) -> f64 {
        let (a, b) = (x[0], x[1]);
        g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
        g[1] = 200.0 * (b - a * a);
        (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
    }

    #[test]
    fn minimises_the_rosenbrock_function() {
        let m = Lbfgs {
            gtol: 1e-10,
            ..Default::default()
        }
        .minimize(vec![-1.2, 1.0], rosenbrock);
        assert!(m.converged);
        assert!((m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6, "{:?}", m.x);
    }

    #[test]
    fn reports_when_iterations_run_out() {
        let m = Lbfgs {
            max_iter: 2,
            gtol: 1e-12,
            ..Default::default()
        }
        .minimize(vec![-1.2, 1.0], rosenbrock);
        assert!(!m.converged);
        assert_eq!(m.n_iter, 2);
    }
}
