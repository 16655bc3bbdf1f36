//! The shapes a chart is made of, and their SVG form.

use std::fmt::Write as _;

use crate::INK;

/// A colour as red, green, blue.
pub type Rgb = [u8; 3];

/// Where a label's `x` is: its start, middle or end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Anchor {
    #[default]
    Start,
    Middle,
    End,
}

/// A label. Made by [`Scene::text`]; its style is set by chaining
/// (`scene.text(x, y, "AUC").size(13.0).anchor(Anchor::End)`).
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub(crate) x: f64,
    /// The baseline, as in SVG.
    pub(crate) y: f64,
    pub(crate) text: String,
    pub(crate) size: f64,
    pub(crate) anchor: Anchor,
    pub(crate) color: Rgb,
    pub(crate) bold: bool,
    /// Rotated a quarter turn anticlockwise (a y-axis title).
    pub(crate) vertical: bool,
}

impl Text {
    /// Font size in pixels (default 11).
    pub fn size(&mut self, size: f64) -> &mut Self {
        self.size = size;
        self
    }

    pub fn anchor(&mut self, anchor: Anchor) -> &mut Self {
        self.anchor = anchor;
        self
    }

    pub fn color(&mut self, color: Rgb) -> &mut Self {
        self.color = color;
        self
    }

    pub fn bold(&mut self) -> &mut Self {
        self.bold = true;
        self
    }

    /// Reads bottom to top, as a y-axis title.
    pub fn vertical(&mut self) -> &mut Self {
        self.vertical = true;
        self
    }
}

/// A rectangle, filled, outlined, or both.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rect {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) w: f64,
    pub(crate) h: f64,
    pub(crate) fill: Option<Rgb>,
    pub(crate) stroke: Option<Rgb>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    Rect(Rect),
    Line {
        points: Vec<[f64; 2]>,
        stroke: Rgb,
        width: f64,
    },
    Text(Text),
}

/// A picture of `width x height` pixels, white, with shapes drawn in the
/// order they were added. Coordinates are pixels from the top left.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub(crate) width: f64,
    pub(crate) height: f64,
    pub(crate) shapes: Vec<Shape>,
}

/// The default label size, in pixels.
pub(crate) const TEXT_SIZE: f64 = 11.0;

impl Scene {
    pub fn new(width: f64, height: f64) -> Self {
        Scene {
            width,
            height,
            shapes: Vec::new(),
        }
    }

    pub fn width(&self) -> f64 {
        self.width
    }

    pub fn height(&self) -> f64 {
        self.height
    }

    /// A filled rectangle.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: Rgb) {
        self.shapes.push(Shape::Rect(Rect {
            x,
            y,
            w,
            h,
            fill: Some(fill),
            stroke: None,
        }));
    }

    /// A rectangle's outline, one pixel wide.
    pub fn frame(&mut self, x: f64, y: f64, w: f64, h: f64, stroke: Rgb) {
        self.shapes.push(Shape::Rect(Rect {
            x,
            y,
            w,
            h,
            fill: None,
            stroke: Some(stroke),
        }));
    }

    /// A straight line from `a` to `b`, `width` pixels wide.
    pub fn line(&mut self, a: [f64; 2], b: [f64; 2], stroke: Rgb, width: f64) {
        self.polyline(vec![a, b], stroke, width);
    }

    /// Connected line segments through `points`.
    pub fn polyline(&mut self, points: Vec<[f64; 2]>, stroke: Rgb, width: f64) {
        self.shapes.push(Shape::Line { points, stroke, width });
    }

    /// A label with its baseline at `y`, size 11, anchored at its start.
    pub fn text(&mut self, x: f64, y: f64, text: impl Into<String>) -> &mut Text {
        self.shapes.push(Shape::Text(Text {
            x,
            y,
            text: text.into(),
            size: TEXT_SIZE,
            anchor: Anchor::Start,
            color: INK,
            bold: false,
            vertical: false,
        }));
        match self.shapes.last_mut() {
            Some(Shape::Text(t)) => t,
            _ => unreachable!("a text was just pushed"),
        }
    }

    /// Draws `other` with its top left corner at `(x, y)`, over what is
    /// here (panels of a figure).
    pub fn embed(&mut self, other: &Scene, x: f64, y: f64) {
        for shape in &other.shapes {
            let mut shape = shape.clone();
            match &mut shape {
                Shape::Rect(r) => {
                    r.x += x;
                    r.y += y;
                }
                Shape::Line { points, .. } => points.iter_mut().for_each(|p| {
                    p[0] += x;
                    p[1] += y;
                }),
                Shape::Text(t) => {
                    t.x += x;
                    t.y += y;
                }
            }
            self.shapes.push(shape);
        }
    }

    /// The width a label of `size` is laid out with: the wider of a
    /// sans-serif average (0.6 em a character) and the PNG font's cell
    /// (8 px times `size / 8`, rounded down), so that a layout fits both.
    pub fn text_width(text: &str, size: f64) -> f64 {
        let cell = (0.6 * size).max(8.0 * (size / 8.0).floor().max(1.0));
        cell * text.chars().count() as f64
    }

    /// The scene as a standalone SVG document (also valid inline in HTML).
    pub fn svg(&self) -> String {
        let hex = |c: Rgb| format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]);
        let mut s = String::new();
        let _ = writeln!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"{TEXT_SIZE}\">\
             <rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            w = self.width,
            h = self.height
        );
        for shape in &self.shapes {
            match shape {
                Shape::Rect(r) => {
                    let fill = r.fill.map_or("none".to_string(), hex);
                    let stroke = r.stroke.map(|c| format!(" stroke=\"{}\"", hex(c))).unwrap_or_default();
                    let _ = writeln!(
                        s,
                        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\"{stroke}/>",
                        r.x,
                        r.y,
                        r.w.max(0.0),
                        r.h.max(0.0)
                    );
                }
                Shape::Line { points, stroke, width } => {
                    let pts: Vec<String> = points.iter().map(|[x, y]| format!("{x:.1},{y:.1}")).collect();
                    let _ = writeln!(
                        s,
                        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\"/>",
                        pts.join(" "),
                        hex(*stroke)
                    );
                }
                Shape::Text(t) => {
                    let anchor = match t.anchor {
                        Anchor::Start => "start",
                        Anchor::Middle => "middle",
                        Anchor::End => "end",
                    };
                    let mut attrs = format!("text-anchor=\"{anchor}\"");
                    if t.size != TEXT_SIZE {
                        let _ = write!(attrs, " font-size=\"{}\"", t.size);
                    }
                    if t.color != INK {
                        let _ = write!(attrs, " fill=\"{}\"", hex(t.color));
                    }
                    if t.bold {
                        attrs.push_str(" font-weight=\"bold\"");
                    }
                    if t.vertical {
                        let _ = write!(attrs, " transform=\"rotate(-90 {:.1} {:.1})\"", t.x, t.y);
                    }
                    let _ = writeln!(
                        s,
                        "<text x=\"{:.1}\" y=\"{:.1}\" {attrs}>{}</text>",
                        t.x,
                        t.y,
                        escape(&t.text)
                    );
                }
            }
        }
        s.push_str("</svg>\n");
        s
    }
}

/// Text as XML character data or an attribute value.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
