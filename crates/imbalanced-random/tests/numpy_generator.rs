//! `Generator` against NumPy 2.4.6's `np.random.default_rng`, bit for bit:
//! fixtures written by `scripts/fixtures/generator.py` (floats as IEEE-754
//! bits). Each case replays one fresh generator's calls in NumPy's order.

use imbalanced_random::{Generator, Pcg64, SeedSequence};
use serde_json::Value;

fn fixture() -> Value {
    let text = include_str!("fixtures/numpy_generator.json");
    serde_json::from_str(text).expect("the fixture is JSON")
}

fn u64s(v: &Value) -> Vec<u64> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect()
}

fn i64s(v: &Value) -> Vec<i64> {
    v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect()
}

fn bits(values: impl IntoIterator<Item = f64>) -> Vec<u64> {
    values.into_iter().map(f64::to_bits).collect()
}

fn seed(case: &Value) -> u128 {
    case["seed"].as_str().unwrap().parse().unwrap()
}

#[test]
fn seed_sequence_pools_and_states_equal_numpys() {
    for case in fixture()["cases"].as_array().unwrap() {
        let ss = SeedSequence::new(seed(case));
        let pool: Vec<u64> = ss.pool().iter().map(|&w| u64::from(w)).collect();
        assert_eq!(pool, u64s(&case["pool"]), "seed {}", seed(case));
        assert_eq!(ss.generate_state_u64(4), u64s(&case["state_u64"]));
        let state32: Vec<u64> = ss.generate_state_u32(5).into_iter().map(u64::from).collect();
        assert_eq!(state32, u64s(&case["state_u32"]));
    }
}

#[test]
fn pcg64_raw_stream_equals_numpys() {
    for case in fixture()["cases"].as_array().unwrap() {
        let mut bits = Pcg64::new(seed(case));
        let raw: Vec<u64> = (0..8).map(|_| bits.next_u64()).collect();
        assert_eq!(raw, u64s(&case["raw"]), "seed {}", seed(case));
    }
}

/// Replays one call on `g` and returns what it drew, as the fixture stores it.
fn call(g: &mut Generator, method: &str, args: &Value) -> Value {
    let size = args["size"].as_u64().unwrap_or(0) as usize;
    let f = |k: &str| args[k].as_f64().unwrap();
    let floats = |v: Vec<f64>| serde_json::json!(bits(v));
    match method {
        "random" => floats((0..size).map(|_| g.random()).collect()),
        "integers" => {
            let (low, high) = (args["low"].as_i64().unwrap(), args["high"].as_i64().unwrap());
            serde_json::json!((0..size).map(|_| g.integers(low, high).unwrap()).collect::<Vec<_>>())
        }
        "standard_normal" => floats((0..size).map(|_| g.standard_normal()).collect()),
        "standard_exponential" => floats((0..size).map(|_| g.standard_exponential()).collect()),
        "standard_gamma" => floats((0..size).map(|_| g.standard_gamma(f("shape"))).collect()),
        "beta" => floats((0..size).map(|_| g.beta(f("a"), f("b"))).collect()),
        "dirichlet" => {
            let alpha: Vec<f64> = args["alpha"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_f64().unwrap())
                .collect();
            floats((0..size).flat_map(|_| g.dirichlet(&alpha).unwrap()).collect())
        }
        "permutation" => serde_json::json!(g.permutation(args["n"].as_u64().unwrap() as usize)),
        "choice" => {
            let n = args["n"].as_u64().unwrap() as usize;
            let (replace, shuffle) = (args["replace"].as_bool().unwrap(), args["shuffle"].as_bool().unwrap());
            serde_json::json!(g.choice(n, size, replace, shuffle).unwrap())
        }
        "choice_p" => {
            let p: Vec<f64> = args["p"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_f64().unwrap())
                .collect();
            serde_json::json!(g.choice_p(&p, size).unwrap())
        }
        other => panic!("no replay for {other}"),
    }
}

#[test]
fn generator_draws_equal_numpys_call_after_call() {
    let fixture = fixture();
    assert_eq!(fixture["numpy"], "2.4.6");
    for case in fixture["cases"].as_array().unwrap() {
        let mut g = Generator::new(seed(case));
        for (k, c) in case["calls"].as_array().unwrap().iter().enumerate() {
            let method = c["method"].as_str().unwrap();
            let got = call(&mut g, method, &c["args"]);
            let want = &c["out"];
            if method.starts_with("integers") || method.starts_with("choice") || method == "permutation" {
                assert_eq!(
                    i64s(&got),
                    i64s(want),
                    "seed {} call {k} {method} {}",
                    seed(case),
                    c["args"]
                );
            } else {
                let (got, want) = (u64s(&got), u64s(want));
                let first = got.iter().zip(&want).position(|(a, b)| a != b);
                assert!(
                    got.len() == want.len() && first.is_none(),
                    "seed {} call {k} {method} {}: first difference at {first:?} of {}",
                    seed(case),
                    c["args"],
                    want.len()
                );
            }
        }
    }
}
