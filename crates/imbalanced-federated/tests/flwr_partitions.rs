//! The partitioners against flwr-datasets 0.6.1: the same rows in the same
//! order for every case of `scripts/fixtures/partitions.py`, and an error
//! wherever flwr-datasets raised one.

use imbalanced_federated::{Column, PARTITIONERS};
use serde_json::Value;

fn codes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

#[test]
fn every_partitioner_gives_flwr_datasets_partitions() {
    let fixture: Value = serde_json::from_str(include_str!("fixtures/flwr_partitions.json")).unwrap();
    assert_eq!(fixture["flwr_datasets"], "0.6.1");
    let mut seen = std::collections::BTreeSet::new();
    for (i, case) in fixture["cases"].as_array().unwrap().iter().enumerate() {
        let name = case["partitioner"].as_str().unwrap();
        seen.insert(name.to_string());
        let data = case["data"].as_str().unwrap();
        let params = case["params"].as_object().unwrap();
        let column = if params.contains_key("partition_by") {
            codes(&fixture["client_codes"][data])
        } else {
            codes(&fixture["data"][data])
        };
        let n_values = column.iter().max().map_or(0, |m| m + 1);
        let given: Vec<(String, Value)> = params.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let partitioner = PARTITIONERS.find(name).unwrap().build_with(&given, &[]).unwrap();
        let got = partitioner.partition(Column::new(&column, n_values).unwrap());
        let label = format!("case {i}: {name} on {data} {}", Value::Object(params.clone()));
        match (&got, case.get("error")) {
            (Err(_), Some(_)) => {}
            (Ok(parts), None) => {
                let want: Vec<Vec<usize>> = case["partitions"].as_array().unwrap().iter().map(codes).collect();
                assert_eq!(parts.len(), want.len(), "{label}: partitions");
                for (p, (g, w)) in parts.iter().zip(&want).enumerate() {
                    assert_eq!(g, w, "{label}: partition {p}");
                }
            }
            (Ok(_), Some(e)) => panic!("{label}: flwr-datasets raised {e}, ours did not"),
            (Err(e), None) => panic!("{label}: ours raised {e}, flwr-datasets did not"),
        }
    }
    // Every flwr-datasets partitioner has fixtures (FairFAL's, our formulation, have invariant tests).
    let flwr: Vec<&str> = PARTITIONERS
        .entries
        .iter()
        .map(|e| e.info.name)
        .filter(|n| !["DirBalancePartitioner", "ShardBalancePartitioner"].contains(n))
        .collect();
    assert!(flwr.iter().all(|n| seen.contains(*n)), "{flwr:?} vs {seen:?}");
    assert_eq!(flwr.len(), 10);
}
