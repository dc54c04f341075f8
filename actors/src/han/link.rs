//! A hub's HAN link: its join state, its loss window for the re-scan rule, and what happens to a
//! message once it has crossed (or failed to cross) the HAN.

use super::channel::{self, Channel, Crossing};
use super::policy;
use super::HanIds;
use crate::msg::{Leg, Msg, Request};
use crate::region::Region;
use crate::scenario::HanRadio;
use crate::world::{Hop, Kinds, Shared};
use dccsim_sim::{ActorId, Ctx, SimDuration};

/// Purpose of a house hub's side stream: its HAN draws only, so that they cannot depend on what
/// else the hub draws (WAN latencies), and houses stay independent of the flats' policy.
const HAN_SIDE_STREAM: u16 = 0;

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
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
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

/// A building index meaning "a house".
const HOUSE: u32 = u32::MAX;

/// A hub's side of the HAN. A house's hub keeps its channel here; a flat's channel is its
/// building's business.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct HubLink {
    building: u32,
    /// A house's channel.
    channel: Channel,
    /// The devices joined the HAN at install; if not, nothing reaches them (E21).
    pub joined: bool,
    dual_band: bool,
    window: LossWindow,
    /// Draws taken from the house hub's HAN side stream.
    draws: u32,
}

impl HubLink {
    pub fn house(channel: Channel, dual_band: bool, joined: bool) -> Self {
        HubLink {
            building: HOUSE,
            channel,
            joined,
            dual_band,
            window: LossWindow::default(),
            draws: 0,
        }
    }

    pub fn flat(building: u32, joined: bool) -> Self {
        HubLink {
            building,
            joined,
            ..HubLink::house(Channel::from_index(0), false, joined)
        }
    }

    /// The building whose HAN a flat's hub shares; `None` for a house.
    #[inline]
    pub fn building(&self) -> Option<u32> {
        (self.building != HOUSE).then_some(self.building)
    }

    /// A house's channel now.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// One crossing of a house's HAN, with the re-scan rule applied after it.
    pub fn cross_house(&mut self, shared: &Shared, ctx: &mut Ctx<'_, Msg>) -> Crossing {
        debug_assert!(self.building().is_none() && self.joined);
        let radio = &shared.config.han.radio;
        let busy = channel::busy(radio, self.channel, 0, 0);
        let mut draws = u64::from(self.draws);
        let c = channel::cross(
            radio,
            &shared.config.han.latency,
            busy,
            false,
            &mut ctx.side_rng(HAN_SIDE_STREAM, &mut draws),
        );
        self.draws = u32::try_from(draws).expect("fewer than 2^32 HAN draws per hub");
        if self.window.record(radio, &c) {
            let quietest = policy::quietest(radio, self.dual_band);
            if quietest != self.channel {
                self.channel = quietest;
                ctx.count(shared.han.channel_changes[Dwelling::House as usize], 1);
            }
        }
        c
    }
}

/// Sends `req` on after its HAN crossing `c`: a delivered command to `device`, a delivered answer
/// over the WAN to the region's CSP, and a crossing the hub gave up on back as an E21 report.
pub fn carry(
    mut req: Request,
    device: ActorId,
    region: Region,
    dwelling: Dwelling,
    c: Crossing,
    shared: &Shared,
    ctx: &mut Ctx<'_, Msg>,
) {
    let ids: &HanIds = &shared.han;
    let d = dwelling as usize;
    if c.attempts > 1 {
        ctx.count(ids.retries[d], u64::from(c.attempts - 1));
    }
    if c.delivered {
        ctx.record(ids.hop[d], c.time);
        ctx.record(shared.ids.hop(req.sr, region, Hop::Han), c.time);
        if req.leg == Leg::Outbound {
            ctx.send(device, c.time, Msg::AtDevice(req));
            return;
        }
    } else {
        ctx.count(ids.gave_up[d], 1);
        req.leg = Leg::NoAnswer;
    }
    back_over_wan(req, region, c.time, shared, ctx);
}

/// Sends an answer or an E21 report to the region's CSP, `after` the time spent on the HAN.
pub fn back_over_wan(
    req: Request,
    region: Region,
    after: SimDuration,
    shared: &Shared,
    ctx: &mut Ctx<'_, Msg>,
) {
    debug_assert!(matches!(req.leg, Leg::Inbound | Leg::NoAnswer));
    let wan = shared.crossing(Hop::Wan, req.sr, region, ctx);
    let delay = SimDuration::from_micros(after.as_micros() + wan.as_micros());
    ctx.send(Kinds::csp(region), delay, Msg::AtCsp(req));
}

#[cfg(test)]
mod tests {
    use super::*;

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
