//! flwr-datasets' `IidPartitioner`.

use imbalanced_catalog::Estimator;
use serde::{Deserialize, Serialize};

use super::{check_partitions, Column, Partition, PartitionError, Partitions};

/// Contiguous, near-equal shards in row order: flwr-datasets'
/// `IidPartitioner` (`dataset.shard(num_partitions, i, contiguous=True)`:
/// the first `rows % num_partitions` shards one row longer). IID as far
/// as the rows' order is random: shuffle the file first where it is not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "IidPartitioner", kind = "partitioner", aliases = ["iid"])]
pub struct IidPartitioner {
    /// Number of partitions. Default: 10.
    pub num_partitions: usize,
}

impl Default for IidPartitioner {
    fn default() -> Self {
        IidPartitioner { num_partitions: 10 }
    }
}

impl Partition for IidPartitioner {
    fn partition(&self, by: Column<'_>) -> Result<Partitions, PartitionError> {
        let (n, k) = (by.len(), self.num_partitions);
        check_partitions(k, n)?;
        let (each, extra) = (n / k, n % k);
        Ok((0..k)
            .map(|i| {
                let start = each * i + i.min(extra);
                (start..start + each + usize::from(i < extra)).collect()
            })
            .collect())
    }
}
