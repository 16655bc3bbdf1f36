//! Counting the indexed points that come before a limit, with early exit.
//!
//! Edited Nearest Neighbours asks, for each row, whether any of its `k`
//! nearest neighbours has another class. Knowing the nearest row of another
//! class (a search over the other classes only), that is whether fewer than
//! `k + 1` rows of the same class (the row itself included) come before it.
//! Counting stops at `k + 1`, which on typical data happens after a small
//! share of the points: far cheaper than every row's full neighbour list.

use ndarray::s;
use rayon::prelude::*;

use crate::int8::{expand_hits, QueryCodes, Sides, MAX_SPAN, ROWS};
use crate::KnnIndex;

/// Query rows per parallel task.
const BLOCK: usize = 256;

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
        let groups = codes.groups();
        let per_block: Vec<Vec<usize>> = (0..n.div_ceil(BLOCK))
            .into_par_iter()
            .map(|b| {
                let b0 = b * BLOCK;
                let q = self.data.slice(s![b0..(b0 + BLOCK).min(n), ..]);
                let q = q.as_standard_layout();
                let qs = q.as_slice().expect("standard layout");
                let qc = codes.queries(q.view(), self.mean.view());
                // Eight slots scan the groups round and round; a row leaves its
                // slot when it reaches `cap` or has seen every group, and the
                // next row of the block takes the slot where the scan stands.
                let mut slots = QueryCodes::empty_chunk(codes.quads());
                let mut row_of = [usize::MAX; ROWS];
                let (mut count, mut seen) = ([0usize; ROWS], [0usize; ROWS]);
                let mut t_row = [i32::MIN; ROWS];
                let mut next = 0;
                let mut out = vec![0; q.nrows()];
                let (mut hits, mut pairs, mut exact) = (Vec::new(), Vec::new(), Vec::new());
                let mut g = 0;
                loop {
                    for r in 0..ROWS {
                        if row_of[r] != usize::MAX && (count[r] >= cap || seen[r] >= groups) {
                            out[row_of[r]] = count[r];
                            row_of[r] = usize::MAX;
                            t_row[r] = i32::MIN;
                        }
                        if row_of[r] == usize::MAX && next < q.nrows() {
                            slots.copy_row(r, &qc, next, codes.quads());
                            (row_of[r], count[r], seen[r]) = (next, 0, 0);
                            t_row[r] = if cap > 0 {
                                codes.bound(limits[b0 + next].0, qc.error[next] + codes.max_error)
                            } else {
                                i32::MIN
                            };
                            next += 1;
                        }
                    }
                    if row_of.iter().all(|&r| r == usize::MAX) {
                        break;
                    }
                    let span = g..(g + MAX_SPAN).min(groups);
                    g = if span.end == groups { 0 } else { span.end };
                    hits.clear();
                    codes.scan(Sides::Queries(&slots), 0, &t_row, span.clone(), None, &mut hits);
                    pairs.clear();
                    expand_hits(
                        &hits,
                        0,
                        |r, p| (p < n && t_row[r] != i32::MIN).then_some((r, p)),
                        &mut pairs,
                    );
                    self.exact_pairs(&pairs, |r| &qs[row_of[r] * d..(row_of[r] + 1) * d], &mut exact);
                    for (&(r, p), &d2) in pairs.iter().zip(&exact) {
                        let (limit, limit_rank) = limits[b0 + row_of[r]];
                        if count[r] < cap && (d2 < limit || (d2 == limit && rank[p] < limit_rank)) {
                            count[r] += 1;
                        }
                    }
                    for r in 0..ROWS {
                        if row_of[r] != usize::MAX {
                            seen[r] += span.len();
                            if count[r] >= cap {
                                t_row[r] = i32::MIN;
                            }
                        }
                    }
                }
                out
            })
            .collect();
        Some(per_block.concat())
    }
}
