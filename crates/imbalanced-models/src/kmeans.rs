//! k-means (Lloyd's algorithm with k-means++ seeding), as scikit-learn's
//! `KMeans(init='k-means++', n_init=1, max_iter=300, tol=1e-4)`, used by
//! ClusterCentroids; and mini-batch k-means as `MiniBatchKMeans`, used by
//! KMeansSMOTE.
//!
//! Written here rather than taken from linfa-clustering, which is on
//! ndarray 0.16 and rand 0.8 and cannot take our seedable NumPy-compatible
//! generator. Seeding and assignment use the exact k-NN engine: seeding
//! measures only the points a candidate centre would take over
//! ([`KnnIndex::closer_than`]), and each Lloyd step searches from every
//! point's previous centre ([`KnnIndex::query_bounded`]).

use imbalanced_data::take_rows;
use imbalanced_neighbors::{squared_distance, KnnIndex, PointLimits};
use ndarray::{Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

use imbalanced_neighbors::NeighborsError;

/// k-means fails only where its neighbour searches do.
type Result<T> = std::result::Result<T, NeighborsError>;
use imbalanced_random::SamplerRng;

/// A fitted clustering.
pub struct Clustering {
    /// `k x d` centres.
    pub centers: Array2<f64>,
    /// The centre of each row.
    pub labels: Vec<usize>,
}

/// Points per sum of the sampling table.
const SUM_BLOCK: usize = 256;

/// scikit-learn's greedy k-means++: each new centre is the best (lowest
/// potential) of `2 + ln k` candidates drawn in proportion to the squared
/// distance to the nearest centre so far.
///
/// A candidate changes the potential only through the points it would take
/// over, those nearer to it than to their centre: the engine's
/// [`KnnIndex::closer_than`] finds them against per-point limits, so late
/// steps measure a few dozen distances per candidate instead of all n
/// (scikit-learn computes all of them). The draws walk a table of sums over
/// blocks of `SUM_BLOCK` points, then the block. Deterministic for a given
/// generator state, whatever the thread count.
fn kmeans_plus_plus(x: ArrayView2<'_, f64>, k: usize, rng: &mut SamplerRng) -> Array2<f64> {
    let (n, d) = x.dim();
    let trials = 2 + (k as f64).ln().floor() as usize;
    let index = KnnIndex::new(x);
    let mut closest = index.limits(f64::INFINITY);
    let mut block_sums = vec![0.0; n.div_ceil(SUM_BLOCK)];
    // Gives the points of `taken` to the new centre; refreshes their blocks' sums.
    let take = |taken: &[(usize, f64)], closest: &mut PointLimits, block_sums: &mut [f64]| -> f64 {
        for &(p, d2) in taken {
            closest.set(p, d2);
        }
        let mut last = usize::MAX;
        for &(p, _) in taken {
            let b = p / SUM_BLOCK;
            if b != last {
                block_sums[b] = closest.values()[b * SUM_BLOCK..((b + 1) * SUM_BLOCK).min(n)]
                    .iter()
                    .sum();
                last = b;
            }
        }
        block_sums.iter().sum()
    };
    let mut centers = Array2::zeros((k, d));
    // scikit-learn's `choice(n, p=sample_weight / sample_weight.sum())`.
    let first = rng.choice_p(&vec![1.0 / n as f64; n], 1)[0];
    centers.row_mut(0).assign(&x.row(first));
    let mut potential = take(&index.closer_than(&[first], &closest)[0], &mut closest, &mut block_sums);
    for c in 1..k {
        let candidates: Vec<usize> = (0..trials)
            .map(|_| draw(rng.random() * potential, closest.values(), &block_sums))
            .collect();
        let taken = index.closer_than(&candidates, &closest);
        // Potential after adding each candidate; the lowest wins (first on ties).
        let potentials: Vec<f64> = taken
            .iter()
            .map(|t| potential - t.iter().map(|&(p, d2)| closest.get(p) - d2).sum::<f64>())
            .collect();
        let best = (0..trials).fold(0, |b, t| if potentials[t] < potentials[b] { t } else { b });
        centers.row_mut(c).assign(&x.row(candidates[best]));
        potential = take(&taken[best], &mut closest, &mut block_sums);
    }
    centers
}

/// The first point whose running sum of `weights` exceeds `target` (the
/// last point if none does), found through the sums of blocks of `SUM_BLOCK`.
fn draw(target: f64, weights: &[f64], block_sums: &[f64]) -> usize {
    let mut acc = 0.0;
    for (b, &s) in block_sums.iter().enumerate() {
        if acc + s > target {
            for (o, &w) in weights[b * SUM_BLOCK..].iter().take(SUM_BLOCK).enumerate() {
                acc += w;
                if acc > target {
                    return b * SUM_BLOCK + o;
                }
            }
            // Rounding: the block's own sum said it holds the target.
            return ((b + 1) * SUM_BLOCK).min(weights.len()) - 1;
        }
        acc += s;
    }
    weights.len() - 1
}

/// Clusters the rows of `x` into `k` groups. Deterministic for a given
/// generator state, whatever the thread count.
pub fn kmeans(x: ArrayView2<'_, f64>, k: usize, max_iter: usize, rng: &mut SamplerRng) -> Result<Clustering> {
    let x = x.as_standard_layout();
    let (n, d) = x.dim();
    let k = k.min(n).max(1);
    // scikit-learn's tolerance: 1e-4 times the mean per-feature variance.
    let tol = 1e-4 * x.var_axis(Axis(0), 0.0).mean().unwrap_or(0.0);
    let mut centers = kmeans_plus_plus(x.view(), k, rng);
    let mut labels = vec![usize::MAX; n];
    let mut assigned = assign(x.view(), centers.view(), None)?;
    for _ in 0..max_iter {
        let (new_labels, distances) = assigned;
        let mut sums = Array2::<f64>::zeros((k, d));
        let mut counts = vec![0usize; k];
        for (i, &c) in new_labels.iter().enumerate() {
            sums.row_mut(c).zip_mut_with(&x.row(i), |s, &v| *s += v);
            counts[c] += 1;
        }
        let mut labels_now = new_labels;
        relocate_empty(&x.view(), &mut labels_now, &mut sums, &mut counts, distances);
        let mut new_centers = sums;
        for (c, (mut row, &m)) in new_centers.rows_mut().into_iter().zip(&counts).enumerate() {
            if m == 0 {
                // Nothing could be relocated here (all points are duplicates): keep the centre.
                row.assign(&centers.row(c));
            } else {
                row.mapv_inplace(|v| v / m as f64);
            }
        }
        let shift: f64 = (&new_centers - &centers).mapv(|v| v * v).sum();
        let unchanged = labels_now == labels;
        centers = new_centers;
        labels = labels_now;
        // The next step's labels, or the final ones: consistent with the final centres.
        assigned = assign(x.view(), centers.view(), Some(&labels))?;
        if unchanged || shift <= tol {
            break;
        }
    }
    Ok(Clustering {
        centers,
        labels: assigned.0,
    })
}

/// The nearest centre of every row (lower index on ties) and its distance.
/// With `previous` labels, each row's search starts from the distance to
/// its previous centre ([`KnnIndex::query_bounded`]): Lloyd's late steps
/// move few points, so most searches end near where they start.
fn assign(
    x: ArrayView2<'_, f64>,
    centers: ArrayView2<'_, f64>,
    previous: Option<&[usize]>,
) -> Result<(Vec<usize>, Vec<f64>)> {
    let x = x.as_standard_layout();
    if centers.nrows() > FEW_CENTRES {
        let index = KnnIndex::new(centers);
        let nn = match previous {
            Some(labels) => {
                let bounds: Vec<f64> = labels
                    .par_iter()
                    .enumerate()
                    .map(|(i, &c)| distance(x.row(i), centers.row(c)))
                    .collect();
                index.query_bounded(x.view(), 1, &bounds)?
            }
            None => index.query(x.view(), 1)?,
        };
        return Ok((nn.indices.column(0).to_vec(), nn.distances.column(0).to_vec()));
    }
    // Few centres: exact distances directly, cheaper than setting up GEMM blocks.
    let (k, ct) = (centers.nrows(), transposed(centers));
    Ok(x.axis_chunks_iter(Axis(0), 1024)
        .into_par_iter()
        .flat_map_iter(|block| nearest_each(block, &ct, k))
        .map(|(best, d2)| (best, d2.sqrt()))
        .unzip())
}

/// Up to this many centres, rows are compared with every centre directly.
const FEW_CENTRES: usize = 32;

/// The centres column by column, as [`nearest`] reads them: per feature,
/// the `k` centres' values, padded to a multiple of 8.
fn transposed(centers: ArrayView2<'_, f64>) -> Vec<f64> {
    let stride = centers.nrows().next_multiple_of(8);
    let mut ct = vec![0.0; stride * centers.ncols()];
    for ((c, j), &v) in centers.indexed_iter() {
        ct[j * stride + c] = v;
    }
    ct
}

/// The nearest of the `k` centres in `ct` ([`transposed`]) to each of
/// `rows`, lower index on ties, and its squared distance. Each centre's sum
/// runs in column order, as [`squared_distance`]'s, but the sums of eight
/// centres and `R` rows advance together in registers: one sum after
/// another would wait on each addition's latency.
#[inline(always)]
fn nearest<const R: usize>(rows: [&[f64]; R], ct: &[f64], k: usize) -> [(usize, f64); R] {
    let d = rows.first().map_or(0, |r| r.len());
    let stride = ct.len() / d.max(1);
    let mut best = [(0, f64::INFINITY); R];
    for g in (0..stride).step_by(8) {
        let mut acc = [[0.0f64; 8]; R];
        for j in 0..d {
            let c8: &[f64; 8] = ct[j * stride + g..j * stride + g + 8].try_into().expect("8 centres");
            for (acc, row) in acc.iter_mut().zip(&rows) {
                for l in 0..8 {
                    let t = row[j] - c8[l];
                    acc[l] += t * t;
                }
            }
        }
        for (best, acc) in best.iter_mut().zip(&acc) {
            for (l, &d) in acc.iter().enumerate() {
                if g + l < k && d < best.1 {
                    *best = (g + l, d);
                }
            }
        }
    }
    best
}

/// [`nearest`] for each row of `x` (standard layout), four rows at a time.
fn nearest_each(x: ArrayView2<'_, f64>, ct: &[f64], k: usize) -> Vec<(usize, f64)> {
    #[cfg(target_arch = "x86_64")]
    if imbalanced_neighbors::simd::avx512f() {
        // SAFETY: the CPU has the feature the function is compiled for.
        return unsafe { nearest_each_avx512(x, ct, k) };
    }
    nearest_each_inline(x, ct, k)
}

/// [`nearest_each`] compiled for AVX-512: the eight centres' sums of a row
/// fill one register (baseline x86-64 has two-lane registers only). The
/// same operations in the same order, so the same bits.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn nearest_each_avx512(x: ArrayView2<'_, f64>, ct: &[f64], k: usize) -> Vec<(usize, f64)> {
    nearest_each_inline(x, ct, k)
}

#[inline(always)]
fn nearest_each_inline(x: ArrayView2<'_, f64>, ct: &[f64], k: usize) -> Vec<(usize, f64)> {
    let rows: Vec<&[f64]> = x.outer_iter().map(|r| r.to_slice().expect("standard layout")).collect();
    let mut fours = rows.chunks_exact(4);
    let mut out = Vec::with_capacity(rows.len());
    for f in &mut fours {
        out.extend(nearest([f[0], f[1], f[2], f[3]], ct, k));
    }
    out.extend(fours.remainder().iter().map(|&r| nearest([r], ct, k)[0]));
    out
}

/// Euclidean distance of two rows, summed as the engine sums.
fn distance(a: ndarray::ArrayView1<'_, f64>, b: ndarray::ArrayView1<'_, f64>) -> f64 {
    match (a.as_slice(), b.as_slice()) {
        (Some(a), Some(b)) => squared_distance(a, b).sqrt(),
        _ => squared_distance(&a.to_vec(), &b.to_vec()).sqrt(),
    }
}

/// Gives each empty cluster one of the points farthest from their centre
/// (scikit-learn's relocation rule), taking it out of its old cluster.
fn relocate_empty(
    x: &ArrayView2<'_, f64>,
    labels: &mut [usize],
    sums: &mut Array2<f64>,
    counts: &mut [usize],
    distances: Vec<f64>,
) {
    let empty: Vec<usize> = (0..counts.len()).filter(|&c| counts[c] == 0).collect();
    if empty.is_empty() {
        return;
    }
    let mut far: Vec<usize> = (0..labels.len()).collect();
    far.sort_by(|&a, &b| distances[b].total_cmp(&distances[a]).then(a.cmp(&b)));
    for (c, i) in empty.into_iter().zip(far) {
        let old = labels[i];
        if counts[old] <= 1 {
            continue;
        }
        sums.row_mut(old).zip_mut_with(&x.row(i), |s, &v| *s -= v);
        counts[old] -= 1;
        sums.row_mut(c).assign(&x.row(i));
        counts[c] = 1;
        labels[i] = c;
    }
}

/// Mini-batch k-means (Sculley 2010) with scikit-learn's `MiniBatchKMeans`
/// defaults, the clustering imbalanced-learn's KMeansSMOTE uses: k-means++
/// on `3 · batch` random rows, then steps on random batches of 1024 rows
/// (per-centre learning rate 1 / count), stopped when the exponentially
/// weighted batch inertia has not improved for 10 steps or after 100
/// passes' worth of steps; final labels from the full data. Not
/// reproduced: scikit-learn's reassignment of nearly empty centres. Data of
/// at most `3 · batch` rows is clustered by full-batch k-means instead:
/// there the batches would be the whole data drawn with repetition, and the
/// reassignment we omit is what keeps scikit-learn's small runs sound.
pub fn minibatch_kmeans(x: ArrayView2<'_, f64>, k: usize, rng: &mut SamplerRng) -> Result<Clustering> {
    const BATCH: usize = 1024;
    const MAX_ITER: usize = 100;
    const MAX_NO_IMPROVEMENT: usize = 10;
    if x.nrows() <= 3 * BATCH {
        return kmeans(x, k, 300, rng);
    }
    let x = x.as_standard_layout();
    let (n, d) = x.dim();
    let k = k.min(n).max(1);
    let batch = BATCH.min(n);
    let init_size = (3 * batch).max(k).min(n);
    let init_rows: Vec<usize> = (0..init_size).map(|_| rng.randint(n)).collect();
    let mut centers = kmeans_plus_plus(take_rows(x.view(), &init_rows).view(), k, rng);
    let mut weight = vec![0.0f64; k];
    let steps = (MAX_ITER * n) / batch;
    let alpha = (batch as f64 * 2.0 / (n as f64 + 1.0)).min(1.0);
    let (mut ewa, mut ewa_min, mut no_improvement) = (None::<f64>, f64::INFINITY, 0);
    let (mut sums, mut counts) = (vec![0.0f64; k * d], vec![0.0f64; k]);
    for step in 0..steps {
        let rows: Vec<usize> = (0..batch).map(|_| rng.randint(n)).collect();
        // With few centres a batch is ~10^5 multiply-adds: done in this
        // thread, since handing it to the pool costs more than it takes.
        // Gathered once: both the search and the sums read the batch.
        let xb = take_rows(x.view(), &rows);
        let (labels, d2): (Vec<usize>, Vec<f64>) = if k <= FEW_CENTRES {
            let ct = transposed(centers.view());
            nearest_each(xb.view(), &ct, k).into_iter().unzip()
        } else {
            let (labels, distances) = assign(xb.view(), centers.view(), None)?;
            (labels, distances.iter().map(|v| v * v).collect())
        };
        let inertia = d2.iter().sum::<f64>() / batch as f64;
        sums.fill(0.0);
        counts.fill(0.0);
        for (r, &c) in xb.rows().into_iter().zip(&labels) {
            sums[c * d..(c + 1) * d].iter_mut().zip(r).for_each(|(s, v)| *s += v);
            counts[c] += 1.0;
        }
        for c in 0..k {
            if counts[c] > 0.0 {
                let total = weight[c] + counts[c];
                let mut centre = centers.row_mut(c);
                centre.zip_mut_with(&ArrayView1::from(&sums[c * d..(c + 1) * d]), |m, &s| {
                    *m = (*m * weight[c] + s) / total
                });
                weight[c] = total;
            }
        }
        // scikit-learn leaves the first step out of the convergence test (its
        // inertia reflects the initialisation).
        if step == 0 {
            continue;
        }
        let smoothed = match ewa {
            None => inertia,
            Some(e) => e * (1.0 - alpha) + inertia * alpha,
        };
        ewa = Some(smoothed);
        if smoothed < ewa_min {
            (ewa_min, no_improvement) = (smoothed, 0);
        } else {
            no_improvement += 1;
            if no_improvement >= MAX_NO_IMPROVEMENT {
                break;
            }
        }
    }
    let (labels, _) = assign(x.view(), centers.view(), None)?;
    Ok(Clustering { centers, labels })
}

#[cfg(test)]
mod tests {
    use super::*;
    use imbalanced_random::RngKind;
    use ndarray::array;

    #[test]
    fn nearest_centre_agrees_with_one_measure_per_centre() {
        let mut rng = SamplerRng::new(RngKind::Default, 5);
        for k in [1, 7, 8, 9, 17, 32] {
            let centers = Array2::from_shape_fn((k, 5), |_| rng.uniform(-1.0, 1.0));
            let ct = transposed(centers.view());
            let (mut rows, mut wanted) = (Vec::new(), Vec::new());
            for _ in 0..50 {
                let row: Vec<f64> = (0..5).map(|_| rng.uniform(-1.0, 1.0)).collect();
                let want = centers
                    .rows()
                    .into_iter()
                    .map(|c| squared_distance(&row, c.as_slice().unwrap()))
                    .enumerate()
                    .fold((0, f64::INFINITY), |b, (c, d)| if d < b.1 { (c, d) } else { b });
                assert_eq!(nearest([&row], &ct, k)[0], want, "k = {k}");
                wanted.push(want);
                rows.extend(row);
            }
            // Four rows at a time, then the two after the last four.
            let x = Array2::from_shape_vec((50, 5), rows).unwrap();
            assert_eq!(nearest_each(x.view(), &ct, k), wanted);
            // Every centre twice: the lower index wins the tie.
            let tied = ndarray::concatenate![Axis(0), centers, centers];
            let row = centers.row(k - 1).to_vec();
            let (best, d) = nearest([&row], &transposed(tied.view()), 2 * k)[0];
            assert_eq!((best, d), (k - 1, 0.0));
        }
    }

    #[test]
    fn separates_obvious_clusters() {
        let x = array![
            [0.0, 0.0],
            [0.1, 0.0],
            [0.0, 0.1],
            [10.0, 10.0],
            [10.1, 10.0],
            [10.0, 10.1]
        ];
        let mut rng = SamplerRng::new(RngKind::Default, 3);
        let c = kmeans(x.view(), 2, 300, &mut rng).unwrap();
        assert_eq!(c.labels[0], c.labels[1]);
        assert_eq!(c.labels[3], c.labels[5]);
        assert_ne!(c.labels[0], c.labels[3]);
        let centre = c.centers.row(c.labels[0]);
        assert!((centre[0] - 0.1 / 3.0).abs() < 1e-12);
    }

    /// Greedy k-means++ puts one seed in each of k far-apart blobs (uniform
    /// seeding would double up in most runs); the seeds are data points.
    #[test]
    fn seeding_covers_every_blob() {
        let blobs = 8;
        let mut next = {
            let mut rng = SamplerRng::new(RngKind::Default, 11);
            move || rng.random()
        };
        let x = Array2::from_shape_fn((blobs * 500, 5), |(i, j)| {
            // Blob b sits at 100 times the bits of b.
            100.0 * (((i % blobs) >> j) & 1) as f64 + next()
        });
        for seed in 0..5 {
            let mut rng = SamplerRng::new(RngKind::Default, seed);
            let seeds = kmeans_plus_plus(x.view(), blobs, &mut rng);
            let mut hit: Vec<usize> = seeds
                .rows()
                .into_iter()
                .map(|c| {
                    let i = (0..x.nrows()).find(|&i| x.row(i) == c).expect("a data point");
                    i % blobs
                })
                .collect();
            hit.sort_unstable();
            assert_eq!(hit, (0..blobs).collect::<Vec<_>>(), "seed {seed}");
        }
    }

    #[test]
    fn as_many_clusters_as_points_gives_the_points() {
        let x = array![[0.0], [1.0], [5.0]];
        let mut rng = SamplerRng::new(RngKind::Default, 0);
        let c = kmeans(x.view(), 3, 300, &mut rng).unwrap();
        let mut centres: Vec<f64> = c.centers.column(0).to_vec();
        centres.sort_by(f64::total_cmp);
        assert_eq!(centres, vec![0.0, 1.0, 5.0]);
    }

    #[test]
    fn minibatch_kmeans_finds_separated_blobs() {
        let mut rng = SamplerRng::new(imbalanced_random::RngKind::Default, 3);
        let x = Array2::from_shape_fn((3000, 2), |(i, j)| {
            (i % 3) as f64 * 10.0 + j as f64 + 0.1 * ((i * 7 + j) % 11) as f64
        });
        let c = minibatch_kmeans(x.view(), 3, &mut rng).unwrap();
        for i in 0..3000 {
            assert_eq!(c.labels[i], c.labels[i % 3], "row {i}");
        }
        let mut firsts = c.labels[..3].to_vec();
        firsts.sort_unstable();
        assert_eq!(firsts, vec![0, 1, 2]);
    }
}
