//! Which vector instructions the kernels may use: the one place of this
//! crate (and of `imbalanced-models`, which asks here) that queries the CPU.
//!
//! `IMBALANCED_PORTABLE=1` (any value but empty or `0`) answers no to every
//! question, so the portable paths run, and are tested, on any machine; CI
//! runs the neighbour, resampling and model tests once each way, which
//! compares the vectorised paths against the portable ones.

use std::sync::OnceLock;

/// Whether `IMBALANCED_PORTABLE` forces the portable paths (read once).
pub fn portable() -> bool {
    static PORTABLE: OnceLock<bool> = OnceLock::new();
    *PORTABLE.get_or_init(|| std::env::var("IMBALANCED_PORTABLE").is_ok_and(|v| !v.is_empty() && v != "0"))
}

/// AVX-512 F (512-bit f64 / f32 arithmetic).
pub fn avx512f() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        !portable() && std::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// AVX-512 F, BW and VNNI (the 8-bit code scan).
pub fn avx512_vnni() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        avx512f() && std::is_x86_feature_detected!("avx512bw") && std::is_x86_feature_detected!("avx512vnni")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// AVX2 with FMA.
pub fn avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        !portable() && std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
