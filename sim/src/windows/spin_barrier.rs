//! A barrier that spins a few times, then yields its core for a while, before it parks as
//! `std::sync::Barrier` does. Parking at once cost a futex wake a window (on this VM, the GB-day
//! sample on two threads spent 31 of its 77 s in the kernel); spinning without yielding (50 µs)
//! lost on the shared 2-core machine, where the waiting thread took the core the late one needed.
//! Yielding keeps the waiter awake without starving the late thread (README "Lookahead").

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// How many times a thread looks for the others before it starts yielding.
const SPINS: u32 = 64;

/// How long a thread keeps yielding (looking between yields) before it parks.
const YIELDING: Duration = Duration::from_micros(500);

/// A reusable barrier for `n` threads.
pub struct SpinBarrier {
    n: usize,
    arrived: AtomicUsize,
    /// Bumped each time every thread has arrived.
    generation: AtomicU64,
    lock: Mutex<()>,
    wake: Condvar,
}

impl SpinBarrier {
    /// A barrier for `n` threads (at least one).
    pub fn new(n: usize) -> Self {
        assert!(n >= 1, "a barrier for at least one thread");
        SpinBarrier {
            n,
            arrived: AtomicUsize::new(0),
            generation: AtomicU64::new(0),
            lock: Mutex::new(()),
            wake: Condvar::new(),
        }
    }

    /// Waits until all `n` threads have called `wait` for this round.
    pub fn wait(&self) {
        let round = self.generation.load(Ordering::Acquire);
        if self.arrived.fetch_add(1, Ordering::AcqRel) + 1 == self.n {
            self.arrived.store(0, Ordering::Relaxed);
            // Under the lock, so that no thread between its check and its wait misses the bump.
            let _held = self.lock.lock().unwrap_or_else(|e| e.into_inner());
            self.generation.fetch_add(1, Ordering::Release);
            self.wake.notify_all();
            return;
        }
        let passed = || self.generation.load(Ordering::Acquire) != round;
        for _ in 0..SPINS {
            if passed() {
                return;
            }
            std::hint::spin_loop();
        }
        let yielding = Instant::now();
        while yielding.elapsed() < YIELDING {
            if passed() {
                return;
            }
            std::thread::yield_now();
        }
        let mut held = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        while !passed() {
            held = self.wake.wait(held).unwrap_or_else(|e| e.into_inner());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    #[test]
    fn no_thread_passes_a_round_before_every_thread_reached_it() {
        for n in [1, 2, 3, 5] {
            let barrier = SpinBarrier::new(n);
            let reached: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
            std::thread::scope(|s| {
                for me in 0..n {
                    let (barrier, reached) = (&barrier, &reached);
                    s.spawn(move || {
                        for round in 1..=2_000u64 {
                            reached[me].store(round, Ordering::SeqCst);
                            barrier.wait();
                            for r in reached {
                                assert!(r.load(Ordering::SeqCst) >= round);
                            }
                        }
                    });
                }
            });
        }
    }
}
