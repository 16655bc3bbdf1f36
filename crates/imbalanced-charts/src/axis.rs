//! Value axes with round bounds and ticks.

/// A value axis from `lo` to `hi` with a tick every `step`; `lo` and `hi`
/// are multiples of `step`, and `step` is 1, 2 or 5 times a power of ten.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub step: f64,
}

impl Axis {
    /// The round axis with about five ticks that covers `[lo, hi]`
    /// (a single value gets a unit-wide axis around it).
    pub fn covering(lo: f64, hi: f64) -> Axis {
        let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
            (true, true) if lo <= hi => (lo, hi),
            (true, true) => (hi, lo),
            (true, false) => (lo, lo),
            (false, true) => (hi, hi),
            (false, false) => (0.0, 1.0),
        };
        let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
        let raw = span / 5.0;
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * mag)
            .find(|s| *s >= raw * (1.0 - 1e-9))
            .unwrap_or(10.0 * mag);
        let mut a = Axis {
            lo: (lo / step + 1e-9).floor() * step,
            hi: (hi / step - 1e-9).ceil() * step,
            step,
        };
        if a.hi <= a.lo {
            a.hi = a.lo + step;
        }
        a
    }

    /// An axis for counts and other values that start at zero.
    pub fn from_zero(max: f64) -> Axis {
        Axis::covering(0.0, if max > 0.0 { max } else { 1.0 })
    }

    /// An axis zoomed to `values` (bars' ends and error-bar ends) with a
    /// tenth of their spread as margin, kept within `limits` (a metric's
    /// range: `[0, 1]`, or `[-1, 1]` for MCC). A zoomed axis makes a
    /// difference of 0.01 between two methods visible, where an axis from
    /// zero would draw them the same.
    pub fn zoomed(values: impl IntoIterator<Item = f64>, limits: (f64, f64)) -> Axis {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.into_iter().filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if !lo.is_finite() {
            return Axis::covering(limits.0, limits.1);
        }
        let margin = ((hi - lo) / 10.0).max(0.005);
        let mut a = Axis::covering((lo - margin).max(limits.0), (hi + margin).min(limits.1));
        a.lo = a.lo.max(limits.0);
        a.hi = a.hi.min(limits.1);
        a
    }

    /// The tick values from `lo` to `hi`.
    pub fn ticks(&self) -> Vec<f64> {
        let n = ((self.hi - self.lo) / self.step).round() as usize;
        (0..=n).map(|i| self.clean(self.lo + i as f64 * self.step)).collect()
    }

    /// A tick value as a label: as many decimals as the step needs.
    pub fn label(&self, v: f64) -> String {
        format!("{:.*}", self.decimals(), self.clean(v))
    }

    /// The decimals that write every multiple of `step` exactly (2 for 0.25).
    fn decimals(&self) -> usize {
        (0..12)
            .find(|&d| {
                let scaled = self.step * 10f64.powi(d as i32);
                (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
            })
            .unwrap_or(12)
    }

    /// Where `v` falls between pixel positions `from` (at `lo`) and `to`
    /// (at `hi`); values outside the axis are held at its ends.
    pub fn place(&self, v: f64, from: f64, to: f64) -> f64 {
        let t = ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0);
        from + t * (to - from)
    }

    /// `v` without the float noise of repeated steps (0.30000000000000004).
    fn clean(&self, v: f64) -> f64 {
        let r = (v / self.step).round() * self.step;
        let f = 10f64.powi(self.decimals() as i32 + 1);
        (r * f).round() / f
    }
}
