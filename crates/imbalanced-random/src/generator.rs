//! NumPy's `Generator`, `np.random.default_rng(seed)`: the PCG64 bit
//! generator seeded through `SeedSequence`, with the `Generator`'s sampling
//! algorithms (Lemire's bounded integers, ziggurat normals and
//! exponentials, Marsaglia-Tsang gammas, Johnk's betas, both Dirichlet
//! algorithms, Floyd's and the tail-shuffle `choice`), every draw bit for
//! bit as NumPy 2.x (checked against fixtures from NumPy 2.4.6, written by
//! `scripts/fixtures/generator.py`).
//!
//! This is the generator flwr-datasets' partitioners draw from
//! (`np.random.default_rng(seed)`), beside the legacy `RandomState`
//! ([`crate::Mt19937`]) that imbalanced-learn's samplers use.

use crate::ziggurat::{EXP_R, FE, FI, KE, KI, NOR_INV_R, NOR_R, WE, WI};

/// NumPy's `SeedSequence` hashing constants (`bit_generator.pyx`).
const INIT_A: u32 = 0x43b0_d7e5;
const MULT_A: u32 = 0x931e_8875;
const INIT_B: u32 = 0x8b51_f9dd;
const MULT_B: u32 = 0x58f3_8ded;
const MIX_MULT_L: u32 = 0xca01_f9dd;
const MIX_MULT_R: u32 = 0x4973_f715;
const XSHIFT: u32 = 16;
const POOL_SIZE: usize = 4;

/// NumPy's `SeedSequence(entropy)` for an integer entropy and no spawn
/// key: a pool of four 32-bit words mixed from the entropy's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSequence {
    pool: [u32; POOL_SIZE],
}

fn hashmix(value: u32, hash_const: &mut u32) -> u32 {
    let mut value = value ^ *hash_const;
    *hash_const = hash_const.wrapping_mul(MULT_A);
    value = value.wrapping_mul(*hash_const);
    value ^ (value >> XSHIFT)
}

fn mix(x: u32, y: u32) -> u32 {
    let result = MIX_MULT_L.wrapping_mul(x).wrapping_sub(MIX_MULT_R.wrapping_mul(y));
    result ^ (result >> XSHIFT)
}

impl SeedSequence {
    /// `SeedSequence(entropy)`: the integer as 32-bit words, lowest first
    /// (0 is one word), mixed into the pool as NumPy's `mix_entropy`.
    pub fn new(entropy: u128) -> Self {
        let mut words = Vec::new();
        let mut n = entropy;
        if n == 0 {
            words.push(0);
        }
        while n > 0 {
            words.push(n as u32);
            n >>= 32;
        }
        let mut pool = [0u32; POOL_SIZE];
        let mut hash_const = INIT_A;
        for (i, p) in pool.iter_mut().enumerate() {
            *p = hashmix(words.get(i).copied().unwrap_or(0), &mut hash_const);
        }
        for src in 0..POOL_SIZE {
            for dst in 0..POOL_SIZE {
                if src != dst {
                    let h = hashmix(pool[src], &mut hash_const);
                    pool[dst] = mix(pool[dst], h);
                }
            }
        }
        for &word in words.iter().skip(POOL_SIZE) {
            for p in pool.iter_mut() {
                *p = mix(*p, hashmix(word, &mut hash_const));
            }
        }
        SeedSequence { pool }
    }

    /// The mixed pool (`SeedSequence.pool`).
    pub fn pool(&self) -> [u32; POOL_SIZE] {
        self.pool
    }

    /// `generate_state(n_words, np.uint32)`.
    pub fn generate_state_u32(&self, n_words: usize) -> Vec<u32> {
        let mut hash_const = INIT_B;
        self.pool
            .iter()
            .cycle()
            .take(n_words)
            .map(|&word| {
                let mut v = word ^ hash_const;
                hash_const = hash_const.wrapping_mul(MULT_B);
                v = v.wrapping_mul(hash_const);
                v ^ (v >> XSHIFT)
            })
            .collect()
    }

    /// `generate_state(n_words, np.uint64)`: pairs of 32-bit words, the
    /// first the low half.
    pub fn generate_state_u64(&self, n_words: usize) -> Vec<u64> {
        self.generate_state_u32(2 * n_words)
            .chunks(2)
            .map(|w| u64::from(w[0]) | (u64::from(w[1]) << 32))
            .collect()
    }
}

/// PCG's default 128-bit multiplier.
const PCG_MULTIPLIER: u128 = (2_549_297_995_355_413_924u128 << 64) | 4_865_540_595_714_422_341u128;

/// NumPy's `PCG64` (PCG XSL-RR 128/64), with its 32-bit draws taken as the
/// two halves of one 64-bit draw, low half first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pcg64 {
    state: u128,
    inc: u128,
    /// The high half of the last 64-bit draw, when a 32-bit draw left it.
    spare: Option<u32>,
}

impl Pcg64 {
    /// `PCG64(seed)`: four 64-bit words of `SeedSequence(seed)`, the first
    /// two the initial state, the last two the stream.
    pub fn new(seed: u128) -> Self {
        let words = SeedSequence::new(seed).generate_state_u64(4);
        let initstate = (u128::from(words[0]) << 64) | u128::from(words[1]);
        let initseq = (u128::from(words[2]) << 64) | u128::from(words[3]);
        let mut rng = Pcg64 {
            state: 0,
            inc: (initseq << 1) | 1,
            spare: None,
        };
        rng.step();
        rng.state = rng.state.wrapping_add(initstate);
        rng.step();
        rng
    }

    fn step(&mut self) {
        self.state = self.state.wrapping_mul(PCG_MULTIPLIER).wrapping_add(self.inc);
    }

    /// 64 random bits (`random_raw`).
    pub fn next_u64(&mut self) -> u64 {
        self.step();
        let (high, low) = ((self.state >> 64) as u64, self.state as u64);
        (high ^ low).rotate_right((self.state >> 122) as u32)
    }

    /// 32 random bits: the low half of a new 64-bit draw, then its high half.
    pub fn next_u32(&mut self) -> u32 {
        if let Some(high) = self.spare.take() {
            return high;
        }
        let next = self.next_u64();
        self.spare = Some((next >> 32) as u32);
        next as u32
    }

    /// Uniform on `[0, 1)` from the upper 53 bits of a 64-bit draw.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }
}

/// What [`Generator::dirichlet`] and [`Generator::choice_p`] refuse.
#[derive(Debug, Clone, PartialEq)]
pub enum GeneratorError {
    /// A parameter out of its domain, with what to give instead.
    Parameter(String),
}

impl std::fmt::Display for GeneratorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GeneratorError::Parameter(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for GeneratorError {}

/// NumPy's `Generator` on `PCG64`: `np.random.default_rng(seed)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generator {
    bits: Pcg64,
}

/// Smallest all-ones bit mask `>= v`.
fn gen_mask(v: u64) -> u64 {
    if v == 0 {
        0
    } else {
        u64::MAX >> v.leading_zeros()
    }
}

impl Generator {
    /// `np.random.default_rng(seed)` for a non-negative integer seed.
    pub fn new(seed: u128) -> Self {
        Generator { bits: Pcg64::new(seed) }
    }

    /// The bit generator (`Generator.bit_generator`).
    pub fn bit_generator(&mut self) -> &mut Pcg64 {
        &mut self.bits
    }

    /// `random()`: uniform on `[0, 1)`.
    pub fn random(&mut self) -> f64 {
        self.bits.next_f64()
    }

    /// An integer in `[0, rng]`: NumPy's `random_bounded_uint64` with
    /// Lemire's method (32-bit draws when `rng` fits in 32 bits).
    fn bounded(&mut self, rng: u64) -> u64 {
        if rng == 0 {
            return 0;
        }
        if rng <= u64::from(u32::MAX) {
            if rng == u64::from(u32::MAX) {
                return u64::from(self.bits.next_u32());
            }
            let rng = rng as u32;
            let excl = rng + 1;
            let mut m = u64::from(self.bits.next_u32()) * u64::from(excl);
            let mut leftover = m as u32;
            if leftover < excl {
                let threshold = (u32::MAX - rng) % excl;
                while leftover < threshold {
                    m = u64::from(self.bits.next_u32()) * u64::from(excl);
                    leftover = m as u32;
                }
            }
            return m >> 32;
        }
        if rng == u64::MAX {
            return self.bits.next_u64();
        }
        let excl = rng + 1;
        let mut m = u128::from(self.bits.next_u64()) * u128::from(excl);
        let mut leftover = m as u64;
        if leftover < excl {
            let threshold = (u64::MAX - rng) % excl;
            while leftover < threshold {
                m = u128::from(self.bits.next_u64()) * u128::from(excl);
                leftover = m as u64;
            }
        }
        (m >> 64) as u64
    }

    /// `integers(low, high)`: an integer in `[low, high)`; `None` when
    /// `high <= low` (NumPy's `ValueError`).
    pub fn integers(&mut self, low: i64, high: i64) -> Option<i64> {
        if high <= low {
            return None;
        }
        let rng = (high as i128 - 1 - low as i128) as u64;
        Some((low as u64).wrapping_add(self.bounded(rng)) as i64)
    }

    /// An integer in `[0, max]` by masked rejection: NumPy's
    /// `random_interval`, which `shuffle` and `permutation` use.
    fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mask = gen_mask(max);
        if max <= u64::from(u32::MAX) {
            loop {
                let v = u64::from(self.bits.next_u32()) & mask;
                if v <= max {
                    return v;
                }
            }
        }
        loop {
            let v = self.bits.next_u64() & mask;
            if v <= max {
                return v;
            }
        }
    }

    /// `shuffle(x)` of a 1-d array: Fisher-Yates from the end.
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

    /// NumPy's `_shuffle_int`: Fisher-Yates from the end down to `first`,
    /// with Lemire's bounded integers (as `choice` shuffles).
    fn shuffle_int(&mut self, v: &mut [usize], first: usize) {
        for i in (first..v.len()).rev() {
            let j = self.bounded(i as u64) as usize;
            v.swap(i, j);
        }
    }

    /// `choice(n, size, replace, shuffle=shuffle)` without probabilities:
    /// indices into `0..n`. With replacement, `integers(0, n, size)`;
    /// without, a tail shuffle of `0..n` when `n > 10000` and `size >
    /// n / 50` (`n / 20` when `shuffle` is false), else Floyd's algorithm
    /// (then shuffled when `shuffle`). `None` where NumPy raises: `n == 0`
    /// with `size > 0`, or `size > n` without replacement.
    pub fn choice(&mut self, n: usize, size: usize, replace: bool, shuffle: bool) -> Option<Vec<usize>> {
        if size == 0 {
            return Some(Vec::new());
        }
        if n == 0 || (!replace && size > n) {
            return None;
        }
        if replace {
            return Some((0..size).map(|_| self.bounded(n as u64 - 1) as usize).collect());
        }
        let cutoff = if shuffle { 50 } else { 20 };
        if n > 10_000 && size > n / cutoff {
            let mut idx: Vec<usize> = (0..n).collect();
            self.shuffle_int(&mut idx, (n - size).max(1));
            return Some(idx.split_off(n - size));
        }
        // Floyd's algorithm with an open-addressing hash set of the values drawn.
        let mask = gen_mask((1.2 * size as f64) as u64);
        let mut set = vec![u64::MAX; (mask + 1) as usize];
        let mut idx = Vec::with_capacity(size);
        for j in (n - size) as u64..n as u64 {
            let val = self.bounded(j);
            let mut loc = val & mask;
            while set[loc as usize] != u64::MAX && set[loc as usize] != val {
                loc = (loc + 1) & mask;
            }
            if set[loc as usize] == u64::MAX {
                set[loc as usize] = val;
                idx.push(val as usize);
            } else {
                loc = j & mask;
                while set[loc as usize] != u64::MAX {
                    loc = (loc + 1) & mask;
                }
                set[loc as usize] = j;
                idx.push(j as usize);
            }
        }
        if shuffle {
            self.shuffle_int(&mut idx, 1);
        }
        Some(idx)
    }

    /// `choice(len(p), size, p=p)` with replacement: each draw the first
    /// index whose cumulative probability (normalised by the total) exceeds
    /// a uniform draw. `p` must be non-negative and sum to 1 within
    /// `sqrt(eps)`, as NumPy checks.
    pub fn choice_p(&mut self, p: &[f64], size: usize) -> Result<Vec<usize>, GeneratorError> {
        if p.is_empty() {
            return if size == 0 {
                Ok(Vec::new())
            } else {
                Err(GeneratorError::Parameter(
                    "p is empty: give at least one probability".into(),
                ))
            };
        }
        if p.iter().any(|v| v.is_nan() || *v < 0.0) {
            return Err(GeneratorError::Parameter(
                "probabilities must be non-negative numbers".into(),
            ));
        }
        if (kahan_sum(p) - 1.0).abs() > f64::EPSILON.sqrt() {
            return Err(GeneratorError::Parameter("probabilities do not sum to 1".into()));
        }
        let mut cdf = Vec::with_capacity(p.len());
        let mut acc = 0.0;
        for &v in p {
            acc += v;
            cdf.push(acc);
        }
        let last = acc;
        cdf.iter_mut().for_each(|c| *c /= last);
        Ok((0..size)
            .map(|_| {
                let u = self.random();
                cdf.partition_point(|&c| c <= u)
            })
            .collect())
    }

    /// `standard_exponential()`: NumPy's ziggurat.
    pub fn standard_exponential(&mut self) -> f64 {
        loop {
            let mut ri = self.bits.next_u64() >> 3;
            let idx = (ri & 0xFF) as usize;
            ri >>= 8;
            let x = ri as f64 * WE[idx];
            if ri < KE[idx] {
                return x;
            }
            if idx == 0 {
                return EXP_R - (-self.random()).ln_1p();
            }
            if (FE[idx - 1] - FE[idx]) * self.random() + FE[idx] < (-x).exp() {
                return x;
            }
        }
    }

    /// `standard_normal()`: NumPy's ziggurat.
    pub fn standard_normal(&mut self) -> f64 {
        loop {
            let mut r = self.bits.next_u64();
            let idx = (r & 0xFF) as usize;
            r >>= 8;
            let sign = r & 1;
            let rabs = (r >> 1) & 0x000F_FFFF_FFFF_FFFF;
            let mut x = rabs as f64 * WI[idx];
            if sign == 1 {
                x = -x;
            }
            if rabs < KI[idx] {
                return x;
            }
            if idx == 0 {
                loop {
                    let xx = -NOR_INV_R * (-self.random()).ln_1p();
                    let yy = -(-self.random()).ln_1p();
                    if yy + yy > xx * xx {
                        return if (rabs >> 8) & 1 == 1 {
                            -(NOR_R + xx)
                        } else {
                            NOR_R + xx
                        };
                    }
                }
            }
            if (FI[idx - 1] - FI[idx]) * self.random() + FI[idx] < (-0.5 * x * x).exp() {
                return x;
            }
        }
    }

    /// `standard_gamma(shape)` for `shape >= 0`: the exponential at 1,
    /// Johnk-style rejection below 1, Marsaglia-Tsang above.
    pub fn standard_gamma(&mut self, shape: f64) -> f64 {
        if shape == 1.0 {
            return self.standard_exponential();
        }
        if shape == 0.0 {
            return 0.0;
        }
        if shape < 1.0 {
            loop {
                let u = self.random();
                let v = self.standard_exponential();
                if u <= 1.0 - shape {
                    let x = u.powf(1.0 / shape);
                    if x <= v {
                        return x;
                    }
                } else {
                    let y = -((1.0 - u) / shape).ln();
                    let x = (1.0 - shape + shape * y).powf(1.0 / shape);
                    if x <= v + y {
                        return x;
                    }
                }
            }
        }
        crate::marsaglia_tsang(self, shape)
    }

    /// `beta(a, b)` for `a, b > 0`: Johnk's algorithm when both are at most
    /// 1 (the proportion `a / (a + b)` against one uniform when both are
    /// below `3e-103`), else two gammas.
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        const TINY: f64 = 3e-103;
        if a <= 1.0 && b <= 1.0 {
            if a < TINY && b < TINY {
                let u = self.random();
                return f64::from(u8::from((a + b) * u < a));
            }
            loop {
                let u = self.random();
                let v = self.random();
                let x = u.powf(1.0 / a);
                let y = v.powf(1.0 / b);
                let xpy = x + y;
                if xpy <= 1.0 && u + v > 0.0 {
                    if x > 0.0 && y > 0.0 {
                        return x / xpy;
                    }
                    // X or Y underflowed: the ratio from logarithms.
                    let delta = u.ln() / a - v.ln() / b;
                    return if delta > 0.0 {
                        (-(-delta).exp().ln_1p()).exp()
                    } else {
                        (delta - delta.exp().ln_1p()).exp()
                    };
                }
            }
        }
        let ga = self.standard_gamma(a);
        let gb = self.standard_gamma(b);
        ga / (ga + gb)
    }

    /// `dirichlet(alpha)`: one draw. When every alpha is below 0.1, NumPy's
    /// stick-breaking with beta draws (no 0/0); otherwise normalised
    /// gammas. Alphas must be finite and non-negative.
    pub fn dirichlet(&mut self, alpha: &[f64]) -> Result<Vec<f64>, GeneratorError> {
        if alpha.iter().any(|a| !(a.is_finite() && *a >= 0.0)) {
            return Err(GeneratorError::Parameter(
                "alpha must be finite and >= 0 (NumPy: alpha < 0)".into(),
            ));
        }
        let k = alpha.len();
        let mut out = vec![0.0; k];
        if k == 0 {
            return Ok(out);
        }
        if alpha.iter().copied().fold(f64::NEG_INFINITY, f64::max) < 0.1 {
            // Right-to-left cumulative sums.
            let mut csum = vec![0.0; k];
            let mut acc = 0.0;
            for j in (0..k).rev() {
                acc += alpha[j];
                csum[j] = acc;
            }
            if acc > 0.0 {
                let mut acc = 1.0;
                for j in 0..k - 1 {
                    let v = self.beta(alpha[j], csum[j + 1]);
                    out[j] = acc * v;
                    acc *= 1.0 - v;
                    if csum[j + 1] == 0.0 {
                        break;
                    }
                }
                out[k - 1] = acc;
            }
            return Ok(out);
        }
        let mut acc = 0.0;
        for (o, &a) in out.iter_mut().zip(alpha) {
            *o = self.standard_gamma(a);
            acc += *o;
        }
        let inv = 1.0 / acc;
        out.iter_mut().for_each(|o| *o *= inv);
        Ok(out)
    }
}

/// NumPy's `kahan_sum` of the probabilities `choice` checks.
fn kahan_sum(values: &[f64]) -> f64 {
    let Some((&first, rest)) = values.split_first() else {
        return 0.0;
    };
    let (mut sum, mut c) = (first, 0.0);
    for &v in rest {
        let y = v - c;
        let t = sum + y;
        c = (t - sum) - y;
        sum = t;
    }
    sum
}

impl crate::NormalUniform for Generator {
    fn normal(&mut self) -> f64 {
        self.standard_normal()
    }
    fn uniform(&mut self) -> f64 {
        self.random()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_parameters_are_refused() {
        let mut g = Generator::new(0);
        assert_eq!(g.integers(3, 3), None);
        assert_eq!(g.integers(5, 1), None);
        assert_eq!(g.choice(5, 6, false, true), None);
        assert_eq!(g.choice(0, 1, true, true), None);
        assert_eq!(g.choice(0, 0, false, true), Some(vec![]));
        assert!(g.dirichlet(&[1.0, -0.5]).is_err());
        assert!(g.dirichlet(&[1.0, f64::NAN]).is_err());
        assert!(g.choice_p(&[0.5, 0.6], 3).is_err());
        assert!(g.choice_p(&[1.5, -0.5], 3).is_err());
        assert!(g.choice_p(&[], 1).is_err());
    }

    #[test]
    fn draws_keep_their_invariants() {
        let mut g = Generator::new(7);
        for n in [1usize, 2, 17, 20_001] {
            let mut p = g.permutation(n);
            p.sort_unstable();
            assert_eq!(p, (0..n).collect::<Vec<_>>());
        }
        for (n, size, shuffle) in [(10, 10, true), (20_000, 50, false), (20_000, 5_000, true)] {
            let mut c = g.choice(n, size, false, shuffle).unwrap();
            assert_eq!(c.len(), size);
            c.sort_unstable();
            c.dedup();
            assert_eq!(c.len(), size, "distinct");
            assert!(c.iter().all(|&i| i < n));
        }
        for alpha in [vec![0.01, 0.02, 0.05], vec![0.5, 3.0], vec![0.0, 0.0]] {
            let d = g.dirichlet(&alpha).unwrap();
            assert!(d.iter().all(|&v| (0.0..=1.0).contains(&v)));
            let sum: f64 = d.iter().sum();
            assert!(sum == 0.0 || (sum - 1.0).abs() < 1e-12, "{alpha:?} {d:?}");
        }
        let draws: Vec<usize> = g.choice_p(&[0.0, 1.0, 0.0], 20).unwrap();
        assert!(draws.iter().all(|&d| d == 1));
    }
}
