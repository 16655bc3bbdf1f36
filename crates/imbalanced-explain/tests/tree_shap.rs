//! TreeSHAP against the definition: exact Shapley values by enumerating
//! every subset of features, with the path-dependent expectation (a split
//! on a feature outside the subset sends the row down both branches,
//! weighed by their training rows); and additivity on forests.

use imbalanced_explain::{forest, tree};
use imbalanced_models::{DecisionTreeClassifier, Fit, FittedTree, RandomForestClassifier};
use imbalanced_random::Generator;
use ndarray::Array2;
use proptest::prelude::*;

/// Random rows and a label that depends on the first features.
fn data(seed: u64, n: usize, d: usize, k: usize) -> (Array2<f64>, Vec<usize>) {
    let mut rng = Generator::new(u128::from(seed));
    let x = Array2::from_shape_fn((n, d), |_| rng.standard_normal());
    let y = x
        .rows()
        .into_iter()
        .map(|r| {
            let s = r[0] + 0.5 * r[1 % d] - 0.3 * r[d - 1] + 0.4 * rng.standard_normal();
            ((s + 2.0).max(0.0) as usize).min(k - 1)
        })
        .collect();
    (x, y)
}

/// E[f(x) | x_S] under the tree's path-dependent distribution (the paper's algorithm 1).
fn expectation(t: &FittedTree, row: &[f64], subset: u32, node: usize, class: usize) -> f64 {
    if let Some(v) = t.leaf_value(node) {
        return v[class];
    }
    let (left, right) = t.children(node).unwrap();
    let (f, threshold) = t.split(node).unwrap();
    if subset & (1 << f) != 0 {
        let next = if row[f] <= threshold { left } else { right };
        return expectation(t, row, subset, next, class);
    }
    let cover = t.cover().unwrap();
    (cover[left] * expectation(t, row, subset, left, class) + cover[right] * expectation(t, row, subset, right, class))
        / cover[node]
}

fn factorial(n: usize) -> f64 {
    (1..=n).map(|i| i as f64).product()
}

/// Shapley values by enumerating every subset.
fn brute_force(t: &FittedTree, row: &[f64], class: usize) -> Vec<f64> {
    let d = row.len();
    (0..d)
        .map(|j| {
            (0u32..1 << d)
                .filter(|s| s & (1 << j) == 0)
                .map(|s| {
                    let size = s.count_ones() as usize;
                    let weight = factorial(size) * factorial(d - size - 1) / factorial(d);
                    weight * (expectation(t, row, s | (1 << j), 0, class) - expectation(t, row, s, 0, class))
                })
                .sum()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn tree_shap_equals_the_shapley_values_by_enumeration(
        seed in 0u64..1000,
        d in 2usize..6,
        k in 2usize..4,
        depth in 1usize..7,
    ) {
        let (x, y) = data(seed, 120, d, k);
        let t = DecisionTreeClassifier { max_depth: Some(depth), random_state: seed, ..Default::default() }
            .fit(x.view(), &y, k)
            .unwrap();
        let rows = x.slice(ndarray::s![..6, ..]);
        let a = tree(&t, rows).unwrap();
        for (i, row) in rows.rows().into_iter().enumerate() {
            let row = row.to_vec();
            for c in 0..k {
                for (j, want) in brute_force(&t, &row, c).into_iter().enumerate() {
                    prop_assert!((a.values[(c, i, j)] - want).abs() < 1e-10,
                        "class {c} row {i} feature {j}: {} vs {want}", a.values[(c, i, j)]);
                }
                // The base value is the expectation given no feature.
                prop_assert!((a.base_values[c] - expectation(&t, &row, 0, 0, c)).abs() < 1e-12);
            }
        }
    }
}

#[test]
fn forest_values_add_up_to_its_probabilities_on_any_thread_count() {
    let (x, y) = data(7, 400, 6, 3);
    let model = RandomForestClassifier {
        n_estimators: 25,
        random_state: 3,
        ..Default::default()
    }
    .fit(x.view(), &y, 3)
    .unwrap();
    let rows = x.slice(ndarray::s![..50, ..]);
    let a = forest(model.trees(), rows).unwrap();
    let proba = FittedTree::mean_proba(model.trees(), rows, 6).unwrap();
    for (o, p) in a.outputs().iter().zip(proba.iter()) {
        assert!((o - p).abs() < 1e-12, "{o} vs {p}");
    }
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| forest(model.trees(), rows).unwrap());
    assert_eq!(one, a);
    // Symmetry: a feature the trees never split on gets nothing.
    let used: Vec<bool> = (0..6)
        .map(|j| {
            model
                .trees()
                .iter()
                .any(|t| (0..t.node_count()).any(|n| t.split(n).is_some_and(|(f, _)| f == j)))
        })
        .collect();
    for j in (0..6).filter(|&j| !used[j]) {
        assert!(a.values.slice(ndarray::s![.., .., j]).iter().all(|&v| v == 0.0));
    }
}

#[test]
fn bad_input_is_refused() {
    let (x, y) = data(1, 60, 3, 2);
    let t = DecisionTreeClassifier::default().fit(x.view(), &y, 2).unwrap();
    assert!(tree(&t, x.slice(ndarray::s![.., ..2]))
        .unwrap_err()
        .to_string()
        .contains("3 features"));
    let mut bad = x.clone();
    bad[(0, 0)] = f64::NAN;
    assert!(tree(&t, bad.view()).unwrap_err().to_string().contains("NaN"));
    assert!(forest(&[], x.view()).unwrap_err().to_string().contains("no trees"));
}
