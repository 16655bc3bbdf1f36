//! Self-contained HTML reports (inline SVG, no scripts, no external files).

use std::fmt::Write;

use imbalanced_charts::html::page;
use imbalanced_charts::{bars, curves, escape as esc, palette, Anchor, Axis, Bar, Scene, Series, INK};
use imbalanced_scores::{precision_recall_curve, roc_curve};

use crate::bench::Bench;
use crate::evaluate::Evaluation;
use crate::stats::RankTest;

/// The range a metric's values can take: MCC reaches -1, the others 0.
fn metric_limits(metric: &str) -> (f64, f64) {
    if metric == "matthews_corrcoef" {
        (-1.0, 1.0)
    } else {
        (0.0, 1.0)
    }
}

/// One metric's mean ± std per method, on an axis zoomed to the values.
fn metric_chart(e: &Evaluation, m: usize) -> String {
    let rows: Vec<Bar> = e
        .results
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (mean, std) = r.mean_std(m);
            Bar {
                label: r.method.clone(),
                value: mean,
                text: format!("{mean:.3}"),
                err: Some(std),
                color: palette(i),
            }
        })
        .collect();
    let axis = Axis::zoomed(
        rows.iter()
            .flat_map(|b| [b.value - b.err.unwrap_or(0.0), b.value + b.err.unwrap_or(0.0)]),
        metric_limits(e.metrics[m]),
    );
    let splits = e.results.first().map_or(0, |r| r.folds.len());
    let note = format!("mean ± 1 std over {splits} folds");
    bars(e.metrics[m], &rows, axis, Some(&note)).svg()
}

/// The share of each class in the data, as bars from zero.
fn class_share_chart(e: &Evaluation) -> String {
    let n = e.y.len().max(1) as f64;
    let rows: Vec<Bar> = e
        .classes
        .iter()
        .zip(&e.class_counts)
        .map(|(c, &count)| Bar {
            label: format!("{c} ({count})"),
            value: count as f64 / n,
            text: format!("{:.1}%", 100.0 * count as f64 / n),
            err: None,
            color: palette(0),
        })
        .collect();
    let max = rows.iter().map(|b| b.value).fold(0.0, f64::max);
    bars("class shares", &rows, Axis::from_zero(max), None).svg()
}

fn table(evaluation: &Evaluation) -> String {
    let mut s = String::from("<table><tr><th>method</th>");
    for m in &evaluation.metrics {
        let _ = write!(s, "<th>{}</th>", esc(m));
    }
    s += "<th>seconds</th></tr>";
    let winners: Vec<usize> = (0..evaluation.metrics.len()).map(|m| evaluation.winner(m)).collect();
    for (i, r) in evaluation.results.iter().enumerate() {
        let _ = write!(s, "<tr><td>{}</td>", esc(&r.method));
        for (m, &w) in winners.iter().enumerate() {
            let (mean, std) = r.mean_std(m);
            let class = if w == i { " class=\"best\"" } else { "" };
            let _ = write!(s, "<td{class}>{mean:.4} ± {std:.4}</td>");
        }
        let _ = write!(s, "<td>{:.2}</td></tr>", r.seconds);
    }
    s + "</table>"
}

fn confusion_html(evaluation: &Evaluation) -> String {
    let mut s = String::from("<div class=\"grid\">");
    for r in &evaluation.results {
        let max = r.confusion.iter().copied().max().unwrap_or(1).max(1) as f64;
        let _ = write!(s, "<table><tr><th>{} (true \\ pred)</th>", esc(&r.method));
        for c in &evaluation.classes {
            let _ = write!(s, "<th>{}</th>", esc(c));
        }
        s += "</tr>";
        for (i, c) in evaluation.classes.iter().enumerate() {
            let _ = write!(s, "<tr><th>{}</th>", esc(c));
            for j in 0..evaluation.classes.len() {
                let v = r.confusion[(i, j)];
                let a = 0.85 * v as f64 / max;
                let _ = write!(s, "<td style=\"background:rgba(31,119,180,{a:.2})\">{v}</td>");
            }
            s += "</tr>";
        }
        s += "</table>";
    }
    s + "</div>"
}

/// The class whose curves are drawn: class 1 for binary problems, the
/// smallest class otherwise (one-vs-rest).
fn focus_class(e: &Evaluation) -> usize {
    if e.classes.len() == 2 {
        return 1;
    }
    (0..e.class_counts.len())
        .min_by_key(|&k| e.class_counts[k])
        .unwrap_or(0)
}

fn evaluation_body(e: &Evaluation, level: u8) -> String {
    let mut s = String::new();
    let _ = write!(s, "<h{level}>Results</h{level}>{}", table(e));
    for f in &e.failed {
        let _ = write!(s, "<p class=\"note\">{} failed: {}</p>", esc(&f.method), esc(&f.reason));
    }
    for note in &e.notes {
        let _ = write!(s, "<p class=\"note\">Note: {}.</p>", esc(note));
    }
    s += "<div class=\"grid\">";
    s += &class_share_chart(e);
    for m in 0..e.metrics.len() {
        s += &metric_chart(e, m);
    }
    s += "</div>";
    let k = focus_class(e);
    let positive: Vec<bool> = e.y.iter().map(|&c| c == k).collect();
    let prevalence = positive.iter().filter(|&&p| p).count() as f64 / positive.len().max(1) as f64;
    let (mut roc, mut pr) = (Vec::new(), Vec::new());
    for r in &e.results {
        let scores = r.oof_proba.column(k).to_vec();
        if let (Ok(a), Ok(b)) = (
            roc_curve(&positive, &scores),
            precision_recall_curve(&positive, &scores),
        ) {
            roc.push(Series {
                name: format!("{} (AUC {:.3})", r.method, a.auc()),
                xs: a.x,
                ys: a.y,
            });
            pr.push(Series {
                name: format!("{} (AP {:.3})", r.method, b.average_precision()),
                xs: b.x,
                ys: b.y,
            });
        }
    }
    let label = &e.classes[k];
    let _ = write!(
        s,
        "<h{level}>Curves of class {} (out-of-fold probabilities)</h{level}><div class=\"grid\">{}{}</div>\
         <p class=\"note\">Grey: chance (the diagonal; a precision equal to the class's share, {prevalence:.3}). \
         The areas in the legends are those of the pooled out-of-fold curves drawn here; the table's are means over folds.</p>",
        esc(label),
        curves(
            "ROC",
            "false positive rate",
            "true positive rate",
            &roc,
            Some([[0.0, 0.0], [1.0, 1.0]])
        )
        .svg(),
        curves(
            "precision-recall",
            "recall",
            "precision",
            &pr,
            Some([[0.0, prevalence], [1.0, prevalence]])
        )
        .svg()
    );
    let _ = write!(
        s,
        "<h{level}>Confusion matrices (out-of-fold)</h{level}>{}",
        confusion_html(e)
    );
    s
}

/// The report of one [`Evaluation`]; `settings` describes the run.
pub fn evaluation_html(e: &Evaluation, settings: &str) -> String {
    let body = format!(
        "<p class=\"note\">{} rows, {} classes. {}</p>{}",
        e.y.len(),
        e.classes.len(),
        esc(settings),
        evaluation_body(e, 2)
    );
    page(&format!("imbalanced evaluate: {}", e.dataset), &body)
}

/// The critical-difference diagram (Demšar 2006, fig. 1): methods on the
/// average-rank axis; methods joined by a bar do not differ significantly.
fn cd_diagram(methods: &[String], t: &RankTest) -> Scene {
    let k = methods.len();
    let (left, right) = (200.0, 500.0);
    let px = |r: f64| left + (r - 1.0) / (k as f64 - 1.0).max(1.0) * (right - left);
    let mut s = Scene::new(720.0, 90.0 + 16.0 * k as f64);
    s.line([left, 30.0], [right, 30.0], INK, 1.0);
    for r in 1..=k {
        let x = px(r as f64);
        s.line([x, 25.0], [x, 30.0], INK, 1.0);
        s.text(x, 20.0, r.to_string()).anchor(Anchor::Middle);
    }
    let red = [0xcc, 0x00, 0x00];
    if t.critical_difference.is_finite() {
        let end = px(1.0 + t.critical_difference);
        s.line([left, 8.0], [end, 8.0], red, 2.0);
        s.text(end + 4.0, 12.0, format!("CD = {:.2}", t.critical_difference))
            .color(red);
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| t.average_ranks[a].total_cmp(&t.average_ranks[b]));
    for (i, &m) in order.iter().enumerate() {
        let x = px(t.average_ranks[m]);
        let y = 60.0 + 16.0 * i as f64;
        let (tx, anchor, gap) = if i < k.div_ceil(2) {
            (left - 10.0, Anchor::End, -2.0)
        } else {
            (right + 10.0, Anchor::Start, 2.0)
        };
        s.polyline(vec![[x, 30.0], [x, y], [tx, y]], palette(m), 1.0);
        s.text(tx + gap, y + 4.0, format!("{} ({:.2})", methods[m], t.average_ranks[m]))
            .anchor(anchor)
            .color(palette(m));
    }
    // Cliques: maximal runs of rank-ordered methods within one CD.
    let mut bar = 0;
    let mut last_end = 0;
    for i in 0..k {
        let mut j = i;
        while j + 1 < k && t.average_ranks[order[j + 1]] - t.average_ranks[order[i]] <= t.critical_difference {
            j += 1;
        }
        if j > i && j > last_end {
            let y = 38.0 + 5.0 * bar as f64;
            s.line(
                [px(t.average_ranks[order[i]]) - 3.0, y],
                [px(t.average_ranks[order[j]]) + 3.0, y],
                INK,
                3.0,
            );
            bar += 1;
            last_end = j;
        }
    }
    s
}

/// The report of a [`Bench`]: ranks, the Friedman test and the
/// critical-difference diagram for `rank_by` (an index into `bench.metrics`),
/// then every dataset's results.
pub fn bench_html(b: &Bench, rank_by: usize, settings: &str) -> String {
    let mut s = format!(
        "<p class=\"note\">{} datasets, {} methods. {}</p>",
        b.evaluations.len(),
        b.methods.len(),
        esc(settings)
    );
    let metric = b.metrics[rank_by];
    if let Some(t) = &b.tests[rank_by] {
        let _ = write!(
            s,
            "<h2>Ranks by {metric}</h2><p>Friedman χ² = {:.3} (p = {:.2e}); Iman-Davenport F = {:.3} (p = {:.2e}); \
             Nemenyi critical difference (α = 0.05) = {:.3}.</p>{}",
            t.chi_square,
            t.chi_square_p,
            t.f_statistic,
            t.f_p,
            t.critical_difference,
            cd_diagram(&b.methods, t).svg()
        );
        s += "<table><tr><th>dataset</th>";
        for m in &b.methods {
            let _ = write!(s, "<th>{}</th>", esc(m));
        }
        s += "</tr>";
        for (e, ranks) in b.evaluations.iter().zip(&t.ranks) {
            let _ = write!(s, "<tr><td>{}</td>", esc(&e.dataset));
            for (score, rank) in e.scores(b.methods.len(), rank_by).into_iter().zip(ranks) {
                let class = if *rank == 1.0 { " class=\"best\"" } else { "" };
                let value = if score.is_nan() {
                    "failed".to_string()
                } else {
                    format!("{score:.4}")
                };
                let _ = write!(s, "<td{class}>{value} ({rank})</td>");
            }
            s += "</tr>";
        }
        s += "<tr><th>average rank</th>";
        for r in &t.average_ranks {
            let _ = write!(s, "<th>{r:.3}</th>");
        }
        s += "</tr></table><p class=\"note\">A method that failed on a dataset ranks last there, tied with any other that failed.</p>";
    } else {
        s += "<p>Ranking needs at least two datasets and two methods.</p>";
    }
    for (name, why) in &b.skipped {
        let _ = write!(s, "<p class=\"note\">Skipped {}: {}</p>", esc(name), esc(why));
    }
    for e in &b.evaluations {
        let _ = write!(s, "<h2>{}</h2>{}", esc(&e.dataset), evaluation_body(e, 3));
    }
    page("imbalanced bench", &s)
}
