//! `imbalanced train` and `imbalanced predict`: the pipeline `evaluate`
//! measures, fitted on the whole file and saved as a model file; predictions
//! from it. Multi-label MLPs (`--labels`) keep a format of their own
//! (see `multilabel.rs`).

use std::path::PathBuf;

use clap::Args;
use imbalanced::catalog::Value;
use imbalanced::data::{Dataset, ReadOptions};
use imbalanced::eval::{post::parse_threshold, CalibrationChoice, FittedPipeline, HeldOut, Method, ModelFile};
use imbalanced::losses::LossSpec;
use imbalanced::models::{AnyClassifier, ClassAlignment, EpochReport, ProportionSsl};
use imbalanced::resample::RngKind;
use indicatif::{ProgressBar, ProgressStyle};

use imbalanced::models::MODELS;

use crate::{parse_params, InputArgs, ModelArgs};

type BoxError = Box<dyn std::error::Error>;

#[derive(Args)]
pub struct TrainArgs {
    /// CSV, KEEL .dat, ARFF or Parquet file.
    pub file: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub model: ModelArgs,
    /// How to handle the imbalance, as in `evaluate --methods`: none, balanced
    /// (class_weight="balanced"), or any sampler of `resample --list`, applied to
    /// the training rows after scaling.
    #[arg(long, visible_alias = "sampler", default_value = "none", conflicts_with = "loss")]
    pub method: String,
    /// A sampler parameter, repeatable: k_neighbors=3, smote__k_neighbors=3, ...
    #[arg(long, value_name = "KEY=VALUE")]
    pub sampler_param: Vec<String>,
    /// Train the classifier with this loss, as `evaluate --losses` (logreg becomes a
    /// softmax regression): ce, weighted-ce, focal, cb-focal, ldam, ldam-drw,
    /// logit-adjusted (la), balanced-softmax, label-smoothing, seesaw, tal, dice,
    /// tversky, ce-dice, proportion, asl, lcr, sigmoid-focal, bce. With --labels:
    /// bce (the default), sigmoid-focal, asl, lcr, ldam, ldam-drw.
    #[arg(long)]
    pub loss: Option<String>,
    /// A loss parameter, repeatable: gamma=2, beta=0.9999, tau=1, max_m=0.5, s=30, eps=0.1, ...
    #[arg(long, value_name = "KEY=VALUE")]
    pub loss_param: Vec<String>,
    /// MLP hidden layer sizes (hidden_layer_sizes).
    #[arg(long, value_delimiter = ',')]
    pub hidden: Option<Vec<usize>>,
    /// MLP activation: relu or gelu.
    #[arg(long)]
    pub activation: Option<String>,
    /// MLP dropout probability.
    #[arg(long)]
    pub dropout: Option<f64>,
    /// Multi-sample dropout: masks per step on the last hidden layer (Inoue 2019).
    #[arg(long)]
    pub dropout_samples: Option<usize>,
    /// MLP batch sampling: instance, class-balanced, sqrt or progressive.
    #[arg(long)]
    pub sampling: Option<String>,
    /// MLP cosine (normalised) head, as LDAM uses.
    #[arg(long)]
    pub cosine_head: bool,
    /// MLP epochs (max_iter).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// MLP learning rate (learning_rate_init).
    #[arg(long)]
    pub lr: Option<f64>,
    /// MLP batch size.
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// MLP early stopping: share of each class held out to report balanced accuracy
    /// every epoch and stop after n_iter_no_change epochs without gain
    /// (validation_fraction; 0 = off, the default).
    #[arg(long)]
    pub validation: Option<f64>,
    /// Seed of the classifier, the sampler and the held-out split.
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
    #[arg(long, value_delimiter = ',', value_name = "COLS", conflicts_with_all = ["method", "calibrate", "threshold", "unlabelled"])]
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
    /// Also align the hidden space's class distribution with learnable class proxies, this weight
    /// beside the loss (our formulation of SCDL's bidirectional alignment and anchors).
    #[arg(long, value_name = "WEIGHT", requires = "unlabelled")]
    pub align: Option<f64>,
    /// Temperatures of --align's embedding-to-proxy and proxy-to-embedding assignments,
    /// TAU,TAU_P (default 0.5,0.5).
    #[arg(long, value_name = "TAUS", value_delimiter = ',', requires = "align")]
    pub align_temperatures: Option<Vec<f64>>,
    /// Where to write the model (JSON).
    #[arg(long, short)]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct PredictArgs {
    /// A model written by `imbalanced train`.
    pub model: PathBuf,
    /// Data with the model's feature columns (found by name). With its target
    /// column too, y_true is copied to the output, so `imbalanced metrics` can
    /// read it; a file without it is predicted as unlabelled data.
    pub file: PathBuf,
    /// Output CSV: y_true, y_pred and one proba_<label> column per class
    /// (multi-label models: pred_<label> and proba_<label> per label, and
    /// true_<label> where the file has the label column).
    #[arg(long, short)]
    pub out: PathBuf,
    /// How to read FILE (--drop, --delimiter, ...); its label column and
    /// categorical columns are the model's.
    #[command(flatten)]
    pub input: crate::InputArgs,
}

impl TrainArgs {
    /// The MLP options given as flags, as classifier parameters.
    pub fn mlp_params(&self) -> Vec<(String, Value)> {
        let mut p: Vec<(String, Value)> = Vec::new();
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                p.push((k.to_string(), v));
            }
        };
        put("hidden_layer_sizes", self.hidden.clone().map(Value::from));
        put("activation", self.activation.clone().map(Value::from));
        put("dropout", self.dropout.map(Value::from));
        put("dropout_samples", self.dropout_samples.map(Value::from));
        put("sampling", self.sampling.clone().map(Value::from));
        put("cosine_head", self.cosine_head.then_some(Value::from(true)));
        put("max_iter", self.epochs.map(Value::from));
        put("learning_rate_init", self.lr.map(Value::from));
        put("batch_size", self.batch_size.map(Value::from));
        put("validation_fraction", self.validation.map(Value::from));
        p
    }

    fn loss(&self, multilabel: bool) -> Result<Option<LossSpec>, BoxError> {
        let params: Vec<(String, String)> = parse_params(&self.loss_param, "--loss-param")?
            .into_iter()
            .map(|(k, v)| (k, imbalanced::catalog::value_text(&v)))
            .collect();
        Ok(match (&self.loss, multilabel) {
            (None, false) if params.is_empty() => None,
            (name, false) => Some(LossSpec::new(name.as_deref().unwrap_or("ce"), &params)?),
            (name, true) => Some(LossSpec::new_multilabel(name.as_deref().unwrap_or("bce"), &params)?),
        })
    }

    /// The classifier: `--model` with `--param` and the MLP flags.
    pub fn classifier(&self) -> Result<AnyClassifier, BoxError> {
        let mlp_only = !self.labels.is_empty() || self.unlabelled.is_some();
        let default = if mlp_only { "mlp" } else { "logreg" };
        if mlp_only && MODELS.find(self.model.name(default))?.info.name != "MLPClassifier" {
            let mode = if self.labels.is_empty() {
                "--unlabelled"
            } else {
                "--labels (multi-label training)"
            };
            return Err(format!("{mode} trains the MLP only: use --model mlp").into());
        }
        self.model.build_with(default, &self.mlp_params(), self.seed)
    }

    /// The method and, for a sampler, its parameters: what `evaluate` would compare.
    fn method(&self) -> Result<(Method, Value), BoxError> {
        match self.loss(false)? {
            Some(loss) => Ok((Method::Loss(loss), Value::Null)),
            None => {
                let params = parse_params(&self.sampler_param, "--sampler-param")?;
                Ok(Method::parse(&self.method, &params, self.seed, RngKind::Default)?)
            }
        }
    }
}

/// An error of a parsed option, said of the option.
fn flag(name: &'static str) -> impl Fn(imbalanced::eval::EvalError) -> String {
    move |e| format!("{name}: {e}")
}

/// Runs `fit` with a progress bar and a line per epoch (loss, and the
/// validation balanced accuracy where there is one), then says how
/// training ended: all epochs or an early stop and why, and when the
/// schedule (LDAM-DRW's re-weighting, progressive sampling) took effect.
pub(crate) fn with_epoch_bar<T>(
    epochs: Option<usize>,
    fit: impl FnOnce(&mut dyn FnMut(EpochReport)) -> Result<T, BoxError>,
) -> Result<T, BoxError> {
    let bar = match epochs {
        Some(n) => ProgressBar::new(n as u64)
            .with_style(ProgressStyle::with_template("{bar:30} epoch {pos}/{len} [{elapsed}] {msg}").expect("valid")),
        None => ProgressBar::new_spinner().with_message("fitting"),
    };
    let mut last: Option<EpochReport> = None;
    let fitted = fit(&mut |r: EpochReport| {
        last = Some(r);
        bar.inc(1);
        let line = r.line();
        if bar.is_hidden() {
            eprintln!("{line}");
        } else {
            bar.println(line);
        }
    })?;
    bar.finish_and_clear();
    if let Some(r) = last {
        eprintln!("{}", r.summary());
    }
    Ok(fitted)
}

/// Fits the pipeline of `method` and the arguments' classifier on `data`.
fn fit(args: &TrainArgs, method: &Method, data: &Dataset) -> Result<FittedPipeline, BoxError> {
    let pipeline = method.pipeline(&args.classifier()?, !args.no_scale)?;
    let epochs = match &pipeline.model {
        AnyClassifier::Mlp(m) => Some(m.epochs),
        _ => None,
    };
    match &args.unlabelled {
        None => with_epoch_bar(epochs, |p| Ok(pipeline.fit_with_progress(data, p)?)),
        Some(path) => semi_supervised(args, &pipeline, data, path),
    }
}

/// `--unlabelled`: the pipeline's MLP trained with the proportion loss on
/// the unlabelled rows of `path` too.
fn semi_supervised(
    args: &TrainArgs,
    pipeline: &imbalanced::eval::Pipeline,
    data: &Dataset,
    path: &std::path::Path,
) -> Result<FittedPipeline, BoxError> {
    let AnyClassifier::Mlp(mlp) = &pipeline.model else {
        return Err("--unlabelled trains the MLP only: add --model mlp".into());
    };
    let pool = imbalanced::data::read(
        path,
        &ReadOptions {
            unlabelled: true,
            ..args.input.options()
        },
    )?;
    let default = ClassAlignment::default();
    let taus = match &args.align_temperatures {
        None => vec![default.temperature, default.proxy_temperature],
        Some(t) if t.len() == 2 => t.clone(),
        Some(t) => return Err(format!("--align-temperatures takes two values, TAU,TAU_P; got {}", t.len()).into()),
    };
    let alignment = args.align.map(|weight| ClassAlignment {
        weight,
        temperature: taus[0],
        proxy_temperature: taus[1],
    });
    let ssl = ProportionSsl {
        weight: args.unlabelled_weight,
        proportions: (!args.proportions.is_empty()).then(|| args.proportions.clone()),
        stochastic: args.stochastic_proportions,
        alignment,
    };
    println!(
        "semi-supervised: {} labelled and {} unlabelled rows",
        data.n_samples(),
        pool.n_samples()
    );
    with_epoch_bar(Some(mlp.epochs), |p| {
        pipeline
            .fit_semi_supervised(data, &pool, &ssl, p)
            .map_err(|e| format!("{}: {e}", path.display()).into())
    })
}

pub fn run_train(args: TrainArgs) -> Result<(), BoxError> {
    if !args.labels.is_empty() {
        let loss = args.loss(true)?.expect("multi-label losses have a default");
        return crate::multilabel::train(&args, &loss);
    }
    let calibrate = args
        .calibrate
        .as_deref()
        .map(str::parse::<CalibrationChoice>)
        .transpose()
        .map_err(flag("--calibrate"))?;
    let threshold = args
        .threshold
        .as_deref()
        .map(parse_threshold)
        .transpose()
        .map_err(flag("--threshold"))?;
    let data = args.input.load(&args.file)?;
    let (method, method_params) = args.method()?;
    let held_out = HeldOut {
        calibrate,
        threshold,
        fraction: args.calibration_fraction,
        seed: args.seed,
    };
    let trained = ModelFile::train(&data, method.name(), method_params, &held_out, |rows| {
        fit(&args, &method, rows)
    })?;
    let file = trained.file;
    println!(
        "{} with {} on {} rows",
        file.pipeline.model().name(),
        method.name(),
        trained.rows
    );
    if let (Some(c), Some(r)) = (&args.calibrate, trained.calibration) {
        println!(
            "calibration ({c}) on {} held-out rows: ECE {:.4} -> {:.4}, MCE {:.4} -> {:.4}",
            trained.held_out, r.ece.0, r.ece.1, r.mce.0, r.mce.1
        );
    }
    if let (Some(t), Some(th)) = (&args.threshold, &file.post.thresholds) {
        let rounded: Vec<f64> = th.thresholds.iter().map(|v| (v * 1e4).round() / 1e4).collect();
        println!("thresholds ({t}): {rounded:?}");
    }
    imbalanced::data::write_text(&args.out, &file.to_json())?;
    println!("wrote {}", args.out.display());
    Ok(())
}

pub fn run_predict(args: PredictArgs) -> Result<(), BoxError> {
    let text = std::fs::read_to_string(&args.model).map_err(|e| format!("{}: {e}", args.model.display()))?;
    if imbalanced::eval::MultiLabelFile::is_multilabel(&text) {
        return crate::multilabel::predict(&text, &args);
    }
    let m = ModelFile::from_json(&text).map_err(|e| format!("{}: {e}", args.model.display()))?;
    let data = m.read_data(&args.file, args.input.options())?;
    let predicted = m.predict(&data)?;
    for message in predicted.schema.messages(&m.classes) {
        eprintln!("note: {message}");
    }
    let (proba, pred) = (predicted.proba, predicted.decisions);
    let truth: Option<Vec<&str>> = data
        .is_labelled()
        .then(|| data.y().iter().map(|&c| data.classes()[c].as_str()).collect());
    imbalanced::data::write_predictions(&args.out, &m.classes, truth.as_deref(), &pred, proba.view())?;
    println!("wrote {} predictions to {}", pred.len(), args.out.display());
    Ok(())
}
