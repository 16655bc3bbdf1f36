//! Times TreeSHAP as `bench/treeshap.py` compares it with shap's C++
//! `TreeExplainer`:
//!
//! ```sh
//! cargo run --release -p imbalanced-explain --example treeshap_timing -- TREES.json ROWS.json OUT.json
//! ```
//!
//! TREES.json: `{"n_features", "trees": [scikit-learn's arrays per tree]}`
//! (as `scripts/fixtures/shap_values.py` writes them); ROWS.json: the rows to
//! explain. Writes `{"seconds", "values": [class][row][feature]}` to OUT.json
//! (the attributions alone are timed, not reading the files).

use std::time::Instant;

use imbalanced_explain::forest;
use imbalanced_models::FittedTree;
use ndarray::Array2;
use serde_json::Value;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [trees, rows, out] = &args[..] else {
        return Err("usage: treeshap_timing TREES.json ROWS.json OUT.json".into());
    };
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(trees)?)?;
    let d = spec["n_features"].as_u64().ok_or("n_features")? as usize;
    let trees: Vec<FittedTree> = spec["trees"]
        .as_array()
        .ok_or("trees")?
        .iter()
        .map(|t| -> Result<FittedTree, Box<dyn std::error::Error>> {
            Ok(FittedTree::from_arrays(
                &serde_json::from_value::<Vec<(i64, i64)>>(t["children"].clone())?,
                &serde_json::from_value::<Vec<usize>>(t["feature"].clone())?,
                &serde_json::from_value::<Vec<f64>>(t["threshold"].clone())?,
                &serde_json::from_value::<Vec<Vec<f64>>>(t["value"].clone())?,
                &serde_json::from_value::<Vec<f64>>(t["cover"].clone())?,
                d,
            )?)
        })
        .collect::<Result<_, _>>()?;
    let rows: Vec<Vec<f64>> = serde_json::from_str(&std::fs::read_to_string(rows)?)?;
    let x = Array2::from_shape_vec((rows.len(), d), rows.concat())?;
    let started = Instant::now();
    let a = forest(&trees, x.view())?;
    let seconds = started.elapsed().as_secs_f64();
    let values: Vec<Vec<Vec<f64>>> = a
        .values
        .outer_iter()
        .map(|c| c.outer_iter().map(|r| r.to_vec()).collect())
        .collect();
    std::fs::write(
        out,
        serde_json::json!({"seconds": seconds, "values": values}).to_string(),
    )?;
    println!("{seconds:.3} s for {} rows x {} trees", x.nrows(), trees.len());
    Ok(())
}
