//! Under-samplers: keep a subset of the rows (prototype selection) or
//! replace a class by cluster centroids (prototype generation). The
//! output rows are grouped by class in sorted order, except for TomekLinks
//! and NeighbourhoodCleaningRule, which keep the input order.

mod cluster_centroids;
mod cnn;
mod enn;
mod instance_hardness;
mod ncr;
mod nearmiss;
mod random;
mod tomek;

pub use cluster_centroids::{ClusterCentroids, Voting};
pub use cnn::{CondensedNearestNeighbour, OneSidedSelection};
pub use enn::{AllKnn, EditedNearestNeighbours, KindSel, RepeatedEditedNearestNeighbours};
pub use instance_hardness::InstanceHardnessThreshold;
pub use ncr::NeighbourhoodCleaningRule;
pub use nearmiss::NearMiss;
pub use random::RandomUnderSampler;
pub use tomek::TomekLinks;
