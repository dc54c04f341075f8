//! Partitions side by side: each partition's kernel and world on its own thread, advancing in
//! conservative windows (YAWNS, as ROSS's conservative scheduler does).
//!
//! Each window is `[gmin, gmin + lookahead)`, `gmin` being the earliest pending event of any
//! partition. Nothing handled in it can reach another partition before it ends (every message
//! between partitions takes at least the lookahead), so each partition handles its own events of
//! the window alone, in the kernel's total order; at the window's end the messages between
//! partitions are exchanged and the next `gmin` agreed on. Every actor then sees exactly the
//! events, in exactly the order, of the sequential run: the results are the same for every
//! partition count. The loop ([`run_windows`]) is one piece of code over a [`Transport`]: plain
//! threads with one barrier a window within a process ([`run_side_by_side`]), or timely
//! dataflow's exchange between processes on one or several machines ([`timely`]).

mod spin_barrier;
pub mod timely;

use crate::actor::ActorId;
use crate::kernel::{Kernel, World};
use crate::partition::Partitioning;
use crate::queue::Event;
use crate::time::SimTime;
use spin_barrier::SpinBarrier;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// A mailbox, even if a partition panicked while holding it (the run is then abandoned).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What one partition did in a partitioned run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PartitionStats {
    /// Windows it took part in (the same for every partition).
    pub windows: u64,
    /// Events it handled.
    pub events: u64,
    /// Messages it sent to other partitions.
    pub sent_across: u64,
}

/// One window's exchange between partitions, whatever carries it (threads of one process, or
/// timely dataflow between processes): the seam between the window loop and its transport.
pub trait Transport<M> {
    /// Ships `out` (this partition's events for other partitions) and `min` (the earliest of its
    /// pending events and of `out`, µs; `u64::MAX` for none), and whether this partition
    /// `failed`; returns the events other partitions sent this one and what they all reported.
    fn exchange(&mut self, out: Vec<Event<M>>, min: u64, failed: bool) -> Exchanged<M>;
}

/// What one window's exchange brought a partition.
pub struct Exchanged<M> {
    /// Events other partitions sent to this partition's actors, in no particular order.
    pub inbox: Vec<Event<M>>,
    /// The earliest pending event of every partition, in flight included (µs; `u64::MAX` for none).
    pub gmin: u64,
    /// Some partition failed: the run stops.
    pub failed: bool,
}

/// How a partition's window loop ended early.
pub enum Stopped {
    /// This partition panicked; the panic, to pass on.
    Panicked(Box<dyn std::any::Any + Send>),
    /// Another partition failed.
    Elsewhere,
}

/// Runs one partition's kernel and world in conservative windows up to `end`, exchanging with
/// the other partitions through `transport` after each window (and once before the first, to
/// agree where it starts): the YAWNS loop, the same for every transport. Afterwards the kernel
/// holds its partition's end state.
pub fn run_windows<W: World>(
    kernel: &mut Kernel<W::Msg>,
    world: &mut W,
    end: SimTime,
    transport: &mut impl Transport<W::Msg>,
) -> Result<PartitionStats, Stopped> {
    let lookahead = kernel
        .partitioning()
        .expect("a partitioned run has a partitioning")
        .lookahead()
        .as_micros();
    let mut stats = PartitionStats::default();
    let mut window: Option<u64> = None;
    loop {
        // A panicking partition still takes part in the exchange, so the others stop after this
        // window and the panic is passed on.
        let work = catch_unwind(AssertUnwindSafe(|| {
            if let Some(from) = window {
                let until = from.saturating_add(lookahead);
                stats.events += kernel.run_window(world, until, end);
                stats.windows += 1;
            }
            let out = kernel.take_outbox();
            let mine = kernel.next_time().unwrap_or(u64::MAX);
            let min = out.iter().map(|e| e.time).fold(mine, u64::min);
            (out, min)
        }));
        let (out, min, panic) = match work {
            Ok((out, min)) => (out, min, None),
            Err(p) => (Vec::new(), u64::MAX, Some(p)),
        };
        stats.sent_across += out.len() as u64;
        let got = transport.exchange(out, min, panic.is_some());
        if let Some(p) = panic {
            return Err(Stopped::Panicked(p));
        }
        if got.failed {
            return Err(Stopped::Elsewhere);
        }
        // Arrival order does not matter: the queue orders by (time, tie).
        for ev in got.inbox {
            kernel.deliver(ev);
        }
        if got.gmin > end.as_micros() {
            break;
        }
        window = Some(got.gmin);
    }
    kernel.finish_window_run(end);
    Ok(stats)
}

/// The plain-threads transport: a mailbox per partition and the minimums in atomics, each in two
/// sets used by turns (by window parity), so that a window costs one barrier: a set is written
/// again only two windows later, after every thread has read it and passed the next barrier.
struct Threads<'a, M> {
    me: usize,
    partitioning: &'a Partitioning,
    mail: [&'a [Mutex<Vec<Event<M>>>]; 2],
    mins: [&'a [AtomicU64]; 2],
    failed: [&'a AtomicBool; 2],
    barrier: &'a SpinBarrier,
    /// Exchanges done: its parity picks the set.
    round: usize,
}

impl<M> Transport<M> for Threads<'_, M> {
    fn exchange(&mut self, out: Vec<Event<M>>, min: u64, failed: bool) -> Exchanged<M> {
        let set = self.round % 2;
        self.round += 1;
        if failed {
            self.failed[set].store(true, Ordering::SeqCst);
        }
        for ev in out {
            let to = self.partitioning.of(ActorId::from_raw(ev.to)) as usize;
            lock(&self.mail[set][to]).push(ev);
        }
        self.mins[set][self.me].store(min, Ordering::SeqCst);
        self.barrier.wait();
        let inbox = std::mem::take(&mut *lock(&self.mail[set][self.me]));
        let gmin = self.mins[set]
            .iter()
            .map(|m| m.load(Ordering::SeqCst))
            .min();
        Exchanged {
            inbox,
            gmin: gmin.unwrap_or(u64::MAX),
            failed: self.failed[set].load(Ordering::SeqCst),
        }
    }
}

/// Runs `parts` — partition `i`'s kernel (with the run's partitioning, and
/// [`Kernel::keep_only`]`(i)` done) and world — side by side up to `end`, one thread each, and
/// returns them with what each did. Each kernel then holds its partition's end state; merge them
/// with [`Kernel::absorb`].
///
/// # Panics
/// If a kernel has no partitioning, or the lookahead is zero with more than one partition; a
/// partition's panic is passed on.
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
    assert!(
        partitioning.lookahead().as_micros() > 0 || n == 1,
        "partitions need a lookahead"
    );
    let mailboxes =
        || -> Vec<Mutex<Vec<Event<W::Msg>>>> { (0..n).map(|_| Mutex::new(Vec::new())).collect() };
    let minimums = || -> Vec<AtomicU64> { (0..n).map(|_| AtomicU64::new(u64::MAX)).collect() };
    let (mail, mins) = ([mailboxes(), mailboxes()], [minimums(), minimums()]);
    let failed = [AtomicBool::new(false), AtomicBool::new(false)];
    let barrier = SpinBarrier::new(n);
    std::thread::scope(|s| {
        let running: Vec<_> = parts
            .into_iter()
            .enumerate()
            .map(|(me, (mut kernel, mut world))| {
                let mut transport = Threads {
                    me,
                    partitioning: &partitioning,
                    mail: [&mail[0], &mail[1]],
                    mins: [&mins[0], &mins[1]],
                    failed: [&failed[0], &failed[1]],
                    barrier: &barrier,
                    round: 0,
                };
                s.spawn(move || {
                    match run_windows(&mut kernel, &mut world, end, &mut transport) {
                        Ok(stats) => (kernel, world, stats),
                        Err(Stopped::Panicked(p)) => resume_unwind(p),
                        // The failed partition's thread passes its panic on when joined.
                        Err(Stopped::Elsewhere) => (kernel, world, PartitionStats::default()),
                    }
                })
            })
            .collect();
        let mut done = Vec::with_capacity(n);
        let mut panic = None;
        for h in running {
            match h.join() {
                Ok(d) => done.push(d),
                Err(p) => panic = panic.or(Some(p)),
            }
        }
        if let Some(p) = panic {
            resume_unwind(p);
        }
        done
    })
}

#[cfg(test)]
mod tests_support {
    use super::*;
    use crate::actor::Kind;
    use crate::kernel::Ctx;
    use crate::partition::Partitioning;
    use crate::time::SimDuration;

    /// Actors of kind 1 (spread) and kind 0 (central) forward a token to a random actor, at least
    /// 5 ms later across kinds, and fold what they see into their own hash.
    pub struct Relay {
        pub hash: Vec<Vec<u64>>,
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

    pub fn build(n: u32) -> (Kernel<u32>, Relay) {
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

    /// `parts` partitions of the relay model: the partitioning and each partition's kernel and
    /// world, ready to run.
    pub fn partitions(parts: u32) -> (Partitioning, Vec<(Kernel<u32>, Relay)>) {
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
        (p, runs)
    }

    /// Partition `part`'s actors' hashes: (kind, index, hash).
    pub fn relay_part(w: &Relay, p: &Partitioning, part: u32) -> Vec<(u8, u32, u64)> {
        let mut mine = Vec::new();
        for kind in 0..2u8 {
            for (i, &h) in w.hash[kind as usize].iter().enumerate() {
                if p.of(ActorId::new(Kind(kind), i as u32)) == part {
                    mine.push((kind, i as u32, h));
                }
            }
        }
        mine
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::*;
    use super::*;
    use crate::actor::Kind;

    #[test]
    fn partitions_side_by_side_equal_the_sequential_run() {
        let end = SimTime(200_000);
        let (mut seq, mut seq_world) = build(50);
        let stats = seq.run(&mut seq_world, end, &mut |_, _| {});
        for parts in [1, 2, 3, 4] {
            let (p, runs) = partitions(parts);
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

#[cfg(test)]
mod over_timely {
    use super::tests_support::*;
    use super::timely::{connect, run, Cluster};
    use crate::time::SimTime;
    use std::time::Duration;

    /// Partitions on timely workers (threads of one process here; processes are tested on the
    /// binary) give the sequential run's results, end state shipped to partition 0 included.
    #[test]
    fn partitions_on_timely_equal_the_sequential_run() {
        let end = SimTime(200_000);
        let (mut seq, mut seq_world) = build(50);
        let stats = seq.run(&mut seq_world, end, &mut |_, _| {});
        for parts in [1u32, 3] {
            let (p, runs) = partitions(parts);
            let cluster = Cluster {
                processes: 1,
                process: 0,
                threads: parts as usize,
                addresses: vec!["127.0.0.1:0".into()],
                connect_timeout: Duration::from_secs(1),
                check: 0,
            };
            let route = p.clone();
            let ended = run(
                connect(cluster).unwrap(),
                runs,
                end,
                move |w: &Relay, part| relay_part(w, &route, part),
            )
            .unwrap()
            .expect("process 0 gets the end");
            let (kernel, mut world) = (ended.kernel, ended.world);
            for part in ended.worlds {
                for (kind, i, h) in part {
                    world.hash[kind as usize][i as usize] = h;
                }
            }
            assert_eq!(world.hash, seq_world.hash, "{parts} partitions");
            assert_eq!(kernel.events(), stats.events);
            assert_eq!(kernel.pending() as u64, stats.pending);
            assert_eq!(kernel.metrics.counters(), seq.metrics.counters());
            assert_eq!(ended.stats.len(), parts as usize);
        }
    }
}
