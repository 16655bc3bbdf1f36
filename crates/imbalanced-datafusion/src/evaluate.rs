//! `imbalanced evaluate --engine datafusion`: cross-validation of data
//! larger than memory. The folds are the engine's
//! ([`Engine::stratified_folds`]); each method's training rows are
//! resampled by the engine and then held in memory for the classifier (so
//! they must fit: an under-sampler, or data that fits); the test fold is
//! streamed past the fitted models in batches.

use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::datatypes::UInt64Type;
use datafusion::prelude::*;
use imbalanced_eval::{fold_scores, metric_names, EvaluateOptions, Evaluation, FailedMethod, Method, MethodResult};
use ndarray::Array2;

use crate::{col_named, finish_with_draws, to_dataset, with_draws, Engine, Execution, Result, ScaleError, Table, KEY};

/// What [`Engine::evaluate_file`] cross-validates.
pub struct EvaluateJob<'a> {
    /// A Parquet or CSV file, a folder or a glob of them.
    pub input: &'a str,
    /// The class column (`None`: the last column).
    pub target: Option<&'a str>,
    /// The dataset's name in the report.
    pub name: &'a str,
    /// The methods, each with its full parameters
    /// ([`Method::list_configured`]): `none`, `balanced`, or a sampler the
    /// engine runs.
    pub methods: &'a [(Method, serde_json::Value)],
    /// The classifier, the folds (`n_splits`, `seed`; one repeat) and
    /// whether features are standardised.
    pub opts: &'a EvaluateOptions,
}

impl Engine {
    /// Stratified k-fold cross-validation of `job.methods` on a file that
    /// need not fit in memory. For each of the engine's folds
    /// ([`Engine::stratified_folds`], seeded with `opts.seed`), each method:
    /// the training rows, resampled by the engine ([`Engine::resample`],
    /// exact, seeded) for a sampler, are gathered (they must fit in memory)
    /// and the pipeline fitted on them: the standard scaler (fitted on the
    /// resampled rows: the sampler sees the raw features, where the
    /// in-memory `evaluate` scales first) and the classifier. The test
    /// fold streams past every method's model in batches; its scores (the
    /// in-memory `evaluate`'s metrics) are taken over its rows in draw
    /// order, so the result does not depend on the partitioning.
    ///
    /// The [`Evaluation`] holds no rows: its `y` and each method's
    /// `oof_proba` are empty; the confusion matrices sum the folds'. A
    /// method that fails on a fold is listed in `failed` and the others go
    /// on.
    pub fn evaluate_file(&self, job: &EvaluateJob<'_>, progress: &(dyn Fn() + Sync)) -> Result<Evaluation> {
        let opts = job.opts;
        if opts.n_repeats > 1 {
            return Err(ScaleError::Unsupported(
                "repeated cross-validation does not run on DataFusion yet: give one repeat".into(),
            ));
        }
        if job.methods.is_empty() {
            return Err(ScaleError::Unsupported("no methods to compare".into()));
        }
        let t = self.read(job.input, job.target)?;
        let counts = self.class_counts(&t)?;
        let labels = counts.labels();
        let k = labels.len();
        if k < 2 {
            return Err(ScaleError::Input {
                input: t.input.clone(),
                message: "only one class: there is nothing to classify".into(),
            });
        }
        if let Some((label, n)) = counts.0.iter().find(|(_, n)| (*n as usize) < opts.n_splits) {
            return Err(ScaleError::Input {
                input: t.input.clone(),
                message: format!(
                    "class {label:?} has {n} rows, fewer than the {} folds: give --folds {n} or fewer",
                    opts.n_splits
                ),
            });
        }
        for (method, _) in job.methods {
            if matches!(method, Method::Loss(_)) {
                return Err(ScaleError::Unsupported(format!(
                    "{}: losses do not run on DataFusion yet; the methods that do are none, balanced and the \
                     samplers the engine runs",
                    method.name()
                )));
            }
        }
        let numeric = self.numeric(&t)?;
        let numeric_table = Table {
            df: numeric,
            scanned: false,
            ..t.clone()
        };
        let folds = self.fold_plan(&numeric_table, opts.n_splits, opts.seed)?;
        let columns: Vec<Expr> = t.df.schema().fields().iter().map(|f| col_named(f.name())).collect();
        let n_methods = job.methods.len();
        let mut scores: Vec<Vec<Vec<f64>>> = vec![Vec::new(); n_methods];
        let mut confusion = vec![Array2::<u64>::zeros((k, k)); n_methods];
        let mut seconds = vec![0.0; n_methods];
        let mut failed: Vec<Option<String>> = vec![None; n_methods];
        for f in 0..opts.n_splits as u32 {
            let train = Table {
                df: folds
                    .clone()
                    .filter(col("fold").not_eq(lit(f)))?
                    .select(columns.clone())?,
                scanned: false,
                ..t.clone()
            };
            let mut fitted = Vec::with_capacity(n_methods);
            for (m, (method, params)) in job.methods.iter().enumerate() {
                let started = std::time::Instant::now();
                let model = if failed[m].is_some() {
                    None
                } else {
                    match self.fit_method(&train, &labels, method, params, opts) {
                        Ok(model) => Some(model),
                        Err(e) => {
                            failed[m] = Some(e.to_string());
                            None
                        }
                    }
                };
                seconds[m] += started.elapsed().as_secs_f64();
                fitted.push(model);
            }
            // The test fold, streamed once past every model: each row's key and class, and each model's
            // probabilities (row-major, `k` per row).
            let test = folds.clone().filter(col("fold").eq(lit(f)))?;
            let started = std::time::Instant::now();
            let (mut keys, mut y) = (Vec::new(), Vec::new());
            let mut probas: Vec<Vec<f64>> = vec![Vec::new(); n_methods];
            self.for_each_batch(test, |b| {
                let data = to_dataset(&t, std::slice::from_ref(b), &labels)?;
                let key = b.column_by_name(KEY).expect("the key column");
                keys.extend_from_slice(key.as_primitive::<UInt64Type>().values());
                y.extend_from_slice(data.y());
                for (model, proba) in fitted.iter().zip(&mut probas) {
                    if let Some(model) = model {
                        proba.extend(model.predict_proba(&data).map_err(eval_error)?.iter());
                    }
                }
                Ok(())
            })?;
            let streamed = started.elapsed().as_secs_f64() / n_methods as f64;
            // Draw order (the key), not batch order: the same scores on any partitioning.
            let mut order: Vec<usize> = (0..keys.len()).collect();
            order.sort_by_key(|&i| keys[i]);
            let y: Vec<usize> = order.iter().map(|&i| y[i]).collect();
            for m in 0..n_methods {
                if failed[m].is_some() {
                    continue;
                }
                let started = std::time::Instant::now();
                let proba = Array2::from_shape_fn((order.len(), k), |(r, c)| probas[m][order[r] * k + c]);
                match fold_scores(&y, &proba) {
                    Ok((s, pred)) => {
                        for (&a, &b) in y.iter().zip(&pred) {
                            confusion[m][(a, b)] += 1;
                        }
                        scores[m].push(s);
                    }
                    Err(e) => failed[m] = Some(e.to_string()),
                }
                seconds[m] += streamed + started.elapsed().as_secs_f64();
                progress();
            }
        }
        let mut results = Vec::new();
        let mut failures = Vec::new();
        for (m, (method, _)) in job.methods.iter().enumerate() {
            match failed[m].take() {
                Some(reason) => failures.push(FailedMethod {
                    method: method.name().to_string(),
                    position: m,
                    reason,
                }),
                None => results.push(MethodResult {
                    method: method.name().to_string(),
                    position: m,
                    folds: std::mem::take(&mut scores[m]),
                    oof_proba: Array2::zeros((0, k)),
                    confusion: std::mem::take(&mut confusion[m]),
                    seconds: seconds[m],
                }),
            }
        }
        if results.is_empty() {
            let first = &failures[0];
            return Err(ScaleError::Unsupported(format!("{}: {}", first.method, first.reason)));
        }
        Ok(Evaluation {
            dataset: job.name.to_string(),
            classes: labels,
            class_counts: counts.0.iter().map(|(_, n)| *n as usize).collect(),
            metrics: metric_names(k).to_vec(),
            y: Vec::new(),
            results,
            failed: failures,
            notes: vec![format!(
                "on DataFusion: the engine's stratified folds (seeded draws: not StratifiedKFold's rows), and each \
                 sampler runs on the raw features before the scaler (fitted on its output)"
            )],
        })
    }

    /// `t` with its draws and a `fold` column ([`Engine::stratified_folds`]'
    /// assignment, unsorted).
    fn fold_plan(&self, t: &Table, k: usize, seed: u64) -> Result<DataFrame> {
        let counts = self.class_counts(t)?;
        let cuts = crate::fold_cuts(&counts, k);
        self.dealt(t, with_draws(t, seed)?, &counts, &cuts, "fold")
    }

    /// The pipeline of `method` fitted on `train`'s rows, resampled by the
    /// engine first for a sampler (exact, seeded with `opts.seed`), then
    /// gathered.
    fn fit_method(
        &self,
        train: &Table,
        labels: &[String],
        method: &Method,
        params: &serde_json::Value,
        opts: &EvaluateOptions,
    ) -> Result<imbalanced_eval::FittedPipeline> {
        let (rows, pipeline) = match method {
            Method::Sampler(sampler, _) => {
                let given: Vec<(String, serde_json::Value)> = params
                    .as_object()
                    .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                let resampled = self.resample(train, sampler.name(), &given, Execution::default(), opts.seed)?;
                (resampled, Method::None.pipeline(&opts.model, opts.scale))
            }
            // Sorted by class and draw, as a sampler's output is: the model sees the rows in an order
            // that does not depend on the partitioning.
            other => (
                finish_with_draws(train, train.df.clone(), opts.seed)?,
                other.pipeline(&opts.model, opts.scale),
            ),
        };
        let pipeline = pipeline.map_err(eval_error)?;
        let batches: Vec<RecordBatch> = self.block_on(rows.collect())?;
        let data = to_dataset(train, &batches, labels)?;
        pipeline.fit(&data).map_err(eval_error)
    }
}

fn eval_error(e: imbalanced_eval::EvalError) -> ScaleError {
    ScaleError::Unsupported(e.to_string())
}
