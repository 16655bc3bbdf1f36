//! All-points k-NN of the indexed data itself, computing each pair once.
//!
//! Distances are symmetric, so a block pair (I, J) with I <= J updates both
//! the neighbour lists of I's points (rows) and of J's points (columns):
//! half the GEMM work of querying the data against itself. Each worker owns
//! full-size lists; merging them keeps the `k` smallest (distance, index)
//! pairs of the union, which is the exact answer whatever the split, so the
//! result does not depend on the thread count.

use ndarray::{linalg::general_mat_mul, s, Array2, Axis};
use rayon::prelude::*;

use crate::int8::{expand_hits, spans, Codes, Sides, ROWS};
use crate::{check_rows, insert_sorted, squared_distance, KnnIndex, Neighbors, NeighborsError};

/// Rows per block: the GEMM's `m`.
const BLOCK: usize = 256;
/// Columns per GEMM: a 256 x 1024 f32 block of scores (1 MiB) stays in L2.
const COLUMNS: usize = 256;
const LANES: usize = 16;

/// Per point, its best `k` (distance², index) pairs so far, sorted; empty
/// slots hold (inf, usize::MAX).
struct Lists {
    k: usize,
    d2: Vec<f64>,
    idx: Vec<usize>,
    /// With codes: per point (padded to whole groups) the code threshold of
    /// its list; padding points never take candidates.
    bound: Vec<i32>,
}

impl Lists {
    fn new(n: usize, k: usize, codes: Option<&Codes>) -> Self {
        let bound = match codes {
            Some(c) => (0..c.groups() * LANES)
                .map(|p| if p < n { c.bound(f64::INFINITY, 0.0) } else { i32::MIN })
                .collect(),
            None => Vec::new(),
        };
        Lists {
            k,
            d2: vec![f64::INFINITY; n * k],
            idx: vec![usize::MAX; n * k],
            bound,
        }
    }

    #[inline]
    fn worst(&self, p: usize) -> f64 {
        self.d2[p * self.k + self.k - 1]
    }

    /// Inserts `(d, i)` into point `p`'s list if it is among the best `k`;
    /// says whether it was.
    #[inline]
    fn push(&mut self, p: usize, d: f64, i: usize) -> bool {
        let at = p * self.k..(p + 1) * self.k;
        insert_sorted(&mut self.d2[at.clone()], &mut self.idx[at], d, i)
    }
}

impl KnnIndex<'_> {
    /// The `k` nearest indexed points of the indexed points `rows`, each
    /// finding itself first (unless it has a duplicate of lower index):
    /// `query(data[rows], k)`, through [`KnnIndex::query_self`] where that
    /// is faster. `query_self` measures each pair once, but each of its
    /// workers warms up a list for every point, which costs more as `k`
    /// grows: on the 20-feature benchmark data (2 threads) it wins up to
    /// k = 6 at 100k points and up to k = 4 at 5k points, when at least
    /// half the points are asked about.
    pub fn query_points(&self, rows: &[usize], k: usize) -> Result<Neighbors, NeighborsError> {
        let n = self.len();
        check_rows(rows, n)?;
        let every = rows.len() == n && rows.iter().enumerate().all(|(i, &r)| i == r);
        let symmetric = k <= 4 || (k <= 6 && n >= 50_000);
        if !symmetric || 2 * rows.len() < n {
            return if every {
                self.query(self.data, k)
            } else {
                self.query_rows(self.data, rows, k)
            };
        }
        let all = self.query_self(k)?;
        if every {
            return Ok(all);
        }
        Ok(Neighbors {
            indices: all.indices.select(Axis(0), rows),
            distances: all.distances.select(Axis(0), rows),
        })
    }

    /// The `k` nearest indexed points of every indexed point, itself
    /// included: the same answer as `query(data, k)` on the indexed data,
    /// for about half the arithmetic.
    pub fn query_self(&self, k: usize) -> Result<Neighbors, NeighborsError> {
        let n = self.len();
        if k == 0 {
            return Err(NeighborsError::ZeroK);
        }
        if k > n {
            return Err(NeighborsError::TooFewPoints { k, n });
        }
        let blocks = n.div_ceil(BLOCK);
        let workers = rayon::current_num_threads().clamp(1, blocks);
        let parts: Vec<Lists> = (0..workers)
            .into_par_iter()
            .map(|w| {
                let mut lists = Lists::new(n, k, self.codes.as_ref());
                for bi in (w..blocks).step_by(workers) {
                    match self.live_codes() {
                        Some(codes) => self.row_block_codes(codes, bi, &mut lists),
                        None => self.row_block(bi, &mut lists),
                    }
                }
                lists
            })
            .collect();
        let mut indices = Array2::zeros((n, k));
        let mut distances = Array2::zeros((n, k));
        indices
            .axis_iter_mut(Axis(0))
            .into_par_iter()
            .zip(distances.axis_iter_mut(Axis(0)))
            .enumerate()
            .for_each(|(p, (mut ir, mut dr))| {
                let mut all: Vec<(f64, usize)> = parts
                    .iter()
                    .flat_map(|l| (p * k..p * k + k).map(move |s| (l.d2[s], l.idx[s])))
                    .collect();
                all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                for (c, (d2, i)) in all.into_iter().take(k).enumerate() {
                    ir[c] = i;
                    dr[c] = d2.sqrt();
                }
            });
        Ok(Neighbors { indices, distances })
    }

    /// [`KnnIndex::row_block`] with candidates from the 8-bit codes.
    fn row_block_codes(&self, codes: &Codes, bi: usize, lists: &mut Lists) {
        let n = self.len();
        let r0 = bi * BLOCK;
        let r1 = (r0 + BLOCK).min(n);
        let slack = 2.0 * codes.max_error;
        let rows: Vec<Vec<f64>> = (r0..r1).map(|i| self.data.row(i).to_vec()).collect();
        let (mut pairs, mut exact) = (Vec::new(), Vec::new());
        let mut wasted = 0;
        let mut hits = Vec::new();
        for span in spans(r0 / LANES, codes.groups()) {
            for rr in (r0..r1).step_by(ROWS) {
                let t_row: [i32; ROWS] = lists.bound[rr..rr + ROWS].try_into().expect("ROWS thresholds");
                hits.clear();
                codes.scan(Sides::Points, rr, &t_row, span.clone(), Some(&lists.bound), &mut hits);
                pairs.clear();
                expand_hits(
                    &hits,
                    rr,
                    |i, j| (i < r1 && j >= i && j < n).then_some((i - r0, j)),
                    &mut pairs,
                );
                // Measured after each row chunk, so that the columns' lists
                // (new to this worker at first) tighten before the next chunk.
                self.exact_pairs(&pairs, |r| &rows[r], &mut exact);
                for (&(r, j), &d2) in pairs.iter().zip(&exact) {
                    let i = r0 + r;
                    // A threshold costs a square root: only lists that
                    // changed get a new one.
                    let mut entered = lists.push(i, d2, j);
                    if entered {
                        lists.bound[i] = codes.bound(lists.worst(i), slack);
                    }
                    if j != i && lists.push(j, d2, i) {
                        lists.bound[j] = codes.bound(lists.worst(j), slack);
                        entered = true;
                    }
                    wasted += usize::from(!entered);
                }
            }
        }
        self.record_pruning(wasted, (r1 - r0) * (n - r0));
    }

    /// The pairs (i, j >= i) of the rows `i` of block `bi`.
    fn row_block(&self, bi: usize, lists: &mut Lists) {
        #[cfg(target_arch = "x86_64")]
        if crate::simd::avx2_fma() {
            // SAFETY: the CPU supports the features the function is compiled for.
            return unsafe { self.row_block_avx2(bi, lists) };
        }
        self.row_block_impl(bi, lists)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn row_block_avx2(&self, bi: usize, lists: &mut Lists) {
        self.row_block_impl(bi, lists)
    }

    #[inline(always)]
    fn row_block_impl(&self, bi: usize, lists: &mut Lists) {
        let n = self.len();
        let d = self.data.ncols();
        let r0 = bi * BLOCK;
        let r1 = (r0 + BLOCK).min(n);
        let rows: Vec<Vec<f64>> = (r0..r1).map(|i| self.data.row(i).to_vec()).collect();
        let mut qaug = Array2::<f32>::ones((r1 - r0, d + 1));
        let mut shift = vec![0.0f64; r1 - r0];
        for (r, row) in rows.iter().enumerate() {
            let mut norm = 0.0;
            for j in 0..d {
                let c = row[j] - self.mean[j];
                norm += c * c;
                qaug[(r, j)] = c as f32;
            }
            shift[r] = norm * (1.0 - self.tol);
        }
        let mut gram = Array2::<f32>::zeros((r1 - r0, COLUMNS));
        let mut col = vec![0.0; d];
        let mut colw = [f64::INFINITY; COLUMNS];
        for c0 in (r0..n).step_by(COLUMNS) {
            let c1 = (c0 + COLUMNS).min(n);
            let mut g = gram.slice_mut(s![.., ..c1 - c0]);
            general_mat_mul(1.0, &qaug, &self.scored().slice(s![c0..c1, ..]).t(), 0.0, &mut g);
            for (c, w) in colw.iter_mut().enumerate() {
                *w = if c0 + c < c1 {
                    lists.worst(c0 + c)
                } else {
                    f64::NEG_INFINITY
                };
            }
            for r in 0..r1 - r0 {
                let i = r0 + r;
                let row = g.row(r);
                let row = row.as_slice().expect("a fresh row-major block");
                // Only pairs (i, j >= i).
                let first = i.saturating_sub(c0);
                for (ch, chunk) in row.chunks(LANES).enumerate() {
                    let base = ch * LANES;
                    if base + LANES <= first {
                        continue;
                    }
                    // A pair is a candidate if its lower bound beats the row's or the
                    // column's current k-th distance; the bound (see `query_block`) is
                    // the f32 score plus the row's shift.
                    let mut mask = candidates(chunk, &colw[base..base + chunk.len()], shift[r], lists.worst(i));
                    while mask != 0 {
                        let o = mask.trailing_zeros() as usize;
                        mask &= mask - 1;
                        let c = base + o;
                        if c < first {
                            continue;
                        }
                        let j = c0 + c;
                        let score = chunk[o] as f64 + shift[r];
                        let for_row = score <= lists.worst(i);
                        let for_col = j != i && score <= lists.worst(j);
                        if !for_row && !for_col {
                            continue;
                        }
                        let x = self.data.row(j);
                        let exact = match x.as_slice() {
                            Some(xs) => squared_distance(&rows[r], xs),
                            None => {
                                col.iter_mut().zip(x).for_each(|(p, &v)| *p = v);
                                squared_distance(&rows[r], &col)
                            }
                        };
                        if for_row {
                            lists.push(i, exact, j);
                            if (c0..c1).contains(&i) {
                                colw[i - c0] = lists.worst(i);
                            }
                        }
                        if for_col {
                            lists.push(j, exact, i);
                            colw[c] = lists.worst(j);
                        }
                    }
                }
            }
        }
    }
}

/// Bit `o` set if `chunk[o] + shift <= max(row_worst, col_worst[o])`.
#[inline(always)]
fn candidates(chunk: &[f32], col_worst: &[f64], shift: f64, row_worst: f64) -> u32 {
    let mut mask = 0u32;
    for (o, (&v, &w)) in chunk.iter().zip(col_worst).enumerate() {
        mask |= u32::from(v as f64 + shift <= row_worst.max(w)) << o;
    }
    mask
}
