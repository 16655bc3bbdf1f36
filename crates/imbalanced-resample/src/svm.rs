//! The support vectors of an RBF-kernel C-SVC, for SVMSMOTE.
//!
//! A small implementation of libsvm's solver (Chang & Lin 2011; Fan, Chen &
//! Lin 2005): SMO with second-order working-set selection, no shrinking, a
//! bounded cache of kernel rows. Multi-class data is handled one-vs-one, as
//! scikit-learn's `SVC`, whose `support_` is the union of the pairwise
//! machines' support vectors. Only the support set is needed, so no decision
//! function is kept. Written here because no maintained Rust crate offers a
//! C-SVC on ndarray 0.17 (linfa-svm is on ndarray 0.16).
//!
//! Kernel rows are computed in parallel, vectorised, with a vectorised
//! `exp`: on 100k rows that took SVMSMOTE from 154 s to 65 s (BENCHMARKS.md). A row still
//! streams all the data from memory; libsvm's shrinking (rows over the
//! active set only) is what would cut that next.

use std::collections::HashMap;
use std::sync::Arc;

use ndarray::ArrayView2;
use rayon::prelude::*;

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

/// Points per block of the kernel-row loop: four AVX-512 registers of f64,
/// so that four independent sums hide the adds' latency (one register's
/// chain of adds made the loop 3x slower).
const LANES: usize = 32;
/// Entries of a kernel row per parallel task (whole blocks).
const ROW_CHUNK: usize = 4096;

const LOG2E: f64 = std::f64::consts::LOG2_E;
const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
/// Adding 1.5 * 2^52 rounds to an integer held in the low mantissa bits.
const MAGIC: f64 = 6_755_399_441_055_744.0;
/// Taylor coefficients of `exp(r)`, highest degree (12) first.
const EXP_TAYLOR: [f64; 13] = [
    1.0 / 479_001_600.0,
    1.0 / 39_916_800.0,
    1.0 / 3_628_800.0,
    1.0 / 362_880.0,
    1.0 / 40_320.0,
    1.0 / 5_040.0,
    1.0 / 720.0,
    1.0 / 120.0,
    1.0 / 24.0,
    1.0 / 6.0,
    0.5,
    1.0,
    1.0,
];

/// `exp(x)` for `x <= 0`, within 2 ulp of libm: `x = k ln 2 + r`
/// (Cody-Waite), a degree-12 Taylor polynomial on `|r| <= ln 2 / 2`
/// (truncation error < 2e-16), and `2^k` from the exponent bits. Below -708
/// (where libm goes subnormal) it gives 0. Why: libm's scalar `exp` was
/// most of each kernel row's cost; [`Kernel::row_chunk_avx512`] runs these
/// same steps on 8 lanes.
fn exp_nonpositive(x: f64) -> f64 {
    if x < -708.0 {
        return 0.0;
    }
    let t = x * LOG2E + MAGIC;
    let k = t - MAGIC;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let p = EXP_TAYLOR[1..].iter().fold(EXP_TAYLOR[0], |p, &c| p * r + c);
    p * f64::from_bits((t.to_bits().wrapping_sub(MAGIC.to_bits()).wrapping_add(1023)) << 52)
}

/// The RBF kernel matrix, row by row, with a bounded cache of rows.
struct Kernel {
    d: usize,
    /// The rows in blocks of `LANES`, dimension by dimension
    /// (`[block][dimension][lane]`, padding zero), so that one row of the
    /// kernel matrix is a vectorised loop over blocks.
    blocks: Vec<f64>,
    norms: Vec<f64>,
    gamma: f64,
    cache: HashMap<usize, Arc<Vec<f64>>>,
    order: std::collections::VecDeque<usize>,
    capacity: usize,
}

impl Kernel {
    fn new(rows: &[&[f64]], gamma: f64, capacity: usize) -> Self {
        let n = rows.len();
        let d = rows.first().map_or(0, |r| r.len());
        let padded = n.div_ceil(ROW_CHUNK) * ROW_CHUNK;
        let mut blocks = vec![0.0; padded * d];
        let mut norms = vec![0.0; padded];
        for (i, row) in rows.iter().enumerate() {
            let (b, l) = (i / LANES, i % LANES);
            for (j, &v) in row.iter().enumerate() {
                blocks[(b * d + j) * LANES + l] = v;
            }
            norms[i] = row.iter().map(|v| v * v).sum();
        }
        Kernel {
            d,
            blocks,
            norms,
            gamma,
            cache: HashMap::new(),
            order: Default::default(),
            capacity,
        }
    }

    /// Row `i` of the kernel matrix (padded past `n`), from the cache when it is there.
    fn row(&mut self, i: usize) -> Arc<Vec<f64>> {
        if let Some(r) = self.cache.get(&i) {
            return Arc::clone(r);
        }
        if self.cache.len() >= self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.cache.remove(&old);
            }
        }
        let (b, l) = (i / LANES, i % LANES);
        let xi: Vec<f64> = (0..self.d).map(|j| self.blocks[(b * self.d + j) * LANES + l]).collect();
        let mut row = vec![0.0; self.norms.len()];
        row.par_chunks_mut(ROW_CHUNK)
            .enumerate()
            .for_each(|(c, out)| self.row_chunk(&xi, self.norms[i], c * ROW_CHUNK / LANES, out));
        let row = Arc::new(row);
        self.cache.insert(i, Arc::clone(&row));
        self.order.push_back(i);
        row
    }

    fn row_chunk(&self, xi: &[f64], ni: f64, first_block: usize, out: &mut [f64]) {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has the feature the function is compiled for.
            return unsafe { self.row_chunk_avx512(xi, ni, first_block, out) };
        }
        self.row_chunk_portable(xi, ni, first_block, out)
    }

    /// [`Kernel::row_chunk`] on any CPU.
    fn row_chunk_portable(&self, xi: &[f64], ni: f64, first_block: usize, out: &mut [f64]) {
        let (d, g) = (self.d, self.gamma);
        for (b, out) in out.chunks_exact_mut(LANES).enumerate() {
            let blk = first_block + b;
            let xv = &self.blocks[blk * d * LANES..(blk + 1) * d * LANES];
            let mut dot = [0.0f64; LANES];
            for (x, &c) in xv.chunks_exact(LANES).zip(xi) {
                for l in 0..LANES {
                    dot[l] += x[l] * c;
                }
            }
            for l in 0..LANES {
                out[l] = exp_nonpositive(-g * (ni + self.norms[blk * LANES + l] - 2.0 * dot[l]).max(0.0));
            }
        }
    }

    /// [`Kernel::row_chunk`] in AVX-512: the same operations in the same
    /// order per lane (separate multiplies and adds, no FMA), so the same
    /// values. Intrinsics, because LLVM left the portable loops scalar or
    /// chained every add on one register.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn row_chunk_avx512(&self, xi: &[f64], ni: f64, first_block: usize, out: &mut [f64]) {
        use std::arch::x86_64::*;
        const REGS: usize = LANES / 8;
        let d = self.d;
        let zero = _mm512_setzero_pd();
        let (minus_g, ni, two) = (_mm512_set1_pd(-self.gamma), _mm512_set1_pd(ni), _mm512_set1_pd(2.0));
        let (log2e, magic) = (_mm512_set1_pd(LOG2E), _mm512_set1_pd(MAGIC));
        let (ln2_hi, ln2_lo) = (_mm512_set1_pd(LN2_HI), _mm512_set1_pd(LN2_LO));
        let floor = _mm512_set1_pd(-708.0);
        let bias = _mm512_set1_epi64(1023 - MAGIC.to_bits() as i64);
        for (b, out) in out.chunks_exact_mut(LANES).enumerate() {
            let blk = first_block + b;
            let xv = &self.blocks[blk * d * LANES..(blk + 1) * d * LANES];
            let mut dot = [zero; REGS];
            for (x, &c) in xv.chunks_exact(LANES).zip(xi) {
                let c = _mm512_set1_pd(c);
                for (u, dot) in dot.iter_mut().enumerate() {
                    // SAFETY: 8 readable f64.
                    let x = unsafe { _mm512_loadu_pd(x[8 * u..].as_ptr()) };
                    *dot = _mm512_add_pd(*dot, _mm512_mul_pd(x, c));
                }
            }
            for (u, dot) in dot.into_iter().enumerate() {
                // SAFETY: 8 readable f64.
                let nj = unsafe { _mm512_loadu_pd(self.norms[blk * LANES + 8 * u..].as_ptr()) };
                let dist = _mm512_max_pd(_mm512_sub_pd(_mm512_add_pd(ni, nj), _mm512_mul_pd(two, dot)), zero);
                let x = _mm512_mul_pd(minus_g, dist);
                let below = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(x, floor);
                let x = _mm512_max_pd(x, floor);
                let t = _mm512_add_pd(_mm512_mul_pd(x, log2e), magic);
                let k = _mm512_sub_pd(t, magic);
                let r = _mm512_sub_pd(_mm512_sub_pd(x, _mm512_mul_pd(k, ln2_hi)), _mm512_mul_pd(k, ln2_lo));
                let mut p = _mm512_set1_pd(EXP_TAYLOR[0]);
                for &c in &EXP_TAYLOR[1..] {
                    p = _mm512_add_pd(_mm512_mul_pd(p, r), _mm512_set1_pd(c));
                }
                let scale =
                    _mm512_castsi512_pd(_mm512_slli_epi64::<52>(_mm512_add_epi64(_mm512_castpd_si512(t), bias)));
                let e = _mm512_maskz_mov_pd(!below, _mm512_mul_pd(p, scale));
                // SAFETY: 8 writable f64.
                unsafe { _mm512_storeu_pd(out[8 * u..].as_mut_ptr(), e) };
            }
        }
    }
}

/// Indices (into `rows`) of the support vectors of a binary C-SVC with
/// labels `positive[i]`.
fn binary_support(rows: Vec<&[f64]>, positive: &[bool], c: f64, gamma: f64) -> Vec<usize> {
    let n = rows.len();
    let y: Vec<f64> = positive.iter().map(|&p| if p { 1.0 } else { -1.0 }).collect();
    let capacity = (CACHE_BYTES / (8 * n.max(1))).max(2);
    let mut k = Kernel::new(&rows, gamma, capacity);
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
    fn exp_is_within_two_ulp_of_libm() {
        let mut rng = imbalanced_random::SamplerRng::new(imbalanced_random::RngKind::Default, 5);
        for t in 0..200_000 {
            // Uniform over [-708, 0], plus the small arguments that matter most.
            let x = if t % 2 == 0 {
                -708.0 * rng.random()
            } else {
                -rng.random()
            };
            let (got, want) = (exp_nonpositive(x), x.exp());
            let ulps = (got.to_bits() as i64 - want.to_bits() as i64).abs();
            assert!(ulps <= 2, "exp({x}): {got} vs {want}");
        }
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert_eq!(exp_nonpositive(-800.0), 0.0);
        assert_eq!(exp_nonpositive(f64::NEG_INFINITY), 0.0);
        assert!(exp_nonpositive(-708.0) > 0.0);
    }

    /// The AVX-512 rows equal the portable ones bit for bit, and libm's RBF
    /// kernel within 2 ulp.
    #[test]
    fn kernel_rows_agree_with_the_formula() {
        let mut rng = imbalanced_random::SamplerRng::new(imbalanced_random::RngKind::Default, 9);
        let data: Vec<Vec<f64>> = (0..777).map(|_| (0..5).map(|_| 4.0 * rng.random()).collect()).collect();
        let rows: Vec<&[f64]> = data.iter().map(Vec::as_slice).collect();
        let mut kernel = Kernel::new(&rows, 0.7, 4);
        for i in [0, 1, 400, 776] {
            let row = kernel.row(i);
            let xi: Vec<f64> = data[i].clone();
            let ni: f64 = xi.iter().map(|v| v * v).sum();
            let mut portable = vec![0.0; row.len()];
            for (c, out) in portable.chunks_mut(ROW_CHUNK).enumerate() {
                kernel.row_chunk_portable(&xi, ni, c * ROW_CHUNK / LANES, out);
            }
            assert_eq!(row[..777], portable[..777], "row {i}");
            for (j, xj) in data.iter().enumerate() {
                let d2: f64 = xi.iter().zip(xj).map(|(a, b)| (a - b) * (a - b)).sum();
                assert!((row[j] - (-0.7 * d2).exp()).abs() <= 1e-12, "K[{i}, {j}]");
            }
        }
    }

    #[test]
    fn gamma_scale_is_one_over_d_times_variance() {
        let x = array![[0.0, 2.0], [2.0, 0.0]];
        assert!((gamma_scale(x.view()) - 0.5).abs() < 1e-12);
    }
}
