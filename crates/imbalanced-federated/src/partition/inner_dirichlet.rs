//! flwr-datasets' `InnerDirichletPartitioner`.

use imbalanced_catalog::Estimator;
use imbalanced_random::Generator;
use serde::{Deserialize, Serialize};

use super::{numpy_sum, shuffle_each, Alpha, Column, Partition, PartitionError, Partitions};

/// Partitions of given sizes whose class mixes follow per-partition
/// Dirichlet priors (Wang et al. 2020, FedMA): flwr-datasets'
/// `InnerDirichletPartitioner`.
///
/// Each partition draws a class prior `Dir(alpha)`. Then, one row at a time,
/// a random partition that still has room (drawn uniformly among those not
/// yet known full) draws a class from its prior and takes the last
/// remaining row of that class; an exhausted class is removed from every
/// prior (the priors renormalised) and the draw repeated. Classes are the
/// sorted distinct values of the column, which flwr-datasets requires to be
/// the labels `0..C`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "InnerDirichletPartitioner", kind = "partitioner", aliases = ["inner-dirichlet"])]
pub struct InnerDirichletPartitioner {
    /// Rows of each partition (their number is the number of partitions); at most the rows in all.
    /// Required.
    pub partition_sizes: Vec<usize>,
    /// The column split by (`null`: the class label). Default: `null`.
    pub partition_by: Option<String>,
    /// Concentration: one value, or one per class. Default: 0.5.
    pub alpha: Alpha,
    /// Shuffle the rows within each partition. Default: `true`.
    pub shuffle: bool,
    /// Seed of `np.random.default_rng`. Default: 42.
    pub seed: u64,
}

impl Default for InnerDirichletPartitioner {
    fn default() -> Self {
        InnerDirichletPartitioner {
            partition_sizes: Vec::new(),
            partition_by: None,
            alpha: Alpha::Scalar(0.5),
            shuffle: true,
            seed: 42,
        }
    }
}

impl Partition for InnerDirichletPartitioner {
    fn partition(&self, by: Column<'_>) -> Result<Partitions, PartitionError> {
        let sizes = &self.partition_sizes;
        let (n, k) = (by.len(), sizes.len());
        if k == 0 {
            return Err(PartitionError::Parameter(
                "partition_sizes is empty: give the rows of each partition, e.g. [100, 200, 300]".into(),
            ));
        }
        if k > n {
            return Err(PartitionError::Infeasible(format!(
                "{k} partitions of {n} rows: the number of partitions must not exceed the number of rows"
            )));
        }
        let total: usize = sizes.iter().sum();
        if total > n {
            return Err(PartitionError::Infeasible(format!(
                "partition_sizes sum to {total}, more than the {n} rows"
            )));
        }
        let classes = by.rows_by_value();
        let c = classes.len();
        let alpha = self.alpha.resolve(c, "classes")?;
        let mut rng = Generator::new(u128::from(self.seed));
        let mut priors: Vec<Vec<f64>> = (0..k)
            .map(|_| rng.dirichlet(&alpha))
            .collect::<Result<_, _>>()
            .map_err(|e| PartitionError::Parameter(e.to_string()))?;
        let mut left_in_class: Vec<usize> = classes.iter().map(Vec::len).collect();
        let mut parts: Partitions = sizes.iter().map(|&s| vec![0; s]).collect();
        let mut left = sizes.clone();
        let mut open: Vec<usize> = (0..k).collect();
        let mut to_place = total;
        while to_place > 0 {
            let pick = rng
                .choice(open.len(), 1, true, true)
                .expect("open is not empty while rows remain")[0];
            let id = open[pick];
            if left[id] == 0 {
                open.remove(pick);
                continue;
            }
            left[id] -= 1;
            to_place -= 1;
            loop {
                let class = rng.choice_p(&priors[id], 1).map_err(|_| exhausted(id))?[0];
                if left_in_class[class] == 0 {
                    for row in priors.iter_mut() {
                        row[class] = 0.0;
                        let sum = numpy_sum(row);
                        row.iter_mut().for_each(|v| *v /= sum);
                    }
                    continue;
                }
                left_in_class[class] -= 1;
                parts[id][left[id]] = classes[class][left_in_class[class]];
                break;
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

/// flwr-datasets fails there with NumPy's "probabilities contain NaN".
fn exhausted(id: usize) -> PartitionError {
    PartitionError::Infeasible(format!(
        "partition {id} still has room but every class its prior draws is used up: \
         lower its partition size or raise alpha"
    ))
}
