//! Exact k-nearest-neighbour search under the Euclidean distance.
//!
//! One engine serves every sampler. It is a blocked brute force: for a block
//! of queries and a block of points, one GEMM gives `|q|² + |x|² - 2 q·x` for
//! all pairs; that cheap, slightly inexact value only *prunes*. A pair that
//! may enter the current top k is re-measured exactly as `Σ (q_j - x_j)²` in
//! the column order, the same sum scikit-learn's KD-tree computes, so results
//! (distances, and the order of near-ties) agree with scikit-learn's exactly.
//!
//! Ties are broken by the lower point index. Each query's answer depends only
//! on the data, never on blocking or thread count, so results are identical
//! on any number of threads.
//!
//! On CPUs with AVX-512 VNNI the pruning scores come from 8-bit codes
//! instead of the f32 GEMM (see `int8.rs`); the exact re-measure is the same,
//! so both give the same answer.
//!
//! Why not a crate: kiddo's kd-tree neither breaks ties by index nor
//! computes distances in scikit-learn's summation order, and linfa-nn is
//! 3-25x slower than this (see `../shared/design/STACK.md`).

mod claims;
mod count;
mod int8;
pub mod simd;
mod symmetric;

use std::sync::atomic::{AtomicBool, Ordering};

use ndarray::{linalg::general_mat_mul, s, Array1, Array2, ArrayView2, Axis};
use rayon::prelude::*;

pub use claims::PointLimits;
use int8::{Codes, Sides, LANES, ROWS};

/// Errors of a neighbour query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NeighborsError {
    #[error("asked for {k} neighbours but only {n} points are indexed: use a smaller k or more samples")]
    TooFewPoints { k: usize, n: usize },
    #[error("queries have {query} features but the indexed points have {data}")]
    DimensionMismatch { query: usize, data: usize },
    #[error("k must be at least 1")]
    ZeroK,
    #[error("row {row} asked for, but there are only {n} rows")]
    RowOutOfRange { row: usize, n: usize },
    #[error("{bounds} bounds for {queries} queries: give one per query")]
    BoundsMismatch { bounds: usize, queries: usize },
}

/// The answer to a k-NN query: for query `i`, `indices[[i, r]]` is its
/// `r`-th nearest point (0 = nearest) and `distances[[i, r]]` its Euclidean
/// distance.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbors {
    pub indices: Array2<usize>,
    pub distances: Array2<f64>,
}

/// Queries per block: the GEMM's `m`.
const QUERY_BLOCK: usize = 256;
/// Points per block: the GEMM's `n`; a 256 x 1024 f32 block of scores fits L2.
const POINT_BLOCK: usize = 1024;

/// How candidate pairs are found before their exact measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kernel {
    /// 8-bit codes where the CPU has AVX-512 VNNI and the data at most 1024
    /// columns, else the f32 GEMM. The default.
    #[default]
    Auto,
    /// The f32 GEMM everywhere.
    Gemm,
}

/// When more than this share of the pairs of a block were candidates that
/// entered no list, the codes prune poorly on this data (a few huge values
/// make the code step coarse): later blocks use the GEMM.
const POOR_PRUNING: f64 = 0.05;

/// An index over a set of points (rows of a matrix).
pub struct KnnIndex<'a> {
    data: ArrayView2<'a, f64>,
    mean: Array1<f64>,
    /// Per point: `-2 (x - mean)` and, last, `|x - mean|^2 (1 - tol)`, in f32,
    /// so that one f32 GEMM with `[q - mean, 1]` gives each pair's pruning
    /// score. Built on first use: with the 8-bit codes it is never needed.
    scored: std::sync::OnceLock<Array2<f32>>,
    /// Relative error bound of the f32 score (see [`KnnIndex::query_block`]).
    tol: f64,
    /// 8-bit codes of the points, where they serve.
    codes: Option<Codes>,
    /// Set once a block found the codes pruning poorly.
    poor: AtomicBool,
}

/// Squared Euclidean distance summed in column order (scikit-learn's `rdist`).
#[inline]
pub fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = 0.0;
    for (x, y) in a.iter().zip(b) {
        let d = x - y;
        acc += d * d;
    }
    acc
}

/// [`squared_distance`] of four pairs at once: four independent sums, each
/// in column order (bit-equal to four calls), which the CPU overlaps.
#[inline]
fn squared_distances4(a: [&[f64]; 4], b: [&[f64]; 4]) -> [f64; 4] {
    // Every slice cut to one length, so that the loop needs no bounds checks.
    let n = a[0].len();
    let (a, b) = (a.map(|s| &s[..n]), b.map(|s| &s[..n]));
    let mut acc = [0.0; 4];
    for t in 0..n {
        for l in 0..4 {
            let d = a[l][t] - b[l][t];
            acc[l] += d * d;
        }
    }
    acc
}

/// Inserts `(d, i)` into the sorted list `(d2, idx)` (distance², index;
/// ties by lower index) if it beats the last entry, dropping that entry;
/// says whether it did. Empty slots hold `(inf, usize::MAX)`. A shift in
/// place: lists are short, and this runs for every candidate pair.
#[inline]
fn insert_sorted(d2: &mut [f64], idx: &mut [usize], d: f64, i: usize) -> bool {
    let last = d2.len() - 1;
    if d > d2[last] || (d == d2[last] && i > idx[last]) {
        return false;
    }
    let mut at = last;
    while at > 0 && (d2[at - 1] > d || (d2[at - 1] == d && idx[at - 1] > i)) {
        d2[at] = d2[at - 1];
        idx[at] = idx[at - 1];
        at -= 1;
    }
    d2[at] = d;
    idx[at] = i;
    true
}

/// One query's best `k` (distance², index) pairs so far, sorted.
struct TopK {
    d2: Vec<f64>,
    idx: Vec<usize>,
}

impl TopK {
    fn new(k: usize) -> Self {
        TopK {
            d2: vec![f64::INFINITY; k],
            idx: vec![usize::MAX; k],
        }
    }

    /// The k-th distance², infinite while the list is short.
    #[inline]
    fn worst(&self) -> f64 {
        self.d2[self.d2.len() - 1]
    }

    /// Whether fewer than `k` pairs were pushed.
    fn is_short(&self) -> bool {
        self.idx[self.idx.len() - 1] == usize::MAX
    }

    /// Inserts `(d, i)` if it is among the best `k`; says whether it was.
    #[inline]
    fn push(&mut self, d: f64, i: usize) -> bool {
        insert_sorted(&mut self.d2, &mut self.idx, d, i)
    }
}

impl<'a> KnnIndex<'a> {
    /// Indexes the rows of `data`. Costs one pass over the data.
    pub fn new(data: ArrayView2<'a, f64>) -> Self {
        Self::with_kernel(data, Kernel::Auto)
    }

    /// Indexes the rows of `data`, finding candidates with `kernel`.
    pub fn with_kernel(data: ArrayView2<'a, f64>, kernel: Kernel) -> Self {
        let (n, d) = data.dim();
        let mean = if n > 0 {
            data.mean_axis(Axis(0)).expect("non-empty")
        } else {
            Array1::zeros(d)
        };
        // The f32 score |x|^2 - 2 q.x differs from the exact |q - x|^2 - |q|^2 by
        // at most a few (d + 2) f32 roundings of |q|^2 + |x|^2; 4 (d + 4) eps is a
        // safe margin. Centring shrinks the norms, hence the margin.
        let tol = 4.0 * (d as f64 + 4.0) * f32::EPSILON as f64;
        let codes = (kernel == Kernel::Auto && d <= int8::MAX_DIM && n > 0 && int8::available())
            .then(|| Codes::new(data, mean.view()));
        KnnIndex {
            data,
            mean,
            scored: std::sync::OnceLock::new(),
            tol,
            codes,
            poor: AtomicBool::new(false),
        }
    }

    /// The points' GEMM scoring rows (see the field), built on first use.
    fn scored(&self) -> &Array2<f32> {
        self.scored.get_or_init(|| {
            let (n, d) = self.data.dim();
            let mut scored = Array2::<f32>::zeros((n, d + 1));
            for (i, row) in self.data.rows().into_iter().enumerate() {
                let mut norm = 0.0;
                for j in 0..d {
                    let c = row[j] - self.mean[j];
                    norm += c * c;
                    scored[(i, j)] = (-2.0 * c) as f32;
                }
                scored[(i, d)] = (norm * (1.0 - self.tol)) as f32;
            }
            scored
        })
    }

    /// The codes, unless absent or found to prune poorly.
    fn live_codes(&self) -> Option<&Codes> {
        self.codes.as_ref().filter(|_| !self.poor.load(Ordering::Relaxed))
    }

    /// Records how well the codes pruned a block of `pairs` pairs, of which
    /// `wasted` were measured exactly for nothing.
    fn record_pruning(&self, wasted: usize, pairs: usize) {
        if pairs >= 1 << 16 && wasted as f64 > POOR_PRUNING * pairs as f64 {
            self.poor.store(true, Ordering::Relaxed);
        }
    }

    /// Exact squared distances of the pairs `(query row, point)`, where
    /// `query(r)` is a query row: in fours while the data is contiguous.
    fn exact_pairs<'q>(&self, pairs: &[(usize, usize)], query: impl Fn(usize) -> &'q [f64], out: &mut Vec<f64>) {
        out.clear();
        let Some(x) = self.data.as_slice() else {
            let mut buf = vec![0.0; self.data.ncols()];
            out.extend(pairs.iter().map(|&(r, i)| self.exact(query(r), i, &mut buf)));
            return;
        };
        let d = self.data.ncols();
        let row = |i: usize| &x[i * d..(i + 1) * d];
        for p in pairs.chunks(4) {
            // A short last chunk repeats its last pair.
            let at = |l: usize| p[l.min(p.len() - 1)];
            let four = squared_distances4(
                [query(at(0).0), query(at(1).0), query(at(2).0), query(at(3).0)],
                [row(at(0).1), row(at(1).1), row(at(2).1), row(at(3).1)],
            );
            out.extend_from_slice(&four[..p.len()]);
        }
    }

    /// Exact squared distance of `q` to indexed point `i` (`buf`: scratch).
    #[inline]
    fn exact(&self, q: &[f64], i: usize, buf: &mut [f64]) -> f64 {
        let x = self.data.row(i);
        match x.as_slice() {
            Some(xs) => squared_distance(q, xs),
            None => {
                buf.iter_mut().zip(x).for_each(|(p, &v)| *p = v);
                squared_distance(q, buf)
            }
        }
    }

    /// Number of indexed points.
    pub fn len(&self) -> usize {
        self.data.nrows()
    }

    /// Whether no point is indexed.
    pub fn is_empty(&self) -> bool {
        self.data.nrows() == 0
    }

    /// The `k` nearest indexed points of every row of `queries`, nearest
    /// first, ties by lower index. A query that is itself an indexed point
    /// finds itself at distance 0 (drop it as scikit-learn users do, with
    /// [`Neighbors::without_first`]).
    pub fn query(&self, queries: ArrayView2<'_, f64>, k: usize) -> Result<Neighbors, NeighborsError> {
        self.query_with(Queries::All(queries), k, None)
    }

    /// [`KnnIndex::query`] of rows `rows` of `source` (in that order),
    /// without copying them all first: each block of queries is gathered
    /// when it is searched.
    pub fn query_rows(
        &self,
        source: ArrayView2<'_, f64>,
        rows: &[usize],
        k: usize,
    ) -> Result<Neighbors, NeighborsError> {
        check_rows(rows, source.nrows())?;
        self.query_with(Queries::Picked(source, rows), k, None)
    }

    /// [`KnnIndex::query`] for queries whose `k`-th nearest point is known
    /// to lie within `bounds[i]` (Euclidean), say the distance to `k`
    /// points already known: the search starts from that radius instead of
    /// warming its lists up, which saves most exact measures. The answer is
    /// the same; a bound that is too small costs a second search of that
    /// query, never a wrong answer. Lloyd's k-means steps search this way
    /// from each point's previous centre.
    pub fn query_bounded(
        &self,
        queries: ArrayView2<'_, f64>,
        k: usize,
        bounds: &[f64],
    ) -> Result<Neighbors, NeighborsError> {
        if bounds.len() != queries.nrows() {
            return Err(NeighborsError::BoundsMismatch {
                bounds: bounds.len(),
                queries: queries.nrows(),
            });
        }
        // Squared and widened a little: the caller's distance is a rounded
        // square root of the exact measure it must admit.
        let bounds: Vec<f64> = bounds.iter().map(|b| b * b * (1.0 + 1e-12)).collect();
        self.query_with(Queries::All(queries), k, Some(&bounds))
    }

    /// Up to `k` nearest indexed points of each row of `queries` among
    /// those within `bounds[i]` (Euclidean, inclusive): `(index, squared
    /// distance)`, nearest first, ties by lower index; fewer, or none,
    /// where fewer lie within. For a search split over several indexes
    /// (chunks of a larger table), each searched only as far as the answer
    /// so far reaches. `k` may exceed the points indexed.
    pub fn query_within(
        &self,
        queries: ArrayView2<'_, f64>,
        k: usize,
        bounds: &[f64],
    ) -> Result<Vec<Vec<(usize, f64)>>, NeighborsError> {
        if bounds.len() != queries.nrows() {
            return Err(NeighborsError::BoundsMismatch {
                bounds: bounds.len(),
                queries: queries.nrows(),
            });
        }
        let k = k.min(self.len());
        if k == 0 {
            return Ok(vec![Vec::new(); queries.nrows()]);
        }
        let bounds: Vec<f64> = bounds.iter().map(|b| b * b * (1.0 + 1e-12)).collect();
        let tops = self.tops(Queries::All(queries), k, Some(&bounds), false)?;
        Ok(tops
            .into_iter()
            .map(|top| {
                top.idx
                    .into_iter()
                    .zip(top.d2)
                    .take_while(|&(i, _)| i != usize::MAX)
                    .collect()
            })
            .collect())
    }

    fn query_with(&self, queries: Queries<'_>, k: usize, bounds: Option<&[f64]>) -> Result<Neighbors, NeighborsError> {
        let tops = self.tops(queries, k, bounds, true)?;
        let nq = tops.len();
        let mut indices = Array2::zeros((nq, k));
        let mut distances = Array2::zeros((nq, k));
        for (r, top) in tops.into_iter().enumerate() {
            for (c, (d2, i)) in top.d2.into_iter().zip(top.idx).enumerate() {
                indices[(r, c)] = i;
                distances[(r, c)] = d2.sqrt();
            }
        }
        Ok(Neighbors { indices, distances })
    }

    /// Each query's top `k` within its bound (squared); with `refill`, a
    /// list the bound left short is searched again without one.
    fn tops(
        &self,
        queries: Queries<'_>,
        k: usize,
        bounds: Option<&[f64]>,
        refill: bool,
    ) -> Result<Vec<TopK>, NeighborsError> {
        if k == 0 {
            return Err(NeighborsError::ZeroK);
        }
        if k > self.len() {
            return Err(NeighborsError::TooFewPoints { k, n: self.len() });
        }
        if queries.ncols() != self.data.ncols() {
            return Err(NeighborsError::DimensionMismatch {
                query: queries.ncols(),
                data: self.data.ncols(),
            });
        }
        let nq = queries.len();
        let blocks: Vec<Vec<TopK>> = (0..nq.div_ceil(QUERY_BLOCK))
            .into_par_iter()
            .map(|b| {
                let rows = b * QUERY_BLOCK..((b + 1) * QUERY_BLOCK).min(nq);
                let q = queries.block(rows.clone());
                let q = q.view();
                let bounds = bounds.map(|all| &all[rows]);
                let mut tops = match self.live_codes() {
                    Some(codes) => self.query_block_codes(codes, q, k, bounds),
                    None => self.query_block(q, k, bounds),
                };
                // A bound below the k-th distance left a list short: search again.
                for (r, top) in tops.iter_mut().enumerate().filter(|(_, t)| refill && t.is_short()) {
                    let one = q.slice(s![r..r + 1, ..]);
                    *top = match self.live_codes() {
                        Some(codes) => self.query_block_codes(codes, one, k, None),
                        None => self.query_block(one, k, None),
                    }
                    .remove(0);
                }
                tops
            })
            .collect();
        Ok(blocks.into_iter().flatten().collect())
    }

    /// Queries for the f32 GEMM scores: rows `[q - mean, 1]`, and `|q - mean|²`.
    fn gemm_queries(&self, q: ArrayView2<'_, f64>) -> (Array2<f32>, Vec<f64>) {
        let (b, d) = q.dim();
        let mut qaug = Array2::<f32>::ones((b, d + 1));
        let mut norms = vec![0.0f64; b];
        for (r, row) in q.rows().into_iter().enumerate() {
            for j in 0..d {
                let c = row[j] - self.mean[j];
                norms[r] += c * c;
                qaug[(r, j)] = c as f32;
            }
        }
        (qaug, norms)
    }

    /// Top-k lists of a block of queries. A pair is measured exactly only if
    /// its f32 score `g = |x|^2 (1 - tol) - 2 q.x` could place it in the
    /// current top k: `|q - x|^2 >= |q|^2 (1 - tol) + g`, so a pair with
    /// `g > bound - |q|^2 (1 - tol)` is provably farther than the k-th best.
    /// `bounds`: squared distances beyond which no point is wanted.
    fn query_block(&self, q: ArrayView2<'_, f64>, k: usize, bounds: Option<&[f64]>) -> Vec<TopK> {
        let (b, d) = q.dim();
        let (qaug, q_norms) = self.gemm_queries(q);
        let q_rows: Vec<Vec<f64>> = q.rows().into_iter().map(|r| r.to_vec()).collect();
        let mut tops: Vec<TopK> = (0..b).map(|_| TopK::new(k)).collect();
        let mut gram = Array2::<f32>::zeros((b, POINT_BLOCK.min(self.len())));
        let mut point = vec![0.0; d];
        for start in (0..self.len()).step_by(POINT_BLOCK) {
            let end = (start + POINT_BLOCK).min(self.len());
            let xb = self.scored().slice(s![start..end, ..]);
            let mut g = gram.slice_mut(s![.., ..end - start]);
            general_mat_mul(1.0, &qaug, &xb.t(), 0.0, &mut g);
            for (r, top) in tops.iter_mut().enumerate() {
                let shift = q_norms[r] * (1.0 - self.tol);
                let cap = bounds.map_or(f64::INFINITY, |b| b[r]);
                let mut thr = top.worst().min(cap) - shift;
                let row = g.row(r);
                let row = row.as_slice().expect("a fresh row-major block");
                for (chunk_no, chunk) in row.chunks(LANES).enumerate() {
                    // Rounded up, so the f32 test never rejects what the f64 one keeps.
                    let thr32 = (thr as f32).next_up();
                    if !chunk.iter().fold(false, |any, &v| any | (v <= thr32)) {
                        continue;
                    }
                    for (o, &v) in chunk.iter().enumerate() {
                        if (v as f64) > thr {
                            continue;
                        }
                        let i = start + chunk_no * LANES + o;
                        let d2 = self.exact(&q_rows[r], i, &mut point);
                        if d2 <= cap {
                            top.push(d2, i);
                        }
                        thr = top.worst().min(cap) - shift;
                    }
                }
            }
        }
        tops
    }

    /// [`KnnIndex::query_block`] with candidates from the 8-bit codes.
    fn query_block_codes(&self, codes: &Codes, q: ArrayView2<'_, f64>, k: usize, bounds: Option<&[f64]>) -> Vec<TopK> {
        let (b, n) = (q.nrows(), self.len());
        let qc = codes.queries(q, self.mean.view());
        let q_rows: Vec<Vec<f64>> = q.rows().into_iter().map(|r| r.to_vec()).collect();
        let slack: Vec<f64> = qc.error.iter().map(|e| e + codes.max_error).collect();
        let mut tops: Vec<TopK> = (0..b).map(|_| TopK::new(k)).collect();
        let padded = b.div_ceil(ROWS) * ROWS;
        // Padding rows get a threshold no score reaches.
        let cap = |r: usize| bounds.map_or(f64::INFINITY, |b| b[r]);
        let mut t_row: Vec<i32> = (0..padded)
            .map(|r| if r < b { codes.bound(cap(r), slack[r]) } else { i32::MIN })
            .collect();
        let (mut pairs, mut exact) = (Vec::new(), Vec::new());
        let mut wasted = 0;
        let mut hits = Vec::new();
        for span in int8::spans(0, codes.groups()) {
            for r0 in (0..padded).step_by(ROWS) {
                let tr: &[i32; ROWS] = t_row[r0..r0 + ROWS].try_into().expect("ROWS thresholds");
                hits.clear();
                codes.scan(Sides::Queries(&qc), r0, tr, span.clone(), None, &mut hits);
                pairs.clear();
                int8::expand_hits(&hits, r0, |row, i| (i < n && row < b).then_some((row, i)), &mut pairs);
                self.exact_pairs(&pairs, |r| &q_rows[r], &mut exact);
                for (&(row, i), &d2) in pairs.iter().zip(&exact) {
                    wasted += usize::from(d2 > cap(row) || !tops[row].push(d2, i));
                }
                for r in (r0..r0 + ROWS).filter(|&r| r < b) {
                    t_row[r] = codes.bound(tops[r].worst().min(cap(r)), slack[r]);
                }
            }
        }
        self.record_pruning(wasted, b * n);
        tops
    }
}

/// Every row number in `rows` is below `n`.
fn check_rows(rows: &[usize], n: usize) -> Result<(), NeighborsError> {
    match rows.iter().find(|&&r| r >= n) {
        Some(&row) => Err(NeighborsError::RowOutOfRange { row, n }),
        None => Ok(()),
    }
}

/// The query rows of a search.
#[derive(Clone, Copy)]
enum Queries<'q> {
    /// Every row of a matrix.
    All(ArrayView2<'q, f64>),
    /// The given rows of a matrix (checked to exist).
    Picked(ArrayView2<'q, f64>, &'q [usize]),
}

impl Queries<'_> {
    fn len(&self) -> usize {
        match self {
            Queries::All(q) => q.nrows(),
            Queries::Picked(_, rows) => rows.len(),
        }
    }

    fn ncols(&self) -> usize {
        match self {
            Queries::All(q) | Queries::Picked(q, _) => q.ncols(),
        }
    }

    /// Query rows `range`: a view, or a copy of the picked rows.
    fn block(&self, range: std::ops::Range<usize>) -> ndarray::CowArray<'_, f64, ndarray::Ix2> {
        match self {
            Queries::All(q) => q.slice(s![range, ..]).into(),
            Queries::Picked(q, rows) => q.select(Axis(0), &rows[range]).into(),
        }
    }
}

impl Neighbors {
    /// The same neighbours without the first column: how imbalanced-learn
    /// excludes a point from its own neighbourhood (query `k + 1`, drop the
    /// nearest, which is the point itself unless it has an exact duplicate
    /// of lower index).
    pub fn without_first(&self) -> Neighbors {
        Neighbors {
            indices: self.indices.slice(s![.., 1..]).to_owned(),
            distances: self.distances.slice(s![.., 1..]).to_owned(),
        }
    }
}

/// The `k` nearest neighbours of every row of `data` among the other rows,
/// as imbalanced-learn computes them (`kneighbors(X, k + 1)[:, 1:]`).
pub fn self_neighbors(data: ArrayView2<'_, f64>, k: usize) -> Result<Neighbors, NeighborsError> {
    if k + 1 > data.nrows() {
        return Err(NeighborsError::TooFewPoints {
            k: k + 1,
            n: data.nrows(),
        });
    }
    let all: Vec<usize> = (0..data.nrows()).collect();
    Ok(KnnIndex::new(data).query_points(&all, k + 1)?.without_first())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use proptest::prelude::*;

    /// Uniform numbers in [0, 1), reproducible from `seed`: test data.
    fn uniform(seed: u64) -> impl FnMut() -> f64 {
        let mut rng = imbalanced_random::SamplerRng::new(imbalanced_random::RngKind::Default, seed);
        move || rng.random()
    }

    /// `n x d` test data from `next`: uniform in [0, 1), or on the grid
    /// {0, 1, 2, 3} (many exact ties).
    fn sample_data(next: &mut impl FnMut() -> f64, n: usize, d: usize, grid: bool) -> Array2<f64> {
        Array2::from_shape_fn((n, d), |_| {
            let u = next();
            if grid {
                (u * 4.0).floor()
            } else {
                u
            }
        })
    }

    fn naive(data: ArrayView2<f64>, q: ArrayView2<f64>, k: usize) -> Vec<Vec<(f64, usize)>> {
        q.rows()
            .into_iter()
            .map(|qr| {
                let mut all: Vec<(f64, usize)> = data
                    .rows()
                    .into_iter()
                    .enumerate()
                    .map(|(i, x)| (squared_distance(qr.as_slice().unwrap(), &x.to_vec()), i))
                    .collect();
                all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                all.truncate(k);
                all
            })
            .collect()
    }

    #[test]
    fn ties_go_to_the_lower_index() {
        let data = array![[0.0], [1.0], [-1.0], [1.0]];
        let nn = KnnIndex::new(data.view()).query(array![[0.0]].view(), 3).unwrap();
        assert_eq!(nn.indices.row(0).to_vec(), vec![0, 1, 2]);
        assert_eq!(nn.distances.row(0).to_vec(), vec![0.0, 1.0, 1.0]);
    }

    #[test]
    fn self_neighbors_drop_the_point_itself() {
        let data = array![[0.0, 0.0], [0.0, 1.0], [5.0, 5.0]];
        let nn = self_neighbors(data.view(), 1).unwrap();
        assert_eq!(nn.indices.column(0).to_vec(), vec![1, 0, 1]);
    }

    /// One huge value makes the code step coarse: the search stays exact and
    /// notices that the codes prune poorly, and later blocks use the GEMM.
    #[test]
    fn poor_pruning_falls_back_to_the_gemm() {
        if !int8::available() {
            return;
        }
        let mut data = Array2::from_shape_fn((3000, 4), |(i, j)| ((i * 7 + j * 13) % 101) as f64 / 101.0);
        data[(0, 0)] = 1e12;
        let index = KnnIndex::new(data.view());
        assert!(index.live_codes().is_some());
        let got = index.query(data.view(), 3).unwrap();
        assert!(index.live_codes().is_none(), "the codes should have been judged poor");
        assert_eq!(
            got,
            KnnIndex::with_kernel(data.view(), Kernel::Gemm)
                .query(data.view(), 3)
                .unwrap()
        );
        let fine = Array2::from_shape_fn((3000, 4), |(i, j)| ((i * 7 + j * 13) % 101) as f64 / 101.0);
        let index = KnnIndex::new(fine.view());
        index.query(fine.view(), 3).unwrap();
        assert!(index.live_codes().is_some(), "well-spread data prunes well");
    }

    #[test]
    fn bad_queries_are_errors() {
        let data = array![[0.0], [1.0]];
        let idx = KnnIndex::new(data.view());
        assert_eq!(
            idx.query(data.view(), 3),
            Err(NeighborsError::TooFewPoints { k: 3, n: 2 })
        );
        assert_eq!(idx.query(data.view(), 0), Err(NeighborsError::ZeroK));
        assert_eq!(
            idx.query_points(&[0, 5], 1),
            Err(NeighborsError::RowOutOfRange { row: 5, n: 2 })
        );
        assert_eq!(
            idx.query_rows(array![[0.5], [2.0], [3.0]].view(), &[2, 3], 1),
            Err(NeighborsError::RowOutOfRange { row: 3, n: 3 })
        );
        assert_eq!(
            idx.query_bounded(data.view(), 1, &[1.0]),
            Err(NeighborsError::BoundsMismatch { bounds: 1, queries: 2 })
        );
        assert!(matches!(
            idx.query(array![[0.0, 1.0]].view(), 1),
            Err(NeighborsError::DimensionMismatch { .. })
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn matches_naive_search(
            n in 1usize..700,
            d in 1usize..6,
            k in 1usize..8,
            seed in 0u64..1000,
            offset in -1e4f64..1e4,
            grid in proptest::bool::ANY,
        ) {
            let k = k.min(n);
            // Seeded data; a grid produces many exact ties.
            let mut next = uniform(seed);
            let data = sample_data(&mut next, n, d, grid) + offset;
            let want = naive(data.view(), data.view(), k);
            let mut answers = Vec::new();
            for kernel in [Kernel::Gemm, Kernel::Auto] {
                let index = KnnIndex::with_kernel(data.view(), kernel);
                let got = index.query(data.view(), k).unwrap();
                for (i, w) in want.iter().enumerate() {
                    let gi: Vec<usize> = got.indices.row(i).to_vec();
                    let wi: Vec<usize> = w.iter().map(|x| x.1).collect();
                    prop_assert_eq!(gi, wi);
                }
                prop_assert_eq!(index.query_self(k).unwrap(), got.clone());
                // Subsets of the points, through either search.
                for step in [1, 2, 3] {
                    let rows: Vec<usize> = (0..n).step_by(step).collect();
                    let sub = index.query_points(&rows, k).unwrap();
                    prop_assert_eq!(&sub.indices, &got.indices.select(Axis(0), &rows));
                    prop_assert_eq!(&sub.distances, &got.distances.select(Axis(0), &rows));
                    // Rows of another matrix, in any order (here reversed).
                    let back: Vec<usize> = rows.iter().rev().copied().collect();
                    let picked = index.query_rows(data.view(), &back, k).unwrap();
                    prop_assert_eq!(picked, index.query(data.select(Axis(0), &back).view(), k).unwrap());
                }
                answers.push(got);
            }
            // Distances too, bit for bit, whichever kernel found the candidates.
            prop_assert_eq!(&answers[0], &answers[1]);
        }

        /// Bounded queries give the plain answer, whether the bounds hold
        /// (the distance to some k points), are loose, or are too small.
        #[test]
        fn bounded_queries_match_plain_ones(
            n in 1usize..600,
            d in 1usize..6,
            k in 1usize..5,
            seed in 0u64..1000,
            grid in proptest::bool::ANY,
            scale in prop_oneof![Just(0.5f64), Just(1.0), Just(3.0)],
        ) {
            let k = k.min(n);
            let mut next = uniform(seed);
            let data = sample_data(&mut next, n, d, grid);
            let queries = Array2::from_shape_fn((n.min(300), d), |_| next() * 1.2 - 0.1);
            for kernel in [Kernel::Gemm, Kernel::Auto] {
                let index = KnnIndex::with_kernel(data.view(), kernel);
                let want = index.query(queries.view(), k).unwrap();
                // The farthest of k arbitrary points bounds the k-th distance; scaled.
                let bounds: Vec<f64> = queries
                    .rows()
                    .into_iter()
                    .map(|q| {
                        (0..k)
                            .map(|j| squared_distance(&q.to_vec(), &data.row((j * 7 + 3) % n).to_vec()).sqrt())
                            .fold(0.0, f64::max)
                            * scale
                    })
                    .collect();
                prop_assert_eq!(index.query_bounded(queries.view(), k, &bounds).unwrap(), want);
            }
        }

        /// `query_within` gives the naive scan's `k` nearest cut at the
        /// bound (inclusive), with either kernel; `k` may exceed the points.
        #[test]
        fn queries_within_bounds_match_a_naive_scan(
            n in 1usize..600,
            d in 1usize..6,
            k in 1usize..8,
            seed in 0u64..1000,
            grid in proptest::bool::ANY,
        ) {
            let mut next = uniform(seed);
            let data = sample_data(&mut next, n, d, grid);
            let queries = Array2::from_shape_fn((n.min(200), d), |_| if grid { (next() * 4.0).floor() } else { next() });
            // Some bounds zero, some infinite, most the distance to a random point (ties on the grid).
            let bounds: Vec<f64> = queries
                .rows()
                .into_iter()
                .enumerate()
                .map(|(r, q)| match r % 5 {
                    0 => 0.0,
                    1 => f64::INFINITY,
                    _ => squared_distance(&q.to_vec(), &data.row((next() * n as f64) as usize).to_vec()).sqrt(),
                })
                .collect();
            let all = naive(data.view(), queries.view(), n);
            for kernel in [Kernel::Gemm, Kernel::Auto] {
                let index = KnnIndex::with_kernel(data.view(), kernel);
                let got = index.query_within(queries.view(), k, &bounds).unwrap();
                for (r, found) in got.iter().enumerate() {
                    let want: Vec<(usize, f64)> = all[r]
                        .iter()
                        .filter(|(d2, _)| d2.sqrt() <= bounds[r])
                        .take(k)
                        .map(|&(d2, i)| (i, d2))
                        .collect();
                    prop_assert_eq!(found, &want);
                }
            }
        }

        /// `closer_than` finds what a naive scan finds, with either kernel.
        #[test]
        fn closer_than_matches_a_naive_scan(
            n in 1usize..700,
            d in 1usize..6,
            seed in 0u64..1000,
            grid in proptest::bool::ANY,
            n_queries in 1usize..12,
        ) {
            let mut next = uniform(seed);
            let data = sample_data(&mut next, n, d, grid);
            let queries: Vec<usize> = (0..n_queries).map(|_| (next() * n as f64) as usize).collect();
            for kernel in [Kernel::Gemm, Kernel::Auto] {
                let index = KnnIndex::with_kernel(data.view(), kernel);
                let mut limits = index.limits(f64::INFINITY);
                for p in 0..n {
                    // Some limits infinite, some zero, most the distance to a random point.
                    let v = match p % 7 {
                        0 => f64::INFINITY,
                        1 => 0.0,
                        _ => squared_distance(&data.row(p).to_vec(), &data.row((next() * n as f64) as usize).to_vec()),
                    };
                    limits.set(p, v);
                }
                let got = index.closer_than(&queries, &limits);
                for (t, &q) in queries.iter().enumerate() {
                    let want: Vec<(usize, f64)> = (0..n)
                        .map(|p| (p, squared_distance(&data.row(q).to_vec(), &data.row(p).to_vec())))
                        .filter(|&(p, d2)| d2 < limits.get(p))
                        .collect();
                    prop_assert_eq!(&got[t], &want);
                }
            }
        }

        /// `count_before` counts what a naive scan counts, ties by rank included.
        #[test]
        fn counting_matches_a_naive_count(
            n in 1usize..500,
            d in 1usize..8,
            seed in 0u64..1000,
            cap in 0usize..6,
        ) {
            let mut next = uniform(seed);
            let data = Array2::from_shape_fn((n, d), |_| (next() * 4.0).floor());
            let rank: Vec<usize> = (0..n).map(|i| (i * 7919) % n).collect();
            let limits: Vec<(f64, usize)> = (0..n)
                .map(|i| {
                    let j = (next() * n as f64) as usize;
                    let row = |r: usize| data.row(r).to_vec();
                    (squared_distance(&row(i), &row(j)), (next() * n as f64) as usize)
                })
                .collect();
            let index = KnnIndex::new(data.view());
            let Some(got) = index.count_before(&limits, &rank, cap) else {
                // Without AVX-512 VNNI there is no counting search.
                return Ok(());
            };
            for i in 0..n {
                let want = (0..n)
                    .filter(|&p| {
                        let d2 = squared_distance(&data.row(i).to_vec(), &data.row(p).to_vec());
                        d2 < limits[i].0 || (d2 == limits[i].0 && rank[p] < limits[i].1)
                    })
                    .count()
                    .min(cap);
                prop_assert_eq!(got[i], want, "point {}", i);
            }
            prop_assert!(index.count_before(&limits[1..], &rank, cap).is_none());
        }

        /// Queries outside the data's range (their codes clamp) and data
        /// with one huge value (a coarse code step) are still answered exactly.
        #[test]
        fn far_queries_and_outliers_stay_exact(
            n in 2usize..400,
            d in 1usize..24,
            seed in 0u64..1000,
            far in 1.0f64..1e6,
        ) {
            let mut next = uniform(seed);
            let mut data = Array2::from_shape_fn((n, d), |_| next());
            let queries = Array2::from_shape_fn((7, d), |(i, _)| next() * far * if i % 2 == 0 { 1.0 } else { -1.0 });
            for kind in [false, true] {
                if kind {
                    data[(n / 2, 0)] = far * 1e3;
                }
                let k = 3.min(n);
                let auto = KnnIndex::new(data.view());
                let gemm = KnnIndex::with_kernel(data.view(), Kernel::Gemm);
                prop_assert_eq!(auto.query(queries.view(), k).unwrap(), gemm.query(queries.view(), k).unwrap());
                prop_assert_eq!(auto.query_self(k).unwrap(), gemm.query_self(k).unwrap());
                let want = naive(data.view(), queries.view(), k);
                let got = auto.query(queries.view(), k).unwrap();
                for (i, w) in want.iter().enumerate() {
                    prop_assert_eq!(got.indices.row(i).to_vec(), w.iter().map(|x| x.1).collect::<Vec<_>>());
                }
            }
        }
    }
}
