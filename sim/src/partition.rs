//! Where each actor runs in a partitioned run, and the lookahead that keeps such a run exact.
//!
//! Partition 0 holds every actor of a *central* kind; a *placed* kind is held whole by one
//! partition; the actors of a *spread* kind are cut into contiguous index blocks over partitions
//! `1..parts` (with one partition, everything is in 0).
//! A message between two partitions must take at least the lookahead: then the events of a window
//! `[t, t + lookahead)` cannot depend on anything another partition does in the same window, which
//! is what lets partitions run side by side and still give the sequential run's results.

use crate::actor::{ActorId, Kind, MAX_KINDS};
use crate::time::SimDuration;

/// The placement of every actor over `parts` partitions, and the smallest delay a message between
/// two of them may have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partitioning {
    parts: u32,
    /// Per kind: where its actors run.
    placement: Vec<Placement>,
    lookahead: SimDuration,
}

/// Where the actors of one kind run.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Placement {
    /// Every actor of the kind in this partition.
    Whole(u32),
    /// Contiguous index blocks over partitions `1..parts`: the first index held by each of the
    /// partitions `2..parts` (partition 1 starts at index 0), ascending.
    Spread(Vec<u32>),
}

impl Partitioning {
    /// `parts` partitions (at least 1), every kind central until [`Partitioning::spread`].
    pub fn new(parts: u32, lookahead: SimDuration) -> Self {
        assert!(parts >= 1, "a run has at least one partition");
        Partitioning {
            parts,
            placement: vec![Placement::Whole(0); MAX_KINDS as usize],
            lookahead,
        }
    }

    /// Spreads `kind` over partitions `1..parts`: partition `k + 2` starts at `starts[k]`.
    ///
    /// # Panics
    /// If `starts` does not hold `parts - 2` ascending indices (a world-building bug).
    pub fn spread(&mut self, kind: Kind, starts: Vec<u32>) {
        assert_eq!(
            starts.len() as u32,
            self.parts.saturating_sub(2),
            "one start per partition after the first premises partition"
        );
        assert!(
            starts.windows(2).all(|w| w[0] <= w[1]),
            "block starts ascend"
        );
        self.placement[kind.0 as usize] = Placement::Spread(starts);
    }

    /// Puts every actor of `kind` in partition `part` (partition 0 when the run has only one).
    ///
    /// # Panics
    /// If `part` is not a partition of this run and the run has more than one (a world-building
    /// bug).
    pub fn place(&mut self, kind: Kind, part: u32) {
        assert!(
            self.parts == 1 || part < self.parts,
            "partition {part} of {}",
            self.parts
        );
        self.placement[kind.0 as usize] = Placement::Whole(part.min(self.parts - 1));
    }

    /// Number of partitions.
    #[inline]
    pub fn parts(&self) -> u32 {
        self.parts
    }

    /// The smallest delay of a message between two partitions.
    #[inline]
    pub fn lookahead(&self) -> SimDuration {
        self.lookahead
    }

    /// The partition `id` runs in.
    #[inline]
    pub fn of(&self, id: ActorId) -> u32 {
        match &self.placement[id.kind().0 as usize] {
            Placement::Whole(part) => *part,
            Placement::Spread(_) if self.parts == 1 => 0,
            Placement::Spread(starts) => 1 + starts.partition_point(|&s| s <= id.index()) as u32,
        }
    }

    /// Whether a message from `from` to `to` after `delay` keeps the run exact: it stays in its
    /// partition, or takes at least the lookahead.
    #[inline]
    pub fn allows(&self, from: ActorId, to: ActorId, delay: SimDuration) -> bool {
        delay >= self.lookahead || self.of(from) == self.of(to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn central_kinds_stay_in_partition_zero_and_spread_kinds_fill_blocks() {
        let mut p = Partitioning::new(4, SimDuration::from_millis(50));
        p.spread(Kind(3), vec![10, 20]);
        assert_eq!(p.of(ActorId::new(Kind(0), 5)), 0);
        let at = |i| p.of(ActorId::new(Kind(3), i));
        assert_eq!(
            (at(0), at(9), at(10), at(19), at(20), at(1_000)),
            (1, 1, 2, 2, 3, 3)
        );
        let (hub, supplier) = (ActorId::new(Kind(3), 15), ActorId::new(Kind(0), 0));
        assert!(p.allows(hub, ActorId::new(Kind(3), 11), SimDuration::ZERO));
        assert!(!p.allows(hub, supplier, SimDuration::from_millis(49)));
        assert!(p.allows(hub, supplier, SimDuration::from_millis(50)));
    }

    #[test]
    fn one_or_two_partitions_need_no_starts() {
        let mut one = Partitioning::new(1, SimDuration::ZERO);
        one.spread(Kind(3), vec![]);
        assert_eq!(one.of(ActorId::new(Kind(3), 7)), 0);
        let mut two = Partitioning::new(2, SimDuration::ZERO);
        two.spread(Kind(3), vec![]);
        assert_eq!(two.of(ActorId::new(Kind(3), 7)), 1);
    }

    #[test]
    fn a_placed_kind_is_whole_in_its_partition() {
        let mut p = Partitioning::new(3, SimDuration::from_millis(50));
        p.spread(Kind(3), vec![10]);
        p.place(Kind(2), 1);
        assert_eq!(
            (0..3)
                .map(|i| p.of(ActorId::new(Kind(2), i)))
                .collect::<Vec<_>>(),
            [1, 1, 1]
        );
        assert_eq!(p.of(ActorId::new(Kind(1), 0)), 0);
        let csp = ActorId::new(Kind(2), 0);
        assert!(p.allows(csp, ActorId::new(Kind(3), 9), SimDuration::ZERO));
        assert!(!p.allows(csp, ActorId::new(Kind(3), 10), SimDuration::ZERO));
        let mut one = Partitioning::new(1, SimDuration::ZERO);
        one.place(Kind(2), 1);
        assert_eq!(one.of(csp), 0);
    }
}
