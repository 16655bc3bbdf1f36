//! Seconds per training epoch of softmax regression (no hidden layer) and
//! of a 2-layer MLP (256 hidden ReLU units), Adam, batch 256, cross-entropy,
//! on 100k x 50 Gaussian features with 10 classes. Run by bench/train.py
//! beside the same PyTorch loop:
//!
//!     cargo run --release -p imbalanced-models --example epoch_bench -- 100000 50 3

use std::time::Instant;

use imbalanced_models::{Fit, MlpClassifier};
use imbalanced_random::{RngKind, SamplerRng};
use ndarray::Array2;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("a number")).collect();
    let (n, d, epochs) = (
        args.first().copied().unwrap_or(100_000),
        args.get(1).copied().unwrap_or(50),
        args.get(2).copied().unwrap_or(3),
    );
    let mut rng = SamplerRng::new(RngKind::Default, 0);
    let x = Array2::from_shape_simple_fn((n, d), || rng.standard_normal());
    let y: Vec<usize> = (0..n).map(|i| (x[(i, 0)].abs() * 3.0) as usize % 10).collect();
    for (name, hidden) in [("softmax regression", vec![]), ("MLP 256", vec![256])] {
        let model = MlpClassifier {
            hidden,
            batch_size: 256,
            epochs,
            weight_decay: 0.0,
            ..Default::default()
        };
        let start = Instant::now();
        model.fit(x.view(), &y, 10).expect("fits");
        println!(
            "{{\"model\": \"{name}\", \"seconds_per_epoch\": {:.4}}}",
            start.elapsed().as_secs_f64() / epochs as f64
        );
    }
}
