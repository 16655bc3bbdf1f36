//! RelationalSMOTE (a Rel-MOSS spin-off, our formulation): each new row
//! lies, block by block, on the segment between the same two rows of its
//! class, counts stay whole, and the gate favours the informative relation.

use imbalanced_resample::{RelationGate, RelationalSmote, Resampler, RngKind, SamplerRng};
use ndarray::Array2;

/// Block 0 (2 columns) noise, block 1 (3 columns, the last a count) tied to the class.
fn data(seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut rng = SamplerRng::new(RngKind::Default, seed);
    let y: Vec<usize> = (0..120).map(|i| usize::from(i % 8 == 0)).collect();
    let x = Array2::from_shape_fn((120, 5), |(i, j)| match j {
        0 | 1 => rng.standard_normal(),
        2 | 3 => rng.standard_normal() + 3.0 * y[i] as f64,
        _ => (rng.randint(4) + 3 * y[i]) as f64,
    });
    (x, y)
}

fn sampler() -> RelationalSmote {
    RelationalSmote {
        blocks: vec![2, 3],
        integral: vec![4],
        ..Default::default()
    }
}

#[test]
fn new_rows_interpolate_block_by_block_between_two_rows_of_their_class() {
    for seed in 0..4 {
        let (x, y) = data(seed);
        let out = sampler().random_state(seed).fit_resample(x.view(), &y).unwrap();
        let minority: Vec<usize> = (0..120).filter(|&i| y[i] == 1).collect();
        assert_eq!(out.y.iter().filter(|&&c| c == 1).count(), 105);
        for r in 120..out.y.len() {
            assert_eq!(out.x[(r, 4)].fract(), 0.0, "the count column stays whole");
            // Some ordered pair (a, b) of minority rows puts every block on its own segment.
            let on = |a: usize, b: usize, cols: &[usize]| {
                let gaps: Vec<f64> = cols
                    .iter()
                    .filter(|&&j| x[(b, j)] != x[(a, j)])
                    .map(|&j| (out.x[(r, j)] - x[(a, j)]) / (x[(b, j)] - x[(a, j)]))
                    .collect();
                gaps.iter()
                    .all(|g| (-1e-9..=1.0 + 1e-9).contains(g) && (g - gaps[0]).abs() < 1e-9)
                    && cols
                        .iter()
                        .all(|&j| x[(b, j)] != x[(a, j)] || (out.x[(r, j)] - x[(a, j)]).abs() < 1e-12)
            };
            let found = minority.iter().any(|&a| {
                minority
                    .iter()
                    .any(|&b| a != b && on(a, b, &[0, 1]) && on(a, b, &[2, 3]))
            });
            assert!(
                found,
                "seed {seed}, row {r}: no pair of minority rows explains it block by block"
            );
        }
    }
}

#[test]
fn the_association_gate_favours_the_informative_block_and_weights_sum_to_the_blocks() {
    let (x, y) = data(9);
    let weights = sampler().gate_weights(x.view(), &y, 2).unwrap();
    assert!((weights.iter().sum::<f64>() - 2.0).abs() < 1e-12);
    assert!(weights[1] > 5.0 * weights[0], "{weights:?}");
    let uniform = RelationalSmote {
        gate: RelationGate::Uniform,
        ..sampler()
    };
    assert_eq!(uniform.gate_weights(x.view(), &y, 2).unwrap(), vec![1.0, 1.0]);
    // Learned: a weaker signal (so leave-one-out k-NN is not already perfect) beside noise.
    let mut rng = SamplerRng::new(RngKind::Default, 4);
    let y: Vec<usize> = (0..200).map(|i| usize::from(i % 4 == 0)).collect();
    let x = Array2::from_shape_fn((200, 5), |(i, j)| {
        rng.standard_normal() + if j >= 3 { 1.2 * y[i] as f64 } else { 0.0 }
    });
    let learned = RelationalSmote {
        blocks: vec![3, 2],
        integral: vec![],
        gate: RelationGate::BalancedAccuracy,
        ..Default::default()
    };
    let w = learned.gate_weights(x.view(), &y, 2).unwrap();
    assert!((w.iter().sum::<f64>() - 2.0).abs() < 1e-12);
    assert!(w[1] > w[0], "the informative block weighs more: {w:?}");
}

#[test]
fn bad_blocks_and_columns_are_named() {
    let (x, y) = data(1);
    for (s, param) in [
        (
            RelationalSmote {
                blocks: vec![2, 2],
                ..sampler()
            },
            "blocks",
        ),
        (
            RelationalSmote {
                blocks: vec![5, 0],
                ..sampler()
            },
            "blocks",
        ),
        (
            RelationalSmote {
                integral: vec![5],
                ..sampler()
            },
            "integral",
        ),
        (
            RelationalSmote {
                k_neighbors: 0,
                ..sampler()
            },
            "k_neighbors",
        ),
    ] {
        let err = s.fit_resample(x.view(), &y).unwrap_err().to_string();
        assert!(err.contains(param), "{param}: {err}");
    }
}
