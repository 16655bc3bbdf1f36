//! Partitioners: which rows each federated client holds, as flwr-datasets
//! 0.6.1 splits a dataset.
//!
//! A partitioner reads one column, its `partition_by` (the class label, or a
//! client id for [`NaturalIdPartitioner`]), given as [`Column`] codes into
//! the column's distinct values sorted as Python sorts them (numbers by
//! value, text by code point), which is the order flwr-datasets'
//! `sorted(dataset.unique(...))` visits them. It returns the input's row
//! numbers (0-based) of each partition, in flwr-datasets' order within the
//! partition (after its shuffle, when it shuffles). Every random draw goes
//! through NumPy's `Generator` seeded as `np.random.default_rng(seed)`, in
//! flwr-datasets' order, so the same seed gives the same partitions.

mod dirichlet;
mod fairfal;
mod iid;
mod inner_dirichlet;
mod natural_id;
mod pathological;
mod shard;
mod sizes;

pub use dirichlet::DirichletPartitioner;
pub use fairfal::{DirBalancePartitioner, Proportions, ShardBalancePartitioner};
pub use iid::IidPartitioner;
pub use inner_dirichlet::InnerDirichletPartitioner;
pub use natural_id::NaturalIdPartitioner;
pub use pathological::{ClassAssignmentMode, PathologicalPartitioner};
pub use shard::ShardPartitioner;
pub use sizes::{ExponentialPartitioner, LinearPartitioner, SizePartitioner, SquarePartitioner};

use serde::{Deserialize, Serialize};

/// The column a partitioner splits by: per row, the code of its value among
/// the column's distinct values (`0..n_values`, in sorted order).
#[derive(Debug, Clone, Copy)]
pub struct Column<'a> {
    codes: &'a [usize],
    n_values: usize,
}

impl<'a> Column<'a> {
    /// The codes of a column with `n_values` distinct values; every code
    /// must be below `n_values`.
    pub fn new(codes: &'a [usize], n_values: usize) -> Result<Self, PartitionError> {
        if let Some((row, &c)) = codes.iter().enumerate().find(|(_, &c)| c >= n_values) {
            return Err(PartitionError::Parameter(format!(
                "row {row} has code {c} of a column with {n_values} distinct values"
            )));
        }
        Ok(Column { codes, n_values })
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Per distinct value that occurs, in sorted order, its rows in
    /// increasing order (`np.nonzero(column == value)` for each of
    /// `sorted(dataset.unique(column))`).
    pub(crate) fn rows_by_value(&self) -> Vec<Vec<usize>> {
        let mut rows = vec![Vec::new(); self.n_values];
        for (i, &c) in self.codes.iter().enumerate() {
            rows[c].push(i);
        }
        rows.retain(|r| !r.is_empty());
        rows
    }
}

/// Each partition's rows of the input (0-based), in the partitioner's order.
pub type Partitions = Vec<Vec<usize>>;

/// What a partitioner refuses, with what to change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PartitionError {
    /// A parameter value out of its domain.
    #[error("{0}")]
    Parameter(String),
    /// Parameters the data cannot meet (more partitions than rows, a
    /// `min_partition_size` not reached after flwr-datasets' redraws, ...).
    #[error("{0}")]
    Infeasible(String),
}

/// Splits rows into partitions by one column.
pub trait Partition: Send + Sync {
    /// The rows of each partition.
    fn partition(&self, by: Column<'_>) -> Result<Partitions, PartitionError>;

    /// The column the partitioner splits by, as flwr-datasets'
    /// `partition_by` (`None`: the class label; partitioners that split by
    /// position alone ignore it).
    fn partition_by(&self) -> Option<&str> {
        None
    }
}

imbalanced_catalog::catalog!(
    /// Every partitioner by flwr-datasets' class name or an alias, with its
    /// parameters and defaults, and FairFAL's balanced partitions: the names
    /// `imbalanced partition --partitioner` and Python's
    /// `imbalanced.federated` take.
    pub static PARTITIONERS: dyn Partition = "partitioner", |p| Box::new(p);
    [
        IidPartitioner,
        DirichletPartitioner,
        InnerDirichletPartitioner,
        PathologicalPartitioner,
        ShardPartitioner,
        LinearPartitioner,
        SquarePartitioner,
        ExponentialPartitioner,
        SizePartitioner,
        NaturalIdPartitioner,
        DirBalancePartitioner,
        ShardBalancePartitioner,
    ]
);

/// A Dirichlet concentration: one value for every component, or one each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Alpha {
    /// The same concentration for every component.
    Scalar(f64),
    /// One concentration per component.
    List(Vec<f64>),
}

impl Alpha {
    /// The concentration of each of `n` components (`what` names them in
    /// the error), all finite and positive, as flwr-datasets checks.
    fn resolve(&self, n: usize, what: &str) -> Result<Vec<f64>, PartitionError> {
        let alpha = match self {
            Alpha::Scalar(a) => vec![*a; n],
            Alpha::List(list) if list.len() == n => list.clone(),
            Alpha::List(list) => {
                return Err(PartitionError::Parameter(format!(
                    "alpha has {} values for {n} {what}: give one value, or one per {what}",
                    list.len()
                )))
            }
        };
        if let Some(bad) = alpha.iter().find(|a| !(a.is_finite() && **a > 0.0)) {
            return Err(PartitionError::Parameter(format!(
                "alpha = {bad}: Dirichlet concentrations must be greater than zero"
            )));
        }
        Ok(alpha)
    }
}

/// flwr-datasets' common check: at least one partition, and no more
/// partitions than rows.
fn check_partitions(num_partitions: usize, rows: usize) -> Result<(), PartitionError> {
    if num_partitions == 0 {
        return Err(PartitionError::Parameter(
            "num_partitions must be greater than zero".into(),
        ));
    }
    if num_partitions > rows {
        return Err(PartitionError::Infeasible(format!(
            "{num_partitions} partitions of {rows} rows: the number of partitions must not exceed the number of rows"
        )));
    }
    Ok(())
}

/// `np.split(values, points)`: the runs between consecutive points (with 0
/// before and the length after), each clamped to the slice, empty where a
/// point lies beyond the next.
fn split_at_points<'v>(values: &'v [usize], points: &[usize]) -> Vec<&'v [usize]> {
    let n = values.len();
    let bounds: Vec<usize> = std::iter::once(0).chain(points.iter().copied()).chain([n]).collect();
    bounds
        .windows(2)
        .map(|w| {
            let (start, end) = (w[0].min(n), w[1].min(n));
            if start < end {
                &values[start..end]
            } else {
                &values[..0]
            }
        })
        .collect()
}

/// `np.array_split(values, sections)`: `sections` runs, the first
/// `len % sections` one longer.
fn array_split(values: &[usize], sections: usize) -> Vec<&[usize]> {
    let (each, extra) = (values.len() / sections, values.len() % sections);
    let mut out = Vec::with_capacity(sections);
    let mut at = 0;
    for s in 0..sections {
        let len = each + usize::from(s < extra);
        out.push(&values[at..at + len]);
        at += len;
    }
    out
}

/// NumPy's sum of a float64 array (`a.sum()`, `a.sum(axis=-1)` of each
/// contiguous row): pairwise summation, eight accumulators per block of at
/// most 128, added to the identity 0.
fn numpy_sum(values: &[f64]) -> f64 {
    fn pairwise(a: &[f64]) -> f64 {
        let n = a.len();
        if n < 8 {
            a.iter().fold(0.0, |s, v| s + v)
        } else if n <= 128 {
            let mut r = [0.0; 8];
            r.copy_from_slice(&a[..8]);
            let mut i = 8;
            while i < n - n % 8 {
                for (j, rj) in r.iter_mut().enumerate() {
                    *rj += a[i + j];
                }
                i += 8;
            }
            let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for v in &a[i..] {
                res += v;
            }
            res
        } else {
            let mut half = n / 2;
            half -= half % 8;
            pairwise(&a[..half]) + pairwise(&a[half..])
        }
    }
    0.0 + pairwise(values)
}

/// Shuffles each partition in turn with `rng` (flwr-datasets' final
/// `self._rng.shuffle(indices)` over the partitions in order).
fn shuffle_each(parts: &mut Partitions, rng: &mut imbalanced_random::Generator) {
    for p in parts.iter_mut() {
        rng.shuffle(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_splits_and_sums() {
        let v: Vec<usize> = (0..10).collect();
        assert_eq!(
            split_at_points(&v, &[3, 3, 12]),
            vec![&v[..3], &v[..0], &v[3..], &v[..0]]
        );
        assert_eq!(array_split(&v, 3), vec![&v[..4], &v[4..7], &v[7..]]);
        assert_eq!(array_split(&v[..2], 3), vec![&v[..1], &v[1..2], &v[..0]]);
        // 0.1 + 0.2 + 0.3 in NumPy's order: sequential below 8 values.
        assert_eq!(numpy_sum(&[0.1, 0.2, 0.3]), (0.1 + 0.2) + 0.3);
        let many: Vec<f64> = (1..=10).map(|i| 1.0 / i as f64).collect();
        let r = &many[..8];
        let want = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7])) + many[8] + many[9];
        assert_eq!(numpy_sum(&many), want);
    }

    proptest::proptest! {
        /// Partitions hold distinct rows of the input; those that deal out
        /// every row (IID, Dirichlet without a size floor, the growing
        /// sizes) cover them all; the same seed gives the same partitions.
        #[test]
        fn partitions_are_disjoint_rows_and_cover_what_they_deal(
            labels in proptest::collection::vec(0usize..5, 20..300),
            k in 1usize..8,
            seed in 0u64..1000,
            alpha in 0.05f64..5.0,
        ) {
            let column = Column::new(&labels, 5).unwrap();
            let n = labels.len();
            let covering: Vec<Box<dyn Partition>> = vec![
                Box::new(IidPartitioner { num_partitions: k }),
                Box::new(DirichletPartitioner {
                    num_partitions: k,
                    alpha: Alpha::Scalar(alpha),
                    min_partition_size: 0,
                    seed,
                    ..Default::default()
                }),
                Box::new(LinearPartitioner { num_partitions: k.min(n / 40).max(1) }),
            ];
            for p in &covering {
                let parts = p.partition(column).unwrap();
                let mut all: Vec<usize> = parts.iter().flatten().copied().collect();
                all.sort_unstable();
                proptest::prop_assert_eq!(all, (0..n).collect::<Vec<_>>());
                proptest::prop_assert_eq!(parts, p.partition(column).unwrap());
            }
            let shards = ShardPartitioner { num_partitions: k, num_shards_per_partition: Some(2), seed, ..Default::default() };
            if let Ok(parts) = shards.partition(column) {
                let mut all: Vec<usize> = parts.iter().flatten().copied().collect();
                let before = all.len();
                all.sort_unstable();
                all.dedup();
                proptest::prop_assert_eq!(all.len(), before);
                proptest::prop_assert!(all.iter().all(|&r| r < n));
            }
        }
    }

    #[test]
    fn bad_columns_and_alphas_are_refused() {
        assert!(Column::new(&[0, 3], 2).is_err());
        assert!(Alpha::Scalar(0.0).resolve(3, "partitions").is_err());
        assert!(Alpha::Scalar(f64::NAN).resolve(3, "partitions").is_err());
        assert!(Alpha::List(vec![1.0, 2.0]).resolve(3, "partitions").is_err());
        assert_eq!(Alpha::Scalar(0.5).resolve(2, "partitions").unwrap(), vec![0.5, 0.5]);
        assert!(check_partitions(0, 5).is_err());
        assert!(check_partitions(6, 5).is_err());
    }
}
