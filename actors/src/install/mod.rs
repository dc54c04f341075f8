//! Installation waves: a supplier's installers create new premises over time and take each
//! device through the SMI by real Service Requests (DOMAIN §3):
//!
//! 1. 12.2 Device Pre-notification of the hub, the electricity meter and the gas meter (refused
//!    with E11 if the device's model is not on the CPL) → Pending;
//! 2. the hub joins: 8.14.1 CH Install Success → the hub is Commissioned \[U\];
//! 3. 8.11 Update HAN Device Log, carried out by the hub, for each meter → Whitelisted;
//! 4. each meter joins the HAN, reported by 8.14.1 → InstalledNotCommissioned; meters whose hub
//!    the HAN radio model ([`crate::han`]) could not join stay Whitelisted (`result=no_han`);
//! 5. 8.1.1 Commission Device, sent to each meter → Commissioned;
//! 6. 8.7 Join Service for the premises' PPMID and HCALCS (if the wave fits them: `ppmid_share`,
//!    `hcalcs_share`), carried out by the electricity meter → Commissioned; refused with E5 if
//!    the meter is not Commissioned.
//!
//! A PPMID or HCALCS goes through steps 1, 3 and 4 beside the meters (12.2, 8.11, 8.14.1).
//! At each step a share of devices fails in the field (`fail` in `[[install]]`): no SR is sent
//! for it, it keeps its status and goes no further; a refused SR stops it the same way. Meters
//! wait for their hub: if the hub fails, its meters stay Pending. Every outcome is counted as
//! `install.step{result=ok|failed|refused|no_han,step}`.

pub mod config;

use crate::device_model::PhysicalDeviceType;
use crate::dist::pick;
use crate::msg::Msg;
use crate::population::Premises;
use crate::region::{Region, RegionMap};
use crate::shared::Core;
use crate::sr::{DeviceType, ResponseCode, SrType};
use crate::streams::Builder;
use crate::supplier;
pub use config::{premises_in, InstallWave, StepFailures};
use dccsim_sim::{metric_name, CounterId, Ctx, Kernel, SimDuration, SimTime};

/// The SRs an installation uses, in step order.
pub const SRS: [SrType; 5] = [
    SrType::DevicePreNotification,
    SrType::ChInstallSuccess,
    SrType::UpdateHanDeviceLog,
    SrType::CommissionDevice,
    SrType::JoinService,
];

/// Whether the scenario's installation waves may send `sr` (8.7 only if a wave fits PPMIDs or
/// HCALCSs), so that only their SRs get metrics.
pub fn sends(waves: &[InstallWave], sr: SrType) -> bool {
    SRS.contains(&sr)
        && waves
            .iter()
            .any(|w| sr != SrType::JoinService || w.ppmid_share > 0.0 || w.hcalcs_share > 0.0)
}

/// A step of an installation.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    PreNotify,
    HubJoin,
    Whitelist,
    MeterJoin,
    Commission,
    /// SR 8.7: the PPMID and HCALCS join the electricity meter.
    JoinService,
    Done,
}

impl Step {
    const ALL: [Step; 6] = [
        Step::PreNotify,
        Step::HubJoin,
        Step::Whitelist,
        Step::MeterJoin,
        Step::Commission,
        Step::JoinService,
    ];

    /// The label in `install.step{step=…}`.
    pub fn name(self) -> &'static str {
        match self {
            Step::PreNotify => "prenotify",
            Step::HubJoin => "hub_join",
            Step::Whitelist => "whitelist",
            Step::MeterJoin => "join",
            Step::Commission => "commission",
            Step::JoinService => "join_service",
            Step::Done => "done",
        }
    }

    fn sr(self) -> SrType {
        match self {
            Step::PreNotify => SrType::DevicePreNotification,
            Step::HubJoin | Step::MeterJoin => SrType::ChInstallSuccess,
            Step::Whitelist => SrType::UpdateHanDeviceLog,
            Step::Commission => SrType::CommissionDevice,
            Step::JoinService => SrType::JoinService,
            Step::Done => unreachable!("nothing is sent when done"),
        }
    }

    fn next(self) -> Step {
        match self {
            Step::PreNotify => Step::HubJoin,
            Step::HubJoin => Step::Whitelist,
            Step::Whitelist => Step::MeterJoin,
            Step::MeterJoin => Step::Commission,
            Step::Commission => Step::JoinService,
            Step::JoinService | Step::Done => Step::Done,
        }
    }

    /// The share of devices failing this step in the field.
    fn failure(self, wave: &InstallWave) -> f64 {
        match self {
            Step::PreNotify => wave.fail.prenotify,
            Step::HubJoin | Step::MeterJoin => wave.fail.join,
            Step::Whitelist => wave.fail.whitelist,
            Step::Commission => wave.fail.commission,
            Step::JoinService => wave.fail.join_service,
            Step::Done => 0.0,
        }
    }
}

const HUB: u8 = 1;
const ESME: u8 = 2;
const GSME: u8 = 4;
const PPMID: u8 = 8;
const HCALCS: u8 = 16;
const METERS: u8 = ESME | GSME;
/// The HAN devices that join the electricity meter with SR 8.7.
const JOINERS: u8 = PPMID | HCALCS;
const DEVICES: [(u8, DeviceType); 5] = [
    (HUB, DeviceType::Hub),
    (ESME, DeviceType::Esme),
    (GSME, DeviceType::Gsme),
    (PPMID, DeviceType::Ppmid),
    (HCALCS, DeviceType::Hcalcs),
];

const DRAWS_PER_PREMISES: u64 = 2;
const JOINER_DRAWS_PER_PREMISES: u64 = 2;

/// The premises every wave will create, numbered after the `installed` existing ones in wave
/// order: region by the population's shares, gas by the wave's `gas_share`.
pub fn planned_premises(
    waves: &[InstallWave],
    regions: &RegionMap<f64>,
    installed: u32,
    kernel: &mut Kernel<Msg>,
) -> Vec<Premises> {
    let region_shares = Region::ALL.map(|r| *regions.get(r));
    let mut out = Vec::new();
    for wave in waves {
        for _ in 0..premises_in(wave) {
            let i = installed as u64 + out.len() as u64;
            let mut draws = i * DRAWS_PER_PREMISES;
            let mut rng = kernel.builder_rng(Builder::InstallPremises.purpose(), &mut draws);
            let region = Region::from_index(pick(&region_shares, rng.uniform()));
            out.push(Premises::new(region, rng.chance(wave.gas_share)));
        }
    }
    out
}

/// The PPMIDs and HCALCSs every wave will fit, as (premises, type) in ascending order, numbered
/// like [`planned_premises`]: each new premises gets one by its wave's `ppmid_share` and
/// `hcalcs_share`.
pub fn planned_joiners(
    waves: &[InstallWave],
    installed: u32,
    kernel: &mut Kernel<Msg>,
) -> Vec<(u32, PhysicalDeviceType)> {
    let mut out = Vec::new();
    let mut premises = installed;
    for wave in waves {
        for _ in 0..premises_in(wave) {
            let mut draws = u64::from(premises) * JOINER_DRAWS_PER_PREMISES;
            let mut rng = kernel.builder_rng(Builder::InstallJoiners.purpose(), &mut draws);
            if rng.chance(wave.ppmid_share) {
                out.push((premises, PhysicalDeviceType::Ppmid));
            }
            if rng.chance(wave.hcalcs_share) {
                out.push((premises, PhysicalDeviceType::Hcalcs));
            }
            premises += 1;
        }
    }
    out
}

/// Where one premises is in its installation.
#[derive(Copy, Clone, Debug)]
struct Job {
    step: Step,
    /// Devices still going (bits HUB, ESME, GSME, PPMID, HCALCS).
    alive: u8,
    /// The premises' PPMID and HCALCS, if the wave fits them (bits PPMID, HCALCS).
    joiners: u8,
    /// SRs of this step not yet answered.
    outstanding: u8,
    /// The premises' meters can join its HAN (the radio join model's verdict at build time).
    han_joined: bool,
}

/// One wave's installers, kept by the supplier whose wave it is.
#[derive(Debug)]
pub struct Installer {
    wave: u16,
    /// The wave's `[[install]]` settings.
    cfg: InstallWave,
    /// The wave's first premises and how many it creates.
    first: u32,
    jobs: Vec<Job>,
    /// Premises started so far.
    started: u32,
    /// `install.step{result,step}` handles, registered on first use:
    /// `[step][ok, failed, refused, no_han]`.
    counters: [[Option<CounterId>; 4]; 6],
}

impl Installer {
    pub fn new(wave: u16, cfg: InstallWave, first: u32, count: u32) -> Self {
        Installer {
            wave,
            cfg,
            first,
            jobs: vec![
                Job {
                    step: Step::PreNotify,
                    alive: 0,
                    joiners: 0,
                    outstanding: 0,
                    han_joined: true,
                };
                count as usize
            ],
            started: 0,
            counters: Default::default(),
        }
    }

    /// Takes the HAN radio model's join verdict for each of the wave's premises: meters of a
    /// premises whose HAN cannot be joined fail the join step (8.14.1) and stay Whitelisted.
    pub fn set_han_joined(&mut self, joined: impl Fn(u32) -> bool) {
        for (k, job) in self.jobs.iter_mut().enumerate() {
            job.han_joined = joined(self.first + k as u32);
        }
    }

    /// Takes the PPMIDs and HCALCSs the installers fit (as [`planned_joiners`] gives them; those
    /// at other waves' premises are ignored).
    pub fn set_joiners(&mut self, joiners: &[(u32, PhysicalDeviceType)]) {
        for &(p, ty) in joiners {
            if self.owns(p) {
                self.jobs[(p - self.first) as usize].joiners |= match ty {
                    PhysicalDeviceType::Ppmid => PPMID,
                    PhysicalDeviceType::Hcalcs => HCALCS,
                    other => unreachable!("installers fit no {other} by 8.7"),
                };
            }
        }
    }

    /// The wave's index in the scenario's `[[install]]` list.
    pub fn wave(&self) -> u16 {
        self.wave
    }

    /// Whether `premises` is one of this wave's.
    pub fn owns(&self, premises: u32) -> bool {
        premises >= self.first && premises - self.first < self.jobs.len() as u32
    }

    /// Time of the next premises' installation visit: the wave's span cut into equal slots, one
    /// visit in the middle of each.
    fn visit_time(&self, wave: &InstallWave) -> Option<SimTime> {
        let n = self.jobs.len() as u64;
        if self.started as u64 >= n {
            return None;
        }
        let span = wave.end.as_micros() - wave.start.as_micros();
        // In 128 bits: slots × span passes 64 bits for big waves over long runs.
        let at = (2 * self.started as u128 + 1) * span as u128 / (2 * n as u128);
        Some(SimTime(wave.start.as_micros() + at as u64))
    }

    /// Schedules the next visit (at build time, then after each visit).
    pub fn schedule(&self, ctx: &mut Ctx<'_, Msg>) {
        let wave = &self.cfg;
        if let Some(at) = self.visit_time(wave) {
            let now = ctx.now();
            debug_assert!(at >= now);
            ctx.wake_after(
                SimDuration::from_micros(at.as_micros() - now.as_micros()),
                Msg::NextInstall { wave: self.wave },
            );
        }
    }

    /// The installer arrives at the next premises: pre-notifies its devices.
    pub fn visit(&mut self, user: u16, core: &Core, ctx: &mut Ctx<'_, Msg>) {
        let premises = self.first + self.started;
        self.started += 1;
        let gas = core
            .population
            .get(premises)
            .expect("planned premises exist")
            .has_gas();
        let job = &mut self.jobs[(premises - self.first) as usize];
        job.alive = HUB | ESME | if gas { GSME } else { 0 } | job.joiners;
        self.run_step(premises, user, core, ctx);
        self.schedule(ctx);
    }

    /// A response to one of this wave's SRs.
    pub fn on_response(
        &mut self,
        premises: u32,
        device: DeviceType,
        code: ResponseCode,
        user: u16,
        core: &Core,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let job = &mut self.jobs[(premises - self.first) as usize];
        debug_assert!(job.outstanding > 0, "a response nobody waits for");
        job.outstanding -= 1;
        let step = job.step;
        if code != ResponseCode::I0 {
            job.alive &= !bit(device);
        }
        let outstanding = job.outstanding;
        self.count(step, if code == ResponseCode::I0 { 0 } else { 2 }, ctx);
        if outstanding == 0 {
            self.advance(premises, user, core, ctx);
        }
    }

    fn advance(&mut self, premises: u32, user: u16, core: &Core, ctx: &mut Ctx<'_, Msg>) {
        let job = &mut self.jobs[(premises - self.first) as usize];
        if job.step == Step::HubJoin && job.alive & HUB == 0 {
            // No hub, no HAN: the meters stay where they are.
            job.alive = 0;
        }
        job.step = job.step.next();
        self.run_step(premises, user, core, ctx);
    }

    /// Sends this step's SR for every device still going, after the field failure draw; moves
    /// on at once if nothing was sent.
    fn run_step(&mut self, premises: u32, user: u16, core: &Core, ctx: &mut Ctx<'_, Msg>) {
        let wave = &self.cfg;
        let index = (premises - self.first) as usize;
        let step = self.jobs[index].step;
        if step == Step::Done {
            return;
        }
        let targets = match step {
            Step::PreNotify => HUB | METERS | JOINERS,
            Step::HubJoin => HUB,
            Step::Whitelist | Step::MeterJoin => METERS | JOINERS,
            Step::Commission => METERS,
            Step::JoinService => JOINERS,
            Step::Done => unreachable!("returned above"),
        };
        let failure = step.failure(wave);
        let no_han = step == Step::MeterJoin && !self.jobs[index].han_joined;
        for (b, device) in DEVICES {
            if self.jobs[index].alive & targets & b == 0 {
                continue;
            }
            if no_han {
                // The radio could not join this premises' HAN: no 8.14.1 to send for any
                // device on it (meters, PPMID, HCALCS alike).
                self.jobs[index].alive &= !b;
                self.count(step, 3, ctx);
                continue;
            }
            if failure > 0.0 && ctx.rng().chance(failure) {
                self.jobs[index].alive &= !b;
                self.count(step, 1, ctx);
                continue;
            }
            self.jobs[index].outstanding += 1;
            supplier::submit(
                user,
                premises,
                step.sr(),
                device,
                device.supplier_role(),
                core,
                ctx,
            );
        }
        if self.jobs[index].outstanding == 0 {
            self.advance(premises, user, core, ctx);
        }
    }

    fn count(&mut self, step: Step, result: usize, ctx: &mut Ctx<'_, Msg>) {
        let s = Step::ALL
            .iter()
            .position(|&x| x == step)
            .expect("a real step");
        let id = *self.counters[s][result].get_or_insert_with(|| {
            ctx.metrics().counter(metric_name(
                "install.step",
                &[
                    ("result", ["ok", "failed", "refused", "no_han"][result]),
                    ("step", step.name()),
                ],
            ))
        });
        ctx.count(id, 1);
    }
}

fn bit(device: DeviceType) -> u8 {
    match device {
        DeviceType::Hub => HUB,
        DeviceType::Esme => ESME,
        DeviceType::Gsme => GSME,
        DeviceType::Ppmid => PPMID,
        DeviceType::Hcalcs => HCALCS,
        DeviceType::Apc => unreachable!("installation waves fit no APC"),
    }
}
