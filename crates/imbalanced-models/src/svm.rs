//! The support vectors of an RBF-kernel C-SVC, for SVMSMOTE.
//!
//! A small implementation of libsvm's solver (Chang & Lin 2011; Fan, Chen &
//! Lin 2005): SMO with second-order working-set selection, shrinking, a
//! bounded cache of kernel rows. Multi-class data is handled one-vs-one, as
//! scikit-learn's `SVC`, whose `support_` is the union of the pairwise
//! machines' support vectors. Only the support set is needed, so no decision
//! function is kept. Written here because no maintained Rust crate offers a
//! C-SVC on ndarray 0.17 (linfa-svm is on ndarray 0.16).
//!
//! Kernel rows are computed in parallel, vectorised, with a vectorised
//! `exp`, and with shrinking only over the active variables: on 100k rows
//! SVMSMOTE took 154 s without either, 65 s with the vectorised rows and
//! ~10 s with shrinking and the rest below (same support set; BENCHMARKS.md).

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
pub fn gamma_scale(x: ArrayView2<'_, f64>) -> f64 {
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

/// The RBF kernel matrix of points held in positions that the solver may
/// swap (libsvm's shrinking keeps the active points first), row by row,
/// with a bounded cache of row prefixes.
struct Kernel {
    d: usize,
    /// The points in blocks of `LANES`, dimension by dimension
    /// (`[block][dimension][lane]`, padding zero), so that one row of the
    /// kernel matrix is a vectorised loop over blocks. Stored in f32 (the
    /// arithmetic is f64): a row reads every point, and at 100k points that
    /// read from memory, not the arithmetic, bounds it. The rounding moves
    /// kernel values by about as much as libsvm's own float cache does.
    blocks: Vec<f32>,
    norms: Vec<f64>,
    gamma: f64,
    /// Per position, its cached row: the entries computed so far, whole
    /// blocks from the first position.
    cache: HashMap<usize, Arc<Vec<f64>>>,
    /// Cached positions, oldest first.
    order: std::collections::VecDeque<usize>,
    /// Entries computed across cached rows, and their bound.
    cached: usize,
    capacity: usize,
}

impl Kernel {
    /// `capacity`: kernel entries the cache may hold.
    fn new(rows: &[&[f64]], gamma: f64, capacity: usize) -> Self {
        let n = rows.len();
        let d = rows.first().map_or(0, |r| r.len());
        let padded = n.div_ceil(ROW_CHUNK) * ROW_CHUNK;
        let mut blocks = vec![0.0f32; padded * d];
        let mut norms = vec![0.0; padded];
        for (i, row) in rows.iter().enumerate() {
            let (b, l) = (i / LANES, i % LANES);
            for (j, &v) in row.iter().enumerate() {
                blocks[(b * d + j) * LANES + l] = v as f32;
            }
            norms[i] = row.iter().map(|&v| f64::from(v as f32).powi(2)).sum();
        }
        Kernel {
            d,
            blocks,
            norms,
            gamma,
            cache: HashMap::new(),
            order: Default::default(),
            cached: 0,
            capacity,
        }
    }

    fn point(&self, i: usize) -> Vec<f64> {
        let (b, l) = (i / LANES, i % LANES);
        (0..self.d)
            .map(|j| f64::from(self.blocks[(b * self.d + j) * LANES + l]))
            .collect()
    }

    /// Row `i` of the kernel matrix with at least entries `0..len` computed,
    /// from the cache as far as it is there.
    fn row(&mut self, i: usize, len: usize) -> Arc<Vec<f64>> {
        let mut row = match self.cache.remove(&i) {
            Some(row) if row.len() >= len => {
                self.cache.insert(i, Arc::clone(&row));
                return row;
            }
            Some(row) => {
                self.order.retain(|&p| p != i);
                self.cached -= row.len();
                row
            }
            None => Arc::new(Vec::new()),
        };
        // Rows hold whole blocks: the missing entries start at a block.
        let from = row.len();
        let wanted = len.next_multiple_of(LANES);
        while self.cached + wanted > self.capacity {
            let Some(old) = self.order.pop_front() else { break };
            if let Some(r) = self.cache.remove(&old) {
                self.cached -= r.len();
            }
        }
        let buf = Arc::make_mut(&mut row);
        // Exactly: a doubling growth would hold up to twice what the cache counts.
        buf.reserve_exact(wanted - buf.len());
        buf.resize(wanted, 0.0);
        let xi = self.point(i);
        let ni = self.norms[i];
        let fill = |(c, out): (usize, &mut [f64])| self.row_chunk(&xi, ni, (from + c * ROW_CHUNK) / LANES, out);
        // A short extension in this thread: waking the pool costs more.
        if wanted - from > ROW_CHUNK {
            buf[from..].par_chunks_mut(ROW_CHUNK).enumerate().for_each(fill);
        } else {
            buf[from..].chunks_mut(ROW_CHUNK).enumerate().for_each(fill);
        }
        self.cache.insert(i, Arc::clone(&row));
        self.order.push_back(i);
        self.cached += wanted;
        row
    }

    /// Swaps the points at positions `i` and `j`; the cached rows follow
    /// in [`Kernel::reorder_rows`].
    fn swap(&mut self, i: usize, j: usize) {
        let d = self.d;
        for t in 0..d {
            self.blocks.swap(
                ((i / LANES) * d + t) * LANES + i % LANES,
                ((j / LANES) * d + t) * LANES + j % LANES,
            );
        }
        self.norms.swap(i, j);
    }

    /// Brings the cached rows in line with the position swaps `(i < j)` of
    /// one shrinking pass, in order (libsvm's `Cache::swap_index`, one row
    /// at a time rather than one swap at a time over all rows, which
    /// missed the cache on every entry): a row computed past `j` swaps its
    /// entries, one computed past `i` but not past `j` is dropped, and rows
    /// move with their points.
    fn reorder_rows(&mut self, swaps: &[(usize, usize)]) {
        if swaps.is_empty() {
            return;
        }
        // Rows whose computed length falls in some (i, j] are dropped.
        let mut spans: Vec<(usize, usize)> = swaps.to_vec();
        spans.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (i, j) in spans {
            match merged.last_mut() {
                Some(last) if i <= last.1 => last.1 = last.1.max(j),
                _ => merged.push((i, j)),
            }
        }
        let dropped = |done: usize| {
            let k = merged.partition_point(|&(i, _)| i < done);
            k > 0 && done <= merged[k - 1].1
        };
        // Where the point cached at each moved position now is.
        let mut holder: HashMap<usize, usize> = HashMap::new();
        for &(i, j) in swaps {
            let (hi, hj) = (*holder.get(&i).unwrap_or(&i), *holder.get(&j).unwrap_or(&j));
            holder.insert(i, hj);
            holder.insert(j, hi);
        }
        let moved: HashMap<usize, usize> = holder.into_iter().map(|(now, was)| (was, now)).collect();
        let old = std::mem::take(&mut self.cache);
        for (p, mut row) in old {
            let done = row.len();
            if dropped(done) {
                self.cached -= done;
                continue;
            }
            let entries = Arc::make_mut(&mut row);
            for &(i, j) in swaps.iter().filter(|&&(_, j)| j < done) {
                entries.swap(i, j);
            }
            self.cache.insert(*moved.get(&p).unwrap_or(&p), row);
        }
        let order = std::mem::take(&mut self.order);
        self.order = order
            .into_iter()
            .map(|p| *moved.get(&p).unwrap_or(&p))
            .filter(|p| self.cache.contains_key(p))
            .collect();
    }

    /// `Σ_s w_s K(s, t)` for the positions `t` in `from..to`, over the
    /// weighted positions `weights`. One pass over those points however many
    /// weights there are: each block of points stays in cache while every
    /// weight's kernel values against it are summed. Rebuilding the
    /// gradient of the shrunk variables needs this for thousands of weights,
    /// and a kernel row apiece made that pass once per weight.
    fn weighted_sums(&self, weights: &[(usize, f64)], from: usize, to: usize) -> Vec<f64> {
        let start = from / LANES * LANES;
        let end = to.next_multiple_of(LANES);
        let points: Vec<(Vec<f64>, f64, f64)> = weights
            .iter()
            .map(|&(s, w)| (self.point(s), self.norms[s], w))
            .collect();
        let mut sums = vec![0.0; end - start];
        sums.par_chunks_mut(ROW_CHUNK).enumerate().for_each(|(c, out)| {
            let mut k = [0.0; LANES];
            for (b, acc) in out.chunks_exact_mut(LANES).enumerate() {
                let block = (start + c * ROW_CHUNK) / LANES + b;
                for (x, n, w) in &points {
                    self.row_chunk(x, *n, block, &mut k);
                    for (a, v) in acc.iter_mut().zip(k) {
                        *a += w * v;
                    }
                }
            }
        });
        sums.drain(..from - start);
        sums.truncate(to - from);
        sums
    }

    fn row_chunk(&self, xi: &[f64], ni: f64, first_block: usize, out: &mut [f64]) {
        #[cfg(target_arch = "x86_64")]
        if imbalanced_neighbors::simd::avx512f() {
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
                    dot[l] += f64::from(x[l]) * c;
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
                    // SAFETY: 8 readable f32.
                    let x = _mm512_cvtps_pd(unsafe { _mm256_loadu_ps(x[8 * u..].as_ptr()) });
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
    let mut solver = Solver::new(&rows, positive, c, gamma);
    solver.solve();
    (0..rows.len())
        .filter(|&p| solver.alpha[p] > 0.0)
        .map(|p| solver.perm[p])
        .collect()
}

/// From this many variables on, the solver's scans and updates over them
/// run on all threads: at 100k variables a scan reads megabytes, and one
/// core waits on memory; below, waking the other thread costs more than it
/// saves.
const PARALLEL_FROM: usize = 32_768;
/// Variables per parallel piece of a scan.
const SCAN_CHUNK: usize = 8192;

/// Runs `update(first, piece)` over consecutive pieces of `values`
/// (`first`: the piece's offset), on all threads from `PARALLEL_FROM`
/// values on. Each value is updated alone, so the result does not depend
/// on the split.
fn in_pieces(values: &mut [f64], update: impl Fn(usize, &mut [f64]) + Sync) {
    if values.len() < PARALLEL_FROM {
        return update(0, values);
    }
    values
        .par_chunks_mut(SCAN_CHUNK)
        .enumerate()
        .for_each(|(c, piece)| update(c * SCAN_CHUNK, piece));
}

/// A reduction over the active variables `0..active`: `scan` folds a range
/// into a partial result, `merge` joins the partial results of consecutive
/// ranges, left to right (so ties resolve as in one sequential scan).
fn over_active<T: Copy + Send + Sync>(
    active: usize,
    init: T,
    scan: impl Fn(std::ops::Range<usize>, &mut T) + Sync,
    merge: impl Fn(T, T) -> T,
) -> T {
    if active < PARALLEL_FROM {
        let mut acc = init;
        scan(0..active, &mut acc);
        return acc;
    }
    let parts: Vec<T> = (0..active.div_ceil(SCAN_CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut acc = init;
            scan(c * SCAN_CHUNK..((c + 1) * SCAN_CHUNK).min(active), &mut acc);
            acc
        })
        .collect();
    parts.into_iter().reduce(&merge).unwrap_or(init)
}

/// Of the partial results `(value, index)` of two consecutive ranges, the
/// larger value, the later on ties (`index` `usize::MAX`: none found).
fn last_max(a: (f64, usize), b: (f64, usize)) -> (f64, usize) {
    if b.1 != usize::MAX && b.0 >= a.0 {
        b
    } else {
        a
    }
}

/// [`last_max`] for the smaller value.
fn last_min(a: (f64, usize), b: (f64, usize)) -> (f64, usize) {
    if b.1 != usize::MAX && b.0 <= a.0 {
        b
    } else {
        a
    }
}

/// libsvm's `Solver` for a C-SVC with an RBF kernel (`Q_ii = 1`), with its
/// shrinking: every 1000 iterations, bounded variables that cannot be
/// chosen again soon leave the active set, which is kept at the front of
/// the positions; the working-set search, the gradient update and the
/// kernel rows then cover the active set only. The gradient of the shrunk
/// variables is rebuilt from `g_bar` (the bounded variables' part) before
/// the final optimality test, as libsvm does. In position space: `perm[p]`
/// is the input row at position `p`.
struct Solver {
    l: usize,
    c: f64,
    y: Vec<f64>,
    alpha: Vec<f64>,
    /// The gradient `Q alpha - 1`, `Q_ts = y_t y_s K_ts`.
    g: Vec<f64>,
    /// `Σ_{s at C} C Q_ts`.
    g_bar: Vec<f64>,
    perm: Vec<usize>,
    active: usize,
    /// libsvm's `-h` (scikit-learn's `shrinking`): on by default.
    shrinking: bool,
    unshrunk: bool,
    kernel: Kernel,
}

impl Solver {
    fn new(rows: &[&[f64]], positive: &[bool], c: f64, gamma: f64) -> Self {
        let l = rows.len();
        Solver {
            l,
            c,
            y: positive.iter().map(|&p| if p { 1.0 } else { -1.0 }).collect(),
            alpha: vec![0.0; l],
            g: vec![-1.0; l],
            g_bar: vec![0.0; l],
            perm: (0..l).collect(),
            active: l,
            shrinking: true,
            unshrunk: false,
            kernel: Kernel::new(rows, gamma, CACHE_BYTES / 8),
        }
    }

    fn upper(&self, t: usize) -> bool {
        self.alpha[t] >= self.c
    }

    fn lower(&self, t: usize) -> bool {
        self.alpha[t] <= 0.0
    }

    /// Whether `t` is in I_up: `y_t alpha_t` can still grow.
    fn in_up(&self, t: usize) -> bool {
        if self.y[t] > 0.0 {
            !self.upper(t)
        } else {
            !self.lower(t)
        }
    }

    /// Whether `t` is in I_low: `y_t alpha_t` can still shrink.
    fn in_low(&self, t: usize) -> bool {
        if self.y[t] > 0.0 {
            !self.lower(t)
        } else {
            !self.upper(t)
        }
    }

    /// libsvm's main loop (`Solver::Solve`).
    fn solve(&mut self) {
        let max_iter = 10_000_000usize.max(100 * self.l);
        let mut counter = self.l.min(1000) + 1;
        for _ in 0..max_iter {
            counter -= 1;
            if counter == 0 {
                counter = self.l.min(1000);
                if self.shrinking {
                    self.shrink();
                }
            }
            let (i, j) = match self.select() {
                Some(pair) => pair,
                None => {
                    // Optimal on the active set: test all variables.
                    self.reconstruct_gradient();
                    self.active = self.l;
                    match self.select() {
                        Some(pair) => {
                            counter = 1;
                            pair
                        }
                        None => break,
                    }
                }
            };
            self.step(i, j);
        }
    }

    /// Second-order working-set selection over the active set
    /// (`select_working_set`): `i` maximises `-y G` over I_up, `j` the gain.
    fn select(&mut self) -> Option<(usize, usize)> {
        let (s, y, g) = (&*self, &self.y, &self.g);
        // -y G over I_up: the largest, the last of ties.
        let (gmax, i) = over_active(
            self.active,
            (f64::NEG_INFINITY, usize::MAX),
            |range, best| {
                for t in range {
                    if s.in_up(t) && -y[t] * g[t] >= best.0 {
                        *best = (-y[t] * g[t], t);
                    }
                }
            },
            last_max,
        );
        if i == usize::MAX {
            return None;
        }
        let ki = self.kernel.row(i, self.active);
        let (s, y, g) = (&*self, &self.y, &self.g);
        // y G over I_low: the largest (gmax2); and the second-order gain's
        // best j, the last of ties.
        let (gmax2, _, j) = over_active(
            self.active,
            (f64::NEG_INFINITY, f64::INFINITY, usize::MAX),
            |range, best| {
                for t in range {
                    if !s.in_low(t) {
                        continue;
                    }
                    let v = y[t] * g[t];
                    best.0 = best.0.max(v);
                    let grad_diff = gmax + v;
                    if grad_diff > 0.0 {
                        // K_ii + K_tt - 2 K_it, with K_ii = 1 for the RBF kernel.
                        let quad = 2.0 - 2.0 * ki[t];
                        let quad = if quad > 0.0 { quad } else { TAU };
                        let obj = -(grad_diff * grad_diff) / quad;
                        if obj <= best.1 {
                            (best.1, best.2) = (obj, t);
                        }
                    }
                }
            },
            |a, b| {
                let (obj, j) = last_min((a.1, a.2), (b.1, b.2));
                (a.0.max(b.0), obj, j)
            },
        );
        (gmax + gmax2 >= EPS && j != usize::MAX).then_some((i, j))
    }

    /// Optimises the pair `(i, j)` and updates the gradients.
    fn step(&mut self, i: usize, j: usize) {
        let c = self.c;
        let (ki, kj) = (self.kernel.row(i, self.active), self.kernel.row(j, self.active));
        let (y, alpha) = (&self.y, &mut self.alpha);
        let (old_i, old_j) = (alpha[i], alpha[j]);
        let qij = y[i] * y[j] * ki[j];
        if y[i] != y[j] {
            let quad = (2.0 + 2.0 * qij).max(TAU);
            let delta = (-self.g[i] - self.g[j]) / quad;
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
            let delta = (self.g[i] - self.g[j]) / quad;
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
        let (yi, yj) = (y[i], y[j]);
        in_pieces(&mut self.g[..self.active], |at, g| {
            let at = at..at + g.len();
            for (((g, y), ki), kj) in g.iter_mut().zip(&y[at.clone()]).zip(&ki[at.clone()]).zip(&kj[at]) {
                *g += y * (yi * ki * di + yj * kj * dj);
            }
        });
        drop((ki, kj));
        // A variable that reaches or leaves C moves g_bar, over all positions.
        for (p, old) in [(i, old_i), (j, old_j)] {
            let (was, is) = (old >= c, self.alpha[p] >= c);
            if was != is {
                let kp = self.kernel.row(p, self.l);
                let sign = if is { c } else { -c } * self.y[p];
                let y = &self.y;
                in_pieces(&mut self.g_bar, |at, g| {
                    let at = at..at + g.len();
                    for ((g, y), k) in g.iter_mut().zip(&y[at.clone()]).zip(&kp[at]) {
                        *g += sign * y * k;
                    }
                });
            }
        }
    }

    /// Whether a bounded variable cannot be chosen while the gradient stays
    /// as it is (`be_shrunk`); `gmax1`: the I_up maximum, `gmax2`: I_low's.
    fn shrinkable(&self, t: usize, gmax1: f64, gmax2: f64) -> bool {
        let (g, positive) = (self.g[t], self.y[t] > 0.0);
        if self.upper(t) {
            -g > if positive { gmax1 } else { gmax2 }
        } else if self.lower(t) {
            g > if positive { gmax2 } else { gmax1 }
        } else {
            false
        }
    }

    /// libsvm's `do_shrinking`.
    fn shrink(&mut self) {
        let (mut gmax1, mut gmax2) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for t in 0..self.active {
            let yg = self.y[t] * self.g[t];
            // -y G over I_up, y G over I_low.
            if self.in_up(t) {
                gmax1 = gmax1.max(-yg);
            }
            if self.in_low(t) {
                gmax2 = gmax2.max(yg);
            }
        }
        if !self.unshrunk && gmax1 + gmax2 <= EPS * 10.0 {
            // Near the end: bring everything back once, as libsvm does.
            self.unshrunk = true;
            self.reconstruct_gradient();
            self.active = self.l;
        }
        let mut swaps = Vec::new();
        let mut t = 0;
        while t < self.active {
            if self.shrinkable(t, gmax1, gmax2) {
                self.active -= 1;
                while self.active > t {
                    if !self.shrinkable(self.active, gmax1, gmax2) {
                        self.swap(t, self.active);
                        swaps.push((t, self.active));
                        break;
                    }
                    self.active -= 1;
                }
            }
            t += 1;
        }
        self.kernel.reorder_rows(&swaps);
    }

    fn swap(&mut self, i: usize, j: usize) {
        self.kernel.swap(i, j);
        for v in [&mut self.y, &mut self.alpha, &mut self.g, &mut self.g_bar] {
            v.swap(i, j);
        }
        self.perm.swap(i, j);
    }

    /// The gradient of the shrunk variables from `g_bar` and the free
    /// variables (`reconstruct_gradient`).
    fn reconstruct_gradient(&mut self) {
        let (l, active) = (self.l, self.active);
        if active == l {
            return;
        }
        for t in active..l {
            self.g[t] = self.g_bar[t] - 1.0;
        }
        let free: Vec<(usize, f64)> = (0..active)
            .filter(|&s| !self.upper(s) && !self.lower(s))
            .map(|s| (s, self.alpha[s] * self.y[s]))
            .collect();
        let sums = self.kernel.weighted_sums(&free, active, l);
        for (t, sum) in (active..l).zip(sums) {
            self.g[t] += self.y[t] * sum;
        }
    }
}

/// Rows of `x` that are support vectors of an RBF C-SVC (`C`, `gamma`)
/// trained one-vs-one on the classes `y`; ascending.
pub fn support_vectors(x: ArrayView2<'_, f64>, y: &[usize], c: f64, gamma: f64) -> Vec<usize> {
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
    /// kernel of the f32-rounded points within 1e-12 (of the points
    /// themselves within 1e-5).
    #[test]
    fn kernel_rows_agree_with_the_formula() {
        let mut rng = imbalanced_random::SamplerRng::new(imbalanced_random::RngKind::Default, 9);
        let data: Vec<Vec<f64>> = (0..777).map(|_| (0..5).map(|_| 4.0 * rng.random()).collect()).collect();
        let rows: Vec<&[f64]> = data.iter().map(Vec::as_slice).collect();
        let mut kernel = Kernel::new(&rows, 0.7, 4 * 800);
        for i in [0, 1, 400, 776] {
            let row = kernel.row(i, 777);
            let xi = kernel.point(i);
            let ni: f64 = xi.iter().map(|v| v * v).sum();
            let mut portable = vec![0.0; row.len()];
            for (c, out) in portable.chunks_mut(ROW_CHUNK).enumerate() {
                kernel.row_chunk_portable(&xi, ni, c * ROW_CHUNK / LANES, out);
            }
            assert_eq!(row[..777], portable[..777], "row {i}");
            let round = |v: &f64| f64::from(*v as f32);
            for (j, xj) in data.iter().enumerate() {
                let d2: f64 = xi.iter().zip(xj).map(|(a, b)| (a - round(b)) * (a - round(b))).sum();
                assert!((row[j] - (-0.7 * d2).exp()).abs() <= 1e-12, "K[{i}, {j}]");
                let exact: f64 = data[i].iter().zip(xj).map(|(a, b)| (a - b) * (a - b)).sum();
                assert!((row[j] - (-0.7 * exact).exp()).abs() <= 1e-5, "K[{i}, {j}] unrounded");
            }
        }
    }

    /// Two overlapping Gaussian classes in 3-D: thousands of iterations,
    /// many bounded variables, so that shrinking and the gradient's
    /// reconstruction both happen.
    fn overlapping(n: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<bool>) {
        let mut rng = imbalanced_random::SamplerRng::new(imbalanced_random::RngKind::Default, seed);
        let positive: Vec<bool> = (0..n).map(|i| i % 3 == 0).collect();
        let data = positive
            .iter()
            .map(|&p| {
                (0..3)
                    .map(|j| rng.standard_normal() + if p && j == 0 { 1.0 } else { 0.0 })
                    .collect()
            })
            .collect();
        (data, positive)
    }

    #[test]
    fn shrinking_reaches_the_same_optimum() {
        let (data, positive) = overlapping(2500, 4);
        let rows: Vec<&[f64]> = data.iter().map(Vec::as_slice).collect();
        let gamma = 0.5;
        let mut plain = Solver::new(&rows, &positive, 1.0, gamma);
        plain.shrinking = false;
        plain.solve();
        let mut shrunk = Solver::new(&rows, &positive, 1.0, gamma);
        shrunk.solve();
        let support = |s: &Solver| {
            let mut v: Vec<usize> = (0..s.l).filter(|&p| s.alpha[p] > 0.0).map(|p| s.perm[p]).collect();
            v.sort_unstable();
            v
        };
        assert!(
            shrunk.perm.iter().enumerate().any(|(p, &i)| p != i),
            "nothing was shrunk"
        );
        // Both are optimal within EPS; they may part on a few variables at
        // the edge of the support (as libsvm's runs with and without -h do).
        let (a, b) = (support(&shrunk), support(&plain));
        let differ = a.iter().filter(|i| b.binary_search(i).is_err()).count()
            + b.iter().filter(|i| a.binary_search(i).is_err()).count();
        assert!(
            differ * 200 <= a.len(),
            "{differ} of {} support vectors differ",
            a.len()
        );
        // The shrunk solution is optimal over all variables, measured from scratch.
        let mut alpha = vec![0.0; shrunk.l];
        for p in 0..shrunk.l {
            alpha[shrunk.perm[p]] = shrunk.alpha[p];
        }
        let y: Vec<f64> = positive.iter().map(|&p| if p { 1.0 } else { -1.0 }).collect();
        let (mut up, mut low) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for t in 0..shrunk.l {
            let mut g = -1.0;
            for s in 0..shrunk.l {
                let d2: f64 = data[t].iter().zip(&data[s]).map(|(a, b)| (a - b) * (a - b)).sum();
                g += y[t] * y[s] * alpha[s] * (-gamma * d2).exp();
            }
            let (at_c, at_0) = (alpha[t] >= 1.0, alpha[t] <= 0.0);
            if (y[t] > 0.0 && !at_c) || (y[t] < 0.0 && !at_0) {
                up = up.max(-y[t] * g);
            }
            if (y[t] > 0.0 && !at_0) || (y[t] < 0.0 && !at_c) {
                low = low.max(y[t] * g);
            }
        }
        assert!(up + low < EPS * 1.001, "violation {}", up + low);
    }

    /// After a pass of swaps, every cached row holds the kernel values of
    /// the points now at its positions.
    #[test]
    fn cached_rows_follow_swapped_points() {
        let (data, _) = overlapping(300, 8);
        let rows: Vec<&[f64]> = data.iter().map(Vec::as_slice).collect();
        let mut kernel = Kernel::new(&rows, 0.3, 1 << 20);
        // Rows computed to 320, 128, 32, 64, 320 and 224 entries (whole blocks).
        for (i, len) in [(0, 300), (5, 100), (7, 20), (40, 64), (299, 300), (150, 200)] {
            kernel.row(i, len);
        }
        let swaps = [(40, 250), (50, 120), (64, 299), (33, 34)];
        let mut at: Vec<usize> = (0..300).collect();
        for &(i, j) in &swaps {
            kernel.swap(i, j);
            at.swap(i, j);
        }
        kernel.reorder_rows(&swaps);
        let moved: Vec<&[f64]> = at.iter().map(|&i| rows[i]).collect();
        let mut fresh = Kernel::new(&moved, 0.3, 1 << 20);
        assert!(!kernel.cache.is_empty());
        for (&p, row) in &kernel.cache.clone() {
            assert_eq!(row[..], fresh.row(p, row.len())[..], "row at {p}");
        }
        // Computed within some swap's (i, j]: rows 5, 40 and 150 are dropped;
        // row 0 swaps entries, row 7 (32 entries) is untouched, and the row
        // of the point at 299 moves to 64.
        let mut kept: Vec<usize> = kernel.cache.keys().copied().collect();
        kept.sort_unstable();
        assert_eq!(kept, vec![0, 7, 64]);
        assert_eq!(kernel.order.len(), 3);
    }

    #[test]
    fn weighted_sums_are_sums_of_rows() {
        let (data, _) = overlapping(200, 3);
        let rows: Vec<&[f64]> = data.iter().map(Vec::as_slice).collect();
        let mut kernel = Kernel::new(&rows, 0.4, 1 << 20);
        let weights = [(3, 0.5), (17, -1.25), (150, 2.0)];
        for (from, to) in [(0, 200), (37, 101), (64, 65)] {
            let got = kernel.weighted_sums(&weights, from, to);
            assert_eq!(got.len(), to - from);
            for (t, g) in (from..to).zip(got) {
                let want: f64 = weights.iter().map(|&(s, w)| w * kernel.row(s, 200)[t]).sum();
                assert!((g - want).abs() <= 1e-12, "t = {t}: {g} vs {want}");
            }
        }
    }

    /// Split scans find what one scan finds, ties included (the last).
    #[test]
    fn split_scans_keep_the_sequential_answer() {
        let mut rng = imbalanced_random::SamplerRng::new(imbalanced_random::RngKind::Default, 2);
        let n = 3 * PARALLEL_FROM + 123;
        // Few distinct values: many ties, across the pieces' edges too.
        let v: Vec<f64> = (0..n).map(|_| rng.randint(50) as f64).collect();
        let scan = |range: std::ops::Range<usize>, best: &mut (f64, usize)| {
            for t in range {
                if v[t] >= best.0 {
                    *best = (v[t], t);
                }
            }
        };
        let mut one = (f64::NEG_INFINITY, usize::MAX);
        scan(0..n, &mut one);
        assert_eq!(over_active(n, (f64::NEG_INFINITY, usize::MAX), scan, last_max), one);
        assert_eq!(one.0, 49.0);
        // The same for the smallest value, through select's other merge.
        let scan_min = |range: std::ops::Range<usize>, best: &mut (f64, usize)| {
            for t in range {
                if v[t] <= best.0 {
                    *best = (v[t], t);
                }
            }
        };
        let mut one = (f64::INFINITY, usize::MAX);
        scan_min(0..n, &mut one);
        assert_eq!(over_active(n, (f64::INFINITY, usize::MAX), scan_min, last_min), one);
        assert_eq!(one.0, 0.0);
    }

    #[test]
    fn gamma_scale_is_one_over_d_times_variance() {
        let x = array![[0.0, 2.0], [2.0, 0.0]];
        assert!((gamma_scale(x.view()) - 0.5).abs() < 1e-12);
    }
}
