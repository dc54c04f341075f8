//! Suppliers: DCC Users (Import and Gas Supplier roles) that send Service Requests for their
//! premises by the scenario's traffic streams and measure each one end to end.

use crate::config::{Pattern, Traffic};
use crate::firmware::FirmwareShared;
use crate::firmware::{self, CampaignRun, Tag};
use crate::install::Installer;
use crate::msg::Msg;
use crate::retry::{Outcome, Retries};
use crate::shared::Core;
use crate::sr::{DeviceType, Role, SrType};
use crate::traffic::{self, StreamState};
use crate::user::{self, Answers};
use dccsim_sim::{Ctx, SimTime};

/// A supplier and the premises it serves.
#[derive(Debug)]
pub struct Supplier {
    pub index: u16,
    /// Premises whose electricity it supplies (every premises has an ESME).
    pub electricity: Vec<u32>,
    /// Of those, the premises with a gas meter.
    pub gas: Vec<u32>,
    /// `[[traffic]]`: the streams every supplier sends, and where each stands.
    traffic: Vec<Traffic>,
    streams: Vec<StreamState>,
    /// The run's end: no stream schedules a request after it.
    end: SimTime,
    /// Its installation waves (`[[install]]`), each creating new premises over time.
    pub installers: Vec<Installer>,
    /// Its firmware rollouts (`[[firmware_campaign]]`).
    pub campaigns: Vec<CampaignRun>,
    answers: Answers,
    /// `[retry]`: its traffic streams' SRs it sends again when refused or unanswered.
    pub retries: Retries,
}

impl Supplier {
    pub fn new(index: u16, traffic: Vec<Traffic>, end: SimTime) -> Self {
        Supplier {
            index,
            end,
            electricity: Vec::new(),
            gas: Vec::new(),
            streams: vec![StreamState::default(); traffic.len()],
            traffic,
            installers: Vec::new(),
            campaigns: Vec::new(),
            answers: Answers::default(),
            retries: Retries::default(),
        }
    }

    fn targets(&self, device: DeviceType) -> &[u32] {
        match device {
            DeviceType::Esme | DeviceType::Hub => &self.electricity,
            DeviceType::Gsme => &self.gas,
            // Suppliers' traffic addresses meters only (the loader checks it).
            DeviceType::Hcalcs | DeviceType::Apc | DeviceType::Ppmid => &[],
        }
    }

    /// Schedules stream `s`'s first request (if this supplier sends it); called once while the
    /// world is built.
    pub fn start_stream(&mut self, s: usize, ctx: &mut Ctx<'_, Msg>) {
        if self.traffic[s]
            .supplier
            .is_some_and(|only| only != self.index)
        {
            return;
        }
        self.schedule_next(s, ctx);
    }

    fn schedule_next(&mut self, s: usize, ctx: &mut Ctx<'_, Msg>) {
        let t = &self.traffic[s];
        let targets = self.targets(t.device).len() as u32;
        let now = ctx.now();
        if let Some(at) = traffic::next_arrival(
            &t.pattern,
            &mut self.streams[s],
            targets,
            now,
            self.end,
            &mut ctx.rng(),
        ) {
            ctx.wake_after(at.since(now), Msg::NextRequest { stream: s as u16 });
        }
    }

    pub fn handle(&mut self, msg: Msg, core: &Core, fw: &FirmwareShared, ctx: &mut Ctx<'_, Msg>) {
        match msg {
            Msg::NextRequest { stream } => {
                self.send_request(stream as usize, core, ctx);
                self.schedule_next(stream as usize, ctx);
            }
            Msg::NextInstall { wave } => {
                let user = self.index;
                self.installers
                    .iter_mut()
                    .find(|i| i.wave() == wave)
                    .expect("a supplier gets only its own waves' visits")
                    .visit(user, core, ctx);
            }
            Msg::Response(req, code) => {
                let Outcome::Final(req, code) = self.retries.on_response(req, code, ctx) else {
                    return;
                };
                self.answers.account(req, code, core, fw, ctx);
                if firmware::SRS.contains(&req.sr) {
                    self.campaign(Tag::decode(req.arg).campaign)
                        .on_response(req, code, core, fw, ctx);
                    return;
                }
                let user = self.index;
                if let Some(i) = self.installers.iter_mut().find(|i| i.owns(req.premises)) {
                    i.on_response(req.premises, req.device, code, user, core, ctx);
                }
            }
            Msg::AttemptTimeout(req) => {
                if let Outcome::Final(req, code) = self.retries.on_timeout(req, ctx) {
                    self.answers.account(req, code, core, fw, ctx);
                }
            }
            Msg::RetryDue(req) => self.retries.resend(req, ctx),
            Msg::FirmwareReceipt(req, receipt) => self
                .campaign(Tag::decode(req.arg).campaign)
                .on_receipt(req, receipt, core, fw, ctx),
            Msg::Firmware(timer) => self
                .campaign(timer.campaign())
                .on_timer(timer, core, fw, ctx),
            // One of its SMETS1 meters is enrolled: its traffic streams take it in from now.
            Msg::Smets1(crate::msg::Smets1Msg::Enrolled { premises }) => {
                self.electricity.push(premises)
            }
            Msg::Alert(alert) => crate::alert::deliver(alert, core, ctx),
            other => unreachable!("supplier got {other:?}"),
        }
    }

    /// The supplier's campaign with index `c` (`[[firmware_campaign]]` order).
    fn campaign(&mut self, c: u16) -> &mut CampaignRun {
        self.campaigns
            .iter_mut()
            .find(|r| r.index == c)
            .expect("firmware SRs come back to the supplier that sent them")
    }

    fn send_request(&mut self, s: usize, core: &Core, ctx: &mut Ctx<'_, Msg>) {
        let t = &self.traffic[s];
        let targets = self.targets(t.device);
        let mut rng = ctx.rng();
        let premises = if t.unknown_device_share > 0.0 && rng.chance(t.unknown_device_share) {
            // A stale identifier: names no premises the DCC knows.
            core.population.len() + rng.below(u32::MAX as u64 - core.population.len() as u64) as u32
        } else {
            match t.pattern {
                Pattern::DailyWindow { .. } => targets[self.streams[s].due as usize],
                Pattern::Poisson { .. } => targets[rng.below(targets.len() as u64) as usize],
            }
        };
        let mut req = user::request(self.index, premises, t.sr, t.device, t.role, 0, ctx.now());
        self.retries.track(&mut req);
        user::submit(req, core, ctx);
        self.retries.sent(&req, ctx);
    }
}

/// Sends a fresh Service Request from User `user` to the DSP (see [`user::submit`]); its answer
/// comes back to the supplier as [`Msg::Response`].
pub fn submit(
    user: u16,
    premises: u32,
    sr: SrType,
    device: DeviceType,
    role: Role,
    core: &Core,
    ctx: &mut Ctx<'_, Msg>,
) {
    let req = user::request(user, premises, sr, device, role, 0, ctx.now());
    user::submit(req, core, ctx);
}
