//! Self-contained HTML reports (inline SVG, no scripts, no external files).

use std::fmt::Write;

use imbalanced_scores::{precision_recall_curve, roc_curve};

use crate::bench::Bench;
use crate::evaluate::Evaluation;
use crate::stats::RankTest;

const PALETTE: [&str; 10] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
];
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;white-space:nowrap}\
th:first-child,td:first-child{text-align:left}th{white-space:normal}.best{font-weight:bold;background:#e8f4e8}\
svg{margin:4px}.grid{display:flex;flex-wrap:wrap}h2{margin-top:1.6em}.note{color:#666}";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// A line chart of `(name, xs, ys)` series on [0, 1] x [0, 1].
fn curves_svg(title: &str, xlabel: &str, ylabel: &str, series: &[(String, Vec<f64>, Vec<f64>)]) -> String {
    let (w, plot_h, m) = (360.0, 300.0, 40.0);
    let h = plot_h + 6.0 + 13.0 * series.len() as f64;
    let px = |x: f64| m + x * (w - 1.5 * m);
    let py = |y: f64| plot_h - m - y * (plot_h - 2.0 * m);
    let mut s = format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-size="11">"#);
    let _ = write!(
        s,
        r#"<text x="{}" y="14" text-anchor="middle" font-weight="bold">{}</text>"#,
        w / 2.0,
        esc(title)
    );
    let _ = write!(
        s,
        r##"<rect x="{m}" y="{m}" width="{}" height="{}" fill="none" stroke="#999"/>"##,
        w - 1.5 * m,
        plot_h - 2.0 * m
    );
    for t in [0.0, 0.5, 1.0] {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle">{t}</text>"#,
            px(t),
            plot_h - m + 14.0
        );
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{t}</text>"#,
            m - 4.0,
            py(t) + 4.0
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        px(0.5),
        plot_h - 8.0,
        esc(xlabel)
    );
    let _ = write!(
        s,
        r#"<text x="12" y="{}" text-anchor="middle" transform="rotate(-90 12 {})">{}</text>"#,
        py(0.5),
        py(0.5),
        esc(ylabel)
    );
    for (i, (name, xs, ys)) in series.iter().enumerate() {
        let pts: Vec<String> = xs
            .iter()
            .zip(ys)
            .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y)))
            .collect();
        let _ = write!(
            s,
            r#"<polyline fill="none" stroke="{}" stroke-width="1.5" points="{}"/>"#,
            color(i),
            pts.join(" ")
        );
        let ly = plot_h + 8.0 + 13.0 * i as f64;
        let _ = write!(
            s,
            r#"<rect x="{}" y="{}" width="10" height="3" fill="{}"/>"#,
            m,
            ly - 4.0,
            color(i)
        );
        let _ = write!(s, r#"<text x="{}" y="{ly}">{}</text>"#, m + 14.0, esc(name));
    }
    s + "</svg>"
}

/// Horizontal bars of `(name, mean, std)` with error bars, on [lo, 1].
fn bars_svg(title: &str, rows: &[(String, f64, f64)]) -> String {
    let lo = rows.iter().map(|r| r.1 - r.2).fold(0.0f64, f64::min).max(-1.0);
    let longest = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0) as f64;
    let (bar, left) = (18.0, 12.0 + 6.5 * longest);
    let w = left + 260.0;
    let h = 30.0 + bar * rows.len() as f64 + 20.0;
    let px = |v: f64| left + (v - lo) / (1.0 - lo) * (w - left - 50.0);
    let mut s = format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-size="11">"#);
    let _ = write!(
        s,
        r#"<text x="{}" y="14" text-anchor="middle" font-weight="bold">{}</text>"#,
        w / 2.0,
        esc(title)
    );
    for (i, (name, mean, std)) in rows.iter().enumerate() {
        let y = 24.0 + bar * i as f64;
        let v = if mean.is_finite() { *mean } else { lo };
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            left - 4.0,
            y + 12.0,
            esc(name)
        );
        let _ = write!(
            s,
            r#"<rect x="{}" y="{y}" width="{:.1}" height="{}" fill="{}"/>"#,
            px(lo),
            (px(v) - px(lo)).max(0.0),
            bar - 4.0,
            color(i)
        );
        let (a, b) = (px((v - std).max(lo)), px((v + std).min(1.0)));
        let _ = write!(
            s,
            r##"<line x1="{a:.1}" x2="{b:.1}" y1="{0}" y2="{0}" stroke="#000"/><text x="{1:.1}" y="{2}">{mean:.3}</text>"##,
            y + (bar - 4.0) / 2.0,
            b + 3.0,
            y + 11.0
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}">{lo:.2}</text><text x="{}" y="{}" text-anchor="end">1</text>"#,
        px(lo),
        h - 4.0,
        px(1.0),
        h - 4.0
    );
    s + "</svg>"
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
    let counts: Vec<(String, f64, f64)> = e
        .classes
        .iter()
        .zip(&e.class_counts)
        .map(|(c, &n)| (format!("{c} ({n})"), n as f64 / e.y.len() as f64, 0.0))
        .collect();
    let _ = write!(s, "<h{level}>Results</h{level}>{}", table(e));
    s += "<div class=\"grid\">";
    s += &bars_svg("class shares", &counts);
    for (m, name) in e.metrics.iter().enumerate() {
        let rows: Vec<(String, f64, f64)> = e
            .results
            .iter()
            .map(|r| {
                let (a, b) = r.mean_std(m);
                (r.method.clone(), a, b)
            })
            .collect();
        s += &bars_svg(name, &rows);
    }
    s += "</div>";
    let k = focus_class(e);
    let positive: Vec<bool> = e.y.iter().map(|&c| c == k).collect();
    let (mut roc, mut pr) = (Vec::new(), Vec::new());
    for r in &e.results {
        let scores = r.oof_proba.column(k).to_vec();
        if let (Ok(a), Ok(b)) = (
            roc_curve(&positive, &scores),
            precision_recall_curve(&positive, &scores),
        ) {
            roc.push((r.method.clone(), a.x, a.y));
            pr.push((r.method.clone(), b.x, b.y));
        }
    }
    let label = &e.classes[k];
    let _ = write!(
        s,
        "<h{level}>Curves of class {} (out-of-fold probabilities)</h{level}><div class=\"grid\">{}{}</div>",
        esc(label),
        curves_svg("ROC", "false positive rate", "true positive rate", &roc),
        curves_svg("precision-recall", "recall", "precision", &pr)
    );
    let _ = write!(
        s,
        "<h{level}>Confusion matrices (out-of-fold)</h{level}>{}",
        confusion_html(e)
    );
    s
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{0}</title><style>{STYLE}</style></head>\
         <body><h1>{0}</h1>{body}</body></html>\n",
        esc(title)
    )
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
fn cd_svg(methods: &[String], t: &RankTest) -> String {
    let k = methods.len();
    let (w, left, right) = (720.0, 200.0, 500.0);
    let px = |r: f64| left + (r - 1.0) / (k as f64 - 1.0).max(1.0) * (right - left);
    let h = 90.0 + 16.0 * k as f64;
    let mut s = format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-size="11">"#);
    let _ = write!(s, r##"<line x1="{left}" x2="{right}" y1="30" y2="30" stroke="#000"/>"##);
    for r in 1..=k {
        let x = px(r as f64);
        let _ = write!(
            s,
            r##"<line x1="{x}" x2="{x}" y1="25" y2="30" stroke="#000"/><text x="{x}" y="20" text-anchor="middle">{r}</text>"##
        );
    }
    if t.critical_difference.is_finite() {
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{}" y1="8" y2="8" stroke="#c00" stroke-width="2"/><text x="{}" y="12" fill="#c00">CD = {:.2}</text>"##,
            px(1.0 + t.critical_difference),
            px(1.0 + t.critical_difference) + 4.0,
            t.critical_difference
        );
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| t.average_ranks[a].total_cmp(&t.average_ranks[b]));
    for (i, &m) in order.iter().enumerate() {
        let x = px(t.average_ranks[m]);
        let y = 60.0 + 16.0 * i as f64;
        let (tx, anchor) = if i < k.div_ceil(2) {
            (left - 10.0, "end")
        } else {
            (right + 10.0, "start")
        };
        let _ = write!(
            s,
            r##"<polyline fill="none" stroke="{c}" points="{x:.1},30 {x:.1},{y} {tx},{y}"/><text x="{tx2}" y="{ty}" text-anchor="{anchor}" fill="{c}">{} ({:.2})</text>"##,
            esc(&methods[m]),
            t.average_ranks[m],
            c = color(m),
            tx2 = if anchor == "end" { tx - 2.0 } else { tx + 2.0 },
            ty = y + 4.0
        );
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
            let _ = write!(
                s,
                r##"<line x1="{:.1}" x2="{:.1}" y1="{y}" y2="{y}" stroke="#000" stroke-width="3"/>"##,
                px(t.average_ranks[order[i]]) - 3.0,
                px(t.average_ranks[order[j]]) + 3.0
            );
            bar += 1;
            last_end = j;
        }
    }
    s + "</svg>"
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
            cd_svg(&b.methods, t)
        );
        s += "<table><tr><th>dataset</th>";
        for m in &b.methods {
            let _ = write!(s, "<th>{}</th>", esc(m));
        }
        s += "</tr>";
        for (e, ranks) in b.evaluations.iter().zip(&t.ranks) {
            let _ = write!(s, "<tr><td>{}</td>", esc(&e.dataset));
            for (r, rank) in e.results.iter().zip(ranks) {
                let class = if *rank == 1.0 { " class=\"best\"" } else { "" };
                let _ = write!(s, "<td{class}>{:.4} ({rank})</td>", r.mean_std(rank_by).0);
            }
            s += "</tr>";
        }
        s += "<tr><th>average rank</th>";
        for r in &t.average_ranks {
            let _ = write!(s, "<th>{r:.3}</th>");
        }
        s += "</tr></table>";
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
