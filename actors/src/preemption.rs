//! SECMP0028 preemption (off unless `[priority] preemption = true`): an item arriving when every
//! worker is busy takes the worker of the lowest-class item in service below its own class; the
//! interrupted item goes back to the head of its class's queue and later resumes with the
//! service it had left (preemptive resume: no work is lost or repeated).
//!
//! The kernel cannot cancel the interrupted item's completion event, so it stays scheduled and is
//! recognised as stale when it arrives ([`Preemption::completed`]); until then the end-of-run
//! accounting leaves it out ([`Preemption::stale`]).

use crate::msg::{Item, Msg};
use crate::priority::ClassQueue;
use dccsim_sim::{CounterId, Ctx, Metrics, SimDuration, SimTime};

/// An item waiting for a worker: when it arrived, and the service it has left if a preemption
/// interrupted it (`None`: not started yet).
pub type Waiting = (Item, SimTime, Option<SimDuration>);

/// One item on a worker.
#[derive(Copy, Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Job {
    item: Item,
    class: u8,
    /// When it first reached the queue (its hop visit is timed from here).
    arrived: SimTime,
    /// When its service ends.
    ends: SimTime,
}

/// An interrupted item, to go back to the head of its class.
#[derive(Copy, Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Interrupted {
    item: Item,
    class: u8,
    arrived: SimTime,
    remaining: SimDuration,
}

/// A server's preemption state: inert (and empty) when preemption is off.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Preemption {
    /// `*.preempted`, registered only when preemption is on.
    preempted: Option<CounterId>,
    /// Items in service, when preemption is on.
    jobs: Vec<Job>,
    /// Interrupted items' completion events still to come: (item, their time).
    stale: Vec<(Item, SimTime)>,
}

impl Preemption {
    /// Preemption counted as `counter` when `on`, else inert.
    pub fn new(on: bool, metrics: &mut Metrics, counter: String) -> Self {
        Preemption {
            preempted: on.then(|| metrics.counter(counter)),
            ..Preemption::default()
        }
    }

    #[inline]
    pub fn is_on(&self) -> bool {
        self.preempted.is_some()
    }

    /// A worker starts (or resumes) `item` of `class`, which arrived at `arrived`, until `ends`
    /// (callers skip it when preemption is off: nothing is kept then).
    pub fn started(&mut self, item: Item, class: u8, arrived: SimTime, ends: SimTime) {
        debug_assert!(self.is_on(), "only preemption keeps the items in service");
        self.jobs.push(Job {
            item,
            class,
            arrived,
            ends,
        });
    }

    /// `item` of `class` finds every worker busy. With a lower class in service, that item is
    /// interrupted and waits at the head of its class, and `item` is returned to take its worker;
    /// else `item` waits. Either way one more item waits.
    pub fn arrive(
        &mut self,
        waiting: &mut ClassQueue<Waiting>,
        item: Item,
        class: u8,
        ctx: &mut Ctx<'_, Msg>,
    ) -> Option<Item> {
        match self.preempt(class, ctx) {
            Some(cut) => {
                waiting.push_front(cut.class, (cut.item, cut.arrived, Some(cut.remaining)));
                Some(item)
            }
            None => {
                waiting.push(class, (item, ctx.now(), None));
                None
            }
        }
    }

    /// An item of `class` finds every worker busy: interrupts the lowest-class item in service
    /// below `class` (of those, the one with the most service left), if any.
    fn preempt(&mut self, class: u8, ctx: &mut Ctx<'_, Msg>) -> Option<Interrupted> {
        let counter = self.preempted?;
        let cut = self.interrupt(class, ctx.now())?;
        ctx.count(counter, 1);
        Some(cut)
    }

    /// [`preempt`](Self::preempt)'s bookkeeping at `now`: the job leaves its worker and its
    /// completion event becomes stale.
    fn interrupt(&mut self, class: u8, now: SimTime) -> Option<Interrupted> {
        let (i, _) = self
            .jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| j.class < class)
            .min_by_key(|(_, j)| (j.class, std::cmp::Reverse(j.ends)))?;
        let job = self.jobs.swap_remove(i);
        self.stale.push((job.item, job.ends));
        Some(Interrupted {
            item: job.item,
            class: job.class,
            arrived: job.arrived,
            remaining: job.ends.since(now),
        })
    }

    /// `item`'s completion event at `now`: `Some(arrived)` when it ends a service, `None` when it
    /// is an interrupted service's stale event (to be ignored). Always `Some` when off.
    pub fn completed(&mut self, item: &Item, now: SimTime) -> Option<SimTime> {
        if !self.is_on() {
            return Some(now);
        }
        if let Some(i) = self
            .stale
            .iter()
            .position(|(s, at)| s == item && *at == now)
        {
            self.stale.swap_remove(i);
            return None;
        }
        let i = self
            .jobs
            .iter()
            .position(|j| j.item == *item && j.ends == now)
            .expect("a completion is an item in service or an interrupted one's");
        Some(self.jobs.swap_remove(i).arrived)
    }

    /// Interrupted items whose stale completion event is still pending: the end-of-run
    /// accounting finds each of them once too many.
    pub fn stale(&self) -> impl Iterator<Item = &Item> {
        self.stale.iter().map(|(item, _)| item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::{Alert, AlertStage};

    fn alert(premises: u32) -> Item {
        Item::Alert(Alert {
            raised: SimTime::ZERO,
            premises,
            class: 0,
            stage: AlertStage::DspDone,
        })
    }

    fn at(s: u64) -> SimTime {
        SimTime::ZERO.after(SimDuration::from_secs(s))
    }

    #[test]
    fn off_it_keeps_nothing_and_every_completion_is_real() {
        let mut p = Preemption::default();
        assert!(!p.is_on());
        assert_eq!(p.completed(&alert(1), at(5)), Some(at(5)));
        assert_eq!(p.stale().count(), 0);
    }

    #[test]
    fn the_lowest_class_is_interrupted_and_its_old_completion_is_stale() {
        let mut metrics = Metrics::default();
        let mut p = Preemption::new(true, &mut metrics, "x.preempted".into());
        p.started(alert(1), 1, at(0), at(10));
        p.started(alert(2), 0, at(1), at(8));
        p.started(alert(3), 0, at(2), at(12));
        // A class-1 arrival takes a class-0 job: of the two, the one with more service left
        // (ends at 12 s); a class-0 arrival takes none.
        assert!(p.interrupt(0, at(6)).is_none());
        let cut = p.interrupt(1, at(6)).unwrap();
        assert_eq!((cut.item, cut.class, cut.arrived), (alert(3), 0, at(2)));
        assert_eq!(cut.remaining, SimDuration::from_secs(6));
        // It resumes at 8 s with its 6 s left.
        p.started(cut.item, cut.class, cut.arrived, at(8 + 6));
        assert_eq!(p.stale().count(), 1);
        // Its old completion at 12 s is stale; the resumed one at 14 s is real, timed from 2 s.
        assert_eq!(p.completed(&alert(3), at(12)), None);
        assert_eq!(p.completed(&alert(3), at(14)), Some(at(2)));
        assert_eq!(p.stale().count(), 0);
        assert_eq!(p.completed(&alert(2), at(8)), Some(at(1)));
    }
}
