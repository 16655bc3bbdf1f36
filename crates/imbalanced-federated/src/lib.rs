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
//!
//! [`long_tail`]: the global long-tailed subsample (exponential or step
//! class counts) federated long-tail studies partition.
//!
//! [`simulate`]: an in-process federated simulation (FedAvg, FedProx,
//! FedAvgM, FedAdam, FedTrimmedAvg with Flower's parameters) of a softmax
//! model trained with any loss, clients in parallel, deterministic.
//!
//! [`experiment`]: the simulation on data files, with its test scores,
//! client fairness and the centralised baseline (`imbalanced federate`),
//! and its HTML [`report`].
//!
//! [`files`]: a dataset's split ([`partition_dataset`]), described per
//! client ([`Split`]), written as one data file per client with a
//! manifest, and drawn as a clients x classes heat map: what `imbalanced
//! partition` does.

#![deny(unsafe_code)]

pub mod experiment;
pub mod files;
pub mod long_tail;
pub mod partition;
pub mod report;
pub mod simulate;

pub use experiment::{federate, Experiment};
pub use files::{partition_dataset, Client, FederatedError, Split};
pub use long_tail::{LongTail, Profile};
pub use partition::{Column, Partition, PartitionError, Partitions, PARTITIONERS};
pub use simulate::{
    ClassStats, Fairness, GlobalPrototypes, History, ModelSpec, Network, Prototypes, Round, Rows, Simulation, Strategy,
};
