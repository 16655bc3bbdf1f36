//! The HTML report of `imbalanced stability`: the index against the noise
//! per method, the index per class (bars with their bootstrap intervals)
//! per method at each noise level, and every configuration as a table.

use imbalanced_charts::html::{page, table};
use imbalanced_charts::{bars, escape, lines, palette, Axis, Bar, Series};

use crate::StabilityReport;

/// One configuration: a method, a noise level and its report.
pub type StabilityRun = (String, f64, StabilityReport);

/// The report page of `runs` over the classes `classes`; `settings`
/// describes the run.
pub fn stability_html(runs: &[StabilityRun], classes: &[String], settings: &str) -> String {
    let mut methods: Vec<&str> = Vec::new();
    for (m, _, _) in runs {
        if !methods.contains(&m.as_str()) {
            methods.push(m);
        }
    }
    let noises: Vec<f64> = {
        let mut n: Vec<f64> = runs.iter().map(|r| r.1).collect();
        n.sort_by(f64::total_cmp);
        n.dedup();
        n
    };
    let series: Vec<Series> = methods
        .iter()
        .map(|m| {
            let mine: Vec<&StabilityRun> = runs.iter().filter(|r| r.0 == *m).collect();
            Series {
                name: (*m).to_string(),
                xs: mine.iter().map(|r| r.1).collect(),
                ys: mine.iter().map(|r| r.2.overall.index.mean).collect(),
            }
        })
        .collect();
    let values = runs.iter().map(|r| r.2.overall.index.mean);
    let x = Axis::covering(0.0, noises.last().copied().unwrap_or(1.0));
    let mut charts = lines(
        "Stability index against noise",
        ("noise (of each column's deviation)", x),
        ("index", Axis::zoomed(values, (0.0, 1.0))),
        &series,
        None,
    )
    .svg();
    for &noise in &noises {
        let rows: Vec<Bar> = runs
            .iter()
            .filter(|r| r.1 == noise)
            .flat_map(|(m, _, r)| {
                let i = methods.iter().position(|x| x == m).unwrap_or(0);
                r.per_class.iter().zip(classes).filter_map(move |(s, c)| {
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
        charts += &bars(
            &format!("Index per class at noise {noise}"),
            &rows,
            Axis::zoomed(ends, (0.0, 1.0)),
            Some("error bars: half the 95% bootstrap interval"),
        )
        .svg();
    }
    let header = [
        "method",
        "noise",
        "index",
        "95% interval",
        "uniform index",
        "weighted tau",
        "RBO",
        "top-3",
    ];
    let body_rows: Vec<Vec<String>> = runs
        .iter()
        .map(|(m, n, r)| {
            let o = &r.overall;
            vec![
                m.clone(),
                n.to_string(),
                format!("{:.3}", o.index.mean),
                format!("[{:.3}, {:.3}]", o.index.low, o.index.high),
                format!("{:.3}", o.uniform_index.mean),
                format!("{:.3}", o.weighted_tau),
                format!("{:.3}", o.rank_biased_overlap),
                format!("{:.3}", o.top3),
            ]
        })
        .collect();
    let body = format!(
        "<p class=\"note\">{} The index is 1 - the mean rank-weighted distance between each row's attributions and \
         its noisy copies' (CIES-style, our formulation): 1 = the ranking never moves.</p>\
         <div class=\"grid\">{charts}</div><h2>Every configuration</h2>{}",
        escape(settings),
        table(&header, &body_rows)
    );
    page("imbalanced stability", &body)
}
