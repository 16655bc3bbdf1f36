//! Pruning with 8-bit codes on AVX-512 VNNI.
//!
//! Every point (centred as in [`crate::KnnIndex`]) is rounded to integer
//! codes `c = round(x / s)` in [-127, 127], with one scale `s` for all
//! dimensions so that code distances are Euclidean distances. For codes the
//! squared distance `D = |c_q - c_x|²` is exact integer arithmetic, and the
//! rounding errors `e = x - s c` bound the true distance:
//! `|q - x| >= s √D - (|e_q| + |e_x|)`. A pair can enter a top-k list whose
//! k-th distance is `r` only if `D <= ((r + |e_q| + |e_x|) / s)²`; only such
//! candidates are measured exactly (in f64, as the GEMM path does), so the
//! answer is the same exact answer, ties included.
//!
//! Why: on data where trees do not prune (20 dimensions, mostly noise) the
//! search is n² pair scores. One VNNI instruction scores 16 pairs on 4
//! dimensions, four times what an f32 FMA does, and the scores never leave
//! the registers (no score matrix to write and scan).
//!
//! The scan keeps a threshold per list; a stale (larger) threshold only
//! admits extra candidates, which the exact test then rejects.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use ndarray::{ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

/// Points per SIMD group (i32 lanes of a 512-bit register).
pub(crate) const LANES: usize = 16;
/// Query rows scored together against one group of points.
pub(crate) const ROWS: usize = 8;
/// Most point groups one scan covers: 32 groups of 20-dimensional codes
/// (10 KiB) stay in L1 while every row chunk passes over them.
pub(crate) const MAX_SPAN: usize = 32;

/// The group ranges of a scan from `first` to `end`: short while the lists
/// are young (their thresholds are read once per range), doubling to
/// `MAX_SPAN`.
pub(crate) fn spans(first: usize, end: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    let mut at = first;
    let mut width = 1;
    std::iter::from_fn(move || {
        (at < end).then(|| {
            let r = at..(at + width).min(end);
            at = r.end;
            width = (width * 2).min(MAX_SPAN);
            r
        })
    })
}
/// Thresholds never exceed this, so that no score of a padding point or
/// query (far above it) is ever a candidate.
const LIMIT: i32 = i32::MAX / 4;
/// Widest data the codes serve: keeps every score far from i32 overflow.
pub(crate) const MAX_DIM: usize = 1024;

/// [`Codes::bound`] for codes of step `1 / inv_scale`. A multiplication
/// rather than a division: thresholds are recomputed on every list change
/// (the 1e-9 margin below covers the reciprocal's rounding).
#[inline]
pub(crate) fn bound(inv_scale: f64, kth2: f64, slack: f64) -> i32 {
    if !kth2.is_finite() {
        return LIMIT;
    }
    let t = (kth2.sqrt() + slack) * inv_scale;
    let t = t * t * (1.0 + 1e-9);
    if t >= (LIMIT - 2) as f64 {
        LIMIT
    } else {
        // Truncation + 2 >= ceil + 1: one code unit of margin.
        t as i32 + 2
    }
}

/// Whether this CPU runs the kernel.
pub(crate) fn available() -> bool {
    crate::simd::avx512_vnni()
}

/// The codes of the indexed points.
pub(crate) struct Codes {
    /// Distance per code step.
    scale: f64,
    /// `1 / scale`.
    inv_scale: f64,
    /// Groups of 4 dimensions per point (the last padded with zeros).
    quads: usize,
    /// Per group of 16 points, per quad: 16 lanes of 4 codes + 128 (u8).
    packed: Vec<u8>,
    /// Per point (padded to whole groups): `ceil(|c|² / 2)`; padding: far above any limit.
    half_norm: Vec<i32>,
    /// Per point, as a query: its negated codes, 4 per u32 (i8 each), laid
    /// out as [`put_query_quads`] writes them.
    quad_codes: Vec<u32>,
    /// Per point, as a query: `|c|² + 256 Σc`.
    query_shift: Vec<i32>,
    /// Largest rounding error |e| of any point.
    pub(crate) max_error: f64,
}

/// The codes of a block of query rows (padded to whole `ROWS`).
pub(crate) struct QueryCodes {
    quads: Vec<u32>,
    shift: Vec<i32>,
    /// Each query's rounding error |e_q| (its coordinates may lie outside
    /// the data's range; clamped codes just have larger errors).
    pub(crate) error: Vec<f64>,
}

impl QueryCodes {
    /// One chunk of `ROWS` query rows, all padding (never candidates while
    /// their thresholds are `i32::MIN`); fill slots with [`QueryCodes::copy_row`].
    pub(crate) fn empty_chunk(quads: usize) -> QueryCodes {
        QueryCodes {
            quads: vec![0; quads * ROWS],
            shift: vec![0; ROWS],
            error: vec![0.0; ROWS],
        }
    }

    /// Puts row `from` of `other` (codes of `quads` quads) into slot `to`
    /// of this one-chunk set.
    pub(crate) fn copy_row(&mut self, to: usize, other: &QueryCodes, from: usize, quads: usize) {
        let (chunk, r) = (from / ROWS, from % ROWS);
        for t in 0..quads {
            self.quads[t * ROWS + to] = other.quads[(chunk * quads + t) * ROWS + r];
        }
        self.shift[to] = other.shift[from];
        self.error[to] = other.error[from];
    }
}

fn code(v: f64, inv_scale: f64) -> i8 {
    // Half away from zero as `f64::round`, by truncation: `round` is a libm
    // call on baseline x86-64 (no SSE4.1). Any rounding would do (so would
    // the reciprocal's): the error bound is measured from the codes chosen.
    let c = (v * inv_scale).clamp(-127.0, 127.0);
    (c + 0.5f64.copysign(c)) as i8
}

/// Codes of one centred row into `codes` (zero-padded to whole groups of
/// 4), with their `|c|² + 256 Σc` and the rounding error |e|; codes of
/// step `scale`, `inv_scale` its reciprocal.
fn row_codes(row: impl Iterator<Item = f64>, (scale, inv_scale): (f64, f64), codes: &mut [i8]) -> (i32, f64) {
    codes.fill(0);
    let (mut norm, mut sum, mut err) = (0i32, 0i32, 0.0f64);
    for (j, c) in row.enumerate() {
        let q = code(c, inv_scale);
        codes[j] = q;
        norm += i32::from(q) * i32::from(q);
        sum += i32::from(q);
        let e = c - scale * f64::from(q);
        err += e * e;
    }
    (norm + 256 * sum, err.sqrt())
}

/// A row's codes as a query: negated (so that the scan's sums count down
/// from half the point's norm), 4 per u32, into row `slot` of `out`, a set
/// of whole chunks of `ROWS` rows laid out `[chunk][quad][row in chunk]`
/// (a scan's broadcasts of one quad sit side by side).
fn put_query_quads(codes: &[i8], slot: usize, out: &mut [u32]) {
    let quads = codes.len() / 4;
    let (chunk, r) = (slot / ROWS, slot % ROWS);
    for (t, b) in codes.chunks_exact(4).enumerate() {
        let neg = |c: i8| c.wrapping_neg() as u8;
        out[(chunk * quads + t) * ROWS + r] = u32::from_le_bytes([neg(b[0]), neg(b[1]), neg(b[2]), neg(b[3])]);
    }
}

impl Codes {
    /// Codes of the rows of `data` minus `mean`.
    pub(crate) fn new(data: ArrayView2<'_, f64>, mean: ArrayView1<'_, f64>) -> Codes {
        let (n, d) = data.dim();
        let quads = d.div_ceil(4);
        // Groups of 16 points per task: a task writes whole blocks of every buffer.
        const MIN_GROUPS: usize = 64;
        let max_abs = data
            .axis_chunks_iter(Axis(0), LANES * MIN_GROUPS)
            .into_par_iter()
            .map(|rows| {
                let mut m = 0.0f64;
                for row in rows.rows() {
                    for (v, c) in row.iter().zip(mean) {
                        m = m.max((v - c).abs());
                    }
                }
                m
            })
            .reduce(|| 0.0, f64::max);
        let scale = if max_abs > 0.0 { max_abs / 127.0 } else { 1.0 };
        let inv_scale = 1.0 / scale;
        let groups = n.div_ceil(LANES);
        let mut packed = vec![128u8; groups * quads * 64];
        let mut half_norm = vec![LIMIT; groups * LANES];
        // Whole groups of query rows too (padding rows are never reported).
        let mut quad_codes = vec![0u32; groups * LANES * quads];
        let mut query_shift = vec![0i32; groups * LANES];
        let max_error = packed
            .par_chunks_mut(quads * 64)
            .zip(half_norm.par_chunks_mut(LANES))
            .zip(quad_codes.par_chunks_mut(LANES * quads))
            .zip(query_shift.par_chunks_mut(LANES))
            .with_min_len(MIN_GROUPS)
            .enumerate()
            .map(|(g, (((packed, half_norm), quad_codes), query_shift))| {
                let mut codes = vec![0i8; quads * 4];
                let mut max_error = 0.0f64;
                for lane in 0..LANES.min(n - g * LANES) {
                    let row = data.row(g * LANES + lane);
                    let (shift, err) =
                        row_codes(row.iter().zip(mean).map(|(v, m)| v - m), (scale, inv_scale), &mut codes);
                    put_query_quads(&codes, lane, quad_codes);
                    query_shift[lane] = shift;
                    max_error = max_error.max(err);
                    for (j, &c) in codes.iter().enumerate() {
                        packed[(j / 4) * 64 + lane * 4 + j % 4] = (i32::from(c) + 128) as u8;
                    }
                    let norm: i32 = codes.iter().map(|&c| i32::from(c) * i32::from(c)).sum();
                    half_norm[lane] = (norm + 1) >> 1;
                }
                max_error
            })
            .reduce(|| 0.0, f64::max);
        Codes {
            scale,
            inv_scale,
            quads,
            packed,
            half_norm,
            quad_codes,
            query_shift,
            max_error: max_error * (1.0 + 1e-12),
        }
    }

    /// Codes of query rows (centred by the caller's `mean`).
    pub(crate) fn queries(&self, q: ArrayView2<'_, f64>, mean: ArrayView1<'_, f64>) -> QueryCodes {
        let rows = q.nrows().div_ceil(ROWS) * ROWS;
        let mut quads = vec![0u32; rows * self.quads];
        let mut shift = vec![0i32; rows];
        let mut error = Vec::with_capacity(q.nrows());
        let mut codes = vec![0i8; self.quads * 4];
        for (i, row) in q.rows().into_iter().enumerate() {
            let (s, e) = row_codes(
                row.iter().zip(mean).map(|(v, m)| v - m),
                (self.scale, self.inv_scale),
                &mut codes,
            );
            put_query_quads(&codes, i, &mut quads);
            shift[i] = s;
            error.push(e * (1.0 + 1e-12));
        }
        QueryCodes { quads, shift, error }
    }

    /// The threshold on `D` for a list whose k-th squared distance is `kth2`,
    /// for pairs whose errors sum to at most `slack`.
    #[inline]
    pub(crate) fn bound(&self, kth2: f64, slack: f64) -> i32 {
        bound(self.inv_scale, kth2, slack)
    }

    /// Code steps per unit of distance.
    pub(crate) fn inv_scale(&self) -> f64 {
        self.inv_scale
    }

    pub(crate) fn quads(&self) -> usize {
        self.quads
    }

    pub(crate) fn groups(&self) -> usize {
        self.half_norm.len() / LANES
    }

    /// Scans query rows `first_row..first_row + ROWS` of `q` (their
    /// thresholds `t_row`) against the point groups `groups` (thresholds
    /// `t_col`, per point, or `None`) and appends to `hits` each group with a
    /// candidate: bit `o` of mask `r` is set when point `16 g + o` is a
    /// candidate for row `r`, `D <= max(t_row[r], t_col[16 g + o])`.
    /// Thresholds are read once per call: callers keep ranges short while
    /// lists are young.
    pub(crate) fn scan(
        &self,
        q: Sides<'_>,
        first_row: usize,
        t_row: &[i32; ROWS],
        groups: std::ops::Range<usize>,
        t_col: Option<&[i32]>,
        hits: &mut Vec<(usize, [u16; ROWS])>,
    ) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Codes` exist only where `available()` said the CPU has the features.
        unsafe {
            self.scan_avx512(q, first_row, t_row, groups, t_col, hits)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (q, first_row, t_row, groups, t_col, hits);
            unreachable!("codes are built only on x86_64 with AVX-512 VNNI")
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    fn scan_avx512(
        &self,
        q: Sides<'_>,
        first_row: usize,
        t_row: &[i32; ROWS],
        groups: std::ops::Range<usize>,
        t_col: Option<&[i32]>,
        hits: &mut Vec<(usize, [u16; ROWS])>,
    ) {
        let quads = self.quads;
        let (q_quads, q_shift) = match q {
            Sides::Points => (&self.quad_codes[..], &self.query_shift[..]),
            Sides::Queries(c) => (&c.quads[..], &c.shift[..]),
        };
        debug_assert_eq!(first_row % ROWS, 0, "rows come in whole chunks");
        let by_quad = &q_quads[first_row * quads..(first_row + ROWS) * quads];
        // With the query's codes negated, a = Σ (-c_q)(c_x + 128) gives
        // D = shift + |c_x|² + 2a (shift = |c_q|² + 256 Σc_q), and
        // ceil(|c_x|² / 2) + a lies in [(D - shift) / 2, (D - shift + 1) / 2].
        // D <= t holds only if that is <= floor((t - shift) / 2) + 1, which is
        // at most max(t_col >> 1, t_row >> 1) - (shift >> 1) + 1; so the sums
        // start from ceil(|c_x|² / 2) + (shift >> 1) - 1 and are compared with
        // max(t_col >> 1, t_row >> 1).
        let start: [__m512i; ROWS] = std::array::from_fn(|r| _mm512_set1_epi32((q_shift[first_row + r] >> 1) - 1));
        let row_half: [__m512i; ROWS] = std::array::from_fn(|r| _mm512_set1_epi32(t_row[r] >> 1));
        for g in groups {
            let block = &self.packed[g * quads * 64..(g + 1) * quads * 64];
            let half = &self.half_norm[g * LANES..(g + 1) * LANES];
            // SAFETY: `half` is 16 readable i32.
            let half = unsafe { _mm512_loadu_si512(half.as_ptr().cast()) };
            let mut acc: [__m512i; ROWS] = std::array::from_fn(|r| _mm512_add_epi32(half, start[r]));
            for (chunk, quad) in block.chunks_exact(64).zip(by_quad.chunks_exact(ROWS)) {
                // SAFETY: `chunk` is 64 readable bytes.
                let x = unsafe { _mm512_loadu_si512(chunk.as_ptr().cast()) };
                for (a, &q) in acc.iter_mut().zip(quad) {
                    *a = _mm512_dpbusd_epi32(*a, x, _mm512_set1_epi32(q as i32));
                }
            }
            let col_half = t_col.map(|t| {
                let t = &t[g * LANES..(g + 1) * LANES];
                // SAFETY: `t` is 16 readable i32.
                _mm512_srai_epi32::<1>(unsafe { _mm512_loadu_si512(t.as_ptr().cast()) })
            });
            let mut masks = [0u16; ROWS];
            let mut any = 0u16;
            for r in 0..ROWS {
                let limit = match col_half {
                    Some(c) => _mm512_max_epi32(c, row_half[r]),
                    None => row_half[r],
                };
                masks[r] = _mm512_cmple_epi32_mask(acc[r], limit);
                any |= masks[r];
            }
            if any != 0 {
                hits.push((g, masks));
            }
        }
    }
}

/// The (row, point) pairs that `hits` of a scan from `first_row` mark,
/// through `keep`, which drops a pair (`None`) or maps it; appended to `pairs`.
pub(crate) fn expand_hits(
    hits: &[(usize, [u16; ROWS])],
    first_row: usize,
    keep: impl Fn(usize, usize) -> Option<(usize, usize)>,
    pairs: &mut Vec<(usize, usize)>,
) {
    for &(g, masks) in hits {
        for (r, &mask) in masks.iter().enumerate() {
            let mut mask = mask;
            while mask != 0 {
                let point = g * LANES + mask.trailing_zeros() as usize;
                mask &= mask - 1;
                pairs.extend(keep(first_row + r, point));
            }
        }
    }
}

/// Whose codes the query rows are: the indexed points' own, or a block of
/// outside queries.
#[derive(Clone, Copy)]
pub(crate) enum Sides<'a> {
    Points,
    Queries(&'a QueryCodes),
}
