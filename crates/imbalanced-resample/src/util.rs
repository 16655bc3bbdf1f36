//! Small helpers shared by the samplers.

use imbalanced_neighbors::{KnnIndex, Neighbors};
use ndarray::ArrayView2;

use crate::error::{ResampleError, Result};
use imbalanced_random::{RngKind, SamplerRng};

/// Rows of class `c`, ascending (`np.flatnonzero(y == c)`).
pub(crate) fn class_indices(y: &[usize], c: usize) -> Vec<usize> {
    y.iter().enumerate().filter(|(_, &v)| v == c).map(|(i, _)| i).collect()
}

/// `StratifiedKFold(cv, shuffle=True)` folds of `y` (each row's fold),
/// shuffled by `rng` (`random_state=int`'s shuffle with NumPy's generator);
/// a `cv` the classes cannot fill is an error naming `cv`.
pub(crate) fn shuffled_folds(y: &[usize], cv: usize, rng: &mut SamplerRng) -> Result<Vec<usize>> {
    let mut shuffle = |folds: &mut [usize]| rng.shuffle(folds);
    imbalanced_data::stratified_kfold(y, cv, Some(&mut shuffle)).map_err(|e| ResampleError::Parameter {
        name: "cv".into(),
        value: cv.to_string(),
        expected: e.to_string(),
    })
}

/// A generator for a sampler's `random_state`. NumPy's `RandomState`
/// accepts seeds below 2^32 only, so parity mode refuses larger ones.
pub(crate) fn make_rng(kind: RngKind, seed: u64) -> Result<SamplerRng> {
    if kind == RngKind::Numpy && seed > u32::MAX as u64 {
        return Err(ResampleError::Parameter {
            name: "random_state".into(),
            value: seed.to_string(),
            expected: "NumPy seeds must be between 0 and 2**32 - 1".into(),
        });
    }
    Ok(SamplerRng::new(kind, seed))
}

/// The generator imbalanced-learn re-creates from an integer seed inside a
/// per-class step (SMOTE's `_make_samples`): in parity mode the same stream
/// for every class; otherwise a stream per class, so classes of identical
/// geometry do not get identical synthetic offsets.
pub(crate) fn class_rng(kind: RngKind, seed: u64, class: usize) -> Result<SamplerRng> {
    match kind {
        RngKind::Numpy => make_rng(kind, seed),
        RngKind::Default => make_rng(kind, seed ^ (class as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
    }
}

/// The `k` nearest neighbours, in `data`, of the rows `queries` of `data`,
/// skipping the nearest (the query itself): imbalanced-learn's
/// `nn.fit(data); nn.kneighbors(data[queries], k + 1)[:, 1:]`.
pub(crate) fn neighbors_of_rows(
    data: ArrayView2<'_, f64>,
    queries: &[usize],
    k: usize,
    class_label: usize,
    param: &'static str,
) -> Result<Neighbors> {
    if k + 1 > data.nrows() {
        return Err(ResampleError::TooFewSamples {
            class: class_label.to_string(),
            n: data.nrows(),
            needed: k + 1,
            param,
            k,
        });
    }
    Ok(KnnIndex::new(data).query_points(queries, k + 1)?.without_first())
}

/// NumPy's pairwise summation (`np.sum` of a contiguous float64 array), so
/// that sums compare and round exactly as imbalanced-learn's.
pub(crate) fn numpy_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &v in a {
            res += v;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&a[..8]);
        let mut i = 8;
        while i < n - n % 8 {
            for j in 0..8 {
                r[j] += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += a[i];
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        numpy_sum(&a[..n2]) + numpy_sum(&a[n2..])
    }
}

/// The most frequent value among `labels`, ties to the smallest
/// (`scipy.stats.mode`).
pub(crate) fn mode_smallest(labels: impl Iterator<Item = usize>) -> usize {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for l in labels {
        match counts.iter_mut().find(|(v, _)| *v == l) {
            Some((_, n)) => *n += 1,
            None => counts.push((l, 1)),
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map_or(0, |(v, _)| v)
}

/// Replaces class codes in an error message by the dataset's labels.
pub(crate) fn name_classes(err: ResampleError, classes: &[String]) -> ResampleError {
    match err {
        ResampleError::TooFewSamples {
            class,
            n,
            needed,
            param,
            k,
        } => {
            let class = class
                .parse::<usize>()
                .ok()
                .and_then(|c| classes.get(c).cloned())
                .unwrap_or(class);
            ResampleError::TooFewSamples {
                class: format!("{class:?}"),
                n,
                needed,
                param,
                k,
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_sum_matches_plain_sum_on_exact_values() {
        let v: Vec<f64> = (0..1000).map(|i| i as f64).collect();
        assert_eq!(numpy_sum(&v), 499_500.0);
        assert_eq!(numpy_sum(&[]), 0.0);
    }

    #[test]
    fn mode_breaks_ties_to_smallest() {
        assert_eq!(mode_smallest([2, 1, 2, 1].into_iter()), 1);
        assert_eq!(mode_smallest([3, 3, 0].into_iter()), 3);
    }
}

/// serde for an `Option<f64>` parameter whose `None` imbalanced-learn
/// spells `"auto"`: written as `"auto"` or the number, read from either
/// (or `null`).
pub(crate) mod auto_or_number {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_str("auto"),
            Some(f) => f.serialize(s),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Null => Ok(None),
            serde_json::Value::String(s) if s == "auto" => Ok(None),
            serde_json::Value::Number(n) => Ok(n.as_f64()),
            other => Err(serde::de::Error::custom(format!(
                "{other} is neither \"auto\" nor a number"
            ))),
        }
    }
}
