//! Active learning on data files, as `imbalanced active` runs it: the
//! features standardised by the pool, a test split held out when none is
//! given, the pool split over clients by a partitioner in federated runs,
//! each strategy's learning curve, and the curves as a chart.

use std::path::Path;

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
    /// The learning curves (balanced accuracy against the labelled share of
    /// the pool), one line per strategy, PNG or SVG by `out`'s extension.
    pub fn save_plot(&self, out: &Path) -> Result<(), DataError> {
        let format = imbalanced_charts::ImageFormat::from_path(out).ok_or_else(|| {
            DataError::Invalid(format!(
                "cannot tell the plot format of {}: name it .svg or .png",
                out.display()
            ))
        })?;
        let series: Vec<imbalanced_charts::Series> = self
            .curves
            .iter()
            .map(|(s, c)| imbalanced_charts::Series {
                name: format!(
                    "{} (mean {:.3})",
                    serde_json::to_value(s).unwrap_or_default().as_str().unwrap_or(""),
                    c.mean_balanced_accuracy
                ),
                xs: c
                    .cycles
                    .iter()
                    .map(|k| k.labelled as f64 / self.pool_rows as f64)
                    .collect(),
                ys: c.cycles.iter().map(|k| k.balanced_accuracy).collect(),
            })
            .collect();
        let scene = imbalanced_charts::curves(
            "Active learning: balanced accuracy",
            "labelled share of the pool",
            "balanced accuracy",
            &series,
            None,
        );
        let bytes = match format {
            imbalanced_charts::ImageFormat::Svg => scene.svg().into_bytes(),
            imbalanced_charts::ImageFormat::Png => scene.png().map_err(|e| DataError::Invalid(e.to_string()))?,
        };
        imbalanced_data::write_atomic(out, |w| {
            std::io::Write::write_all(w, &bytes).map_err(|e| DataError::Invalid(e.to_string()))
        })
    }
}
