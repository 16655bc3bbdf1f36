//! Seedable random numbers for every randomised part of the toolkit.
//!
//! Two bit sources share one set of sampling algorithms, NumPy's legacy
//! `RandomState` ones (masked rejection for integers, 53-bit doubles, the
//! polar method for normals, Fisher-Yates from the end for permutations):
//!
//! * [`RngKind::Numpy`]: MT19937 seeded as `np.random.RandomState(seed)`.
//!   With it every draw equals NumPy's bit for bit, so samplers reproduce
//!   imbalanced-learn's output for the same integer `random_state`.
//! * [`RngKind::Default`]: xoshiro256++ (`rand_xoshiro`), faster and with a
//!   longer-lived, well-tested stream; not NumPy-compatible.
//!
//! Beside them, [`Generator`] is NumPy's newer `np.random.default_rng(seed)`
//! (PCG64 seeded through [`SeedSequence`], with the `Generator`'s own
//! algorithms), bit for bit: the generator flwr-datasets' partitioners use.

#![forbid(unsafe_code)]

mod generator;
mod ziggurat;

pub use generator::{Generator, GeneratorError, Pcg64, SeedSequence};

use rand_core::{Rng as _, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Which bit source a sampler draws from; as a parameter value,
/// `"default"` or `"numpy"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RngKind {
    /// xoshiro256++: fast; the default.
    #[default]
    Default,
    /// MT19937 with NumPy's legacy algorithms: bit-for-bit imbalanced-learn parity.
    Numpy,
}

impl std::str::FromStr for RngKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "default" | "fast" | "xoshiro" => Ok(RngKind::Default),
            "numpy" | "mt19937" | "parity" => Ok(RngKind::Numpy),
            other => Err(format!("unknown generator {other:?}: use numpy or default")),
        }
    }
}

/// MT19937 as NumPy's `RandomState` runs it.
#[derive(Clone)]
pub struct Mt19937 {
    key: [u32; 624],
    pos: usize,
}

impl Mt19937 {
    /// `np.random.RandomState(seed)`: Knuth's initialisation (`init_genrand`).
    pub fn new(seed: u32) -> Self {
        let mut key = [0u32; 624];
        let mut s = seed;
        for (pos, k) in key.iter_mut().enumerate() {
            *k = s;
            s = 1_812_433_253u32
                .wrapping_mul(s ^ (s >> 30))
                .wrapping_add(pos as u32 + 1);
        }
        Mt19937 { key, pos: 624 }
    }

    fn generate(&mut self) {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        for i in 0..624 {
            let y = (self.key[i] & UPPER) | (self.key[(i + 1) % 624] & LOWER);
            let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
            self.key[i] = self.key[(i + 397) % 624] ^ (y >> 1) ^ mag;
        }
        self.pos = 0;
    }

    fn next(&mut self) -> u32 {
        if self.pos == 624 {
            self.generate();
        }
        let mut y = self.key[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }
}

#[derive(Clone)]
enum Source {
    Mt(Box<Mt19937>),
    Xoshiro(Xoshiro256PlusPlus),
}

/// A seeded generator with NumPy's legacy sampling algorithms.
#[derive(Clone)]
pub struct SamplerRng {
    source: Source,
    /// The second normal of the last polar-method pair (NumPy's `gauss` cache).
    gauss: Option<f64>,
}

impl SamplerRng {
    /// A generator of the given kind, seeded with `seed`.
    ///
    /// For [`RngKind::Numpy`] only the low 32 bits are used: NumPy's
    /// `RandomState(seed)` rejects larger seeds, and so do the samplers before
    /// they get here.
    pub fn new(kind: RngKind, seed: u64) -> Self {
        let source = match kind {
            RngKind::Numpy => Source::Mt(Box::new(Mt19937::new(seed as u32))),
            RngKind::Default => Source::Xoshiro(Xoshiro256PlusPlus::seed_from_u64(seed)),
        };
        SamplerRng { source, gauss: None }
    }

    /// 32 random bits.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        match &mut self.source {
            Source::Mt(mt) => mt.next(),
            Source::Xoshiro(x) => x.next_u32(),
        }
    }

    /// 64 random bits (for MT19937: two draws, high word first, as NumPy).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        match &mut self.source {
            Source::Mt(mt) => ((mt.next() as u64) << 32) | mt.next() as u64,
            Source::Xoshiro(x) => x.next_u64(),
        }
    }

    /// Uniform on `[0, 1)` with 53 random bits (`random_sample`).
    #[inline]
    pub fn random(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// Uniform on `[low, high)` (`uniform(low, high)`).
    #[inline]
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.random()
    }

    /// An integer in `[0, high)` (`randint(0, high)`); `high >= 1`.
    pub fn randint(&mut self, high: usize) -> usize {
        debug_assert!(high >= 1);
        let rng = (high - 1) as u64;
        if rng == 0 {
            return 0;
        }
        if rng <= u32::MAX as u64 {
            if rng == u32::MAX as u64 {
                return self.next_u32() as usize;
            }
            let mask = mask_for(rng) as u32;
            loop {
                let v = self.next_u32() & mask;
                if v as u64 <= rng {
                    return v as usize;
                }
            }
        }
        let mask = mask_for(rng);
        loop {
            let v = self.next_u64() & mask;
            if v <= rng {
                return v as usize;
            }
        }
    }

    /// An integer in `[0, max]` (NumPy's `random_interval`, used by `shuffle`).
    fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mask = mask_for(max);
        if max <= u32::MAX as u64 {
            loop {
                let v = (self.next_u32() as u64) & mask;
                if v <= max {
                    return v;
                }
            }
        }
        loop {
            let v = self.next_u64() & mask;
            if v <= max {
                return v;
            }
        }
    }

    /// Shuffles in place as `RandomState.shuffle` does a 1-d array.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.interval(i as u64) as usize;
            v.swap(i, j);
        }
    }

    /// `permutation(n)`: a shuffled `0..n`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        self.shuffle(&mut v);
        v
    }

    /// `choice(n, size, replace)` without weights: indices into `0..n`.
    /// Without replacement `size <= n` is required (callers check). NumPy
    /// shuffles all of `0..n` and keeps the first `size`, which the MT19937
    /// generator reproduces; the default one shuffles only the last `size`
    /// places (Fisher-Yates stopped early: the same distribution for `size`
    /// draws instead of `n`, which matters when a few thousand rows are
    /// kept out of a majority of millions).
    pub fn choice(&mut self, n: usize, size: usize, replace: bool) -> Vec<usize> {
        if replace {
            return (0..size).map(|_| self.randint(n)).collect();
        }
        if let Source::Mt(_) = self.source {
            let mut p = self.permutation(n);
            p.truncate(size);
            return p;
        }
        self.choose((0..n).collect(), size, false)
    }

    /// `choice(len(p), size, p=p)` with weights, as NumPy's legacy
    /// `RandomState` draws it: the running sum of `p` over its last value,
    /// and for each of `size` uniform draws the first entry above it
    /// (`searchsorted(side="right")`). `p` must be non-empty with a positive
    /// sum (callers check).
    pub fn choice_p(&mut self, p: &[f64], size: usize) -> Vec<usize> {
        let mut cdf: Vec<f64> = p
            .iter()
            .scan(0.0, |acc, &v| {
                *acc += v;
                Some(*acc)
            })
            .collect();
        let last = *cdf.last().expect("at least one choice");
        cdf.iter_mut().for_each(|c| *c /= last);
        (0..size)
            .map(|_| {
                let u = self.random();
                cdf.partition_point(|&c| c <= u).min(p.len() - 1)
            })
            .collect()
    }

    /// `n_samples` distinct indices of `0..n_population` as scikit-learn's
    /// `sample_without_replacement(method="auto")` draws them from a
    /// `RandomState`: a permutation's head for a sampled share in (0.01,
    /// 0.99), tracking selection (redrawing repeats) below, reservoir
    /// sampling above. `n_samples <= n_population` is required (callers
    /// check).
    pub fn sample_without_replacement(&mut self, n_population: usize, n_samples: usize) -> Vec<usize> {
        let ratio = if n_population == 0 {
            1.0
        } else {
            n_samples as f64 / n_population as f64
        };
        if ratio > 0.01 && ratio < 0.99 {
            let mut p = self.permutation(n_population);
            p.truncate(n_samples);
            return p;
        }
        if ratio < 0.2 {
            let mut selected = std::collections::HashSet::with_capacity(n_samples);
            return (0..n_samples)
                .map(|_| loop {
                    let j = self.randint(n_population);
                    if selected.insert(j) {
                        break j;
                    }
                })
                .collect();
        }
        let mut out: Vec<usize> = (0..n_samples).collect();
        for i in n_samples..n_population {
            let j = self.randint(i + 1);
            if j < n_samples {
                out[j] = i;
            }
        }
        out
    }

    /// [`SamplerRng::choice`] of `items` itself: `items[i]` for each index
    /// `i` that `choice(items.len(), size, replace)` draws, in that order.
    /// Without replacement the default generator shuffles `items` in place
    /// instead of a `0..n` index vector (less memory to map and read when a
    /// few thousand rows are kept out of a large class).
    pub fn choose<T: Copy>(&mut self, mut items: Vec<T>, size: usize, replace: bool) -> Vec<T> {
        if replace || matches!(self.source, Source::Mt(_)) {
            return self
                .choice(items.len(), size, replace)
                .into_iter()
                .map(|i| items[i])
                .collect();
        }
        let n = items.len();
        for i in (n - size.min(n)..n).rev().filter(|&i| i > 0) {
            let j = self.interval(i as u64) as usize;
            items.swap(i, j);
        }
        items.drain(..n - size.min(n));
        items
    }

    /// A standard normal draw (`randn`, `standard_normal`): the polar method
    /// with NumPy's caching of the pair's second value.
    pub fn standard_normal(&mut self) -> f64 {
        if let Some(g) = self.gauss.take() {
            return g;
        }
        loop {
            let x1 = 2.0 * self.random() - 1.0;
            let x2 = 2.0 * self.random() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.gauss = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// A standard gamma draw for `shape >= 1` (NumPy's legacy
    /// Marsaglia-Tsang `legacy_standard_gamma`).
    fn standard_gamma_ge1(&mut self, shape: f64) -> f64 {
        marsaglia_tsang(self, shape)
    }

    /// A Beta(a, b) draw for `a > 1` or `b > 1`, as `RandomState.beta`:
    /// `Ga / (Ga + Gb)` with two gamma draws. (NumPy's Johnk branch for
    /// `a, b <= 1` is not needed by any sampler.)
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        debug_assert!(a >= 1.0 && b >= 1.0);
        let ga = self.standard_gamma_ge1(a);
        let gb = self.standard_gamma_ge1(b);
        ga / (ga + gb)
    }
}

/// Smallest all-ones bit mask `>= v`.
fn mask_for(v: u64) -> u64 {
    let mut m = v;
    m |= m >> 1;
    m |= m >> 2;
    m |= m >> 4;
    m |= m >> 8;
    m |= m >> 16;
    m |= m >> 32;
    m
}

/// The draws Marsaglia and Tsang's gamma method reads.
pub(crate) trait NormalUniform {
    fn normal(&mut self) -> f64;
    fn uniform(&mut self) -> f64;
}

impl NormalUniform for SamplerRng {
    fn normal(&mut self) -> f64 {
        self.standard_normal()
    }
    fn uniform(&mut self) -> f64 {
        self.random()
    }
}

/// A standard gamma draw for `shape >= 1` by Marsaglia and Tsang's method,
/// as NumPy runs it for both `RandomState` and `Generator` (each with its
/// own normals and uniforms).
pub(crate) fn marsaglia_tsang(rng: &mut impl NormalUniform, shape: f64) -> f64 {
    let b = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * b).sqrt();
    loop {
        let (mut x, mut v);
        loop {
            x = rng.normal();
            v = 1.0 + c * x;
            if v > 0.0 {
                break;
            }
        }
        v = v * v * v;
        let u = rng.uniform();
        if u < 1.0 - 0.0331 * (x * x) * (x * x) {
            return b * v;
        }
        if u.ln() < 0.5 * x * x + b * (1.0 - v + v.ln()) {
            return b * v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn np(seed: u64) -> SamplerRng {
        SamplerRng::new(RngKind::Numpy, seed)
    }

    // Printed by NumPy 2.4.6: np.random.RandomState(seed).choice(len(p), size, p=p).
    #[test]
    fn weighted_choice_equals_numpys_legacy_choice() {
        assert_eq!(np(7).choice_p(&[0.25; 4], 6), vec![0, 3, 1, 2, 3, 2]);
        assert_eq!(np(1).choice_p(&[0.5, 0.3, 0.2], 8), vec![0, 1, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn weighted_choice_follows_the_weights() {
        let mut rng = SamplerRng::new(RngKind::Default, 1);
        let mut counts = [0usize; 3];
        for i in rng.choice_p(&[1.0, 3.0, 6.0], 20_000) {
            counts[i] += 1;
        }
        for (c, w) in counts.iter().zip([0.1, 0.3, 0.6]) {
            assert!((*c as f64 / 20_000.0 - w).abs() < 0.02, "{counts:?}");
        }
    }

    // Expected values printed by NumPy 2.4.6:
    //   rs = np.random.RandomState(0); [rs.randint(0, 2**32) ...], rs.random_sample() ...
    #[test]
    fn mt19937_raw_stream_matches_numpy() {
        let mut r = np(0);
        let got: Vec<u32> = (0..3).map(|_| r.next_u32()).collect();
        assert_eq!(got, [2_357_136_044, 2_546_248_239, 3_071_714_933]);
    }

    #[test]
    fn random_sample_matches_numpy() {
        let mut r = np(0);
        let got: Vec<f64> = (0..3).map(|_| r.random()).collect();
        assert_eq!(got, [0.5488135039273248, 0.7151893663724195, 0.6027633760716439]);
    }

    #[test]
    fn randint_matches_numpy() {
        // np.random.RandomState(42).randint(0, 10, size=8)
        let mut r = np(42);
        let got: Vec<usize> = (0..8).map(|_| r.randint(10)).collect();
        assert_eq!(got, [6, 3, 7, 4, 6, 9, 2, 6]);
    }

    #[test]
    fn permutation_matches_numpy() {
        // np.random.RandomState(0).permutation(10)
        assert_eq!(np(0).permutation(10), [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
    }

    #[test]
    fn randn_matches_numpy() {
        // np.random.RandomState(0).randn(3)
        let mut r = np(0);
        let got: Vec<f64> = (0..3).map(|_| r.standard_normal()).collect();
        assert_eq!(got, [1.764052345967664, 0.4001572083672233, 0.9787379841057392]);
    }

    #[test]
    fn beta_matches_numpy() {
        // np.random.RandomState(0).beta(10, 10, size=3)
        let mut r = np(0);
        let got: Vec<f64> = (0..3).map(|_| r.beta(10.0, 10.0)).collect();
        let want = [0.5971578369693008, 0.7067318450300619, 0.4594338845522033];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-15, "{g} vs {w}");
        }
    }

    #[test]
    fn same_seed_same_stream_for_both_kinds() {
        for kind in [RngKind::Numpy, RngKind::Default] {
            let a: Vec<u32> = {
                let mut r = SamplerRng::new(kind, 7);
                (0..100).map(|_| r.next_u32()).collect()
            };
            let mut r = SamplerRng::new(kind, 7);
            assert!(a.iter().all(|&v| v == r.next_u32()));
        }
    }

    #[test]
    fn choose_draws_the_items_choice_indexes() {
        let items: Vec<u32> = (0..50).map(|i| 1000 + 7 * i).collect();
        for kind in [RngKind::Numpy, RngKind::Default] {
            for (size, replace) in [(0, false), (5, false), (50, false), (80, true)] {
                let want: Vec<u32> = SamplerRng::new(kind, 11)
                    .choice(items.len(), size, replace)
                    .into_iter()
                    .map(|i| items[i])
                    .collect();
                let got = SamplerRng::new(kind, 11).choose(items.clone(), size, replace);
                assert_eq!(got, want, "{kind:?} size {size} replace {replace}");
            }
        }
    }

    #[test]
    fn choice_without_replacement_draws_distinct_uniform_rows() {
        let mut r = SamplerRng::new(RngKind::Default, 3);
        let mut hits = [0usize; 10];
        for _ in 0..2000 {
            let mut picks = r.choice(10, 3, false);
            picks.iter().for_each(|&p| hits[p] += 1);
            picks.sort_unstable();
            picks.dedup();
            assert_eq!(picks.len(), 3);
        }
        // 600 expected per value; a partial shuffle that favoured some
        // places would show here.
        assert!(hits.iter().all(|&h| (500..700).contains(&h)), "{hits:?}");
        let mut all = r.choice(5, 5, false);
        all.sort_unstable();
        assert_eq!(all, [0, 1, 2, 3, 4]);
        assert!(r.choice(5, 0, false).is_empty());
    }

    #[test]
    fn choice_matches_numpy() {
        // np.random.RandomState(0).choice(10, 4, replace=False)
        assert_eq!(np(0).choice(10, 4, false), [2, 8, 4, 9]);
    }

    #[test]
    fn randint_stays_in_range() {
        let mut r = SamplerRng::new(RngKind::Default, 1);
        for high in [1usize, 2, 3, 7, 1000, 1 << 33] {
            for _ in 0..200 {
                assert!(r.randint(high) < high);
            }
        }
    }
}
