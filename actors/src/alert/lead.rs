//! The alert source's lead: it acts a fixed time ([`alert_lead`](crate::lookahead::alert_lead))
//! ahead of each routine alert's arrival and each outage's restoration, so every alert it sends
//! a hub takes at least that long (the alert source → hub link's lookahead in a partitioned run),
//! while it still reaches the hub, and is still counted raised, at the instant it would be with
//! no lead.
//!
//! The source's timers are tokens: each wake handles whatever is due first by the instants the
//! source had without a lead (ties in the order its timers had then), so its draws keep their
//! order. A wake is due `lead` before its instant; for an instant after the run's end it stays at
//! the instant itself, pending and never handled, as without a lead. What is due within the lead
//! of the start cannot be sent that early in the run: the source does it while the world is
//! built (before a partitioned run's first window, so its alerts are initial events), and its
//! timers, still set at the start so that the run handles as many events, do nothing.

use dccsim_sim::{SimDuration, SimTime};

/// What the source does at a wake.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Due {
    /// The routine alert arriving at this instant.
    Routine(SimTime),
    /// Outage `n`'s power comes back at this instant.
    Restored(u16, SimTime),
}

/// The source's agenda: the next routine arrival and the outages' restorations not yet done.
#[derive(Clone, Debug)]
pub struct Lead {
    lead: SimDuration,
    end: SimTime,
    /// The next routine arrival, once drawn, and whether it is the first of the run (the first
    /// one's timer was set before the restorations', the others after).
    next: Option<(SimTime, bool)>,
    /// Restorations by instant (then outage index), and how many are done.
    restorations: Vec<(SimTime, u16)>,
    done: usize,
    /// Timers at the start whose item was done while the world was built, not yet handled.
    done_early: u32,
}

impl Lead {
    /// The agenda of a run ending at `end`, acting `lead` ahead, with outages restored at
    /// `restorations` (by outage index).
    pub fn new(lead: SimDuration, end: SimTime, restorations: &[SimTime]) -> Self {
        let mut restorations: Vec<(SimTime, u16)> = restorations
            .iter()
            .enumerate()
            .map(|(i, &t)| (t, i as u16))
            .collect();
        restorations.sort();
        Lead {
            lead,
            end,
            next: None,
            restorations,
            done: 0,
            done_early: 0,
        }
    }

    /// Whether the next item is due within the lead of `start` (and by the run's end): the
    /// source does it while the world is built, and its timer, at `start`, will do nothing.
    pub fn early(&mut self, start: SimTime) -> bool {
        let next = self.next.map(|(t, _)| t);
        let restoration = self.restorations.get(self.done).map(|&(r, _)| r);
        let due = match (next, restoration) {
            (Some(t), Some(r)) => t.min(r),
            (t, r) => match t.or(r) {
                Some(t) => t,
                None => return false,
            },
        };
        let early = due <= self.end && self.wake(due, start) == start;
        self.done_early += u32::from(early);
        early
    }

    /// Whether a timer now firing is one whose item was done while the world was built.
    pub fn done_early(&mut self) -> bool {
        let early = self.done_early > 0;
        self.done_early -= u32::from(early);
        early
    }

    /// When the source wakes, at `now`, for what is due at `t`: `lead` before it (at the
    /// earliest now), or at `t` itself when `t` is after the run's end.
    pub fn wake(&self, t: SimTime, now: SimTime) -> SimTime {
        if t > self.end {
            t
        } else {
            SimTime(t.as_micros().saturating_sub(self.lead.as_micros())).max(now)
        }
    }

    /// The next routine arrival is at `t` (`first`: the run's first).
    pub fn set_next(&mut self, t: SimTime, first: bool) {
        self.next = Some((t, first));
    }

    /// Takes what is due first: the earlier of the next routine arrival and the next
    /// restoration (at the same instant, the run's first arrival goes before restorations,
    /// every later one after them, as their timers' order was without a lead).
    ///
    /// # Panics
    /// With nothing due: every wake has its item.
    pub fn take(&mut self) -> Due {
        let restoration = self.restorations.get(self.done).copied();
        match (self.next, restoration) {
            (Some((t, first)), Some((r, _))) if t < r || (t == r && first) => {
                self.next = None;
                Due::Routine(t)
            }
            (_, Some((r, n))) => {
                self.done += 1;
                Due::Restored(n, r)
            }
            (Some((t, _)), None) => {
                self.next = None;
                Due::Routine(t)
            }
            (None, None) => unreachable!("the alert source woke with nothing due"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: u64) -> SimTime {
        SimTime(x * 1_000_000)
    }

    #[test]
    fn wakes_lead_their_instant_but_not_past_now_nor_after_the_end() {
        let lead = Lead::new(SimDuration::from_secs(1), s(100), &[]);
        assert_eq!(lead.wake(s(50), s(0)), s(49));
        assert_eq!(lead.wake(SimTime(300_000), s(0)), s(0));
        assert_eq!(lead.wake(s(50), SimTime(49_500_000)), SimTime(49_500_000));
        assert_eq!(lead.wake(s(100), s(0)), s(99));
        assert_eq!(lead.wake(SimTime(100_000_001), s(0)), SimTime(100_000_001));
    }

    #[test]
    fn each_wake_takes_what_was_due_first_without_the_lead() {
        // Outage 0 restored at 2 s, outage 1 at 1 s, outage 2 at 1 s.
        let mut lead = Lead::new(SimDuration::from_secs(5), s(100), &[s(2), s(1), s(1)]);
        // The run's first arrival goes before restorations at its instant...
        lead.set_next(s(1), true);
        assert_eq!(lead.take(), Due::Routine(s(1)));
        // ...a later one after them.
        lead.set_next(s(1), false);
        assert_eq!(lead.take(), Due::Restored(1, s(1)));
        assert_eq!(lead.take(), Due::Restored(2, s(1)));
        assert_eq!(lead.take(), Due::Routine(s(1)));
        lead.set_next(s(3), false);
        assert_eq!(lead.take(), Due::Restored(0, s(2)));
        assert_eq!(lead.take(), Due::Routine(s(3)));
    }

    #[test]
    fn what_is_due_within_the_lead_of_the_start_is_done_early() {
        // A lead of 5 s, a run of 20 s, restorations at 3 s and 30 s.
        let mut lead = Lead::new(SimDuration::from_secs(5), s(20), &[s(3), s(30)]);
        lead.set_next(s(5), true);
        assert!(lead.early(s(0)));
        assert_eq!(lead.take(), Due::Restored(0, s(3)));
        assert!(lead.early(s(0)));
        assert_eq!(lead.take(), Due::Routine(s(5)));
        lead.set_next(SimTime(5_000_001), false);
        assert!(!lead.early(s(0)), "due after the lead");
        assert_eq!(lead.take(), Due::Routine(SimTime(5_000_001)));
        assert!(!lead.early(s(0)), "the restoration after the end");
        // The two timers set for the early items do nothing, the next one acts.
        assert!(lead.done_early());
        assert!(lead.done_early());
        assert!(!lead.done_early());
    }
}
