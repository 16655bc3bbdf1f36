//! A stratified hold-out split, for the models that stop early on
//! validation rows (the MLP, gradient boosting).

use imbalanced_random::SamplerRng;

/// Training and validation rows (each ascending): per class, the first
/// `fraction` of a shuffled order is held out (rounded, at least one row
/// of a class with 2 or more, never all of them). `fraction` 0 holds out
/// nothing.
pub fn stratified_holdout(
    y: &[usize],
    n_classes: usize,
    fraction: f64,
    rng: &mut SamplerRng,
) -> (Vec<usize>, Vec<usize>) {
    if fraction == 0.0 {
        return ((0..y.len()).collect(), Vec::new());
    }
    let (mut train, mut valid) = (Vec::new(), Vec::new());
    for c in 0..n_classes {
        let mut rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == c).collect();
        rng.shuffle(&mut rows);
        let n_valid = if rows.len() >= 2 {
            ((rows.len() as f64 * fraction).round() as usize).clamp(1, rows.len() - 1)
        } else {
            0
        };
        valid.extend_from_slice(&rows[..n_valid]);
        train.extend_from_slice(&rows[n_valid..]);
    }
    train.sort_unstable();
    valid.sort_unstable();
    (train, valid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use imbalanced_random::RngKind;

    #[test]
    fn every_class_keeps_its_share_in_both_parts() {
        let y: Vec<usize> = (0..105).map(|i| usize::from(i >= 100)).collect();
        let mut rng = SamplerRng::new(RngKind::Default, 0);
        let (train, valid) = stratified_holdout(&y, 2, 0.1, &mut rng);
        assert_eq!(train.len() + valid.len(), 105);
        assert_eq!(valid.iter().filter(|&&i| y[i] == 0).count(), 10);
        assert_eq!(valid.iter().filter(|&&i| y[i] == 1).count(), 1);
        assert!(train.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(stratified_holdout(&y, 2, 0.0, &mut rng).1, Vec::<usize>::new());
    }
}
