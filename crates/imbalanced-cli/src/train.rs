//! `imbalanced train` and `imbalanced predict`: a softmax regression or MLP
//! trained with any imbalance-aware loss, saved as JSON.

use std::path::{Path, PathBuf};

use clap::Args;
use imbalanced::data::{DataError, Dataset, ReadOptions};
use imbalanced::losses::LossSpec;
use imbalanced::models::{
    Activation, BatchSampling, Dense, EpochReport, Fit, FittedMlp, FittedScaler, FittedSoftmax, MlpClassifier, Predict,
    ProportionSsl, SoftmaxRegression, StandardScaler,
};
use imbalanced::resample::{randomness, RngKind, SAMPLERS};
use indicatif::{ProgressBar, ProgressStyle};
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::post::PostProcessing;
use crate::InputArgs;

type BoxError = Box<dyn std::error::Error>;

#[derive(Args)]
pub struct TrainArgs {
    /// CSV, KEEL .dat, ARFF or Parquet file with numeric features.
    pub file: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    /// `logreg` / `softmax` (softmax regression, L-BFGS) or `mlp`.
    #[arg(long, default_value = "mlp")]
    pub model: String,
    /// Loss: ce (the default), weighted-ce, focal, cb-focal, ldam, ldam-drw,
    /// logit-adjusted (la), balanced-softmax, label-smoothing, seesaw, tal, dice,
    /// tversky, ce-dice, proportion, asl, lcr, sigmoid-focal, bce. With --labels:
    /// bce (the default), sigmoid-focal, asl, lcr, ldam, ldam-drw.
    #[arg(long)]
    pub loss: Option<String>,
    /// A loss parameter, repeatable: gamma=2, beta=0.9999, tau=1, max_m=0.5, s=30, eps=0.1, ...
    #[arg(long = "param", short, value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Resample the training data first with this sampler (any `resample --list` name).
    #[arg(long)]
    pub sampler: Option<String>,
    /// MLP hidden layer sizes.
    #[arg(long, value_delimiter = ',', default_value = "100")]
    pub hidden: Vec<usize>,
    /// MLP activation: relu or gelu.
    #[arg(long, default_value = "relu")]
    pub activation: String,
    /// MLP dropout probability.
    #[arg(long, default_value_t = 0.0)]
    pub dropout: f64,
    /// Multi-sample dropout: masks per step on the last hidden layer (Inoue 2019).
    #[arg(long, default_value_t = 1)]
    pub dropout_samples: usize,
    /// MLP batch sampling: instance, class-balanced, sqrt or progressive.
    #[arg(long, default_value = "instance")]
    pub sampling: String,
    /// MLP cosine (normalised) head, as LDAM uses.
    #[arg(long)]
    pub cosine_head: bool,
    #[arg(long, default_value_t = 200)]
    pub epochs: usize,
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f64,
    #[arg(long, default_value_t = 200)]
    pub batch_size: usize,
    /// Share of each class held out to report balanced accuracy every epoch and
    /// stop early (patience 10); 0 trains on everything for all epochs.
    #[arg(long, default_value_t = 0.1)]
    pub validation: f64,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Do not standardise the features.
    #[arg(long)]
    pub no_scale: bool,
    /// Calibrate probabilities on held-out rows: temperature,
    /// temperature-per-class, platt, isotonic or histogram (ECE/MCE reported).
    #[arg(long, value_name = "METHOD")]
    pub calibrate: Option<String>,
    /// Tune per-class decision thresholds on held-out rows: f1, precision=P or recall=R.
    #[arg(long, value_name = "OBJECTIVE")]
    pub threshold: Option<String>,
    /// Share of each class held out (before any sampler) for --calibrate / --threshold.
    #[arg(long, default_value_t = 0.2)]
    pub calibration_fraction: f64,
    /// Multi-label training (MLP): these 0/1 columns are the labels, one
    /// sigmoid each; every other column is a feature (--target is not used).
    #[arg(long, value_delimiter = ',', value_name = "COLS", conflicts_with_all = ["sampler", "calibrate", "threshold", "unlabelled"])]
    pub labels: Vec<String>,
    /// Semi-supervised training (MLP): unlabelled rows (the same feature
    /// columns, no target) whose batch-mean prediction the proportion loss
    /// pulls toward the class proportions.
    #[arg(long, value_name = "FILE")]
    pub unlabelled: Option<PathBuf>,
    /// Weight of the proportion loss on unlabelled batches.
    #[arg(long, default_value_t = 1.0, requires = "unlabelled")]
    pub unlabelled_weight: f64,
    /// Class proportions of the unlabelled data, in class order (default:
    /// the labelled training rows' shares).
    #[arg(long, value_delimiter = ',', requires = "unlabelled")]
    pub proportions: Vec<f64>,
    /// Draw each unlabelled batch's target proportions from a multivariate
    /// hypergeometric (the proportion loss's stochastic variant).
    #[arg(long, requires = "unlabelled")]
    pub stochastic_proportions: bool,
    /// Where to write the model (JSON).
    #[arg(long, short)]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct PredictArgs {
    /// A model written by `imbalanced train`.
    pub model: PathBuf,
    /// Data with the model's feature columns. With its target column too,
    /// y_true is copied to the output, so `imbalanced metrics` can read it;
    /// a CSV without it is predicted as unlabelled data.
    pub file: PathBuf,
    /// Output CSV: y_true, y_pred and one proba_<label> column per class
    /// (multi-label models: pred_<label> and proba_<label> per label, and
    /// true_<label> where the file has the label column).
    #[arg(long, short)]
    pub out: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Layer {
    w: Vec<Vec<f64>>,
    b: Vec<f64>,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Network {
    Softmax {
        coef: Vec<Vec<f64>>,
        intercept: Vec<f64>,
    },
    Mlp {
        activation: String,
        cosine_head: bool,
        layers: Vec<Layer>,
        head: Layer,
    },
}

/// The model file.
#[derive(Serialize, Deserialize)]
struct ModelFile {
    format: String,
    loss: String,
    loss_params: Vec<(String, String)>,
    features: Vec<String>,
    target: String,
    classes: Vec<String>,
    scaler: Option<(Vec<f64>, Vec<f64>)>,
    network: Network,
    #[serde(default)]
    post: PostProcessing,
    /// Multi-label: `classes` are the label columns, one sigmoid each.
    #[serde(default)]
    multilabel: bool,
}

const FORMAT: &str = "imbalanced-model/1";

fn rows(a: &Array2<f64>) -> Vec<Vec<f64>> {
    a.rows().into_iter().map(|r| r.to_vec()).collect()
}

fn matrix(v: &[Vec<f64>]) -> Result<Array2<f64>, BoxError> {
    let cols = v.first().map_or(0, Vec::len);
    if v.iter().any(|r| r.len() != cols) {
        return Err("model file: ragged matrix".into());
    }
    Ok(Array2::from_shape_vec((v.len(), cols), v.concat())?)
}

fn layer(d: &Dense) -> Layer {
    Layer {
        w: rows(&d.w),
        b: d.b.to_vec(),
    }
}

fn dense(l: &Layer) -> Result<Dense, BoxError> {
    Ok(Dense {
        w: matrix(&l.w)?,
        b: Array1::from(l.b.clone()),
    })
}

fn numeric_only(data: &Dataset, path: &Path) -> Result<(), BoxError> {
    if data.has_categorical() {
        return Err(format!(
            "{}: train needs numeric features; one-hot encode the categorical columns first \
             (evaluate handles them inside its pipeline)",
            path.display()
        )
        .into());
    }
    Ok(())
}

fn split_param(p: &str) -> Result<(String, String), String> {
    p.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .ok_or_else(|| format!("--param {p:?} is not KEY=VALUE (e.g. --param gamma=2)"))
}

fn fit_scaler(args: &TrainArgs, x: ArrayView2<'_, f64>) -> Result<Option<FittedScaler>, BoxError> {
    Ok(if args.no_scale {
        None
    } else {
        Some(StandardScaler.fit(x)?)
    })
}

fn scaled(scaler: &Option<FittedScaler>, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, BoxError> {
    Ok(match scaler {
        Some(s) => s.transform(x)?,
        None => x.to_owned(),
    })
}

/// The MLP the arguments describe, trained with `loss`.
fn mlp_model(args: &TrainArgs, loss: &LossSpec) -> Result<MlpClassifier, BoxError> {
    let activation = match args.activation.as_str() {
        "relu" => Activation::Relu,
        "gelu" => Activation::Gelu,
        other => return Err(format!("--activation {other}: use relu or gelu").into()),
    };
    let sampling = match args.sampling.as_str() {
        "instance" => BatchSampling::Instance,
        "class-balanced" | "balanced" => BatchSampling::ClassBalanced,
        "sqrt" | "square-root" => BatchSampling::SquareRoot,
        "progressive" => BatchSampling::Progressive,
        other => return Err(format!("--sampling {other}: use instance, class-balanced, sqrt or progressive").into()),
    };
    Ok(MlpClassifier {
        sampling,
        hidden: args.hidden.clone(),
        activation,
        dropout: args.dropout,
        dropout_samples: args.dropout_samples,
        cosine_head: args.cosine_head,
        loss: loss.clone(),
        learning_rate: args.lr,
        batch_size: args.batch_size,
        epochs: args.epochs,
        validation_fraction: args.validation,
        random_state: args.seed,
        ..Default::default()
    })
}

/// Runs `fit` with a progress bar and a line per epoch (loss, and the
/// validation balanced accuracy where there is one).
fn with_epoch_bar<T>(
    epochs: usize,
    fit: impl FnOnce(&mut dyn FnMut(EpochReport)) -> Result<T, imbalanced::models::ModelError>,
) -> Result<T, BoxError> {
    let bar = ProgressBar::new(epochs as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} epoch {pos}/{len} [{elapsed}] {msg}").expect("valid template"),
    );
    let fitted = fit(&mut |r: EpochReport| {
        bar.inc(1);
        let line = match r.validation {
            Some(v) => format!(
                "epoch {:>4}: loss {:.4}, validation balanced accuracy {:.4}",
                r.epoch + 1,
                r.loss,
                v
            ),
            None => format!("epoch {:>4}: loss {:.4}", r.epoch + 1, r.loss),
        };
        if bar.is_hidden() {
            eprintln!("{line}");
        } else {
            bar.println(line);
        }
    })?;
    bar.finish_and_clear();
    Ok(fitted)
}

fn mlp_network(args: &TrainArgs, f: &FittedMlp) -> Network {
    Network::Mlp {
        activation: args.activation.clone(),
        cosine_head: f.cosine_head,
        layers: f.layers.iter().map(layer).collect(),
        head: layer(&f.head),
    }
}

fn loss_params(args: &TrainArgs) -> Result<Vec<(String, String)>, BoxError> {
    Ok(args
        .params
        .iter()
        .map(|p| split_param(p))
        .collect::<Result<Vec<_>, _>>()?)
}

pub fn run_train(args: TrainArgs) -> Result<(), BoxError> {
    if !args.labels.is_empty() {
        return train_multilabel(&args);
    }
    let loss = LossSpec::new(args.loss.as_deref().unwrap_or("ce"), &loss_params(&args)?)?;
    if let Some(c) = &args.calibrate {
        crate::post::parse_calibration(c)?;
    }
    if let Some(t) = &args.threshold {
        crate::post::parse_threshold(t)?;
    }
    let mut data = args.input.load(&args.file)?;
    numeric_only(&data, &args.file)?;
    // Held-out rows for calibration and thresholds, split before any resampling.
    let mut held_out = None;
    if args.calibrate.is_some() || args.threshold.is_some() {
        let split = imbalanced::eval::train_test_split(data.y(), args.calibration_fraction, args.seed)?;
        held_out = Some(data.select_rows(&split.test));
        data = data.select_rows(&split.train);
    }
    if let Some(s) = &args.sampler {
        data = SAMPLERS
            .build(s, &[], &randomness(args.seed, RngKind::Default))?
            .fit_resample_dataset(&data)?;
    }
    let scaler = fit_scaler(&args, data.numeric())?;
    let x = scaled(&scaler, data.numeric())?;
    let k = data.classes().len();
    let network = match args.model.to_ascii_lowercase().as_str() {
        "logreg" | "softmax" | "logisticregression" | "softmaxregression" => {
            if args.unlabelled.is_some() {
                return Err("--unlabelled trains the MLP only: add --model mlp".into());
            }
            let spinner = ProgressBar::new_spinner().with_message("L-BFGS");
            let f: FittedSoftmax = SoftmaxRegression {
                loss: loss.clone(),
                ..Default::default()
            }
            .fit(x.view(), data.y(), k)?;
            spinner.finish_and_clear();
            println!(
                "softmax regression: {} L-BFGS iterations, converged: {}",
                f.n_iter, f.converged
            );
            Network::Softmax {
                coef: rows(&f.coef),
                intercept: f.intercept.to_vec(),
            }
        }
        "mlp" | "mlpclassifier" => {
            let model = mlp_model(&args, &loss)?;
            let f = match &args.unlabelled {
                None => with_epoch_bar(args.epochs, |p| model.fit_with_progress(x.view(), data.y(), k, p))?,
                Some(path) => {
                    let pool = read_features(path, &args.input.options())?;
                    let xu = scaled(
                        &scaler,
                        feature_columns(&pool, &data.numeric_names().collect::<Vec<_>>(), path)?.view(),
                    )?;
                    let ssl = ProportionSsl {
                        weight: args.unlabelled_weight,
                        proportions: (!args.proportions.is_empty()).then(|| args.proportions.clone()),
                        stochastic: args.stochastic_proportions,
                    };
                    println!(
                        "semi-supervised: {} labelled and {} unlabelled rows",
                        x.nrows(),
                        xu.nrows()
                    );
                    with_epoch_bar(args.epochs, |p| {
                        model.fit_semi_supervised(x.view(), data.y(), k, xu.view(), &ssl, p)
                    })?
                }
            };
            mlp_network(&args, &f)
        }
        other => return Err(format!("--model {other}: use logreg, softmax or mlp").into()),
    };
    let post = match &held_out {
        Some(h) => {
            let proba = network_proba(&network, scaled(&scaler, h.numeric())?.view(), false)?;
            PostProcessing::fit(
                proba.view(),
                h.y(),
                args.calibrate.as_deref(),
                args.threshold.as_deref(),
            )?
        }
        None => PostProcessing::default(),
    };
    let file = ModelFile {
        format: FORMAT.into(),
        loss: loss.name.clone(),
        loss_params: loss.params.clone().into_iter().collect(),
        features: data.numeric_names().map(str::to_string).collect(),
        target: data.target_name().to_string(),
        classes: data.classes().to_vec(),
        scaler: scaler.map(|s| (s.mean.to_vec(), s.scale.to_vec())),
        network,
        post,
        multilabel: false,
    };
    save(&file, &args.out)
}

fn save(file: &ModelFile, out: &Path) -> Result<(), BoxError> {
    let text = serde_json::to_string_pretty(file)?;
    crate::write_text(out, &text)?;
    println!("wrote {}", out.display());
    Ok(())
}

/// Reads a file whose every column is a feature (unlabelled data).
fn read_features(path: &Path, opts: &ReadOptions) -> Result<Dataset, BoxError> {
    let data = imbalanced::data::read(
        path,
        &ReadOptions {
            unlabelled: true,
            ..opts.clone()
        },
    )?;
    numeric_only(&data, path)?;
    Ok(data)
}

/// The numeric columns `names` of `data`, in that order.
fn feature_columns(data: &Dataset, names: &[&str], path: &Path) -> Result<Array2<f64>, BoxError> {
    let have: Vec<&str> = data.numeric_names().collect();
    let cols = names
        .iter()
        .map(|f| {
            have.iter()
                .position(|n| n == f)
                .ok_or_else(|| format!("{}: no column {f:?}, which the model needs", path.display()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(data.numeric().select(ndarray::Axis(1), &cols))
}

/// `train --labels`: an MLP with one sigmoid per label column.
fn train_multilabel(args: &TrainArgs) -> Result<(), BoxError> {
    let loss = LossSpec::new_multilabel(args.loss.as_deref().unwrap_or("bce"), &loss_params(args)?)?;
    if !matches!(args.model.to_ascii_lowercase().as_str(), "mlp" | "mlpclassifier") {
        return Err("--labels (multi-label training) needs --model mlp".into());
    }
    let data = read_features(&args.file, &args.input.options())?;
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
    let scaler = fit_scaler(args, features.numeric())?;
    let x = scaled(&scaler, features.numeric())?;
    let model = mlp_model(args, &loss)?;
    let f = with_epoch_bar(args.epochs, |p| model.fit_multilabel(x.view(), targets.view(), p))?;
    let file = ModelFile {
        format: FORMAT.into(),
        loss: loss.name.clone(),
        loss_params: loss.params.clone().into_iter().collect(),
        features: features.numeric_names().map(str::to_string).collect(),
        target: String::new(),
        classes: args.labels.clone(),
        scaler: scaler.map(|s| (s.mean.to_vec(), s.scale.to_vec())),
        network: mlp_network(args, &f),
        post: PostProcessing::default(),
        multilabel: true,
    };
    save(&file, &args.out)
}

/// Class probabilities of a stored network (per-label sigmoids when `multilabel`).
fn network_proba(network: &Network, x: ArrayView2<'_, f64>, multilabel: bool) -> Result<Array2<f64>, BoxError> {
    Ok(match network {
        Network::Softmax { coef, intercept } => {
            let f = FittedSoftmax {
                coef: matrix(coef)?,
                intercept: Array1::from(intercept.clone()),
                n_iter: 0,
                converged: true,
            };
            f.predict_proba(x.view())?
        }
        Network::Mlp {
            activation,
            cosine_head,
            layers,
            head,
        } => {
            let f = FittedMlp {
                layers: layers.iter().map(dense).collect::<Result<_, _>>()?,
                head: dense(head)?,
                activation: if activation == "gelu" {
                    Activation::Gelu
                } else {
                    Activation::Relu
                },
                cosine_head: *cosine_head,
                validation_curve: Vec::new(),
                loss_curve: Vec::new(),
            };
            if multilabel {
                f.predict_label_proba(x.view())?
            } else {
                f.predict_proba(x.view())?
            }
        }
    })
}

pub fn run_predict(args: PredictArgs) -> Result<(), BoxError> {
    let text = std::fs::read_to_string(&args.model).map_err(|e| format!("{}: {e}", args.model.display()))?;
    let m: ModelFile =
        serde_json::from_str(&text).map_err(|e| format!("{}: not a model file ({e})", args.model.display()))?;
    if m.format != FORMAT {
        return Err(format!("{}: format {:?}, expected {FORMAT}", args.model.display(), m.format).into());
    }
    // Labelled data copies its labels to the output; data without the
    // model's target (or label) columns is predicted as unlabelled.
    let opts = ReadOptions {
        target: Some(m.target.clone()),
        unlabelled: m.multilabel,
        ..Default::default()
    };
    let data = match imbalanced::data::read(&args.file, &opts) {
        Err(DataError::UnknownColumn { name, .. }) if name == m.target => read_features(&args.file, &opts)?,
        other => other?,
    };
    numeric_only(&data, &args.file)?;
    let features: Vec<&str> = m.features.iter().map(String::as_str).collect();
    let mut x = feature_columns(&data, &features, &args.file)?;
    if let Some((mean, scale)) = &m.scaler {
        let s = FittedScaler {
            mean: Array1::from(mean.clone()),
            scale: Array1::from(scale.clone()),
        };
        x = s.transform(x.view())?;
    }
    if m.multilabel {
        return write_label_predictions(&m, &data, x.view(), &args.out);
    }
    let proba = m.post.calibrate(network_proba(&m.network, x.view(), false)?.view());
    if proba.ncols() != m.classes.len() {
        return Err(format!(
            "{}: the network has {} outputs for {} classes",
            args.model.display(),
            proba.ncols(),
            m.classes.len()
        )
        .into());
    }
    let pred = m.post.decide(proba.view());
    let labelled = data.is_labelled();
    let mut out = String::from(if labelled { "y_true,y_pred" } else { "y_pred" });
    for c in &m.classes {
        out += &format!(",proba_{c}");
    }
    out.push('\n');
    for (i, &p) in pred.iter().enumerate() {
        if labelled {
            out += &format!("{},", data.classes()[data.y()[i]]);
        }
        out += &m.classes[p];
        for v in proba.row(i) {
            out += &format!(",{v}");
        }
        out.push('\n');
    }
    crate::write_text(&args.out, &out)?;
    println!("wrote {} predictions to {}", pred.len(), args.out.display());
    Ok(())
}

/// A multi-label model's predictions: `true_<label>` where the data has the
/// label column, then `pred_<label>` (probability >= 0.5) and `proba_<label>`.
fn write_label_predictions(m: &ModelFile, data: &Dataset, x: ArrayView2<'_, f64>, out: &Path) -> Result<(), BoxError> {
    let proba = network_proba(&m.network, x, true)?;
    if proba.ncols() != m.classes.len() {
        return Err(format!(
            "the network has {} outputs for {} labels",
            proba.ncols(),
            m.classes.len()
        )
        .into());
    }
    let names: Vec<&str> = data.numeric_names().collect();
    let truth: Vec<(&String, usize)> = m
        .classes
        .iter()
        .filter_map(|l| names.iter().position(|n| n == l).map(|j| (l, j)))
        .collect();
    let mut header: Vec<String> = truth.iter().map(|(l, _)| format!("true_{l}")).collect();
    header.extend(m.classes.iter().map(|l| format!("pred_{l}")));
    header.extend(m.classes.iter().map(|l| format!("proba_{l}")));
    let mut text = header.join(",") + "\n";
    for (i, p) in proba.rows().into_iter().enumerate() {
        let mut fields: Vec<String> = truth
            .iter()
            .map(|&(_, j)| imbalanced::data::format_number(data.numeric()[(i, j)]))
            .collect();
        fields.extend(p.iter().map(|&v| u8::from(v >= 0.5).to_string()));
        fields.extend(p.iter().map(|v| v.to_string()));
        text += &(fields.join(",") + "\n");
    }
    crate::write_text(out, &text)?;
    println!(
        "wrote {} predictions of {} labels to {}",
        proba.nrows(),
        m.classes.len(),
        out.display()
    );
    Ok(())
}
