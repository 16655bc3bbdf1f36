//! `train --labels`: an MLP with one sigmoid per label column, and its
//! predictions. Its file holds the network, the scaler and the column names
//! (format `imbalanced-multilabel`); the single-label pipeline's file is the
//! library's `ModelFile`.

use std::path::Path;

use imbalanced::data::{format_number, Dataset, ReadOptions};
use imbalanced::losses::LossSpec;
use imbalanced::models::persist::Validate;
use imbalanced::models::{AnyClassifier, FittedMlp, FittedScaler, StandardScaler};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::train::{with_epoch_bar, PredictArgs, TrainArgs};

type BoxError = Box<dyn std::error::Error>;

const FORMAT: &str = "imbalanced-multilabel";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MultiLabelFile {
    format: String,
    version: String,
    loss: LossSpec,
    features: Vec<String>,
    labels: Vec<String>,
    scaler: Option<FittedScaler>,
    network: FittedMlp,
}

/// Whether `text` is a multi-label model file.
pub fn is_multilabel(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v["format"] == FORMAT)
}

fn scaled(scaler: &Option<FittedScaler>, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, BoxError> {
    Ok(match scaler {
        Some(s) => s.transform(x)?,
        None => x.to_owned(),
    })
}

/// Reads a file whose every column is a feature (or a label column).
fn read_columns(path: &Path, opts: &ReadOptions) -> Result<Dataset, BoxError> {
    let data = imbalanced::data::read(
        path,
        &ReadOptions {
            unlabelled: true,
            ..opts.clone()
        },
    )?;
    if data.has_categorical() {
        return Err(format!("{}: multi-label training needs numeric features", path.display()).into());
    }
    Ok(data)
}

pub fn train(args: &TrainArgs, loss: &LossSpec) -> Result<(), BoxError> {
    let AnyClassifier::Mlp(mlp) = args.classifier()? else {
        unreachable!("classifier() gives the MLP with --labels");
    };
    let mlp = imbalanced::models::MlpClassifier {
        loss: loss.clone(),
        ..mlp
    };
    let data = read_columns(&args.file, &args.input.options())?;
    let names: Vec<&str> = args.labels.iter().map(String::as_str).collect();
    let (features, targets) = data.take_numeric_columns(&names)?;
    if let Some(((row, column), v)) = targets.indexed_iter().find(|(_, v)| **v != 0.0 && **v != 1.0) {
        return Err(format!(
            "{}: label column {:?} has {v} on data row {}; label columns hold 0 or 1",
            args.file.display(),
            names[column],
            row + 1
        )
        .into());
    }
    let scaler = if args.no_scale {
        None
    } else {
        Some(StandardScaler.fit(features.numeric())?)
    };
    let x = scaled(&scaler, features.numeric())?;
    let network = with_epoch_bar(Some(mlp.epochs), |p| {
        Ok(mlp.fit_multilabel(x.view(), targets.view(), p)?)
    })?;
    let file = MultiLabelFile {
        format: FORMAT.into(),
        version: imbalanced::eval::model_file::VERSION.into(),
        loss: loss.clone(),
        features: features.numeric_names().map(str::to_string).collect(),
        labels: args.labels.clone(),
        scaler,
        network,
    };
    crate::write_text(&args.out, &serde_json::to_string_pretty(&file)?)?;
    println!("wrote {}", args.out.display());
    Ok(())
}

fn load(text: &str) -> Result<MultiLabelFile, String> {
    let m: MultiLabelFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    m.network.validate()?;
    if let Some(s) = &m.scaler {
        s.validate()?;
        if s.mean.len() != m.features.len() {
            return Err("scaler: not one value per feature".into());
        }
    }
    use imbalanced::models::Predict;
    if m.network.n_features() != m.features.len() || m.network.n_classes() != m.labels.len() {
        return Err("network: inputs or outputs differ from features and labels".into());
    }
    Ok(m)
}

/// `true_<label>` where the data has the label column, then `pred_<label>`
/// (probability >= 0.5) and `proba_<label>`.
pub fn predict(text: &str, args: &PredictArgs) -> Result<(), BoxError> {
    let m = load(text).map_err(|e| format!("{}: not a valid model file: {e}", args.model.display()))?;
    let data = read_columns(&args.file, &ReadOptions::default())?;
    let names: Vec<&str> = data.numeric_names().collect();
    let cols = m
        .features
        .iter()
        .map(|f| {
            names
                .iter()
                .position(|n| n == f)
                .ok_or_else(|| format!("{}: no column {f:?}, which the model needs", args.file.display()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let x = scaled(&m.scaler, data.numeric().select(ndarray::Axis(1), &cols).view())?;
    let proba = m.network.predict_label_proba(x.view())?;
    let truth: Vec<(&String, usize)> = m
        .labels
        .iter()
        .filter_map(|l| names.iter().position(|n| n == l).map(|j| (l, j)))
        .collect();
    let mut header: Vec<String> = truth.iter().map(|(l, _)| format!("true_{l}")).collect();
    header.extend(m.labels.iter().map(|l| format!("pred_{l}")));
    header.extend(m.labels.iter().map(|l| format!("proba_{l}")));
    let mut out = header.join(",") + "\n";
    for (i, p) in proba.rows().into_iter().enumerate() {
        let mut fields: Vec<String> = truth
            .iter()
            .map(|&(_, j)| format_number(data.numeric()[(i, j)]))
            .collect();
        fields.extend(p.iter().map(|&v| u8::from(v >= 0.5).to_string()));
        fields.extend(p.iter().map(|&v| format_number(v)));
        out += &(fields.join(",") + "\n");
    }
    crate::write_text(&args.out, &out)?;
    println!(
        "wrote {} predictions of {} labels to {}",
        proba.nrows(),
        m.labels.len(),
        args.out.display()
    );
    Ok(())
}
