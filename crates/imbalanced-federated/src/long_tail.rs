//! The global long tail FairFAL and the long-tail literature build before
//! partitioning: a class-wise subsample whose counts fall from the first
//! class to the last (CIFAR-10-LT's construction, Cao et al. 2019).

use imbalanced_data::{exponential_counts, step_counts};
use imbalanced_random::Generator;
use serde::{Deserialize, Serialize};

use crate::partition::{Column, PartitionError};

/// How the class counts fall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// `n_i = n_max · IR^(-i/(C-1))`.
    #[default]
    Exponential,
    /// The first half of the classes keep `n_max`, the rest `n_max / IR`.
    Step,
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "exponential" | "exp" => Ok(Profile::Exponential),
            "step" => Ok(Profile::Step),
            other => Err(format!("unknown long-tail profile {other:?}: use exponential or step")),
        }
    }
}

/// A long-tailed subsample of the rows: class `i` (in sorted order) keeps
/// `n_i` rows of the profile, drawn at random, with `n_max` the largest head
/// every class can supply; the imbalance ratio `n_0 / n_{C-1}` is
/// `imbalance_ratio`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LongTail {
    pub profile: Profile,
    /// Rows of the first class over rows of the last, at least 1.
    pub imbalance_ratio: f64,
    /// Seed of `np.random.default_rng`.
    pub seed: u64,
}

impl LongTail {
    /// The rows kept, in increasing order.
    pub fn rows(&self, by: Column<'_>) -> Result<Vec<usize>, PartitionError> {
        let classes = by.rows_by_value();
        let c = classes.len();
        let bad = |e: imbalanced_data::DataError| PartitionError::Parameter(e.to_string());
        // The profile's shape for a head of 1e6 rows: each class's share of the head.
        let unit = 1_000_000usize;
        let shape = match self.profile {
            Profile::Exponential => exponential_counts(unit, c, self.imbalance_ratio),
            Profile::Step => step_counts(unit, c, self.imbalance_ratio),
        }
        .map_err(bad)?;
        // The largest head every class can supply at its share.
        let n_max = classes
            .iter()
            .zip(&shape)
            .map(|(rows, &s)| (rows.len() as f64 * unit as f64 / s.max(1) as f64).floor() as usize)
            .min()
            .unwrap_or(0);
        let counts = match self.profile {
            Profile::Exponential => exponential_counts(n_max, c, self.imbalance_ratio),
            Profile::Step => step_counts(n_max, c, self.imbalance_ratio),
        }
        .map_err(bad)?;
        if counts.contains(&0) {
            return Err(PartitionError::Infeasible(format!(
                "imbalance ratio {} leaves a class without rows (counts {counts:?}): lower it",
                self.imbalance_ratio
            )));
        }
        let mut rng = Generator::new(u128::from(self.seed));
        let mut kept: Vec<usize> = Vec::new();
        for (mut rows, &k) in classes.into_iter().zip(&counts) {
            rng.shuffle(&mut rows);
            kept.extend_from_slice(&rows[..k.min(rows.len())]);
        }
        kept.sort_unstable();
        Ok(kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_falling_profile_of_each_class() {
        let labels: Vec<usize> = (0..1000).map(|i| i % 5).collect();
        let column = Column::new(&labels, 5).unwrap();
        let lt = LongTail {
            profile: Profile::Exponential,
            imbalance_ratio: 10.0,
            seed: 0,
        };
        let rows = lt.rows(column).unwrap();
        let mut counts = [0usize; 5];
        rows.iter().for_each(|&r| counts[labels[r]] += 1);
        assert_eq!(counts, [200, 112, 63, 35, 20]);
        assert!(rows.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(rows, lt.rows(column).unwrap());
        let step = LongTail {
            profile: Profile::Step,
            ..lt.clone()
        };
        let mut counts = [0usize; 5];
        step.rows(column).unwrap().iter().for_each(|&r| counts[labels[r]] += 1);
        assert_eq!(counts, [200, 200, 20, 20, 20]);
        assert!(LongTail {
            imbalance_ratio: 0.5,
            ..lt.clone()
        }
        .rows(column)
        .is_err());
        assert!(LongTail {
            imbalance_ratio: 1e9,
            ..lt
        }
        .rows(column)
        .is_err());
    }
}
