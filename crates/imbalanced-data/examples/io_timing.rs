//! Times reading and writing a data file in this process, as
//! `bench/io.py` compares with pandas and pyarrow:
//!
//! ```sh
//! cargo run --release -p imbalanced-data --features parquet --example io_timing -- IN OUT
//! ```
//!
//! Prints `{"read": seconds, "write": seconds, "rows": n}`: `read` is
//! [`imbalanced_data::read`] of IN (parse, type inference, the dataset
//! built), `write` is [`imbalanced_data::write`] of that dataset to OUT
//! (format by extension; the file closed and renamed into place).

use std::time::Instant;

// As the CLI: large arrays mapped in one call.
#[global_allocator]
static ALLOC: imbalanced_data::PrefaultAlloc = imbalanced_data::PrefaultAlloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        return Err("usage: io_timing IN OUT".into());
    };
    let opts = imbalanced_data::ReadOptions::default();
    let started = Instant::now();
    let data = imbalanced_data::read(input, &opts)?;
    let read = started.elapsed().as_secs_f64();
    let started = Instant::now();
    imbalanced_data::write(&data, output)?;
    let write = started.elapsed().as_secs_f64();
    println!(
        "{{\"read\": {read}, \"write\": {write}, \"rows\": {}}}",
        data.n_samples()
    );
    Ok(())
}
