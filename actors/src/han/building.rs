//! A multi-dwelling building: the HAN its flats' hubs share. Hubs in one building hear each
//! other, so the building (an actor of its own) holds every flat's channel and carries every
//! HAN message of its flats; a hub that re-scans moves in the building's channel plan.

use super::channel::{self, busy_for_member, Occupancy};
use super::config::Policy;
use super::config::{Channel, CHANNELS};
use super::link::{carry, LossWindow};
use super::policy;
use super::HanShared;
use crate::msg::Msg;
use crate::shared::Core;
use crate::streams::Side;
use dccsim_sim::Ctx;

/// How a flat's devices are reached.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Reach {
    /// The standard HAN reaches them.
    Direct,
    /// Through Alt HAN equipment: a relay with its own latency and loss.
    AltHan,
    /// Through the building's Shared HAN (also a relay).
    SharedHan,
    /// The standard HAN cannot reach them and there is neither Alt HAN nor Shared HAN: the
    /// devices never join.
    Unreachable,
}

impl Reach {
    /// Messages go through a relay.
    pub fn relayed(self) -> bool {
        matches!(self, Reach::AltHan | Reach::SharedHan)
    }
}

/// One flat's hub as its building sees it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Flat {
    pub channel: Channel,
    pub dual_band: bool,
    pub reach: Reach,
    window: LossWindow,
}

impl Flat {
    pub fn new(dual_band: bool, reach: Reach) -> Self {
        Flat {
            channel: Channel::from_index(0),
            dual_band,
            reach,
            window: LossWindow::default(),
        }
    }

    /// The hub is on the air: its devices can be reached somehow.
    pub fn on_air(&self) -> bool {
        self.reach != Reach::Unreachable
    }
}

/// A building's flats are the premises `first .. first + flats.len()`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Building {
    pub first: u32,
    pub flats: Vec<Flat>,
    /// Hubs on the air on each channel.
    pub occupancy: Occupancy,
    /// The building has a Shared HAN: its channels follow a coordinated plan whatever the
    /// scenario's policy.
    pub shared_han: bool,
    /// Draws taken from the building's re-scan side stream: re-scans draw apart from crossings,
    /// so a re-scan rule that draws (energy scan) or not (coordinated) leaves crossings alone.
    rescan_draws: u64,
}

impl Building {
    /// A building of `flats` from premises `first` on, before its channel plan.
    pub fn new(first: u32, flats: Vec<Flat>, shared_han: bool) -> Self {
        Building {
            first,
            flats,
            occupancy: [0; CHANNELS],
            shared_han,
            rescan_draws: 0,
        }
    }

    /// How this building's hubs choose channels: the scenario's policy, or a coordinated plan
    /// where a Shared HAN serves the building.
    pub fn policy(&self, scenario_policy: Policy) -> Policy {
        if self.shared_han {
            Policy::Coordinated
        } else {
            scenario_policy
        }
    }

    /// The flat of `premises`.
    #[inline]
    fn flat_index(&self, premises: u32) -> usize {
        let k = premises.wrapping_sub(self.first) as usize;
        debug_assert!(
            k < self.flats.len(),
            "premises {premises} not in this building"
        );
        k
    }

    /// A flat's hub hands over a message: carry it across the building's HAN.
    pub fn handle(&mut self, msg: Msg, core: &Core, han: &HanShared, ctx: &mut Ctx<'_, Msg>) {
        let Msg::AtBuilding { req, device } = msg else {
            unreachable!("building got {msg:?}")
        };
        let radio = &han.config.radio;
        let k = self.flat_index(req.premises);
        let flat = self.flats[k];
        debug_assert!(flat.on_air(), "an unjoined flat's hub sends nothing");
        let busy = busy_for_member(radio, &self.occupancy, flat.channel);
        let c = channel::cross(
            radio,
            &han.config.latency,
            busy,
            flat.reach.relayed(),
            &mut ctx.rng(),
        );
        if self.flats[k].window.record(radio, &c) {
            self.rescan(k, han, ctx);
        }
        let region = core
            .population
            .get(req.premises)
            .expect("a flat is a premises")
            .region();
        carry(req, device, region, c, core, han, ctx);
    }

    /// The re-scan rule: flat `k`'s hub scans again and moves if another channel looks quieter.
    fn rescan(&mut self, k: usize, han: &HanShared, ctx: &mut Ctx<'_, Msg>) {
        let radio = &han.config.radio;
        let old = self.flats[k].channel;
        self.occupancy[old.index()] -= 1;
        let new = policy::rescan(
            self.policy(radio.policy),
            radio,
            &self.occupancy,
            self.flats[k].dual_band,
            &mut ctx.side_rng(Side::HanRescan.purpose(), &mut self.rescan_draws),
        );
        self.occupancy[new.index()] += 1;
        if new != old {
            self.flats[k].channel = new;
            ctx.count(han.channel_changes, 1);
        }
        debug_assert_eq!(
            self.occupancy.iter().map(|&n| n as usize).sum::<usize>(),
            self.flats.iter().filter(|f| f.on_air()).count()
        );
    }
}
