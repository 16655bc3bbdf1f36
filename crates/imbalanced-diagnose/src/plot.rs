//! The class-distribution chart of `inspect --plot`, drawn with the
//! toolkit's chart stack (`imbalanced-charts`).

use std::io::Write;
use std::path::Path;

use imbalanced_charts::{bars, Anchor, Axis, Bar, ImageFormat, Scene, MUTED};
use imbalanced_data::{write_atomic, DataError};

use crate::Profile;

const COUNT: [u8; 3] = [0x45, 0x7b, 0x9d];
/// Safe, borderline, rare, outlier (Napierala & Stefanowski's four types).
const DIFFICULTY: [(&str, [u8; 3]); 4] = [
    ("safe", [0x2e, 0x7d, 0x32]),
    ("borderline", [0xf9, 0xa8, 0x25]),
    ("rare", [0xef, 0x6c, 0x00]),
    ("outlier", [0xc6, 0x28, 0x28]),
];

/// The class distribution of a profile: two panels, the class counts as
/// bars, and each class's mix of safe / borderline / rare / outlier
/// samples as a 100% stacked bar (so that a tiny minority's mix is as
/// visible as the majority's).
pub fn class_distribution(p: &Profile, title: &str) -> Scene {
    let rows: Vec<Bar> = p
        .classes
        .iter()
        .map(|c| Bar {
            label: c.label.clone(),
            value: c.count as f64,
            text: c.count.to_string(),
            err: None,
            color: COUNT,
        })
        .collect();
    let max = p.classes.iter().map(|c| c.count).max().unwrap_or(1) as f64;
    let counts = bars("samples per class", &rows, Axis::from_zero(max), None);
    let mix = difficulty_mix(p);
    let top = 64.0;
    let heading = format!("Class distribution: {title}");
    // Wide enough for the heading, within reason: a longer one is cut in PNG.
    let width = (counts.width() + mix.width() + 40.0).max((Scene::text_width(&heading, 16.0) + 32.0).min(1200.0));
    let mut s = Scene::new(width, top + counts.height().max(mix.height()) + 8.0);
    s.text(16.0, 24.0, heading).size(16.0).bold();
    s.text(
        16.0,
        46.0,
        format!(
            "{} rows, {} classes, imbalance ratio {:.2}",
            p.n_samples,
            p.classes.len(),
            p.imbalance_ratio
        ),
    )
    .color(MUTED);
    s.embed(&counts, 8.0, top);
    s.embed(&mix, counts.width() + 32.0, top);
    s
}

/// Each class's difficulty shares as a 100% stacked bar, with a legend.
fn difficulty_mix(p: &Profile) -> Scene {
    let longest = p
        .classes
        .iter()
        .map(|c| Scene::text_width(&c.label, 11.0))
        .fold(0.0, f64::max);
    let (left, top, row_h, plot_w) = (12.0 + longest, 28.0, 18.0, 300.0);
    let bottom = top + row_h * p.classes.len() as f64;
    let mut s = Scene::new(left + plot_w + 16.0, bottom + 34.0);
    s.text(
        (left + plot_w) / 2.0,
        16.0,
        format!("difficulty of each class's samples (k={})", p.k),
    )
    .size(12.0)
    .bold()
    .anchor(Anchor::Middle);
    for (i, c) in p.classes.iter().enumerate() {
        let y = top + row_h * i as f64;
        s.text(left - 4.0, y + 12.0, c.label.as_str()).anchor(Anchor::End);
        let mut x = left;
        for (share, (_, colour)) in [c.safe, c.borderline, c.rare, c.outlier].into_iter().zip(DIFFICULTY) {
            s.rect(x, y, plot_w * share, row_h - 4.0, colour);
            x += plot_w * share;
        }
    }
    let mut x = left;
    for (name, colour) in DIFFICULTY {
        s.rect(x, bottom + 10.0, 12.0, 12.0, colour);
        s.text(x + 16.0, bottom + 20.0, name);
        x += 24.0 + Scene::text_width(name, 11.0);
    }
    s
}

/// Writes the class distribution of `p` to `out`, as PNG or SVG by its
/// extension, whole or not at all.
pub fn save_class_distribution(p: &Profile, title: &str, out: &Path) -> Result<(), DataError> {
    let format = ImageFormat::from_path(out).ok_or_else(|| {
        DataError::Invalid(format!(
            "cannot tell the plot format of {}: name it .svg or .png",
            out.display()
        ))
    })?;
    let scene = class_distribution(p, title);
    let bytes = match format {
        ImageFormat::Svg => scene.svg().into_bytes(),
        ImageFormat::Png => scene.png().map_err(|e| DataError::Invalid(e.to_string()))?,
    };
    write_atomic(out, |w| {
        w.write_all(&bytes).map_err(|e| DataError::Invalid(e.to_string()))
    })
}
