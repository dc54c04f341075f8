//! The pending-event set: a monotone radix heap on time whose lowest level is a sorted run.
//!
//! Events leave in the total order `(time, tie)`. Because simulated time never goes backwards,
//! a radix heap (Ahuja, Mehlhorn, Orlin, Tarjan 1990) gives O(1) pushes and amortised
//! O(levels) pops with sequential memory access; that beats a binary heap's pointer-chasing
//! on large pending sets (see `cargo bench -p dccsim-sim --bench phold`). The events of the
//! current 256 µs window are sorted once when the window opens; events pushed into the open
//! window go to a small binary heap merged on pop, so the pop order is exactly that of a
//! `BinaryHeap<Reverse<(time, tie)>>` holding the same events.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One scheduled message.
#[derive(Copy, Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Event<M> {
    /// Delivery time, µs.
    pub time: u64,
    /// Tie-break among events with equal time: `(sender id << 32) | sender's sequence number`.
    pub tie: u64,
    /// Receiving actor (raw [`crate::ActorId`]).
    pub to: u32,
    pub msg: M,
}

impl<M> Event<M> {
    /// The total-order key.
    #[inline(always)]
    fn key(&self) -> (u64, u64) {
        (self.time, self.tie)
    }
}

/// Reversed order on `(time, tie)`, so that std's max-heap pops the earliest event.
#[derive(Copy, Clone)]
struct Earliest<M>(Event<M>);

impl<M> PartialEq for Earliest<M> {
    fn eq(&self, other: &Self) -> bool {
        self.0.key() == other.0.key()
    }
}
impl<M> Eq for Earliest<M> {}
impl<M> PartialOrd for Earliest<M> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<M> Ord for Earliest<M> {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.key().cmp(&self.0.key())
    }
}

/// Bits of time resolved per radix level: a level has `2^DIGIT_BITS` buckets. The lowest digit is
/// not bucketed: it is the window kept as a sorted run.
const DIGIT_BITS: u32 = 8;
const DIGITS: usize = 1 << DIGIT_BITS;
/// Bucketed levels, `1..=7`, cover the upper 56 bits of 64-bit times; arrays are sized for a
/// power of two so that indexing needs a mask, not a division.
const LEVELS: usize = 8;
const WORDS_PER_LEVEL: usize = DIGITS / 64;
/// How many events ahead [`EventQueue::pop_until`] names receivers to prefetch, in two stages:
/// far enough to cover a memory access (~100 ns) at ~10 M events/s, few enough for the CPU's miss
/// buffers. The kernel prefetches the far receiver's clock, then, once that has arrived, the
/// random-number cache slot its next draw will use.
pub const PREFETCH_AHEAD: [usize; 2] = [8, 4];
/// Scratch and run allocations above this many events are freed after use rather than kept.
const KEEP_CAPACITY: usize = 1 << 16;
/// Most drained-bucket allocations kept for reuse.
const MAX_SPARE: usize = 16;
/// Runs up to this long are sorted by comparison, longer ones by bucket sort.
const SMALL_RUN: usize = 4;

/// Monotone priority queue of events keyed by `(time, tie)`.
///
/// A radix heap with base `2^DIGIT_BITS`. An event whose time agrees with `now` in all but the
/// lowest digit is in the open window (`run` or `fresh`); any other sits in bucket
/// `(level, digit)`, where `level ≥ 1` is the highest base-256 digit in which its time differs
/// from `now` and `digit` is its time's value there. When the window empties, the earliest bucket
/// is opened: a level-1 bucket becomes the new run as it stands (one sort, no copy); a higher
/// one is spread over lower levels. So an event moves at most once per level — for PHOLD's ~1 s
/// delays at most once — instead of once per bit as in a binary radix heap.
pub struct EventQueue<M> {
    /// The last popped event's time, or after a window opened, the time of its first event.
    now: u64,
    /// The open window's events as sorted when it opened, latest first (the next one is last).
    run: Vec<Earliest<M>>,
    /// Events pushed into the open window after it opened (zero-delay sends, seeding at 0).
    fresh: BinaryHeap<Earliest<M>>,
    /// `buckets[(level - 1) * DIGITS + digit]`: events filed as described above.
    buckets: Box<[Vec<Earliest<M>>; LEVELS * DIGITS]>,
    /// Bit `level` set when that level has a non-empty bucket.
    levels: u32,
    /// Per level (index `level - 1`), bit `digit` set when that bucket is non-empty.
    digits: [[u64; WORDS_PER_LEVEL]; LEVELS],
    len: usize,
    /// Allocations of drained buckets, handed to buckets that start filling: without it every
    /// bucket of a newly reached time range grows by doubling, copying its events each time.
    spare: Vec<Vec<Earliest<M>>>,
    /// Bucket-sort scratch: per µs slot the last event chained into it, each event's successor
    /// in its slot, and the output buffer.
    heads: Box<[u32; DIGITS]>,
    chain: Vec<u32>,
    scratch: Vec<Earliest<M>>,
}

impl<M: Copy> Default for EventQueue<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Copy> EventQueue<M> {
    pub fn new() -> Self {
        let buckets: Vec<Vec<Earliest<M>>> = (0..LEVELS * DIGITS).map(|_| Vec::new()).collect();
        EventQueue {
            now: 0,
            run: Vec::new(),
            fresh: BinaryHeap::new(),
            buckets: buckets
                .into_boxed_slice()
                .try_into()
                .unwrap_or_else(|_| unreachable!("bucket count is LEVELS * DIGITS")),
            levels: 0,
            digits: [[0; WORDS_PER_LEVEL]; LEVELS],
            len: 0,
            spare: Vec::new(),
            heads: Box::new([0; DIGITS]),
            chain: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Number of pending events.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Every pending event, in no particular order: for an end-of-run account of what is still
    /// on its way (never on the hot path).
    pub fn iter(&self) -> impl Iterator<Item = &Event<M>> {
        self.run
            .iter()
            .chain(self.fresh.iter())
            .chain(self.buckets.iter().flatten())
            .map(|e| &e.0)
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The time of the last popped event (or of the next one, once peeked at): the queue's lower
    /// bound for new events.
    #[inline]
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Files an event outside the open window into its bucket relative to `now`.
    #[inline(always)]
    fn file(&mut self, ev: Earliest<M>) {
        let top_bit = 63 - (ev.0.time ^ self.now).leading_zeros();
        let level = (top_bit / DIGIT_BITS) as usize;
        debug_assert!(level >= 1, "event in the open window filed in a bucket");
        let digit = (ev.0.time >> (level as u32 * DIGIT_BITS)) as usize & (DIGITS - 1);
        // The masks only let the compiler drop bounds checks: the indices are in range anyway.
        let l = (level - 1) & (LEVELS - 1);
        let bucket = &mut self.buckets[(l * DIGITS + digit) & (LEVELS * DIGITS - 1)];
        if bucket.capacity() == 0 {
            if let Some(spare) = self.spare.pop() {
                *bucket = spare;
            }
        }
        bucket.push(ev);
        self.levels |= 1 << level;
        self.digits[l][digit / 64] |= 1 << (digit % 64);
    }

    /// Adds an event. Its time must not be earlier than the last popped event's.
    #[inline]
    pub fn push(&mut self, ev: Event<M>) {
        debug_assert!(
            ev.time >= self.now,
            "event at {} scheduled in the past (now {})",
            ev.time,
            self.now
        );
        self.len += 1;
        if ev.time ^ self.now < DIGITS as u64 {
            self.fresh.push(Earliest(ev));
        } else {
            self.file(Earliest(ev));
        }
    }

    /// Time of the next event without removing it.
    #[inline]
    pub fn peek_time(&mut self) -> Option<u64> {
        if !self.ready() {
            return None;
        }
        match (self.run.last(), self.fresh.peek()) {
            (Some(r), Some(f)) => Some(r.0.time.min(f.0.time)),
            (r, f) => r.or(f).map(|e| e.0.time),
        }
    }

    /// Removes and returns the smallest event by `(time, tie)`.
    #[inline]
    pub fn pop(&mut self) -> Option<Event<M>> {
        self.pop_until(u64::MAX, &mut |_, _| {})
    }

    /// Removes and returns the smallest event if its time is at most `end`. Calls `soon(to, stage)`
    /// for the events `PREFETCH_AHEAD[stage]` places further on (when known): the kernel
    /// prefetches those receivers' state, which with a million actors is otherwise a cache miss
    /// per event.
    #[inline]
    pub fn pop_until(&mut self, end: u64, soon: &mut impl FnMut(u32, usize)) -> Option<Event<M>> {
        if !self.ready() {
            return None;
        }
        let from_fresh = match (self.run.last(), self.fresh.peek()) {
            (Some(r), Some(f)) => f.0.key() < r.0.key(),
            (_, f) => f.is_some(),
        };
        let ev = if from_fresh {
            if self.fresh.peek()?.0.time > end {
                return None;
            }
            self.fresh.pop()?.0
        } else {
            if self.run.last()?.0.time > end {
                return None;
            }
            let ev = self.run.pop()?.0;
            for (stage, &distance) in PREFETCH_AHEAD.iter().enumerate() {
                if let Some(ahead) = self.run.len().checked_sub(distance) {
                    soon(self.run[ahead].0.to, stage);
                }
            }
            ev
        };
        self.len -= 1;
        self.now = ev.time;
        Some(ev)
    }

    /// Makes sure the open window holds the next event; false when nothing is pending.
    #[inline]
    fn ready(&mut self) -> bool {
        if !self.run.is_empty() {
            return true;
        }
        if self.fresh.len() > 1 {
            // Many events pushed into the window (say, a population seeded at time 0): one sort
            // beats that many heap pops. The run is empty, so swap allocations.
            let fresh = std::mem::take(&mut self.fresh).into_vec();
            self.fresh = std::mem::replace(&mut self.run, fresh).into();
            self.sort_run();
            return true;
        }
        !self.fresh.is_empty() || self.open_window()
    }

    /// Sorts the run latest first. All its events share every time digit but the lowest, so a
    /// bucket sort on that digit does it in O(n): chain each event into its µs slot, then walk
    /// the occupied slots (a 256-bit map) from the latest, ordering the rare equal-time groups by
    /// tie. On PHOLD (~25 events a window) it takes a fifth fewer instructions than
    /// `sort_unstable`, and far fewer on crowded windows.
    fn sort_run(&mut self) {
        let n = self.run.len();
        if n <= SMALL_RUN {
            if n > 1 {
                self.run
                    .sort_unstable_by_key(|e| std::cmp::Reverse(e.0.key()));
            }
            return;
        }
        const END: u32 = u32::MAX;
        let mut occupied = [0u64; WORDS_PER_LEVEL];
        let heads = &mut self.heads;
        self.chain.clear();
        self.chain.resize(n, END);
        for (i, (e, next)) in self.run.iter().zip(self.chain.iter_mut()).enumerate() {
            let slot = e.0.time as usize % DIGITS;
            let (word, bit) = (slot / 64, 1u64 << (slot % 64));
            if occupied[word] & bit != 0 {
                *next = heads[slot];
            }
            occupied[word] |= bit;
            heads[slot] = i as u32;
        }
        self.scratch.clear();
        self.scratch.reserve(n);
        for (word, mut bits) in occupied.into_iter().enumerate().rev() {
            while bits != 0 {
                let top = 63 - bits.leading_zeros() as usize;
                bits ^= 1 << top;
                let group = self.scratch.len();
                let mut i = heads[(word * 64 + top) % DIGITS] as usize;
                while let Some(e) = self.run.get(i) {
                    self.scratch.push(*e);
                    i = self.chain[i] as usize;
                }
                if self.scratch.len() - group > 1 {
                    self.scratch[group..].sort_unstable_by_key(|e| std::cmp::Reverse(e.0.tie));
                }
            }
        }
        std::mem::swap(&mut self.run, &mut self.scratch);
        if n > KEEP_CAPACITY {
            // A one-off crowd (say, a population seeded at time 0): do not keep its scratch.
            self.scratch = Vec::new();
            self.chain = Vec::new();
        }
    }

    /// Opens the window of the earliest pending event (`run` and `fresh` are empty); false when
    /// nothing is pending.
    fn open_window(&mut self) -> bool {
        if self.levels == 0 {
            return false;
        }
        let level = self.levels.trailing_zeros() as usize;
        let words = &mut self.digits[level - 1];
        let w = words
            .iter()
            .position(|&w| w != 0)
            .expect("level bit set but no digit");
        let digit = w * 64 + words[w].trailing_zeros() as usize;
        words[w] &= words[w] - 1;
        if words.iter().all(|&w| w == 0) {
            self.levels &= !(1 << level);
        }
        let index = (level - 1) * DIGITS + digit;
        let mut bucket = std::mem::take(&mut self.buckets[index]);
        let min = bucket
            .iter()
            .map(|e| e.0.time)
            .min()
            .expect("occupied bucket is empty");
        self.now = min;
        if level == 1 {
            // The whole bucket is one window: it becomes the run, swapping allocations.
            let old_run = std::mem::replace(&mut self.run, bucket);
            if old_run.capacity() <= KEEP_CAPACITY {
                self.buckets[index] = old_run;
            }
        } else {
            for ev in bucket.drain(..) {
                if ev.0.time ^ min < DIGITS as u64 {
                    self.run.push(ev);
                } else {
                    debug_assert!(
                        (63 - (ev.0.time ^ min).leading_zeros()) / DIGIT_BITS < level as u32,
                        "radix heap invariant: redistribution must move down"
                    );
                    self.file(ev);
                }
            }
            // Recycle the drained bucket's allocation (a bounded number of them).
            if self.spare.len() < MAX_SPARE {
                self.spare.push(bucket);
            }
        }
        self.sort_run();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::cmp::Reverse;

    fn ev(time: u64, tie: u64) -> Event<u32> {
        Event {
            time,
            tie,
            to: 0,
            msg: 0,
        }
    }

    #[test]
    fn equal_times_leave_in_tie_order() {
        let mut q = EventQueue::new();
        for tie in [5, 1, 9, 3] {
            q.push(ev(10, tie));
        }
        q.push(ev(4, 100));
        let order: Vec<_> = std::iter::from_fn(|| q.pop())
            .map(|e| (e.time, e.tie))
            .collect();
        assert_eq!(order, vec![(4, 100), (10, 1), (10, 3), (10, 5), (10, 9)]);
    }

    #[test]
    fn iter_sees_exactly_the_pending_events() {
        let mut q = EventQueue::new();
        // Spread over the open window, the fresh heap and several bucket levels.
        for (i, time) in [3u64, 3, 200, 70_000, 9_000_000, 1 << 40]
            .into_iter()
            .enumerate()
        {
            q.push(Event {
                time,
                tie: i as u64,
                to: 0,
                msg: i as u32,
            });
        }
        assert_eq!(q.pop().unwrap().msg, 0);
        q.push(Event {
            time: 3,
            tie: 99,
            to: 0,
            msg: 6,
        });
        let mut seen: Vec<u32> = q.iter().map(|e| e.msg).collect();
        seen.sort_unstable();
        assert_eq!(seen, vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(q.iter().count(), q.len());
    }

    #[test]
    fn zero_delay_push_joins_the_current_instant() {
        let mut q = EventQueue::new();
        q.push(ev(10, 2));
        q.push(ev(10, 8));
        assert_eq!(q.pop().unwrap().tie, 2);
        q.push(ev(10, 5)); // sent at time 10 with zero delay
        assert_eq!(q.pop().unwrap().tie, 5);
        assert_eq!(q.pop().unwrap().tie, 8);
        assert!(q.pop().is_none());
    }

    proptest! {
        /// Crowded windows (hundreds of events within 256 µs, many at equal times) are sorted by
        /// bucket sort; they too must come out exactly as from a binary heap.
        #[test]
        fn crowded_windows_match_binary_heap(
            events in prop::collection::vec((0u64..600, 0u64..50), 1..3_000),
            pops in 0usize..3_000,
        ) {
            let mut q = EventQueue::new();
            let mut reference = BinaryHeap::new();
            for &(offset, tie) in &events {
                q.push(ev(5_000 + offset, tie));
                reference.push(Reverse((5_000 + offset, tie)));
            }
            let mut now = 0;
            for (i, &(offset, tie)) in events.iter().enumerate().take(pops) {
                let Reverse((t, tb)) = reference.pop().unwrap();
                let a = q.pop().unwrap();
                prop_assert_eq!((a.time, a.tie), (t, tb));
                now = t;
                // Push into the open window now and then, including at the current instant.
                if i % 3 == 0 {
                    let time = now + offset % 5;
                    q.push(ev(time, tie));
                    reference.push(Reverse((time, tie)));
                }
            }
            while let Some(Reverse((t, tb))) = reference.pop() {
                let a = q.pop().unwrap();
                prop_assert_eq!((a.time, a.tie), (t, tb));
            }
            prop_assert!(q.pop().is_none());
            let _ = now;
        }

        /// Any interleaving of monotone pushes and pops gives the same sequence as a binary heap.
        #[test]
        fn matches_binary_heap(ops in prop::collection::vec((0u8..3, 0u64..5_000, 0u64..8), 1..2_000)) {
            let mut q = EventQueue::new();
            let mut reference = BinaryHeap::new();
            let mut now = 0u64;
            for (op, delay, tie) in ops {
                if op == 0 {
                    match (q.pop(), reference.pop()) {
                        (Some(a), Some(Reverse((t, tb)))) => {
                            prop_assert_eq!((a.time, a.tie), (t, tb));
                            now = t;
                        }
                        (None, None) => {}
                        (a, b) => prop_assert!(false, "queue {:?} vs reference {:?}", a.map(|e| e.time), b),
                    }
                } else {
                    // Small delays (including zero) make many equal times; large ones spread buckets.
                    let time = now + if op == 1 { delay % 4 } else { delay * 977 };
                    q.push(ev(time, tie));
                    reference.push(Reverse((time, tie)));
                }
                prop_assert_eq!(q.len(), reference.len());
            }
            while let Some(Reverse((t, tb))) = reference.pop() {
                let a = q.pop().unwrap();
                prop_assert_eq!((a.time, a.tie), (t, tb));
            }
            prop_assert!(q.pop().is_none());
        }
    }
}
