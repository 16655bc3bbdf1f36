//! flwr-datasets' `PathologicalPartitioner`.

use imbalanced_catalog::Estimator;
use imbalanced_random::Generator;
use serde::{Deserialize, Serialize};

use super::{array_split, check_partitions, shuffle_each, Column, Partition, PartitionError, Partitions};

/// How [`PathologicalPartitioner`] gives classes to partitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClassAssignmentMode {
    /// `num_classes_per_partition` distinct classes drawn at random.
    #[default]
    Random,
    /// Partition `i` takes classes `i, i + 1, ...` (modulo the classes).
    Deterministic,
    /// Partition `i` takes class `i` (modulo the classes), then random others.
    FirstDeterministic,
}

/// Each partition holds rows of only a few classes (McMahan et al. 2017's
/// pathological non-IID split): flwr-datasets' `PathologicalPartitioner`.
///
/// Every partition is given `num_classes_per_partition` classes (see
/// [`ClassAssignmentMode`]); each class's rows (in row order) are then split
/// into as many near-equal runs as partitions hold it, given to them in
/// partition order. Classes no partition draws are left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "PathologicalPartitioner", kind = "partitioner", aliases = ["pathological"])]
pub struct PathologicalPartitioner {
    /// Number of partitions. Default: 10.
    pub num_partitions: usize,
    /// The column split by (`null`: the class label). Default: `null`.
    pub partition_by: Option<String>,
    /// Classes each partition holds. Default: 2.
    pub num_classes_per_partition: usize,
    /// `random`, `deterministic` or `first-deterministic`. Default: `random`.
    pub class_assignment_mode: ClassAssignmentMode,
    /// Shuffle the rows within each partition. Default: `true`.
    pub shuffle: bool,
    /// Seed of `np.random.default_rng`. Default: 42.
    pub seed: u64,
}

impl Default for PathologicalPartitioner {
    fn default() -> Self {
        PathologicalPartitioner {
            num_partitions: 10,
            partition_by: None,
            num_classes_per_partition: 2,
            class_assignment_mode: ClassAssignmentMode::Random,
            shuffle: true,
            seed: 42,
        }
    }
}

impl PathologicalPartitioner {
    /// The classes (indices into the sorted classes) of each partition.
    fn assign(&self, n_classes: usize, rng: &mut Generator) -> Vec<Vec<usize>> {
        let (k, m) = (self.num_partitions, self.num_classes_per_partition);
        match self.class_assignment_mode {
            ClassAssignmentMode::FirstDeterministic => (0..k)
                .map(|id| {
                    let mut classes = vec![id % n_classes];
                    while classes.len() < m {
                        let c = rng.choice(n_classes, 1, true, true).expect("classes exist")[0];
                        if !classes.contains(&c) {
                            classes.push(c);
                        }
                    }
                    classes
                })
                .collect(),
            ClassAssignmentMode::Deterministic => (0..k)
                .map(|id| (0..m).map(|i| (id + i) % n_classes).collect())
                .collect(),
            ClassAssignmentMode::Random => (0..k)
                .map(|_| rng.choice(n_classes, m, false, true).expect("m <= classes, checked"))
                .collect(),
        }
    }
}

impl Partition for PathologicalPartitioner {
    fn partition(&self, by: Column<'_>) -> Result<Partitions, PartitionError> {
        let k = self.num_partitions;
        check_partitions(k, by.len())?;
        let classes = by.rows_by_value();
        let m = self.num_classes_per_partition;
        if m == 0 || m > classes.len() {
            return Err(PartitionError::Parameter(format!(
                "num_classes_per_partition = {m} with {} classes: give 1 to {}",
                classes.len(),
                classes.len()
            )));
        }
        let mut rng = Generator::new(u128::from(self.seed));
        let assigned = self.assign(classes.len(), &mut rng);
        let mut holders = vec![0usize; classes.len()];
        assigned.iter().flatten().for_each(|&c| holders[c] += 1);
        for (c, (&h, rows)) in holders.iter().zip(&classes).enumerate() {
            if h > rows.len() {
                return Err(PartitionError::Infeasible(format!(
                    "class {c} (in sorted order) must go to {h} partitions but has {} rows: lower num_partitions \
                     or num_classes_per_partition, or use class_assignment_mode=deterministic",
                    rows.len()
                )));
            }
        }
        let mut parts: Partitions = vec![Vec::new(); k];
        for (c, rows) in classes.iter().enumerate() {
            if holders[c] == 0 {
                continue;
            }
            let runs = array_split(rows, holders[c]);
            let mut next = 0;
            for (part, classes_of_part) in parts.iter_mut().zip(&assigned) {
                if classes_of_part.contains(&c) {
                    part.extend_from_slice(runs[next]);
                    next += 1;
                }
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
