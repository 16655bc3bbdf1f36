//! Federated learning on imbalanced data: how rows are spread over clients.
//!
//! [`partition`]: flwr-datasets 0.6.1's partitioners (`IidPartitioner`,
//! `DirichletPartitioner`, `InnerDirichletPartitioner`,
//! `PathologicalPartitioner`, `ShardPartitioner`, `LinearPartitioner`,
//! `SquarePartitioner`, `ExponentialPartitioner`, `SizePartitioner`,
//! `NaturalIdPartitioner`) with their parameter names, defaults and
//! algorithms, drawing from NumPy's `Generator`
//! ([`imbalanced_random::Generator`]) as they do, so that the same seed gives
//! the same partitions (tested against fixtures from flwr-datasets).

#![forbid(unsafe_code)]

pub mod partition;

pub use partition::{Column, Partition, PartitionError, Partitions, PARTITIONERS};
