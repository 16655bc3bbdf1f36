//! Times one sampler's `fit_resample_dataset` on a CSV file, reading it once.
//! The first run (what `imbalanced resample` measures: fresh memory, threads
//! starting) and the smallest of several runs are printed, so that profilers
//! see the sampler alone, not the CSV reader.
//!
//! ```sh
//! cargo run --release -p imbalanced-resample --example sampler_bench -- \
//!     bench/data/clf_100000.csv SMOTE 5 k_neighbors=5
//! ```
use std::time::Instant;

use imbalanced_data::{read, ReadOptions};
use imbalanced_random::RngKind;
use imbalanced_resample::{randomness, SAMPLERS};

// As the `imbalanced` binary, so that first runs measure what it measures.
#[global_allocator]
static ALLOC: imbalanced_data::PrefaultAlloc = imbalanced_data::PrefaultAlloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, method, rest @ ..] = args.as_slice() else {
        return Err("usage: sampler_bench FILE METHOD [REPEATS] [key=value ...]".into());
    };
    let (repeats, params) = match rest.split_first() {
        Some((r, tail)) if r.parse::<usize>().is_ok() => (r.parse()?, tail),
        _ => (3, rest),
    };
    let params: Vec<_> = params
        .iter()
        .map(|p| imbalanced_catalog::assignment(p))
        .collect::<Option<_>>()
        .ok_or("parameters are key=value")?;
    let data = read(std::path::Path::new(file), &ReadOptions::default())?;
    let sampler = SAMPLERS.build(method, &params, &randomness(0, RngKind::Default))?;
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        let out = sampler.fit_resample_dataset(&data)?;
        times.push(started.elapsed().as_secs_f64());
        rows = out.n_samples();
    }
    let best = times.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "{method}: {} -> {rows} rows, first run {:.4} s, best of {}: {best:.4} s",
        data.n_samples(),
        times[0],
        times.len()
    );
    Ok(())
}
