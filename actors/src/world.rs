//! The GB world: every actor kind in its own `Vec`, the read-only data they share, and the builder
//! that turns a validated scenario into a ready-to-run kernel.

use crate::calendar::Date;
use crate::cpl::CplActor;
use crate::csp::Csp;
use crate::device_model::{ModelId, PhysicalDeviceType};
use crate::dist::pick;
use crate::dsp::Dsp;
use crate::ev::{EvShared, EvWorld};
use crate::firmware::{self, CampaignRun, FirmwareIds};
use crate::han::{self, Building, HanShared, HubLink};
use crate::hub::Hub;
pub use crate::ids::{Kinds, UNKNOWN_REGION};
use crate::install::{self, Installer};
use crate::meter::Meter;
use crate::msg::Msg;
use crate::population::{PopulationTable, Premises};
use crate::region::Region;
use crate::scenario::Scenario;
use crate::smi::{self, Smi, SmiDevice, SmiStatus};
use crate::sr::ResponseCode;
use crate::sr::SrType;
use crate::streams::Builder;
use crate::supplier::Supplier;
use dccsim_sim::{
    metric_name, ActorId, CounterId, Ctx, FlowId, GaugeId, Kernel, SimDuration, SimTime, World,
};
use rand::RngCore;

/// A regional stage of a Service Request's path, for the per-hop flows
/// `sr.hop{hop,region,sr}`; the DSP's own flow `sr.hop{hop=dsp,sr}` is national.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Hop {
    /// Time at the region's CSP head-end: queueing plus service (each visit).
    Csp,
    /// One WAN crossing between CSP and hub.
    Wan,
    /// One HAN crossing between hub and meter.
    Han,
    /// The meter's time to act and answer.
    Device,
}

impl Hop {
    const ALL: [Hop; 4] = [Hop::Csp, Hop::Wan, Hop::Han, Hop::Device];

    pub fn name(self) -> &'static str {
        match self {
            Hop::Csp => "csp",
            Hop::Wan => "wan",
            Hop::Han => "han",
            Hop::Device => "device",
        }
    }
}

/// Per-SR metric handles, registered for the SR types the scenario's traffic uses.
struct SrIds {
    /// `sr.requested{region,sr}`, region index 3 = unknown device.
    requested: [CounterId; 4],
    completed: [CounterId; 3],
    e2e: [FlowId; 3],
    dsp_hop: FlowId,
    /// `[region][hop]`, hops in [`Hop::ALL`] order.
    regional_hops: [[FlowId; 4]; 3],
}

/// Metric handles registered at build time.
pub struct MetricIds {
    by_sr: Vec<Option<SrIds>>,
    pub dsp_wait: FlowId,
    pub csp_wait: [FlowId; 3],
    pub dsp_queue: GaugeId,
    pub dsp_busy: GaugeId,
    pub csp_queue: [GaugeId; 3],
    pub csp_busy: [GaugeId; 3],
    pub in_flight: GaugeId,
}

impl MetricIds {
    #[inline]
    fn sr(&self, sr: SrType) -> &SrIds {
        self.by_sr[sr.index()]
            .as_ref()
            .expect("only SR types in the scenario's traffic are sent")
    }
    #[inline]
    pub fn requested(&self, sr: SrType, region: usize) -> CounterId {
        self.sr(sr).requested[region]
    }
    #[inline]
    pub fn completed(&self, sr: SrType, region: usize) -> CounterId {
        self.sr(sr).completed[region]
    }
    #[inline]
    pub fn e2e(&self, sr: SrType, region: usize) -> FlowId {
        self.sr(sr).e2e[region]
    }
    /// The DSP's per-visit flow for `sr`: queueing plus service.
    #[inline]
    pub fn dsp_hop(&self, sr: SrType) -> FlowId {
        self.sr(sr).dsp_hop
    }
    /// The flow of `hop` for `sr` in `region`.
    #[inline]
    pub fn hop(&self, sr: SrType, region: Region, hop: Hop) -> FlowId {
        self.sr(sr).regional_hops[region.index()][hop as usize]
    }

    fn register(kernel: &mut Kernel<Msg>, scenario: &Scenario) -> Self {
        let m = &mut kernel.metrics;
        let per_region = |m: &mut dccsim_sim::Metrics, name: &str| {
            Region::ALL.map(|r| m.gauge(metric_name(name, &[("region", r.name())])))
        };
        let by_sr = SrType::ALL
            .map(|sr| {
                let installs = install::sends(scenario, sr) || firmware::sends(scenario, sr);
                let by_dno = scenario
                    .ev
                    .as_ref()
                    .is_some_and(|ev| ev.srs().contains(&sr));
                if !installs && !by_dno && !scenario.traffic.iter().any(|t| t.sr == sr) {
                    return None;
                }
                let labels =
                    |region: &str| metric_name("", &[("region", region), ("sr", sr.number())]);
                let regions = [
                    Region::North.name(),
                    Region::Central.name(),
                    Region::South.name(),
                    UNKNOWN_REGION,
                ];
                Some(SrIds {
                    requested: regions.map(|r| m.counter(format!("sr.requested{}", labels(r)))),
                    completed: Region::ALL
                        .map(|r| m.counter(format!("sr.completed{}", labels(r.name())))),
                    e2e: Region::ALL.map(|r| {
                        m.flow(
                            format!("sr.e2e{}", labels(r.name())),
                            Some(scenario.trt[&sr]),
                        )
                    }),
                    dsp_hop: m.flow(
                        metric_name("sr.hop", &[("hop", "dsp"), ("sr", sr.number())]),
                        None,
                    ),
                    regional_hops: Region::ALL.map(|r| {
                        Hop::ALL.map(|h| {
                            m.flow(
                                metric_name(
                                    "sr.hop",
                                    &[("hop", h.name()), ("region", r.name()), ("sr", sr.number())],
                                ),
                                None,
                            )
                        })
                    }),
                })
            })
            .into();
        MetricIds {
            by_sr,
            dsp_wait: m.flow("dsp.wait".into(), None),
            csp_wait: Region::ALL
                .map(|r| m.flow(metric_name("csp.wait", &[("region", r.name())]), None)),
            dsp_queue: m.gauge("dsp.queue".into()),
            dsp_busy: m.gauge("dsp.busy".into()),
            csp_queue: per_region(m, "csp.queue"),
            csp_busy: per_region(m, "csp.busy"),
            in_flight: m.gauge("sr.in_flight".into()),
        }
    }
}

/// What every actor may read but none may change.
pub struct Shared {
    pub config: Scenario,
    pub population: PopulationTable,
    pub ids: MetricIds,
    /// The EV feature's chargers and metrics (empty without `[ev]`).
    pub ev: EvShared,
    pub han: HanShared,
    /// The firmware feature's handles used along the image's path.
    pub firmware: FirmwareIds,
}

impl Shared {
    /// The actor of DCC User `user`: suppliers come first, then DNOs.
    #[inline]
    pub fn user_actor(&self, user: u16) -> ActorId {
        let suppliers = self.config.suppliers.len() as u16;
        if user < suppliers {
            Kinds::supplier(user)
        } else {
            Kinds::dno(user - suppliers)
        }
    }

    /// The region of a device's premises (which must exist: the DSP has authorised it).
    #[inline]
    pub fn region_of(&self, premises: u32) -> Region {
        self.population
            .get(premises)
            .expect("a device's premises exists")
            .region()
    }

    /// Draws one crossing of the WAN (this region's CSP technology) for `sr`, after `queued` on
    /// the region's shared downlink (zero for the uplink), and records it in that hop's flow.
    /// (HAN crossings, with their losses and retries, are `han`'s.)
    pub fn crossing(
        &self,
        hop: Hop,
        sr: SrType,
        region: Region,
        queued: SimDuration,
        ctx: &mut Ctx<'_, Msg>,
    ) -> SimDuration {
        let dist = match hop {
            Hop::Wan => &self.config.csp.get(region).latency,
            Hop::Csp | Hop::Device => unreachable!("{hop:?} is a stay, not a crossing"),
            Hop::Han => unreachable!("the HAN is crossed by han::channel::cross"),
        };
        let d =
            SimDuration::from_micros(dist.sample(&mut ctx.rng()).as_micros() + queued.as_micros());
        ctx.record(self.ids.hop(sr, region, hop), d);
        d
    }
}

/// The GB smart-metering world.
pub struct GbWorld {
    pub shared: Shared,
    pub suppliers: Vec<Supplier>,
    pub dsp: Dsp,
    pub csps: Vec<Csp>,
    pub hubs: Vec<Hub>,
    pub esmes: Vec<Meter>,
    pub gsmes: Vec<Meter>,
    /// The Central Products List, when the scenario models it.
    pub cpl: Option<CplActor>,
    /// DNOs and EV chargers (empty without `[ev]`).
    pub ev: EvWorld,
    pub buildings: Vec<Building>,
}

impl World for GbWorld {
    type Msg = Msg;

    #[inline]
    fn handle(&mut self, to: ActorId, msg: Msg, ctx: &mut Ctx<'_, Msg>) {
        let i = to.index() as usize;
        let shared = &self.shared;
        match to.kind() {
            Kinds::SUPPLIER => self.suppliers[i].handle(msg, shared, ctx),
            Kinds::DSP => self.dsp.handle(msg, shared, ctx),
            Kinds::CSP => self.csps[i].handle(msg, shared, ctx),
            Kinds::HUB => self.hubs[i].handle(msg, shared, ctx),
            Kinds::ESME => self.esmes[i].handle(msg, false, shared, ctx),
            Kinds::GSME => self.gsmes[i].handle(msg, true, shared, ctx),
            Kinds::CPL => self.cpl_step(msg, ctx),
            Kinds::DNO => self.ev.dnos[i].handle(msg, shared, ctx),
            Kinds::CHARGER => self.ev.chargers[i].handle(msg, shared, ctx),
            Kinds::BUILDING => self.buildings[i].handle(msg, shared, ctx),
            other => unreachable!("no actor kind {other:?} in the GB world"),
        }
    }
}

/// Draws each premises takes from the population stream, so premises `i`'s draws never depend
/// on how many premises there are.
const DRAWS_PER_PREMISES: u64 = 3;

impl GbWorld {
    /// Builds the world and a kernel holding its first events.
    pub fn build(scenario: &Scenario) -> (Kernel<Msg>, GbWorld) {
        let mut kernel = Kernel::new(scenario.seed, Some(scenario.sample_interval));
        let ids = MetricIds::register(&mut kernel, scenario);
        let n = scenario.population.premises;
        let n_suppliers = scenario.suppliers.len();
        let mut suppliers: Vec<Supplier> = (0..n_suppliers)
            .map(|i| Supplier::new(i as u16, scenario.traffic.len()))
            .collect();
        let mut premises = Vec::with_capacity(n as usize);
        let mut hubs = Vec::with_capacity(n as usize);
        let mut esmes = Vec::with_capacity(n as usize);
        let mut gsmes = Vec::new();
        let region_shares = Region::ALL.map(|r| *scenario.population.regions.get(r));
        let supplier_shares: Vec<f64> = scenario.suppliers.iter().map(|s| s.share).collect();
        let mut add_devices = |i: u32, p: Premises| {
            let gsme = p.has_gas().then(|| {
                gsmes.push(Meter {
                    premises: i,
                    ..Meter::default()
                });
                gsmes.len() as u32 - 1
            });
            hubs.push(Hub {
                region: p.region(),
                gsme,
                link: HubLink::house(false),
            });
            esmes.push(Meter {
                premises: i,
                ..Meter::default()
            });
        };
        for i in 0..n {
            let mut draws = i as u64 * DRAWS_PER_PREMISES;
            let mut rng = kernel.builder_rng(Builder::Population.purpose(), &mut draws);
            let region = Region::from_index(pick(&region_shares, rng.uniform()));
            let gas = rng.chance(scenario.population.gas_share);
            let supplier = pick(&supplier_shares, rng.uniform());
            premises.push(Premises::new(region, gas));
            add_devices(i, premises[i as usize]);
            suppliers[supplier].electricity.push(i);
            if gas {
                suppliers[supplier].gas.push(i);
            }
        }
        // Premises the installation waves will create: actors exist from the start, unknown to
        // the SMI and to their supplier's traffic until installed.
        let planned = install::planned_premises(scenario, n, &mut kernel);
        let mut first = n;
        for (w, wave) in scenario.installs.iter().enumerate() {
            let count = install::premises_in(wave);
            suppliers[wave.supplier as usize]
                .installers
                .push(Installer::new(w as u16, first, count));
            first += count;
        }
        for p in planned {
            let i = premises.len() as u32;
            premises.push(p);
            add_devices(i, p);
        }
        let n_all = premises.len() as u32;
        kernel.ensure_actors(Kinds::SUPPLIER, n_suppliers as u32);
        kernel.ensure_actors(Kinds::DSP, 1);
        kernel.ensure_actors(Kinds::CSP, Region::ALL.len() as u32);
        kernel.ensure_actors(Kinds::HUB, n_all);
        kernel.ensure_actors(Kinds::ESME, n_all);
        kernel.ensure_actors(Kinds::GSME, gsmes.len() as u32);
        let mut smi = smi::build(&scenario.device_models, &premises, n, &mut kernel);
        let han = han::install(scenario, &mut kernel, &mut hubs, &mut esmes, &mut gsmes);
        kernel.ensure_actors(Kinds::BUILDING, han.buildings.len() as u32);
        // An installer's meters join the HAN (8.14.1) only if the radio join model lets them.
        for installer in suppliers.iter_mut().flat_map(|s| s.installers.iter_mut()) {
            installer.set_han_joined(|p| hubs[p as usize].link.joined());
        }
        let (ev_shared, mut ev) = EvWorld::build(scenario, n_suppliers as u16, &mut kernel);
        // A charger's device sits on its premises' HAN like the electricity meter: same end of
        // the link (a house's own channel, or the flat's building).
        for charger in ev.chargers.iter_mut() {
            charger.link = esmes[charger.premises as usize].link;
        }
        // The PPMIDs and HCALCSs the installers fit (none where an EV charger already has its
        // device: one per premises), then every HAN device that is no actor goes on the SMI in
        // premises order.
        let mut han_devices = install::planned_joiners(scenario, n, &mut kernel);
        han_devices.retain(|&(p, ty)| {
            ty != PhysicalDeviceType::Hcalcs || ev_shared.charger_at(p).is_none()
        });
        for installer in suppliers.iter_mut().flat_map(|s| s.installers.iter_mut()) {
            installer.set_joiners(&han_devices);
        }
        if let Some(config) = &scenario.ev {
            let ty = config.device_model_type();
            han_devices.extend(ev_shared.charger_premises().iter().map(|&p| (p, ty)));
            han_devices.sort_unstable();
        }
        smi::add_han_devices(
            &mut smi,
            &scenario.device_models,
            &han_devices,
            n,
            &mut kernel,
        );
        let firmware_ids = FirmwareIds::register(&mut kernel.metrics, scenario);
        for (c, cfg) in scenario.firmware.campaigns.iter().enumerate() {
            let supplier = &mut suppliers[cfg.supplier as usize];
            let run = CampaignRun::new(
                c as u16,
                cfg,
                campaign_targets(&smi, cfg, supplier),
                &mut kernel.metrics,
            );
            run.schedule(cfg, &mut kernel.ctx_for(Kinds::supplier(supplier.index)));
            supplier.campaigns.push(run);
        }
        let shared = Shared {
            config: scenario.clone(),
            population: PopulationTable::new(premises),
            ids,
            ev: ev_shared,
            han: han.shared,
            firmware: firmware_ids,
        };
        ev.start(&shared, &mut kernel);
        for supplier in suppliers.iter_mut() {
            for s in 0..scenario.traffic.len() {
                let mut ctx = kernel.ctx_for(Kinds::supplier(supplier.index));
                supplier.start_stream(s, &shared, &mut ctx);
            }
            for installer in &supplier.installers {
                let mut ctx = kernel.ctx_for(Kinds::supplier(supplier.index));
                installer.schedule(&shared, &mut ctx);
            }
        }
        let cpl = Self::build_cpl(scenario, &mut kernel);
        let world = GbWorld {
            shared,
            suppliers,
            dsp: Dsp::with_smi(smi),
            csps: Region::ALL.map(Csp::new).into(),
            hubs,
            esmes,
            gsmes,
            cpl,
            ev,
            buildings: han.buildings,
        };
        (kernel, world)
    }

    /// The CPL actor with its timeline scheduled, if the scenario has CPL entries. SECAS's
    /// signing key comes from the run's builder stream: the same in every run of a seed.
    fn build_cpl(scenario: &Scenario, kernel: &mut Kernel<Msg>) -> Option<CplActor> {
        if !scenario.cpl.is_modelled() {
            return None;
        }
        let mut draws = 0;
        let mut seed = [0u8; 32];
        kernel
            .builder_rng(Builder::CplSigningKey.purpose(), &mut draws)
            .fill_bytes(&mut seed);
        let start = Date::parse(&scenario.start_date).expect("a checked calendar date");
        let actor = CplActor::new(
            &scenario.cpl,
            start,
            scenario.dsp.legacy_duplicate_check,
            seed,
            &mut kernel.metrics,
        );
        kernel.ensure_actors(Kinds::CPL, 1);
        let end = SimTime(scenario.duration.as_micros());
        actor.schedule(&scenario.cpl, end, &mut kernel.ctx_for(Kinds::cpl()));
        Some(actor)
    }

    /// One CPL step; a Device Model whose listing changed has its devices suspended or restored.
    fn cpl_step(&mut self, msg: Msg, ctx: &mut Ctx<'_, Msg>) {
        let Msg::Cpl(step) = msg else {
            unreachable!("the CPL got {msg:?}")
        };
        let cpl = self
            .cpl
            .as_mut()
            .expect("CPL steps exist only when the CPL is modelled");
        for (model, listed) in cpl.handle(step, &self.shared.config.cpl, ctx) {
            let changed = self.set_model_listed(ModelId(model), listed, ctx);
            let what = if listed { "restored" } else { "suspended" };
            let c = ctx.metrics().counter(metric_name(
                "cpl.devices",
                &[
                    ("change", what),
                    (
                        "model",
                        &self.shared.config.device_models[model as usize].id,
                    ),
                ],
            ));
            ctx.count(c, u64::from(changed));
        }
    }

    /// Closes the run at `end`: each feature settles what is still open (energy integrated up to
    /// `end`, statuses held until `end`) and writes its end-of-run scalars into the metrics. The
    /// foundation world has nothing open, so this is where features hook in.
    pub fn finish(&mut self, kernel: &mut Kernel<Msg>, end: SimTime) {
        self.finish_cpl(kernel);
        self.finish_firmware(kernel);
        self.ev.finish(kernel, end);
        han::finish(&self.buildings, &mut kernel.metrics);
    }

    /// End-of-run scalars `firmware.targeted{campaign=…}` (devices each campaign took on) and
    /// `firmware.images_in_transfer` (distributions the run ended during), after checking that
    /// every campaign accounts for each of its devices.
    fn finish_firmware(&self, kernel: &mut Kernel<Msg>) {
        let config = &self.shared.config.firmware;
        if !config.is_modelled() {
            return;
        }
        for run in self.suppliers.iter().flat_map(|s| &s.campaigns) {
            run.check(&kernel.metrics);
            let id = &config.campaigns[run.index as usize].id;
            let name = metric_name("firmware.targeted", &[("campaign", id)]);
            kernel.metrics.set_scalar(name, f64::from(run.targeted()));
        }
        let open: usize = self.csps.iter().map(|c| c.images.in_progress()).sum();
        kernel
            .metrics
            .set_scalar("firmware.images_in_transfer".into(), open as f64);
    }

    /// End-of-run scalars `cpl.model_devices{model=…}`: the world's devices of each Device Model
    /// that has CPL entries (what a removal of that model can suspend at most).
    fn finish_cpl(&self, kernel: &mut Kernel<Msg>) {
        let config = &self.shared.config;
        if self.cpl.is_none() {
            return;
        }
        for (i, m) in config.device_models.iter().enumerate() {
            if config.cpl.entries.iter().any(|e| usize::from(e.model) == i) {
                let n = self.smi().devices_of(ModelId(i as u16)).len();
                let name = metric_name("cpl.model_devices", &[("model", &m.id)]);
                kernel.metrics.set_scalar(name, n as f64);
            }
        }
    }

    /// **CPL hook (contract with issue 3b).** Lists or delists Device Model `model` on the CPL
    /// the DCC has in force: delisting Suspends every active device of that model, relisting
    /// restores them; see [`Smi::set_model_listed`]. Returns how many devices changed status.
    pub fn set_model_listed(
        &mut self,
        model: ModelId,
        listed: bool,
        ctx: &mut Ctx<'_, Msg>,
    ) -> u32 {
        self.dsp.smi.set_model_listed(model, listed, ctx)
    }

    /// **CPL hook.** Whether `model` is on the CPL in force (12.2 pre-notification checks it).
    pub fn is_listed(&self, model: ModelId) -> bool {
        self.dsp.smi.is_listed(model)
    }

    /// **CPL hook (issue 3b / 6).** Returns one Suspended device to the status it had before;
    /// see [`Smi::restore_device`].
    pub fn restore_device(
        &mut self,
        device: SmiDevice,
        ctx: &mut Ctx<'_, Msg>,
    ) -> Result<SmiStatus, ResponseCode> {
        self.dsp.smi.restore_device(device, ctx)
    }

    /// The Smart Metering Inventory (kept by the DSP).
    pub fn smi(&self) -> &Smi {
        &self.dsp.smi
    }

    /// Service Requests sent and not yet answered: counted, never dropped or called delivered.
    pub fn in_flight(&self, kernel: &Kernel<Msg>) -> u64 {
        kernel.metrics.gauge_value(self.shared.ids.in_flight) as u64
    }
}

/// The devices campaign `cfg` takes on: every device of its Device Model that the DCC knows
/// (on the SMI when the run starts) at a premises `supplier` serves, by premises.
fn campaign_targets(smi: &Smi, cfg: &firmware::Campaign, supplier: &Supplier) -> Vec<u32> {
    let served = match cfg.device {
        crate::sr::DeviceType::Gsme => &supplier.gas,
        _ => &supplier.electricity,
    };
    smi.devices_of(cfg.from)
        .into_iter()
        .filter(|d| d.device == cfg.device && smi.status(*d).is_some())
        .filter(|d| served.binary_search(&d.premises).is_ok())
        .map(|d| d.premises)
        .collect()
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;
    use crate::dist::Dist;
    use crate::region::{RegionMap, Technology};
    use crate::scenario::{
        Csp as CspCfg, Devices, Dsp as DspCfg, Han, Pattern, Population, Supplier as SupplierCfg,
        Traffic,
    };
    use crate::sr::{DeviceType, Role};
    use dccsim_sim::SimDuration;

    fn lognormal(ms: u64, sigma: f64) -> Dist {
        Dist::LogNormal {
            median: SimDuration::from_millis(ms),
            sigma,
        }
    }

    /// A small scenario built in code, so the world can be tested without the loader.
    pub fn example(premises: u32) -> Scenario {
        let csp = |technology, ms| CspCfg {
            technology,
            workers: 4000,
            service_time: Dist::Exp {
                mean: SimDuration::from_millis(2),
            },
            latency: lognormal(ms, 0.5),
            hub_bandwidth: crate::config::defaults::hub_bandwidth(technology),
            wan_capacity: crate::config::defaults::wan_capacity(technology),
        };
        Scenario {
            name: "example".into(),
            description: String::new(),
            seed: 7,
            duration: SimDuration::from_days(1),
            start_date: "2026-01-05".into(),
            sample_interval: SimDuration::from_secs(900),
            population: Population {
                premises,
                gas_share: 0.7,
                regions: RegionMap {
                    north: 0.25,
                    central: 0.4,
                    south: 0.35,
                },
            },
            suppliers: vec![
                SupplierCfg {
                    name: "a".into(),
                    share: 0.6,
                },
                SupplierCfg {
                    name: "b".into(),
                    share: 0.4,
                },
            ],
            dsp: DspCfg {
                workers: 64,
                service_time: lognormal(40, 0.4),
                response_service_time: lognormal(40, 0.4),
                legacy_duplicate_check: false,
            },
            csp: RegionMap {
                north: csp(Technology::LongRangeRadio, 4000),
                central: csp(Technology::Cellular, 1500),
                south: csp(Technology::Cellular, 1500),
            },
            han: Han {
                latency: lognormal(250, 0.5),
                radio: Default::default(),
            },
            devices: Devices {
                esme_response: lognormal(500, 0.4),
                gsme_response: lognormal(5000, 0.5),
            },
            traffic: vec![
                Traffic {
                    sr: SrType::RetrieveDailyReadLog,
                    device: DeviceType::Esme,
                    role: Role::IS,
                    pattern: Pattern::DailyWindow {
                        start: SimDuration::from_hours(1),
                        length: SimDuration::from_hours(4),
                    },
                    unknown_device_share: 0.0,
                },
                Traffic {
                    sr: SrType::ReadInstantaneousImport,
                    device: DeviceType::Gsme,
                    role: Role::GS,
                    pattern: Pattern::Poisson {
                        per_premises_per_day: 0.5,
                        hourly: [1.0; 24],
                    },
                    unknown_device_share: 0.01,
                },
                Traffic {
                    sr: SrType::UpdateImportTariff,
                    device: DeviceType::Esme,
                    role: Role::OU,
                    pattern: Pattern::Poisson {
                        per_premises_per_day: 0.05,
                        hourly: [1.0; 24],
                    },
                    unknown_device_share: 0.0,
                },
            ],
            trt: SrType::ALL
                .into_iter()
                .map(|s| (s, s.default_trt()))
                .collect(),
            device_models: crate::device_model::DeviceModel::defaults(),
            installs: Vec::new(),
            cpl: crate::cpl::CplConfig {
                entries: Vec::new(),
                apply_delay: crate::config::defaults::CPL_APPLY_DELAY,
                known_gbcs: Vec::new(),
                timeline: Vec::new(),
            },
            ev: None,
            resolved_toml: String::new(),
            sweep: None,
            expect: Vec::new(),
            firmware: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dccsim_sim::SimTime;
    use tests_support::example;

    fn sum(kernel: &Kernel<Msg>, prefix: &str) -> u64 {
        kernel
            .metrics
            .counters()
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v)
            .sum()
    }

    #[test]
    fn every_request_is_completed_rejected_or_in_flight() {
        let s = example(2_000);
        let (mut kernel, mut world) = GbWorld::build(&s);
        let stats = kernel.run(&mut world, SimTime(s.duration.as_micros()), &mut |_, _| {});
        let requested = sum(&kernel, "sr.requested");
        let completed = sum(&kernel, "sr.completed");
        let rejected = sum(&kernel, "sr.rejected");
        assert!(stats.events > 0);
        // Every premises gets its daily read (the window ends long before the day does).
        assert_eq!(
            sum(&kernel, "sr.requested{region=central,sr=4.6.1}")
                + sum(&kernel, "sr.requested{region=north,sr=4.6.1}")
                + sum(&kernel, "sr.requested{region=south,sr=4.6.1}"),
            2_000
        );
        assert_eq!(requested, completed + rejected + world.in_flight(&kernel));
        // OU may not send 1.1.1: every tariff update is refused with E3.
        let e3 = sum(&kernel, "sr.rejected{code=E3,sr=1.1.1}");
        assert!(e3 > 50, "E3 refusals: {e3}");
        assert_eq!(sum(&kernel, "sr.completed{region=central,sr=1.1.1}"), 0);
        assert!(sum(&kernel, "sr.rejected{code=E19,sr=4.1.1}") > 0);
    }

    #[test]
    fn same_seed_same_results_other_seed_other_results() {
        let run = |seed| {
            let mut s = example(500);
            s.seed = seed;
            let (mut kernel, mut world) = GbWorld::build(&s);
            kernel.run(&mut world, SimTime(s.duration.as_micros()), &mut |_, _| {});
            let f = kernel
                .metrics
                .flow_by_id(world.shared.ids.e2e(SrType::RetrieveDailyReadLog, 1));
            (
                kernel.events(),
                f.histogram.mean().to_bits(),
                f.histogram.max(),
            )
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }
}

#[cfg(test)]
mod firmware_tests {
    use super::*;
    use crate::device_model;
    use crate::firmware::{
        ActivationWindow, Campaign, FailureRates, FirmwareImage, Wave, WaveSize,
    };
    use crate::sr::DeviceType;
    use crate::units::Bytes;
    use dccsim_sim::SimTime;
    use tests_support::example;

    /// `example(premises)` with a second firmware of the electricity meter model (listed or
    /// not) and a campaign of supplier 0 moving its meters to it.
    fn with_rollout(premises: u32, listed: bool, failures: FailureRates) -> Scenario {
        let mut s = example(premises);
        s.duration = SimDuration::from_days(3);
        let from = device_model::find(&s.device_models, "default-esme-single").unwrap();
        let mut fw2 = s.device_models[from.index()].clone();
        fw2.id = "esme-fw2".into();
        fw2.firmware = "2.0".into();
        fw2.share = 0.0;
        fw2.listed = listed;
        s.device_models.push(fw2);
        let to = ModelId(s.device_models.len() as u16 - 1);
        s.firmware.images.push(FirmwareImage {
            id: "esme-2.0".into(),
            model: to,
            size: Bytes(64 * 1024),
        });
        s.firmware.campaigns.push(Campaign {
            id: "esme-2".into(),
            supplier: 0,
            from,
            image: 0,
            to,
            device: DeviceType::Esme,
            start: SimDuration::from_hours(1),
            waves: vec![Wave {
                at: SimDuration::ZERO,
                size: WaveSize::Share(1.0),
            }],
            max_in_transfer: 100,
            activation: ActivationWindow {
                start: SimDuration::from_hours(2),
                length: SimDuration::from_hours(3),
            },
            pause_above: None,
            pause_min_devices: 20,
            retry_after: SimDuration::from_hours(1),
            max_transfer_attempts: 3,
            max_activation_attempts: 3,
            failures,
        });
        s
    }

    const NO_FAILURES: FailureRates = FailureRates {
        transfer: 0.0,
        activation: 0.0,
        unrecoverable: 0.0,
    };

    fn gauge(kernel: &Kernel<Msg>, name: &str) -> i64 {
        kernel.metrics.gauges()[name]
    }

    #[test]
    fn a_listed_rollout_moves_every_targeted_meter_to_the_new_model() {
        let s = with_rollout(600, true, NO_FAILURES);
        let (mut kernel, mut world) = GbWorld::build(&s);
        let end = SimTime(s.duration.as_micros());
        kernel.run(&mut world, end, &mut |_, _| {});
        world.finish(&mut kernel, end);
        let targeted = kernel.metrics.scalars()["firmware.targeted{campaign=esme-2}"] as i64;
        assert!(targeted > 300, "supplier 0 serves ~60% of 600: {targeted}");
        let activated = gauge(&kernel, "firmware.devices{campaign=esme-2,state=activated}");
        let failed = gauge(&kernel, "firmware.devices{campaign=esme-2,state=failed}");
        // Flats that never joined the HAN cannot take the image.
        assert_eq!(activated + failed, targeted);
        assert!(failed < targeted / 20, "{failed} failed");
        let to = ModelId(s.device_models.len() as u16 - 1);
        assert_eq!(world.smi().devices_of(to).len() as i64, activated);
        assert!(gauge(&kernel, "csp.wan_bytes{kind=firmware,region=north}") > 0);
    }

    #[test]
    fn an_unlisted_target_is_refused_and_nothing_crosses_the_wan() {
        let s = with_rollout(300, false, NO_FAILURES);
        let (mut kernel, mut world) = GbWorld::build(&s);
        let end = SimTime(s.duration.as_micros());
        kernel.run(&mut world, end, &mut |_, _| {});
        world.finish(&mut kernel, end);
        let targeted = kernel.metrics.scalars()["firmware.targeted{campaign=esme-2}"] as i64;
        let failed = gauge(&kernel, "firmware.devices{campaign=esme-2,state=failed}");
        assert_eq!(failed, targeted);
        for r in Region::ALL {
            let name = format!("csp.wan_bytes{{kind=firmware,region={}}}", r.name());
            assert_eq!(gauge(&kernel, &name), 0);
        }
        assert_eq!(
            kernel.metrics.counters()["sr.rejected{code=E11,sr=11.1}"],
            targeted as u64
        );
    }
}
