//! Cross-validation splitters, reproducing scikit-learn's
//! `StratifiedKFold`, `RepeatedStratifiedKFold`, `StratifiedGroupKFold` and
//! `train_test_split(stratify=y)`. Shuffling draws from NumPy's
//! `RandomState` stream, so an integer seed gives scikit-learn's folds.

use imbalanced_data::stratified_kfold;
use imbalanced_random::{RngKind, SamplerRng};

use crate::EvalError;

/// One split: training rows and test rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

fn splits_from_folds(folds: &[usize], n_splits: usize) -> Vec<Split> {
    (0..n_splits)
        .map(|f| {
            let (test, train) = (0..folds.len()).partition(|&i| folds[i] == f);
            Split { train, test }
        })
        .collect()
}

fn class_counts(y: &[usize]) -> Vec<usize> {
    let mut c = vec![0; y.iter().max().map_or(0, |m| m + 1)];
    y.iter().for_each(|&k| c[k] += 1);
    c
}

/// The fold count must not exceed the smallest class: otherwise some test
/// folds lack that class and its metrics are undefined. (scikit-learn
/// only warns; we refuse, naming the class and the fix.)
fn check_smallest_class(y: &[usize], n_splits: usize) -> Result<(), EvalError> {
    let counts = class_counts(y);
    if let Some((class, &count)) = counts
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .min_by_key(|(_, &c)| c)
    {
        if count < n_splits {
            return Err(EvalError::TooManyFolds {
                n_splits,
                class: format!("code {class}"),
                count,
            });
        }
    }
    Ok(())
}

/// scikit-learn's `StratifiedKFold`. Defaults: 5 splits, no shuffle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StratifiedKFold {
    pub n_splits: usize,
    /// Shuffle each class's rows before dealing them to folds.
    pub shuffle: bool,
    /// Seed of the shuffle (NumPy `RandomState` stream).
    pub random_state: u64,
}

impl Default for StratifiedKFold {
    fn default() -> Self {
        StratifiedKFold {
            n_splits: 5,
            shuffle: false,
            random_state: 0,
        }
    }
}

impl StratifiedKFold {
    /// The test fold of every row.
    pub fn folds(&self, y: &[usize]) -> Result<Vec<usize>, EvalError> {
        let mut rng = SamplerRng::new(RngKind::Numpy, self.random_state);
        self.folds_with(y, &mut rng)
    }

    fn folds_with(&self, y: &[usize], rng: &mut SamplerRng) -> Result<Vec<usize>, EvalError> {
        check_smallest_class(y, self.n_splits)?;
        let mut shuffle = |v: &mut [usize]| rng.shuffle(v);
        let folds = if self.shuffle {
            stratified_kfold(y, self.n_splits, Some(&mut shuffle))
        } else {
            stratified_kfold(y, self.n_splits, None)
        };
        Ok(folds?)
    }

    /// The splits, fold 0 first.
    pub fn split(&self, y: &[usize]) -> Result<Vec<Split>, EvalError> {
        Ok(splits_from_folds(&self.folds(y)?, self.n_splits))
    }
}

/// scikit-learn's `RepeatedStratifiedKFold(n_splits, n_repeats,
/// random_state)`: shuffled stratified folds, repeated with one stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatedStratifiedKFold {
    /// Default: 5.
    pub n_splits: usize,
    /// Default: 10 (scikit-learn's).
    pub n_repeats: usize,
    pub random_state: u64,
}

impl Default for RepeatedStratifiedKFold {
    fn default() -> Self {
        RepeatedStratifiedKFold {
            n_splits: 5,
            n_repeats: 10,
            random_state: 0,
        }
    }
}

impl RepeatedStratifiedKFold {
    /// `n_repeats · n_splits` splits, repeat by repeat.
    pub fn split(&self, y: &[usize]) -> Result<Vec<Split>, EvalError> {
        let mut rng = SamplerRng::new(RngKind::Numpy, self.random_state);
        let kfold = StratifiedKFold {
            n_splits: self.n_splits,
            shuffle: true,
            random_state: self.random_state,
        };
        let mut out = Vec::new();
        for _ in 0..self.n_repeats {
            out.extend(splits_from_folds(&kfold.folds_with(y, &mut rng)?, self.n_splits));
        }
        Ok(out)
    }
}

/// scikit-learn's `StratifiedGroupKFold`: folds that never split a group
/// (a patient, a session) and keep class proportions as even as the groups
/// allow, by greedily placing groups, most class-skewed first, in the fold
/// that least unbalances the per-class fold shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StratifiedGroupKFold {
    /// Default: 5.
    pub n_splits: usize,
    /// Shuffle groups before the (stable) ordering. Default: false.
    pub shuffle: bool,
    pub random_state: u64,
}

impl Default for StratifiedGroupKFold {
    fn default() -> Self {
        StratifiedGroupKFold {
            n_splits: 5,
            shuffle: false,
            random_state: 0,
        }
    }
}

fn std(v: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = v.clone().count() as f64;
    let mean = v.clone().sum::<f64>() / n;
    (v.map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt()
}

impl StratifiedGroupKFold {
    /// The splits; `groups[i]` is row `i`'s group.
    pub fn split<G: Ord>(&self, y: &[usize], groups: &[G]) -> Result<Vec<Split>, EvalError> {
        if groups.len() != y.len() {
            return Err(EvalError::Invalid(format!(
                "{} group labels for {} rows: give one group per row",
                groups.len(),
                y.len()
            )));
        }
        check_smallest_class(y, self.n_splits)?;
        let counts = class_counts(y);
        let present: Vec<usize> = (0..counts.len()).filter(|&k| counts[k] > 0).collect();
        let y_cnt: Vec<f64> = present.iter().map(|&k| counts[k] as f64).collect();
        let class_of = |k: usize| present.iter().position(|&p| p == k).expect("present class");
        // Groups numbered in sorted order (numpy.unique).
        let mut order: Vec<usize> = (0..groups.len()).collect();
        order.sort_by(|&a, &b| groups[a].cmp(&groups[b]));
        let mut group_inv = vec![0usize; y.len()];
        let mut n_groups = 0;
        for (p, &i) in order.iter().enumerate() {
            if p > 0 && groups[order[p - 1]] != groups[i] {
                n_groups += 1;
            }
            group_inv[i] = n_groups;
        }
        let n_groups = if y.is_empty() { 0 } else { n_groups + 1 };
        if self.n_splits > n_groups {
            return Err(EvalError::Invalid(format!(
                "n_splits={} is greater than the number of groups ({n_groups}): use fewer folds",
                self.n_splits
            )));
        }
        let c = present.len();
        let mut per_group = vec![vec![0.0; c]; n_groups];
        for (i, &g) in group_inv.iter().enumerate() {
            per_group[g][class_of(y[i])] += 1.0;
        }
        if self.shuffle {
            let mut rng = SamplerRng::new(RngKind::Numpy, self.random_state);
            let mut perm: Vec<usize> = (0..n_groups).collect();
            rng.shuffle(&mut perm);
            per_group = perm.iter().map(|&p| per_group[p].clone()).collect();
            let mut inv = vec![0; n_groups];
            perm.iter().enumerate().for_each(|(i, &p)| inv[p] = i);
            group_inv.iter_mut().for_each(|g| *g = inv[*g]);
        }
        let spread: Vec<f64> = per_group.iter().map(|g| std(g.iter().copied())).collect();
        let mut sorted: Vec<usize> = (0..n_groups).collect();
        sorted.sort_by(|&a, &b| spread[b].total_cmp(&spread[a])); // stable: ties keep order
        let mut per_fold = vec![vec![0.0; c]; self.n_splits];
        let mut fold_of_group = vec![0usize; n_groups];
        for &g in &sorted {
            let (mut best, mut min_eval, mut min_samples) = (0, f64::INFINITY, f64::INFINITY);
            for f in 0..self.n_splits {
                per_fold[f].iter_mut().zip(&per_group[g]).for_each(|(a, b)| *a += b);
                let eval = (0..c)
                    .map(|k| std(per_fold.iter().map(|row| row[k] / y_cnt[k])))
                    .sum::<f64>()
                    / c as f64;
                per_fold[f].iter_mut().zip(&per_group[g]).for_each(|(a, b)| *a -= b);
                let samples: f64 = per_fold[f].iter().sum();
                let close = (eval - min_eval).abs() <= 1e-8 + 1e-5 * min_eval.abs();
                if eval < min_eval || (close && samples < min_samples) {
                    (best, min_eval, min_samples) = (f, eval, samples);
                }
            }
            per_fold[best].iter_mut().zip(&per_group[g]).for_each(|(a, b)| *a += b);
            fold_of_group[g] = best;
        }
        let folds: Vec<usize> = group_inv.iter().map(|&g| fold_of_group[g]).collect();
        Ok(splits_from_folds(&folds, self.n_splits))
    }
}

/// scikit-learn's `train_test_split(..., test_size, stratify=y,
/// random_state)`: `ceil(test_size · n)` test rows, split per class by
/// `_approximate_mode`, both sides shuffled.
pub fn train_test_split(y: &[usize], test_size: f64, random_state: u64) -> Result<Split, EvalError> {
    let n = y.len();
    if !(test_size > 0.0 && test_size < 1.0) {
        return Err(EvalError::Invalid(format!("test_size={test_size}: must be in (0, 1)")));
    }
    let n_test = (test_size * n as f64).ceil() as usize;
    let n_train = n - n_test;
    let counts = class_counts(y);
    let classes: Vec<usize> = (0..counts.len()).filter(|&k| counts[k] > 0).collect();
    let cc: Vec<usize> = classes.iter().map(|&k| counts[k]).collect();
    if cc.iter().any(|&c| c < 2) {
        return Err(EvalError::Invalid(
            "a class has a single row: a stratified split needs at least 2 per class".into(),
        ));
    }
    if n_train < classes.len() || n_test < classes.len() {
        return Err(EvalError::Invalid(format!(
            "{n_train} training and {n_test} test rows cannot hold all {} classes: change test_size",
            classes.len()
        )));
    }
    let mut rng = SamplerRng::new(RngKind::Numpy, random_state);
    let n_i = approximate_mode(&cc, n_train, &mut rng);
    let remaining: Vec<usize> = cc.iter().zip(&n_i).map(|(c, t)| c - t).collect();
    let t_i = approximate_mode(&remaining, n_test, &mut rng);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (i, &k) in classes.iter().enumerate() {
        let members: Vec<usize> = (0..n).filter(|&r| y[r] == k).collect();
        let perm = rng.permutation(cc[i]);
        let picked: Vec<usize> = perm.iter().map(|&p| members[p]).collect();
        train.extend_from_slice(&picked[..n_i[i]]);
        test.extend_from_slice(&picked[n_i[i]..n_i[i] + t_i[i]]);
    }
    let train = rng.permutation(train.len()).into_iter().map(|p| train[p]).collect();
    let test = rng.permutation(test.len()).into_iter().map(|p| test[p]).collect();
    Ok(Split { train, test })
}

/// scikit-learn's `_approximate_mode`: the per-class draw counts closest to
/// proportional, remainders given to the largest fractions (ties at random).
fn approximate_mode(counts: &[usize], draws: usize, rng: &mut SamplerRng) -> Vec<usize> {
    let total: usize = counts.iter().sum();
    let continuous: Vec<f64> = counts.iter().map(|&c| c as f64 / total as f64 * draws as f64).collect();
    let mut floored: Vec<usize> = continuous.iter().map(|v| v.floor() as usize).collect();
    let mut need = draws - floored.iter().sum::<usize>();
    let remainder: Vec<f64> = continuous.iter().zip(&floored).map(|(c, f)| c - *f as f64).collect();
    let mut values = remainder.clone();
    values.sort_by(|a, b| b.total_cmp(a));
    values.dedup();
    for v in values {
        if need == 0 {
            break;
        }
        let inds: Vec<usize> = (0..remainder.len()).filter(|&i| remainder[i] == v).collect();
        let add = inds.len().min(need);
        for p in rng.choice(inds.len(), add, false) {
            floored[inds[p]] += 1;
        }
        need -= add;
    }
    floored
}
