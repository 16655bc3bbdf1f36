//! flwr-datasets' `DirichletPartitioner`.

use imbalanced_catalog::Estimator;
use imbalanced_random::Generator;
use serde::{Deserialize, Serialize};

use super::{check_partitions, shuffle_each, split_at_points, Alpha, Column, Partition, PartitionError, Partitions};

/// Label skew by Dirichlet proportions (Yurochkin et al. 2019; Hsu et al.
/// 2019): flwr-datasets' `DirichletPartitioner`.
///
/// For each class in sorted order, proportions `p ~ Dir(alpha)` over the
/// partitions split the class's rows (in row order) at
/// `floor(cumsum(p) * rows_of_class)`. With `self_balancing`, partitions
/// already above the average size get no share of the class (the others'
/// proportions renormalised). While the smallest partition has fewer than
/// `min_partition_size` rows the whole draw is repeated, at most 10 more
/// times, then it is an error. Small alpha: few classes per client; large
/// alpha: near IID.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "DirichletPartitioner", kind = "partitioner", aliases = ["dirichlet", "dir"])]
pub struct DirichletPartitioner {
    /// Number of partitions. Default: 10.
    pub num_partitions: usize,
    /// The column split by (`null`: the class label). Default: `null`.
    pub partition_by: Option<String>,
    /// Concentration: one value, or one per partition. Default: 0.5.
    pub alpha: Alpha,
    /// Fewest rows a partition may get before the draw is repeated. Default: 10.
    pub min_partition_size: usize,
    /// Give no more rows of a class to partitions above the average size. Default: `false`.
    pub self_balancing: bool,
    /// Shuffle the rows within each partition. Default: `true`.
    pub shuffle: bool,
    /// Seed of `np.random.default_rng`. Default: 42.
    pub seed: u64,
}

impl Default for DirichletPartitioner {
    fn default() -> Self {
        DirichletPartitioner {
            num_partitions: 10,
            partition_by: None,
            alpha: Alpha::Scalar(0.5),
            min_partition_size: 10,
            self_balancing: false,
            shuffle: true,
            seed: 42,
        }
    }
}

/// flwr-datasets' redraws after the first draw before it gives up.
const MAX_REDRAWS: usize = 10;

impl Partition for DirichletPartitioner {
    fn partition(&self, by: Column<'_>) -> Result<Partitions, PartitionError> {
        let (n, k) = (by.len(), self.num_partitions);
        check_partitions(k, n)?;
        let alpha = self.alpha.resolve(k, "partitions")?;
        let mut rng = Generator::new(u128::from(self.seed));
        let classes = by.rows_by_value();
        let average = n as f64 / k as f64;
        let mut attempt = 0;
        let mut parts = loop {
            let mut parts: Partitions = vec![Vec::new(); k];
            for rows in &classes {
                let mut proportions = rng
                    .dirichlet(&alpha)
                    .map_err(|e| PartitionError::Parameter(e.to_string()))?;
                if self.self_balancing {
                    for (p, part) in proportions.iter_mut().zip(&parts) {
                        if part.len() as f64 > average {
                            *p = 0.0;
                        }
                    }
                    let total = proportions.iter().fold(0.0, |s, p| s + p);
                    if total.is_nan() || total <= 0.0 {
                        return Err(PartitionError::Infeasible(
                            "self_balancing left no partition to take a class (every one is above the average \
                             size): use self_balancing=false or more partitions"
                                .into(),
                        ));
                    }
                    proportions.iter_mut().for_each(|p| *p /= total);
                }
                let mut cumulative = 0.0;
                let points: Vec<usize> = proportions[..k - 1]
                    .iter()
                    .map(|p| {
                        cumulative += p;
                        (cumulative * rows.len() as f64) as usize
                    })
                    .collect();
                for (part, run) in parts.iter_mut().zip(split_at_points(rows, &points)) {
                    part.extend_from_slice(run);
                }
            }
            let smallest = parts.iter().map(Vec::len).min().unwrap_or(0);
            if smallest >= self.min_partition_size {
                break parts;
            }
            if attempt == MAX_REDRAWS {
                return Err(PartitionError::Infeasible(format!(
                    "min_partition_size = {} not reached after {} draws from the Dirichlet distribution \
                     (the smallest partition had {smallest} rows): raise alpha, or lower min_partition_size \
                     or num_partitions",
                    self.min_partition_size,
                    MAX_REDRAWS + 1
                )));
            }
            attempt += 1;
        };
        if self.shuffle {
            shuffle_each(&mut parts, &mut rng);
        }
        Ok(parts)
    }

    fn partition_by(&self) -> Option<&str> {
        self.partition_by.as_deref()
    }
}
