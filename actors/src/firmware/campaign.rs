//! A supplier's rollout campaign (DOMAIN §8): waves release the targeted devices; at most
//! `max_in_transfer` of them have an image on its way at once. Each device goes
//!
//! pending → (SR 11.1 accepted, image crossing WAN and HAN) transferring → (receipt) transferred
//! → (SR 11.3 future-dated into the activation window, then SR 11.2 confirms the version)
//! activated,
//!
//! or ends failed: 11.1 refused (target model not on the CPL), transfer or activation failing on
//! every attempt, no HAN, or an unrecoverable device. The pause rule stops new transfers when
//! too many finished devices failed.

use super::config::{ActivationWindow, Campaign, WaveSize};
use super::tag::{Outcome, Tag};
use super::FirmwareShared;
use crate::config::defaults::SHARE_TOLERANCE;
use crate::msg::{FirmwareTimer, Receipt};
use crate::msg::{Msg, Request};
use crate::region::Region;
use crate::shared::Core;
use crate::sr::{ResponseCode, SrType};
use crate::user;
use dccsim_sim::{metric_name, CounterId, Ctx, FlowId, GaugeId, Metrics, SimDuration, SimTime};
use std::collections::VecDeque;

/// Where a targeted device is in the campaign: the `state` label of `firmware.devices`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DeviceState {
    /// Not started yet, or waiting to retry its transfer.
    Pending,
    /// SR 11.1 sent; the image is on its way.
    Transferring,
    /// The device holds the image; activation (11.3) and confirmation (11.2) are under way.
    Transferred,
    /// Runs the new firmware, confirmed by SR 11.2.
    Activated,
    /// Gave up on this device.
    Failed,
}

impl DeviceState {
    pub const ALL: [DeviceState; 5] = [
        DeviceState::Pending,
        DeviceState::Transferring,
        DeviceState::Transferred,
        DeviceState::Activated,
        DeviceState::Failed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DeviceState::Pending => "pending",
            DeviceState::Transferring => "transferring",
            DeviceState::Transferred => "transferred",
            DeviceState::Activated => "activated",
            DeviceState::Failed => "failed",
        }
    }
}

/// Why an attempt failed: the `kind` label of `firmware.failures` (each attempt counts).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The DSP refused SR 11.1 or 11.3 (e.g. E11: target model not on the CPL).
    Refused,
    /// The image transfer broke off.
    Transfer,
    /// The device never joined the HAN: the hub could not pass the image on.
    NoHan,
    /// The device reported a failed activation.
    Activation,
    /// The device did not answer SR 11.3 or 11.2 over the HAN (E21).
    NoAnswer,
    /// The device cannot take the image at all.
    Unrecoverable,
}

impl FailureKind {
    pub const ALL: [FailureKind; 6] = [
        FailureKind::Refused,
        FailureKind::Transfer,
        FailureKind::NoHan,
        FailureKind::Activation,
        FailureKind::NoAnswer,
        FailureKind::Unrecoverable,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Refused => "refused",
            FailureKind::Transfer => "transfer",
            FailureKind::NoHan => "no_han",
            FailureKind::Activation => "activation",
            FailureKind::NoAnswer => "no_answer",
            FailureKind::Unrecoverable => "unrecoverable",
        }
    }
}

/// One targeted device.
#[derive(Copy, Clone, Debug)]
struct Target {
    premises: u32,
    state: DeviceState,
    transfers: u8,
    activations: u8,
}

/// Metric handles of one campaign.
#[derive(Debug)]
struct Ids {
    /// `firmware.devices{campaign,state}`, in [`DeviceState::ALL`] order.
    state: [GaugeId; 5],
    /// `firmware.failures{campaign,kind}`, in [`FailureKind::ALL`] order.
    failures: [CounterId; 6],
    /// `firmware.device{campaign,region}`: campaign start → activation confirmed.
    device: [FlowId; 3],
    /// `firmware.transfer{campaign,region}`: SR 11.1 sent → the device holds the image.
    transfer: [FlowId; 3],
    /// `firmware.paused{campaign}`: 1 once the pause rule has stopped the campaign.
    paused: CounterId,
}

/// A campaign in progress, kept by its supplier.
#[derive(Debug)]
pub struct CampaignRun {
    /// Index in `[[firmware_campaign]]` order (what firmware SRs carry in their [`Tag`]).
    pub index: u16,
    /// Sorted by premises (one device type per campaign, so premises identify the device).
    targets: Vec<Target>,
    /// Devices released by each wave so far, cumulative, in wave order.
    release_at: Vec<u32>,
    /// `targets[..released]` have been released.
    released: u32,
    /// Next released device not yet started.
    next: u32,
    /// Devices whose retry wait is over, waiting for a transfer slot.
    ready: VecDeque<u32>,
    in_transfer: u32,
    activated: u32,
    failed: u32,
    paused: bool,
    ids: Ids,
}

impl CampaignRun {
    /// Campaign `index` (`cfg`) targeting the devices at `premises` (ascending), all pending.
    pub fn new(index: u16, cfg: &Campaign, premises: Vec<u32>, m: &mut Metrics) -> Self {
        assert!(
            premises.windows(2).all(|w| w[0] < w[1]),
            "ascending premises"
        );
        let n = premises.len() as u32;
        let label = |name: &str, key: &str, value: &str| {
            metric_name(name, &[("campaign", &cfg.id), (key, value)])
        };
        let ids = Ids {
            state: DeviceState::ALL.map(|s| m.gauge(label("firmware.devices", "state", s.name()))),
            failures: FailureKind::ALL
                .map(|k| m.counter(label("firmware.failures", "kind", k.name()))),
            device: Region::ALL.map(|r| m.flow(label("firmware.device", "region", r.name()), None)),
            transfer: Region::ALL
                .map(|r| m.flow(label("firmware.transfer", "region", r.name()), None)),
            paused: m.counter(metric_name("firmware.paused", &[("campaign", &cfg.id)])),
        };
        m.gauge_add(ids.state[DeviceState::Pending as usize], i64::from(n));
        let mut share = 0.0;
        let mut count = 0u32;
        let release_at = cfg
            .waves
            .iter()
            .map(|w| {
                match w.size {
                    WaveSize::Share(s) => share += s,
                    WaveSize::Count(c) => count = count.saturating_add(c),
                }
                if share >= 1.0 - SHARE_TOLERANCE {
                    n
                } else {
                    ((share * n as f64).round() as u32)
                        .saturating_add(count)
                        .min(n)
                }
            })
            .collect();
        CampaignRun {
            index,
            targets: premises
                .into_iter()
                .map(|premises| Target {
                    premises,
                    state: DeviceState::Pending,
                    transfers: 0,
                    activations: 0,
                })
                .collect(),
            release_at,
            released: 0,
            next: 0,
            ready: VecDeque::new(),
            in_transfer: 0,
            activated: 0,
            failed: 0,
            paused: false,
            ids,
        }
    }

    /// Devices the campaign targets.
    pub fn targeted(&self) -> u32 {
        self.targets.len() as u32
    }

    /// Schedules the campaign's waves; called once while the world is built.
    pub fn schedule(&self, cfg: &Campaign, ctx: &mut Ctx<'_, Msg>) {
        for (w, wave) in cfg.waves.iter().enumerate() {
            let at = SimDuration::from_micros(cfg.start.as_micros() + wave.at.as_micros());
            let timer = FirmwareTimer::Wave {
                campaign: self.index,
                wave: w as u16,
            };
            ctx.wake_after(at, Msg::Firmware(timer));
        }
    }

    fn cfg<'s>(&self, fw: &'s FirmwareShared) -> &'s Campaign {
        &fw.config.campaigns[self.index as usize]
    }

    fn find(&self, premises: u32) -> usize {
        self.targets
            .binary_search_by_key(&premises, |t| t.premises)
            .expect("firmware SRs of a campaign name its devices")
    }

    fn set_state(&mut self, i: usize, to: DeviceState, ctx: &mut Ctx<'_, Msg>) {
        let from = self.targets[i].state;
        debug_assert_ne!(from, DeviceState::Failed, "failed devices stay failed");
        debug_assert_ne!(
            from,
            DeviceState::Activated,
            "activated devices stay activated"
        );
        ctx.gauge_add(self.ids.state[from as usize], -1);
        ctx.gauge_add(self.ids.state[to as usize], 1);
        self.targets[i].state = to;
    }

    /// A campaign timer.
    pub fn on_timer(
        &mut self,
        timer: FirmwareTimer,
        core: &Core,
        fw: &FirmwareShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        match timer {
            FirmwareTimer::Wave { wave, .. } => {
                self.released = self.released.max(self.release_at[wave as usize]);
            }
            FirmwareTimer::RetryTransfer { device, .. } => self.ready.push_back(device),
            FirmwareTimer::RetryRead { device, .. } => self.send(
                device as usize,
                SrType::ReadFirmwareVersion,
                None,
                core,
                fw,
                ctx,
            ),
        }
        self.pump(core, fw, ctx);
    }

    /// Starts transfers while there is room and the campaign is not paused: retries first, then
    /// released devices in order.
    fn pump(&mut self, core: &Core, fw: &FirmwareShared, ctx: &mut Ctx<'_, Msg>) {
        let cap = self.cfg(fw).max_in_transfer;
        while !self.paused && self.in_transfer < cap {
            let i = if let Some(i) = self.ready.pop_front() {
                i
            } else if self.next < self.released {
                self.next += 1;
                self.next - 1
            } else {
                break;
            };
            let i = i as usize;
            debug_assert_eq!(self.targets[i].state, DeviceState::Pending);
            self.targets[i].transfers += 1;
            self.set_state(i, DeviceState::Transferring, ctx);
            self.in_transfer += 1;
            ctx.gauge_add(fw.ids.rollout().in_transfer, 1);
            self.send(i, SrType::UpdateFirmware, None, core, fw, ctx);
        }
    }

    /// Sends `sr` for target `i` as the campaign's supplier; `at` is a future-dated SR's
    /// execution time.
    fn send(
        &mut self,
        i: usize,
        sr: SrType,
        at: Option<SimTime>,
        core: &Core,
        fw: &FirmwareShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let cfg = self.cfg(fw);
        let mut req = user::request(
            cfg.supplier,
            self.targets[i].premises,
            sr,
            cfg.device,
            cfg.device.supplier_role(),
            Tag::new(self.index).encode(),
            ctx.now(),
        );
        if let Some(at) = at {
            // A future-dated SR's response time runs from its execution time.
            req.sent = at;
        }
        user::submit(req, core, ctx);
    }

    fn transfer_over(&mut self, fw: &FirmwareShared, ctx: &mut Ctx<'_, Msg>) {
        debug_assert!(self.in_transfer > 0);
        self.in_transfer -= 1;
        ctx.gauge_add(fw.ids.rollout().in_transfer, -1);
    }

    fn count(&self, kind: FailureKind, ctx: &mut Ctx<'_, Msg>) {
        ctx.count(self.ids.failures[kind as usize], 1);
    }

    /// Target `i` ends failed; the pause rule looks at the campaign's record.
    fn give_up(&mut self, i: usize, fw: &FirmwareShared, ctx: &mut Ctx<'_, Msg>) {
        self.set_state(i, DeviceState::Failed, ctx);
        self.failed += 1;
        self.check_pause(fw, ctx);
    }

    fn check_pause(&mut self, fw: &FirmwareShared, ctx: &mut Ctx<'_, Msg>) {
        let cfg = self.cfg(fw);
        let Some(limit) = cfg.pause_above else { return };
        let done = self.activated + self.failed;
        if !self.paused
            && done >= cfg.pause_min_devices
            && f64::from(self.failed) > limit * f64::from(done)
        {
            self.paused = true;
            ctx.count(self.ids.paused, 1);
        }
    }

    /// SR 11.3 for target `i`, future-dated into the next activation window.
    fn activate(&mut self, i: usize, core: &Core, fw: &FirmwareShared, ctx: &mut Ctx<'_, Msg>) {
        let window = self.cfg(fw).activation;
        let u = ctx.rng().uniform();
        let at = next_window(ctx.now(), window, u);
        self.targets[i].activations += 1;
        self.send(i, SrType::ActivateFirmware, Some(at), core, fw, ctx);
    }

    /// Activation of target `i` failed (`kind`): try again in the next window, or give up.
    fn activation_failed(
        &mut self,
        i: usize,
        kind: FailureKind,
        core: &Core,
        fw: &FirmwareShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        self.count(kind, ctx);
        if self.targets[i].activations < self.cfg(fw).max_activation_attempts {
            self.activate(i, core, fw, ctx);
        } else {
            self.give_up(i, fw, ctx);
        }
    }

    /// The image distribution to `req`'s device has ended.
    pub fn on_receipt(
        &mut self,
        req: Request,
        receipt: Receipt,
        core: &Core,
        fw: &FirmwareShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let i = self.find(req.premises);
        debug_assert_eq!(self.targets[i].state, DeviceState::Transferring);
        self.transfer_over(fw, ctx);
        match receipt {
            Receipt::Transferred => {
                let region = core.region_of(req.premises);
                ctx.record(self.ids.transfer[region.index()], ctx.now().since(req.sent));
                self.set_state(i, DeviceState::Transferred, ctx);
                self.activate(i, core, fw, ctx);
            }
            Receipt::TransferFailed => {
                self.count(FailureKind::Transfer, ctx);
                let cfg = self.cfg(fw);
                if self.targets[i].transfers < cfg.max_transfer_attempts {
                    self.set_state(i, DeviceState::Pending, ctx);
                    let timer = FirmwareTimer::RetryTransfer {
                        campaign: self.index,
                        device: i as u32,
                    };
                    ctx.wake_after(cfg.retry_after, Msg::Firmware(timer));
                } else {
                    self.give_up(i, fw, ctx);
                }
            }
            Receipt::NoHan => {
                self.count(FailureKind::NoHan, ctx);
                self.give_up(i, fw, ctx);
            }
        }
        self.pump(core, fw, ctx);
    }

    /// The DSP's answer to one of the campaign's SRs.
    pub fn on_response(
        &mut self,
        req: Request,
        code: ResponseCode,
        core: &Core,
        fw: &FirmwareShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let i = self.find(req.premises);
        match (req.sr, code) {
            // Accepted for distribution: the receipt will follow.
            (SrType::UpdateFirmware, ResponseCode::I0) => {}
            (SrType::UpdateFirmware, _) => {
                self.transfer_over(fw, ctx);
                self.count(FailureKind::Refused, ctx);
                self.give_up(i, fw, ctx);
                self.pump(core, fw, ctx);
            }
            (SrType::ActivateFirmware, ResponseCode::I0) => match Tag::decode(req.arg).outcome {
                Outcome::Ok => self.send(i, SrType::ReadFirmwareVersion, None, core, fw, ctx),
                Outcome::Failed => {
                    self.activation_failed(i, FailureKind::Activation, core, fw, ctx)
                }
                Outcome::Unrecoverable => {
                    self.count(FailureKind::Unrecoverable, ctx);
                    self.give_up(i, fw, ctx);
                }
            },
            (SrType::ActivateFirmware | SrType::ReadFirmwareVersion, ResponseCode::E21) => {
                if req.sr == SrType::ActivateFirmware {
                    self.activation_failed(i, FailureKind::NoAnswer, core, fw, ctx);
                } else {
                    self.count(FailureKind::NoAnswer, ctx);
                    let timer = FirmwareTimer::RetryRead {
                        campaign: self.index,
                        device: i as u32,
                    };
                    ctx.wake_after(self.cfg(fw).retry_after, Msg::Firmware(timer));
                }
            }
            (SrType::ReadFirmwareVersion, ResponseCode::I0) => {
                self.set_state(i, DeviceState::Activated, ctx);
                self.activated += 1;
                let region = core.region_of(req.premises);
                let since = ctx.now().since(SimTime(self.cfg(fw).start.as_micros()));
                ctx.record(self.ids.device[region.index()], since);
                self.check_pause(fw, ctx);
            }
            (SrType::ActivateFirmware | SrType::ReadFirmwareVersion, _) => {
                self.count(FailureKind::Refused, ctx);
                self.give_up(i, fw, ctx);
            }
            (other, _) => unreachable!("campaigns send only firmware SRs, not {other}"),
        }
    }

    /// End-of-run check: every targeted device is in exactly one state.
    pub fn check(&self, m: &Metrics) {
        let total: i64 = self.ids.state.iter().map(|&g| m.gauge_value(g)).sum();
        assert_eq!(
            total,
            i64::from(self.targeted()),
            "states account for every device"
        );
        let failed = m.gauge_value(self.ids.state[DeviceState::Failed as usize]);
        assert_eq!(failed, i64::from(self.failed));
    }
}

/// The execution time of an SR 11.3 sent at `now`: a point `u ∈ [0,1)` of the way through the
/// rest of today's activation window if it is open, else through the next one.
pub fn next_window(now: SimTime, window: ActivationWindow, u: f64) -> SimTime {
    const DAY: u64 = 86_400_000_000;
    let t = now.as_micros();
    let start = t - t % DAY + window.start.as_micros();
    let length = window.length.as_micros();
    let (from, span) = if t < start {
        (start, length)
    } else if t < start + length {
        (t, start + length - t)
    } else {
        (start + DAY, length)
    };
    SimTime(from + (u * span as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_falls_in_the_window() {
        let w = ActivationWindow {
            start: SimDuration::from_hours(2),
            length: SimDuration::from_hours(3),
        };
        let h = |n: u64| SimTime(SimDuration::from_hours(n).as_micros());
        // Before today's window: within it.
        assert_eq!(next_window(h(1), w, 0.0), h(2));
        assert_eq!(next_window(h(1), w, 0.5), SimTime(h(2).0 + h(3).0 / 2));
        // Inside: the rest of it.
        assert_eq!(next_window(h(4), w, 0.0), h(4));
        assert!(next_window(h(4), w, 0.999) < h(5));
        // After: tomorrow's.
        assert_eq!(next_window(h(6), w, 0.0), h(26));
        assert_eq!(
            next_window(SimTime(h(24).0 + h(3).0), w, 0.0),
            SimTime(h(24).0 + h(3).0)
        );
    }
}
