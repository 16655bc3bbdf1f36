//! Every fitted model saves to JSON and loads back to bit-identical
//! predictions; an edited or damaged file is refused with an error, never a
//! panic or a silent prediction.

use imbalanced_models::*;
use ndarray::Array2;
use serde_json::Value;

fn data() -> (Array2<f64>, Vec<usize>) {
    let x = Array2::from_shape_fn((60, 3), |(i, j)| {
        ((i * 7 + j * 13) % 17) as f64 / 4.0 + (i % 3) as f64 * j as f64
    });
    let y = (0..60).map(|i| i % 3).collect();
    (x, y)
}

/// Every catalogue model, small enough to fit quickly.
fn fitted() -> Vec<FittedModel> {
    let (x, y) = data();
    MODELS
        .entries
        .iter()
        .map(|e| {
            let small = match e.info.name {
                "RandomForestClassifier" => vec![("n_estimators".to_string(), 3.into())],
                "MLPClassifier" => vec![
                    ("hidden_layer_sizes".to_string(), serde_json::json!([4, 3])),
                    ("max_iter".to_string(), 5.into()),
                ],
                _ => vec![],
            };
            MODELS
                .build(e.info.name, &small, &[])
                .unwrap()
                .fit(x.view(), &y, 3)
                .unwrap()
        })
        .collect()
}

#[test]
fn every_model_round_trips_to_identical_predictions() {
    let (x, _) = data();
    for m in fitted() {
        let text = serde_json::to_string(&m).unwrap();
        let back = FittedModel::from_json(&text).unwrap();
        assert_eq!(back, m);
        let (a, b) = (
            m.predict_proba(x.view()).unwrap(),
            back.predict_proba(x.view()).unwrap(),
        );
        assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()), "{text:.80}");
    }
}

/// Paths of every array of numbers in `v`, with a label for messages.
fn numeric_arrays(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Array(items) if items.iter().all(Value::is_number) => out.push(path.clone()),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, item)| {
            path.push(i.to_string());
            numeric_arrays(item, path, out);
            path.pop();
        }),
        Value::Object(map) => map.iter().for_each(|(k, item)| {
            path.push(k.clone());
            numeric_arrays(item, path, out);
            path.pop();
        }),
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[String]) -> &'a mut Vec<Value> {
    let mut cur = v;
    for p in path {
        cur = match cur {
            Value::Array(a) => &mut a[p.parse::<usize>().unwrap()],
            other => &mut other[p.as_str()],
        };
    }
    cur.as_array_mut().unwrap()
}

#[test]
fn every_damaged_file_is_refused() {
    for m in fitted() {
        let value = serde_json::to_value(&m).unwrap();
        let mut paths = Vec::new();
        numeric_arrays(&value, &mut Vec::new(), &mut paths);
        // The training curves only report what happened; any length is valid.
        paths.retain(|p| !p.iter().any(|s| s.ends_with("_curve")));
        assert!(!paths.is_empty());
        for path in &paths {
            for edit in ["drop", "append", "empty"] {
                let mut v = value.clone();
                let a = at(&mut v, path);
                if a.is_empty() && edit != "append" {
                    continue;
                }
                match edit {
                    "drop" => drop(a.pop()),
                    "append" => a.push(0.5.into()),
                    _ => a.clear(),
                }
                let text = serde_json::to_string(&v).unwrap();
                let got = std::panic::catch_unwind(|| FittedModel::from_json(&text));
                assert!(
                    matches!(got, Ok(Err(ModelError::Corrupt(_)))),
                    "{}: {edit} at {} was not refused",
                    m.name(),
                    path.join(".")
                );
            }
        }
        let text = serde_json::to_string(&m).unwrap();
        for cut in [1, text.len() / 3, text.len() - 1] {
            assert!(FittedModel::from_json(&text[..cut]).is_err());
        }
    }
}
