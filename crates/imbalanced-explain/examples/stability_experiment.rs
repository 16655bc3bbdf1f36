//! Issue 17's experiment: does SMOTE change how stable tree models'
//! explanations are, and does a rank-weighted index tell pipelines apart
//! better than a uniform one? The design of the CIES paper (Vaduva, Oprea &
//! Bara 2026) on the data at hand, as BENCHMARKS.md reports it.
//!
//! ```sh
//! cargo run --release -p imbalanced-explain --example stability_experiment [-- DIR]
//! ```
//!
//! DIR (default `../shared/data/keel/binary`) holds the KEEL files: a credit
//! set (australian), two medical ones (wisconsin, haberman) and PC1
//! (software defects: rare events, standing in for churn, which the
//! collection lacks). Four tree models (a decision tree, a random forest, a
//! balanced random forest, histogram gradient boosting), each without and
//! with SMOTE, four noise levels (0.05, 0.1, 0.2, 0.3 of each column's
//! deviation), 10 noisy copies per row, on up to 120 rows per set (its
//! minority rows first, up to 60). Per configuration: the index (harmonic
//! weights) without and with SMOTE, overall and on the minority rows, and
//! the p-values of a paired sign-flip test of the per-row difference under
//! harmonic and under uniform weights.

use imbalanced_classifiers::MODELS;
use imbalanced_data::{read, ReadOptions};
use imbalanced_eval::Method;
use imbalanced_explain::{paired_test, stability_pipeline, RankWeights, Stability, StabilityReport};
use imbalanced_random::RngKind;

const SETS: [&str; 4] = ["australian", "wisconsin", "haberman", "PC1"];
const MODELS_USED: [(&str, &str); 4] = [
    ("tree", "DecisionTreeClassifier"),
    ("forest", "RandomForestClassifier"),
    ("brf", "BalancedRandomForestClassifier"),
    ("hgb", "HistGradientBoostingClassifier"),
];
const NOISE: [f64; 4] = [0.05, 0.1, 0.2, 0.3];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/data/keel/binary".into());
    println!(
        "| data | model | noise | index none / SMOTE | minority index none / SMOTE | p (harmonic) | p (uniform) |"
    );
    println!("|---|---|---|---|---|---|---|");
    let (mut separated, mut separated_uniform, mut configs) = (0, 0, 0);
    for set in SETS {
        let data = read(format!("{dir}/{set}.csv"), &ReadOptions::default())?;
        let counts = data.class_counts();
        let minority = (0..counts.len()).min_by_key(|&c| counts[c]).unwrap_or(0);
        let mut rows: Vec<usize> = (0..data.n_samples())
            .filter(|&i| data.y()[i] == minority)
            .take(60)
            .collect();
        let rest = 120 - rows.len();
        rows.extend((0..data.n_samples()).filter(|&i| data.y()[i] != minority).take(rest));
        for (short, name) in MODELS_USED {
            let params: Vec<(String, serde_json::Value)> = match name {
                "RandomForestClassifier" | "BalancedRandomForestClassifier" => {
                    vec![("n_estimators".into(), 50.into())]
                }
                "HistGradientBoostingClassifier" => vec![("max_iter".into(), 50.into())],
                _ => vec![],
            };
            let model = *MODELS.build(name, &params, &[])?;
            let fitted: Vec<_> = ["none", "SMOTE"]
                .iter()
                .map(|m| -> Result<_, Box<dyn std::error::Error>> {
                    let (method, _) = Method::parse(m, &[], 0, RngKind::Default)?;
                    Ok(method.pipeline(&model, true)?.fit(&data)?)
                })
                .collect::<Result<_, _>>()?;
            for noise in NOISE {
                let settings = Stability {
                    noise,
                    perturbations: 10,
                    ..Default::default()
                };
                let reports: Vec<StabilityReport> = fitted
                    .iter()
                    .map(|p| stability_pipeline(p, &data, &rows, &data, &settings))
                    .collect::<Result<_, _>>()?;
                let per_row = |r: &StabilityReport, weights: RankWeights| -> Vec<f64> {
                    r.rows
                        .iter()
                        .map(|s| {
                            if weights == RankWeights::Uniform {
                                s.uniform_index
                            } else {
                                s.index
                            }
                        })
                        .collect()
                };
                let (_, p) = paired_test(
                    &per_row(&reports[0], RankWeights::Harmonic),
                    &per_row(&reports[1], RankWeights::Harmonic),
                    5000,
                    1,
                )?;
                let (_, p_uniform) = paired_test(
                    &per_row(&reports[0], RankWeights::Uniform),
                    &per_row(&reports[1], RankWeights::Uniform),
                    5000,
                    1,
                )?;
                configs += 1;
                separated += usize::from(p < 0.01);
                separated_uniform += usize::from(p_uniform < 0.01);
                let minority_index =
                    |r: &StabilityReport| r.per_class[minority].as_ref().map_or(f64::NAN, |s| s.index.mean);
                println!(
                    "| {set} | {short} | {noise} | {:.3} / {:.3} | {:.3} / {:.3} | {p:.4} | {p_uniform:.4} |",
                    reports[0].overall.index.mean,
                    reports[1].overall.index.mean,
                    minority_index(&reports[0]),
                    minority_index(&reports[1]),
                );
            }
        }
    }
    println!(
        "\nconfigurations where none and SMOTE differ at p < 0.01: {separated} of {configs} with harmonic \
         weights, {separated_uniform} of {configs} with uniform weights"
    );
    Ok(())
}
