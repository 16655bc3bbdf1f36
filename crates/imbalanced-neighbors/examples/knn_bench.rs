//! Times an all-points k-NN query, as a query and through `query_self`, with
//! the f32 GEMM kernel and with the default (8-bit codes where the CPU has
//! AVX-512 VNNI):
//! `cargo run --release -p imbalanced-neighbors --example knn_bench -- N D K [CSV]`.
use std::time::Instant;

use imbalanced_neighbors::{Kernel, KnnIndex};
use ndarray::Array2;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .take(3)
        .map(|a| a.parse().expect("integers"))
        .collect();
    let arg = |i: usize, default: usize| args.get(i).copied().unwrap_or(default);
    let (n, d, k) = (arg(0, 100_000), arg(1, 20), arg(2, 2));
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let mut x = Array2::from_shape_fn((n, d), |_| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    });
    // Or the first N rows and D columns of a numeric CSV with a header (4th argument).
    if let Some(path) = std::env::args().nth(4) {
        let text = std::fs::read_to_string(path).expect("readable CSV");
        for (i, line) in text.lines().skip(1).take(n).enumerate() {
            for (j, v) in line.split(',').take(d).enumerate() {
                x[(i, j)] = v.parse().expect("numbers");
            }
        }
    }
    let mut answers = Vec::new();
    for kernel in [Kernel::Gemm, Kernel::Auto] {
        let index = KnnIndex::with_kernel(x.view(), kernel);
        let t = Instant::now();
        let nn = index.query(x.view(), k).unwrap();
        println!(
            "{kernel:?} query      n={n} d={d} k={k}: {:.3} s",
            t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        let same = index.query_self(k).unwrap();
        println!(
            "{kernel:?} query_self n={n} d={d} k={k}: {:.3} s",
            t.elapsed().as_secs_f64()
        );
        assert_eq!(nn, same);
        answers.push(nn);
    }
    assert_eq!(answers[0], answers[1]);
}
