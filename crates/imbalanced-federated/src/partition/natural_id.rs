//! flwr-datasets' `NaturalIdPartitioner`.

use imbalanced_catalog::Estimator;
use serde::{Deserialize, Serialize};

use super::{Column, Partition, PartitionError, Partitions};

/// One partition per distinct value of a column of client ids (a user, a
/// hospital, a device), in the ids' sorted order, each with its rows in
/// order: flwr-datasets' `NaturalIdPartitioner`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "NaturalIdPartitioner", kind = "partitioner", aliases = ["natural-id", "natural"])]
pub struct NaturalIdPartitioner {
    /// The column of client ids. Required (`null` is refused: the class label is no client id).
    pub partition_by: Option<String>,
}

impl Partition for NaturalIdPartitioner {
    fn partition(&self, by: Column<'_>) -> Result<Partitions, PartitionError> {
        if self.partition_by.is_none() {
            return Err(PartitionError::Parameter(
                "NaturalIdPartitioner needs partition_by: the column of client ids".into(),
            ));
        }
        Ok(by.rows_by_value())
    }

    fn partition_by(&self) -> Option<&str> {
        self.partition_by.as_deref()
    }
}
