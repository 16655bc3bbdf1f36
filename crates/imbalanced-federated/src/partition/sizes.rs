//! flwr-datasets' partitioners of given or growing sizes: `SizePartitioner`,
//! and the `IdToSizeFncPartitioner`s `LinearPartitioner`,
//! `SquarePartitioner` and `ExponentialPartitioner`.

use imbalanced_catalog::Estimator;
use serde::{Deserialize, Serialize};

use super::{numpy_sum, Column, Partition, PartitionError, Partitions};

/// Consecutive runs of rows with sizes in proportion to `f(1), ..., f(K)`:
/// flwr-datasets' `IdToSizeFncPartitioner` (each size the floor of its
/// share of the rows, the last one taking what the floors leave).
fn sized_by(rows: usize, num_partitions: usize, f: impl Fn(f64) -> f64) -> Result<Partitions, PartitionError> {
    if num_partitions == 0 {
        return Err(PartitionError::Parameter(
            "num_partitions must be greater than zero".into(),
        ));
    }
    // np.linspace(1, K, K): the integers 1..=K, exactly.
    let units: Vec<f64> = (1..=num_partitions).map(|i| f(i as f64)).collect();
    let total = numpy_sum(&units);
    let mut sizes: Vec<usize> = units.iter().map(|u| (u / total * rows as f64) as usize).collect();
    let assigned: usize = sizes.iter().sum();
    if let Some(last) = sizes.last_mut() {
        *last += rows.saturating_sub(assigned);
    }
    if let Some(i) = sizes.iter().position(|&s| s == 0) {
        return Err(PartitionError::Infeasible(format!(
            "{num_partitions} partitions of {rows} rows leave partition {i} empty: lower num_partitions"
        )));
    }
    Ok(consecutive(&sizes))
}

/// Runs of `sizes` consecutive rows from row 0.
fn consecutive(sizes: &[usize]) -> Partitions {
    let mut start = 0;
    sizes
        .iter()
        .map(|&s| {
            start += s;
            (start - s..start).collect()
        })
        .collect()
}

/// Partition `i` (from 1) gets rows in proportion to `i`: flwr-datasets'
/// `LinearPartitioner`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "LinearPartitioner", kind = "partitioner", aliases = ["linear"])]
pub struct LinearPartitioner {
    /// Number of partitions. Default: 10.
    pub num_partitions: usize,
}

/// Partition `i` (from 1) gets rows in proportion to `i²`: flwr-datasets'
/// `SquarePartitioner`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "SquarePartitioner", kind = "partitioner", aliases = ["square"])]
pub struct SquarePartitioner {
    /// Number of partitions. Default: 10.
    pub num_partitions: usize,
}

/// Partition `i` (from 1) gets rows in proportion to `exp(i)`:
/// flwr-datasets' `ExponentialPartitioner`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "ExponentialPartitioner", kind = "partitioner", aliases = ["exponential"])]
pub struct ExponentialPartitioner {
    /// Number of partitions. Default: 10.
    pub num_partitions: usize,
}

impl Default for LinearPartitioner {
    fn default() -> Self {
        LinearPartitioner { num_partitions: 10 }
    }
}

impl Default for SquarePartitioner {
    fn default() -> Self {
        SquarePartitioner { num_partitions: 10 }
    }
}

impl Default for ExponentialPartitioner {
    fn default() -> Self {
        ExponentialPartitioner { num_partitions: 10 }
    }
}

impl Partition for LinearPartitioner {
    fn partition(&self, by: Column<'_>) -> Result<Partitions, PartitionError> {
        sized_by(by.len(), self.num_partitions, |x| x)
    }
}

impl Partition for SquarePartitioner {
    fn partition(&self, by: Column<'_>) -> Result<Partitions, PartitionError> {
        sized_by(by.len(), self.num_partitions, |x| x * x)
    }
}

impl Partition for ExponentialPartitioner {
    fn partition(&self, by: Column<'_>) -> Result<Partitions, PartitionError> {
        sized_by(by.len(), self.num_partitions, f64::exp)
    }
}

/// Consecutive runs of the given sizes from the first row:
/// flwr-datasets' `SizePartitioner` (rows past their sum are left out).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "SizePartitioner", kind = "partitioner", aliases = ["size", "sizes"])]
pub struct SizePartitioner {
    /// Rows of each partition, each at least 1, summing to at most the rows. Required.
    pub partition_sizes: Vec<usize>,
}

impl Partition for SizePartitioner {
    fn partition(&self, by: Column<'_>) -> Result<Partitions, PartitionError> {
        let sizes = &self.partition_sizes;
        if sizes.is_empty() || sizes.contains(&0) {
            return Err(PartitionError::Parameter(
                "partition_sizes must be a non-empty list of sizes of at least 1".into(),
            ));
        }
        let total: usize = sizes.iter().sum();
        if total > by.len() {
            return Err(PartitionError::Infeasible(format!(
                "partition_sizes sum to {total}, more than the {} rows",
                by.len()
            )));
        }
        Ok(consecutive(sizes))
    }
}
