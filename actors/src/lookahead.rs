//! Lookahead: the links between the DCC's systems, the CSPs and the premises, each with the least
//! delay it can have, and the check that a partitioned run can be exact.
//!
//! A partitioned run keeps the DCC side (suppliers, DSP, DNOs, CPL, SMETS1 service, alert
//! source), which message one another with no delay, in partition 0; puts the three CSPs, which
//! the DSP reaches across the DSP ↔ CSP network, in partition 1; and spreads the premises (hub,
//! meters, EV charger, and a flat's building) over partitions 1 and up. Only the links in
//! [`LINKS`] join two sides (a premises' own actors always share a partition); the smallest floor
//! among those a scenario uses is its lookahead. The table was drawn from every `send` in this
//! crate; `Ctx::send` debug-asserts it in partitioned runs.

use crate::config::Csp;
use crate::ids::Kinds;
use crate::region::RegionMap;
use dccsim_sim::{Kind, SimDuration};

/// Which side of a partitioned run an actor kind is on.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Side {
    /// Partition 0: the DSP and every system that talks to it with no delay (Users, CPL,
    /// SMETS1 service, alert source).
    Dcc,
    /// Partition 1: the regional CSPs, across the DSP ↔ CSP network from the DSP.
    Csp,
    /// Spread over partitions 1 and up, premises by premises.
    Premises,
}

impl Side {
    /// The partition a kind on this side runs in (`None` for premises, which are spread).
    pub fn partition(self) -> Option<u32> {
        match self {
            Side::Dcc => Some(0),
            Side::Csp => Some(1),
            Side::Premises => None,
        }
    }
}

/// The side of `kind`.
pub fn side(kind: Kind) -> Side {
    match kind {
        Kinds::HUB | Kinds::ESME | Kinds::GSME | Kinds::BUILDING | Kinds::CHARGER => Side::Premises,
        Kinds::CSP => Side::Csp,
        _ => Side::Dcc,
    }
}

/// How far ahead of each device alert's arrival at its hub the alert source acts (draws and
/// sends it): 1 s, or the largest WAN floor if that is more (see [`alert_lead`]). An engine
/// constant, not a scenario key: the source still raises each alert at its own instant (dated
/// metric adds) and it still reaches the hub when it did with no lead, so no result depends on
/// it; it only gives the alert source → hub link a lookahead.
pub const ALERT_LEAD: SimDuration = SimDuration::from_secs(1);

/// The alert source's lead in a scenario whose CSPs are `csp`: [`ALERT_LEAD`], or the largest
/// WAN floor when that is longer, so that the alert link never shortens the lookahead the WAN
/// links give.
pub fn alert_lead(csp: &RegionMap<Csp>) -> SimDuration {
    csp.iter()
        .map(|(_, c)| c.latency_floor)
        .fold(ALERT_LEAD, SimDuration::max)
}

/// What bounds a link's delay from below.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Floor {
    /// One WAN crossing (plus, for some links, HAN time or a downlink queue): at least the
    /// region's `[csp.<region>] latency_floor`.
    Wan,
    /// One crossing of the network between the DSP and a CSP: at least the region's
    /// `[csp.<region>] dsp_latency_floor`.
    DspCsp,
    /// The alert source's lead ([`alert_lead`]): it sends each alert that long before it
    /// reaches the hub (less only for the alerts due in the run's first instants).
    AlertLead,
    /// The EV charger's telemetry to its DNO: `[ev] report_latency` (0 by default: no
    /// lookahead).
    EvReport,
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

/// A link that joins two sides.
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
pub const LINKS: [Link; 14] = [
    Link {
        from: Kinds::DSP,
        to: Kinds::CSP,
        what: "a command for the region's devices, or a firmware image to distribute, across the \
               DSP ↔ CSP network (dsp::Dsp::finish)",
        floor: Floor::DspCsp,
        feature: Feature::Always,
    },
    Link {
        from: Kinds::CSP,
        to: Kinds::DSP,
        what: "a device's answer across the DSP ↔ CSP network (csp::Csp::finish)",
        floor: Floor::DspCsp,
        feature: Feature::Always,
    },
    Link {
        from: Kinds::CSP,
        to: Kinds::DSP,
        what: "a device alert across the DSP ↔ CSP network (csp::Csp::handle)",
        floor: Floor::DspCsp,
        feature: Feature::Alerts,
    },
    Link {
        from: Kinds::CSP,
        to: Kinds::SUPPLIER,
        what: "a failed firmware transfer's receipt after a WAN crossing \
               (firmware::distribution)",
        floor: Floor::Wan,
        feature: Feature::Firmware,
    },
    Link {
        from: Kinds::CSP,
        to: Kinds::DNO,
        what: "a failed firmware transfer's receipt to a DNO after a WAN crossing \
               (firmware::distribution)",
        floor: Floor::Wan,
        feature: Feature::Firmware,
    },
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
        what: "a routine or restoration alert, sent the alert lead before it reaches the hub \
               (alert::source)",
        floor: Floor::AlertLead,
        feature: Feature::Alerts,
    },
    Link {
        from: Kinds::CHARGER,
        to: Kinds::DNO,
        what: "an EV charger's new draw, reported to its DNO after [ev] report_latency \
               (ev::charger)",
        floor: Floor::EvReport,
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

/// The lookahead of a scenario whose CSPs are `csp`, whose EV chargers (if any) report to their
/// DNO after `ev_report`, and which has the links of the features `has` says it has: the least
/// floor among them. Refused, with a message naming the link and what would fix it, when one of
/// them has no floor.
pub fn lookahead(
    csp: &RegionMap<Csp>,
    has: impl Fn(Feature) -> bool,
    ev_report: SimDuration,
) -> Result<SimDuration, String> {
    let (region, wan) = csp
        .iter()
        .map(|(r, c)| (r, c.latency_floor))
        .min_by_key(|&(_, floor)| floor)
        .expect("three regions");
    let (dsp_region, dsp_csp) = csp
        .iter()
        .map(|(r, c)| (r, c.dsp_latency_floor))
        .min_by_key(|&(_, floor)| floor)
        .expect("three regions");
    let mut least: Option<SimDuration> = None;
    for link in LINKS.iter().filter(|l| has(l.feature)) {
        let floor = match link.floor {
            Floor::DspCsp if dsp_csp > SimDuration::ZERO => dsp_csp,
            Floor::DspCsp => {
                return Err(format!(
                    "cannot partition this run: the link {} ({}) has no lookahead, since \
                     csp.{}.dsp_latency_floor is 0; give the DSP ↔ CSP network a floor, e.g. \
                     --set csp.{}.dsp_latency_floor=50ms, or run with --workers 1",
                    link.name(),
                    link.what,
                    dsp_region.name(),
                    dsp_region.name()
                ))
            }
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
            Floor::AlertLead => alert_lead(csp),
            Floor::EvReport if ev_report > SimDuration::ZERO => ev_report,
            Floor::EvReport => {
                return Err(format!(
                    "cannot partition this run: the link {} ({}) has no delay, so no \
                     lookahead, since ev.report_latency is 0; give the charger's telemetry a \
                     latency, e.g. --set ev.report_latency=200ms, or run with --workers 1",
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
    fn every_link_joins_two_sides() {
        for link in LINKS {
            assert_ne!(side(link.from), side(link.to), "{}", link.name());
        }
    }

    #[test]
    fn the_dsp_csp_floor_bounds_the_lookahead_and_zero_is_refused() {
        let mut csp = fixture::example(10).csp;
        let always = |f: Feature| f == Feature::Always;
        let zero = SimDuration::ZERO;
        csp.central.dsp_latency_floor = SimDuration::from_millis(30);
        assert_eq!(
            lookahead(&csp, always, zero),
            Ok(SimDuration::from_millis(30))
        );
        csp.north.dsp_latency_floor = SimDuration::ZERO;
        let refused = lookahead(&csp, always, zero).unwrap_err();
        assert!(refused.contains("DSP → CSP"), "{refused}");
        assert!(refused.contains("csp.north.dsp_latency_floor"), "{refused}");
    }

    #[test]
    fn the_wan_floor_is_the_lookahead_and_zero_links_are_refused() {
        let mut csp = fixture::example(10).csp;
        let always = |f: Feature| f == Feature::Always;
        let zero = SimDuration::ZERO;
        assert_eq!(
            lookahead(&csp, always, zero),
            Ok(SimDuration::from_millis(50))
        );
        csp.south.latency_floor = SimDuration::from_millis(20);
        assert_eq!(
            lookahead(&csp, always, zero),
            Ok(SimDuration::from_millis(20))
        );
        let with_ev = |f| matches!(f, Feature::Always | Feature::Ev);
        let ev = lookahead(&csp, with_ev, zero).unwrap_err();
        assert!(ev.contains("EV charger → DNO"), "{ev}");
        assert!(ev.contains("ev.report_latency"), "{ev}");
        let report = SimDuration::from_millis(5);
        assert_eq!(lookahead(&csp, with_ev, report), Ok(report));
        csp.south.latency_floor = SimDuration::ZERO;
        let wan = lookahead(&csp, always, zero).unwrap_err();
        assert!(wan.contains("csp.south.latency_floor"), "{wan}");
    }

    #[test]
    fn the_alert_lead_never_shortens_the_wan_lookahead() {
        let mut csp = fixture::example(10).csp;
        let alerts = |f| matches!(f, Feature::Always | Feature::Alerts);
        let zero = SimDuration::ZERO;
        // The lead (1 s) is above the default WAN floor: the WAN floor stays the lookahead.
        assert_eq!(alert_lead(&csp), ALERT_LEAD);
        assert_eq!(
            lookahead(&csp, alerts, zero),
            Ok(SimDuration::from_millis(50))
        );
        // A WAN floor above 1 s lengthens the lead with it.
        for c in [&mut csp.north, &mut csp.central, &mut csp.south] {
            c.latency_floor = SimDuration::from_secs(3);
            c.dsp_latency_floor = SimDuration::from_secs(3);
        }
        csp.central.latency_floor = SimDuration::from_secs(4);
        assert_eq!(alert_lead(&csp), SimDuration::from_secs(4));
        assert_eq!(lookahead(&csp, alerts, zero), Ok(SimDuration::from_secs(3)));
    }
}
