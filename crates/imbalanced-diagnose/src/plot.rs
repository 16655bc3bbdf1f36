//! Charts as a handful of shapes, drawn to SVG or to PNG.
//!
//! Why not plotters: with its default features it needs system fonts
//! (fontconfig), and without them it needs a bundled TTF; a bar chart is a
//! few rectangles and labels, which an 8x8 bitmap font (`font8x8`) and the
//! `png` encoder draw without either.

use std::io::Write;
use std::path::Path;

use font8x8::UnicodeFonts;
use imbalanced_data::{write_atomic, DataError};

use crate::Profile;

type Rgb = [u8; 3];

const SAFE: Rgb = [0x2e, 0x7d, 0x32];
const BORDERLINE: Rgb = [0xf9, 0xa8, 0x25];
const RARE: Rgb = [0xef, 0x6c, 0x00];
const OUTLIER: Rgb = [0xc6, 0x28, 0x28];
const INK: Rgb = [0x21, 0x21, 0x21];
const GRID: Rgb = [0xe0, 0xe0, 0xe0];
const BAR: Rgb = [0x45, 0x7b, 0x9d];

/// Horizontal alignment of a label.
#[derive(Clone, Copy)]
enum Anchor {
    Start,
    Middle,
    End,
}

enum Shape {
    Rect {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: Rgb,
    },
    /// `size` is a multiple of 8 px (the bitmap font's cell) in PNG output.
    Text {
        x: f64,
        y: f64,
        size: u32,
        anchor: Anchor,
        text: String,
    },
}

struct Scene {
    width: u32,
    height: u32,
    shapes: Vec<Shape>,
}

impl Scene {
    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: Rgb) {
        self.shapes.push(Shape::Rect { x, y, w, h, fill });
    }

    fn text(&mut self, x: f64, y: f64, size: u32, anchor: Anchor, text: impl Into<String>) {
        self.shapes.push(Shape::Text {
            x,
            y,
            size,
            anchor,
            text: text.into(),
        });
    }

    fn svg(&self) -> String {
        let hex = |c: Rgb| format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]);
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
            w = self.width,
            h = self.height
        );
        for shape in &self.shapes {
            match shape {
                Shape::Rect { x, y, w, h, fill } => s.push_str(&format!(
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{}\"/>\n",
                    hex(*fill)
                )),
                Shape::Text {
                    x,
                    y,
                    size,
                    anchor,
                    text,
                } => {
                    let a = match anchor {
                        Anchor::Start => "start",
                        Anchor::Middle => "middle",
                        Anchor::End => "end",
                    };
                    let escaped = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
                    s.push_str(&format!(
                        "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" text-anchor=\"{a}\" fill=\"{}\">{escaped}</text>\n",
                        hex(INK)
                    ));
                }
            }
        }
        s.push_str("</svg>\n");
        s
    }

    fn pixels(&self) -> Vec<u8> {
        let (w, h) = (self.width as usize, self.height as usize);
        let mut px = vec![255u8; w * h * 3];
        let mut put = |x: i64, y: i64, c: Rgb| {
            if x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h {
                let i = (y as usize * w + x as usize) * 3;
                px[i..i + 3].copy_from_slice(&c);
            }
        };
        for shape in &self.shapes {
            match shape {
                Shape::Rect {
                    x,
                    y,
                    w: rw,
                    h: rh,
                    fill,
                } => {
                    for yy in y.round() as i64..(y + rh).round() as i64 {
                        for xx in x.round() as i64..(x + rw).round() as i64 {
                            put(xx, yy, *fill);
                        }
                    }
                }
                Shape::Text {
                    x,
                    y,
                    size,
                    anchor,
                    text,
                } => {
                    let scale = (*size / 8).max(1) as i64;
                    let advance = 8 * scale;
                    let width = advance * text.chars().count() as i64;
                    let left = match anchor {
                        Anchor::Start => x.round() as i64,
                        Anchor::Middle => x.round() as i64 - width / 2,
                        Anchor::End => x.round() as i64 - width,
                    };
                    // SVG's y is the baseline; the glyph cell sits above it.
                    let top = y.round() as i64 - 7 * scale;
                    for (i, ch) in text.chars().enumerate() {
                        let glyph = font8x8::BASIC_FONTS.get(ch).unwrap_or([0; 8]);
                        for (row, bits) in glyph.iter().enumerate() {
                            for col in 0..8 {
                                if bits >> col & 1 == 1 {
                                    for dy in 0..scale {
                                        for dx in 0..scale {
                                            put(
                                                left + i as i64 * advance + col * scale + dx,
                                                top + row as i64 * scale + dy,
                                                INK,
                                            );
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        px
    }

    /// Writes the scene to `path`, as PNG if its extension is `.png`, else SVG.
    fn save(&self, path: &Path) -> Result<(), DataError> {
        let png = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("png"));
        let svg = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
        if !png && !svg {
            return Err(DataError::Invalid(format!(
                "cannot tell the plot format of {}: name it .svg or .png",
                path.display()
            )));
        }
        write_atomic(path, |w| {
            let io = |e: std::io::Error| DataError::Invalid(e.to_string());
            if png {
                let mut enc = png::Encoder::new(w, self.width, self.height);
                enc.set_color(png::ColorType::Rgb);
                enc.set_depth(png::BitDepth::Eight);
                let to_err = |e: png::EncodingError| DataError::Invalid(e.to_string());
                let mut writer = enc.write_header().map_err(to_err)?;
                writer.write_image_data(&self.pixels()).map_err(to_err)?;
                writer.finish().map_err(to_err)
            } else {
                w.write_all(self.svg().as_bytes()).map_err(io)
            }
        })
    }
}

/// A "nice" axis maximum and tick step for values up to `max`.
fn nice_axis(max: f64) -> (f64, f64) {
    let raw = (max / 5.0).max(1.0);
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    ((max / step).ceil() * step, step)
}

/// Two panels: class counts as bars, and each class's difficulty mix
/// (safe / borderline / rare / outlier) as a 100% stacked bar, so that the
/// mix of a tiny minority class is as visible as the majority's.
/// The class distribution of a profile (counts, and each class's shares of
/// safe / borderline / rare / outlier samples) as an SVG or PNG chart.
pub fn class_distribution(p: &Profile, title: &str, out: &Path) -> Result<(), DataError> {
    let (width, height) = (960u32, 520u32);
    let mut s = Scene {
        width,
        height,
        shapes: Vec::new(),
    };
    s.text(40.0, 34.0, 16, Anchor::Start, format!("Class distribution: {title}"));
    s.text(
        40.0,
        58.0,
        8,
        Anchor::Start,
        format!(
            "{} rows, {} classes, imbalance ratio {:.2}",
            p.n_samples,
            p.classes.len(),
            p.imbalance_ratio
        ),
    );

    // Left: counts.
    let (left, right, top, bottom) = (90.0, 470.0, 100.0, height as f64 - 60.0);
    s.text(left, 88.0, 8, Anchor::Start, "samples per class");
    let max = p.classes.iter().map(|c| c.count).max().unwrap_or(1) as f64;
    let (axis_max, step) = nice_axis(max);
    let y_of = |v: f64| bottom - (bottom - top) * v / axis_max;
    let mut tick = 0.0;
    while tick <= axis_max + 1e-9 {
        s.rect(left, y_of(tick), right - left, 1.0, GRID);
        s.text(left - 8.0, y_of(tick) + 4.0, 8, Anchor::End, format!("{tick}"));
        tick += step;
    }
    let slot = (right - left) / p.classes.len() as f64;
    let bar = (slot * 0.7).min(90.0);
    for (i, c) in p.classes.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let y = y_of(c.count as f64);
        s.rect(x, y, bar, bottom - y, BAR);
        s.text(x + bar / 2.0, y - 6.0, 8, Anchor::Middle, c.count.to_string());
        s.text(x + bar / 2.0, bottom + 20.0, 8, Anchor::Middle, c.label.clone());
    }
    s.rect(left, bottom, right - left, 1.5, INK);
    s.text((left + right) / 2.0, bottom + 44.0, 8, Anchor::Middle, "class");

    // Right: difficulty mix.
    let (left, right) = (600.0, width as f64 - 40.0);
    s.text(
        left - 80.0,
        88.0,
        8,
        Anchor::Start,
        format!("difficulty of each class's samples (k={})", p.k),
    );
    let row = ((bottom - top) / p.classes.len() as f64).min(40.0);
    for (i, c) in p.classes.iter().enumerate() {
        let y = top + row * i as f64 + row * 0.15;
        let h = row * 0.7;
        s.text(left - 10.0, y + h / 2.0 + 4.0, 8, Anchor::End, c.label.clone());
        let mut x = left;
        for (share, colour) in [
            (c.safe, SAFE),
            (c.borderline, BORDERLINE),
            (c.rare, RARE),
            (c.outlier, OUTLIER),
        ] {
            let w = (right - left) * share;
            s.rect(x, y, w, h, colour);
            x += w;
        }
    }
    let legend = [
        ("safe", SAFE),
        ("borderline", BORDERLINE),
        ("rare", RARE),
        ("outlier", OUTLIER),
    ];
    let mut lx = left - 80.0;
    let ly = top + row * p.classes.len() as f64 + 20.0;
    for (name, colour) in legend {
        s.rect(lx, ly, 12.0, 12.0, colour);
        s.text(lx + 18.0, ly + 11.0, 8, Anchor::Start, name);
        lx += 105.0;
    }
    s.save(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_is_round_and_covers_the_maximum() {
        assert_eq!(nice_axis(1449.0), (1500.0, 500.0));
        assert_eq!(nice_axis(7.0), (8.0, 2.0));
        let (m, s) = nice_axis(123.0);
        assert!(m >= 123.0 && s > 0.0);
    }
}
