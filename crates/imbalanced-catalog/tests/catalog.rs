//! The catalogue's behaviour on two small estimators, one nesting the other.

use imbalanced_catalog::{
    assignment, value_from_text, value_text, Catalog, CatalogError, Described, Entry, Estimator, Value,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

trait Named {
    fn label(&self) -> String;
}

/// Inner: a step with two parameters. More text that is not the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "Inner", kind = "over", aliases = ["in", "inner-step"])]
struct Inner {
    /// How many. Default: 5.
    k: usize,
    /// A seed.
    /// Second line of the same paragraph.
    ///
    /// Not part of the doc line.
    random_state: u64,
}

impl Default for Inner {
    fn default() -> Self {
        Inner { k: 5, random_state: 0 }
    }
}

/// Outer: holds an optional Inner.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "Outer", kind = "combined")]
struct Outer {
    /// Passed to the default inner step.
    random_state: u64,
    /// Upper-case name, as scikit-learn's `C`.
    #[serde(rename = "C")]
    c: f64,
    /// The inner step; `None` builds `Inner(random_state=self.random_state)`.
    #[param(nested = Outer::inner_step)]
    inner: Option<Inner>,
}

impl Outer {
    fn inner_step(&self) -> Inner {
        Inner {
            random_state: self.random_state,
            ..Inner::default()
        }
    }
}

impl Named for Inner {
    fn label(&self) -> String {
        format!("Inner(k={}, seed={})", self.k, self.random_state)
    }
}

impl Named for Outer {
    fn label(&self) -> String {
        format!("Outer(C={}, inner={:?})", self.c, self.inner.as_ref().map(Named::label))
    }
}

fn boxed<T: Named + Described + 'static>(v: Value) -> Result<Box<dyn Named>, String> {
    Ok(Box::new(imbalanced_catalog::from_params::<T>(v)?))
}

static ENTRIES: [Entry<dyn Named>; 2] = [Entry::of::<Inner>(boxed::<Inner>), Entry::of::<Outer>(boxed::<Outer>)];
static CATALOG: Catalog<dyn Named> = Catalog {
    what: "thing",
    entries: &ENTRIES,
};

#[test]
fn info_and_docs_come_from_the_struct() {
    assert_eq!(Inner::INFO.summary, "Inner: a step with two parameters");
    assert_eq!(Inner::INFO.aliases, &["in", "inner-step"]);
    assert_eq!(Inner::PARAMS[1].doc, "A seed. Second line of the same paragraph.");
    assert_eq!(Outer::PARAMS[1].name, "C");
    assert_eq!(Outer::PARAMS[2].ty, "Option<Inner>");
    assert!(Outer::PARAMS[2].nested.is_some() && Outer::PARAMS[0].nested.is_none());
}

#[test]
fn names_match_ignoring_case_and_separators() {
    for name in ["Inner", "inner", "IN", "inner_step", "InnerStep"] {
        assert_eq!(CATALOG.find(name).unwrap().info.name, "Inner", "{name}");
    }
    match CATALOG.find("Outre").err().unwrap() {
        CatalogError::UnknownName { suggestion, known, .. } => {
            assert_eq!(suggestion.as_deref(), Some("Outer"));
            assert_eq!(known, "Inner (in, inner-step), Outer");
        }
        e => panic!("{e}"),
    }
    let far = CATALOG.find("SomethingElse").err().unwrap().to_string();
    assert!(!far.contains("did you mean"), "{far}");
}

#[test]
fn defaults_come_from_default() {
    let e = CATALOG.find("Inner").unwrap();
    assert_eq!(e.defaults(), json!({"k": 5, "random_state": 0}));
    assert_eq!(e.signature(), "k=5 random_state=0");
    let outer = CATALOG.find("Outer").unwrap();
    let names: Vec<String> = outer
        .summaries()
        .into_iter()
        .map(|s| format!("{}={}", s.name, s.default))
        .collect();
    assert_eq!(
        names,
        [
            "random_state=0",
            "C=0.0",
            "inner=null",
            "inner__k=5",
            "inner__random_state=0"
        ]
    );
}

#[test]
fn parameters_override_defaults_and_ambient_values() {
    let given = vec![("k".to_string(), json!(3))];
    let ambient = [("random_state", json!(7)), ("unknown_elsewhere", json!(1))];
    let built = CATALOG.build("inner", &given, &ambient).unwrap();
    assert_eq!(built.label(), "Inner(k=3, seed=7)");
    let given = vec![("random_state".to_string(), json!(9))];
    assert_eq!(
        CATALOG.build("inner", &given, &ambient).unwrap().label(),
        "Inner(k=5, seed=9)"
    );
}

#[test]
fn nested_parameters_start_from_the_parents_step() {
    let given = vec![("inner__k".to_string(), json!(2)), ("C".to_string(), json!(1.5))];
    let built = CATALOG.build("Outer", &given, &[("random_state", json!(4))]).unwrap();
    assert_eq!(built.label(), "Outer(C=1.5, inner=Some(\"Inner(k=2, seed=4)\"))");
    // The parent's own parameters are set first, whatever the order given.
    let given = vec![
        ("inner__k".to_string(), json!(2)),
        ("random_state".to_string(), json!(8)),
    ];
    let built = CATALOG.build("Outer", &given, &[]).unwrap();
    assert_eq!(built.label(), "Outer(C=0, inner=Some(\"Inner(k=2, seed=8)\"))");
}

#[test]
fn unknown_and_ill_typed_parameters_are_named() {
    let e = CATALOG.find("Outer").unwrap();
    let mut p = e.defaults();
    match e.set(&mut p, "c", json!(1)).err().unwrap() {
        CatalogError::UnknownParam {
            suggestion, accepted, ..
        } => {
            assert_eq!(suggestion.as_deref(), Some("C"));
            assert_eq!(accepted, "random_state, C, inner");
        }
        other => panic!("{other}"),
    }
    let err = e.set(&mut p, "inner__kk", json!(1)).err().unwrap().to_string();
    assert!(
        err.contains("Outer has no parameter \"kk\"") && err.contains("did you mean \"k\""),
        "{err}"
    );
    assert!(matches!(
        e.set(&mut p, "C__x", json!(1)),
        Err(CatalogError::NotNested { .. })
    ));
    let bad = vec![("inner__k".to_string(), json!("three"))];
    match e.build_with(&bad, &[]).err().unwrap() {
        CatalogError::BadValue { param, message, .. } => {
            assert_eq!(param, "inner__k");
            assert!(message.contains("expected usize"), "{message}");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn text_values_read_as_json_or_strings() {
    assert_eq!(value_from_text("3"), json!(3));
    assert_eq!(value_from_text(" 0.5 "), json!(0.5));
    assert_eq!(value_from_text("auto"), json!("auto"));
    assert_eq!(value_from_text("None"), Value::Null);
    for v in [json!(3), json!("auto"), Value::Null, json!({"0": 100}), json!([1, "a"])] {
        assert_eq!(value_from_text(&value_text(&v)), v);
    }
    assert_eq!(value_from_text(r#"{"0": 100}"#), json!({"0": 100}));
    assert_eq!(value_from_text("borderline-1"), json!("borderline-1"));
    assert_eq!(
        assignment("smote__k_neighbors = 3"),
        Some(("smote__k_neighbors".into(), json!(3)))
    );
    assert_eq!(assignment("a=b=c"), Some(("a".into(), json!("b=c"))));
    assert_eq!(assignment("k_neighbors"), None);
    assert_eq!(assignment("=3"), None);
}
