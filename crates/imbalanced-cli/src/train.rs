//! `imbalanced train` and `imbalanced predict`: a softmax regression or MLP
//! trained with any imbalance-aware loss, saved as JSON.

use std::path::{Path, PathBuf};

use clap::Args;
use imbalanced::data::{DataError, Dataset, ReadOptions};
use imbalanced::losses::LossSpec;
use imbalanced::models::{
    Activation, BatchSampling, Dense, EpochReport, Fit, FittedMlp, FittedScaler, FittedSoftmax, MlpClassifier, Predict,
    SoftmaxRegression, StandardScaler,
};
use imbalanced::resample::{build, RngKind};
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
    /// Loss: ce, weighted-ce, focal, cb-focal, ldam, ldam-drw, logit-adjusted (la),
    /// balanced-softmax, label-smoothing, seesaw, tal, dice, tversky, ce-dice.
    #[arg(long, default_value = "ce")]
    pub loss: String,
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
    /// Output CSV: y_true, y_pred and one proba_<label> column per class.
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

fn is_csv(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

fn split_param(p: &str) -> Result<(String, String), String> {
    p.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .ok_or_else(|| format!("--param {p:?} is not KEY=VALUE (e.g. --param gamma=2)"))
}

pub fn run_train(args: TrainArgs) -> Result<(), BoxError> {
    let params = args
        .params
        .iter()
        .map(|p| split_param(p))
        .collect::<Result<Vec<_>, _>>()?;
    let loss = LossSpec::new(&args.loss, &params)?;
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
        data = build(s, &[], args.seed, RngKind::Default, data.classes())?.fit_resample_dataset(&data)?;
    }
    let scaler: Option<FittedScaler> = if args.no_scale {
        None
    } else {
        Some(StandardScaler.fit(data.numeric())?)
    };
    let x = match &scaler {
        Some(s) => s.transform(data.numeric())?,
        None => data.numeric().to_owned(),
    };
    let k = data.classes().len();
    let network = match args.model.to_ascii_lowercase().as_str() {
        "logreg" | "softmax" | "logisticregression" | "softmaxregression" => {
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
                other => {
                    return Err(format!("--sampling {other}: use instance, class-balanced, sqrt or progressive").into())
                }
            };
            let model = MlpClassifier {
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
            };
            let bar = ProgressBar::new(args.epochs as u64);
            bar.set_style(
                ProgressStyle::with_template("{bar:30} epoch {pos}/{len} [{elapsed}] {msg}").expect("valid template"),
            );
            let f: FittedMlp = model.fit_with_progress(x.view(), data.y(), k, &mut |r: EpochReport| {
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
            Network::Mlp {
                activation: args.activation.clone(),
                cosine_head: f.cosine_head,
                layers: f.layers.iter().map(layer).collect(),
                head: layer(&f.head),
            }
        }
        other => return Err(format!("--model {other}: use logreg, softmax or mlp").into()),
    };
    let post = match &held_out {
        Some(h) => {
            let xh = match &scaler {
                Some(s) => s.transform(h.numeric())?,
                None => h.numeric().to_owned(),
            };
            let proba = network_proba(&network, xh.view())?;
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
    };
    let text = serde_json::to_string_pretty(&file)?;
    crate::write_text(&args.out, &text)?;
    println!("wrote {}", args.out.display());
    Ok(())
}

/// Class probabilities of a stored network.
fn network_proba(network: &Network, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, BoxError> {
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
            f.predict_proba(x.view())?
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
    let opts = ReadOptions {
        target: Some(m.target.clone()),
        ..Default::default()
    };
    // Unlabelled CSV data: read it with a placeholder target column and write no y_true.
    let (data, labelled) = match imbalanced::data::read(&args.file, &opts) {
        Err(DataError::UnknownColumn { name, .. }) if name == m.target && is_csv(&args.file) => {
            let text = std::fs::read_to_string(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?;
            let mut lines = text.lines();
            let mut padded = format!("{},{}\n", lines.next().unwrap_or_default(), m.target);
            for line in lines.filter(|l| !l.trim().is_empty()) {
                padded += &format!("{line},{}\n", m.classes[0]);
            }
            (
                imbalanced::data::read_csv(std::io::Cursor::new(padded), &args.file, &opts)?,
                false,
            )
        }
        other => (other?, true),
    };
    numeric_only(&data, &args.file)?;
    // Columns by name, in the model's order.
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
    let mut x = data.numeric().select(ndarray::Axis(1), &cols);
    if let Some((mean, scale)) = &m.scaler {
        let s = FittedScaler {
            mean: Array1::from(mean.clone()),
            scale: Array1::from(scale.clone()),
        };
        x = s.transform(x.view())?;
    }
    let proba = m.post.calibrate(network_proba(&m.network, x.view())?.view());
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
