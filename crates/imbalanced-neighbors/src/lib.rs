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
//! Why not a crate: kiddo's kd-tree neither breaks ties by index nor
//! computes distances in scikit-learn's summation order, and linfa-nn is
//! 3-25x slower than this (see `../shared/design/STACK.md`).

mod symmetric;

use ndarray::{linalg::general_mat_mul, s, Array1, Array2, ArrayView2, Axis};
use rayon::prelude::*;

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

/// An index over a set of points (rows of a matrix).
pub struct KnnIndex<'a> {
    data: ArrayView2<'a, f64>,
    mean: Array1<f64>,
    /// Per point: `-2 (x - mean)` and, last, `|x - mean|^2 (1 - tol)`, in f32,
    /// so that one f32 GEMM with `[q - mean, 1]` gives each pair's pruning score.
    scored: Array2<f32>,
    /// Relative error bound of the f32 score (see [`KnnIndex::query_block`]).
    tol: f64,
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

/// A sorted list of the best `k` (distance², index) pairs seen so far.
struct TopK {
    k: usize,
    items: Vec<(f64, usize)>,
}

impl TopK {
    fn new(k: usize) -> Self {
        TopK {
            k,
            items: Vec::with_capacity(k + 1),
        }
    }

    #[inline]
    fn worst(&self) -> f64 {
        if self.items.len() < self.k {
            f64::INFINITY
        } else {
            self.items[self.k - 1].0
        }
    }

    #[inline]
    fn push(&mut self, d: f64, i: usize) {
        let full = self.items.len() == self.k;
        if full {
            let (wd, wi) = self.items[self.k - 1];
            if d > wd || (d == wd && i > wi) {
                return;
            }
        }
        let pos = self.items.partition_point(|&(x, j)| x < d || (x == d && j < i));
        self.items.insert(pos, (d, i));
        if full {
            self.items.pop();
        }
    }
}

impl<'a> KnnIndex<'a> {
    /// Indexes the rows of `data`. Costs one pass over the data.
    pub fn new(data: ArrayView2<'a, f64>) -> Self {
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
        let mut scored = Array2::<f32>::zeros((n, d + 1));
        for (i, row) in data.rows().into_iter().enumerate() {
            let mut norm = 0.0;
            for j in 0..d {
                let c = row[j] - mean[j];
                norm += c * c;
                scored[(i, j)] = (-2.0 * c) as f32;
            }
            scored[(i, d)] = (norm * (1.0 - tol)) as f32;
        }
        KnnIndex {
            data,
            mean,
            scored,
            tol,
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
        let nq = queries.nrows();
        let mut indices = Array2::zeros((nq, k));
        let mut distances = Array2::zeros((nq, k));
        indices
            .axis_chunks_iter_mut(Axis(0), QUERY_BLOCK)
            .into_par_iter()
            .zip(distances.axis_chunks_iter_mut(Axis(0), QUERY_BLOCK))
            .enumerate()
            .for_each(|(b, (mut idx_out, mut dist_out))| {
                let start = b * QUERY_BLOCK;
                let q = queries.slice(s![start..start + idx_out.nrows(), ..]);
                let tops = self.query_block(q, k);
                for (r, top) in tops.into_iter().enumerate() {
                    for (c, (d2, i)) in top.items.into_iter().enumerate() {
                        idx_out[(r, c)] = i;
                        dist_out[(r, c)] = d2.sqrt();
                    }
                }
            });
        Ok(Neighbors { indices, distances })
    }

    /// Top-k lists of a block of queries. A pair is measured exactly only if
    /// its f32 score `g = |x|^2 (1 - tol) - 2 q.x` could place it in the
    /// current top k: `|q - x|^2 >= |q|^2 (1 - tol) + g`, so a pair with
    /// `g > bound - |q|^2 (1 - tol)` is provably farther than the k-th best.
    fn query_block(&self, q: ArrayView2<'_, f64>, k: usize) -> Vec<TopK> {
        let (b, d) = q.dim();
        let mut qaug = Array2::<f32>::ones((b, d + 1));
        let mut q_norms = vec![0.0f64; b];
        for (r, row) in q.rows().into_iter().enumerate() {
            for j in 0..d {
                let c = row[j] - self.mean[j];
                q_norms[r] += c * c;
                qaug[(r, j)] = c as f32;
            }
        }
        let q_rows: Vec<Vec<f64>> = q.rows().into_iter().map(|r| r.to_vec()).collect();
        let mut tops: Vec<TopK> = (0..b).map(|_| TopK::new(k)).collect();
        let mut gram = Array2::<f32>::zeros((b, POINT_BLOCK.min(self.len())));
        let mut point = vec![0.0; d];
        for start in (0..self.len()).step_by(POINT_BLOCK) {
            let end = (start + POINT_BLOCK).min(self.len());
            let xb = self.scored.slice(s![start..end, ..]);
            let mut g = gram.slice_mut(s![.., ..end - start]);
            general_mat_mul(1.0, &qaug, &xb.t(), 0.0, &mut g);
            for (r, top) in tops.iter_mut().enumerate() {
                let shift = q_norms[r] * (1.0 - self.tol);
                let mut thr = top.worst() - shift;
                let row = g.row(r);
                let row = row.as_slice().expect("a fresh row-major block");
                const LANES: usize = 16;
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
                        let x = self.data.row(i);
                        let exact = match x.as_slice() {
                            Some(xs) => squared_distance(&q_rows[r], xs),
                            None => {
                                point.iter_mut().zip(x).for_each(|(p, &v)| *p = v);
                                squared_distance(&q_rows[r], &point)
                            }
                        };
                        top.push(exact, i);
                        thr = top.worst() - shift;
                    }
                }
            }
        }
        tops
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
    Ok(KnnIndex::new(data).query_self(k + 1)?.without_first())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use proptest::prelude::*;

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

    #[test]
    fn bad_queries_are_errors() {
        let data = array![[0.0], [1.0]];
        let idx = KnnIndex::new(data.view());
        assert_eq!(
            idx.query(data.view(), 3),
            Err(NeighborsError::TooFewPoints { k: 3, n: 2 })
        );
        assert_eq!(idx.query(data.view(), 0), Err(NeighborsError::ZeroK));
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
            // A small LCG keeps the data reproducible; a grid produces many exact ties.
            let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let data = Array2::from_shape_fn((n, d), |_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let u = (s >> 11) as f64 / (1u64 << 53) as f64;
                if grid { offset + (u * 4.0).floor() } else { offset + u }
            });
            let index = KnnIndex::new(data.view());
            let got = index.query(data.view(), k).unwrap();
            let want = naive(data.view(), data.view(), k);
            for (i, w) in want.iter().enumerate() {
                let gi: Vec<usize> = got.indices.row(i).to_vec();
                let wi: Vec<usize> = w.iter().map(|x| x.1).collect();
                prop_assert_eq!(gi, wi);
            }
            prop_assert_eq!(index.query_self(k).unwrap(), got);
        }
    }
}
