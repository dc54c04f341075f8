//! SR prioritisation (SECMP0028): the queue in front of the DSP's and CSPs' workers, served
//! highest class first and first-come first-served within a class. With one class (no
//! `[priority]`) it is exactly the FIFO it replaces. Generic over the item, so the queue holds
//! whatever the workers serve.

use crate::config::traffic_management::{Priority, MAX_CLASS};
use crate::msg::{Item, Request};
use crate::sr::{Category, SrType};
use dccsim_sim::{metric_name, FlowId, Metrics, SimDuration};
use std::collections::{BTreeMap, VecDeque};

/// Every request's class, looked up on each arrival: all 0 without `[priority]`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Classes {
    by_sr: [u8; SrType::ALL.len()],
    /// SECMP0032: prepayment premises' on-demand and critical SRs take this class.
    prepayment: Option<Prepayment>,
}

/// Which premises are prepayment customers', and their class.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Prepayment {
    /// A premises is a prepayment customer's if its [`spread`] value is below this.
    below: u64,
    class: u8,
}

/// A premises number spread evenly over `u64` (Fibonacci hashing): which premises are prepayment
/// customers' is fixed by the share, independent of regions and suppliers, and draws nothing.
#[inline]
fn spread(premises: u32) -> u64 {
    (u64::from(premises) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl Classes {
    /// The classes `[priority]` gives, or all 0 without it.
    pub fn new(priority: Option<&Priority>) -> Self {
        let mut by_sr = [0; SrType::ALL.len()];
        let mut prepayment = None;
        if let Some(p) = priority {
            for sr in SrType::ALL {
                by_sr[sr.index()] = p.class_of(sr);
            }
            if p.prepayment_share > 0.0 {
                prepayment = Some(Prepayment {
                    below: (p.prepayment_share * u64::MAX as f64) as u64,
                    class: p.prepayment,
                });
            }
        }
        Classes { by_sr, prepayment }
    }

    /// The class of `req` (and of its response).
    #[inline]
    pub fn of(&self, req: &Request) -> u8 {
        match self.prepayment {
            Some(p)
                if req.sr.category() != Category::DccScheduled
                    && spread(req.premises) < p.below =>
            {
                p.class
            }
            _ => self.by_sr[req.sr.index()],
        }
    }

    /// The class of what waits for a worker: an SR's own class; alerts always take class 0, the
    /// lowest, so SR classes above it pass an alert storm \[U\].
    #[inline]
    pub fn of_item(&self, item: &Item) -> u8 {
        match item {
            Item::Sr(req) => self.of(req),
            Item::Alert(_) => 0,
        }
    }

    /// Every class `sr`'s requests may take.
    fn of_sr(&self, sr: SrType) -> impl Iterator<Item = u8> {
        let own = self.by_sr[sr.index()];
        let prepaid = self
            .prepayment
            .filter(|p| sr.category() != Category::DccScheduled && p.class != own)
            .map(|p| p.class);
        std::iter::once(own).chain(prepaid)
    }
}

/// `sr.class_e2e{class,sr}`: end-to-end latency by priority class (one flow per SR of the class,
/// with the SR's TRT, so a pattern `sr.class_e2e{class=2}` gives the class's share within TRT).
/// Registered only with `[priority]`.
#[derive(Debug, Default)]
pub struct ClassFlows {
    classes: Classes,
    /// By SR, by class.
    by_sr: Vec<[Option<FlowId>; MAX_CLASS as usize + 1]>,
}

impl ClassFlows {
    /// The flows of every SR type `sends` says the world may send, if `priority` is set.
    pub fn register(
        metrics: &mut Metrics,
        priority: Option<&Priority>,
        sends: impl Fn(SrType) -> bool,
        trt: &BTreeMap<SrType, SimDuration>,
    ) -> Self {
        let Some(p) = priority else {
            return ClassFlows::default();
        };
        let classes = Classes::new(Some(p));
        let by_sr = SrType::ALL
            .iter()
            .map(|&sr| {
                let mut flows = [None; MAX_CLASS as usize + 1];
                if sends(sr) {
                    for class in classes.of_sr(sr) {
                        let c = class.to_string();
                        let name =
                            metric_name("sr.class_e2e", &[("class", &c), ("sr", sr.number())]);
                        flows[class as usize] = Some(metrics.flow(name, Some(trt[&sr])));
                    }
                }
                flows
            })
            .collect();
        ClassFlows { classes, by_sr }
    }

    /// The class flow of `req`, if classes are reported.
    #[inline]
    pub fn get(&self, req: &Request) -> Option<FlowId> {
        self.by_sr.get(req.sr.index())?[self.classes.of(req) as usize]
    }
}

/// Items waiting for a worker, one FIFO per class; the highest class waiting is served first.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ClassQueue<T> {
    /// Indexed by class; only as many as the highest class seen.
    classes: Vec<VecDeque<T>>,
    len: usize,
}

impl<T> Default for ClassQueue<T> {
    fn default() -> Self {
        ClassQueue {
            classes: vec![VecDeque::new()],
            len: 0,
        }
    }
}

impl<T> ClassQueue<T> {
    /// Adds `item` behind everything of its `class` already waiting.
    pub fn push(&mut self, class: u8, item: T) {
        debug_assert!(class <= MAX_CLASS);
        let c = class as usize;
        if self.classes.len() <= c {
            self.classes.resize_with(c + 1, VecDeque::new);
        }
        self.classes[c].push_back(item);
        self.len += 1;
    }

    /// Puts `item` ahead of everything of its `class` waiting (an interrupted item resuming).
    pub fn push_front(&mut self, class: u8, item: T) {
        let c = class as usize;
        if self.classes.len() <= c {
            self.classes.resize_with(c + 1, VecDeque::new);
        }
        self.classes[c].push_front(item);
        self.len += 1;
    }

    /// The oldest item of the highest class waiting.
    pub fn pop(&mut self) -> Option<T> {
        let item = self
            .classes
            .iter_mut()
            .rev()
            .find_map(VecDeque::pop_front)?;
        self.len -= 1;
        Some(item)
    }

    /// Items waiting.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every item waiting, highest class first, oldest first within a class.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.classes.iter().rev().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::Leg;
    use crate::sr::{DeviceType, Role};

    #[test]
    fn one_class_is_a_fifo() {
        let mut q = ClassQueue::default();
        for i in 0..5 {
            q.push(0, i);
        }
        assert_eq!(q.len(), 5);
        let out: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(out, vec![0, 1, 2, 3, 4]);
        assert!(q.is_empty());
    }

    #[test]
    fn higher_classes_go_first_and_each_class_keeps_its_order() {
        let mut q = ClassQueue::default();
        q.push(0, "a0");
        q.push(2, "c0");
        q.push(1, "b0");
        q.push(2, "c1");
        q.push(0, "a1");
        assert_eq!(
            q.iter().copied().collect::<Vec<_>>(),
            ["c0", "c1", "b0", "a0", "a1"]
        );
        let out: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(out, ["c0", "c1", "b0", "a0", "a1"]);
    }

    fn req(sr: SrType, premises: u32) -> Request {
        Request {
            sent: dccsim_sim::SimTime::ZERO,
            premises,
            user: 0,
            sr,
            device: DeviceType::Esme,
            role: Role::IS,
            leg: Leg::Outbound,
            arg: 0,
            attempt: 0,
        }
    }

    #[test]
    fn classes_follow_the_category_unless_an_sr_has_its_own() {
        let mut p = Priority::default();
        p.sr.insert(SrType::ReadInstantaneousImport, 5);
        let c = Classes::new(Some(&p));
        assert_eq!(c.of(&req(SrType::UpdateImportTariff, 0)), p.critical);
        assert_eq!(c.of(&req(SrType::RetrieveDailyReadLog, 0)), p.scheduled);
        assert_eq!(c.of(&req(SrType::ReadInstantaneousImport, 0)), 5);
        let none = Classes::new(None);
        assert_eq!(none.of(&req(SrType::UpdateImportTariff, 0)), 0);
    }

    #[test]
    fn prepayment_premises_take_their_class_except_for_scheduled_reads() {
        let p = Priority {
            prepayment_share: 0.2,
            ..Priority::default()
        };
        let c = Classes::new(Some(&p));
        let prepaid = (0..10_000)
            .filter(|&i| c.of(&req(SrType::ReadInstantaneousImport, i)) == p.prepayment)
            .count();
        assert!((1_900..2_100).contains(&prepaid), "{prepaid} of 10,000");
        assert!((0..10_000).all(|i| c.of(&req(SrType::RetrieveDailyReadLog, i)) == p.scheduled));
    }
}
