//! The least a correctly rounded CSV read can cost on this machine: the
//! file mapped, cut into one piece per thread at line breaks, and every
//! field parsed by `fast_float2` (the reader's parser, bits equal to
//! `str::parse`) into one row-major matrix allocated up front. No type
//! inference, no missing values, no quotes, no label dictionary, no
//! checks: only what any correctly rounded reader must do. `bench/io.py
//! floor` times it beside `pandas.read_csv` (whose default parser is not
//! correctly rounded).
//!
//! ```sh
//! cargo run --release -p imbalanced-data --example parse_floor -- FILE.csv
//! ```
//!
//! Prints `{"floor": seconds, "rows": n}`; the file must be plain numeric
//! comma-separated text with a header.

use std::time::Instant;

use rayon::prelude::*;

#[global_allocator]
static ALLOC: imbalanced_data::PrefaultAlloc = imbalanced_data::PrefaultAlloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: parse_floor FILE.csv")?;
    let started = Instant::now();
    let file = std::fs::File::open(&path)?;
    // SAFETY: the file is only read, and not changed while this runs.
    let map = unsafe { memmap2::Mmap::map(&file)? };
    let bytes: &[u8] = &map;
    let header_end = memchr::memchr(b'\n', bytes).ok_or("no header")? + 1;
    let width = 1 + memchr::memchr_iter(b',', &bytes[..header_end]).count();
    let body = &bytes[header_end..];
    let threads = rayon::current_num_threads();
    let mut starts = vec![0];
    for k in 1..threads {
        let from = (k * body.len() / threads).max(*starts.last().unwrap_or(&0));
        if let Some(i) = memchr::memchr(b'\n', &body[from..]) {
            starts.push(from + i + 1);
        }
    }
    starts.push(body.len());
    let pieces: Vec<&[u8]> = starts.windows(2).map(|w| &body[w[0]..w[1]]).collect();
    let rows: Vec<usize> = pieces
        .par_iter()
        .map(|p| memchr::memchr_iter(b'\n', p).count())
        .collect();
    let n: usize = rows.iter().sum();
    let mut matrix = vec![0.0f64; n * width];
    let mut outs = Vec::new();
    let mut rest = matrix.as_mut_slice();
    for &r in &rows {
        let (head, tail) = rest.split_at_mut(r * width);
        outs.push(head);
        rest = tail;
    }
    pieces
        .into_par_iter()
        .zip(outs)
        .try_for_each(|(piece, out)| -> Result<(), String> {
            let (mut pos, mut k) = (0, 0);
            while pos < piece.len() && k < out.len() {
                let (x, used) =
                    fast_float2::parse_partial::<f64, _>(&piece[pos..]).map_err(|e| format!("{e} at {pos}"))?;
                out[k] = x;
                k += 1;
                pos += used + 1;
            }
            Ok(())
        })?;
    let floor = started.elapsed().as_secs_f64();
    println!(
        "{{\"floor\": {floor}, \"rows\": {n}, \"check\": {}}}",
        matrix[n * width - 1]
    );
    Ok(())
}
