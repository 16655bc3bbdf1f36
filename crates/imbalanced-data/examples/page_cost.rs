//! What fresh memory costs on this machine: a new anonymous mapping of
//! `MB` megabytes (default 30, a 100k-row output of 20 features and 1.9x
//! over-sampling), mapped by `madvise(MADV_POPULATE_WRITE)` (what
//! [`imbalanced_data::PrefaultAlloc`] does), mapped page by page by a first
//! write, and written again once mapped. Three rounds; Linux only.
//!
//! ```sh
//! cargo run --release -p imbalanced-data --example page_cost -- 30
//! ```

#[cfg(target_os = "linux")]
fn main() {
    use std::time::Instant;
    let mb: usize = std::env::args().nth(1).map_or(30, |a| a.parse().expect("megabytes"));
    let size = mb << 20;
    let map = || {
        // SAFETY: a fresh private anonymous mapping; checked below.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED, "mmap of {mb} MB failed");
        p.cast::<u8>()
    };
    for round in 1..=3 {
        let (a, b) = (map(), map());
        let t = Instant::now();
        // SAFETY: `a` is a mapping of `size` bytes.
        let rc = unsafe { libc::madvise(a.cast(), size, libc::MADV_POPULATE_WRITE) };
        let populate = t.elapsed();
        let t = Instant::now();
        // SAFETY: `b` is a writable mapping of `size` bytes.
        unsafe { std::ptr::write_bytes(b, 1, size) };
        let first_write = t.elapsed();
        let t = Instant::now();
        // SAFETY: as above, now mapped.
        unsafe { std::ptr::write_bytes(b, 2, size) };
        let warm_write = t.elapsed();
        let per_mb = |d: std::time::Duration| d.as_secs_f64() * 1e3 / mb as f64;
        println!(
            "round {round}: populate {:.3} ms/MB{}, first write {:.3} ms/MB, warm write {:.3} ms/MB",
            per_mb(populate),
            if rc == 0 { "" } else { " (advice refused)" },
            per_mb(first_write),
            per_mb(warm_write)
        );
        // SAFETY: both mappings are ours and no longer used.
        unsafe {
            libc::munmap(a.cast(), size);
            libc::munmap(b.cast(), size);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("page_cost measures Linux's page mapping; nothing to do here");
}
