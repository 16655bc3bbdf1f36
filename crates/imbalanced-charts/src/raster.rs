//! The PNG form of a scene.
//!
//! Why not plotters (or resvg): with their default features they need
//! system fonts (fontconfig), and without them a bundled TTF. The toolkit's
//! charts are rectangles, lines and short labels, which an 8x8 bitmap font
//! (`font8x8`), a square pen and the `png` encoder draw without either.

use font8x8::UnicodeFonts;

use crate::scene::{Anchor, Rgb, Scene, Shape, Text};

struct Canvas {
    width: usize,
    height: usize,
    px: Vec<u8>,
}

impl Canvas {
    fn put(&mut self, x: i64, y: i64, c: Rgb) {
        if x >= 0 && y >= 0 && (x as usize) < self.width && (y as usize) < self.height {
            let i = (y as usize * self.width + x as usize) * 3;
            self.px[i..i + 3].copy_from_slice(&c);
        }
    }

    fn fill(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, c: Rgb) {
        for y in y0.round() as i64..y1.round() as i64 {
            for x in x0.round() as i64..x1.round() as i64 {
                self.put(x, y, c);
            }
        }
    }

    /// A segment drawn with a square pen `width` pixels wide.
    fn segment(&mut self, a: [f64; 2], b: [f64; 2], c: Rgb, width: f64) {
        let steps = (b[0] - a[0]).abs().max((b[1] - a[1]).abs()).ceil().max(1.0) as usize;
        let half = (width.max(1.0) / 2.0).floor();
        for i in 0..=steps {
            let t = i as f64 / steps as f64;
            let (x, y) = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]));
            self.fill(
                x - half,
                y - half,
                x - half + width.max(1.0),
                y - half + width.max(1.0),
                c,
            );
        }
    }

    fn text(&mut self, t: &Text) {
        let (text, scale) = fit_label(t, self.width, self.height);
        let cell = 8 * scale;
        let len = cell * text.chars().count() as i64;
        let along = match t.anchor {
            Anchor::Start => 0,
            Anchor::Middle => -len / 2,
            Anchor::End => -len,
        };
        // The glyph cell sits on the baseline (row 7 of 8 is the descender line).
        let (x0, y0) = (t.x.round() as i64, t.y.round() as i64);
        for (i, ch) in text.chars().enumerate() {
            let glyph = font8x8::BASIC_FONTS.get(ch).unwrap_or([0; 8]);
            for (row, bits) in glyph.iter().enumerate() {
                for col in 0..8i64 {
                    if bits >> col & 1 == 0 {
                        continue;
                    }
                    for dy in 0..scale {
                        for dx in 0..scale {
                            let u = along + i as i64 * cell + col * scale + dx;
                            let v = row as i64 * scale + dy - 7 * scale;
                            let (x, y) = if t.vertical { (x0 + v, y0 - u) } else { (x0 + u, y0 + v) };
                            self.put(x, y, t.color);
                            if t.bold {
                                let (bx, by) = if t.vertical { (x, y - 1) } else { (x + 1, y) };
                                self.put(bx, by, t.color);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The text and glyph scale a label is drawn with: the font's 8 px cell
/// times `size / 8`, shrunk (down to one) while the label would run out of
/// the picture, then cut with "..." so that a long title stays readable
/// instead of running off the edge.
pub(crate) fn fit_label(t: &Text, width: usize, height: usize) -> (String, i64) {
    let room = if t.vertical { height } else { width } as f64;
    let pos = if t.vertical { height as f64 - t.y } else { t.x };
    // Pixels available on the label's side(s) of its anchor.
    let avail = match t.anchor {
        Anchor::Start => room - pos,
        Anchor::End => pos,
        Anchor::Middle => 2.0 * pos.min(room - pos),
    }
    .max(0.0);
    let n = t.text.chars().count();
    let mut scale = ((t.size / 8.0).floor() as i64).max(1);
    while scale > 1 && (8 * scale * n as i64) as f64 > avail {
        scale -= 1;
    }
    let fits = (avail / (8 * scale) as f64).floor() as usize;
    if n <= fits {
        return (t.text.clone(), scale);
    }
    let keep = fits.saturating_sub(3);
    (
        t.text.chars().take(keep).chain("...".chars()).take(fits).collect(),
        scale,
    )
}

impl Scene {
    /// The scene's pixels, RGB row by row.
    pub fn pixels(&self) -> Vec<u8> {
        let (width, height) = (
            self.width.round().max(1.0) as usize,
            self.height.round().max(1.0) as usize,
        );
        let mut canvas = Canvas {
            width,
            height,
            px: vec![255u8; width * height * 3],
        };
        for shape in &self.shapes {
            match shape {
                Shape::Rect(r) => {
                    let (x, y, w, h) = (r.x, r.y, r.w, r.h);
                    if let Some(c) = r.fill {
                        canvas.fill(x, y, x + w, y + h, c);
                    }
                    if let Some(c) = r.stroke {
                        let corners = [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]];
                        for pair in corners.windows(2) {
                            canvas.segment(pair[0], pair[1], c, 1.0);
                        }
                    }
                }
                Shape::Line { points, stroke, width } => {
                    for pair in points.windows(2) {
                        canvas.segment(pair[0], pair[1], *stroke, *width);
                    }
                }
                Shape::Text(t) => canvas.text(t),
            }
        }
        canvas.px
    }

    /// The scene as a PNG file's bytes.
    pub fn png(&self) -> Result<Vec<u8>, png::EncodingError> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(
            &mut out,
            self.width.round().max(1.0) as u32,
            self.height.round().max(1.0) as u32,
        );
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header()?;
        writer.write_image_data(&self.pixels())?;
        writer.finish()?;
        Ok(out)
    }
}
