//! The support vectors of an RBF-kernel C-SVC, for SVMSMOTE.
//!
//! A small implementation of libsvm's solver (Chang & Lin 2011; Fan, Chen &
//! Lin 2005): SMO with second-order working-set selection, no shrinking, a
//! bounded cache of kernel rows. Multi-class data is handled one-vs-one, as
//! scikit-learn's `SVC`, whose `support_` is the union of the pairwise
//! machines' support vectors. Only the support set is needed, so no decision
//! function is kept. Written here because no maintained Rust crate offers a
//! C-SVC on ndarray 0.17 (linfa-svm is on ndarray 0.16).

use std::collections::HashMap;
use std::rc::Rc;

use ndarray::ArrayView2;

const TAU: f64 = 1e-12;
/// libsvm's default stopping tolerance.
const EPS: f64 = 1e-3;
/// Kernel rows kept in memory, in bytes (scikit-learn's default `cache_size` is 200 MB).
const CACHE_BYTES: usize = 200 << 20;

/// `gamma='scale'`: `1 / (n_features * X.var())` over all entries.
pub(crate) fn gamma_scale(x: ArrayView2<'_, f64>) -> f64 {
    let var = x.iter().copied().collect::<ndarray::Array1<f64>>().var(0.0);
    let g = 1.0 / (x.ncols() as f64 * var);
    if g.is_finite() {
        g
    } else {
        1.0
    }
}

struct Kernel<'a> {
    rows: Vec<&'a [f64]>,
    norms: Vec<f64>,
    gamma: f64,
    cache: HashMap<usize, Rc<Vec<f64>>>,
    order: std::collections::VecDeque<usize>,
    capacity: usize,
}

impl<'a> Kernel<'a> {
    fn new(rows: Vec<&'a [f64]>, gamma: f64, capacity: usize) -> Self {
        let norms = rows.iter().map(|r| r.iter().map(|v| v * v).sum()).collect();
        Kernel {
            rows,
            norms,
            gamma,
            cache: HashMap::new(),
            order: Default::default(),
            capacity,
        }
    }

    /// Row `i` of the kernel matrix, from the cache when it is there.
    fn row(&mut self, i: usize) -> Rc<Vec<f64>> {
        if let Some(r) = self.cache.get(&i) {
            return Rc::clone(r);
        }
        if self.cache.len() >= self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.cache.remove(&old);
            }
        }
        let (xi, ni, g) = (self.rows[i], self.norms[i], self.gamma);
        // |xi - xj|² = |xi|² + |xj|² - 2 xi.xj, clamped at 0 against rounding.
        let row: Rc<Vec<f64>> = Rc::new(
            self.rows
                .iter()
                .zip(&self.norms)
                .map(|(xj, &nj)| {
                    let dot: f64 = xi.iter().zip(*xj).map(|(a, b)| a * b).sum();
                    (-g * (ni + nj - 2.0 * dot).max(0.0)).exp()
                })
                .collect(),
        );
        self.cache.insert(i, Rc::clone(&row));
        self.order.push_back(i);
        row
    }
}

/// Indices (into `rows`) of the support vectors of a binary C-SVC with
/// labels `positive[i]`.
fn binary_support(rows: Vec<&[f64]>, positive: &[bool], c: f64, gamma: f64) -> Vec<usize> {
    let n = rows.len();
    let y: Vec<f64> = positive.iter().map(|&p| if p { 1.0 } else { -1.0 }).collect();
    let capacity = (CACHE_BYTES / (8 * n.max(1))).max(2);
    let mut k = Kernel::new(rows, gamma, capacity);
    let mut alpha = vec![0.0; n];
    let mut grad = vec![-1.0; n];
    let upper = |a: f64| a >= c;
    let lower = |a: f64| a <= 0.0;
    let max_iter = 10_000_000usize.max(100 * n);
    for _ in 0..max_iter {
        // Working set: i maximises -y G over I_up; j by second-order gain.
        let (mut gmax, mut gmax_idx) = (f64::NEG_INFINITY, usize::MAX);
        for t in 0..n {
            let in_up = if y[t] > 0.0 { !upper(alpha[t]) } else { !lower(alpha[t]) };
            if in_up && -y[t] * grad[t] >= gmax {
                gmax = -y[t] * grad[t];
                gmax_idx = t;
            }
        }
        if gmax_idx == usize::MAX {
            break;
        }
        let i = gmax_idx;
        let ki = k.row(i);
        let (mut gmax2, mut gmin_idx, mut obj_min) = (f64::NEG_INFINITY, usize::MAX, f64::INFINITY);
        for t in 0..n {
            let in_low = if y[t] > 0.0 { !lower(alpha[t]) } else { !upper(alpha[t]) };
            if !in_low {
                continue;
            }
            let v = y[t] * grad[t];
            gmax2 = gmax2.max(v);
            let grad_diff = gmax + v;
            if grad_diff > 0.0 {
                // K_ii + K_tt - 2 K_it, with K_ii = 1 for the RBF kernel.
                let quad = 2.0 - 2.0 * ki[t];
                let quad = if quad > 0.0 { quad } else { TAU };
                let obj = -(grad_diff * grad_diff) / quad;
                if obj <= obj_min {
                    obj_min = obj;
                    gmin_idx = t;
                }
            }
        }
        if gmax + gmax2 < EPS || gmin_idx == usize::MAX {
            break;
        }
        let j = gmin_idx;
        let kj = k.row(j);
        let (old_i, old_j) = (alpha[i], alpha[j]);
        let qij = y[i] * y[j] * ki[j];
        if y[i] != y[j] {
            let quad = (2.0 + 2.0 * qij).max(TAU);
            let delta = (-grad[i] - grad[j]) / quad;
            let diff = alpha[i] - alpha[j];
            alpha[i] += delta;
            alpha[j] += delta;
            if diff > 0.0 {
                if alpha[j] < 0.0 {
                    alpha[j] = 0.0;
                    alpha[i] = diff;
                }
            } else if alpha[i] < 0.0 {
                alpha[i] = 0.0;
                alpha[j] = -diff;
            }
            if diff > 0.0 {
                if alpha[i] > c {
                    alpha[i] = c;
                    alpha[j] = c - diff;
                }
            } else if alpha[j] > c {
                alpha[j] = c;
                alpha[i] = c + diff;
            }
        } else {
            let quad = (2.0 - 2.0 * qij).max(TAU);
            let delta = (grad[i] - grad[j]) / quad;
            let sum = alpha[i] + alpha[j];
            alpha[i] -= delta;
            alpha[j] += delta;
            if sum > c {
                if alpha[i] > c {
                    alpha[i] = c;
                    alpha[j] = sum - c;
                }
            } else if alpha[j] < 0.0 {
                alpha[j] = 0.0;
                alpha[i] = sum;
            }
            if sum > c {
                if alpha[j] > c {
                    alpha[j] = c;
                    alpha[i] = sum - c;
                }
            } else if alpha[i] < 0.0 {
                alpha[i] = 0.0;
                alpha[j] = sum;
            }
        }
        let (di, dj) = (alpha[i] - old_i, alpha[j] - old_j);
        for t in 0..n {
            grad[t] += y[t] * (y[i] * ki[t] * di + y[j] * kj[t] * dj);
        }
    }
    (0..n).filter(|&t| alpha[t] > 0.0).collect()
}

/// Rows of `x` that are support vectors of an RBF C-SVC (`C`, `gamma`)
/// trained one-vs-one on the classes `y`; ascending.
pub(crate) fn support_vectors(x: ArrayView2<'_, f64>, y: &[usize], c: f64, gamma: f64) -> Vec<usize> {
    let x = x.as_standard_layout();
    let mut classes: Vec<usize> = y.to_vec();
    classes.sort_unstable();
    classes.dedup();
    let mut support = vec![false; y.len()];
    for (a_pos, &a) in classes.iter().enumerate() {
        for &b in &classes[a_pos + 1..] {
            let idx: Vec<usize> = (0..y.len()).filter(|&i| y[i] == a || y[i] == b).collect();
            let rows = idx
                .iter()
                .map(|&i| x.row(i).to_slice().expect("standard layout"))
                .collect();
            let positive: Vec<bool> = idx.iter().map(|&i| y[i] == a).collect();
            for s in binary_support(rows, &positive, c, gamma) {
                support[idx[s]] = true;
            }
        }
    }
    (0..y.len()).filter(|&i| support[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn tiny_problem_matches_scikit_learn() {
        // SVC(gamma=0.5).fit(x, y).support_ == [0, 2, 3, 5]
        let x = array![[0.0], [0.5], [1.0], [3.0], [3.5], [4.0]];
        let y = [0, 0, 0, 1, 1, 1];
        assert_eq!(support_vectors(x.view(), &y, 1.0, 0.5), vec![0, 2, 3, 5]);
    }

    #[test]
    fn support_sets_match_libsvm() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/svc_support.json");
        let fx: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for rec in fx["records"].as_array().unwrap() {
            let rows: Vec<Vec<f64>> = serde_json::from_value(rec["x"].clone()).unwrap();
            let y: Vec<usize> = serde_json::from_value(rec["y"].clone()).unwrap();
            let want: Vec<usize> = serde_json::from_value(rec["support"].clone()).unwrap();
            let x = ndarray::Array2::from_shape_fn((rows.len(), 2), |(i, j)| rows[i][j]);
            assert_eq!(support_vectors(x.view(), &y, 1.0, gamma_scale(x.view())), want);
        }
    }

    #[test]
    fn gamma_scale_is_one_over_d_times_variance() {
        let x = array![[0.0, 2.0], [2.0, 0.0]];
        assert!((gamma_scale(x.view()) - 0.5).abs() < 1e-12);
    }
}
