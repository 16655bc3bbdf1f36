//! The chart stack: axes, both renderers, and the chart kinds.

use imbalanced_charts::{bars, curves, palette, Anchor, Axis, Bar, ImageFormat, Scene, Series};
use proptest::prelude::*;

fn is_round_step(step: f64) -> bool {
    let mag = 10f64.powf(step.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().any(|m| ((step / mag) - m).abs() < 1e-9)
}

proptest! {
    #[test]
    fn covering_axes_are_round_and_cover_the_values(a in -1e6f64..1e6, b in -1e6f64..1e6) {
        let axis = Axis::covering(a, b);
        prop_assert!(axis.lo <= a.min(b) + 1e-9 * a.abs().max(1.0));
        prop_assert!(axis.hi >= a.max(b) - 1e-9 * b.abs().max(1.0));
        prop_assert!(is_round_step(axis.step), "step {}", axis.step);
        let ticks = axis.ticks();
        prop_assert!((2..=12).contains(&ticks.len()), "{} ticks", ticks.len());
        prop_assert!((ticks[0] - axis.lo).abs() <= 1e-9 * axis.step.max(1.0));
    }

    #[test]
    fn zoomed_axes_stay_within_the_limits_and_show_every_value(
        values in prop::collection::vec(-1.0f64..1.0, 1..8),
        mcc in any::<bool>(),
    ) {
        let limits = if mcc { (-1.0, 1.0) } else { (0.0, 1.0) };
        let values: Vec<f64> = values.into_iter().map(|v| v.clamp(limits.0, limits.1)).collect();
        let axis = Axis::zoomed(values.iter().copied(), limits);
        prop_assert!(axis.lo >= limits.0 && axis.hi <= limits.1);
        for v in &values {
            prop_assert!(axis.lo <= *v && *v <= axis.hi, "{v} outside {axis:?}");
        }
    }
}

#[test]
fn a_difference_of_a_hundredth_is_visible_on_a_zoomed_axis() {
    let axis = Axis::zoomed([0.90, 0.91, 0.905], (0.0, 1.0));
    let gap = axis.place(0.91, 0.0, 220.0) - axis.place(0.90, 0.0, 220.0);
    assert!(gap > 20.0, "{gap} px between 0.90 and 0.91 on {axis:?}");
    // The axis from zero draws them 2 px apart.
    let from_zero = Axis::from_zero(0.91);
    assert!(from_zero.place(0.91, 0.0, 220.0) - from_zero.place(0.90, 0.0, 220.0) < 3.0);
}

#[test]
fn axes_have_familiar_bounds_and_labels() {
    assert_eq!(
        Axis::from_zero(1449.0),
        Axis {
            lo: 0.0,
            hi: 1500.0,
            step: 500.0
        }
    );
    assert_eq!(
        Axis::from_zero(7.0),
        Axis {
            lo: 0.0,
            hi: 8.0,
            step: 2.0
        }
    );
    let labels = |a: Axis| a.ticks().iter().map(|t| a.label(*t)).collect::<Vec<_>>();
    assert_eq!(labels(Axis::covering(0.0, 0.3)), ["0.0", "0.1", "0.2", "0.3"]);
    assert_eq!(
        labels(Axis::covering(0.0, 0.2)),
        ["0.00", "0.05", "0.10", "0.15", "0.20"]
    );
    assert_eq!(Axis::covering(0.0, 1.0).label(0.6000000000000001), "0.6");
    let quarters = Axis {
        lo: 0.0,
        hi: 1.0,
        step: 0.25,
    };
    assert_eq!(labels(quarters), ["0.00", "0.25", "0.50", "0.75", "1.00"]);
    assert_eq!(labels(Axis::from_zero(1449.0)), ["0", "500", "1000", "1500"]);
    // A constant and a non-finite input still give a usable axis.
    assert!(Axis::covering(3.0, 3.0).hi > 3.0);
    assert_eq!(
        Axis::covering(f64::NAN, f64::NAN),
        Axis {
            lo: 0.0,
            hi: 1.0,
            step: 0.2
        }
    );
    assert_eq!(Axis::zoomed([f64::NAN], (0.0, 1.0)), Axis::covering(0.0, 1.0));
}

fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    (info.width, info.height, buf[..info.buffer_size()].to_vec())
}

#[test]
fn svg_and_png_draw_the_same_scene() {
    let mut s = Scene::new(120.0, 40.0);
    s.rect(10.0, 10.0, 20.0, 20.0, [255, 0, 0]);
    s.line([40.0, 5.0], [40.0, 35.0], [0, 0, 255], 2.0);
    s.text(60.0, 25.0, "a<b & c").anchor(Anchor::Start);
    let svg = s.svg();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"40\""));
    assert!(svg.contains("fill=\"#ff0000\""), "{svg}");
    assert!(svg.contains(">a&lt;b &amp; c</text>"), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"));

    let (w, h, px) = decode(&s.png().unwrap());
    assert_eq!((w, h), (120, 40));
    let at = |x: usize, y: usize| &px[(y * 120 + x) * 3..(y * 120 + x) * 3 + 3];
    assert_eq!(at(15, 15), [255, 0, 0]);
    assert_eq!(at(40, 20), [0, 0, 255]);
    assert_eq!(at(5, 5), [255, 255, 255]);
    let ink = (60..120)
        .flat_map(|x| (15..26).map(move |y| (x, y)))
        .filter(|&(x, y)| at(x, y) != [255, 255, 255]);
    assert!(ink.count() > 20, "the label left no ink");
}

#[test]
fn a_png_title_too_long_for_the_picture_is_shrunk_and_cut_not_run_off_the_edge() {
    let mut s = Scene::new(200.0, 40.0);
    let title = "Class distribution: /a/very/long/path/to/some/dataset/file.csv";
    s.text(8.0, 24.0, title).size(16.0);
    let (w, _, px) = decode(&s.png().unwrap());
    // Ink reaches near the right edge (the cut title fills the width)
    // but the last column stays clear: no glyph is cut in half there.
    let column_has_ink = |x: usize| (0..40).any(|y| px[(y * w as usize + x) * 3] != 255);
    assert!((150..199).any(column_has_ink));
    assert!(!column_has_ink(199));
    let svg = s.svg();
    assert!(svg.contains(title), "SVG keeps the whole title: {svg}");
}

#[test]
fn embedded_panels_are_moved_by_their_offset() {
    let mut panel = Scene::new(20.0, 20.0);
    panel.rect(0.0, 0.0, 5.0, 5.0, [0, 0, 0]);
    let mut s = Scene::new(100.0, 100.0);
    s.embed(&panel, 50.0, 60.0);
    assert!(s.svg().contains("<rect x=\"50.0\" y=\"60.0\" width=\"5.0\""));
}

fn bar(label: &str, value: f64, err: Option<f64>) -> Bar {
    Bar {
        label: label.into(),
        value,
        text: format!("{value:.3}"),
        err,
        color: palette(0),
    }
}

#[test]
fn bars_start_at_zero_only_on_an_axis_that_holds_zero() {
    let rows = [
        bar("a", 0.9, Some(0.01)),
        bar("b", 0.91, Some(0.02)),
        bar("nan", f64::NAN, None),
    ];
    let from_zero = bars("m", &rows, Axis::from_zero(1.0), Some("error bar: ± 1 std")).svg();
    let zoomed = bars("m", &rows, Axis::zoomed([0.89, 0.93], (0.0, 1.0)), None).svg();
    // From zero: two long bars; zoomed: two 7 px dots.
    assert_eq!(from_zero.matches("height=\"14.0\"").count(), 2, "{from_zero}");
    assert_eq!(zoomed.matches("width=\"7.0\" height=\"7.0\"").count(), 2, "{zoomed}");
    assert!(from_zero.contains("error bar: ± 1 std"));
    assert!(zoomed.contains(">n/a</text>") && zoomed.contains(">0.910</text>"));
}

#[test]
fn curves_have_a_legend_entry_per_series_and_the_reference_line() {
    let series = vec![
        Series {
            name: "SMOTE (AUC 0.912)".into(),
            xs: vec![0.0, 0.2, 1.0],
            ys: vec![0.0, 0.8, 1.0],
        },
        Series {
            name: "none (AUC 0.850)".into(),
            xs: vec![0.0, 1.0],
            ys: vec![0.0, 1.0],
        },
    ];
    let svg = curves(
        "ROC",
        "false positive rate",
        "true positive rate",
        &series,
        Some([[0.0, 0.0], [1.0, 1.0]]),
    )
    .svg();
    assert!(svg.contains(">SMOTE (AUC 0.912)</text>") && svg.contains(">none (AUC 0.850)</text>"));
    // Two curves, two legend swatches, the reference, and the grid lines.
    assert_eq!(svg.matches("<polyline").count(), 2 + 2 + 1 + 2 * 5, "{svg}");
    assert!(svg.contains("rotate(-90"), "the y label reads upwards");
}

#[test]
fn image_formats_come_from_the_extension() {
    use std::path::Path;
    assert_eq!(ImageFormat::from_path(Path::new("a.SVG")), Some(ImageFormat::Svg));
    assert_eq!(
        ImageFormat::from_path(Path::new("dir.png/a.png")),
        Some(ImageFormat::Png)
    );
    assert_eq!(ImageFormat::from_path(Path::new("a.gif")), None);
    assert_eq!(ImageFormat::from_path(Path::new("png")), None);
}
