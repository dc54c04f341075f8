//! Lookahead: the links between central and per-premises actors, each with the least delay it can
//! have, and the check that a partitioned run can be exact.
//!
//! A partitioned run keeps the central actors (suppliers, DSP, CSPs, DNOs, CPL, SMETS1 service,
//! alert source), which message one another with no delay, in one partition, and spreads the
//! premises (hub, meters, EV charger, and a flat's building) over the others. Only the links in
//! [`LINKS`] join the two sides (a premises' own actors always share a partition); the smallest
//! floor among those a scenario uses is its lookahead. The table was drawn from every `send` in
//! this crate; `Ctx::send` debug-asserts it in partitioned runs.

use crate::config::Csp;
use crate::ids::Kinds;
use crate::region::RegionMap;
use dccsim_sim::{Kind, SimDuration};

/// Which side of a partitioned run an actor kind is on.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Side {
    /// One partition for every central actor: they talk with no delay.
    Central,
    /// Spread over the other partitions, premises by premises.
    Premises,
}

/// The side of `kind`.
pub fn side(kind: Kind) -> Side {
    match kind {
        Kinds::HUB | Kinds::ESME | Kinds::GSME | Kinds::BUILDING | Kinds::CHARGER => Side::Premises,
        _ => Side::Central,
    }
}

/// What bounds a link's delay from below.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Floor {
    /// One WAN crossing (plus, for some links, HAN time or a downlink queue): at least the
    /// region's `[csp.<region>] latency_floor`.
    Wan,
    /// Sent at once: no lookahead.
    Zero,
}

/// When a scenario has a link.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Feature {
    /// Every scenario: the Service Request path.
    Always,
    /// With device alerts modelled.
    Alerts,
    /// With firmware campaigns (`[[firmware.campaign]]`).
    Firmware,
    /// With `[ev]`.
    Ev,
}

/// A link that joins the central and the per-premises side.
#[derive(Copy, Clone, Debug)]
pub struct Link {
    pub from: Kind,
    pub to: Kind,
    /// What travels on it, in plain words, for messages.
    pub what: &'static str,
    pub floor: Floor,
    pub feature: Feature,
}

impl Link {
    /// `from → to` by the kinds' plain names.
    pub fn name(&self) -> String {
        format!("{} → {}", kind_name(self.from), kind_name(self.to))
    }
}

/// Every link between the sides (from the audit of every `send` in this crate).
pub const LINKS: [Link; 9] = [
    Link {
        from: Kinds::CSP,
        to: Kinds::HUB,
        what: "a command after the region's downlink queue and one WAN crossing (csp::finish)",
        floor: Floor::Wan,
        feature: Feature::Always,
    },
    Link {
        from: Kinds::HUB,
        to: Kinds::CSP,
        what: "a house's answer or E21 report over the WAN (han::link::back_over_wan)",
        floor: Floor::Wan,
        feature: Feature::Always,
    },
    Link {
        from: Kinds::BUILDING,
        to: Kinds::CSP,
        what: "a flat's answer or E21 report after the building's HAN and the WAN \
               (han::link::carry)",
        floor: Floor::Wan,
        feature: Feature::Always,
    },
    Link {
        from: Kinds::HUB,
        to: Kinds::CSP,
        what: "a device alert up the WAN (hub::Hub::handle)",
        floor: Floor::Wan,
        feature: Feature::Alerts,
    },
    Link {
        from: Kinds::CSP,
        to: Kinds::HUB,
        what: "a firmware image's last chunk across the WAN (firmware::distribution)",
        floor: Floor::Wan,
        feature: Feature::Firmware,
    },
    Link {
        from: Kinds::HUB,
        to: Kinds::SUPPLIER,
        what: "a firmware transfer receipt after the HAN and the WAN (firmware::device)",
        floor: Floor::Wan,
        feature: Feature::Firmware,
    },
    Link {
        from: Kinds::HUB,
        to: Kinds::DNO,
        what: "a firmware transfer receipt to a DNO after the HAN and the WAN (firmware::device)",
        floor: Floor::Wan,
        feature: Feature::Firmware,
    },
    Link {
        from: Kinds::ALERT,
        to: Kinds::HUB,
        what: "a routine or restoration alert, raised at the device at once (alert::source)",
        floor: Floor::Zero,
        feature: Feature::Alerts,
    },
    Link {
        from: Kinds::CHARGER,
        to: Kinds::DNO,
        what: "an EV charger's new draw, told to its feeder at once (ev::charger)",
        floor: Floor::Zero,
        feature: Feature::Ev,
    },
];

/// Plain name of a GB world's actor kind.
pub fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kinds::SUPPLIER => "supplier",
        Kinds::DSP => "DSP",
        Kinds::CSP => "CSP",
        Kinds::HUB => "hub",
        Kinds::ESME => "ESME",
        Kinds::GSME => "GSME",
        Kinds::CPL => "CPL",
        Kinds::DNO => "DNO",
        Kinds::CHARGER => "EV charger",
        Kinds::BUILDING => "building",
        Kinds::ALERT => "alert source",
        Kinds::SMETS1 => "SMETS1 service",
        _ => "unknown kind",
    }
}

/// The lookahead of a scenario whose CSPs are `csp` and which has the links of the features
/// `has` says it has: the least floor among them. Refused, with a message naming the link and
/// what would fix it, when one of them has no floor.
pub fn lookahead(
    csp: &RegionMap<Csp>,
    has: impl Fn(Feature) -> bool,
) -> Result<SimDuration, String> {
    let (region, wan) = csp
        .iter()
        .map(|(r, c)| (r, c.latency_floor))
        .min_by_key(|&(_, floor)| floor)
        .expect("three regions");
    let mut least: Option<SimDuration> = None;
    for link in LINKS.iter().filter(|l| has(l.feature)) {
        let floor = match link.floor {
            Floor::Wan if wan > SimDuration::ZERO => wan,
            Floor::Wan => {
                return Err(format!(
                    "cannot partition this run: the link {} ({}) has no lookahead, since \
                     csp.{}.latency_floor is 0; give the WAN a floor, e.g. --set \
                     csp.{}.latency_floor=50ms, or run with --workers 1",
                    link.name(),
                    link.what,
                    region.name(),
                    region.name()
                ))
            }
            Floor::Zero => {
                return Err(format!(
                    "cannot partition this run: the link {} ({}) has no delay, so no \
                     lookahead, and no parameter gives it one yet; run with --workers 1",
                    link.name(),
                    link.what
                ))
            }
        };
        least = Some(least.map_or(floor, |l| l.min(floor)));
    }
    Ok(least.unwrap_or(wan))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::fixture;

    #[test]
    fn every_link_joins_the_two_sides() {
        for link in LINKS {
            assert_ne!(side(link.from), side(link.to), "{}", link.name());
        }
    }

    #[test]
    fn the_wan_floor_is_the_lookahead_and_zero_links_are_refused() {
        let mut csp = fixture::example(10).csp;
        let always = |f: Feature| f == Feature::Always;
        assert_eq!(lookahead(&csp, always), Ok(SimDuration::from_millis(50)));
        csp.south.latency_floor = SimDuration::from_millis(20);
        assert_eq!(lookahead(&csp, always), Ok(SimDuration::from_millis(20)));
        let ev = lookahead(&csp, |f| matches!(f, Feature::Always | Feature::Ev)).unwrap_err();
        assert!(ev.contains("EV charger → DNO"), "{ev}");
        csp.south.latency_floor = SimDuration::ZERO;
        let wan = lookahead(&csp, always).unwrap_err();
        assert!(wan.contains("csp.south.latency_floor"), "{wan}");
    }
}
