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
    assert_eq!(
        flat.skipped,
        [(
            "customers.csv.plan".to_string(),
            "a categorical column of the parent".to_string()
        )]
    );
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
fn categorical_child_columns_become_shares_of_each_value() {
    let dir = tempfile::tempdir().unwrap();
    let customers = write(dir.path(), "customers.csv", "id,churn\nc1,no\nc2,yes\nc3,no\n");
    let mut orders = String::from("customer,status,note\n");
    for (i, (c, status)) in [
        ("c1", "paid"),
        ("c1", "returned"),
        ("c1", "paid"),
        ("c2", "late"),
        ("c1", "paid"),
    ]
    .iter()
    .enumerate()
    {
        orders.push_str(&format!("{c},{status},note{i}\n"));
    }
    // `note` takes more values than MAX_LEVELS: left out, with why.
    for i in 0..imbalanced_relational::MAX_LEVELS {
        orders.push_str(&format!("c3,paid,extra{i}\n"));
    }
    let orders = write(dir.path(), "orders.csv", &orders);
    let flat = flatten(&customers, "id", &[child(&orders, "customer")], &opts()).unwrap();
    let names: Vec<&str> = flat.data.features().iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "orders.csv.count",
            "orders.csv.status=late",
            "orders.csv.status=paid",
            "orders.csv.status=returned"
        ]
    );
    assert_eq!(flat.blocks.iter().map(|b| b.width).collect::<Vec<_>>(), [4]);
    assert_eq!(flat.skipped.len(), 1);
    assert_eq!(flat.skipped[0].0, "orders.csv.note");
    assert!(flat.skipped[0].1.contains("25 values"), "{:?}", flat.skipped);
    let x = flat.data.numeric();
    assert_eq!(x.row(0).to_vec(), [4.0, 0.0, 0.75, 0.25]);
    assert_eq!(x.row(1).to_vec(), [1.0, 1.0, 0.0, 0.0]);
    assert_eq!(x.row(2).to_vec(), [20.0, 0.0, 1.0, 0.0]);
    // Child rows from shares: each value on its share of the rows, by largest remainder.
    let c = &flat.children[0];
    let levels = |row: &[f64]| imbalanced_relational::child_levels(row, c);
    let counted =
        |rows: Vec<Vec<&str>>| ["late", "paid", "returned"].map(|v| rows.iter().filter(|r| r[0] == v).count());
    assert_eq!(counted(levels(&[4.0, 0.0, 0.75, 0.25])), [0, 3, 1]);
    assert_eq!(counted(levels(&[3.0, 0.2, 0.45, 0.35])), [1, 1, 1]);
    assert_eq!(counted(levels(&[5.0, 0.1, 0.5, 0.4])), [1, 2, 2]);
    assert_eq!(counted(levels(&[0.0, 0.0, 0.0, 0.0])), [0, 0, 0]);
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
    use imbalanced_resample::{RelationGate, Resampler};
    let dir = tempfile::tempdir().unwrap();
    let (mut customers, mut orders) = (String::from("id,age,churn\n"), String::from("customer,amount,status\n"));
    for i in 0..60 {
        customers.push_str(&format!(
            "c{i},{},{}\n",
            20 + i % 40,
            if i % 6 == 0 { "yes" } else { "no" }
        ));
        for k in 0..(1 + i % 5) {
            let status = if (i + k) % 3 == 0 { "returned" } else { "paid" };
            orders.push_str(&format!("c{i},{},{status}\n", 5 + (i * 7 + k * 3) % 23));
        }
    }
    let customers_path = write(dir.path(), "customers.csv", &customers);
    let orders_path = write(dir.path(), "orders.csv", &orders);
    let flat = flatten(&customers_path, "id", &[child(&orders_path, "customer")], &opts()).unwrap();
    let resampled = flat
        .sampler(RelationGate::default(), 0)
        .fit_resample_dataset(&flat.data)
        .unwrap();
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
        // Each value's share is met to within one row, and the shares sum to 1.
        let (k, shares) = (want[c.count], &c.levels[0].1);
        if k >= 1.0 {
            let total: f64 = shares.iter().map(|(_, j)| got[*j]).sum();
            assert!((total - 1.0).abs() < 1e-12, "row {r}: shares sum to {total}");
            assert!((shares.iter().map(|(_, j)| want[*j]).sum::<f64>() - 1.0).abs() < 1e-12);
        }
        for (level, j) in shares {
            assert!(
                (got[*j] - want[*j]).abs() * k <= 1.0 + 1e-9,
                "row {r}: {level}: {} vs {}",
                got[*j],
                want[*j]
            );
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
