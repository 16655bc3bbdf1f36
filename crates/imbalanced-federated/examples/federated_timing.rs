//! Times a federated simulation as `bench/federated.py` compares it with a
//! NumPy FedAvg loop:
//!
//! ```sh
//! cargo run --release -p imbalanced-federated --example federated_timing -- DATA.csv [ROUNDS] [CLIENTS]
//! ```
//!
//! The rows standardised, split IID (contiguous shards) over CLIENTS
//! (default 10), then ROUNDS (default 100) of FedAvg with one local epoch of
//! SGD (batches of 32, step 0.1, cross-entropy) per client. Prints
//! `{"seconds": ..., "balanced_accuracy": ...}` (the simulation only, and
//! the final model's balanced accuracy on all rows).

use std::time::Instant;

use imbalanced_federated::{Column, Partition, Rows, Simulation};
use imbalanced_models::StandardScaler;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: federated_timing DATA.csv [ROUNDS] [CLIENTS]")?;
    let rounds: usize = args.get(1).map_or(Ok(100), |r| r.parse())?;
    let k: usize = args.get(2).map_or(Ok(10), |r| r.parse())?;
    let data = imbalanced_data::read(path, &imbalanced_data::ReadOptions::default())?;
    let x = StandardScaler.fit_finite(data.numeric())?.transform(data.numeric())?;
    let (y, n_classes) = (data.y(), data.classes().len());
    let parts =
        imbalanced_federated::partition::IidPartitioner { num_partitions: k }.partition(Column::new(y, n_classes)?)?;
    let clients: Vec<(ndarray::Array2<f64>, Vec<usize>)> = parts
        .iter()
        .map(|p| {
            (
                imbalanced_data::take_rows(x.view(), p),
                p.iter().map(|&i| y[i]).collect(),
            )
        })
        .collect();
    let views: Vec<Rows<'_>> = clients.iter().map(|(x, y)| Rows { x: x.view(), y }).collect();
    let simulation = Simulation {
        rounds,
        ..Default::default()
    };
    let started = Instant::now();
    let history = simulation.run(&views, n_classes, None, None)?;
    let seconds = started.elapsed().as_secs_f64();
    let predicted = history.model.predict(x.view());
    let score = imbalanced_scores::balanced_accuracy_score(y, &predicted, false)?;
    println!("{{\"seconds\": {seconds}, \"balanced_accuracy\": {score}}}");
    Ok(())
}
