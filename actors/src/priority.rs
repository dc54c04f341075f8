//! SR prioritisation (SECMP0028): the queue in front of the DSP's and CSPs' workers, served
//! highest class first and first-come first-served within a class. With one class (no
//! `[priority]`) it is exactly the FIFO it replaces. Generic over the item, so the queue holds
//! whatever the workers serve.

use crate::config::traffic_management::{Priority, MAX_CLASS};
use crate::sr::SrType;
use dccsim_sim::{metric_name, FlowId, Metrics, SimDuration};
use std::collections::{BTreeMap, VecDeque};

/// Every SR's class, looked up on each arrival: all 0 without `[priority]`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Classes {
    by_sr: [u8; SrType::ALL.len()],
}

impl Classes {
    /// The classes `[priority]` gives, or all 0 without it.
    pub fn new(priority: Option<&Priority>) -> Self {
        let mut by_sr = [0; SrType::ALL.len()];
        if let Some(p) = priority {
            for sr in SrType::ALL {
                by_sr[sr.index()] = p.class_of(sr);
            }
        }
        Classes { by_sr }
    }

    /// The class of `sr`'s requests and responses.
    #[inline]
    pub fn of(&self, sr: SrType) -> u8 {
        self.by_sr[sr.index()]
    }
}

/// `sr.class_e2e{class,sr}`: end-to-end latency by priority class (one flow per SR of the class,
/// with the SR's TRT, so a pattern `sr.class_e2e{class=2}` gives the class's share within TRT).
/// Registered only with `[priority]`.
#[derive(Debug, Default)]
pub struct ClassFlows {
    by_sr: [Option<FlowId>; SrType::ALL.len()],
}

impl ClassFlows {
    /// The flows of every SR type `sends` says the world may send, if `priority` is set.
    pub fn register(
        metrics: &mut Metrics,
        priority: Option<&Priority>,
        sends: impl Fn(SrType) -> bool,
        trt: &BTreeMap<SrType, SimDuration>,
    ) -> Self {
        let mut by_sr = [None; SrType::ALL.len()];
        if let Some(p) = priority {
            for sr in SrType::ALL.into_iter().filter(|&sr| sends(sr)) {
                let class = p.class_of(sr).to_string();
                let name = metric_name("sr.class_e2e", &[("class", &class), ("sr", sr.number())]);
                by_sr[sr.index()] = Some(metrics.flow(name, Some(trt[&sr])));
            }
        }
        ClassFlows { by_sr }
    }

    /// The class flow of `sr`, if classes are reported.
    #[inline]
    pub fn get(&self, sr: SrType) -> Option<FlowId> {
        self.by_sr[sr.index()]
    }
}

/// Items waiting for a worker, one FIFO per class; the highest class waiting is served first.
#[derive(Debug)]
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

    #[test]
    fn classes_follow_the_category_unless_an_sr_has_its_own() {
        let mut p = Priority::default();
        p.sr.insert(SrType::ReadInstantaneousImport, 5);
        let c = Classes::new(Some(&p));
        assert_eq!(c.of(SrType::UpdateImportTariff), p.critical);
        assert_eq!(c.of(SrType::RetrieveDailyReadLog), p.scheduled);
        assert_eq!(c.of(SrType::ReadInstantaneousImport), 5);
        assert_eq!(Classes::new(None).of(SrType::UpdateImportTariff), 0);
    }
}
