//! The sequential event loop and the context a handler sees.

use crate::actor::{ActorId, Kind, MAX_KINDS};
use crate::metrics::{CounterId, FlowId, GaugeId, Metrics};
use crate::partition::Partitioning;
use crate::prefetch::prefetch;
use crate::queue::{Event, EventQueue};
use crate::rng::{BuilderStreams, RandomStreams, StreamRng};
use crate::time::{SimDuration, SimTime};
use std::collections::BinaryHeap;

/// A world: owns its actors (plain structs in per-kind `Vec`s) and routes each message to the
/// handler of the actor it is addressed to.
pub trait World {
    /// The world's one message type: small and `Copy` (DESIGN: ≤ 32 bytes).
    type Msg: Copy;

    /// Delivers `msg` to actor `to`. The handler may change only that actor's state, and act on the
    /// world outside it only through `ctx`.
    fn handle(&mut self, to: ActorId, msg: Self::Msg, ctx: &mut Ctx<'_, Self::Msg>);
}

/// Per-actor bookkeeping the kernel keeps beside the world's own state (16 bytes an actor).
#[derive(Copy, Clone, Default, Debug)]
pub struct ActorClock {
    /// Messages this actor has sent; the low half of their tie-break.
    pub sent: u32,
    /// 64-bit random draws this actor has taken from its stream.
    pub draws: u64,
}

/// What a handler may do: read the time, send messages, draw random numbers, record metrics.
pub struct Ctx<'a, M> {
    now: SimTime,
    me: ActorId,
    clock: &'a mut ActorClock,
    queue: &'a mut EventQueue<M>,
    streams: &'a mut RandomStreams,
    metrics: &'a mut Metrics,
    /// The run's partitioning, when it is partitioned: sends across partitions are checked
    /// against its lookahead (debug builds).
    partitioning: Option<&'a Partitioning>,
    /// The partition this kernel runs, when it is one of several running side by side: sends to
    /// another partition go to `outbox` instead of the queue.
    here: Option<u32>,
    outbox: &'a mut Vec<Event<M>>,
    early: &'a mut BinaryHeap<Early<M>>,
}

/// An event earlier than the queue's lower bound (see [`Kernel::deliver`]), earliest first.
struct Early<M>(Event<M>);

impl<M> PartialEq for Early<M> {
    fn eq(&self, other: &Self) -> bool {
        (self.0.time, self.0.tie) == (other.0.time, other.0.tie)
    }
}
impl<M> Eq for Early<M> {}
impl<M> PartialOrd for Early<M> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<M> Ord for Early<M> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.0.time, other.0.tie).cmp(&(self.0.time, self.0.tie))
    }
}

impl<M: Copy> Ctx<'_, M> {
    /// Current simulated time.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The actor being run.
    #[inline]
    pub fn me(&self) -> ActorId {
        self.me
    }

    /// Sends `msg` to `to`, delivered after `delay` (zero is allowed: same instant, later in order).
    #[inline]
    pub fn send(&mut self, to: ActorId, delay: SimDuration, msg: M) {
        debug_assert!(
            self.partitioning
                .is_none_or(|p| p.allows(self.me, to, delay)),
            "{:?} sent to {to:?} in another partition after {delay}, below the lookahead {}",
            self.me,
            self.partitioning
                .map_or(SimDuration::ZERO, |p| p.lookahead()),
        );
        let tie = ((self.me.raw() as u64) << 32) | self.clock.sent as u64;
        self.clock.sent = self.clock.sent.wrapping_add(1);
        let ev = Event {
            time: self.now.as_micros().saturating_add(delay.as_micros()),
            tie,
            to: to.raw(),
            msg,
        };
        match (self.here, self.partitioning) {
            (Some(here), Some(p)) if p.of(to) != here => self.outbox.push(ev),
            (Some(_), _) if ev.time < self.queue.now() => self.early.push(Early(ev)),
            _ => self.queue.push(ev),
        }
    }

    /// Sends `msg` to this actor after `delay`: a timer.
    #[inline]
    pub fn wake_after(&mut self, delay: SimDuration, msg: M) {
        let me = self.me;
        self.send(me, delay, msg);
    }

    /// This actor's random stream.
    #[inline]
    pub fn rng(&mut self) -> StreamRng<'_> {
        self.streams
            .stream(self.me.raw() as u64, &mut self.clock.draws)
    }

    /// A second stream of this actor, kept apart for one concern (`purpose`), whose draw count
    /// the actor stores itself: draws taken for that concern never shift the actor's main stream
    /// (nor the other way round), so one concern's numbers cannot depend on another's.
    #[inline]
    pub fn side_rng<'b>(&'b mut self, purpose: u16, draws: &'b mut u64) -> StreamRng<'b> {
        // Builder streams use 1 << 32 | purpose; side streams start at 2 << 32.
        let stream = ((2 + purpose as u64) << 32) | self.me.raw() as u64;
        self.streams.stream(stream, draws)
    }

    #[inline]
    pub fn count(&mut self, c: CounterId, n: u64) {
        self.metrics.add(c, n);
    }

    #[inline]
    pub fn gauge_add(&mut self, g: GaugeId, delta: i64) {
        self.metrics.gauge_add(g, delta);
    }

    #[inline]
    pub fn record(&mut self, f: FlowId, latency: SimDuration) {
        self.metrics.record(f, latency);
    }

    /// Adds `n` to counter `c` as of `at` (now or later): what happens at `at` counted by an
    /// actor that acts ahead of it (see [`Metrics::add_at`]).
    #[inline]
    pub fn count_at(&mut self, c: CounterId, n: u64, at: SimTime) {
        if at <= self.now {
            self.metrics.add(c, n);
        } else {
            self.metrics.add_at(c, n, at);
        }
    }

    /// Adds `delta` to gauge `g` as of `at` (now or later; see [`Metrics::gauge_add_at`]).
    #[inline]
    pub fn gauge_add_at(&mut self, g: GaugeId, delta: i64, at: SimTime) {
        if at <= self.now {
            self.metrics.gauge_add(g, delta);
        } else {
            self.metrics.gauge_add_at(g, delta, at);
        }
    }

    /// Metrics, for rare operations such as registering a counter on first use.
    pub fn metrics(&mut self) -> &mut Metrics {
        self.metrics
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunStats {
    /// Events handled (all at times ≤ the end).
    pub events: u64,
    /// Events still pending after the end.
    pub pending: u64,
    pub end: SimTime,
}

/// The kernel: pending events, actor clocks, random streams and metrics of one run.
pub struct Kernel<M> {
    queue: EventQueue<M>,
    clocks: Vec<Vec<ActorClock>>,
    streams: RandomStreams,
    pub metrics: Metrics,
    sample_every: Option<SimDuration>,
    next_sample: SimTime,
    events: u64,
    partitioning: Option<Partitioning>,
    /// The partition this kernel runs when partitions run side by side (see [`Kernel::keep_only`]).
    here: Option<u32>,
    /// Events sent to other partitions since the last [`Kernel::take_outbox`].
    outbox: Vec<Event<M>>,
    /// Events due before the queue's lower bound (`EventQueue::now`, which peeking past a
    /// window's end moves on): every one of them comes before every event in the queue.
    early: BinaryHeap<Early<M>>,
}

impl<M: Copy> Kernel<M> {
    /// A kernel for a run with `seed`; gauges are sampled every `sample_every` if given.
    pub fn new(seed: u64, sample_every: Option<SimDuration>) -> Self {
        assert!(
            sample_every.is_none_or(|d| d.as_micros() > 0),
            "sampling interval must be positive"
        );
        Kernel {
            queue: EventQueue::new(),
            clocks: (0..MAX_KINDS).map(|_| Vec::new()).collect(),
            streams: RandomStreams::new(seed),
            metrics: Metrics::new(),
            sample_every,
            next_sample: SimTime::ZERO,
            events: 0,
            partitioning: None,
            here: None,
            outbox: Vec::new(),
            early: BinaryHeap::new(),
        }
    }

    /// Places the actors over partitions: from now on every send across two partitions must
    /// take at least the partitioning's lookahead (checked in debug builds).
    pub fn set_partitioning(&mut self, partitioning: Partitioning) {
        self.partitioning = Some(partitioning);
    }

    /// The run's partitioning, if it has one.
    pub fn partitioning(&self) -> Option<&Partitioning> {
        self.partitioning.as_ref()
    }

    /// Makes room for actors `0..count` of `kind` (it never shrinks).
    pub fn ensure_actors(&mut self, kind: Kind, count: u32) {
        let v = &mut self.clocks[kind.0 as usize];
        if v.len() < count as usize {
            v.resize(count as usize, ActorClock::default());
        }
    }

    /// A context acting as `who` at the current time, for seeding initial events and for world
    /// building: its sends and draws count as `who`'s own.
    pub fn ctx_for(&mut self, who: ActorId) -> Ctx<'_, M> {
        let now = SimTime(self.queue.now());
        let clock = self.clocks[who.kind().0 as usize]
            .get_mut(who.index() as usize)
            .unwrap_or_else(|| panic!("actor {who:?} was not registered with ensure_actors"));
        Ctx {
            now,
            me: who,
            clock,
            queue: &mut self.queue,
            streams: &mut self.streams,
            metrics: &mut self.metrics,
            partitioning: self.partitioning.as_ref(),
            here: self.here,
            outbox: &mut self.outbox,
            early: &mut self.early,
        }
    }

    /// A random stream outside every actor's (e.g. for building the population), by purpose number.
    pub fn builder_rng<'a>(&'a mut self, purpose: u32, draws: &'a mut u64) -> StreamRng<'a> {
        self.streams
            .stream(crate::rng::builder_stream(purpose), draws)
    }

    /// An owned copy of the builder streams, for world-building threads: its draws equal
    /// [`Self::builder_rng`]'s.
    pub fn builder_streams(&self) -> BuilderStreams {
        BuilderStreams::new(&self.streams)
    }

    /// Number of pending events.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// The messages of every pending event, in no particular order: what is still on its way when
    /// a run stops (the world accounts for it; never used on the hot path).
    pub fn pending_messages(&self) -> impl Iterator<Item = &M> {
        self.queue.iter().map(|e| &e.msg)
    }

    /// Events handled so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Runs every event with time ≤ `end`, calling `progress(now, events)` every `2^20` events.
    pub fn run<W: World<Msg = M>>(
        &mut self,
        world: &mut W,
        end: SimTime,
        progress: &mut dyn FnMut(SimTime, u64),
    ) -> RunStats {
        while let Some(t) = self.step(world, end.as_micros()) {
            if self.events & ((1 << 20) - 1) == 0 {
                progress(SimTime(t), self.events);
            }
        }
        self.stop(end)
    }

    /// Handles the next event if its time is at most `limit`, returning that time.
    #[inline(always)]
    fn step<W: World<Msg = M>>(&mut self, world: &mut W, limit: u64) -> Option<u64> {
        // Pop the next event (if not after `limit`), prefetching the clocks and random-number
        // cache slots of the receivers a few events ahead.
        let (clocks, streams) = (&self.clocks, &self.streams);
        let mut soon = |raw: u32, stage: usize| {
            let to = ActorId::from_raw(raw);
            if let Some(clock) = clocks[to.kind().0 as usize].get(to.index() as usize) {
                if stage == 0 {
                    prefetch(clock);
                } else {
                    // The clock should be cached by now; fetch the block cache slot too.
                    streams.prefetch(raw as u64, clock.draws);
                }
            }
        };
        let ev = match self.early.peek() {
            None => self.queue.pop_until(limit, &mut soon)?,
            Some(e) if e.0.time <= limit => self.early.pop()?.0,
            Some(_) => return None,
        };
        self.sample_up_to(SimTime(ev.time), false);
        let to = ActorId::from_raw(ev.to);
        let clock = &mut self.clocks[to.kind().0 as usize][to.index() as usize];
        let mut ctx = Ctx {
            now: SimTime(ev.time),
            me: to,
            clock,
            queue: &mut self.queue,
            streams: &mut self.streams,
            metrics: &mut self.metrics,
            partitioning: self.partitioning.as_ref(),
            here: self.here,
            outbox: &mut self.outbox,
            early: &mut self.early,
        };
        world.handle(to, ev.msg, &mut ctx);
        self.events += 1;
        Some(ev.time)
    }

    /// Ends a run at `end`: takes the gauge samples left up to it, applies the metric adds
    /// dated up to it and files the flows' samples.
    fn stop(&mut self, end: SimTime) -> RunStats {
        self.sample_up_to(end, true);
        self.metrics.apply_due(end);
        self.metrics.settle();
        RunStats {
            events: self.events,
            pending: self.queue.len() as u64,
            end,
        }
    }

    /// Makes this kernel run partition `part` of its partitioning, side by side with the others:
    /// it keeps only the pending events of its own actors (each partition's kernel, built the same
    /// way, keeps its own), and from now on sends to other partitions go to its outbox.
    ///
    /// # Panics
    /// Without a partitioning.
    pub fn keep_only(&mut self, part: u32) {
        let p = self
            .partitioning
            .as_ref()
            .expect("a partitioned kernel has a partitioning");
        let mut kept = EventQueue::new();
        for ev in self.queue.iter() {
            if p.of(ActorId::from_raw(ev.to)) == part {
                kept.push(*ev);
            }
        }
        self.queue = kept;
        self.here = Some(part);
    }

    /// Time of the next pending event, µs.
    pub fn next_time(&mut self) -> Option<u64> {
        match self.early.peek() {
            Some(e) => Some(e.0.time),
            None => self.queue.peek_time(),
        }
    }

    /// Runs the events with time before `until` and at most `end` (one window of a partitioned
    /// run); returns how many it handled.
    pub fn run_window<W: World<Msg = M>>(
        &mut self,
        world: &mut W,
        until: u64,
        end: SimTime,
    ) -> u64 {
        let limit = until.saturating_sub(1).min(end.as_micros());
        let before = self.events;
        while self.step(world, limit).is_some() {}
        self.events - before
    }

    /// The events sent to other partitions since the last call.
    pub fn take_outbox(&mut self) -> Vec<Event<M>> {
        std::mem::take(&mut self.outbox)
    }

    /// Adds an event another partition sent to one of this kernel's actors. It is due at or
    /// after the window's end, but may come before the queue's lower bound (the queue looked
    /// past the window for its next event): then it waits apart, ahead of the queue.
    pub fn deliver(&mut self, ev: Event<M>) {
        if ev.time < self.queue.now() {
            self.early.push(Early(ev));
        } else {
            self.queue.push(ev);
        }
    }

    /// Ends a partition's run at `end` (see [`Kernel::run`]).
    pub fn finish_window_run(&mut self, end: SimTime) -> RunStats {
        self.refile(std::iter::empty());
        self.stop(end)
    }

    /// Takes in another partition's kernel at the end of a partitioned run: its pending events
    /// and event count, and its metrics added to these (see [`Metrics::absorb`]). Afterwards this
    /// kernel holds what the sequential run's would.
    pub fn absorb(&mut self, mut other: Kernel<M>) {
        other.refile(std::iter::empty());
        self.refile(other.queue.iter().copied());
        self.events += other.events;
        self.metrics.absorb(&other.metrics);
    }

    /// Files the pending events, the early ones and `more` into a fresh queue (at the end of a
    /// partitioned run, when only what is pending matters, not the queue's position in time).
    fn refile(&mut self, more: impl Iterator<Item = Event<M>>) {
        let mut all = EventQueue::new();
        let early = std::mem::take(&mut self.early).into_vec();
        for ev in self
            .queue
            .iter()
            .copied()
            .chain(early.into_iter().map(|e| e.0))
            .chain(more)
        {
            all.push(ev);
        }
        self.queue = all;
    }

    /// Takes gauge samples at every sampling instant before `t` (or up to and including `t`).
    fn sample_up_to(&mut self, t: SimTime, inclusive: bool) {
        let Some(every) = self.sample_every else {
            return;
        };
        while self.next_sample < t || (inclusive && self.next_sample == t) {
            self.metrics.sample(self.next_sample);
            self.next_sample = self.next_sample.after(every);
        }
    }
}

/// A partition's kernel at the end of a partitioned run, as another process ships it to process
/// 0: what [`Kernel::absorb`] takes from a kernel.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct KernelEnd<M> {
    /// Its pending events (early ones included), in no particular order.
    pub pending: Vec<Event<M>>,
    /// Events it handled.
    pub events: u64,
    pub metrics: Metrics,
}

impl<M: Copy> Kernel<M> {
    /// This kernel's end state for [`Kernel::absorb_end`] in another process.
    pub fn into_end(mut self) -> KernelEnd<M> {
        self.refile(std::iter::empty());
        KernelEnd {
            pending: self.queue.iter().copied().collect(),
            events: self.events,
            metrics: self.metrics,
        }
    }

    /// [`Kernel::absorb`] for a kernel that ran in another process.
    pub fn absorb_end(&mut self, other: KernelEnd<M>) {
        self.refile(other.pending.into_iter());
        self.events += other.events;
        self.metrics.absorb(&other.metrics);
    }
}

impl ActorId {
    /// Rebuilds an id from [`ActorId::raw`].
    #[inline]
    pub fn from_raw(raw: u32) -> Self {
        ActorId::new(
            Kind((raw >> crate::actor::INDEX_BITS) as u8),
            raw & (crate::actor::MAX_PER_KIND - 1),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each actor pings the next one; the log shows delivery order.
    struct Ring {
        log: Vec<(u64, u32, u32)>,
        n: u32,
    }

    impl World for Ring {
        type Msg = u32;
        fn handle(&mut self, to: ActorId, hop: u32, ctx: &mut Ctx<'_, u32>) {
            self.log.push((ctx.now().as_micros(), to.index(), hop));
            if hop < 3 {
                let next = ActorId::new(Kind(0), (to.index() + 1) % self.n);
                // Every actor sends at the same instants: tie-breaks decide the order.
                ctx.send(next, SimDuration::from_micros(10), hop + 1);
            }
        }
    }

    #[test]
    fn simultaneous_events_follow_sender_then_sequence() {
        let mut k = Kernel::new(1, None);
        k.ensure_actors(Kind(0), 3);
        for i in (0..3).rev() {
            let id = ActorId::new(Kind(0), i);
            k.ctx_for(id).send(id, SimDuration::ZERO, 0);
        }
        let mut w = Ring { log: vec![], n: 3 };
        let stats = k.run(&mut w, SimTime(1_000), &mut |_, _| {});
        assert_eq!(stats.events, 12);
        // At t=0 actor 0's own event goes first (sender 0), then 1, then 2.
        assert_eq!(&w.log[..3], &[(0, 0, 0), (0, 1, 0), (0, 2, 0)]);
        // At t=10 deliveries are ordered by sender: 0→1, 1→2, 2→0.
        assert_eq!(&w.log[3..6], &[(10, 1, 1), (10, 2, 1), (10, 0, 1)]);
    }

    #[test]
    fn events_after_the_end_stay_pending() {
        let mut k = Kernel::new(1, Some(SimDuration::from_micros(10)));
        k.ensure_actors(Kind(0), 3);
        let id = ActorId::new(Kind(0), 0);
        k.ctx_for(id).send(id, SimDuration::ZERO, 0);
        let mut w = Ring { log: vec![], n: 3 };
        let stats = k.run(&mut w, SimTime(15), &mut |_, _| {});
        assert_eq!(stats.events, 2);
        assert_eq!(stats.pending, 1);
        assert_eq!(k.metrics.series().times, vec![0, 10]);
    }

    #[test]
    fn side_streams_are_apart_from_the_main_stream_and_each_other() {
        use rand::RngCore;
        let mut k: Kernel<u8> = Kernel::new(5, None);
        k.ensure_actors(Kind(3), 2);
        let a = ActorId::new(Kind(3), 1);
        let (mut side0, mut side1, mut again) = (0u64, 0u64, 0u64);
        let mut ctx = k.ctx_for(a);
        let main_first = ctx.rng().next_u64();
        let s0 = ctx.side_rng(0, &mut side0).next_u64();
        let s1 = ctx.side_rng(1, &mut side1).next_u64();
        // Side draws do not advance the main stream, and the actor keeps their count itself.
        let main_second = ctx.rng().next_u64();
        assert_eq!((side0, side1), (1, 1));
        let s0_again = ctx.side_rng(0, &mut again).next_u64();
        assert_eq!(
            s0, s0_again,
            "a side stream is a function of its draw count"
        );
        let mut fresh: Kernel<u8> = Kernel::new(5, None);
        fresh.ensure_actors(Kind(3), 2);
        let mut ctx = fresh.ctx_for(a);
        assert_eq!(ctx.rng().next_u64(), main_first);
        assert_eq!(ctx.rng().next_u64(), main_second);
        let all = [main_first, main_second, s0, s1];
        for i in 0..all.len() {
            for j in i + 1..all.len() {
                assert_ne!(all[i], all[j]);
            }
        }
        // Nor is a side stream another actor's or a builder stream.
        let mut d = 0;
        assert_ne!(fresh.builder_rng(0, &mut d).next_u64(), s0);
        let b = ActorId::new(Kind(3), 0);
        let mut d = 0;
        assert_ne!(fresh.ctx_for(b).side_rng(0, &mut d).next_u64(), s0);
    }

    /// Draw a few numbers per actor; adding actors (even busier ones) must not change others' draws.
    #[test]
    fn adding_an_actor_leaves_other_draws_unchanged() {
        struct Drawer {
            draws: Vec<Vec<u64>>,
        }
        impl World for Drawer {
            type Msg = u8;
            fn handle(&mut self, to: ActorId, left: u8, ctx: &mut Ctx<'_, u8>) {
                use rand::RngCore;
                let v = ctx.rng().next_u64();
                self.draws[to.index() as usize].push(v);
                if left > 0 {
                    ctx.wake_after(SimDuration::from_micros(3 + to.index() as u64), left - 1);
                }
            }
        }
        let run = |actors: u32| {
            let mut k = Kernel::new(99, None);
            k.ensure_actors(Kind(2), actors);
            for i in 0..actors {
                let id = ActorId::new(Kind(2), i);
                k.ctx_for(id).send(id, SimDuration::ZERO, 5 + i as u8);
            }
            let mut w = Drawer {
                draws: vec![vec![]; actors as usize],
            };
            k.run(&mut w, SimTime(1_000), &mut |_, _| {});
            w.draws
        };
        let few = run(3);
        let more = run(6);
        assert_eq!(few[..], more[..3]);
        assert_ne!(more[3], more[4], "different actors get different numbers");
    }

    /// Raises a gauge and a counter as of the instant its message names (at once when the
    /// event is at that instant, else with dated adds).
    struct Raiser {
        gauge: GaugeId,
        counter: CounterId,
    }

    impl World for Raiser {
        type Msg = u64;
        fn handle(&mut self, _: ActorId, at: u64, ctx: &mut Ctx<'_, u64>) {
            ctx.gauge_add_at(self.gauge, 1, SimTime(at));
            ctx.count_at(self.counter, 1, SimTime(at));
        }
    }

    #[test]
    fn dated_adds_sample_as_adds_made_at_their_instant() {
        // Instants on a sampling boundary (10, 20), between (15), at the end (30) and after it.
        let run = |ahead: u64| {
            let mut k = Kernel::new(1, Some(SimDuration::from_micros(10)));
            k.ensure_actors(Kind(0), 1);
            let gauge = k.metrics.gauge("g".into());
            let counter = k.metrics.counter("c".into());
            let id = ActorId::new(Kind(0), 0);
            for at in [10u64, 15, 20, 30, 31] {
                let wake = if at > 30 {
                    at
                } else {
                    at.saturating_sub(ahead)
                };
                k.ctx_for(id).send(id, SimDuration::from_micros(wake), at);
            }
            let mut w = Raiser { gauge, counter };
            let stats = k.run(&mut w, SimTime(30), &mut |_, _| {});
            let m = &k.metrics;
            let series = (m.series().times.clone(), m.series().values[0].clone());
            (
                stats,
                series,
                m.gauge_value(gauge),
                m.counter_value(counter),
            )
        };
        let at_once = run(0);
        assert_eq!(at_once.1 .1, vec![0, 1, 3, 4]);
        assert_eq!((at_once.2, at_once.3), (4, 4));
        for ahead in [1, 5, 10, 12] {
            assert_eq!(run(ahead), at_once, "{ahead} µs ahead");
        }
    }
}
