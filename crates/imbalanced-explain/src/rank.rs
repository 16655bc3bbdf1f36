//! Rank agreement between two attribution vectors: how far the ranking of
//! features moved.
//!
//! [`weighted_tau`]: Vigna's weighted Kendall tau (WWW 2015) as
//! `scipy.stats.weightedtau` computes it (hyperbolic weights `1 / (r + 1)`,
//! additive, the mean of the two rankings; tested against scipy).
//! [`rank_distance`]: the CIES-style rank-weighted distance (our
//! formulation), with harmonic, DCG or uniform weights.
//! [`rank_biased_overlap`] (Webber et al. 2010) and [`top_k_agreement`].

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

/// Features ranked by decreasing absolute attribution (ties by column):
/// `rank[j]` is feature `j`'s place, 0 the most important.
pub fn importance_ranks(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].abs().total_cmp(&values[a].abs()).then(a.cmp(&b)));
    let mut rank = vec![0; values.len()];
    for (place, &j) in order.iter().enumerate() {
        rank[j] = place;
    }
    rank
}

/// How a rank-weighted distance weighs a feature by its place `r` (0 the
/// most important) in the original ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankWeights {
    /// `1 / (r + 1)`.
    Harmonic,
    /// `1 / log2(r + 2)`, as discounted cumulative gain.
    Dcg,
    /// 1 for every place: the uniform baseline.
    Uniform,
}

impl RankWeights {
    fn weight(self, r: usize) -> f64 {
        match self {
            RankWeights::Harmonic => 1.0 / (r + 1) as f64,
            RankWeights::Dcg => 1.0 / ((r + 2) as f64).log2(),
            RankWeights::Uniform => 1.0,
        }
    }
}

/// A CIES-style rank-weighted distance (our formulation of Vaduva, Oprea &
/// Bara 2026, from its abstract): each feature's displacement between the
/// importance rankings of `original` and `perturbed` attributions,
/// weighted by its original place, over the largest such sum of any
/// ranking: `Σ_j w(r_j) |r_j - s_j| / max_π Σ_r w(r) |r - π(r)|`, in `[0, 1]`,
/// 0 for the same ranking, 1 for the farthest. Changes among the top
/// features count more under harmonic or DCG weights than under uniform
/// ones.
pub fn rank_distance(original: &[f64], perturbed: &[f64], weights: RankWeights) -> f64 {
    let d = original.len();
    if d < 2 || perturbed.len() != d {
        return 0.0;
    }
    let (r, s) = (importance_ranks(original), importance_ranks(perturbed));
    let moved: f64 = (0..d).map(|j| weights.weight(r[j]) * r[j].abs_diff(s[j]) as f64).sum();
    moved / farthest(d, weights)
}

/// The largest weighted displacement of any ranking of `d` places, the
/// assignment of places that maximises `Σ_r w(r) |r - π(r)|` (Hungarian
/// method, O(d³); tested against every permutation of up to 7 places).
fn farthest(d: usize, weights: RankWeights) -> f64 {
    // Minimise the negated gains, 1-based as the classic formulation.
    let cost = |i: usize, j: usize| -weights.weight(i - 1) * (i - 1).abs_diff(j - 1) as f64;
    let (mut u, mut v) = (vec![0.0; d + 1], vec![0.0; d + 1]);
    let (mut p, mut way) = (vec![0usize; d + 1], vec![0usize; d + 1]);
    for i in 1..=d {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![f64::INFINITY; d + 1];
        let mut used = vec![false; d + 1];
        loop {
            used[j0] = true;
            let (i0, mut delta, mut j1) = (p[j0], f64::INFINITY, 0);
            for j in 1..=d {
                if !used[j] {
                    let cur = cost(i0, j) - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=d {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    (1..=d).map(|j| -cost(p[j], j)).sum()
}

/// Rank-biased overlap (Webber, Moffat & Zobel 2010), its extrapolated form
/// (their eq. 32) for two complete rankings of the same features by
/// decreasing |attribution|: `p` the persistence (0.9: the top ten carry
/// most weight); 1 for the same ranking.
pub fn rank_biased_overlap(a: &[f64], b: &[f64], p: f64) -> f64 {
    let k = a.len().min(b.len());
    if k == 0 {
        return f64::NAN;
    }
    let order = |v: &[f64]| {
        let r = importance_ranks(v);
        let mut o = vec![0; r.len()];
        r.iter().enumerate().for_each(|(j, &place)| o[place] = j);
        o
    };
    let (oa, ob) = (order(a), order(b));
    let (mut seen_a, mut seen_b) = (vec![false; a.len()], vec![false; b.len()]);
    let (mut overlap, mut sum) = (0usize, 0.0);
    for depth in 1..=k {
        let (x, y) = (oa[depth - 1], ob[depth - 1]);
        seen_a[x] = true;
        seen_b[y] = true;
        overlap += usize::from(seen_b[x]) + usize::from(seen_a[y] && x != y);
        sum += overlap as f64 / depth as f64 * p.powi(depth as i32);
    }
    overlap as f64 / k as f64 * p.powi(k as i32) + (1.0 - p) / p * sum
}

/// The share of the `k` most important features (by |attribution|) that
/// both vectors share.
pub fn top_k_agreement(a: &[f64], b: &[f64], k: usize) -> f64 {
    let k = k.min(a.len()).min(b.len());
    if k == 0 {
        return f64::NAN;
    }
    let (ra, rb) = (importance_ranks(a), importance_ranks(b));
    (0..a.len().min(b.len())).filter(|&j| ra[j] < k && rb[j] < k).count() as f64 / k as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_measures_on_known_rankings() {
        let a = [0.9, -0.5, 0.3, 0.1];
        // The same ranking (scaled, signs flipped): no distance, full overlap.
        let same = [-1.8, 1.0, -0.6, 0.2];
        for w in [RankWeights::Harmonic, RankWeights::Dcg, RankWeights::Uniform] {
            assert_eq!(rank_distance(&a, &same, w), 0.0);
        }
        assert!((rank_biased_overlap(&a, &same, 0.9) - 1.0).abs() < 1e-12);
        assert_eq!(top_k_agreement(&a, &same, 2), 1.0);
        // Swapping the top two moves the harmonic distance more than swapping the last two.
        let top_swapped = [0.5, -0.9, 0.3, 0.1];
        let tail_swapped = [0.9, -0.5, 0.1, 0.3];
        let h = |b: &[f64]| rank_distance(&a, b, RankWeights::Harmonic);
        let u = |b: &[f64]| rank_distance(&a, b, RankWeights::Uniform);
        assert!(h(&top_swapped) > h(&tail_swapped));
        assert_eq!(
            u(&top_swapped),
            u(&tail_swapped),
            "uniform weights cannot tell them apart"
        );
        // Harmonic: weights 1, 1/2, 1/3, 1/4; the top swap moves places 0 and 1 by one;
        // the farthest ranking sends 0 to 3, 1 to 2, 2 to 0 and 3 to 1: 3 + 1/2 + 2/3 + 1/2.
        let want = 1.5 / (3.0 + 0.5 + 2.0 / 3.0 + 0.5);
        assert!((h(&top_swapped) - want).abs() < 1e-12);
        // The reversed ranking is the farthest under uniform weights.
        assert_eq!(u(&[0.1, -0.3, 0.5, 0.9]), 1.0);
        assert_eq!(top_k_agreement(&a, &top_swapped, 2), 1.0);
        assert_eq!(top_k_agreement(&a, &[0.0, 0.0, 0.5, 0.9], 2), 0.0);
        // RBO at depth 1 differs, then agrees: below 1, above 0.
        let rbo = rank_biased_overlap(&a, &top_swapped, 0.9);
        assert!(rbo > 0.5 && rbo < 1.0, "{rbo}");
        assert!(
            rank_biased_overlap(&a, &tail_swapped, 0.9) > rbo,
            "a top change costs more"
        );
    }

    /// Every permutation of up to 7 places: none is farther than the reversal.
    #[test]
    fn the_normaliser_is_the_farthest_ranking() {
        fn permutations(v: &mut Vec<usize>, k: usize, out: &mut Vec<Vec<usize>>) {
            if k == v.len() {
                out.push(v.clone());
                return;
            }
            for i in k..v.len() {
                v.swap(k, i);
                permutations(v, k + 1, out);
                v.swap(k, i);
            }
        }
        for d in 2..=7 {
            let original: Vec<f64> = (0..d).map(|j| (d - j) as f64).collect();
            let mut all = Vec::new();
            permutations(&mut (0..d).collect(), 0, &mut all);
            for w in [RankWeights::Harmonic, RankWeights::Dcg, RankWeights::Uniform] {
                let farthest = all
                    .iter()
                    .map(|p| {
                        let perturbed: Vec<f64> = p.iter().map(|&place| (d - place) as f64).collect();
                        rank_distance(&original, &perturbed, w)
                    })
                    .fold(0.0, f64::max);
                assert!((farthest - 1.0).abs() < 1e-12, "d {d} {w:?}: {farthest}");
            }
        }
    }
}
