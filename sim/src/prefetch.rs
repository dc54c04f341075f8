//! A cache hint shared by the kernel (the next event's actor clock) and the random streams (the
//! next block of draws). It lives on its own so that neither of them imports the other for it.

/// Asks the CPU to start loading `*p` into cache: a hint with no effect on results.
#[inline(always)]
pub(crate) fn prefetch<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `_mm_prefetch` needs SSE, which every x86_64 CPU has; a prefetch never faults and
    // has no architectural effect (and `p` is a valid reference anyway).
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((p as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
