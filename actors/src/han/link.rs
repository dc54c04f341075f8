//! Both ends of the HAN link: a hub's join state and building, a meter's end in a house, the loss
//! window of the re-scan rule, and what happens to a message once it has crossed (or failed to
//! cross) the HAN.

use super::channel::{self, Crossing};
use super::HanShared;
use crate::han::config::HanRadio;
use crate::ids::Kinds;
use crate::msg::{Leg, Msg, Request};
use crate::region::Region;
use crate::shared::{Core, Hop};
use crate::sr::SrType;
use dccsim_sim::{ActorId, Ctx, SimDuration};

/// Where a hub's premises is: what the `building` label of HAN outputs says.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Dwelling {
    /// A flat in a multi-dwelling building: its HAN is shared with the building's other hubs.
    Flat,
    /// A house: the hub's HAN hears only the background.
    House,
}

impl Dwelling {
    pub const ALL: [Dwelling; 2] = [Dwelling::Flat, Dwelling::House];

    pub fn name(self) -> &'static str {
        match self {
            Dwelling::Flat => "flat",
            Dwelling::House => "house",
        }
    }
}

/// Sends and losses since the hub last judged its channel.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LossWindow {
    attempts: u16,
    losses: u16,
}

impl LossWindow {
    /// Adds a crossing; true when a window has just closed with too many losses, i.e. the hub
    /// should re-scan.
    pub fn record(&mut self, radio: &HanRadio, c: &Crossing) -> bool {
        let lost = c.attempts - u32::from(c.delivered);
        self.attempts += c.attempts as u16;
        self.losses += lost as u16;
        if u32::from(self.attempts) < radio.rescan_window {
            return false;
        }
        let share = f64::from(self.losses) / f64::from(self.attempts);
        *self = LossWindow::default();
        radio.rescan_loss < 1.0 && share > radio.rescan_loss
    }
}

/// A building index meaning "a house" (building indices fit in 31 bits: premises fit in 28).
const HOUSE: u32 = 0x7FFF_FFFF;
/// Bit of [`HubLink`] set when the hub's devices joined the HAN.
const JOINED: u32 = 1 << 31;

/// A hub's side of the HAN, in four bytes (one per premises): joined or not, and the building
/// whose HAN a flat's hub shares.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HubLink(u32);

impl HubLink {
    pub fn house(joined: bool) -> Self {
        HubLink(HOUSE | if joined { JOINED } else { 0 })
    }

    pub fn flat(building: u32, joined: bool) -> Self {
        assert!(building < HOUSE, "building index {building} out of range");
        HubLink(building | if joined { JOINED } else { 0 })
    }

    /// The devices joined the HAN at install; if not, nothing reaches them (E21).
    #[inline]
    pub fn joined(&self) -> bool {
        self.0 & JOINED != 0
    }

    /// The building whose HAN a flat's hub shares; `None` for a house.
    #[inline]
    pub fn building(&self) -> Option<u32> {
        let b = self.0 & !JOINED;
        (b != HOUSE).then_some(b)
    }

    pub fn dwelling(&self) -> Dwelling {
        match self.building() {
            Some(_) => Dwelling::Flat,
            None => Dwelling::House,
        }
    }
}

/// A meter's end of the HAN. A house's HAN is one hub and its meters on the quietest channel
/// (no neighbours, so no re-scan ever moves it): the meter draws both crossings of each visit
/// from its own stream, one visit after another, so a house's HAN numbers cannot depend on
/// anything outside the house. A flat's crossings are its building's.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DeviceLink {
    /// In a flat: the building carries this meter's messages.
    #[default]
    Building,
    /// In a house, with a single- or dual-band hub.
    House { dual_band: bool },
}

/// Records a crossing in the HAN's outputs: retries, and the delivered crossing's latency (or
/// one more crossing given up).
pub fn record(
    c: &Crossing,
    dwelling: Dwelling,
    sr: SrType,
    region: Region,
    core: &Core,
    han: &HanShared,
    ctx: &mut Ctx<'_, Msg>,
) {
    let d = dwelling as usize;
    if c.attempts > 1 {
        ctx.count(han.retries[d], u64::from(c.attempts - 1));
    }
    if c.delivered {
        ctx.record(han.hop[d], c.time);
        ctx.record(core.ids.hop(sr, region, Hop::Han), c.time);
    } else {
        ctx.count(han.gave_up[d], 1);
    }
}

/// One crossing of a house's HAN, drawn by the meter.
pub fn cross_house(dual_band: bool, han: &HanShared, ctx: &mut Ctx<'_, Msg>) -> Crossing {
    channel::cross(
        &han.config.radio,
        &han.config.latency,
        han.house_busy[usize::from(dual_band)],
        false,
        &mut ctx.rng(),
    )
}

/// Sends a flat's `req` on after its crossing `c` of the building's HAN: a delivered command to
/// `device`, a delivered answer over the WAN to the region's CSP, and a crossing the hub gave up
/// on back as an E21 report.
pub fn carry(
    mut req: Request,
    device: ActorId,
    region: Region,
    c: Crossing,
    core: &Core,
    han: &HanShared,
    ctx: &mut Ctx<'_, Msg>,
) {
    record(&c, Dwelling::Flat, req.sr, region, core, han, ctx);
    if c.delivered {
        if req.leg == Leg::Outbound {
            ctx.send(device, c.time, Msg::AtDevice(req));
            return;
        }
    } else {
        req.leg = Leg::NoAnswer;
    }
    back_over_wan(req, region, c.time, core, ctx);
}

/// Sends an answer or an E21 report to the region's CSP, `after` the time spent on the HAN.
pub fn back_over_wan(
    req: Request,
    region: Region,
    after: SimDuration,
    core: &Core,
    ctx: &mut Ctx<'_, Msg>,
) {
    debug_assert!(matches!(req.leg, Leg::Inbound | Leg::NoAnswer));
    let wan = core.wan_crossing(req.sr, region, SimDuration::ZERO, ctx);
    let delay = SimDuration::from_micros(after.as_micros() + wan.as_micros());
    ctx.send(Kinds::csp(region), delay, Msg::AtCsp(req));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hub_link_packs_building_and_join() {
        assert_eq!(HubLink::house(true).building(), None);
        assert!(HubLink::house(true).joined());
        assert!(!HubLink::house(false).joined());
        let f = HubLink::flat(123_456, false);
        assert_eq!((f.building(), f.joined()), (Some(123_456), false));
        let f = HubLink::flat(0, true);
        assert_eq!((f.building(), f.joined()), (Some(0), true));
        assert_eq!(f.dwelling(), Dwelling::Flat);
    }

    #[test]
    fn a_window_of_heavy_loss_asks_for_a_rescan_and_starts_again() {
        let radio = HanRadio {
            rescan_window: 10,
            rescan_loss: 0.5,
            ..HanRadio::default()
        };
        let lost = Crossing {
            time: SimDuration::ZERO,
            attempts: 4,
            delivered: false,
        };
        let clean = Crossing {
            attempts: 1,
            delivered: true,
            ..lost
        };
        let mut w = LossWindow::default();
        assert!(!w.record(&radio, &lost));
        assert!(!w.record(&radio, &lost));
        // 12 sends, 12 lost: over the window and over the threshold.
        assert!(w.record(&radio, &lost));
        assert_eq!(w, LossWindow::default());
        for _ in 0..9 {
            assert!(!w.record(&radio, &clean));
        }
        assert!(!w.record(&radio, &clean), "a clean window never re-scans");
        let never = HanRadio {
            rescan_loss: 1.0,
            ..radio
        };
        for _ in 0..10 {
            assert!(!w.record(&never, &lost));
        }
    }
}
