//! `train --labels` and `predict` with a multi-label model: reading the
//! files and writing the predictions; the format and the fitting are
//! `imbalanced_eval::MultiLabelFile`'s.

use imbalanced::eval::MultiLabelFile;
use imbalanced::losses::LossSpec;
use imbalanced::models::AnyClassifier;

use crate::train::{with_epoch_bar, PredictArgs, TrainArgs};

type BoxError = Box<dyn std::error::Error>;

pub fn train(args: &TrainArgs, loss: &LossSpec) -> Result<(), BoxError> {
    let AnyClassifier::Mlp(mlp) = args.classifier()? else {
        unreachable!("classifier() gives the MLP with --labels");
    };
    let data = MultiLabelFile::read_data(&args.file, &args.input.options())?;
    let file = with_epoch_bar(Some(mlp.epochs), |p| {
        MultiLabelFile::fit(&data, &args.labels, &mlp, loss, !args.no_scale, p)
            .map_err(|e| format!("{}: {e}", args.file.display()).into())
    })?;
    imbalanced::data::write_text(&args.out, &file.to_json())?;
    println!("wrote {}", args.out.display());
    Ok(())
}

/// `true_<label>` where the data has the label column, then `pred_<label>`
/// (probability >= 0.5) and `proba_<label>`.
pub fn predict(text: &str, args: &PredictArgs) -> Result<(), BoxError> {
    let m = MultiLabelFile::from_json(text).map_err(|e| format!("{}: {e}", args.model.display()))?;
    let data = MultiLabelFile::read_data(&args.file, &args.input.options())?;
    let n = m
        .write_predictions(&data, &args.out)
        .map_err(|e| format!("{}: {e}", args.file.display()))?;
    println!(
        "wrote {n} predictions of {} labels to {}",
        m.labels.len(),
        args.out.display()
    );
    Ok(())
}
