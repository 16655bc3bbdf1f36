//! Properties every sampler must have, checked on random data with the
//! default (non-NumPy) generator, plus the defining property of each
//! randomised over-sampler.

mod common;
use common::light;

use imbalanced_neighbors::self_neighbors;
use imbalanced_resample::{
    class_counts, Adasyn, BorderlineSmote, ResampleError, Resampled, Resampler, RngKind, Smote, SAMPLERS,
};
use ndarray::{Array2, ArrayView1, Axis};
use proptest::prelude::*;

/// Reproducible blobs: class `c` centred at `(c, c, ...)`, `sizes[c]` rows.
fn blobs(sizes: &[usize], d: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let n: usize = sizes.iter().sum();
    let mut x = Array2::zeros((n, d));
    let mut y = Vec::with_capacity(n);
    let mut row = 0;
    for (c, &m) in sizes.iter().enumerate() {
        for _ in 0..m {
            for j in 0..d {
                x[(row, j)] = c as f64 * 0.8 + (next() - 0.5) * 2.0;
            }
            y.push(c);
            row += 1;
        }
    }
    (x, y)
}

fn sizes_strategy() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![
        (12usize..60, 12usize..30).prop_map(|(a, b)| vec![a + b, b]),
        (12usize..50, 12usize..30, 12usize..20).prop_map(|(a, b, c)| vec![a + b, b, c]),
    ]
}

fn run_on_threads(s: &dyn Resampler, x: &Array2<f64>, y: &[usize], threads: usize) -> Resampled {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| s.fit_resample(x.view(), y).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn every_sampler_is_consistent_deterministic_and_thread_independent(
        sizes in sizes_strategy(),
        d in 1usize..4,
        seed in 0u64..1000,
    ) {
        let (x, y) = blobs(&sizes, d, seed);
        let counts = class_counts(&y);
        let (n_min, n_max) = (*counts.values().min().unwrap(), *counts.values().max().unwrap());
        let minority = counts.iter().find(|(_, &n)| n == n_min).map(|(&c, _)| c).unwrap();
        for e in SAMPLERS.entries.iter().filter(|e| !matches!(e.info.name, "SMOTENC" | "SMOTEN")) {
            let info = e.info;
            let s = e.build_with(&light(info.name), &imbalanced_resample::randomness(seed, RngKind::Default)).unwrap();
            // Typed refusals the data can call for, not failures: KMeansSMOTE may find
            // no cluster where the minority is common enough (imbalanced-learn raises
            // then too); SMOBD no core distance within max_eps; the label-consistent
            // sampler's judge too few rows of a class (its default shortfall="error").
            let may_refuse = matches!(info.name, "KMeansSMOTE" | "SMOBD" | "LabelConsistentOverSampler");
            if may_refuse && matches!(s.fit_resample(x.view(), &y), Err(ResampleError::NotApplicable(_))) {
                continue;
            }
            let out = run_on_threads(s.as_ref(), &x, &y, 1);
            prop_assert_eq!(&out, &run_on_threads(s.as_ref(), &x, &y, 2), "{} differs across threads", info.name);
            prop_assert_eq!(out.x.nrows(), out.y.len());
            prop_assert_eq!(out.origin.len(), out.y.len());
            for (r, origin) in out.origin.iter().enumerate() {
                match origin {
                    Some(i) => {
                        prop_assert_eq!(out.x.row(r), x.row(*i), "{}: row {} is not input row {}", info.name, r, i);
                        prop_assert_eq!(out.y[r], y[*i]);
                    }
                    None => prop_assert!(out.x.row(r).iter().all(|v| v.is_finite())),
                }
            }
            if s.output_starts_with_input() {
                let inputs: Vec<Option<usize>> = (0..y.len()).map(Some).collect();
                prop_assert_eq!(out.origin.get(..y.len()), Some(&inputs[..]), "{} does not start with its input", info.name);
            }
            let after = class_counts(&out.y);
            match info.kind {
                "under" | "cleaning" => prop_assert_eq!(out.n_synthetic(), 0, "{} invented rows", info.name),
                _ => {}
            }
            match info.name {
                "RandomOverSampler" | "SMOTE" => prop_assert!(after.values().all(|&n| n == n_max)),
                "RandomUnderSampler" | "NearMiss" | "ClusterCentroids" => prop_assert!(after.values().all(|&n| n == n_min)),
                "polynom_fit_SMOTE_star" | "polynom_fit_SMOTE_bus" | "polynom_fit_SMOTE_mesh" | "ProWSyn" | "Lee"
                | "SMOBD" | "G_SMOTE" | "Assembled_SMOTE" | "SMOTE_TomekLinks" | "SMOTE_IPF" | "LVQ_SMOTE" => {
                    // Points on segments between a class's rows (or to its
                    // mean): inside the class's bounding box. LVQ-SMOTE's
                    // a + (x - c), with a, c centres and x a row of the
                    // class: inside the box widened by its width each side.
                    let widen = if info.name == "LVQ_SMOTE" { 1.0 } else { 0.0 };
                    for r in (0..out.y.len()).filter(|&r| out.origin[r].is_none()) {
                        for j in 0..d {
                            let own = (0..y.len()).filter(|&i| y[i] == out.y[r]).map(|i| x[(i, j)]);
                            let (lo, hi) = own.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
                            let (lo, hi) = (lo - widen * (hi - lo), hi + widen * (hi - lo));
                            let v = out.x[(r, j)];
                            prop_assert!(v >= lo - 1e-9 && v <= hi + 1e-9, "{}: {v} outside [{lo}, {hi}]", info.name);
                        }
                    }
                }
                "TomekLinks" | "EditedNearestNeighbours" | "NeighbourhoodCleaningRule" | "OneSidedSelection"
                | "CondensedNearestNeighbour" => {
                    // In one pass, 'auto' never touches the minority class. (RENN and
                    // AllKNN re-resolve 'auto' each pass, as imbalanced-learn does, so
                    // after a tie in counts they may clean the original minority.)
                    prop_assert_eq!(after.get(&minority).copied(), Some(n_min), "{}", info.name);
                }
                _ => {}
            }
        }
    }

    #[test]
    fn smote_samples_lie_on_segments_to_k_nearest_neighbours(
        sizes in sizes_strategy(),
        d in 1usize..4,
        k in 1usize..6,
        seed in 0u64..1000,
    ) {
        let (x, y) = blobs(&sizes, d, seed);
        let out = Smote::default().k_neighbors(k).random_state(seed).fit_resample(x.view(), &y).unwrap();
        check_on_segments(&x, &y, &out, k, None);
    }

    #[test]
    fn borderline_smote_seeds_only_from_danger_samples(
        sizes in sizes_strategy(),
        d in 1usize..3,
        seed in 0u64..1000,
    ) {
        let (x, y) = blobs(&sizes, d, seed);
        let b = BorderlineSmote::default().random_state(seed);
        let out = b.fit_resample(x.view(), &y).unwrap();
        for c in class_counts(&y).into_keys() {
            let danger = b.danger_rows(x.view(), &y, c).unwrap();
            check_on_segments(&x, &y, &out, 5, Some((c, &danger)));
        }
    }

    #[test]
    fn adasyn_allocation_follows_the_density_ratio(
        sizes in sizes_strategy(),
        d in 1usize..3,
        seed in 0u64..1000,
    ) {
        let (x, y) = blobs(&sizes, d, seed);
        let a = Adasyn::default();
        let minority = *class_counts(&y).iter().min_by_key(|(_, &n)| n).unwrap().0;
        let n_new = 100;
        let Ok(alloc) = a.allocation(x.view(), &y, minority, n_new) else { return Ok(()) };
        let members: Vec<usize> = (0..y.len()).filter(|&i| y[i] == minority).collect();
        let nn = imbalanced_neighbors::KnnIndex::new(x.view())
            .query(x.select(Axis(0), &members).view(), 6).unwrap().without_first();
        let ratio: Vec<usize> = nn.indices.rows().into_iter()
            .map(|r| r.iter().filter(|&&j| y[j] != minority).count()).collect();
        for i in 0..members.len() {
            if ratio[i] == 0 { prop_assert_eq!(alloc[i], 0); }
            for j in 0..members.len() {
                if ratio[i] > ratio[j] { prop_assert!(alloc[i] >= alloc[j]); }
            }
        }
        let total: usize = alloc.iter().sum();
        prop_assert!((total as i64 - n_new as i64).unsigned_abs() as usize <= members.len());
    }
}

/// Every synthetic row of class `c` lies on the segment from a seed row of
/// `c` (any row of `c`, or only `seeds`) to one of its `k` nearest neighbours
/// within the class.
fn check_on_segments(x: &Array2<f64>, y: &[usize], out: &Resampled, k: usize, only: Option<(usize, &[usize])>) {
    for (r, origin) in out.origin.iter().enumerate() {
        if origin.is_some() {
            continue;
        }
        let c = out.y[r];
        if only.is_some_and(|(oc, _)| oc != c) {
            continue;
        }
        let members: Vec<usize> = (0..y.len()).filter(|&i| y[i] == c).collect();
        let xc = x.select(Axis(0), &members);
        let nn = self_neighbors(xc.view(), k.min(members.len() - 1)).unwrap().indices;
        let s = out.x.row(r);
        let found = members.iter().enumerate().any(|(p, &i)| {
            let seed_ok = only.is_none_or(|(_, seeds)| seeds.contains(&i));
            seed_ok && nn.row(p).iter().any(|&q| on_segment(s, xc.row(p), xc.row(q)))
        });
        assert!(found, "synthetic row {r} ({s}) is on no segment to a nearest neighbour");
    }
}

fn on_segment(s: ArrayView1<f64>, a: ArrayView1<f64>, b: ArrayView1<f64>) -> bool {
    let ab = &b - &a;
    let len2 = ab.dot(&ab);
    if len2 == 0.0 {
        return (&s - &a).iter().all(|v| v.abs() < 1e-9);
    }
    let t = (&s - &a).dot(&ab) / len2;
    let closest = &a + &(&ab * t);
    (-1e-9..=1.0 + 1e-9).contains(&t) && (&s - &closest).iter().all(|v| v.abs() < 1e-9)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Tiny, degenerate inputs (a handful of rows, duplicates, classes of one or
    /// two samples) give errors or results, never a panic, for every sampler.
    #[test]
    fn no_sampler_panics_on_tiny_or_degenerate_data(
        n in 2usize..14,
        d in 1usize..3,
        classes in 2usize..4,
        seed in 0u64..500,
        duplicates in proptest::bool::ANY,
    ) {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let x = Array2::from_shape_fn((n, d), |_| {
            let v = (next() % 1000) as f64 / 100.0;
            if duplicates { v.round() } else { v }
        });
        let y: Vec<usize> = (0..n).map(|i| if i < classes { i } else { (next() % classes as u64) as usize }).collect();
        for e in SAMPLERS.entries {
            let info = e.info;
            let sampler = e.build_with(&light(info.name), &imbalanced_resample::randomness(seed, RngKind::Default)).unwrap();
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sampler.fit_resample(x.view(), &y)));
            prop_assert!(run.is_ok(), "{} panicked on n={n} d={d} classes={classes}", info.name);
        }
    }
}
