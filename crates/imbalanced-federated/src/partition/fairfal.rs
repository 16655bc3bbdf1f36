//! FairFAL's (Zong & Huang, CVPR 2026) balanced partitions: every client
//! the same number of rows, so that annotation costs are fair.
//!
//! Our formulation of the paper code's `dir_balance` and `shard_balance`:
//! the same steps, drawing from NumPy's `default_rng(seed)` where that code
//! draws from torch's, Python's and NumPy's legacy generators (so the same
//! seed does not give the code's partitions; the invariants do hold, and
//! are tested).

use imbalanced_catalog::Estimator;
use imbalanced_random::Generator;
use serde::{Deserialize, Serialize};

use super::{check_partitions, Column, Partition, PartitionError, Partitions};

/// Dirichlet label skew with equal client sizes: FairFAL's `dir_balance`
/// (our formulation).
///
/// A `K x C` matrix of `Dir(alpha)` rows, normalised five times by rows
/// then columns; each class's rows are dealt in proportion to its column
/// by largest remainders; then rows move between clients, class by class,
/// from the clients with the most rows above their quota to those with the
/// most below, until every client has `floor(N / K)` rows or one more (the
/// first `N mod K` clients one more). Each class's rows are shuffled before
/// they are dealt. [`DirBalancePartitioner::partition_like`] deals a test
/// split by the proportions of a training split, as FairFAL does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "DirBalancePartitioner", kind = "partitioner", aliases = ["dir-balance", "dir_balance"])]
pub struct DirBalancePartitioner {
    /// Number of partitions (clients). Default: 10.
    pub num_partitions: usize,
    /// The column split by (`null`: the class label). Default: `null`.
    pub partition_by: Option<String>,
    /// Dirichlet concentration (FairFAL's `dd_beta`). Default: 0.1.
    pub alpha: f64,
    /// Seed of `np.random.default_rng`. Default: 42.
    pub seed: u64,
}

impl Default for DirBalancePartitioner {
    fn default() -> Self {
        DirBalancePartitioner {
            num_partitions: 10,
            partition_by: None,
            alpha: 0.1,
            seed: 42,
        }
    }
}

/// Per client and class, its share of the class's rows (`x[i][j] / n_j`):
/// what a test split is dealt by.
pub type Proportions = Vec<Vec<f64>>;

impl DirBalancePartitioner {
    /// The partitions, and each client's share of each class (for
    /// [`DirBalancePartitioner::partition_like`]).
    pub fn partition_with_proportions(&self, by: Column<'_>) -> Result<(Partitions, Proportions), PartitionError> {
        if !(self.alpha > 0.0 && self.alpha.is_finite()) {
            return Err(PartitionError::Parameter(format!(
                "alpha = {}: the Dirichlet concentration must be greater than zero",
                self.alpha
            )));
        }
        let (k, c) = (self.num_partitions, by.n_values);
        check_partitions(k, by.len())?;
        let mut rng = Generator::new(u128::from(self.seed));
        let mut p: Vec<Vec<f64>> = (0..k)
            .map(|_| rng.dirichlet(&vec![self.alpha; c]))
            .collect::<Result<_, _>>()
            .map_err(|e| PartitionError::Parameter(e.to_string()))?;
        for _ in 0..5 {
            for row in p.iter_mut() {
                let sum: f64 = row.iter().sum::<f64>() + 1e-12;
                row.iter_mut().for_each(|v| *v /= sum);
            }
            for j in 0..c {
                let sum: f64 = p.iter().map(|row| row[j]).sum::<f64>() + 1e-12;
                p.iter_mut().for_each(|row| row[j] /= sum);
            }
        }
        deal(by, &p, &mut rng)
    }

    /// A second split (a test set) dealt by the proportions of the first:
    /// client `i` gets about `proportions[i][j]` of class `j`'s rows, the
    /// client sizes balanced as in training.
    pub fn partition_like(&self, by: Column<'_>, proportions: &Proportions) -> Result<Partitions, PartitionError> {
        let (k, c) = (self.num_partitions, by.n_values);
        check_partitions(k, by.len())?;
        if proportions.len() != k || proportions.iter().any(|row| row.len() != c) {
            return Err(PartitionError::Parameter(format!(
                "proportions of {} clients x {} classes for {k} clients x {c} classes: split the training \
                 data with the same partitioner and classes first",
                proportions.len(),
                proportions.first().map_or(0, Vec::len)
            )));
        }
        let mut rng = Generator::new(u128::from(self.seed));
        Ok(deal(by, proportions, &mut rng)?.0)
    }
}

impl Partition for DirBalancePartitioner {
    fn partition(&self, by: Column<'_>) -> Result<Partitions, PartitionError> {
        Ok(self.partition_with_proportions(by)?.0)
    }

    fn partition_by(&self) -> Option<&str> {
        self.partition_by.as_deref()
    }
}

/// FairFAL's dealing: counts per client and class from the columns of `p`
/// (largest remainders), balanced to equal client sizes, then each class's
/// shuffled rows handed out in client order.
fn deal(by: Column<'_>, p: &[Vec<f64>], rng: &mut Generator) -> Result<(Partitions, Proportions), PartitionError> {
    let (k, c, n) = (p.len(), by.n_values, by.len());
    let mut rows_of = vec![Vec::new(); c];
    for (i, &code) in by.codes.iter().enumerate() {
        rows_of[code].push(i);
    }
    let mut x = vec![vec![0usize; c]; k];
    for (j, rows) in rows_of.iter().enumerate() {
        let n_j = rows.len();
        if n_j == 0 {
            continue;
        }
        let mut col: Vec<f64> = p.iter().map(|row| row[j].max(0.0)).collect();
        if col.iter().sum::<f64>() <= 0.0 {
            col = vec![1.0 / k as f64; k];
        }
        let sum = col.iter().sum::<f64>() + 1e-12;
        let real: Vec<f64> = col.iter().map(|v| v / sum * n_j as f64).collect();
        let mut base: Vec<usize> = real.iter().map(|r| r.floor() as usize).collect();
        let mut remain = n_j - base.iter().sum::<usize>().min(n_j);
        let mut by_fraction: Vec<usize> = (0..k).collect();
        by_fraction.sort_by(|&a, &b| (real[b] - base[b] as f64).total_cmp(&(real[a] - base[a] as f64)));
        for &i in by_fraction.iter().cycle() {
            if remain == 0 {
                break;
            }
            base[i] += 1;
            remain -= 1;
        }
        for (xi, b) in x.iter_mut().zip(base) {
            xi[j] = b;
        }
    }
    balance(&mut x, n);
    let mut parts: Partitions = vec![Vec::new(); k];
    for (j, rows) in rows_of.iter_mut().enumerate() {
        rng.shuffle(rows);
        let mut start = 0;
        for (part, xi) in parts.iter_mut().zip(&x) {
            part.extend_from_slice(&rows[start..start + xi[j]]);
            start += xi[j];
        }
    }
    let proportions = x
        .iter()
        .map(|xi| {
            xi.iter()
                .zip(&rows_of)
                .map(|(&v, r)| v as f64 / r.len().max(1) as f64)
                .collect()
        })
        .collect();
    Ok((parts, proportions))
}

/// FairFAL's moves: while some client is above its quota and some below,
/// for each class, the clients below (largest deficit first) take the
/// class's rows from those above (largest surplus in the class first).
fn balance(x: &mut [Vec<usize>], n: usize) {
    let (k, c) = (x.len(), x.first().map_or(0, Vec::len));
    let quota = |i: usize| (n / k + usize::from(i < n % k)) as i64;
    let mut deficit: Vec<i64> = (0..k).map(|i| quota(i) - x[i].iter().sum::<usize>() as i64).collect();
    loop {
        let mut more: Vec<usize> = (0..k).filter(|&i| deficit[i] > 0).collect();
        more.sort_by_key(|&i| -deficit[i]);
        let mut less: Vec<usize> = (0..k).filter(|&i| deficit[i] < 0).collect();
        less.sort_by_key(|&i| deficit[i]);
        if more.is_empty() || less.is_empty() {
            return;
        }
        let mut progressed = false;
        // `j` picks the class's count in every client's row of `x`.
        #[allow(clippy::needless_range_loop)]
        for j in 0..c {
            let receivers: Vec<usize> = more.iter().copied().filter(|&d| deficit[d] > 0).collect();
            let mut supply: Vec<(usize, i64)> = less
                .iter()
                .filter(|&&s| x[s][j] > 0 && deficit[s] < 0)
                .map(|&s| (s, (x[s][j] as i64).min(-deficit[s])))
                .collect();
            let total_supply: i64 = supply.iter().map(|s| s.1).sum();
            let mut move_all = total_supply.min(receivers.iter().map(|&d| deficit[d]).sum());
            for d in receivers {
                let mut take = deficit[d];
                supply.sort_by_key(|s| -s.1);
                for (s, can) in supply.iter_mut() {
                    let t = (*can).min(take).min(move_all);
                    if t <= 0 {
                        continue;
                    }
                    x[*s][j] -= t as usize;
                    x[d][j] += t as usize;
                    *can -= t;
                    deficit[*s] += t;
                    deficit[d] -= t;
                    move_all -= t;
                    take -= t;
                    progressed = true;
                }
            }
        }
        if !progressed {
            return;
        }
    }
}

/// Each client holds `num_classes_per_partition` classes, each class's rows
/// split evenly among the clients that hold it: FairFAL's `shard_balance`
/// (our formulation).
///
/// The classes form a bag holding each class `num_classes_per_partition`
/// times; each client in turn draws distinct classes from the bag (drawing
/// again on a repeat) and removes them; then each client takes, for each of
/// its classes, `floor(rows of the class / num_classes_per_partition)`
/// random rows of those left. Needs at most as many clients as classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "ShardBalancePartitioner", kind = "partitioner", aliases = ["shard-balance", "shard_balance"])]
pub struct ShardBalancePartitioner {
    /// Number of partitions (clients), at most the number of classes. Default: 10.
    pub num_partitions: usize,
    /// The column split by (`null`: the class label). Default: `null`.
    pub partition_by: Option<String>,
    /// Classes each client holds. Default: 2.
    pub num_classes_per_partition: usize,
    /// Seed of `np.random.default_rng`. Default: 42.
    pub seed: u64,
}

impl Default for ShardBalancePartitioner {
    fn default() -> Self {
        ShardBalancePartitioner {
            num_partitions: 10,
            partition_by: None,
            num_classes_per_partition: 2,
            seed: 42,
        }
    }
}

impl Partition for ShardBalancePartitioner {
    fn partition(&self, by: Column<'_>) -> Result<Partitions, PartitionError> {
        let (k, m) = (self.num_partitions, self.num_classes_per_partition);
        check_partitions(k, by.len())?;
        let mut rows_of = vec![Vec::new(); by.n_values];
        for (i, &code) in by.codes.iter().enumerate() {
            rows_of[code].push(i);
        }
        let c = rows_of.len();
        if m == 0 || m > c || k > c {
            return Err(PartitionError::Parameter(format!(
                "{k} clients of {m} classes each from {c} classes: give num_classes_per_partition from 1 to {c} \
                 and at most {c} clients"
            )));
        }
        let mut rng = Generator::new(u128::from(self.seed));
        let mut bag: Vec<usize> = (0..m).flat_map(|_| 0..c).collect();
        let mut classes_of = Vec::with_capacity(k);
        for client in 0..k {
            let mut mine: Vec<usize> = Vec::with_capacity(m);
            while mine.len() < m {
                let distinct_left = bag.iter().filter(|l| !mine.contains(l)).count();
                if distinct_left == 0 {
                    return Err(PartitionError::Infeasible(format!(
                        "client {client} cannot get {m} distinct classes from those left: use fewer clients \
                         or classes per client"
                    )));
                }
                let label = bag[rng.choice(bag.len(), 1, true, true).expect("the bag is not empty")[0]];
                if !mine.contains(&label) {
                    mine.push(label);
                }
            }
            for label in &mine {
                let at = bag.iter().position(|l| l == label).expect("drawn from the bag");
                bag.remove(at);
            }
            classes_of.push(mine);
        }
        let share: Vec<usize> = rows_of.iter().map(|r| r.len() / m).collect();
        let mut parts: Partitions = vec![Vec::new(); k];
        for (part, mine) in parts.iter_mut().zip(&classes_of) {
            for &label in mine {
                let left = &mut rows_of[label];
                let mut taken = rng
                    .choice(left.len(), share[label], false, true)
                    .expect("share <= rows left");
                part.extend(taken.iter().map(|&t| left[t]));
                taken.sort_unstable();
                for t in taken.into_iter().rev() {
                    left.remove(t);
                }
            }
        }
        Ok(parts)
    }

    fn partition_by(&self) -> Option<&str> {
        self.partition_by.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long_tail_labels() -> Vec<usize> {
        let counts = [300, 150, 80, 40, 20, 10];
        let mut labels: Vec<usize> = counts.iter().enumerate().flat_map(|(c, &n)| vec![c; n]).collect();
        let n = labels.len();
        labels = (0..n).map(|i| labels[(i * 7919) % n]).collect();
        labels
    }

    #[test]
    fn dir_balance_gives_equal_client_sizes_and_every_row_once() {
        let labels = long_tail_labels();
        let column = Column::new(&labels, 6).unwrap();
        for alpha in [0.05, 0.5, 10.0] {
            for k in [3, 7] {
                let p = DirBalancePartitioner {
                    num_partitions: k,
                    alpha,
                    ..Default::default()
                };
                let (parts, proportions) = p.partition_with_proportions(column).unwrap();
                let n = labels.len();
                for (i, part) in parts.iter().enumerate() {
                    assert_eq!(
                        part.len(),
                        n / k + usize::from(i < n % k),
                        "alpha {alpha} k {k} client {i}"
                    );
                }
                let mut all: Vec<usize> = parts.iter().flatten().copied().collect();
                all.sort_unstable();
                assert_eq!(all, (0..n).collect::<Vec<_>>());
                for j in 0..6 {
                    let share: f64 = proportions.iter().map(|row| row[j]).sum();
                    assert!((share - 1.0).abs() < 1e-12);
                }
                // A test split dealt like the training one: balanced too.
                let test: Vec<usize> = labels.iter().step_by(3).copied().collect();
                let like = p.partition_like(Column::new(&test, 6).unwrap(), &proportions).unwrap();
                let m = test.len();
                assert!(like
                    .iter()
                    .enumerate()
                    .all(|(i, part)| part.len() == m / k + usize::from(i < m % k)));
            }
        }
    }

    #[test]
    fn small_alpha_skews_the_labels_more() {
        let labels = long_tail_labels();
        let column = Column::new(&labels, 6).unwrap();
        let classes_held = |alpha: f64| {
            let p = DirBalancePartitioner {
                num_partitions: 5,
                alpha,
                ..Default::default()
            };
            let parts = p.partition(column).unwrap();
            let held: usize = parts
                .iter()
                .map(|part| {
                    let mut c: Vec<usize> = part.iter().map(|&r| labels[r]).collect();
                    c.sort_unstable();
                    c.dedup();
                    c.len()
                })
                .sum();
            held as f64 / 5.0
        };
        assert!(
            classes_held(0.05) < classes_held(100.0),
            "{} vs {}",
            classes_held(0.05),
            classes_held(100.0)
        );
    }

    #[test]
    fn shard_balance_gives_each_client_its_classes_in_equal_shares() {
        let labels = long_tail_labels();
        let column = Column::new(&labels, 6).unwrap();
        let p = ShardBalancePartitioner {
            num_partitions: 6,
            num_classes_per_partition: 2,
            seed: 3,
            ..Default::default()
        };
        let parts = p.partition(column).unwrap();
        let mut seen = vec![0usize; labels.len()];
        for part in &parts {
            let mut classes: Vec<usize> = part.iter().map(|&r| labels[r]).collect();
            classes.sort_unstable();
            classes.dedup();
            assert_eq!(classes.len(), 2);
            part.iter().for_each(|&r| seen[r] += 1);
        }
        assert!(seen.iter().all(|&s| s <= 1));
        assert_eq!(parts, p.partition(column).unwrap());
        let too_many = ShardBalancePartitioner {
            num_partitions: 7,
            ..p.clone()
        };
        assert!(too_many.partition(column).is_err());
        assert!(DirBalancePartitioner {
            alpha: 0.0,
            ..Default::default()
        }
        .partition(column)
        .is_err());
    }
}
