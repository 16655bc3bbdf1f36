//! Stratified cross-validation folds.

use crate::error::{DataError, Result};

/// Shuffles one class's block of fold numbers in place.
pub type FoldShuffle<'a> = &'a mut dyn FnMut(&mut [usize]);

/// scikit-learn's `StratifiedKFold(n_splits, shuffle=False)`: the fold of
/// every sample (`0..n_splits`), exactly as scikit-learn assigns them.
///
/// Classes are numbered by first appearance; samples of the sorted labels
/// are dealt round-robin to count each fold's share of each class; each
/// class's samples then fill the folds in order, in blocks. With `shuffle`,
/// each class's block order is shuffled by `shuffle(&mut folds)`, which the
/// caller supplies (NumPy's `RandomState.shuffle` reproduces scikit-learn's
/// `shuffle=True, random_state=int`).
pub fn stratified_kfold(y: &[usize], n_splits: usize, mut shuffle: Option<FoldShuffle<'_>>) -> Result<Vec<usize>> {
    if n_splits < 2 {
        return Err(DataError::Invalid(format!(
            "n_splits={n_splits}: need at least 2 folds"
        )));
    }
    // Encode classes by order of first appearance.
    let mut first_seen: Vec<usize> = Vec::new();
    let encoded: Vec<usize> = y
        .iter()
        .map(|&c| match first_seen.iter().position(|&s| s == c) {
            Some(p) => p,
            None => {
                first_seen.push(c);
                first_seen.len() - 1
            }
        })
        .collect();
    let n_classes = first_seen.len();
    let mut counts = vec![0usize; n_classes];
    for &e in &encoded {
        counts[e] += 1;
    }
    if counts.iter().all(|&c| n_splits > c) {
        return Err(DataError::Invalid(format!(
            "n_splits={n_splits} is larger than the number of samples of every class ({}): use fewer folds",
            counts.iter().max().copied().unwrap_or(0)
        )));
    }
    let mut sorted = encoded.clone();
    sorted.sort_unstable();
    // allocation[k][f]: samples of class k in fold f (round robin over the sorted labels).
    let mut allocation = vec![vec![0usize; n_splits]; n_classes];
    for (i, &k) in sorted.iter().enumerate() {
        allocation[k][i % n_splits] += 1;
    }
    let mut test_fold = vec![0usize; y.len()];
    for (k, per_fold) in allocation.iter().enumerate() {
        let mut folds: Vec<usize> = per_fold
            .iter()
            .enumerate()
            .flat_map(|(f, &m)| std::iter::repeat_n(f, m))
            .collect();
        if let Some(s) = shuffle.as_mut() {
            s(&mut folds);
        }
        let mut it = folds.into_iter();
        for (i, &e) in encoded.iter().enumerate() {
            if e == k {
                test_fold[i] = it.next().expect("allocation covers the class");
            }
        }
    }
    Ok(test_fold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_scikit_learn_fold_assignment() {
        // StratifiedKFold(3).split(np.zeros(10), y) test folds, printed by scikit-learn 1.9.1.
        let y = [1, 1, 0, 0, 1, 0, 1, 1, 0, 1];
        assert_eq!(
            stratified_kfold(&y, 3, None).unwrap(),
            vec![0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
        );
        let y = [2, 0, 1, 1, 0, 2, 2, 2, 0, 1, 1, 1, 0, 0, 2, 1, 0, 2, 2, 1, 1, 0];
        let want = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 1, 2, 2, 2, 3, 2, 3, 3, 3, 3];
        assert_eq!(stratified_kfold(&y, 4, None).unwrap(), want);
    }

    #[test]
    fn too_many_folds_is_an_error() {
        assert!(stratified_kfold(&[0, 1, 0, 1], 3, None).is_err());
        assert!(stratified_kfold(&[0, 1], 1, None).is_err());
    }
}
