//! k-means (Lloyd's algorithm with k-means++ seeding), as scikit-learn's
//! `KMeans(init='k-means++', n_init=1, max_iter=300, tol=1e-4)`, used by
//! ClusterCentroids; and mini-batch k-means as `MiniBatchKMeans`, used by
//! KMeansSMOTE.
//!
//! Written here rather than taken from linfa-clustering, which is on
//! ndarray 0.16 and rand 0.8 and cannot take our seedable NumPy-compatible
//! generator. Assignment uses the exact k-NN engine (GEMM pruning), so
//! a step costs about one GEMM of the data against the centres.

use imbalanced_data::take_rows;
use imbalanced_neighbors::{squared_distance, KnnIndex};
use ndarray::{linalg::general_mat_mul, s, Array2, ArrayView2, Axis};
use rayon::prelude::*;

use crate::error::Result;
use imbalanced_random::SamplerRng;

/// A fitted clustering.
pub(crate) struct Clustering {
    pub centers: Array2<f64>,
    pub labels: Vec<usize>,
}

/// Rows per parallel chunk of the k-means++ distance GEMM.
const CHUNK: usize = 4096;

/// scikit-learn's greedy k-means++: each new centre is the best (lowest
/// potential) of `2 + ln k` candidates drawn in proportion to the squared
/// distance to the nearest centre so far. Candidate distances come from one
/// GEMM per chunk of points (`|x|² + |c|² - 2 x.c`); sums are taken per fixed
/// chunk and then in order, so the result does not depend on the threads.
fn kmeans_plus_plus(x: ArrayView2<'_, f64>, k: usize, rng: &mut SamplerRng) -> Array2<f64> {
    let (n, d) = x.dim();
    let trials = 2 + (k as f64).ln().floor() as usize;
    let norms: Vec<f64> = x.rows().into_iter().map(|r| r.dot(&r)).collect();
    // Row t: squared distances from candidate t to every point.
    let distances_to = |cands: &[usize]| -> Array2<f64> {
        let c = take_rows(x.view(), cands);
        let mut out = Array2::<f64>::zeros((cands.len(), n));
        out.axis_chunks_iter_mut(Axis(1), CHUNK)
            .into_par_iter()
            .enumerate()
            .for_each(|(b, mut block)| {
                let rows = x.slice(s![b * CHUNK..b * CHUNK + block.ncols(), ..]);
                general_mat_mul(-2.0, &c, &rows.t(), 0.0, &mut block);
                for (t, mut row) in block.rows_mut().into_iter().enumerate() {
                    let cn = norms[cands[t]];
                    let xn = &norms[b * CHUNK..];
                    row.iter_mut().zip(xn).for_each(|(g, &xx)| *g = (*g + xx + cn).max(0.0));
                }
            });
        out
    };
    // Σ min(closest, d) over fixed chunks, then in order: thread-independent.
    let potential_with = |closest: &[f64], d: &[f64]| -> f64 {
        closest
            .par_chunks(CHUNK)
            .zip(d.par_chunks(CHUNK))
            .map(|(a, b)| a.iter().zip(b).map(|(&u, &v)| u.min(v)).sum::<f64>())
            .collect::<Vec<_>>()
            .iter()
            .sum()
    };
    let mut centers = Array2::zeros((k, d));
    let first = rng.randint(n);
    centers.row_mut(0).assign(&x.row(first));
    let mut closest: Vec<f64> = distances_to(&[first]).row(0).to_vec();
    let mut potential = potential_with(&closest, &closest);
    let mut cumulative = vec![0.0; n];
    for c in 1..k {
        let mut acc = 0.0;
        for (cu, &v) in cumulative.iter_mut().zip(&closest) {
            acc += v;
            *cu = acc;
        }
        let candidates: Vec<usize> = (0..trials)
            .map(|_| {
                let target = rng.random() * potential;
                cumulative.partition_point(|&v| v <= target).min(n - 1)
            })
            .collect();
        let dist = distances_to(&candidates);
        // Potential after adding each candidate; the lowest wins (first on ties).
        let potentials: Vec<f64> = dist
            .rows()
            .into_iter()
            .map(|row| potential_with(&closest, row.as_slice().expect("row-major")))
            .collect();
        let best = (0..trials).fold(0, |b, t| if potentials[t] < potentials[b] { t } else { b });
        centers.row_mut(c).assign(&x.row(candidates[best]));
        potential = potentials[best];
        closest.iter_mut().zip(dist.row(best)).for_each(|(a, &b)| *a = a.min(b));
    }
    centers
}

/// Clusters the rows of `x` into `k` groups. Deterministic for a given
/// generator state, whatever the thread count.
pub(crate) fn kmeans(x: ArrayView2<'_, f64>, k: usize, max_iter: usize, rng: &mut SamplerRng) -> Result<Clustering> {
    let x = x.as_standard_layout();
    let (n, d) = x.dim();
    let k = k.min(n).max(1);
    // scikit-learn's tolerance: 1e-4 times the mean per-feature variance.
    let tol = 1e-4 * x.var_axis(Axis(0), 0.0).mean().unwrap_or(0.0);
    let mut centers = kmeans_plus_plus(x.view(), k, rng);
    let mut labels = vec![usize::MAX; n];
    for _ in 0..max_iter {
        let (new_labels, distances) = assign(x.view(), centers.view())?;
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
        if unchanged || shift <= tol {
            break;
        }
    }
    // Labels consistent with the final centres.
    let (labels, _) = assign(x.view(), centers.view())?;
    Ok(Clustering { centers, labels })
}

/// The nearest centre of every row (lower index on ties) and its distance.
fn assign(x: ArrayView2<'_, f64>, centers: ArrayView2<'_, f64>) -> Result<(Vec<usize>, Vec<f64>)> {
    if centers.nrows() > 32 {
        let nn = KnnIndex::new(centers).query(x, 1)?;
        return Ok((nn.indices.column(0).to_vec(), nn.distances.column(0).to_vec()));
    }
    // Few centres: exact distances directly, cheaper than setting up GEMM blocks.
    let cs: Vec<Vec<f64>> = centers.rows().into_iter().map(|r| r.to_vec()).collect();
    let x = x.as_standard_layout();
    Ok((0..x.nrows())
        .into_par_iter()
        .with_min_len(1024)
        .map(|i| {
            let row = x.row(i);
            let row = row.as_slice().expect("standard layout");
            let (mut best, mut best_d) = (0, f64::INFINITY);
            for (c, centre) in cs.iter().enumerate() {
                let d = squared_distance(row, centre);
                if d < best_d {
                    best = c;
                    best_d = d;
                }
            }
            (best, best_d.sqrt())
        })
        .unzip())
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
pub(crate) fn minibatch_kmeans(x: ArrayView2<'_, f64>, k: usize, rng: &mut SamplerRng) -> Result<Clustering> {
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
    for _ in 0..steps {
        let rows: Vec<usize> = (0..batch).map(|_| rng.randint(n)).collect();
        let xb = take_rows(x.view(), &rows);
        let (labels, distances) = assign(xb.view(), centers.view())?;
        let inertia = distances.iter().map(|v| v * v).sum::<f64>() / batch as f64;
        let mut sums = Array2::<f64>::zeros((k, d));
        let mut counts = vec![0.0f64; k];
        for (r, &c) in labels.iter().enumerate() {
            sums.row_mut(c).zip_mut_with(&xb.row(r), |s, &v| *s += v);
            counts[c] += 1.0;
        }
        for c in 0..k {
            if counts[c] > 0.0 {
                let total = weight[c] + counts[c];
                let mut row = centers.row_mut(c);
                row.zip_mut_with(&sums.row(c), |m, &s| *m = (*m * weight[c] + s) / total);
                weight[c] = total;
            }
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
    let (labels, _) = assign(x.view(), centers.view())?;
    Ok(Clustering { centers, labels })
}

#[cfg(test)]
mod tests {
    use super::*;
    use imbalanced_random::RngKind;
    use ndarray::array;

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
