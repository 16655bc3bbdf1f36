//! What a resampling did, as `imbalanced resample --json` reports it.

use imbalanced_catalog::Value;
use imbalanced_data::Dataset;
use imbalanced_random::RngKind;
use serde::Serialize;

/// One class's rows before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassChange {
    pub label: String,
    pub before: usize,
    pub after: usize,
}

impl ClassChange {
    /// Each class of `before` with its rows there and in `after` (the same
    /// classes, as a sampler's output has).
    pub fn between(before: &Dataset, after: &Dataset) -> Vec<ClassChange> {
        let (b, a) = (before.class_counts(), after.class_counts());
        before
            .classes()
            .iter()
            .enumerate()
            .map(|(c, label)| ClassChange {
                label: label.clone(),
                before: b[c],
                after: a.get(c).copied().unwrap_or(0),
            })
            .collect()
    }
}

/// A resampling run: the sampler with its parameters, the files, the rows
/// and seconds of `fit_resample`, each class's change.
#[derive(Debug, Clone, Serialize)]
pub struct ResampleSummary {
    pub method: &'static str,
    pub params: Vec<(String, Value)>,
    pub seed: u64,
    pub rng: RngKind,
    pub input: String,
    pub output: String,
    pub rows_before: usize,
    pub rows_after: usize,
    pub seconds: f64,
    pub classes: Vec<ClassChange>,
}

impl ResampleSummary {
    /// Each class's rows before and after, then the total, as a table
    /// (header, rows): what `imbalanced resample` prints.
    pub fn table(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let header = ["class", "before", "after", "change"].map(String::from).to_vec();
        let row = |label: &str, before: usize, after: usize| {
            vec![
                label.to_string(),
                before.to_string(),
                after.to_string(),
                format!("{:+}", after as i64 - before as i64),
            ]
        };
        let mut rows: Vec<Vec<String>> = self.classes.iter().map(|c| row(&c.label, c.before, c.after)).collect();
        rows.push(row("total", self.rows_before, self.rows_after));
        (header, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_a_row_per_class_then_the_total_with_signed_changes() {
        let summary = ResampleSummary {
            method: "RandomUnderSampler",
            params: Vec::new(),
            seed: 0,
            rng: RngKind::Default,
            input: "in.csv".into(),
            output: "out.csv".into(),
            rows_before: 12,
            rows_after: 6,
            seconds: 0.0,
            classes: vec![
                ClassChange {
                    label: "a".into(),
                    before: 9,
                    after: 3,
                },
                ClassChange {
                    label: "b".into(),
                    before: 3,
                    after: 3,
                },
            ],
        };
        let (header, rows) = summary.table();
        assert_eq!(header, ["class", "before", "after", "change"]);
        assert_eq!(
            rows,
            [["a", "9", "3", "-6"], ["b", "3", "3", "+0"], ["total", "12", "6", "-6"]]
        );
    }
}
