//! Splitters against scikit-learn 1.9.1 (tests/fixtures/splits.json,
//! scripts/fixtures/splits.py), and their invariants.

use imbalanced_eval::*;
use proptest::prelude::*;
use serde_json::Value;

fn tests_of(splits: &[Split]) -> Vec<Vec<usize>> {
    splits.iter().map(|s| s.test.clone()).collect()
}

fn want(v: &Value) -> Vec<Vec<usize>> {
    serde_json::from_value(v.clone()).unwrap()
}

#[test]
fn splits_equal_scikit_learns() {
    let fixture: Value = serde_json::from_str(include_str!("fixtures/splits.json")).unwrap();
    for c in fixture["cases"].as_array().unwrap() {
        let y: Vec<usize> = serde_json::from_value(c["y"].clone()).unwrap();
        let groups: Vec<usize> = serde_json::from_value(c["groups"].clone()).unwrap();
        let seed = c["seed"].as_u64().unwrap();
        let kfold = |shuffle| StratifiedKFold {
            n_splits: 5,
            shuffle,
            random_state: seed,
        };
        assert_eq!(tests_of(&kfold(false).split(&y).unwrap()), want(&c["kfold"]));
        assert_eq!(
            tests_of(&kfold(true).split(&y).unwrap()),
            want(&c["kfold_shuffled"]),
            "seed {seed}"
        );
        let repeated = RepeatedStratifiedKFold {
            n_splits: 3,
            n_repeats: 2,
            random_state: seed,
        };
        assert_eq!(
            tests_of(&repeated.split(&y).unwrap()),
            want(&c["repeated"]),
            "seed {seed}"
        );
        let group = |shuffle| StratifiedGroupKFold {
            n_splits: 4,
            shuffle,
            random_state: seed,
        };
        assert_eq!(tests_of(&group(false).split(&y, &groups).unwrap()), want(&c["group"]));
        assert_eq!(
            tests_of(&group(true).split(&y, &groups).unwrap()),
            want(&c["group_shuffled"]),
            "seed {seed}"
        );
        let tt = train_test_split(&y, 0.25, seed).unwrap();
        let w: Vec<usize> = serde_json::from_value(c["train_test"]["train"].clone()).unwrap();
        assert_eq!(tt.train, w, "seed {seed}: train");
        let w: Vec<usize> = serde_json::from_value(c["train_test"]["test"].clone()).unwrap();
        assert_eq!(tt.test, w, "seed {seed}: test");
    }
}

#[test]
fn bad_input_is_refused() {
    let y = [0, 0, 0, 0, 1, 1];
    assert!(matches!(
        StratifiedKFold::default().split(&y),
        Err(EvalError::TooManyFolds { count: 2, .. })
    ));
    assert!(StratifiedGroupKFold::default().split(&y, &[1, 2]).is_err());
    assert!(StratifiedGroupKFold {
        n_splits: 2,
        ..Default::default()
    }
    .split(&y, &[1; 6])
    .is_err());
    assert!(train_test_split(&y, 1.5, 0).is_err());
    assert!(train_test_split(&[0, 0, 0, 1], 0.5, 0).is_err());
}

proptest! {
    #[test]
    fn folds_partition_the_rows_and_keep_groups_whole(
        labels in proptest::collection::vec(0usize..3, 30..120),
        group_count in 6usize..20,
        seed in 0u64..1000,
    ) {
        let mut y = labels;
        for k in 0..3 {
            for i in 0..5 { y[k * 5 + i] = k; } // every class has >= 5 rows
        }
        let groups: Vec<usize> = (0..y.len()).map(|i| (i + seed as usize) % group_count).collect();
        for splits in [
            StratifiedKFold { n_splits: 5, shuffle: true, random_state: seed }.split(&y).unwrap(),
            StratifiedGroupKFold { n_splits: 3, shuffle: true, random_state: seed }.split(&y, &groups).unwrap(),
        ] {
            let mut seen = vec![0; y.len()];
            for s in &splits {
                for &t in &s.test { seen[t] += 1; }
                prop_assert_eq!(s.train.len() + s.test.len(), y.len());
            }
            prop_assert!(seen.iter().all(|&c| c == 1));
        }
        let plain = StratifiedGroupKFold { n_splits: 3, shuffle: false, random_state: 0 };
        for s in plain.split(&y, &groups).unwrap() {
            for &t in &s.test {
                prop_assert!(s.train.iter().all(|&r| groups[r] != groups[t]), "group split across folds");
            }
        }
    }
}
