//! The long-tail experiment of the loss issue: a seeded 10-class Gaussian
//! mixture, a long-tailed training set (exponential profile, IR 100,
//! 1000 -> 10 rows per class), a balanced test set (300 per class), and the
//! MLP trained with each loss. Reports balanced accuracy and many / medium /
//! few-shot accuracy (> 100, 20-100, < 20 training rows; Liu et al. 2019),
//! mean ± std over seeds.
//!
//!     cargo run --release -p imbalanced-eval --example long_tail -- 3

use imbalanced_data::exponential_counts;
use imbalanced_losses::LossSpec;
use imbalanced_models::{Fit, MlpClassifier, Predict, StandardScaler};
use imbalanced_random::{RngKind, SamplerRng};
use ndarray::Array2;

const CLASSES: usize = 10;
const DIM: usize = 16;

/// Rows of a Gaussian mixture: class means drawn once per seed.
fn sample(means: &Array2<f64>, counts: &[usize], rng: &mut SamplerRng) -> (Array2<f64>, Vec<usize>) {
    let n: usize = counts.iter().sum();
    let mut x = Array2::zeros((n, DIM));
    let mut y = Vec::with_capacity(n);
    let mut r = 0;
    for (c, &m) in counts.iter().enumerate() {
        for _ in 0..m {
            for j in 0..DIM {
                x[(r, j)] = means[(c, j)] + rng.standard_normal();
            }
            y.push(c);
            r += 1;
        }
    }
    (x, y)
}

fn main() {
    let seeds: u64 = std::env::args().nth(1).map_or(3, |s| s.parse().expect("a seed count"));
    let counts = exponential_counts(1000, CLASSES, 100.0).expect("valid profile");
    let group = |n: usize| {
        if n > 100 {
            0
        } else if n >= 20 {
            1
        } else {
            2
        }
    };
    let losses: Vec<(&str, LossSpec, bool)> = vec![
        ("ce", LossSpec::new("ce", &[]).unwrap(), false),
        (
            "focal (gamma 1)",
            LossSpec::new("focal", &[("gamma".into(), "1".into())]).unwrap(),
            false,
        ),
        (
            "cb (weighted-ce, beta 0.9999)",
            LossSpec::new("weighted-ce", &[("weights".into(), "cb".into())]).unwrap(),
            false,
        ),
        ("ldam-drw (cosine head)", LossSpec::new("ldam-drw", &[]).unwrap(), true),
        ("logit-adjusted (tau 1)", LossSpec::new("la", &[]).unwrap(), false),
        (
            "balanced softmax",
            LossSpec::new("balanced-softmax", &[]).unwrap(),
            false,
        ),
    ];
    println!("training counts: {counts:?} (total {})", counts.iter().sum::<usize>());
    println!("| loss | balanced accuracy | many-shot | medium-shot | few-shot |");
    println!("|---|---|---|---|---|");
    for (name, loss, cosine) in losses {
        let mut scores: Vec<[f64; 4]> = Vec::new();
        for seed in 0..seeds {
            let mut rng = SamplerRng::new(RngKind::Default, 1000 + seed);
            let means = Array2::from_shape_simple_fn((CLASSES, DIM), || 1.2 * rng.standard_normal());
            let (xtr, ytr) = sample(&means, &counts, &mut rng);
            let (xte, yte) = sample(&means, &[300; CLASSES], &mut rng);
            let scaler = StandardScaler.fit(xtr.view()).unwrap();
            let (xtr, xte) = (
                scaler.transform(xtr.view()).unwrap(),
                scaler.transform(xte.view()).unwrap(),
            );
            let model = MlpClassifier {
                hidden: vec![64],
                loss: loss.clone(),
                cosine_head: cosine,
                epochs: 60,
                batch_size: 128,
                random_state: seed,
                ..Default::default()
            };
            let pred = model
                .fit(xtr.view(), &ytr, CLASSES)
                .unwrap()
                .predict(xte.view())
                .unwrap();
            let recall: Vec<f64> = (0..CLASSES)
                .map(|c| {
                    let rows: Vec<usize> = (0..yte.len()).filter(|&i| yte[i] == c).collect();
                    rows.iter().filter(|&&i| pred[i] == c).count() as f64 / rows.len() as f64
                })
                .collect();
            let mean_of = |g: usize| {
                let v: Vec<f64> = (0..CLASSES)
                    .filter(|&c| group(counts[c]) == g)
                    .map(|c| recall[c])
                    .collect();
                v.iter().sum::<f64>() / v.len() as f64
            };
            scores.push([
                recall.iter().sum::<f64>() / CLASSES as f64,
                mean_of(0),
                mean_of(1),
                mean_of(2),
            ]);
        }
        let cell = |i: usize| {
            let v: Vec<f64> = scores.iter().map(|s| s[i]).collect();
            let m = v.iter().sum::<f64>() / v.len() as f64;
            let sd = (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64).sqrt();
            format!("{m:.4} ± {sd:.4}")
        };
        println!("| {name} | {} | {} | {} | {} |", cell(0), cell(1), cell(2), cell(3));
    }
}
