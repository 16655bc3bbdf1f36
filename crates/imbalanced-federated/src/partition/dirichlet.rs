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

impl DirichletPartitioner {
    /// Where each class is cut: per class (sizes `class_sizes`, in the
    /// order of the sorted values), the `num_partitions - 1` cumulative row
    /// counts at which its rows pass to the next partition. The partition's
    /// draws, without the rows: a table too large for memory is partitioned
    /// from its class counts (`imbalanced-datafusion`), with the counts
    /// flwr-datasets gives for the same seed.
    pub fn cut_points(&self, class_sizes: &[usize]) -> Result<Vec<Vec<usize>>, PartitionError> {
        self.draw_cuts(class_sizes, &mut Generator::new(u128::from(self.seed)))
    }

    /// [`DirichletPartitioner::cut_points`] with `rng`, which the caller
    /// goes on with.
    fn draw_cuts(&self, class_sizes: &[usize], rng: &mut Generator) -> Result<Vec<Vec<usize>>, PartitionError> {
        let (n, k) = (class_sizes.iter().sum::<usize>(), self.num_partitions);
        check_partitions(k, n)?;
        let alpha = self.alpha.resolve(k, "partitions")?;
        let average = n as f64 / k as f64;
        for attempt in 0..=MAX_REDRAWS {
            let mut sizes = vec![0usize; k];
            let mut cuts = Vec::with_capacity(class_sizes.len());
            for &rows in class_sizes {
                let mut proportions = rng
                    .dirichlet(&alpha)
                    .map_err(|e| PartitionError::Parameter(e.to_string()))?;
                if self.self_balancing {
                    for (p, &size) in proportions.iter_mut().zip(&sizes) {
                        if size as f64 > average {
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
                        (cumulative * rows as f64) as usize
                    })
                    .collect();
                // np.split's runs: from each point (capped at the rows) to the next.
                let mut start = 0;
                for (size, end) in sizes.iter_mut().zip(points.iter().copied().chain([rows])) {
                    let end = end.clamp(start, rows);
                    *size += end - start;
                    start = end;
                }
                cuts.push(points);
            }
            let smallest = sizes.iter().copied().min().unwrap_or(0);
            if smallest >= self.min_partition_size {
                return Ok(cuts);
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
        }
        unreachable!("the last attempt returns")
    }
}

impl Partition for DirichletPartitioner {
    fn partition(&self, by: Column<'_>) -> Result<Partitions, PartitionError> {
        let classes = by.rows_by_value();
        let sizes: Vec<usize> = classes.iter().map(Vec::len).collect();
        let mut rng = Generator::new(u128::from(self.seed));
        let cuts = self.draw_cuts(&sizes, &mut rng)?;
        let mut parts: Partitions = vec![Vec::new(); self.num_partitions];
        for (rows, points) in classes.iter().zip(&cuts) {
            for (part, run) in parts.iter_mut().zip(split_at_points(rows, points)) {
                part.extend_from_slice(run);
            }
        }
        if self.shuffle {
            shuffle_each(&mut parts, &mut rng);
        }
        Ok(parts)
    }

    fn partition_by(&self) -> Option<&str> {
        self.partition_by.as_deref()
    }
}
