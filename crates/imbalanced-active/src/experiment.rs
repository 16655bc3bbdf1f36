//! Active learning on data files, as `imbalanced active` runs it: the
//! features standardised by the pool, a test split held out when none is
//! given, the pool split over clients by a partitioner in federated runs,
//! each strategy's learning curve, and the curves as a chart.

use std::path::Path;

use imbalanced_charts::html::{page, table};
use imbalanced_charts::{escape, lines, Axis, ImageFormat, Scene, Series};
use imbalanced_data::{DataError, Dataset};
use imbalanced_federated::{partition_dataset, Partition};
use imbalanced_random::{RngKind, SamplerRng};
use serde::Serialize;

use crate::{ActiveError, ActiveLearning, Curve, QueryStrategy};

/// Each strategy's curve on one pool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub classes: Vec<String>,
    pub pool_rows: usize,
    pub test_rows: usize,
    /// Federated runs: each client's pool rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_rows: Option<Vec<usize>>,
    pub curves: Vec<(QueryStrategy, Curve)>,
}

fn error(e: impl std::fmt::Display) -> ActiveError {
    ActiveError::Parameter(e.to_string())
}

/// Runs `settings` once per strategy of `strategies` on the pool `pool`
/// (its labels are the oracle's), scored on `test` (or a stratified 20% of
/// `pool` held out first). Features are standardised by the pool's rows.
/// With a `partitioner` the run is federated: the pool split over clients
/// by it, the test rows too (for client fairness, when they split).
pub fn compare(
    pool: &Dataset,
    test: Option<&Dataset>,
    strategies: &[QueryStrategy],
    settings: &ActiveLearning,
    partitioner: Option<&dyn Partition>,
) -> Result<Comparison, ActiveError> {
    if pool.has_categorical() {
        return Err(error(
            "active learning takes numeric features: drop or encode the categorical columns",
        ));
    }
    let n_classes = pool.classes().len();
    let (pool, test) = match test {
        Some(t) if t.classes() == pool.classes() && t.numeric().ncols() == pool.numeric().ncols() => {
            (pool.clone(), t.clone())
        }
        Some(_) => return Err(error("the test file must have the pool's columns and classes")),
        None => {
            let mut rng = SamplerRng::new(RngKind::Default, settings.seed);
            let (fit, held) = imbalanced_models::stratified_holdout(pool.y(), n_classes, 0.2, &mut rng);
            (pool.select_rows(&fit), pool.select_rows(&held))
        }
    };
    let scaler = imbalanced_models::StandardScaler
        .fit_finite(pool.numeric())
        .map_err(error)?;
    let x = scaler.transform(pool.numeric()).map_err(error)?;
    let xt = scaler.transform(test.numeric()).map_err(error)?;
    let (clients, client_tests) = match partitioner {
        Some(p) => (
            partition_dataset(&pool, p, None).map_err(error)?,
            partition_dataset(&test, p, None).ok(),
        ),
        None => (vec![(0..pool.n_samples()).collect()], None),
    };
    let curves = strategies
        .iter()
        .map(|&strategy| {
            let run = ActiveLearning {
                strategy,
                ..settings.clone()
            };
            run.run_federated(
                x.view(),
                pool.y(),
                n_classes,
                &clients,
                (xt.view(), test.y()),
                client_tests.as_deref(),
            )
            .map(|c| (strategy, c))
        })
        .collect::<Result<_, _>>()?;
    Ok(Comparison {
        classes: pool.classes().to_vec(),
        pool_rows: pool.n_samples(),
        test_rows: test.n_samples(),
        client_rows: partitioner.map(|_| clients.iter().map(Vec::len).collect()),
        curves,
    })
}

impl Comparison {
    /// One line per strategy of `value` of each cycle against the labelled
    /// share of the pool, the value axis zoomed to the values within `limits`.
    fn chart(&self, title: &str, ylabel: &str, limits: (f64, f64), value: impl Fn(&crate::Cycle) -> f64) -> Scene {
        let series: Vec<Series> = self
            .curves
            .iter()
            .map(|(s, c)| Series {
                name: format!("{} (mean {:.3})", strategy_name(*s), c.mean_balanced_accuracy),
                xs: c
                    .cycles
                    .iter()
                    .map(|k| k.labelled as f64 / self.pool_rows as f64)
                    .collect(),
                ys: c.cycles.iter().map(&value).collect(),
            })
            .collect();
        let last = series.iter().flat_map(|s| s.xs.iter().copied()).fold(0.0, f64::max);
        let ys = series.iter().flat_map(|s| s.ys.iter().copied());
        lines(
            title,
            ("labelled share of the pool", Axis::covering(0.0, last)),
            (ylabel, Axis::zoomed(ys, limits)),
            &series,
            None,
        )
    }

    /// The learning curves (balanced accuracy against the labelled share of
    /// the pool), one line per strategy, PNG or SVG by `out`'s extension.
    pub fn save_plot(&self, out: &Path) -> Result<(), DataError> {
        let format = ImageFormat::from_path(out).ok_or_else(|| {
            DataError::Invalid(format!(
                "cannot tell the plot format of {}: name it .svg or .png",
                out.display()
            ))
        })?;
        let scene = self.chart(
            "Active learning: balanced accuracy",
            "balanced accuracy",
            (0.0, 1.0),
            |k| k.balanced_accuracy,
        );
        let bytes = match format {
            ImageFormat::Svg => scene.svg().into_bytes(),
            ImageFormat::Png => scene.png().map_err(|e| DataError::Invalid(e.to_string()))?,
        };
        imbalanced_data::write_atomic(out, |w| {
            std::io::Write::write_all(w, &bytes).map_err(|e| DataError::Invalid(e.to_string()))
        })
    }

    /// The report as a self-contained HTML page (`imbalanced active
    /// --report`): balanced accuracy, the rarest class's recall and the
    /// labels' class balance per cycle as charts, and every cycle as a
    /// table; `settings` describes the run.
    pub fn html(&self, settings: &str) -> String {
        let ratio = |k: &crate::Cycle| {
            let most = k.labelled_counts.iter().copied().max().unwrap_or(0) as f64;
            let least = k.labelled_counts.iter().copied().min().unwrap_or(0) as f64;
            if least > 0.0 {
                most / least
            } else {
                f64::NAN
            }
        };
        let charts = [
            self.chart("Balanced accuracy", "balanced accuracy", (0.0, 1.0), |k| {
                k.balanced_accuracy
            }),
            self.chart("Recall of the rarest class", "recall", (0.0, 1.0), |k| {
                k.minority_recall
            }),
            self.chart(
                "Labels: largest class / smallest class",
                "ratio",
                (1.0, f64::INFINITY),
                ratio,
            ),
        ]
        .map(|c| c.svg())
        .concat();
        let rows: Vec<Vec<String>> = self
            .curves
            .iter()
            .flat_map(|(s, c)| {
                c.cycles.iter().map(move |k| {
                    vec![
                        strategy_name(*s),
                        k.labelled.to_string(),
                        format!("{:.3}", k.balanced_accuracy),
                        format!("{:.3}", k.minority_recall),
                        k.labelled_counts
                            .iter()
                            .map(usize::to_string)
                            .collect::<Vec<_>>()
                            .join(" / "),
                        k.fairness.map_or("n/a".into(), |f| format!("{:.3}", f.worst)),
                        k.global_queries.map_or(String::new(), |g| g.to_string()),
                    ]
                })
            })
            .collect();
        let header = [
            "strategy",
            "labelled",
            "balanced acc.",
            "rarest-class recall",
            "labels per class",
            "worst client",
            "clients querying with the global model",
        ];
        let clients = self.client_rows.as_ref().map_or(String::new(), |r| {
            format!(
                " {} clients of {} to {} rows.",
                r.len(),
                r.iter().min().unwrap_or(&0),
                r.iter().max().unwrap_or(&0)
            )
        });
        let body = format!(
            "<p class=\"note\">{} pool rows, {} test rows, classes {}.{clients} {}</p>\
             <div class=\"grid\">{charts}</div><h2>Cycles</h2>{}",
            self.pool_rows,
            self.test_rows,
            escape(&self.classes.join(", ")),
            escape(settings),
            table(&header, &rows)
        );
        page("imbalanced active", &body)
    }
}

/// A strategy's name as the CLI spells it.
fn strategy_name(s: QueryStrategy) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}
