//! The CPL as the DSP has loaded it: which entries are listed, removed or buffered (waiting for a
//! GBCS version the DSP does not know yet). It changes only when an accepted extract is applied
//! or the DSP learns a GBCS version.

use super::config::entry::{CplEntry, Refusal};
use super::extract::Published;

/// An entry's state in the DSP's CPL.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Loaded {
    Listed,
    Removed,
    /// Published, but for a GBCS version the DSP does not recognise: held, not loaded.
    Buffered,
}

impl Loaded {
    pub const ALL: [Loaded; 3] = [Loaded::Listed, Loaded::Removed, Loaded::Buffered];

    pub fn name(self) -> &'static str {
        match self {
            Loaded::Listed => "listed",
            Loaded::Removed => "removed",
            Loaded::Buffered => "buffered",
        }
    }
}

/// What one change to the CPL in force did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Entries newly listed.
    pub listed: Vec<u16>,
    /// Entries newly removed.
    pub removed: Vec<u16>,
    /// Entries newly buffered.
    pub buffered: Vec<u16>,
    /// Entries the DSP refused to load, and why.
    pub refused: Vec<(u16, Refusal)>,
}

/// The DSP's CPL.
#[derive(Clone, Debug, PartialEq)]
pub struct InForce {
    state: Vec<Option<Loaded>>,
    /// Each entry's published state in the last extract applied (changes are what gets applied).
    seen: Vec<Option<Published>>,
    known_gbcs: Vec<String>,
    legacy_duplicate_check: bool,
}

impl InForce {
    /// The CPL at the start of the run: the entries in force at start, all listed.
    pub fn new(
        entries: &[CplEntry],
        known_gbcs: Vec<String>,
        legacy_duplicate_check: bool,
    ) -> Self {
        let at_start = |e: &CplEntry| e.in_force_at_start;
        InForce {
            state: entries
                .iter()
                .map(|e| at_start(e).then_some(Loaded::Listed))
                .collect(),
            seen: entries
                .iter()
                .map(|e| at_start(e).then_some(Published::Listed))
                .collect(),
            known_gbcs,
            legacy_duplicate_check,
        }
    }

    pub fn state(&self, entry: u16) -> Option<Loaded> {
        self.state[entry as usize]
    }

    /// Entries in each state, in [`Loaded::ALL`] order.
    pub fn counts(&self) -> [i64; 3] {
        Loaded::ALL.map(|s| self.state.iter().filter(|&&x| x == Some(s)).count() as i64)
    }

    /// Whether any listed entry lists Device Model `model`.
    pub fn model_listed(&self, model: u16, entries: &[CplEntry]) -> bool {
        entries
            .iter()
            .zip(&self.state)
            .any(|(e, s)| e.model == model && *s == Some(Loaded::Listed))
    }

    pub fn knows_gbcs(&self, version: &str) -> bool {
        self.known_gbcs.iter().any(|v| v == version)
    }

    /// Applies an accepted extract: every entry whose published state changed since the last
    /// extract applied is loaded (or buffered, or refused) or removed.
    pub fn apply(&mut self, list: &[(u16, Published)], entries: &[CplEntry]) -> Applied {
        let mut out = Applied::default();
        for &(i, published) in list {
            if self.seen[i as usize] == Some(published) {
                continue;
            }
            self.seen[i as usize] = Some(published);
            match published {
                Published::Listed => self.load(i, entries, &mut out),
                Published::Removed => {
                    if matches!(
                        self.state[i as usize],
                        Some(Loaded::Listed | Loaded::Buffered)
                    ) {
                        self.state[i as usize] = Some(Loaded::Removed);
                        out.removed.push(i);
                    }
                }
            }
        }
        out
    }

    /// The DSP learns GBCS `version`: entries buffered for it are loaded now.
    pub fn learn_gbcs(&mut self, version: &str, entries: &[CplEntry]) -> Applied {
        let mut out = Applied::default();
        if !self.knows_gbcs(version) {
            self.known_gbcs.push(version.to_string());
        }
        for (i, e) in entries.iter().enumerate() {
            if self.state[i] == Some(Loaded::Buffered) && e.gbcs_version == version {
                self.state[i] = None;
                self.load(i as u16, entries, &mut out);
            }
        }
        out
    }

    fn load(&mut self, i: u16, entries: &[CplEntry], out: &mut Applied) {
        let e = &entries[i as usize];
        if self.state[i as usize] == Some(Loaded::Listed) {
            return;
        }
        let refusal = e.check(entries).err().or_else(|| {
            let clash = self.legacy_duplicate_check
                && entries.iter().zip(&self.state).any(|(other, s)| {
                    *s == Some(Loaded::Listed) && other.id != e.id && other.hardware == e.hardware
                });
            clash.then_some(Refusal::DuplicateHardware)
        });
        if let Some(reason) = refusal {
            out.refused.push((i, reason));
        } else if e.smets1_test.is_none() && !self.knows_gbcs(&e.gbcs_version) {
            // (SMETS1 devices do not speak GBCS: their entries are never buffered for it.)
            self.state[i as usize] = Some(Loaded::Buffered);
            out.buffered.push(i);
        } else {
            self.state[i as usize] = Some(Loaded::Listed);
            out.listed.push(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpl::config::entry::tests::esme;
    use Published::{Listed as L, Removed as R};

    fn entries() -> Vec<CplEntry> {
        let mut later = esme("later", 1, "1.0");
        later.in_force_at_start = false;
        later.gbcs_version = "9.9".into();
        vec![esme("base", 0, "1.0"), later]
    }

    #[test]
    fn start_lists_entries_in_force() {
        let e = entries();
        let cpl = InForce::new(&e, vec!["3.2".into()], false);
        assert_eq!(cpl.counts(), [1, 0, 0]);
        assert!(cpl.model_listed(0, &e));
        assert!(!cpl.model_listed(1, &e));
    }

    #[test]
    fn unknown_gbcs_is_buffered_until_learned() {
        let e = entries();
        let mut cpl = InForce::new(&e, vec!["3.2".into()], false);
        let a = cpl.apply(&[(0, L), (1, L)], &e);
        assert_eq!(a.buffered, vec![1]);
        assert_eq!(cpl.counts(), [1, 0, 1]);
        // The same extract again changes nothing.
        assert_eq!(cpl.apply(&[(0, L), (1, L)], &e), Applied::default());
        let a = cpl.learn_gbcs("9.9", &e);
        assert_eq!(a.listed, vec![1]);
        assert_eq!(cpl.counts(), [2, 0, 0]);
        assert!(cpl.model_listed(1, &e));
    }

    #[test]
    fn removal_then_relisting() {
        let e = entries();
        let mut cpl = InForce::new(&e, vec!["3.2".into()], false);
        let a = cpl.apply(&[(0, R)], &e);
        assert_eq!(a.removed, vec![0]);
        assert!(!cpl.model_listed(0, &e));
        let a = cpl.apply(&[(0, L)], &e);
        assert_eq!(a.listed, vec![0]);
        assert_eq!(cpl.counts(), [1, 0, 0]);
    }

    #[test]
    fn legacy_check_blocks_shared_hardware_the_fixed_one_does_not() {
        let mut e = entries();
        e[1].gbcs_version = "3.2".into();
        e[1].device_type = "gsme".into();
        for (legacy, listed) in [(true, false), (false, true)] {
            let mut cpl = InForce::new(&e, vec!["3.2".into()], legacy);
            let a = cpl.apply(&[(0, L), (1, L)], &e);
            assert_eq!(cpl.model_listed(1, &e), listed, "legacy {legacy}");
            assert_eq!(
                a.refused,
                if legacy {
                    vec![(1, Refusal::DuplicateHardware)]
                } else {
                    vec![]
                }
            );
        }
    }

    #[test]
    fn incomplete_entries_are_refused_and_change_nothing() {
        let mut e = entries();
        e[1].certificates.dlms = None;
        let mut cpl = InForce::new(&e, vec!["3.2".into(), "9.9".into()], false);
        let before = cpl.counts();
        let a = cpl.apply(&[(0, L), (1, L)], &e);
        assert_eq!(a.refused, vec![(1, Refusal::MissingDlms)]);
        assert_eq!(cpl.counts(), before);
        assert_eq!(cpl.state(1), None);
    }
}
