//! Every metric against scikit-learn 1.9.1 / imbalanced-learn 0.14.2 on the
//! cases of tests/fixtures/metrics.json (scripts/fixtures/metrics.py).

use imbalanced_scores::*;
use ndarray::Array2;
use serde_json::Value;

const TOL: f64 = 1e-9;

struct Case {
    name: String,
    y_true: Vec<usize>,
    y_pred: Vec<usize>,
    proba: Option<Array2<f64>>,
    expected: Value,
    extra: Value,
}

fn cases() -> Vec<Case> {
    let text = include_str!("fixtures/metrics.json");
    let root: Value = serde_json::from_str(text).unwrap();
    let labels = |v: &Value| -> Vec<usize> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect()
    };
    root["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let proba = c["proba"].as_array().map(|rows| {
                let n = rows.len();
                let k = rows[0].as_array().unwrap().len();
                let flat: Vec<f64> = rows
                    .iter()
                    .flat_map(|r| r.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()))
                    .collect();
                Array2::from_shape_vec((n, k), flat).unwrap()
            });
            Case {
                name: c["name"].as_str().unwrap().to_string(),
                y_true: labels(&c["y_true"]),
                y_pred: labels(&c["y_pred"]),
                proba,
                expected: c["expected"].clone(),
                extra: c["extra"].clone(),
            }
        })
        .collect()
}

fn close(case: &str, what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= TOL || (got.is_nan() && want.is_nan()),
        "{case}: {what} = {got}, scikit-learn {want}"
    );
}

fn close_all(case: &str, what: &str, got: &[f64], want: &Value) {
    let want: Vec<f64> = want
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap_or(f64::INFINITY))
        .collect();
    assert_eq!(got.len(), want.len(), "{case}: {what} length");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        if w.is_infinite() {
            assert_eq!(g, w, "{case}: {what}[{i}]");
        } else {
            close(case, &format!("{what}[{i}]"), *g, *w);
        }
    }
}

#[test]
fn all_scores_match_scikit_learn() {
    for c in cases() {
        let got = all_scores(&c.y_true, &c.y_pred, c.proba.as_ref().map(|p| p.view())).unwrap();
        let want = c.expected.as_object().unwrap();
        for (name, value) in want {
            let g = got
                .get(name)
                .unwrap_or_else(|| panic!("{}: {name} not computed", c.name));
            close(&c.name, name, g, value.as_f64().unwrap_or(f64::NAN));
        }
        assert_eq!(
            got.0.len(),
            want.len(),
            "{}: computed metrics the fixture lacks",
            c.name
        );
    }
}

#[test]
fn per_class_scores_and_variants_match() {
    for c in cases() {
        let (t, p, x) = (&c.y_true, &c.y_pred, &c.extra);
        let n = &c.name;
        let per = precision_recall_fscore_support(t, p, 1.0, 0.0).unwrap();
        close_all(n, "precision", &per.precision, &x["per_class"]["precision"]);
        close_all(n, "recall", &per.recall, &x["per_class"]["recall"]);
        close_all(n, "f1", &per.fscore, &x["per_class"]["f1"]);
        close_all(n, "support", &per.support, &x["per_class"]["support"]);
        let one = precision_recall_fscore_support(t, p, 1.0, 1.0).unwrap();
        close_all(
            n,
            "precision zd=1",
            &one.precision,
            &x["per_class_zero_division_1"]["precision"],
        );
        close_all(n, "recall zd=1", &one.recall, &x["per_class_zero_division_1"]["recall"]);
        for beta in [0.5, 2.0] {
            for (avg, name) in [(Average::Macro, "macro"), (Average::Weighted, "weighted")] {
                let key = format!("fbeta_{beta:.1}_{name}");
                close(
                    n,
                    &key,
                    fbeta_score(t, p, beta, avg).unwrap(),
                    x[&key].as_f64().unwrap(),
                );
            }
        }
        let cm = confusion_matrix(t, p).unwrap();
        let want: Vec<Vec<u64>> = serde_json::from_value(x["confusion_matrix"].clone()).unwrap();
        let got: Vec<Vec<u64>> = cm.matrix().rows().into_iter().map(|r| r.to_vec()).collect();
        assert_eq!(got, want, "{n}: confusion matrix");
        let g = geometric_mean_score(t, p, GmeanAverage::Multiclass { correction: 0.001 }).unwrap();
        close(n, "gmean correction", g, x["gmean_correction_0.001"].as_f64().unwrap());
        for (avg, name) in [(Average::Macro, "gmean_macro"), (Average::Weighted, "gmean_weighted")] {
            let g = geometric_mean_score(t, p, GmeanAverage::Averaged(avg)).unwrap();
            close(n, name, g, x[name].as_f64().unwrap());
        }
        let report = classification_report_imbalanced(t, p, 0.1).unwrap();
        let rows = x["report"]["classes"].as_array().unwrap();
        assert_eq!(report.classes.len(), rows.len(), "{n}: report rows");
        let fields = |r: &ClassReport| [r.pre, r.rec, r.spe, r.f1, r.geo, r.iba, r.sup];
        let names = ["pre", "rec", "spe", "f1", "geo", "iba", "sup"];
        for (got, want) in report.classes.iter().zip(rows) {
            for (g, key) in fields(got).iter().zip(names) {
                close(n, &format!("report {key}"), *g, want[key].as_f64().unwrap());
            }
        }
        for (g, key) in fields(&report.average).iter().zip(names).take(6) {
            close(
                n,
                &format!("report avg {key}"),
                *g,
                x["report"]["average"][key].as_f64().unwrap(),
            );
        }
        close(
            n,
            "total support",
            report.average.sup,
            x["report"]["total_support"].as_f64().unwrap(),
        );
        let as_f64 = |v: &[usize]| v.iter().map(|&c| c as f64).collect::<Vec<_>>();
        let mae = macro_averaged_mean_absolute_error(&as_f64(t), &as_f64(p), None);
        match x.get("macro_averaged_mean_absolute_error") {
            Some(w) => close(n, "macro MAE", mae.unwrap(), w.as_f64().unwrap()),
            None => assert!(mae.is_err(), "{n}: MAE with a label never true must be an error"),
        }
    }
}

#[test]
fn curves_match_scikit_learn() {
    let mut checked = 0;
    for c in cases() {
        let (Some(proba), Some(roc)) = (&c.proba, c.extra.get("roc_curve")) else {
            continue;
        };
        let positive: Vec<bool> = c.y_true.iter().map(|&y| y == 1).collect();
        let scores = proba.column(1).to_vec();
        let got = roc_curve(&positive, &scores).unwrap();
        close_all(&c.name, "fpr", &got.x, &roc["x"]);
        close_all(&c.name, "tpr", &got.y, &roc["y"]);
        close_all(&c.name, "roc thresholds", &got.thresholds, &roc["thresholds"]);
        let pr = &c.extra["pr_curve"];
        let got = precision_recall_curve(&positive, &scores).unwrap();
        close_all(&c.name, "recall", &got.x, &pr["x"]);
        close_all(&c.name, "precision", &got.y, &pr["y"]);
        close_all(&c.name, "pr thresholds", &got.thresholds, &pr["thresholds"]);
        checked += 1;
    }
    assert!(checked >= 5);
}
