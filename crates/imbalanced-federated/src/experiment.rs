//! A federated experiment on data files, as `imbalanced federate` runs it:
//! split the training rows over clients, simulate the rounds, score each
//! round on the test rows (and each client's share of them), and compare
//! with centralised training.

use imbalanced_data::{take_rows, Dataset};
use imbalanced_models::{stratified_holdout, StandardScaler};
use imbalanced_random::{RngKind, SamplerRng};
use ndarray::Array2;
use serde::Serialize;

use crate::files::{partition_dataset, FederatedError};
use crate::long_tail::LongTail;
use crate::partition::{Partition, PartitionError};
use crate::simulate::{Round, Rows, Simulation};

/// What an experiment reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Experiment {
    /// The class labels, in the order of the recalls.
    pub classes: Vec<String>,
    /// Training rows of each client.
    pub client_rows: Vec<usize>,
    /// Training rows of each client per class.
    pub client_counts: Vec<Vec<usize>>,
    /// Test rows (a stratified fifth of the training file when no test file is given).
    pub test_rows: usize,
    pub rounds: Vec<Round>,
    /// The same training on all training rows, scored on the test rows.
    pub centralised_balanced_accuracy: Option<f64>,
    /// Why there is no fairness column, where there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fairness_note: Option<String>,
}

fn model_error(e: imbalanced_models::ModelError) -> FederatedError {
    FederatedError::Partition(PartitionError::Parameter(e.to_string()))
}

/// Runs `simulation` on `train` split by `partitioner` (after `long_tail`,
/// if given), scored on `test` (or, without one, a stratified 20% of
/// `train` held out first). Features are standardised by the training
/// rows' means and deviations; each client's test rows are the test rows
/// split by the same partitioner.
pub fn federate(
    train: &Dataset,
    test: Option<&Dataset>,
    partitioner: &dyn Partition,
    long_tail: Option<&LongTail>,
    simulation: &Simulation,
) -> Result<Experiment, FederatedError> {
    if train.has_categorical() {
        return Err(FederatedError::Partition(PartitionError::Parameter(
            "the federated models take numeric features: drop or encode the categorical columns".into(),
        )));
    }
    let n_classes = train.classes().len();
    let (train, test) = match test {
        Some(t) => {
            if t.classes() != train.classes() || t.numeric().ncols() != train.numeric().ncols() {
                return Err(FederatedError::Partition(PartitionError::Parameter(format!(
                    "the test file has classes {:?} and {} features, the training file {:?} and {}: give files \
                     with the same columns and classes",
                    t.classes(),
                    t.numeric().ncols(),
                    train.classes(),
                    train.numeric().ncols()
                ))));
            }
            (train.clone(), t.clone())
        }
        None => {
            let mut rng = SamplerRng::new(RngKind::Default, simulation.seed);
            let (fit, held) = stratified_holdout(train.y(), n_classes, 0.2, &mut rng);
            (train.select_rows(&fit), train.select_rows(&held))
        }
    };
    let scaler = StandardScaler.fit_finite(train.numeric()).map_err(model_error)?;
    let x_train = scaler.transform(train.numeric()).map_err(model_error)?;
    let x_test = scaler.transform(test.numeric()).map_err(model_error)?;
    let parts = partition_dataset(&train, partitioner, long_tail)?;
    let clients: Vec<(Array2<f64>, Vec<usize>)> = parts
        .iter()
        .map(|p| (take_rows(x_train.view(), p), p.iter().map(|&i| train.y()[i]).collect()))
        .collect();
    let client_views: Vec<Rows<'_>> = clients.iter().map(|(x, y)| Rows { x: x.view(), y }).collect();
    let (client_tests, fairness_note) = match partition_dataset(&test, partitioner, None) {
        Ok(test_parts) => (
            Some(
                test_parts
                    .iter()
                    .map(|p| {
                        (
                            take_rows(x_test.view(), p),
                            p.iter().map(|&i| test.y()[i]).collect::<Vec<_>>(),
                        )
                    })
                    .collect::<Vec<_>>(),
            ),
            None,
        ),
        Err(e) => (
            None,
            Some(format!("the test rows could not be split like the training rows: {e}")),
        ),
    };
    let test_views: Option<Vec<Rows<'_>>> = client_tests
        .as_ref()
        .map(|c| c.iter().map(|(x, y)| Rows { x: x.view(), y }).collect());
    let test_rows = Rows {
        x: x_test.view(),
        y: test.y(),
    };
    let history = simulation.run(&client_views, n_classes, Some(test_rows), test_views.as_deref())?;
    let centralised = simulation.centralised(
        Rows {
            x: x_train.view(),
            y: train.y(),
        },
        n_classes,
    )?;
    let predicted = centralised.predict(x_test.view());
    let centralised_balanced_accuracy = imbalanced_scores::balanced_accuracy_score(test.y(), &predicted, false).ok();
    Ok(Experiment {
        classes: train.classes().to_vec(),
        client_rows: parts.iter().map(Vec::len).collect(),
        client_counts: clients
            .iter()
            .map(|(_, y)| {
                let mut counts = vec![0; n_classes];
                y.iter().for_each(|&c| counts[c] += 1);
                counts
            })
            .collect(),
        test_rows: test.n_samples(),
        rounds: history.rounds,
        centralised_balanced_accuracy,
        fairness_note,
    })
}
