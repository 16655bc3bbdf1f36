//! Times fitting `HistGradientBoostingClassifier` on a training file and
//! scores it on a test file, as `bench/boosting.py` compares with LightGBM
//! and scikit-learn:
//!
//! ```sh
//! cargo run --release -p imbalanced-boosting --example boosting_timing -- TRAIN.csv TEST.csv [key=value...]
//! ```
//!
//! Parameters as the catalogue takes them (`max_iter=100`,
//! `early_stopping=false`, `loss=focal`); prints one JSON line:
//! `{"fit": seconds, "roc_auc": on the test rows, "n_iter": rounds}`.

use std::time::Instant;

use imbalanced_boosting::HistGradientBoostingClassifier;
use imbalanced_catalog::{value_from_text, Value};
use imbalanced_models::{Fit, Predict};
use imbalanced_scores::MulticlassAverage;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [train, test, params @ ..] = args.as_slice() else {
        return Err("usage: boosting_timing TRAIN.csv TEST.csv [key=value...]".into());
    };
    let mut given = serde_json::Map::new();
    for p in params {
        let (k, v) = p.split_once('=').ok_or("parameters go as key=value")?;
        given.insert(k.to_string(), value_from_text(v));
    }
    let model: HistGradientBoostingClassifier = serde_json::from_value(Value::Object(given))?;
    let options = imbalanced_data::ReadOptions::default();
    let (train, test) = (
        imbalanced_data::read(train, &options)?,
        imbalanced_data::read(test, &options)?,
    );
    let started = Instant::now();
    let fitted = model.fit(train.numeric(), train.y(), train.classes().len())?;
    let seconds = started.elapsed().as_secs_f64();
    let proba = fitted.predict_proba(test.numeric())?;
    let auc = imbalanced_scores::roc_auc_score(test.y(), proba.view(), MulticlassAverage::Macro)?;
    println!(
        "{}",
        serde_json::json!({"fit": seconds, "roc_auc": auc, "n_iter": fitted.n_iter})
    );
    Ok(())
}
