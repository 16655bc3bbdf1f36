//! `train --labels` and `predict` with a multi-label model: reading the
//! files and writing the predictions; the format and the fitting are
//! `imbalanced_eval::MultiLabelFile`'s.

use std::path::Path;

use imbalanced::data::{format_number, Dataset, ReadOptions};
use imbalanced::eval::MultiLabelFile;
use imbalanced::losses::LossSpec;
use imbalanced::models::AnyClassifier;

use crate::train::{with_epoch_bar, PredictArgs, TrainArgs};

type BoxError = Box<dyn std::error::Error>;

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
    let data = read_columns(&args.file, &args.input.options())?;
    let file = with_epoch_bar(Some(mlp.epochs), |p| {
        MultiLabelFile::fit(&data, &args.labels, &mlp, loss, !args.no_scale, p)
            .map_err(|e| format!("{}: {e}", args.file.display()).into())
    })?;
    crate::write_text(&args.out, &file.to_json())?;
    println!("wrote {}", args.out.display());
    Ok(())
}

/// `true_<label>` where the data has the label column, then `pred_<label>`
/// (probability >= 0.5) and `proba_<label>`.
pub fn predict(text: &str, args: &PredictArgs) -> Result<(), BoxError> {
    let m = MultiLabelFile::from_json(text).map_err(|e| format!("{}: {e}", args.model.display()))?;
    let data = read_columns(&args.file, &ReadOptions::default())?;
    let proba = m
        .predict_label_proba(&data)
        .map_err(|e| format!("{}: {e}", args.file.display()))?;
    let names: Vec<&str> = data.numeric_names().collect();
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
