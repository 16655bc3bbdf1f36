//! Flattening a parent and its child tables: the blocks and their values,
//! and the errors that name the table and column.

use std::path::{Path, PathBuf};

use imbalanced_data::ReadOptions;
use imbalanced_relational::{flatten, ChildSpec, RelationalError};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn opts() -> ReadOptions {
    ReadOptions {
        target: Some("churn".into()),
        ..Default::default()
    }
}

fn child(path: &Path, key: &str) -> ChildSpec {
    format!("{}:{key}", path.display()).parse().unwrap()
}

#[test]
fn blocks_hold_counts_and_aggregates_per_relation() {
    let dir = tempfile::tempdir().unwrap();
    let customers = write(
        dir.path(),
        "customers.csv",
        "id,age,plan,churn\nc1,30,basic,no\nc2,40,pro,yes\nc3,50,basic,no\n",
    );
    let orders = write(dir.path(), "orders.csv", "customer,amount\nc1,10\nc2,5\nc1,30\nc1,20\n");
    let tickets = write(dir.path(), "tickets.csv", "customer,wait\nc2,7\n");
    let flat = flatten(
        &customers,
        "id",
        &[child(&orders, "customer"), child(&tickets, "customer")],
        &opts(),
    )
    .unwrap();
    let names: Vec<&str> = flat.data.features().iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "customers.csv.age",
            "orders.csv.count",
            "orders.csv.amount.mean",
            "orders.csv.amount.min",
            "orders.csv.amount.max",
            "orders.csv.amount.last",
            "tickets.csv.count",
            "tickets.csv.wait.mean",
            "tickets.csv.wait.min",
            "tickets.csv.wait.max",
            "tickets.csv.wait.last",
        ]
    );
    let widths: Vec<usize> = flat.blocks.iter().map(|b| b.width).collect();
    assert_eq!(widths, [1, 5, 5]);
    assert_eq!(flat.integral, [1, 6]);
    assert_eq!(flat.skipped, ["customers.csv.plan"]);
    let x = flat.data.numeric();
    // c1: three orders 10, 30, 20 (last 20), no ticket; c3: nothing (zeros).
    assert_eq!(
        x.row(0).to_vec(),
        [30.0, 3.0, 20.0, 10.0, 30.0, 20.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    );
    assert_eq!(
        x.row(1).to_vec(),
        [40.0, 1.0, 5.0, 5.0, 5.0, 5.0, 1.0, 7.0, 7.0, 7.0, 7.0]
    );
    assert_eq!(
        x.row(2).to_vec(),
        [50.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    );
    assert_eq!(flat.data.y(), [0, 1, 0]);
    // Numeric keys join as well.
    let customers = write(dir.path(), "numeric.csv", "id,age,churn\n1,30,no\n2,40,yes\n");
    let orders = write(dir.path(), "norders.csv", "cid,amount\n2,5\n2,6\n");
    let flat = flatten(&customers, "id", &[child(&orders, "cid")], &opts()).unwrap();
    assert_eq!(flat.data.numeric()[(1, 1)], 2.0);
}

#[test]
fn bad_tables_are_named_with_their_column() {
    let dir = tempfile::tempdir().unwrap();
    let customers = write(dir.path(), "customers.csv", "id,age,churn\nc1,30,no\nc2,40,yes\n");
    let orders = write(dir.path(), "orders.csv", "customer,amount\nc1,10\nc9,5\n");
    let err = |r: Result<imbalanced_relational::Flat, RelationalError>| r.unwrap_err().to_string();

    let e = err(flatten(&customers, "customer_id", &[], &opts()));
    assert!(
        e.contains("customers.csv") && e.contains("\"customer_id\"") && e.contains("the key"),
        "{e}"
    );

    let e = err(flatten(&customers, "id", &[child(&orders, "customer")], &opts()));
    assert!(
        e.contains("orders.csv") && e.contains("row 2") && e.contains("\"c9\"") && e.contains("customers.csv"),
        "{e}"
    );

    let e = err(flatten(&customers, "id", &[child(&orders, "cust")], &opts()));
    assert!(
        e.contains("orders.csv") && e.contains("\"cust\"") && e.contains("foreign key"),
        "{e}"
    );

    let twice = write(dir.path(), "twice.csv", "id,age,churn\nc1,30,no\nc1,40,yes\n");
    let e = err(flatten(&twice, "id", &[], &opts()));
    assert!(e.contains("twice.csv") && e.contains("more than once"), "{e}");

    let e = "orders.csv".parse::<ChildSpec>().unwrap_err().to_string();
    assert!(e.contains("FILE:FOREIGN_KEY"), "{e}");
    let e = err(flatten(&dir.path().join("missing.csv"), "id", &[], &opts()));
    assert!(e.contains("missing.csv"), "{e}");
}

#[test]
fn synthetic_child_rows_reproduce_the_new_rows_aggregates() {
    use imbalanced_relational::synthetic_tables;
    use imbalanced_resample::{RelationalSmote, Resampler};
    let dir = tempfile::tempdir().unwrap();
    let (mut customers, mut orders) = (String::from("id,age,churn\n"), String::from("customer,amount\n"));
    for i in 0..60 {
        customers.push_str(&format!(
            "c{i},{},{}\n",
            20 + i % 40,
            if i % 6 == 0 { "yes" } else { "no" }
        ));
        for k in 0..(1 + i % 5) {
            orders.push_str(&format!("c{i},{}\n", 5 + (i * 7 + k * 3) % 23));
        }
    }
    let customers_path = write(dir.path(), "customers.csv", &customers);
    let orders_path = write(dir.path(), "orders.csv", &orders);
    let flat = flatten(&customers_path, "id", &[child(&orders_path, "customer")], &opts()).unwrap();
    let sampler = RelationalSmote {
        blocks: flat.blocks.iter().map(|b| b.width).collect(),
        integral: flat.integral.clone(),
        ..Default::default()
    };
    let resampled = sampler.fit_resample_dataset(&flat.data).unwrap();
    let tables = synthetic_tables(&flat, &resampled, "id");
    assert_eq!(
        tables.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["customers.csv", "orders.csv"]
    );
    // Append the new rows to the originals and flatten again.
    let grown = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for ((name, text), original) in tables.iter().zip([&customers, &orders]) {
        let body: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
        paths.push(write(grown.path(), name, &format!("{original}{body}")));
    }
    let again = flatten(&paths[0], "id", &[child(&paths[1], "customer")], &opts()).unwrap();
    let n = flat.data.n_samples();
    assert_eq!(again.data.n_samples(), resampled.n_samples());
    let c = &flat.children[0];
    let [mean, min, max, last] = c.values[0].1;
    for r in n..resampled.n_samples() {
        let (want, got) = (
            resampled.numeric().row(r).to_vec(),
            again.data.numeric().row(r).to_vec(),
        );
        assert_eq!(got[c.count], want[c.count], "row {r}: count");
        assert_eq!(got[0], want[0], "row {r}: the parent's own column");
        if want[c.count] >= 1.0 {
            assert_eq!(got[last], want[last], "row {r}: last");
        }
        if want[c.count] >= 3.0 {
            assert_eq!((got[min], got[max]), (want[min], want[max]), "row {r}: min and max");
            assert!(got[mean] >= want[min] - 1e-9 && got[mean] <= want[max] + 1e-9);
        }
        // The mean is met when the rows other than min, max and last can take one value within [min, max].
        let k = want[c.count];
        if k >= 4.0 {
            let fill = (want[mean] * k - want[min] - want[max] - want[last]) / (k - 3.0);
            if fill >= want[min] && fill <= want[max] {
                let tol = 1e-9 * want[max].abs().max(1.0);
                assert!(
                    (got[mean] - want[mean]).abs() < tol,
                    "row {r}: mean {} vs {}",
                    got[mean],
                    want[mean]
                );
            }
        }
    }
    assert_eq!(again.data.y()[n..], resampled.y()[n..]);
}
