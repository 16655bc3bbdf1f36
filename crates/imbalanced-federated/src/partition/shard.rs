//! flwr-datasets' `ShardPartitioner`.

use imbalanced_catalog::Estimator;
use imbalanced_random::Generator;
use serde::{Deserialize, Serialize};

use super::{check_partitions, shuffle_each, split_at_points, Column, Partition, PartitionError, Partitions};

/// Label-sorted shards dealt to partitions (McMahan et al. 2017's
/// non-IID MNIST split): flwr-datasets' `ShardPartitioner`.
///
/// The rows are sorted by the column (stably) and cut into shards of
/// `shard_size` consecutive rows; a random permutation of the usable shards
/// is dealt out, `num_shards_per_partition` to each partition (or, without
/// it, as many as fit, the first partitions one more). Give
/// `num_shards_per_partition`, `shard_size`, or both; with
/// `num_shards_per_partition` alone the shard size is the rows over all
/// shards, and `keep_incomplete_shard` keeps the last, shorter shard. As in
/// flwr-datasets, neither has a default: give at least one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "ShardPartitioner", kind = "partitioner", aliases = ["shard", "shards"])]
pub struct ShardPartitioner {
    /// Number of partitions. Default: 10.
    pub num_partitions: usize,
    /// The column split by (`null`: the class label). Default: `null`.
    pub partition_by: Option<String>,
    /// Shards each partition gets (`null`: as many as `shard_size` allows). Default: `null`.
    pub num_shards_per_partition: Option<usize>,
    /// Rows per shard (`null`: the rows over all shards). Default: `null`.
    pub shard_size: Option<usize>,
    /// Keep the last shard when it is shorter than `shard_size`. Default: `false`.
    pub keep_incomplete_shard: bool,
    /// Shuffle the rows within each partition. Default: `true`.
    pub shuffle: bool,
    /// Seed of `np.random.default_rng`. Default: 42.
    pub seed: u64,
}

impl Default for ShardPartitioner {
    fn default() -> Self {
        ShardPartitioner {
            num_partitions: 10,
            partition_by: None,
            num_shards_per_partition: None,
            shard_size: None,
            keep_incomplete_shard: false,
            shuffle: true,
            seed: 42,
        }
    }
}

impl ShardPartitioner {
    /// (shard size, shards used, shards usable, shards per partition).
    fn plan(&self, n: usize) -> Result<(usize, usize, usize, Vec<usize>), PartitionError> {
        let k = self.num_partitions;
        let bad = |m: &str| Err(PartitionError::Parameter(m.into()));
        if self.num_shards_per_partition == Some(0) {
            return bad("num_shards_per_partition must be at least 1");
        }
        if self.shard_size == Some(0) {
            return bad("shard_size must be at least 1");
        }
        let floor = |size: usize| n / size;
        let ceil = |size: usize| n.div_ceil(size);
        match (self.num_shards_per_partition, self.shard_size) {
            (Some(per), given) => {
                let used = k * per;
                let size = match given {
                    Some(s) => {
                        if s * per * k > n {
                            return Err(PartitionError::Infeasible(format!(
                                "{k} partitions x {per} shards x {s} rows need {} rows, more than the {n} given",
                                s * per * k
                            )));
                        }
                        s
                    }
                    None => n / used,
                };
                if size == 0 {
                    return Err(PartitionError::Infeasible(format!(
                        "{used} shards of {n} rows would be empty: lower num_partitions or num_shards_per_partition"
                    )));
                }
                let usable = if given.is_none() && self.keep_incomplete_shard {
                    ceil(size)
                } else {
                    floor(size)
                };
                Ok((size, used, usable, vec![per; k]))
            }
            (None, None) => bad("give shard_size when num_shards_per_partition is null"),
            (None, Some(size)) => {
                let used = if self.keep_incomplete_shard {
                    ceil(size)
                } else {
                    floor(size)
                };
                if self.keep_incomplete_shard && used < k {
                    return Err(PartitionError::Infeasible(format!(
                        "{used} shards for {k} partitions would leave some empty: lower shard_size"
                    )));
                }
                let per = used / k;
                let extra = used - k * per;
                Ok((size, used, used, (0..k).map(|i| per + usize::from(i < extra)).collect()))
            }
        }
    }
}

impl Partition for ShardPartitioner {
    fn partition(&self, by: Column<'_>) -> Result<Partitions, PartitionError> {
        let (n, k) = (by.len(), self.num_partitions);
        check_partitions(k, n)?;
        let (size, used, usable, per_partition) = self.plan(n)?;
        if usable < k {
            return Err(PartitionError::Infeasible(format!(
                "{usable} usable shards for {k} partitions would leave some empty: lower shard_size or num_partitions"
            )));
        }
        // The rows sorted by the column, ties in row order (a stable sort,
        // as `dataset.sort(partition_by)`); shards are runs of this order.
        let mut sorted: Vec<usize> = (0..n).collect();
        sorted.sort_by_key(|&i| by.codes[i]);
        let mut rng = Generator::new(u128::from(self.seed));
        let mut shards = rng.permutation(usable);
        shards.truncate(used);
        let mut at = 0;
        let points: Vec<usize> = per_partition
            .iter()
            .map(|p| {
                at += p;
                at
            })
            .collect();
        let mut parts: Partitions = split_at_points(&shards, &points)
            .into_iter()
            .take(k)
            .map(|dealt| dealt.iter().flat_map(|&s| s * size..((s + 1) * size).min(n)).collect())
            .collect();
        if self.shuffle {
            shuffle_each(&mut parts, &mut rng);
        }
        for part in &mut parts {
            part.iter_mut().for_each(|p| *p = sorted[*p]);
        }
        Ok(parts)
    }

    fn partition_by(&self) -> Option<&str> {
        self.partition_by.as_deref()
    }
}
