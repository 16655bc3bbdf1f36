//! The chart kinds the toolkit draws.

use crate::axis::Axis;
use crate::scene::{Anchor, Rgb, Scene};
use crate::{palette, GRID, INK, MUTED};

/// One row of a [`bars`] chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// The value as printed beside the bar (`"0.912"`, `"70"`).
    pub text: String,
    /// Half the length of the error bar (a standard deviation), if any.
    pub err: Option<f64>,
    pub color: Rgb,
}

/// Horizontal bars, one row each, on `axis`. Where the axis holds zero the
/// bars start there; on an axis zoomed away from zero (see
/// [`Axis::zoomed`]) a bar's length would mislead, so each row is a dot at
/// its value instead, with a faint guide from the axis start. Error bars
/// span `value ± err`; `note` (drawn under the axis) should say what they
/// are ("error bars: ± 1 std over 5 folds"). A value that is not finite is
/// drawn as "n/a".
pub fn bars(title: &str, rows: &[Bar], axis: Axis, note: Option<&str>) -> Scene {
    let longest = rows
        .iter()
        .map(|r| Scene::text_width(&r.label, 11.0))
        .fold(0.0, f64::max);
    let (row_h, top) = (18.0, 28.0);
    let left = 12.0 + longest;
    let (plot_w, value_w) = (
        220.0,
        8.0 + rows
            .iter()
            .map(|r| Scene::text_width(&r.text, 11.0))
            .fold(0.0, f64::max),
    );
    let right = left + plot_w;
    let bottom = top + row_h * rows.len() as f64;
    let height = bottom + 22.0 + if note.is_some() { 16.0 } else { 0.0 };
    let width = (right + value_w).max(Scene::text_width(title, 12.0) + 16.0);
    let mut s = Scene::new(width.ceil(), height.ceil());
    s.text(width / 2.0, 16.0, title)
        .size(12.0)
        .bold()
        .anchor(Anchor::Middle);
    let x = |v: f64| axis.place(v, left, right);
    for t in axis.ticks() {
        s.line([x(t), top - 2.0], [x(t), bottom], GRID, 1.0);
        s.text(x(t), bottom + 13.0, axis.label(t))
            .anchor(Anchor::Middle)
            .color(MUTED);
    }
    let from_zero = axis.lo <= 0.0 && axis.hi >= 0.0;
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let mid = y + (row_h - 4.0) / 2.0;
        s.text(left - 4.0, y + 12.0, r.label.as_str()).anchor(Anchor::End);
        if !r.value.is_finite() {
            s.text(left + 4.0, y + 12.0, "n/a").color(MUTED);
            continue;
        }
        let v = x(r.value);
        if from_zero {
            let z = x(0.0);
            s.rect(z.min(v), y, (v - z).abs(), row_h - 4.0, r.color);
        } else {
            s.line([left, mid], [v, mid], GRID, 1.0);
            s.rect(v - 3.5, mid - 3.5, 7.0, 7.0, r.color);
        }
        let mut end = v;
        if let Some(e) = r.err.filter(|e| e.is_finite() && *e > 0.0) {
            let (a, b) = (x(r.value - e), x(r.value + e));
            s.line([a, mid], [b, mid], INK, 1.0);
            s.line([a, mid - 3.0], [a, mid + 3.0], INK, 1.0);
            s.line([b, mid - 3.0], [b, mid + 3.0], INK, 1.0);
            end = end.max(b);
        }
        s.text(end + 4.0, y + 12.0, r.text.as_str());
    }
    s.line([left, bottom], [right, bottom], INK, 1.0);
    if let Some(note) = note {
        s.text(left, bottom + 30.0, note).color(MUTED);
    }
    s
}

/// One line of a [`curves`] chart; its legend entry is `name`.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
}

/// Lines on `[0, 1] x [0, 1]` with a grid every 0.25 and a legend below,
/// a line each in [`palette`] order (for ROC and precision-recall curves:
/// put the area in the name, "SMOTE (AUC 0.912)"). `reference` is drawn
/// first as a thin grey line in data coordinates: chance (the diagonal of
/// a ROC chart, or a PR chart's prevalence).
pub fn curves(title: &str, xlabel: &str, ylabel: &str, series: &[Series], reference: Option<[[f64; 2]; 2]>) -> Scene {
    let unit = Axis {
        lo: 0.0,
        hi: 1.0,
        step: 0.25,
    };
    lines(title, (xlabel, unit), (ylabel, unit), series, reference)
}

/// Lines on the axes `x` and `y` (each with its label), a grid at their
/// ticks and a legend below, a line each in [`palette`] order (learning
/// curves, scores per round); `reference` as in [`curves`]. A series of one
/// point is drawn as a dot.
pub fn lines(
    title: &str,
    (xlabel, x): (&str, Axis),
    (ylabel, y): (&str, Axis),
    series: &[Series],
    reference: Option<[[f64; 2]; 2]>,
) -> Scene {
    let (left, top, side): (f64, f64, f64) = (58.0, 26.0, 260.0);
    let (right, bottom) = (left + side, top + side);
    let legend_w = series
        .iter()
        .map(|l| 16.0 + Scene::text_width(&l.name, 11.0))
        .fold(0.0, f64::max);
    let width = (right + 16.0).max(left + legend_w + 8.0);
    let height = bottom + 40.0 + 14.0 * series.len() as f64;
    let mut s = Scene::new(width.ceil(), height.ceil());
    s.text((left + right) / 2.0, 16.0, title)
        .size(12.0)
        .bold()
        .anchor(Anchor::Middle);
    let px = |v: f64| x.place(v, left, right);
    let py = |v: f64| y.place(v, bottom, top);
    for t in x.ticks() {
        s.line([px(t), top], [px(t), bottom], GRID, 1.0);
        s.text(px(t), bottom + 13.0, x.label(t))
            .anchor(Anchor::Middle)
            .color(MUTED);
    }
    for t in y.ticks() {
        s.line([left, py(t)], [right, py(t)], GRID, 1.0);
        s.text(left - 4.0, py(t) + 4.0, y.label(t))
            .anchor(Anchor::End)
            .color(MUTED);
    }
    s.frame(left, top, side, side, MUTED);
    s.text((left + right) / 2.0, bottom + 27.0, xlabel)
        .anchor(Anchor::Middle);
    s.text(10.0, (top + bottom) / 2.0, ylabel)
        .anchor(Anchor::Middle)
        .vertical();
    if let Some([a, b]) = reference {
        s.line([px(a[0]), py(a[1])], [px(b[0]), py(b[1])], MUTED, 1.0);
    }
    for (i, l) in series.iter().enumerate() {
        let points: Vec<[f64; 2]> =
            l.xs.iter()
                .zip(&l.ys)
                .filter(|(a, b)| a.is_finite() && b.is_finite())
                .map(|(a, b)| [px(*a), py(*b)])
                .collect();
        if let [p] = points[..] {
            s.rect(p[0] - 2.0, p[1] - 2.0, 4.0, 4.0, palette(i));
        } else {
            s.polyline(points, palette(i), 1.5);
        }
        let y = bottom + 44.0 + 14.0 * i as f64;
        s.line([left, y - 4.0], [left + 12.0, y - 4.0], palette(i), 3.0);
        s.text(left + 16.0, y, l.name.as_str());
    }
    s
}

/// A table of counts as shades: one row per `rows` label, one column per
/// `columns` label, each cell from white (0) to blue (the largest count),
/// its count printed in it (clients x classes of a federated partition).
/// `xlabel` names the columns, under the title.
pub fn heatmap(title: &str, xlabel: &str, rows: &[String], columns: &[String], counts: &[Vec<usize>]) -> Scene {
    const CELL_H: f64 = 18.0;
    let longest = rows.iter().map(|r| Scene::text_width(r, 11.0)).fold(0.0, f64::max);
    let widest_count = counts
        .iter()
        .flatten()
        .map(|c| Scene::text_width(&c.to_string(), 10.0))
        .fold(0.0, f64::max);
    let cell_w = columns
        .iter()
        .map(|c| Scene::text_width(c, 10.0))
        .fold(widest_count, f64::max)
        .max(24.0)
        + 8.0;
    let (left, top) = (12.0 + longest, 52.0);
    let right = left + cell_w * columns.len() as f64;
    let bottom = top + CELL_H * rows.len() as f64;
    let width = (right + 12.0).max(Scene::text_width(title, 12.0) + 16.0);
    let mut s = Scene::new(width.ceil(), (bottom + 12.0).ceil());
    s.text(width / 2.0, 16.0, title)
        .size(12.0)
        .bold()
        .anchor(Anchor::Middle);
    s.text((left + right) / 2.0, 32.0, xlabel)
        .anchor(Anchor::Middle)
        .color(MUTED);
    let max = counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    const BLUE: Rgb = [0x1f, 0x77, 0xb4];
    for (j, c) in columns.iter().enumerate() {
        s.text(left + cell_w * (j as f64 + 0.5), top - 6.0, c.as_str())
            .size(10.0)
            .anchor(Anchor::Middle);
    }
    for (i, (label, row)) in rows.iter().zip(counts).enumerate() {
        let y = top + CELL_H * i as f64;
        s.text(left - 4.0, y + 13.0, label.as_str()).anchor(Anchor::End);
        for (j, &count) in row.iter().enumerate() {
            let t = count as f64 / max;
            let shade = |c: u8| (255.0 - t * (255.0 - f64::from(c))).round() as u8;
            let fill = [shade(BLUE[0]), shade(BLUE[1]), shade(BLUE[2])];
            let x = left + cell_w * j as f64;
            s.rect(x, y, cell_w, CELL_H, fill);
            s.text(x + cell_w / 2.0, y + 13.0, count.to_string())
                .size(10.0)
                .anchor(Anchor::Middle)
                .color(if t > 0.55 { [0xff, 0xff, 0xff] } else { INK });
        }
    }
    s.frame(left, top, right - left, bottom - top, MUTED);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heatmap_shades_every_cell_and_prints_its_count() {
        let rows = vec!["client 0".to_string(), "client 1".to_string()];
        let columns = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let s = heatmap("Partitions", "class", &rows, &columns, &[vec![5, 0, 12], vec![0, 7, 1]]);
        let svg = s.svg();
        for text in ["client 1", "Partitions", ">12<", ">7<"] {
            assert!(svg.contains(text), "{text}");
        }
        // The largest count is the full blue; an empty cell is white.
        assert!(svg.contains("#1f77b4") && svg.contains("#ffffff"));
        assert!(s.png().is_ok());
    }
}
