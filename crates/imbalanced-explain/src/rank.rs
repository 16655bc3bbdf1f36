//! Rank agreement between two attribution vectors: how far the ranking of
//! features moved.
//!
//! [`weighted_tau`]: Vigna's weighted Kendall tau (WWW 2015) as
//! `scipy.stats.weightedtau` computes it (hyperbolic weights `1 / (r + 1)`,
//! additive, the mean of the two rankings; tested against scipy).

/// `scipy.stats._stats._weightedrankedtau` for float data, `rank=None`,
/// the hyperbolic weigher, additive: the ranking by decreasing `(x, y)`.
fn weighted_ranked_tau(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    // np.lexsort((y, x)): by x, then y; stable; -0.0 equal to 0.0, as NumPy compares.
    let cmp = |a: f64, b: f64| a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal);
    let mut perm: Vec<usize> = (0..n).collect();
    perm.sort_by(|&a, &b| cmp(x[a], x[b]).then(cmp(y[a], y[b])));
    let mut rank = vec![0usize; n];
    for (i, &p) in perm.iter().rev().enumerate() {
        rank[p] = i;
    }
    let weigh_one = |i: usize| 1.0 / (1.0 + rank[i] as f64);
    // Ties: runs of equal keys by `same`, each adding `s * (run - 1)`.
    let ties = |perm: &[usize], same: &dyn Fn(usize, usize) -> bool| -> (f64, usize) {
        let (mut first, mut total) = (0, 0.0);
        let mut s = weigh_one(perm[0]);
        for i in 1..n {
            if !same(perm[first], perm[i]) {
                total += s * (i - first - 1) as f64;
                first = i;
                s = 0.0;
            }
            s += weigh_one(perm[i]);
        }
        (total + s * (n - first - 1) as f64, first)
    };
    let (t, _) = ties(&perm, &|a, b| x[a] == x[b] && y[a] == y[b]);
    let (u, first) = ties(&perm, &|a, b| x[a] == x[b]);
    if first == 0 {
        return f64::NAN;
    }
    let mut temp = vec![0usize; n];
    let mut exchanges = 0.0;
    weigh(&mut perm, &mut temp, 0, n, y, &weigh_one, &mut exchanges);
    let (v, first) = ties(&perm, &|a, b| y[a] == y[b]);
    if first == 0 {
        return f64::NAN;
    }
    let s: f64 = perm.iter().map(|&p| weigh_one(p)).sum();
    let tot = s * (n - 1) as f64;
    let tau = ((tot - (v + u - t)) - 2.0 * exchanges) / (tot - u).sqrt() / (tot - v).sqrt();
    tau.clamp(-1.0, 1.0)
}

/// scipy's merge sort of `perm[offset..offset + length]` by `y`, adding
/// the weight of each exchange; returns the section's total weight.
fn weigh(
    perm: &mut [usize],
    temp: &mut [usize],
    offset: usize,
    length: usize,
    y: &[f64],
    weigher: &dyn Fn(usize) -> f64,
    exchanges: &mut f64,
) -> f64 {
    if length == 1 {
        return weigher(perm[offset]);
    }
    let length0 = length / 2;
    let length1 = length - length0;
    let middle = offset + length0;
    let mut residual = weigh(perm, temp, offset, length0, y, weigher, exchanges);
    let weight = weigh(perm, temp, middle, length1, y, weigher, exchanges) + residual;
    if y[perm[middle - 1]] < y[perm[middle]] {
        return weight;
    }
    let (mut i, mut j, mut k) = (0, 0, 0);
    while j < length0 && k < length1 {
        if y[perm[offset + j]] <= y[perm[middle + k]] {
            temp[i] = perm[offset + j];
            residual -= weigher(temp[i]);
            j += 1;
        } else {
            temp[i] = perm[middle + k];
            *exchanges += weigher(temp[i]) * (length0 - j) as f64 + residual;
            k += 1;
        }
        i += 1;
    }
    perm.copy_within(offset + j..offset + length0, offset + i);
    perm[offset..offset + i].copy_from_slice(&temp[..i]);
    weight
}

/// `scipy.stats.weightedtau(x, y)` (defaults: `rank=True`, hyperbolic
/// weigher, additive): the mean of the weighted tau ranked by `x` and by
/// `y`; 1 for the same ranking, NaN when either vector is constant (or
/// holds NaN, or the lengths differ).
pub fn weighted_tau(x: &[f64], y: &[f64]) -> f64 {
    if x.len() != y.len() || x.is_empty() || x.iter().chain(y).any(|v| v.is_nan()) {
        return f64::NAN;
    }
    (weighted_ranked_tau(x, y) + weighted_ranked_tau(y, x)) / 2.0
}
