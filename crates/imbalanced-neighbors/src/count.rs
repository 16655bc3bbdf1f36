//! Counting the indexed points that come before a limit, with early exit.
//!
//! Edited Nearest Neighbours asks, for each row, whether any of its `k`
//! nearest neighbours has another class. Knowing the nearest row of another
//! class (a search over the other classes only), that is whether fewer than
//! `k + 1` rows of the same class (the row itself included) come before it.
//! Counting stops at `k + 1`, which on typical data happens after a small
//! share of the points: far cheaper than every row's full neighbour list.

use rayon::prelude::*;

use crate::int8::{expand_hits, Sides, MAX_SPAN, ROWS};
use crate::KnnIndex;

/// Query rows per parallel task.
const BLOCK: usize = 256;

/// The rows `rows` of `x`, in that order.
fn take_rows(x: ndarray::ArrayView2<'_, f64>, rows: &[usize]) -> ndarray::Array2<f64> {
    x.select(ndarray::Axis(0), rows)
}

impl KnnIndex<'_> {
    /// For every indexed point `i`, how many indexed points `p` (itself
    /// included) come before `limits[i]` in the order of (squared distance
    /// to `i`, `rank[p]`), counting up to `cap`. `rank` breaks distance ties
    /// (e.g. the points' row numbers in a larger table) and `limits[i]` is a
    /// (squared distance, rank) pair.
    ///
    /// Needs the 8-bit codes (see [`crate::Kernel`]):
    /// `None` where they are absent or prune poorly, or for limits and ranks
    /// of another length, and the caller takes another route.
    pub fn count_before(&self, limits: &[(f64, usize)], rank: &[usize], cap: usize) -> Option<Vec<usize>> {
        let codes = self.live_codes()?;
        let (n, d) = self.data.dim();
        if limits.len() != n || rank.len() != n {
            return None;
        }
        // Rows whose limit is near stop late, far ones early: scanning rows
        // of similar limits together keeps a chunk from waiting on one slow row.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| limits[a].0.total_cmp(&limits[b].0).then(a.cmp(&b)));
        let per_block: Vec<Vec<(usize, usize)>> = order
            .par_chunks(BLOCK)
            .map(|block| {
                let q = take_rows(self.data, block);
                let qs = q.as_slice().expect("a fresh row-major array");
                let qc = codes.queries(q.view(), self.mean.view());
                let (mut hits, mut pairs, mut exact) = (Vec::new(), Vec::new(), Vec::new());
                let mut out = Vec::with_capacity(block.len());
                for (c, chunk) in block.chunks(ROWS).enumerate() {
                    let r0 = c * ROWS;
                    let mut count = [0usize; ROWS];
                    // A row is open while it has not reached `cap`; others get a
                    // threshold no score reaches.
                    let mut t_row = [i32::MIN; ROWS];
                    for (r, &i) in chunk.iter().enumerate() {
                        if cap > 0 {
                            t_row[r] = codes.bound(limits[i].0, qc.error[r0 + r] + codes.max_error);
                        }
                    }
                    let mut g = 0;
                    while g < codes.groups() && t_row.iter().any(|&t| t != i32::MIN) {
                        let span = g..(g + MAX_SPAN).min(codes.groups());
                        g = span.end;
                        hits.clear();
                        codes.scan(Sides::Queries(&qc), r0, &t_row, span, None, &mut hits);
                        pairs.clear();
                        expand_hits(
                            &hits,
                            0,
                            |r, p| (p < n && t_row[r] != i32::MIN).then_some((r, p)),
                            &mut pairs,
                        );
                        self.exact_pairs(&pairs, |r| &qs[(r0 + r) * d..(r0 + r + 1) * d], &mut exact);
                        for (&(r, p), &d2) in pairs.iter().zip(&exact) {
                            let (limit, limit_rank) = limits[chunk[r]];
                            if t_row[r] != i32::MIN && (d2 < limit || (d2 == limit && rank[p] < limit_rank)) {
                                count[r] += 1;
                                if count[r] >= cap {
                                    t_row[r] = i32::MIN;
                                }
                            }
                        }
                    }
                    out.extend(chunk.iter().zip(count).map(|(&i, c)| (i, c)));
                }
                out
            })
            .collect();
        let mut counts = vec![0; n];
        for (i, c) in per_block.into_iter().flatten() {
            counts[i] = c;
        }
        Some(counts)
    }
}
