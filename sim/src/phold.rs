//! PHOLD, the standard synthetic benchmark for discrete-event kernels, and a plain `BinaryHeap`
//! baseline that processes the identical event sequence.
//!
//! Each of `lps` logical processes starts with `events_per_lp` events at time 0. Handling an event
//! at `t` schedules exactly one new event at `t + Exp(mean 1 s) + 0.1 s` (rounded to whole µs) to a
//! uniformly random LP, drawn from the handler's own random stream. Both runners draw the same
//! numbers and order ties the same way, so they fold the same checksum: a cheap end-to-end check
//! that the kernel's queue pops exactly in `(time, tie)` order. Wall-clock time is measured here
//! only to report speed; it never feeds back into a result.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use crate::actor::{ActorId, Kind};
use crate::kernel::{ActorClock, Ctx, Kernel, World};
use crate::rng::RandomStreams;
use crate::time::{SimDuration, SimTime};

/// Size and length of one PHOLD run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PholdConfig {
    /// Logical processes (actors).
    pub lps: u32,
    /// Events each LP holds at time 0 (the constant population is `lps * events_per_lp`).
    pub events_per_lp: u32,
    /// Events with time ≤ `end` are handled.
    pub end: SimTime,
    pub seed: u64,
}

/// What one run did and how fast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PholdReport {
    /// Events handled.
    pub events: u64,
    /// Wall-clock seconds of the event loop (setup included, allocation of the LPs excluded).
    pub seconds: f64,
    pub events_per_second: f64,
    /// Fold of `(time, lp)` over handled events in handling order.
    pub checksum: u64,
}

/// The LPs' kind; LP `i` is actor `(PHOLD_KIND, i)`.
const PHOLD_KIND: Kind = Kind(0);
/// The fixed part of every delay: 0.1 s.
const LOOKAHEAD_SECS: f64 = 0.1;
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Folds one handled event into the checksum.
#[inline]
fn fold(h: u64, time: u64, lp: u32) -> u64 {
    ((h ^ time).wrapping_mul(FNV_PRIME) ^ lp as u64).wrapping_mul(FNV_PRIME)
}

/// The delay of the next event and its target, from the handler's stream (two draws).
#[inline]
fn next_hop(rng: &mut crate::rng::StreamRng<'_>, lps: u32) -> (SimDuration, u32) {
    let delay = SimDuration::from_secs_f64(rng.exp(1.0) + LOOKAHEAD_SECS);
    let to = rng.below(lps as u64) as u32;
    (delay, to)
}

/// The PHOLD world: no per-LP state beyond the kernel's own clocks, just the checksum.
struct Phold {
    lps: u32,
    checksum: u64,
}

impl World for Phold {
    type Msg = ();

    #[inline]
    fn handle(&mut self, to: ActorId, _msg: (), ctx: &mut Ctx<'_, ()>) {
        self.checksum = fold(self.checksum, ctx.now().as_micros(), to.index());
        let (delay, target) = next_hop(&mut ctx.rng(), self.lps);
        ctx.send(ActorId::new(PHOLD_KIND, target), delay, ());
    }
}

fn report(events: u64, start: Instant, checksum: u64) -> PholdReport {
    let seconds = start.elapsed().as_secs_f64();
    PholdReport {
        events,
        seconds,
        events_per_second: events as f64 / seconds.max(1e-12),
        checksum,
    }
}

/// Runs PHOLD on the real [`Kernel`].
pub fn run_kernel(cfg: &PholdConfig) -> PholdReport {
    let mut kernel = Kernel::new(cfg.seed, None);
    kernel.ensure_actors(PHOLD_KIND, cfg.lps);
    let mut world = Phold {
        lps: cfg.lps,
        checksum: FNV_OFFSET,
    };
    let start = Instant::now();
    for i in 0..cfg.lps {
        let lp = ActorId::new(PHOLD_KIND, i);
        let mut ctx = kernel.ctx_for(lp);
        for _ in 0..cfg.events_per_lp {
            ctx.send(lp, SimDuration::ZERO, ());
        }
    }
    let stats = kernel.run(&mut world, cfg.end, &mut |_, _| {});
    report(stats.events, start, world.checksum)
}

/// Runs the same model on a plain `BinaryHeap<Reverse<(time, tie, lp)>>`, with the same random
/// streams, draw counters and tie-breaks as the kernel: the baseline the kernel must beat.
pub fn run_binary_heap(cfg: &PholdConfig) -> PholdReport {
    let mut streams = RandomStreams::new(cfg.seed);
    let mut clocks = vec![ActorClock::default(); cfg.lps as usize];
    let mut heap: BinaryHeap<Reverse<(u64, u64, u32)>> =
        BinaryHeap::with_capacity(cfg.lps as usize * cfg.events_per_lp as usize);
    let mut checksum = FNV_OFFSET;
    let mut events = 0u64;
    let start = Instant::now();
    for (i, clock) in clocks.iter_mut().enumerate() {
        let raw = ActorId::new(PHOLD_KIND, i as u32).raw();
        for _ in 0..cfg.events_per_lp {
            heap.push(Reverse((0, ((raw as u64) << 32) | clock.sent as u64, raw)));
            clock.sent += 1;
        }
    }
    let end = cfg.end.as_micros();
    while let Some(&Reverse((time, _, raw))) = heap.peek() {
        if time > end {
            break;
        }
        heap.pop();
        events += 1;
        let me = ActorId::from_raw(raw);
        checksum = fold(checksum, time, me.index());
        let clock = &mut clocks[me.index() as usize];
        let (delay, target) = next_hop(&mut streams.stream(raw as u64, &mut clock.draws), cfg.lps);
        let tie = ((raw as u64) << 32) | clock.sent as u64;
        clock.sent = clock.sent.wrapping_add(1);
        let to = ActorId::new(PHOLD_KIND, target).raw();
        heap.push(Reverse((time + delay.as_micros(), tie, to)));
    }
    report(events, start, checksum)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(lps: u32, events_per_lp: u32, end_ms: u64, seed: u64) -> PholdConfig {
        PholdConfig {
            lps,
            events_per_lp,
            end: SimTime(end_ms * 1_000),
            seed,
        }
    }

    #[test]
    fn kernel_and_binary_heap_handle_the_same_events() {
        for c in [
            cfg(100, 4, 5_000, 1),
            cfg(7, 1, 20_000, 2),
            cfg(1, 3, 3_000, 3),
        ] {
            let k = run_kernel(&c);
            let b = run_binary_heap(&c);
            assert!(k.events > (c.lps * c.events_per_lp) as u64, "{c:?}");
            assert_eq!((k.events, k.checksum), (b.events, b.checksum), "{c:?}");
        }
    }

    #[test]
    fn seed_decides_the_checksum() {
        let a = run_kernel(&cfg(50, 2, 3_000, 11));
        let again = run_kernel(&cfg(50, 2, 3_000, 11));
        let other = run_kernel(&cfg(50, 2, 3_000, 12));
        assert_eq!((a.events, a.checksum), (again.events, again.checksum));
        assert_ne!(a.checksum, other.checksum);
    }

    /// Before 0.1 s no follow-up event can arrive, so only the initial population is handled.
    #[test]
    fn only_the_initial_events_land_before_the_lookahead() {
        let c = cfg(30, 5, 50, 4);
        assert_eq!(run_kernel(&c).events, 150);
        assert_eq!(run_binary_heap(&c).events, 150);
        // Just below the lookahead too: every delay is at least 0.1 s (100,000 µs).
        assert_eq!(run_kernel(&cfg(30, 5, 99, 4)).events, 150);
    }
}
