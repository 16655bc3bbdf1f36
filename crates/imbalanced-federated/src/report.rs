//! The HTML report of a federated experiment (`imbalanced federate
//! --report`): scores per round against the centralised baseline, recall
//! per class, client fairness, the clients' class counts, and the rounds as
//! a table.

use imbalanced_charts::html::{page, table};
use imbalanced_charts::{escape, heatmap, lines, Axis, Series};

use crate::experiment::Experiment;

/// One line per round index `xs`.
fn series(name: impl Into<String>, xs: &[f64], ys: impl Iterator<Item = Option<f64>>) -> Series {
    Series {
        name: name.into(),
        xs: xs.to_vec(),
        ys: ys.map(|v| v.unwrap_or(f64::NAN)).collect(),
    }
}

impl Experiment {
    /// The report as a self-contained HTML page; `settings` describes the run.
    pub fn html(&self, settings: &str) -> String {
        let rounds: Vec<f64> = self.rounds.iter().map(|r| r.round as f64).collect();
        let x = (
            "round",
            Axis::covering(
                rounds.first().copied().unwrap_or(1.0),
                rounds.last().copied().unwrap_or(1.0),
            ),
        );
        let mut scores = vec![
            series(
                "balanced accuracy",
                &rounds,
                self.rounds.iter().map(|r| r.balanced_accuracy),
            ),
            series("macro F1", &rounds, self.rounds.iter().map(|r| r.macro_f1)),
        ];
        if self.rounds.iter().any(|r| r.prototype_balanced_accuracy.is_some()) {
            scores.push(series(
                "nearest prototype (bal. acc.)",
                &rounds,
                self.rounds.iter().map(|r| r.prototype_balanced_accuracy),
            ));
        }
        let centralised = self.centralised_balanced_accuracy;
        if let Some(b) = centralised {
            scores.push(series(
                "centralised (bal. acc.)",
                &rounds,
                rounds.iter().map(|_| Some(b)),
            ));
        }
        let unit = Axis::covering(0.0, 1.0);
        let mut charts = lines("Test scores per round", x, ("score", unit), &scores, None).svg();
        let recalls: Vec<Series> = self
            .classes
            .iter()
            .enumerate()
            .map(|(c, name)| {
                series(
                    format!("recall of {name}"),
                    &rounds,
                    self.rounds.iter().map(|r| r.recall.get(c).copied().flatten()),
                )
            })
            .collect();
        charts += &lines("Recall per class", x, ("recall", unit), &recalls, None).svg();
        if self.rounds.iter().any(|r| r.fairness.is_some()) {
            let fairness = [
                series(
                    "clients' mean",
                    &rounds,
                    self.rounds.iter().map(|r| r.fairness.map(|f| f.mean)),
                ),
                series(
                    "worst client",
                    &rounds,
                    self.rounds.iter().map(|r| r.fairness.map(|f| f.worst)),
                ),
            ];
            charts += &lines(
                "Client fairness (balanced accuracy)",
                x,
                ("balanced accuracy", unit),
                &fairness,
                None,
            )
            .svg();
        }
        let clients: Vec<String> = (0..self.client_counts.len()).map(|i| format!("client {i}")).collect();
        let split = heatmap(
            "Training rows per client and class",
            "class",
            &clients,
            &self.classes,
            &self.client_counts,
        );
        let f = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.3}"));
        let rows: Vec<Vec<String>> = self
            .rounds
            .iter()
            .map(|r| {
                vec![
                    r.round.to_string(),
                    r.clients.len().to_string(),
                    format!("{:.4}", r.train_loss),
                    f(r.balanced_accuracy),
                    f(r.macro_f1),
                    f(r.recall.iter().flatten().copied().reduce(f64::min)),
                    r.fairness
                        .map_or("n/a".into(), |x| format!("{:.3} ± {:.3}", x.mean, x.std)),
                    f(r.fairness.map(|x| x.worst)),
                    f(r.prototype_balanced_accuracy),
                ]
            })
            .collect();
        let header = [
            "round",
            "clients",
            "train loss",
            "balanced acc.",
            "macro F1",
            "worst class recall",
            "clients' bal. acc. mean ± std",
            "worst client",
            "nearest-prototype bal. acc.",
        ];
        let note = self
            .fairness_note
            .as_ref()
            .map_or(String::new(), |n| format!("<p class=\"note\">{}</p>", escape(n)));
        let body = format!(
            "<p class=\"note\">{} clients ({} to {} training rows), {} test rows, {} classes. {}{}</p>{note}\
             <div class=\"grid\">{charts}</div><h2>The split</h2>{}<h2>Rounds</h2>{}",
            self.client_rows.len(),
            self.client_rows.iter().min().unwrap_or(&0),
            self.client_rows.iter().max().unwrap_or(&0),
            self.test_rows,
            self.classes.len(),
            escape(settings),
            centralised.map_or(String::new(), |b| format!(
                " Centralised training on all training rows: balanced accuracy {b:.3}."
            )),
            split.svg(),
            table(&header, &rows),
        );
        page("imbalanced federate", &body)
    }
}
