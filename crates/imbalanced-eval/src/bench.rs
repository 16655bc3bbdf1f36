//! [`evaluate`](crate::evaluate()) over many datasets, ranked.

use std::path::{Path, PathBuf};

use imbalanced_data::{Dataset, ReadOptions};
use serde_json::{json, Value};

use crate::evaluate::{evaluate, EvaluateOptions, Evaluation, Method};
use crate::stats::{friedman, RankTest};
use crate::EvalError;

/// The outcome of [`bench()`].
#[derive(Debug, Clone)]
pub struct Bench {
    pub methods: Vec<String>,
    /// One evaluation per dataset that could be evaluated.
    pub evaluations: Vec<Evaluation>,
    /// Datasets left out, with the reason (e.g. a class smaller than the fold count).
    pub skipped: Vec<(String, String)>,
    /// Metric names, shared by all evaluations (binary and multiclass
    /// areas share a column: ROC AUC is one-vs-rest macro for multiclass).
    pub metrics: Vec<&'static str>,
    /// Per metric: ranks and the Friedman test (`None` with fewer than 2 datasets).
    pub tests: Vec<Option<RankTest>>,
}

/// The dataset files under `dir` (every format [`imbalanced_data::read`]
/// reads by extension: `.csv`, `.tsv`, `.dat`, `.arff`, `.parquet`, also
/// compressed), subfolders included, sorted by path.
pub fn dataset_files(dir: &Path) -> Result<Vec<PathBuf>, EvalError> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), EvalError> {
        let entries = std::fs::read_dir(dir).map_err(|e| EvalError::Invalid(format!("{}: {e}", dir.display())))?;
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            if path.is_dir() {
                walk(&path, out)?;
            } else if imbalanced_data::Format::from_path(&path).is_ok() {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(EvalError::Invalid(format!(
            "{}: no .csv, .tsv, .dat, .arff or .parquet files to benchmark",
            dir.display()
        )));
    }
    Ok(files)
}

/// The datasets of a folder, as [`load_datasets`] reads them.
#[derive(Debug)]
pub struct Folder {
    /// Each dataset with its name (the file stem), in path order.
    pub datasets: Vec<(String, Dataset)>,
    /// Files left out because an earlier one has the same name (KEEL's
    /// `.dat` beside its CSV, the same dataset in two subfolders).
    pub left_out: Vec<PathBuf>,
}

impl Folder {
    /// The datasets built into the toolkit ([`imbalanced_data::bundled_all`]):
    /// what `bench` runs on without a folder.
    pub fn bundled(options: &ReadOptions) -> Result<Folder, EvalError> {
        Ok(Folder {
            datasets: imbalanced_data::bundled_all(options)?,
            left_out: Vec::new(),
        })
    }
}

/// Reads every dataset file under `dir` ([`dataset_files`]) with `options`,
/// each name once. An unreadable file is an error naming it.
pub fn load_datasets(dir: &Path, options: &ReadOptions) -> Result<Folder, EvalError> {
    let mut folder = Folder {
        datasets: Vec::new(),
        left_out: Vec::new(),
    };
    for f in dataset_files(dir)? {
        // The stem without the compression and format extensions: data.csv.gz is "data".
        let plain = match imbalanced_data::Compression::from_path(&f) {
            imbalanced_data::Compression::None => f.clone(),
            _ => f.with_extension(""),
        };
        let name = plain
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        if folder.datasets.iter().any(|(n, _)| *n == name) {
            folder.left_out.push(f);
            continue;
        }
        let data =
            imbalanced_data::read(&f, options).map_err(|e| EvalError::Invalid(format!("{}: {e}", f.display())))?;
        folder.datasets.push((name, data));
    }
    Ok(folder)
}

/// Evaluates every method on every dataset and ranks them per metric.
/// A dataset that cannot be cross-validated (too few rows in a class), or
/// on which every method fails, is skipped and listed; any other error
/// stops the run.
///
/// A method that fails on a dataset (categorical columns for SMOTE, a
/// class smaller than k_neighbors) keeps the dataset in the ranking: it
/// ranks last there, tied with any other method that failed (its score is
/// taken as NaN, which [`crate::stats::rank_descending`] ranks lowest).
/// The failures are listed in each evaluation's
/// [`Evaluation::failed`](crate::Evaluation::failed).
pub fn bench(
    datasets: &[(String, Dataset)],
    methods: &[Method],
    opts: &EvaluateOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<Bench, EvalError> {
    let mut evaluations = Vec::new();
    let mut skipped = Vec::new();
    for (name, data) in datasets {
        match evaluate(data, name, methods, opts, progress) {
            Ok(e) => evaluations.push(e),
            Err(e @ (EvalError::TooManyFolds { .. } | EvalError::Method { .. })) => {
                skipped.push((name.clone(), e.to_string()))
            }
            Err(e) => return Err(e.context(name)),
        }
    }
    let metrics: Vec<&'static str> = crate::evaluate::metric_names(2).to_vec();
    let tests = (0..metrics.len())
        .map(|m| {
            let scores: Vec<Vec<f64>> = evaluations.iter().map(|e| e.scores(methods.len(), m)).collect();
            friedman(&scores)
        })
        .collect();
    Ok(Bench {
        methods: methods.iter().map(|m| m.name().to_string()).collect(),
        evaluations,
        skipped,
        metrics,
        tests,
    })
}

impl Bench {
    /// Metric `rank_by`'s table: a header (`dataset`, then each method) and a
    /// row per dataset, each score with its rank (`failed` where a method
    /// failed), then the average ranks when there is a test.
    pub fn table(&self, rank_by: usize) -> (Vec<String>, Vec<Vec<String>>) {
        let test = &self.tests[rank_by];
        let header = std::iter::once("dataset".to_string())
            .chain(self.methods.iter().cloned())
            .collect();
        let mut rows: Vec<Vec<String>> = self
            .evaluations
            .iter()
            .enumerate()
            .map(|(i, e)| {
                // By the methods' places: a method that failed on this dataset has no result.
                let cells = e
                    .scores(self.methods.len(), rank_by)
                    .into_iter()
                    .enumerate()
                    .map(|(m, score)| {
                        let rank = test.as_ref().map_or(String::new(), |t| format!(" ({})", t.ranks[i][m]));
                        let value = if score.is_nan() {
                            "failed".to_string()
                        } else {
                            format!("{score:.4}")
                        };
                        format!("{value}{rank}")
                    });
                std::iter::once(e.dataset.clone()).chain(cells).collect()
            })
            .collect();
        if let Some(t) = test {
            rows.push(
                std::iter::once("average rank".to_string())
                    .chain(t.average_ranks.iter().map(|r| format!("{r:.3}")))
                    .collect(),
            );
        }
        (header, rows)
    }

    /// The results as `imbalanced bench --json` prints them, ranked by metric `rank_by`.
    pub fn to_json(&self, rank_by: usize) -> Value {
        let b = self;
        let test = &b.tests[rank_by];
        json!({
            "datasets": b.evaluations.iter().map(Evaluation::to_json).collect::<Vec<_>>(),
            "skipped": b.skipped.iter().map(|(n, w)| json!({"dataset": n, "reason": w})).collect::<Vec<_>>(),
            "rank_by": b.metrics[rank_by],
            "average_ranks": test.as_ref().map(|t| b.methods.iter().cloned().zip(t.average_ranks.iter().map(|&r| json!(r))).collect::<serde_json::Map<String, Value>>()),
            "friedman": test.as_ref().map(|t| json!({"chi_square": t.chi_square, "p": t.chi_square_p, "iman_davenport_f": t.f_statistic, "f_p": t.f_p, "critical_difference": t.critical_difference})),
        })
    }
}
