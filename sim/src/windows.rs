//! Partitions side by side: each partition's kernel and world on its own thread, advancing in
//! conservative windows (YAWNS, as ROSS's conservative scheduler does).
//!
//! Each window is `[gmin, gmin + lookahead)`, `gmin` being the earliest pending event of any
//! partition. Nothing handled in it can reach another partition before it ends (every message
//! between partitions takes at least the lookahead), so each partition handles its own events of
//! the window alone, in the kernel's total order; at the window's end the messages between
//! partitions are exchanged and the next `gmin` agreed on. Every actor then sees exactly the
//! events, in exactly the order, of the sequential run: the results are the same for every
//! partition count. The transport is plain threads with two barriers a window; the same loop
//! can run over timely dataflow's exchange for processes on several machines.

use crate::actor::ActorId;
use crate::kernel::{Kernel, World};
use crate::queue::Event;
use crate::time::SimTime;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Barrier, Mutex, MutexGuard};

/// A mailbox, even if a partition panicked while holding it (the run is then abandoned).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What one partition did in a partitioned run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartitionStats {
    /// Windows it took part in (the same for every partition).
    pub windows: u64,
    /// Events it handled.
    pub events: u64,
    /// Messages it sent to other partitions.
    pub sent_across: u64,
}

/// Runs `parts` — partition `i`'s kernel (with the run's partitioning, and
/// [`Kernel::keep_only`]`(i)` done) and world — side by side up to `end`, one thread each, and
/// returns them with what each did. Each kernel then holds its partition's end state; merge them
/// with [`Kernel::absorb`].
///
/// # Panics
/// If a kernel has no partitioning, or the lookahead is zero with more than one partition.
pub fn run_side_by_side<W>(
    parts: Vec<(Kernel<W::Msg>, W)>,
    end: SimTime,
) -> Vec<(Kernel<W::Msg>, W, PartitionStats)>
where
    W: World + Send,
    W::Msg: Send,
{
    let n = parts.len();
    let partitioning = parts[0]
        .0
        .partitioning()
        .expect("a partitioned run has a partitioning")
        .clone();
    let lookahead = partitioning.lookahead().as_micros();
    assert!(lookahead > 0 || n == 1, "partitions need a lookahead");
    let mail: Vec<Mutex<Vec<Event<W::Msg>>>> = (0..n).map(|_| Mutex::new(Vec::new())).collect();
    let mins: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(u64::MAX)).collect();
    let barrier = Barrier::new(n);
    let failed = AtomicBool::new(false);
    std::thread::scope(|s| {
        let running: Vec<_> = parts
            .into_iter()
            .enumerate()
            .map(|(me, (mut kernel, mut world))| {
                let (mail, mins, barrier, partitioning, failed) =
                    (&mail, &mins, &barrier, &partitioning, &failed);
                s.spawn(move || {
                    let mut stats = PartitionStats::default();
                    let mut window: Option<u64> = None;
                    let mut panic = None;
                    loop {
                        // A panicking partition still meets the others at both barriers, so
                        // they all stop after this window and the panic is passed on.
                        let work = catch_unwind(AssertUnwindSafe(|| {
                            if let Some(from) = window {
                                let until = from.saturating_add(lookahead);
                                stats.events += kernel.run_window(&mut world, until, end);
                                stats.windows += 1;
                            }
                            let out = kernel.take_outbox();
                            stats.sent_across += out.len() as u64;
                            for ev in out {
                                let to = partitioning.of(ActorId::from_raw(ev.to)) as usize;
                                lock(&mail[to]).push(ev);
                            }
                        }));
                        if let Err(p) = work {
                            failed.store(true, Ordering::SeqCst);
                            panic = Some(p);
                        }
                        barrier.wait();
                        let next = catch_unwind(AssertUnwindSafe(|| {
                            // Arrival order does not matter: the queue orders by (time, tie).
                            for ev in lock(&mail[me]).drain(..) {
                                kernel.deliver(ev);
                            }
                            kernel.next_time().unwrap_or(u64::MAX)
                        }));
                        match next {
                            Ok(t) => mins[me].store(t, Ordering::SeqCst),
                            Err(p) => {
                                failed.store(true, Ordering::SeqCst);
                                panic = panic.or(Some(p));
                            }
                        }
                        barrier.wait();
                        if failed.load(Ordering::SeqCst) {
                            break;
                        }
                        let gmin = mins.iter().map(|m| m.load(Ordering::SeqCst)).min();
                        match gmin {
                            Some(t) if t <= end.as_micros() => window = Some(t),
                            _ => break,
                        }
                    }
                    if let Some(p) = panic {
                        resume_unwind(p);
                    }
                    kernel.finish_window_run(end);
                    (kernel, world, stats)
                })
            })
            .collect();
        running
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| resume_unwind(p)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Kind;
    use crate::kernel::Ctx;
    use crate::partition::Partitioning;
    use crate::time::SimDuration;

    /// Actors of kind 1 (spread) and kind 0 (central) forward a token to a random actor, at least
    /// 5 ms later across kinds, and fold what they see into their own hash.
    struct Relay {
        hash: Vec<Vec<u64>>,
        n: u32,
    }

    impl World for Relay {
        type Msg = u32;
        fn handle(&mut self, to: ActorId, hops: u32, ctx: &mut Ctx<'_, u32>) {
            let h = &mut self.hash[to.kind().0 as usize][to.index() as usize];
            *h = h
                .wrapping_mul(31)
                .wrapping_add(ctx.now().as_micros() ^ u64::from(hops));
            if hops == 0 {
                return;
            }
            let (kind, index, wait) = {
                let mut rng = ctx.rng();
                (
                    rng.below(2) as u8,
                    rng.below(u64::from(self.n)) as u32,
                    rng.below(3_000),
                )
            };
            // Spread actors (kind 1) reach one another only through a central actor.
            let target = match (to.kind().0, kind) {
                (1, 1) => to,
                _ => ActorId::new(Kind(kind), index),
            };
            let delay = if kind == to.kind().0 {
                wait
            } else {
                5_000 + wait
            };
            ctx.send(target, SimDuration::from_micros(delay), hops - 1);
        }
    }

    fn build(n: u32) -> (Kernel<u32>, Relay) {
        let mut k = Kernel::new(3, Some(SimDuration::from_millis(10)));
        let c = k.metrics.counter("c".into());
        for kind in 0..2 {
            k.ensure_actors(Kind(kind), n);
            for i in 0..n {
                let id = ActorId::new(Kind(kind), i);
                k.ctx_for(id)
                    .send(id, SimDuration::from_micros(u64::from(i)), 40);
            }
        }
        k.metrics.add(c, 1);
        let w = Relay {
            hash: vec![vec![0; n as usize]; 2],
            n,
        };
        (k, w)
    }

    #[test]
    fn partitions_side_by_side_equal_the_sequential_run() {
        let end = SimTime(200_000);
        let (mut seq, mut seq_world) = build(50);
        let stats = seq.run(&mut seq_world, end, &mut |_, _| {});
        for parts in [1, 2, 3, 4] {
            let mut p = Partitioning::new(parts, SimDuration::from_millis(5));
            let starts = (1..parts.saturating_sub(1))
                .map(|k| k * 50 / (parts - 1))
                .collect();
            p.spread(Kind(1), starts);
            let runs = (0..parts)
                .map(|me| {
                    let (mut k, w) = build(50);
                    k.set_partitioning(p.clone());
                    k.keep_only(me);
                    if me > 0 {
                        k.metrics.zero();
                    }
                    (k, w)
                })
                .collect();
            let done = run_side_by_side(runs, end);
            let across: u64 = done.iter().map(|d| d.2.sent_across).sum();
            assert_eq!(across > 0, parts > 1, "messages crossed partitions");
            let mut done = done.into_iter();
            let (mut kernel, mut world, first) = done.next().unwrap();
            for (w, (other, other_world, s)) in (1..).zip(done) {
                assert_eq!(s.windows, first.windows);
                kernel.absorb(other);
                for kind in 0..2 {
                    for i in 0..50 {
                        if p.of(ActorId::new(Kind(kind), i)) == w {
                            let h = other_world.hash[kind as usize][i as usize];
                            world.hash[kind as usize][i as usize] = h;
                        }
                    }
                }
            }
            assert_eq!(world.hash, seq_world.hash, "{parts} partitions");
            assert_eq!(kernel.events(), stats.events);
            assert_eq!(kernel.pending() as u64, stats.pending);
            assert_eq!(kernel.metrics.counters(), seq.metrics.counters());
        }
    }
}
