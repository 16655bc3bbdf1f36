//! Attributions of a fitted pipeline (`train`'s, or one fitted on the
//! spot) on a data file's rows, over the model's input columns (scaled
//! numeric columns and one-hot categories), as `imbalanced explain` writes
//! them.

use std::fmt::Write;

use imbalanced_data::Dataset;
use imbalanced_eval::FittedPipeline;

use imbalanced_models::Predict;

use crate::{
    explain, explain_interventional, kernel_explain, output_names, Attributions, Columns, ExplainError, Importances,
    KernelShap, PermutationImportance, Stability, StabilityComparison, StabilityReport,
};

/// The attributions of some rows of a file, with the names to read them by.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The model's input columns.
    pub features: Vec<String>,
    /// The outputs the attributions add up to (classes, or one logit / raw
    /// score for a two-class linear or boosted model).
    pub outputs: Vec<String>,
    /// The explained rows of the file (0-based).
    pub rows: Vec<usize>,
    pub attributions: Attributions,
}

/// How [`explain_pipeline`] attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribution {
    /// Linear SHAP, path-dependent TreeSHAP.
    Exact,
    /// Linear SHAP, interventional TreeSHAP against 100 background rows.
    Interventional,
    /// KernelSHAP on the class probabilities against 50 background rows.
    Kernel(KernelShap),
}

/// The rows asked for, checked against `data` (all of them when none is).
fn chosen_rows(data: &Dataset, rows: &[usize]) -> Result<Vec<usize>, ExplainError> {
    if let Some(&r) = rows.iter().find(|&&r| r >= data.n_samples()) {
        return Err(ExplainError::Input(format!(
            "row {r} of a file of {} rows: rows count from 0",
            data.n_samples()
        )));
    }
    Ok(if rows.is_empty() {
        (0..data.n_samples()).collect()
    } else {
        rows.to_vec()
    })
}

/// `n` rows spread evenly over `rows` (all when fewer).
fn spread(rows: &ndarray::Array2<f64>, n: usize) -> ndarray::Array2<f64> {
    let total = rows.nrows();
    let take: Vec<usize> = (0..total.min(n)).map(|i| i * total / total.min(n).max(1)).collect();
    rows.select(ndarray::Axis(0), &take)
}

/// The attributions of `data`'s `rows` (all when empty) under `pipeline`,
/// trained on `classes`, by `method`. The linear models' background is the
/// mean of `background`'s rows (the training rows), through the same
/// scaling; interventional TreeSHAP and KernelSHAP take rows spread over it.
pub fn explain_pipeline(
    pipeline: &FittedPipeline,
    data: &Dataset,
    rows: &[usize],
    background: &Dataset,
    (classes, method): (&[String], Attribution),
) -> Result<Explanation, ExplainError> {
    let input = |d: &Dataset| pipeline.inputs(d).map_err(|e| ExplainError::Input(e.to_string()));
    let rows = chosen_rows(data, rows)?;
    let x = input(&data.select_rows(&rows))?;
    let background = input(background)?;
    let model = pipeline.model();
    let (attributions, outputs) = match method {
        Attribution::Exact => (
            explain(model, x.view(), background.view())?,
            output_names(model, classes),
        ),
        Attribution::Interventional => (
            explain_interventional(model, x.view(), spread(&background, 100).view())?,
            output_names(model, classes),
        ),
        Attribution::Kernel(settings) => (
            kernel_explain(model, x.view(), spread(&background, 50).view(), &settings)?,
            classes.iter().map(|c| format!("probability of {c}")).collect(),
        ),
    };
    Ok(Explanation {
        features: pipeline.input_names(data),
        outputs,
        rows,
        attributions,
    })
}

impl Explanation {
    /// `{"features", "classes", "rows", "base_values", "attributions": [class][row][feature]}`.
    pub fn to_json(&self) -> String {
        let values: Vec<Vec<Vec<f64>>> = self
            .attributions
            .values
            .outer_iter()
            .map(|c| c.outer_iter().map(|r| r.to_vec()).collect())
            .collect();
        serde_json::json!({
            "features": self.features,
            "classes": self.outputs,
            "rows": self.rows,
            "base_values": self.attributions.base_values,
            "attributions": values,
        })
        .to_string()
    }

    /// The `top` features by mean |attribution| (summed over the outputs)
    /// as a table's header and rows: the feature, then its mean |value| per
    /// output (which features move the model most).
    pub fn importance_table(&self, top: usize) -> (Vec<String>, Vec<Vec<String>>) {
        let importance = self.attributions.mean_abs();
        let mut header = vec!["feature".to_string()];
        header.extend(self.outputs.iter().map(|o| format!("mean |value|: {o}")));
        let strength = |j: usize| importance.column(j).sum();
        let mut order: Vec<usize> = (0..self.features.len()).collect();
        order.sort_by(|&x, &y| strength(y).total_cmp(&strength(x)));
        let rows = order
            .into_iter()
            .take(top)
            .map(|j| {
                let mut row = vec![self.features[j].clone()];
                row.extend(importance.column(j).iter().map(|v| format!("{v:.4}")));
                row
            })
            .collect();
        (header, rows)
    }

    /// One CSV line per explained row and output: `row`, `output`,
    /// `base_value`, a column per feature, and `output_value` (base value
    /// plus the row's attributions: the model's raw output).
    pub fn to_csv(&self) -> String {
        let mut s = String::from("row,output,base_value");
        for f in &self.features {
            s.push(',');
            s.push_str(&quote(f));
        }
        s.push_str(",output_value\n");
        let outputs = self.attributions.outputs();
        for (i, &row) in self.rows.iter().enumerate() {
            for (c, name) in self.outputs.iter().enumerate() {
                let _ = write!(s, "{row},{},{:?}", quote(name), self.attributions.base_values[c]);
                for v in self.attributions.values.slice(ndarray::s![c, i, ..]) {
                    let _ = write!(s, ",{v:?}");
                }
                let _ = writeln!(s, ",{:?}", outputs[(i, c)]);
            }
        }
        s
    }
}

/// A CSV field, quoted when it holds a delimiter, a quote or a newline.
fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Permutation importance of `pipeline`'s input columns on `data`'s rows
/// (labelled): the column names and the importances.
pub fn permutation_pipeline(
    pipeline: &FittedPipeline,
    data: &Dataset,
    settings: &PermutationImportance,
) -> Result<(Vec<String>, Importances), ExplainError> {
    if !data.is_labelled() {
        return Err(ExplainError::Input(
            "permutation importance scores predictions against labels: give a file with the target column".into(),
        ));
    }
    let x = pipeline.inputs(data).map_err(|e| ExplainError::Input(e.to_string()))?;
    let model = pipeline.model();
    let importances = settings.compute(
        |rows| model.predict(rows).map_err(|e| ExplainError::Input(e.to_string())),
        x.view(),
        data.y(),
    )?;
    Ok((pipeline.input_names(data), importances))
}

/// The stability of `pipeline`'s attributions on `data`'s `rows` (all when
/// empty; labelled, for the per-class summaries): the noise is scaled by
/// each numeric input column's standard deviation over `data`, categorical
/// values flip between their one-hot columns, and each row's attributions are read for
/// its labelled class (the single output of a two-class linear or boosted
/// model).
pub fn stability_pipeline(
    pipeline: &FittedPipeline,
    data: &Dataset,
    rows: &[usize],
    background: &Dataset,
    settings: &Stability,
) -> Result<StabilityReport, ExplainError> {
    if !data.is_labelled() {
        return Err(ExplainError::Input(
            "stability is reported per class: give a file with the target column".into(),
        ));
    }
    let input = |d: &Dataset| pipeline.inputs(d).map_err(|e| ExplainError::Input(e.to_string()));
    let all = input(data)?;
    let (numeric, _) = pipeline.n_inputs();
    let scale: Vec<f64> = (0..all.ncols())
        .map(|j| if j < numeric { all.column(j).std(0.0) } else { 0.0 })
        .collect();
    let groups = pipeline.onehot_groups();
    let rows = chosen_rows(data, rows)?;
    let x = all.select(ndarray::Axis(0), &rows);
    let y: Vec<usize> = rows.iter().map(|&r| data.y()[r]).collect();
    let background = input(background)?;
    let model = pipeline.model();
    let single = output_names(model, data.classes()).len() == 1;
    let output: Vec<usize> = if single { vec![0; y.len()] } else { y.clone() };
    settings.run(
        |batch| explain(model, batch, background.view()),
        x.view(),
        (&y, data.classes().len()),
        &output,
        &Columns {
            scale: &scale,
            categorical: &groups,
        },
    )
}

/// `imbalanced stability`'s comparison: `classifier` fitted on `data`
/// through `train`'s pipeline once per imbalance method of `methods`
/// (`none`, `balanced`, a sampler name; standardised unless `!scale`), and
/// the stability of its attributions on `rows` at each noise level of
/// `noises` (the other settings from `settings`).
pub fn compare_stability(
    data: &Dataset,
    classifier: &imbalanced_classifiers::AnyClassifier,
    (methods, noises): (&[String], &[f64]),
    rows: &[usize],
    scale: bool,
    settings: &Stability,
) -> Result<StabilityComparison, ExplainError> {
    let error = |e: imbalanced_eval::EvalError| ExplainError::Input(e.to_string());
    let mut runs = Vec::with_capacity(methods.len() * noises.len());
    let mut features = Vec::new();
    for name in methods {
        let (method, _) = imbalanced_eval::Method::parse(name, &[], settings.seed, imbalanced_random::RngKind::Default)
            .map_err(error)?;
        let pipeline = method
            .pipeline(classifier, scale)
            .map_err(error)?
            .fit(data)
            .map_err(error)?;
        features = pipeline.input_names(data);
        for &noise in noises {
            let report = stability_pipeline(&pipeline, data, rows, data, &Stability { noise, ..*settings })?;
            runs.push((name.clone(), noise, report));
        }
    }
    Ok(StabilityComparison {
        features,
        classes: data.classes().to_vec(),
        runs,
    })
}
