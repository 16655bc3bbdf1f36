//! A global allocator that maps large buffers' pages in one system call.

use std::alloc::{GlobalAlloc, Layout, System};

/// Buffers of at least this many bytes are populated (NumPy's threshold for
/// its own page advice, 4 MiB).
const POPULATE_THRESHOLD: usize = 1 << 22;

/// The system allocator, plus `madvise(MADV_POPULATE_WRITE)` (Linux 5.14+) on
/// every buffer of 4 MiB or more: the kernel maps all its pages at once.
///
/// Why: a fresh 30 MB output array is otherwise mapped one 4 KiB page at a
/// time, ~7,500 page faults on first write, which on a virtual machine made a
/// first `RandomOverSampler` run on 100k rows take ~35 ms where a warm one
/// takes 6-9 ms (~21 ms populated). Huge pages (`MADV_HUGEPAGE`, NumPy's
/// choice) were measured too: 16 ms in good runs, but 50-150 ms whenever the
/// kernel compacted memory to find them. The cost: a large buffer's unused
/// capacity is resident too. A program opts in with
/// `#[global_allocator] static ALLOC: imbalanced_data::PrefaultAlloc = imbalanced_data::PrefaultAlloc;`
/// (the `imbalanced` binary does). On older kernels the advice fails and is
/// ignored; elsewhere than Linux this is the system allocator.
#[derive(Debug, Default, Clone, Copy)]
pub struct PrefaultAlloc;

fn advise(ptr: *mut u8, size: usize) {
    #[cfg(target_os = "linux")]
    if size >= POPULATE_THRESHOLD && !ptr.is_null() {
        const PAGE: usize = 4096;
        let start = (ptr as usize).next_multiple_of(PAGE);
        let end = (ptr as usize + size) & !(PAGE - 1);
        // SAFETY: the range lies inside the buffer just allocated; the advice
        // maps its pages without changing their contents. A failure (an old
        // kernel) leaves pages to be mapped on first write, so it is ignored.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_POPULATE_WRITE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, size);
}

// SAFETY: every call goes to `System` with the caller's arguments; `advise`
// only changes the backing of memory the caller now owns.
unsafe impl GlobalAlloc for PrefaultAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        advise(ptr, layout.size());
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        advise(ptr, layout.size());
        ptr
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let ptr = unsafe { System.realloc(ptr, layout, new_size) };
        advise(ptr, new_size);
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_and_small_buffers_hold_what_is_written() {
        let a = PrefaultAlloc;
        for size in [16, POPULATE_THRESHOLD + 12_345] {
            let layout = Layout::from_size_align(size, 8).unwrap();
            // SAFETY: a non-zero layout; the buffer is written within bounds and freed once.
            unsafe {
                let p = a.alloc_zeroed(layout);
                assert!(!p.is_null());
                assert_eq!(*p.add(size - 1), 0);
                *p.add(size - 1) = 7;
                let q = a.realloc(p, layout, 2 * size);
                assert_eq!(*q.add(size - 1), 7);
                a.dealloc(q, Layout::from_size_align(2 * size, 8).unwrap());
            }
        }
    }
}
