//! SMETS1 enrolment and adoption (DOMAIN §2a): SMETS1 meters live first with their supplier,
//! outside the DCC; the DCC migrates them in cohorts (`[[migration]]`), and an enrolled meter is
//! served from then on through the DCC's SMETS1 service — not a SMETS2 Communications Hub —
//! with a reduced set of Service Requests.
//!
//! One actor, [`Smets1Service`], plays the DCC's SMETS1 side:
//! - **migration**: each cohort's timer takes its next meter. A meter whose Device Model has no
//!   listed entry on the CPL the DCC has loaded is not enrolled
//!   (`smets1.migration{reason=not_on_cpl,result=refused}`); of the rest a share fails at data
//!   validation, the DCC's device test or commissioning (`result=failed`, by `cause`, drawn
//!   from the actor's own side stream); the others enter the SMI Commissioned
//!   ([`Trigger::Enrol`]) and their supplier is told, so its traffic streams take them in.
//!   Meters not yet reached when the run ends are `result=pending`: planned = enrolled + refused
//!   + failed + pending, checked at the end of every run.
//! - **service**: the DSP routes a request for a SMETS1 meter here ([`route`]) instead of to the
//!   region's CSP. A worker handles it (queueing when all are busy), it crosses to the meter
//!   and back (`latency` each way, the meter's `[devices] esme_response` between), and a worker
//!   handles the response before it goes back to the DSP. The flows
//!   `sr.hop{hop=smets1,sr}` (each visit: wait + service) and `sr.hop{hop=smets1_meter,sr}`
//!   (service → meter → service) are the path's own; `smets1.e2e{sr}` is the end-to-end
//!   latency of SMETS1 requests against the SR's TRT (they also count in `sr.e2e`).
//!
//! The reduced SR set is [`SUPPORTED`]; the SMI refuses any other SR to a SMETS1 meter with E11
//! (`smi::admit`).

pub mod config;

use crate::ids::Kinds;
use crate::msg::{Leg, Msg, Request, Smets1Msg};
use crate::population::Premises;
use crate::region::{Region, RegionMap};
use crate::shared::Core;
use crate::smi::{Smi, SmiDevice, Trigger};
use crate::sr::{DeviceType, SrType};
use crate::streams::{Builder, Side};
use config::{Cause, Service, Smets1Config};
use dccsim_sim::{
    metric_name, ActorId, CounterId, Ctx, FlowId, GaugeId, Kernel, Metrics, SimDuration, SimTime,
};
use std::collections::VecDeque;

/// The Service Requests the DCC serves for a SMETS1 meter, of those this world models \[U\]
/// (DUIS §1.4 varies the SMETS2 requirements for SMETS1 devices; its list was not retrieved):
/// the tariff update, the reads, firmware version read, and the non-device inventory SRs. Not
/// supported: installation and commissioning SRs (12.2, 8.11, 8.14.1, 8.1.1, 8.7 — a SMETS1
/// meter enters the SMI by migration, already installed), the auxiliary load-control SRs
/// (7.5–7.13) and firmware update and activation (11.1, 11.3) \[U\].
pub const SUPPORTED: [SrType; 8] = [
    SrType::UpdateImportTariff,
    SrType::ReadInstantaneousImport,
    SrType::RetrieveDailyReadLog,
    SrType::ReadInventory,
    SrType::DecommissionDevice,
    SrType::ServiceOptOut,
    SrType::ServiceOptIn,
    SrType::ReadFirmwareVersion,
];

/// Whether the DCC serves `sr` for a SMETS1 meter.
pub fn supports(sr: SrType) -> bool {
    SUPPORTED.contains(&sr)
}

/// Where the DSP sends a request for a device at `premises`: the SMETS1 service for a SMETS1
/// premises, else the region's CSP.
#[inline]
pub fn route(core: &Core, premises: u32) -> ActorId {
    let p = core
        .population
        .get(premises)
        .expect("an admitted device's premises exists");
    if p.is_smets1() {
        Kinds::smets1()
    } else {
        Kinds::csp(p.region())
    }
}

/// Draws each SMETS1 premises takes from its builder stream (its region).
const DRAWS_PER_PREMISES: u64 = 1;

/// The SMETS1 premises every cohort brings, numbered after the `first` premises of the world, in
/// cohort order: each an electricity meter only, its region drawn by the population's shares.
pub fn planned_premises(
    cfg: &Smets1Config,
    regions: &RegionMap<f64>,
    first: u32,
    kernel: &mut Kernel<Msg>,
) -> Vec<Premises> {
    let shares = Region::ALL.map(|r| *regions.get(r));
    let mut out = Vec::new();
    for _ in 0..cfg.meters() {
        let i = u64::from(first) + out.len() as u64;
        let mut draws = i * DRAWS_PER_PREMISES;
        let mut rng = kernel.builder_rng(Builder::Smets1Premises.purpose(), &mut draws);
        let region = Region::from_index(crate::dist::pick(&shares, rng.uniform()));
        out.push(Premises::smets1(region));
    }
    out
}

/// Draws each SMETS1 fleet premises takes from its builder stream (its region, its supplier).
const DRAWS_PER_FLEET_PREMISES: u64 = 2;

/// The SMETS1 premises `[[smets1_fleet]]` brings, numbered from `first` (after the cohorts'), in
/// fleet order, with each one's supplier: an electricity meter only, its region drawn by the
/// population's shares and, for a fleet naming no supplier, its supplier by theirs.
pub fn fleet_premises(
    cfg: &Smets1Config,
    regions: &RegionMap<f64>,
    supplier_shares: &[f64],
    first: u32,
    kernel: &mut Kernel<Msg>,
) -> Vec<(Premises, u16)> {
    let shares = Region::ALL.map(|r| *regions.get(r));
    let mut out = Vec::new();
    for f in &cfg.fleet {
        for _ in 0..f.meters {
            let i = u64::from(first) + out.len() as u64;
            let mut draws = i * DRAWS_PER_FLEET_PREMISES;
            let mut rng = kernel.builder_rng(Builder::Smets1Fleet.purpose(), &mut draws);
            let region = Region::from_index(crate::dist::pick(&shares, rng.uniform()));
            let supplier = f
                .supplier
                .unwrap_or_else(|| crate::dist::pick(supplier_shares, rng.uniform()) as u16);
            out.push((Premises::smets1(region), supplier));
        }
    }
    out
}

/// `fleet` spread evenly through `smets2` (order kept within each): a supplier's daily-window
/// streams take their targets in list order, so a fleet appended at the end would crowd into
/// the window's last stretch and load the SMETS1 service with its whole day in a fraction of it.
pub fn spread_through(smets2: Vec<u32>, fleet: Vec<u32>) -> Vec<u32> {
    let total = smets2.len() + fleet.len();
    let (mut a, mut b) = (smets2.into_iter(), fleet.iter().copied());
    let mut taken = 0;
    (0..total)
        .map(|i| {
            let due = (i + 1) * fleet.len() / total;
            if taken < due {
                taken += 1;
                b.next()
            } else {
                a.next()
            }
            .expect("the two lists hold `total` premises")
        })
        .collect()
}

/// Puts the fleet's meters from premises `first` on the SMI, enrolled before the run:
/// Commissioned, each of its fleet's Device Model.
pub fn enrol_fleet(cfg: &Smets1Config, first: u32, smi: &mut Smi, ctx: &mut Ctx<'_, Msg>) {
    let mut p = first;
    for f in &cfg.fleet {
        let model = crate::device_model::ModelId(f.model);
        for _ in 0..f.meters {
            smi.place_smets1_meter(p, model);
            let meter = SmiDevice {
                premises: p,
                device: DeviceType::Esme,
            };
            smi.apply(meter, Trigger::Enrol, ctx)
                .expect("a fleet meter of a listed SMETS1 model enrols");
            p += 1;
        }
    }
}

/// Puts the SMETS1 premises from `first` on the SMI, unknown to the DCC: each meter of its
/// cohort's Device Model, each model marked SMETS1 (SRs outside [`SUPPORTED`] are refused).
pub fn add_to_smi(cfg: &Smets1Config, smets1_models: &[u16], first: u32, smi: &mut Smi) {
    smi.set_smets1_premises(first);
    for &m in smets1_models {
        smi.mark_smets1(crate::device_model::ModelId(m));
    }
    let mut p = first;
    for c in &cfg.cohorts {
        for _ in 0..c.meters {
            smi.place_smets1_meter(p, crate::device_model::ModelId(c.model));
            p += 1;
        }
    }
}

/// One cohort on its way: which meter comes next.
#[derive(Debug)]
struct CohortRun {
    cfg: config::Cohort,
    /// Premises of the cohort's first meter.
    first: u32,
    /// Meters taken so far.
    next: u32,
}

/// Metric handles of the SMETS1 service.
#[derive(Debug)]
struct Ids {
    busy: GaugeId,
    queue: GaugeId,
    wait: FlowId,
    /// `sr.hop{hop=smets1,sr}` and `sr.hop{hop=smets1_meter,sr}`, registered on first use.
    visit: Vec<Option<FlowId>>,
    meter: Vec<Option<FlowId>>,
    planned: CounterId,
    enrolled: CounterId,
    not_on_cpl: CounterId,
    failed: [CounterId; 3],
    pending: CounterId,
}

/// The DCC's SMETS1 service: the migration of every cohort, and the path of every request to
/// an enrolled SMETS1 meter.
#[derive(Debug)]
pub struct Smets1Service {
    cfg: Service,
    cohorts: Vec<CohortRun>,
    busy: u32,
    waiting: VecDeque<(Request, SimTime)>,
    /// Draws from the migration's side stream so far.
    migration_draws: u64,
    ids: Ids,
    /// Meters `[[smets1_fleet]]` enrolled before the run.
    fleet: u64,
}

impl Smets1Service {
    /// The service of `cfg`, its cohorts' meters numbered from premises `first`; registers its
    /// metrics (the migration counters at 0, `planned` at every cohort's size).
    pub fn new(cfg: &Smets1Config, first: u32, m: &mut Metrics) -> Self {
        let migration = |labels: &[(&str, &str)]| metric_name("smets1.migration", labels);
        let ids = Ids {
            busy: m.gauge("smets1.busy".into()),
            queue: m.gauge("smets1.queue".into()),
            wait: m.flow("smets1.wait".into(), None),
            visit: vec![None; SrType::ALL.len()],
            meter: vec![None; SrType::ALL.len()],
            planned: m.counter(migration(&[("result", "planned")])),
            enrolled: m.counter(migration(&[("result", "enrolled")])),
            not_on_cpl: m.counter(migration(&[
                ("reason", "not_on_cpl"),
                ("result", "refused"),
            ])),
            failed: Cause::ALL
                .map(|c| m.counter(migration(&[("cause", c.name()), ("result", "failed")]))),
            pending: m.counter(migration(&[("result", "pending")])),
        };
        m.add(ids.planned, cfg.meters());
        let mut p = first;
        let cohorts = cfg
            .cohorts
            .iter()
            .map(|c| {
                let run = CohortRun {
                    cfg: c.clone(),
                    first: p,
                    next: 0,
                };
                p += c.meters;
                run
            })
            .collect();
        Smets1Service {
            fleet: cfg.fleet_meters(),
            cfg: cfg.service.clone(),
            cohorts,
            busy: 0,
            waiting: VecDeque::new(),
            migration_draws: 0,
            ids,
        }
    }

    /// Schedules each cohort's first migration; called once while the world is built.
    pub fn schedule(&self, ctx: &mut Ctx<'_, Msg>) {
        for (i, c) in self.cohorts.iter().enumerate() {
            let cohort = i as u16;
            ctx.wake_after(c.cfg.time_of(0), Msg::Smets1(Smets1Msg::Migrate { cohort }));
        }
    }

    /// Requests waiting for a worker.
    pub fn waiting(&self) -> impl Iterator<Item = &Request> {
        self.waiting.iter().map(|(req, _)| req)
    }

    pub fn handle(&mut self, msg: Msg, core: &Core, smi: &mut Smi, ctx: &mut Ctx<'_, Msg>) {
        match msg {
            Msg::Smets1(Smets1Msg::Migrate { cohort }) => self.migrate(cohort, smi, ctx),
            Msg::AtCsp(req) => {
                if self.busy < self.cfg.workers {
                    self.start(req, ctx.now(), ctx);
                } else {
                    self.waiting.push_back((req, ctx.now()));
                    ctx.gauge_add(self.ids.queue, 1);
                }
            }
            Msg::CspDone(req) => {
                self.finish(req, core, ctx);
                self.busy -= 1;
                ctx.gauge_add(self.ids.busy, -1);
                if let Some((next, arrived)) = self.waiting.pop_front() {
                    ctx.gauge_add(self.ids.queue, -1);
                    self.start(next, arrived, ctx);
                }
            }
            other => unreachable!("the SMETS1 service got {other:?}"),
        }
        debug_assert!(self.busy <= self.cfg.workers);
    }

    /// Cohort `cohort` takes its next meter: refused off the CPL, failed by cause, or enrolled.
    fn migrate(&mut self, cohort: u16, smi: &mut Smi, ctx: &mut Ctx<'_, Msg>) {
        let run = &mut self.cohorts[cohort as usize];
        let premises = run.first + run.next;
        run.next += 1;
        let model = crate::device_model::ModelId(run.cfg.model);
        // One draw per meter, whatever happens to it, so each meter's fate has its own number.
        let u = ctx
            .side_rng(Side::Smets1Migration.purpose(), &mut self.migration_draws)
            .uniform();
        if !smi.is_listed(model) {
            ctx.count(self.ids.not_on_cpl, 1);
        } else if let Some(cause) = failure(&run.cfg.fail, u) {
            ctx.count(self.ids.failed[cause as usize], 1);
        } else {
            let meter = SmiDevice {
                premises,
                device: DeviceType::Esme,
            };
            smi.apply(meter, Trigger::Enrol, ctx)
                .expect("a listed SMETS1 meter not yet on the SMI enrols");
            ctx.count(self.ids.enrolled, 1);
            let supplier = Kinds::supplier(run.cfg.supplier);
            let enrolled = Smets1Msg::Enrolled { premises };
            ctx.send(supplier, SimDuration::ZERO, Msg::Smets1(enrolled));
        }
        if run.next < run.cfg.meters {
            let at = run.cfg.time_of(run.next);
            let wait = SimTime(at.as_micros()).since(ctx.now());
            ctx.wake_after(wait, Msg::Smets1(Smets1Msg::Migrate { cohort }));
        }
    }

    fn start(&mut self, req: Request, arrived: SimTime, ctx: &mut Ctx<'_, Msg>) {
        self.busy += 1;
        ctx.gauge_add(self.ids.busy, 1);
        let wait = ctx.now().since(arrived);
        ctx.record(self.ids.wait, wait);
        let service = self.cfg.service_time.sample(&mut ctx.rng());
        let visit = flow(&mut self.ids.visit, "smets1", req.sr, ctx);
        ctx.record(
            visit,
            SimDuration::from_micros(wait.as_micros() + service.as_micros()),
        );
        ctx.wake_after(service, Msg::CspDone(req));
    }

    /// An outbound command crosses to the meter, which answers, and comes back to the service;
    /// a response goes on to the DSP.
    fn finish(&mut self, mut req: Request, core: &Core, ctx: &mut Ctx<'_, Msg>) {
        match req.leg {
            Leg::Outbound => {
                let mut rng = ctx.rng();
                let out = self.cfg.latency.sample(&mut rng);
                let act = core.devices.esme_response.sample(&mut rng);
                let back = self.cfg.latency.sample(&mut rng);
                let trip =
                    SimDuration::from_micros(out.as_micros() + act.as_micros() + back.as_micros());
                let meter = flow(&mut self.ids.meter, "smets1_meter", req.sr, ctx);
                ctx.record(meter, trip);
                req.leg = Leg::Inbound;
                ctx.wake_after(trip, Msg::AtCsp(req));
            }
            Leg::Inbound | Leg::NoAnswer => {
                ctx.send(Kinds::dsp(), SimDuration::ZERO, Msg::AtDsp(req))
            }
            Leg::Transform => unreachable!("transforms never leave the DSP"),
        }
    }

    /// Closes the run: meters not yet reached are `result=pending`, and every planned meter is
    /// accounted for exactly once (planned = enrolled + refused + failed + pending); the fleet
    /// enrolled before the run is the scalar `smets1.fleet`.
    pub fn finish_run(&self, m: &mut Metrics) {
        if self.fleet > 0 {
            m.set_scalar("smets1.fleet".into(), self.fleet as f64);
        }
        let pending: u64 = self
            .cohorts
            .iter()
            .map(|c| u64::from(c.cfg.meters - c.next))
            .sum();
        m.add(self.ids.pending, pending);
        let outcomes: u64 = [self.ids.enrolled, self.ids.not_on_cpl, self.ids.pending]
            .iter()
            .chain(&self.ids.failed)
            .map(|&c| m.counter_value(c))
            .sum();
        assert_eq!(
            m.counter_value(self.ids.planned),
            outcomes,
            "every planned SMETS1 meter is enrolled, refused, failed or pending"
        );
    }
}

/// The cause a meter's migration fails at, for a uniform draw `u`: the causes' shares laid end
/// to end in the order a migration meets them.
fn failure(fail: &config::Failures, u: f64) -> Option<Cause> {
    let mut edge = 0.0;
    for cause in Cause::ALL {
        edge += fail.of(cause);
        if u < edge {
            return Some(cause);
        }
    }
    None
}

/// The flow `sr.hop{hop,sr}` of `sr`, registered on first use.
fn flow(slots: &mut [Option<FlowId>], hop: &str, sr: SrType, ctx: &mut Ctx<'_, Msg>) -> FlowId {
    *slots[sr.index()].get_or_insert_with(|| {
        ctx.metrics().flow(
            metric_name("sr.hop", &[("hop", hop), ("sr", sr.number())]),
            None,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use config::Failures;

    #[test]
    fn failures_are_laid_end_to_end() {
        let f = Failures {
            data: 0.1,
            device_test: 0.2,
            commissioning: 0.3,
        };
        assert_eq!(failure(&f, 0.05), Some(Cause::Data));
        assert_eq!(failure(&f, 0.25), Some(Cause::DeviceTest));
        assert_eq!(failure(&f, 0.55), Some(Cause::Commissioning));
        assert_eq!(failure(&f, 0.65), None);
    }

    #[test]
    fn the_subset_has_no_installation_or_load_control_srs() {
        for sr in [
            SrType::DevicePreNotification,
            SrType::CommissionDevice,
            SrType::ChInstallSuccess,
            SrType::UpdateHanDeviceLog,
            SrType::JoinService,
            SrType::ActivateAuxiliaryLoad,
            SrType::UpdateFirmware,
        ] {
            assert!(!supports(sr), "{sr}");
        }
        assert!(supports(SrType::ReadInstantaneousImport));
    }
}

#[cfg(test)]
mod spread_tests {
    use super::spread_through;

    #[test]
    fn the_fleet_is_spread_evenly_and_nothing_is_lost() {
        let out = spread_through((0..6).collect(), vec![100, 101, 102]);
        assert_eq!(out, vec![0, 1, 100, 2, 3, 101, 4, 5, 102]);
        assert_eq!(spread_through(vec![], vec![7, 8]), vec![7, 8]);
        assert_eq!(spread_through(vec![1, 2], vec![]), vec![1, 2]);
    }
}
