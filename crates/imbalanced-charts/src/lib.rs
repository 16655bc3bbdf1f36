//! Charts, one stack for the whole toolkit: a [`Scene`] of rectangles,
//! lines and text that renders to SVG (inline in HTML reports, or a file)
//! and to PNG; round [`Axis`] bounds that zoom to the data; and the chart
//! kinds the toolkit draws: horizontal [`bars`] with error bars,
//! [`curves`] and [`lines`] with a legend, and count [`heatmap`]s; and the
//! [`html`] page every report is. Domain charts (the class distribution of
//! `inspect --plot`, the critical-difference diagram of `bench`) are built
//! from these in the crates that own their data.

#![forbid(unsafe_code)]

mod axis;
mod charts;
pub mod html;
mod raster;
mod scene;

pub use axis::Axis;
pub use charts::{bars, curves, heatmap, lines, Bar, Series};
pub use scene::{escape, Anchor, Rgb, Scene, Text};

/// Ten distinguishable colours (matplotlib's `tab10`), by series index.
pub fn palette(i: usize) -> Rgb {
    const TAB10: [Rgb; 10] = [
        [0x1f, 0x77, 0xb4],
        [0xd6, 0x27, 0x28],
        [0x2c, 0xa0, 0x2c],
        [0xff, 0x7f, 0x0e],
        [0x94, 0x67, 0xbd],
        [0x8c, 0x56, 0x4b],
        [0xe3, 0x77, 0xc2],
        [0x7f, 0x7f, 0x7f],
        [0xbc, 0xbd, 0x22],
        [0x17, 0xbe, 0xcf],
    ];
    TAB10[i % TAB10.len()]
}

/// Near-black, for text and axes.
pub const INK: Rgb = [0x21, 0x21, 0x21];
/// Light grey, for grid lines.
pub const GRID: Rgb = [0xe0, 0xe0, 0xe0];
/// Mid grey, for notes and frames.
pub const MUTED: Rgb = [0x75, 0x75, 0x75];

/// An image file format, chosen by a file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Svg,
    Png,
}

impl ImageFormat {
    /// The format named by `path`'s extension (`.svg` or `.png`, any case).
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?;
        if ext.eq_ignore_ascii_case("svg") {
            Some(Self::Svg)
        } else if ext.eq_ignore_ascii_case("png") {
            Some(Self::Png)
        } else {
            None
        }
    }
}
