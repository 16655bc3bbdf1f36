//! Out of core: class counts and exact random under-sampling of a Parquet
//! folder ten times the engine's memory limit finish with exact counts (a
//! plan that must hold more than the limit fails with DataFusion's
//! "resources exhausted"). The process's peak resident memory is printed;
//! bench/datafusion_scale.py measures it on 100M rows, where it is a
//! fraction of the data.

use std::sync::Arc;

use datafusion::arrow::array::{Float64Array, Int64Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use imbalanced_datafusion::{Engine, EngineOptions, Selection};
use imbalanced_resample::SamplingStrategy;

const FILES: usize = 32;
const ROWS: usize = 25_000;
const FEATURES: usize = 20;

/// File `f`'s rows: 20 features, a label positive with probability 1/200.
fn batch(f: usize) -> RecordBatch {
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ f as u64;
    let mut next = move || {
        state = imbalanced_datafusion::splitmix64(state);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let label: Vec<i64> = (0..ROWS).map(|_| i64::from(next() < 0.005)).collect();
    let mut fields: Vec<Field> = (0..FEATURES)
        .map(|j| Field::new(format!("f{j}"), DataType::Float64, false))
        .collect();
    fields.push(Field::new("label", DataType::Int64, false));
    let mut columns: Vec<Arc<dyn datafusion::arrow::array::Array>> = (0..FEATURES)
        .map(|_| Arc::new(Float64Array::from_iter_values((0..ROWS).map(|_| next()))) as _)
        .collect();
    columns.push(Arc::new(Int64Array::from(label)));
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

/// The process's peak resident set, in bytes (Linux's VmHWM).
fn peak_rss() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<usize>().ok()? * 1024)
}

#[test]
fn counts_and_exact_under_sampling_stream_through_a_memory_limit() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("data");
    std::fs::create_dir(&folder).unwrap();
    let writer = Engine::new(&EngineOptions {
        partitions: 2,
        ..Default::default()
    })
    .unwrap();
    let mut positives = 0;
    for f in 0..FILES {
        let b = batch(f);
        positives += b
            .column(FEATURES)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
            .values()
            .iter()
            .sum::<i64>() as u64;
        writer
            .write_batch(b, &folder.join(format!("part-{f:02}.parquet")))
            .unwrap();
    }
    // From here the peak is the engine's (Linux resets VmHWM on "5" to clear_refs).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let data_bytes = (FILES * ROWS * (FEATURES + 1) * 8) as u64;
    let limit = (data_bytes / 10) as usize;
    let engine = Engine::new(&EngineOptions {
        partitions: 4,
        memory_limit: Some(limit),
        spill_dir: Some(dir.path().to_path_buf()),
    })
    .unwrap();
    let t = engine.read(folder.to_str().unwrap(), Some("label")).unwrap();
    let counts = engine.class_counts(&t).unwrap();
    assert_eq!(counts.total(), (FILES * ROWS) as u64);
    assert_eq!(counts.0[1].1, positives);
    let out = dir.path().join("balanced.parquet");
    let df = engine
        .under_sample(&t, &SamplingStrategy::Auto, Selection::Exact, 0)
        .unwrap();
    assert_eq!(engine.write(df, &out).unwrap(), 2 * positives);
    let peak = peak_rss().unwrap_or(0);
    eprintln!(
        "data {} MB, memory limit {} MB, peak resident {} MB",
        data_bytes >> 20,
        limit >> 20,
        peak >> 20
    );
}
