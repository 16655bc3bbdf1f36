//! What `imbalanced stability` reports: every configuration (method x
//! noise level) of a comparison, as JSON and as an HTML page (the index
//! against the noise per method, the index per class with its bootstrap
//! interval, what the rankings rank, how far they move, and a table).

use imbalanced_charts::html::{page, table};
use imbalanced_charts::{bars, escape, lines, palette, Axis, Bar, Series};

use crate::{StabilityReport, Summary};

/// One configuration: a method, a noise level and its report.
pub type StabilityRun = (String, f64, StabilityReport);

/// The features shown in the attribution summary.
const TOP_FEATURES: usize = 10;

/// A comparison of imbalance methods' explanation stability on one data
/// set: the model's input columns, the classes and every configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct StabilityComparison {
    pub features: Vec<String>,
    pub classes: Vec<String>,
    pub runs: Vec<StabilityRun>,
}

impl Summary {
    /// `{"rows", "index", "index_low", "index_high", "uniform_index",
    /// "uniform_index_low", "uniform_index_high", "weighted_tau",
    /// "rank_biased_overlap", "top3"}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "rows": self.rows,
            "index": self.index.mean, "index_low": self.index.low, "index_high": self.index.high,
            "uniform_index": self.uniform_index.mean,
            "uniform_index_low": self.uniform_index.low,
            "uniform_index_high": self.uniform_index.high,
            "weighted_tau": self.weighted_tau,
            "rank_biased_overlap": self.rank_biased_overlap,
            "top3": self.top3,
        })
    }
}

impl StabilityReport {
    /// `{"overall", "per_class" (null for a class without rows),
    /// "mean_abs" (per feature), "rank_shift" (per place)}`, the summaries
    /// as [`Summary::to_json`].
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "overall": self.overall.to_json(),
            "per_class": self.per_class.iter().map(|s| s.as_ref().map(Summary::to_json)).collect::<Vec<_>>(),
            "mean_abs": self.mean_abs,
            "rank_shift": self.rank_shift,
        })
    }
}

impl StabilityComparison {
    /// The methods in their order of first appearance.
    fn methods(&self) -> Vec<&str> {
        let mut methods: Vec<&str> = Vec::new();
        for (m, _, _) in &self.runs {
            if !methods.contains(&m.as_str()) {
                methods.push(m);
            }
        }
        methods
    }

    /// The noise levels, ascending.
    fn noises(&self) -> Vec<f64> {
        let mut n: Vec<f64> = self.runs.iter().map(|r| r.1).collect();
        n.sort_by(f64::total_cmp);
        n.dedup();
        n
    }

    /// `{"features", "classes", "results": [{"method", "noise", "overall",
    /// "per_class", "mean_abs", "rank_shift"}]}` (see
    /// [`StabilityReport::to_json`]).
    pub fn to_json(&self) -> serde_json::Value {
        let results: Vec<serde_json::Value> = self
            .runs
            .iter()
            .map(|(method, noise, r)| {
                let mut v = r.to_json();
                v["method"] = method.as_str().into();
                v["noise"] = (*noise).into();
                v
            })
            .collect();
        serde_json::json!({"features": self.features, "classes": self.classes, "results": results})
    }

    /// The report page; `settings` describes the run.
    pub fn to_html(&self, settings: &str) -> String {
        let methods = self.methods();
        let noises = self.noises();
        let mut charts = self.index_against_noise(&methods, &noises);
        for &noise in &noises {
            charts += &self.index_per_class(&methods, noise);
        }
        let mut attributions = String::new();
        for (i, m) in methods.iter().enumerate() {
            attributions += &self.attribution_summary(m, i);
        }
        attributions += &self.rank_movement(&methods, noises.last().copied().unwrap_or(0.0));
        let (header, body_rows) = self.table();
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let body = format!(
            "<p class=\"note\">{} The index is 1 - the mean rank-weighted distance between each row's attributions \
             and its noisy copies' (CIES-style, our formulation): 1 = the ranking never moves.</p>\
             <div class=\"grid\">{charts}</div><h2>What the rankings rank, and how they move</h2>\
             <div class=\"grid\">{attributions}</div><h2>Every configuration</h2>{}",
            escape(settings),
            table(&header, &body_rows)
        );
        page("imbalanced stability", &body)
    }

    /// Every configuration as a table's header and rows: the method, the
    /// noise level, the index with its 95% interval, the uniform index,
    /// weighted tau, RBO, top-3, and the index per class with its rows (the
    /// terminal's table and the report's).
    pub fn table(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let mut header: Vec<String> = [
            "method",
            "noise",
            "index [95% CI]",
            "uniform index",
            "weighted tau",
            "RBO",
            "top-3",
        ]
        .map(String::from)
        .to_vec();
        header.extend(self.classes.iter().map(|c| format!("index of {c}")));
        let rows = self
            .runs
            .iter()
            .map(|(method, noise, r)| {
                let o = &r.overall;
                let mut row = vec![
                    method.clone(),
                    noise.to_string(),
                    format!("{:.3} [{:.3}, {:.3}]", o.index.mean, o.index.low, o.index.high),
                    format!("{:.3}", o.uniform_index.mean),
                    format!("{:.3}", o.weighted_tau),
                    format!("{:.3}", o.rank_biased_overlap),
                    format!("{:.3}", o.top3),
                ];
                row.extend(r.per_class.iter().map(|s| {
                    s.as_ref()
                        .map_or("n/a".into(), |s| format!("{:.3} ({} rows)", s.index.mean, s.rows))
                }));
                row
            })
            .collect();
        (header, rows)
    }

    fn index_against_noise(&self, methods: &[&str], noises: &[f64]) -> String {
        let series: Vec<Series> = methods
            .iter()
            .map(|m| {
                let mine: Vec<&StabilityRun> = self.runs.iter().filter(|r| r.0 == *m).collect();
                Series {
                    name: (*m).to_string(),
                    xs: mine.iter().map(|r| r.1).collect(),
                    ys: mine.iter().map(|r| r.2.overall.index.mean).collect(),
                }
            })
            .collect();
        let values = self.runs.iter().map(|r| r.2.overall.index.mean);
        let x = Axis::covering(0.0, noises.last().copied().unwrap_or(1.0));
        lines(
            "Stability index against noise",
            ("noise (of each column's deviation)", x),
            ("index", Axis::zoomed(values, (0.0, 1.0))),
            &series,
            None,
        )
        .svg()
    }

    fn index_per_class(&self, methods: &[&str], noise: f64) -> String {
        let rows: Vec<Bar> = self
            .runs
            .iter()
            .filter(|r| r.1 == noise)
            .flat_map(|(m, _, r)| {
                let i = methods.iter().position(|x| x == m).unwrap_or(0);
                r.per_class.iter().zip(&self.classes).filter_map(move |(s, c)| {
                    s.as_ref().map(|s| Bar {
                        label: format!("{m}: {c} ({} rows)", s.rows),
                        value: s.index.mean,
                        text: format!("{:.3}", s.index.mean),
                        err: Some((s.index.high - s.index.low) / 2.0),
                        color: palette(i),
                    })
                })
            })
            .collect();
        let ends = rows
            .iter()
            .flat_map(|b| [b.value - b.err.unwrap_or(0.0), b.value + b.err.unwrap_or(0.0)]);
        bars(
            &format!("Index per class at noise {noise}"),
            &rows,
            Axis::zoomed(ends, (0.0, 1.0)),
            Some("error bars: half the 95% bootstrap interval"),
        )
        .svg()
    }

    /// The method's largest mean absolute attributions (noise-free, so
    /// the same at every noise level: the first run's).
    fn attribution_summary(&self, method: &str, color: usize) -> String {
        let Some((_, _, report)) = self.runs.iter().find(|r| r.0 == method) else {
            return String::new();
        };
        let mut order: Vec<usize> = (0..report.mean_abs.len()).collect();
        order.sort_by(|&a, &b| report.mean_abs[b].total_cmp(&report.mean_abs[a]).then(a.cmp(&b)));
        let rows: Vec<Bar> = order
            .iter()
            .take(TOP_FEATURES)
            .map(|&j| Bar {
                label: self.features.get(j).cloned().unwrap_or_else(|| format!("column {j}")),
                value: report.mean_abs[j],
                text: format!("{:.3}", report.mean_abs[j]),
                err: None,
                color: palette(color),
            })
            .collect();
        let top = rows.first().map_or(1.0, |b| b.value);
        bars(
            &format!("{method}: mean |attribution|"),
            &rows,
            Axis::from_zero(top),
            Some("each row's attributions for its own class, no noise"),
        )
        .svg()
    }

    /// How far the feature at each place of a row's ranking moves, per
    /// method, at the noise level `noise`.
    fn rank_movement(&self, methods: &[&str], noise: f64) -> String {
        let series: Vec<Series> = methods
            .iter()
            .filter_map(|m| {
                let (_, _, r) = self.runs.iter().find(|r| r.0 == *m && r.1 == noise)?;
                Some(Series {
                    name: (*m).to_string(),
                    xs: (1..=r.rank_shift.len()).map(|p| p as f64).collect(),
                    ys: r.rank_shift.clone(),
                })
            })
            .collect();
        let places = series.first().map_or(1, |s| s.xs.len()) as f64;
        let most = series.iter().flat_map(|s| s.ys.iter().copied()).fold(0.0, f64::max);
        lines(
            &format!("How far each place moves at noise {noise}"),
            (
                "place in the row's ranking (1 = most important)",
                Axis::covering(1.0, places.max(2.0)),
            ),
            ("mean places moved", Axis::from_zero(most.max(1.0))),
            &series,
            None,
        )
        .svg()
    }
}
