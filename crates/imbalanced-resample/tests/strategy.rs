//! imbalanced-learn's `utils/tests/test_validation.py`, ported: every case of
//! `test_check_sampling_strategy` (21), the ordering and error tests.
//!
//! imbalanced-learn's labels 1, 2, 3 are our class codes 0, 1, 2 (sorted order).

use std::collections::BTreeMap;

use imbalanced_resample::{class_counts, SamplingKind, SamplingStrategy};

fn multiclass() -> Vec<usize> {
    // np.array([1] * 50 + [2] * 100 + [3] * 25)
    [vec![0; 50], vec![1; 100], vec![2; 25]].concat()
}

fn binary() -> Vec<usize> {
    // np.array([1] * 25 + [0] * 100)
    [vec![1; 25], vec![0; 100]].concat()
}

const MULTI: [&str; 3] = ["1", "2", "3"];
const BIN: [&str; 2] = ["0", "1"];

fn resolve(text: &str, labels: &[&str], y: &[usize], kind: SamplingKind) -> Result<BTreeMap<String, usize>, String> {
    let classes: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
    let s: SamplingStrategy =
        serde_json::from_value(imbalanced_catalog::value_from_text(text)).map_err(|e| e.to_string())?;
    let out = s.resolve(&class_counts(y), kind, &classes).map_err(|e| e.to_string())?;
    Ok(out.into_iter().map(|(c, n)| (classes[c].clone(), n)).collect())
}

fn map(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|&(k, v)| (k.to_string(), v)).collect()
}

/// (strategy text, sampler kind, expected resolution, y, labels).
type Case<'a> = (&'a str, SamplingKind, Vec<(&'a str, usize)>, &'a [usize], &'a [&'a str]);

#[test]
fn test_check_sampling_strategy_21_cases() {
    use SamplingKind::*;
    let m = multiclass();
    let b = binary();
    let cases: Vec<Case> = vec![
        ("auto", Under, vec![("1", 25), ("2", 25)], &m, &MULTI),
        ("auto", Clean, vec![("1", 25), ("2", 25)], &m, &MULTI),
        ("auto", Over, vec![("1", 50), ("3", 75)], &m, &MULTI),
        ("all", Over, vec![("1", 50), ("2", 0), ("3", 75)], &m, &MULTI),
        ("all", Under, vec![("1", 25), ("2", 25), ("3", 25)], &m, &MULTI),
        ("all", Clean, vec![("1", 25), ("2", 25), ("3", 25)], &m, &MULTI),
        ("majority", Under, vec![("2", 25)], &m, &MULTI),
        ("majority", Clean, vec![("2", 25)], &m, &MULTI),
        ("minority", Over, vec![("3", 75)], &m, &MULTI),
        ("not minority", Over, vec![("1", 50), ("2", 0)], &m, &MULTI),
        ("not minority", Under, vec![("1", 25), ("2", 25)], &m, &MULTI),
        ("not minority", Clean, vec![("1", 25), ("2", 25)], &m, &MULTI),
        ("not majority", Over, vec![("1", 50), ("3", 75)], &m, &MULTI),
        ("not majority", Under, vec![("1", 25), ("3", 25)], &m, &MULTI),
        ("not majority", Clean, vec![("1", 25), ("3", 25)], &m, &MULTI),
        (
            r#"{"1": 70, "2": 100, "3": 70}"#,
            Over,
            vec![("1", 20), ("2", 0), ("3", 45)],
            &m,
            &MULTI,
        ),
        (
            r#"{"1": 30, "2": 45, "3": 25}"#,
            Under,
            vec![("1", 30), ("2", 45), ("3", 25)],
            &m,
            &MULTI,
        ),
        ("[1]", Clean, vec![("1", 25)], &m, &MULTI),
        // The callable case: _sampling_strategy_func(y) returns the majority's size for every class.
        (
            r#"{"1": 100, "2": 100, "3": 100}"#,
            Over,
            vec![("1", 50), ("2", 0), ("3", 75)],
            &m,
            &MULTI,
        ),
        ("0.5", Over, vec![("1", 25)], &b, &BIN),
        ("0.5", Under, vec![("0", 50)], &b, &BIN),
    ];
    assert_eq!(cases.len(), 21);
    for (text, kind, want, y, labels) in cases {
        assert_eq!(resolve(text, labels, y, kind).unwrap(), map(&want), "{text} {kind:?}");
    }
}

#[test]
fn test_sampling_strategy_check_order() {
    // An unsorted dict resolves to a map sorted by class.
    let m = multiclass();
    let got = resolve(r#"{"3": 25, "1": 25, "2": 25}"#, &MULTI, &m, SamplingKind::Under).unwrap();
    assert_eq!(got.keys().cloned().collect::<Vec<_>>(), ["1", "2", "3"]);
    let got = resolve(r#"{"3": 100, "1": 100, "2": 100}"#, &MULTI, &m, SamplingKind::Over).unwrap();
    assert_eq!(got, map(&[("1", 50), ("2", 0), ("3", 75)]));
}

#[test]
fn errors_match_imblearns() {
    use SamplingKind::*;
    let m = multiclass();
    let b = binary();
    let small = [vec![0; 10], vec![1; 20]].concat();
    let err = |text: &str, labels: &[&str], y: &[usize], kind| resolve(text, labels, y, kind).unwrap_err();
    // test_check_sampling_strategy_float_error
    assert!(err("0.5", &BIN, &b, Clean).contains("do not take a ratio"));
    assert!(err("0.1", &BIN, &small, Over).contains("remove samples from the minority class"));
    assert!(err("0.1", &BIN, &small, Under).contains("new samples in the majority class"));
    // test_check_sampling_strategy_error: a single class, an unknown string
    assert!(err("auto", &["1"], &[0; 10], Over).contains("at least 2 classes"));
    assert!(err("rnd", &MULTI, &m, Over).contains("not a strategy"));
    // test_check_sampling_strategy_error_wrong_string
    assert!(err("majority", &MULTI, &m, Over).contains("'majority' cannot be used with over-samplers"));
    assert!(err("minority", &MULTI, &m, Under).contains("'minority' cannot be used with under-samplers"));
    // test_sampling_strategy_class_target_unknown
    assert!(err(r#"{"10": 10}"#, &MULTI, &m, Under).contains("not present in the data"));
    assert!(err(r#"{"10": 10}"#, &MULTI, &m, Over).contains("not present in the data"));
    assert!(err("[10]", &MULTI, &m, Clean).contains("not present in the data"));
    // test_sampling_strategy_dict_error
    assert!(err(r#"{"1": -100, "2": 50, "3": 25}"#, &MULTI, &m, Under).contains("non-negative"));
    let e = err(r#"{"1": 45, "2": 100, "3": 70}"#, &MULTI, &m, Over);
    assert!(
        e.contains("cannot shrink") && e.contains("has 50 samples and 45 were asked"),
        "{e}"
    );
    let e = err(r#"{"1": 45, "2": 100, "3": 70}"#, &MULTI, &m, Under);
    assert!(e.contains("cannot grow"), "{e}");
    // test_sampling_strategy_float_error_not_in_range
    let two = [vec![0; 50], vec![1; 100]].concat();
    assert!(err("-10", &["1", "2"], &two, Under).contains("(0, 1]"));
    assert!(err("10", &["1", "2"], &two, Under).contains("(0, 1]"));
    // test_sampling_strategy_float_error_not_binary
    assert!(err("0.5", &MULTI, &m, Under).contains("only for binary targets"));
    // test_sampling_strategy_list_error_not_clean_sampling
    assert!(err("[1, 2, 3]", &MULTI, &m, Over).contains("only for cleaning samplers"));
    assert!(err("[1, 2, 3]", &MULTI, &m, Under).contains("only for cleaning samplers"));
    // Dicts are refused by cleaning samplers.
    assert!(err(r#"{"1": 10}"#, &MULTI, &m, Clean).contains("list of classes"));
}
