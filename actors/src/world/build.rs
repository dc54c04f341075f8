//! Building the world from a validated scenario: the population first, then each feature's
//! builder in turn, each handed its own part of the configuration. The order is fixed: features
//! draw from their own builder streams, so the order decides only which metric is registered
//! first, never a random number.

use super::{CplWorld, GbWorld};
use crate::alert::protection::Guard;
use crate::alert::source::AlertSource;
use crate::alert::AlertShared;
use crate::build_threads::{per_premises, BuildThreads};
use crate::calendar::Date;
use crate::cpl::CplActor;
use crate::csp::Csp;
use crate::device_model::PhysicalDeviceType;
use crate::dist::Picker;
use crate::dsp::Dsp;
use crate::ev::EvWorld;
use crate::firmware::{self, Campaign, CampaignRun, FirmwareIds, FirmwareShared};
use crate::han::{self, HubLink};
use crate::hub::Hub;
use crate::ids::Kinds;
use crate::install::{self, Installer};
use crate::meter::Meter;
use crate::msg::Msg;
use crate::population::{ChargerIndex, PopulationTable, Premises};
use crate::preemption::Preemption;
use crate::region::Region;
use crate::scenario::Scenario;
use crate::shared::{Core, MetricIds};
use crate::smets1::{self, Smets1Service};
use crate::smi::{self, Smi};
use crate::sr::{DeviceType, SrType};
use crate::streams::Builder;
use crate::supplier::Supplier;
use dccsim_sim::{Kernel, SimTime};
use rand::RngCore;

/// Draws each premises takes from the population stream, so premises `i`'s draws never depend
/// on how many premises there are.
const DRAWS_PER_PREMISES: u64 = 3;

/// The premises of the run and the devices at each, before any feature: hubs, electricity meters
/// and gas meters by premises.
struct Premiseses {
    premises: Vec<Premises>,
    hubs: Vec<Hub>,
    esmes: Vec<Meter>,
    gsmes: Vec<Meter>,
}

impl Premiseses {
    fn with_capacity(n: u32) -> Self {
        Premiseses {
            premises: Vec::with_capacity(n as usize),
            hubs: Vec::with_capacity(n as usize),
            esmes: Vec::with_capacity(n as usize),
            gsmes: Vec::new(),
        }
    }

    /// Adds premises `p` with its hub, electricity meter and (if it has gas) gas meter.
    fn add(&mut self, p: Premises) {
        let i = self.premises.len() as u32;
        self.premises.push(p);
        let gsme = p.has_gas().then(|| {
            self.gsmes.push(Meter {
                premises: i,
                ..Meter::default()
            });
            self.gsmes.len() as u32 - 1
        });
        self.hubs.push(Hub {
            region: p.region(),
            gsme,
            link: HubLink::house(false),
        });
        self.esmes.push(Meter {
            premises: i,
            ..Meter::default()
        });
    }
}

impl GbWorld {
    /// Builds the world and a kernel holding its first events, the per-premises tables on as
    /// many threads as there are cores.
    pub fn build(scenario: &Scenario) -> (Kernel<Msg>, GbWorld) {
        GbWorld::build_on(scenario, BuildThreads::available())
    }

    /// [`GbWorld::build`] with the per-premises tables built on `threads` threads: the same
    /// world, bit for bit, for any count.
    pub fn build_on(scenario: &Scenario, threads: BuildThreads) -> (Kernel<Msg>, GbWorld) {
        let mut kernel = Kernel::new(scenario.seed, Some(scenario.sample_interval));
        let sends = |sr: SrType| {
            install::sends(&scenario.installs, sr)
                || firmware::sends(&scenario.firmware, sr)
                || scenario
                    .ev
                    .as_ref()
                    .is_some_and(|ev| ev.srs().contains(&sr))
                || scenario.traffic.iter().any(|t| t.sr == sr)
        };
        let mut ids = MetricIds::register(&mut kernel, sends, &scenario.trt);
        if scenario.smets1.is_modelled() {
            ids.register_smets1(&mut kernel, smets1::supports, &scenario.trt);
        }
        let tm = &scenario.traffic_management;
        let class_flows = crate::priority::ClassFlows::register(
            &mut kernel.metrics,
            tm.priority.as_ref(),
            sends,
            &scenario.trt,
        );
        // DCC Users by number: the suppliers, then the DNO (with `[ev]`).
        let mut users: Vec<String> = scenario.suppliers.iter().map(|s| s.name.clone()).collect();
        if scenario.ev.is_some() {
            users.push("dno".into());
        }
        let user_flows = crate::throttle::UserFlows::register(
            &mut kernel.metrics,
            tm.throttle.as_ref(),
            &users,
            sends,
            &scenario.trt,
        );
        let n = scenario.population.premises;
        let n_suppliers = scenario.suppliers.len();
        let mut suppliers: Vec<Supplier> = (0..n_suppliers)
            .map(|i| {
                let mut s = Supplier::new(
                    i as u16,
                    scenario.traffic.clone(),
                    SimTime(scenario.duration.as_micros()),
                );
                s.retries = crate::retry::Retries::new(tm.retry.as_ref());
                s
            })
            .collect();

        // The population: each premises' region, gas meter and supplier.
        let mut world = Premiseses::with_capacity(n);
        let regions = Picker::new(&Region::ALL.map(|r| *scenario.population.regions.get(r)));
        let supplier_shares: Vec<f64> = scenario.suppliers.iter().map(|s| s.share).collect();
        let supplier_of = Picker::new(&supplier_shares);
        let gas_share = scenario.population.gas_share;
        let drawn = per_premises(n, threads, &kernel.builder_streams(), |i, streams| {
            let mut draws = u64::from(i) * DRAWS_PER_PREMISES;
            let mut rng = streams.rng(Builder::Population.purpose(), &mut draws);
            let region = Region::from_index(regions.pick(rng.uniform()));
            let gas = rng.chance(gas_share);
            let supplier = supplier_of.pick(rng.uniform()) as u16;
            (Premises::new(region, gas), supplier)
        });
        for (i, (premises, supplier)) in (0..n).zip(drawn) {
            let (gas, supplier) = (premises.has_gas(), supplier as usize);
            world.add(premises);
            suppliers[supplier].electricity.push(i);
            if gas {
                suppliers[supplier].gas.push(i);
            }
        }
        // Premises the installation waves will create: actors exist from the start, unknown to
        // the SMI and to their supplier's traffic until installed.
        let waves = &scenario.installs;
        let planned =
            install::planned_premises(waves, &scenario.population.regions, n, &mut kernel);
        let mut first = n;
        for (w, wave) in waves.iter().enumerate() {
            let count = install::premises_in(wave);
            suppliers[wave.supplier as usize]
                .installers
                .push(Installer::new(w as u16, wave.clone(), first, count));
            first += count;
        }
        for p in planned {
            world.add(p);
        }
        // SMETS1 premises the migration cohorts bring: with their supplier outside the DCC,
        // unknown to the SMI until enrolled (numbered last).
        let smets1_first = world.premises.len() as u32;
        let smets1_cfg = &scenario.smets1;
        let smets1_premises = smets1::planned_premises(
            smets1_cfg,
            &scenario.population.regions,
            smets1_first,
            &mut kernel,
        );
        for p in smets1_premises {
            world.add(p);
        }
        // The SMETS1 fleet enrolled before the run: in its supplier's traffic from the start.
        let fleet_first = world.premises.len() as u32;
        let fleet = smets1::fleet_premises(
            smets1_cfg,
            &scenario.population.regions,
            &supplier_shares,
            fleet_first,
            &mut kernel,
        );
        let mut fleet_of = vec![Vec::new(); n_suppliers];
        for (p, supplier) in fleet {
            fleet_of[supplier as usize].push(world.premises.len() as u32);
            world.add(p);
        }
        for (s, fleet) in suppliers.iter_mut().zip(fleet_of) {
            if !fleet.is_empty() {
                s.electricity = smets1::spread_through(std::mem::take(&mut s.electricity), fleet);
            }
        }
        let Premiseses {
            premises,
            mut hubs,
            mut esmes,
            mut gsmes,
        } = world;
        let n_all = premises.len() as u32;
        kernel.ensure_actors(Kinds::SUPPLIER, n_suppliers as u32);
        kernel.ensure_actors(Kinds::DSP, 1);
        kernel.ensure_actors(Kinds::CSP, Region::ALL.len() as u32);
        kernel.ensure_actors(Kinds::HUB, n_all);
        kernel.ensure_actors(Kinds::ESME, n_all);
        kernel.ensure_actors(Kinds::GSME, gsmes.len() as u32);

        // The inventory, the HAN, then the EV feature. The inventory's Device Models are drawn
        // on other threads while this one builds the HAN: neither reads the other's streams.
        let models = &scenario.device_models;
        let mut smi = smi::inventory(models, n_all, &mut kernel);
        let (streams, helpers) = (
            kernel.builder_streams(),
            BuildThreads::new(threads.get() - 1),
        );
        let (smets1, han) = std::thread::scope(|scope| {
            let drawn = (threads.get() > 1)
                .then(|| scope.spawn(|| smi::draw_models(models, n_all, helpers, &streams)));
            let smets1 = smets1_cfg.is_modelled().then(|| {
                kernel.ensure_actors(Kinds::SMETS1, 1);
                let service = Smets1Service::new(smets1_cfg, smets1_first, &mut kernel.metrics);
                service.schedule(&mut kernel.ctx_for(Kinds::smets1()));
                service
            });
            let han = han::build(
                &scenario.han,
                &mut kernel,
                &mut hubs,
                &mut esmes,
                &mut gsmes,
            );
            let drawn = match drawn {
                Some(thread) => thread.join().expect("the Device Model draws finish"),
                None => smi::draw_models(models, n_all, threads, &streams),
            };
            smi::add_premises(&mut smi, models, &premises, n, drawn, &mut kernel);
            if smets1.is_some() {
                let smets1_models: Vec<u16> = scenario
                    .cpl
                    .entries
                    .iter()
                    .filter(|e| e.smets1_test.is_some())
                    .map(|e| e.model)
                    .collect();
                smets1::add_to_smi(smets1_cfg, &smets1_models, smets1_first, &mut smi);
                smets1::enrol_fleet(
                    smets1_cfg,
                    fleet_first,
                    &mut smi,
                    &mut kernel.ctx_for(Kinds::smets1()),
                );
            }
            (smets1, han)
        });
        kernel.ensure_actors(Kinds::BUILDING, han.buildings.len() as u32);
        // An installer's meters join the HAN (8.14.1) only if the radio join model lets them.
        for installer in suppliers.iter_mut().flat_map(|s| s.installers.iter_mut()) {
            installer.set_han_joined(|p| hubs[p as usize].link.joined());
        }
        let (mut ev, chargers) = match &scenario.ev {
            Some(cfg) => {
                let trt = scenario.trt[&cfg.control_sr()];
                let (ev, chargers) = EvWorld::build(
                    cfg,
                    n,
                    n_suppliers as u16,
                    trt,
                    &scenario.start_date,
                    &mut kernel,
                );
                (Some(ev), chargers)
            }
            None => (None, ChargerIndex::default()),
        };
        // A charger's device sits on its premises' HAN like the electricity meter: same end of
        // the link (a house's own channel, or the flat's building).
        for charger in ev.iter_mut().flat_map(|ev| ev.chargers.iter_mut()) {
            charger.link = esmes[charger.premises as usize].link;
        }
        // The PPMIDs and HCALCSs the installers fit (none where an EV charger already has its
        // device: one per premises), then every HAN device that is no actor goes on the SMI in
        // premises order.
        let mut han_devices = install::planned_joiners(waves, n, &mut kernel);
        han_devices.retain(|&(p, ty)| {
            ty != PhysicalDeviceType::Hcalcs || chargers.charger_at(p).is_none()
        });
        for installer in suppliers.iter_mut().flat_map(|s| s.installers.iter_mut()) {
            installer.set_joiners(&han_devices);
        }
        if let Some(config) = &scenario.ev {
            let ty = config.device_model_type();
            han_devices.extend(chargers.premises().iter().map(|&p| (p, ty)));
            han_devices.sort_unstable();
        }
        smi::add_han_devices(
            &mut smi,
            &scenario.device_models,
            &han_devices,
            n,
            &mut kernel,
        );

        // Firmware: the handles every command's downlink uses, and the campaigns.
        let traffic_sends = |sr: SrType| scenario.traffic.iter().any(|t| t.sr == sr);
        let firmware_ids = FirmwareIds::register(
            &mut kernel.metrics,
            &scenario.firmware,
            traffic_sends,
            &scenario.trt,
        );
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
        let firmware = FirmwareShared {
            config: scenario.firmware.clone(),
            ids: firmware_ids,
            cpl_entries: scenario.cpl.entries.clone(),
        };
        let (alert_shared, mut alert_source) =
            match build_alerts(scenario, &suppliers, &hubs, n, ev.is_some(), &mut kernel) {
                Some((shared, source)) => (Some(shared), Some(source)),
                None => (None, None),
            };
        let core = Core {
            population: PopulationTable::new(premises),
            ids,
            csp: scenario.csp.clone(),
            devices: scenario.devices.clone(),
            suppliers: n_suppliers as u16,
            chargers,
            class_flows,
            user_flows,
            alerts: alert_shared,
        };

        // The first events.
        if let Some(ev) = &mut ev {
            ev.start(&mut kernel);
        }
        for supplier in suppliers.iter_mut() {
            for s in 0..scenario.traffic.len() {
                let mut ctx = kernel.ctx_for(Kinds::supplier(supplier.index));
                supplier.start_stream(s, &mut ctx);
            }
            for installer in &supplier.installers {
                let mut ctx = kernel.ctx_for(Kinds::supplier(supplier.index));
                installer.schedule(&mut ctx);
            }
        }
        let cpl = build_cpl(scenario, &mut kernel);
        if let Some(cpl) = &cpl {
            cpl.count_models(&smi, &mut kernel);
        }
        let grants_load_control = scenario.ev.as_ref().is_some_and(|ev| ev.dno.secmp0046);
        let classes = crate::priority::Classes::new(tm.priority.as_ref());
        let throttle = tm.throttle.clone().map(|cfg| {
            // DCC Users by number: the suppliers, then the DNO.
            let mut users: Vec<String> =
                scenario.suppliers.iter().map(|s| s.name.clone()).collect();
            users.push("dno".into());
            crate::throttle::Throttle::new(cfg, users)
        });
        let preempts = tm.priority.as_ref().is_some_and(|p| p.preemption);
        let dsp_preemption = Preemption::new(preempts, &mut kernel.metrics, "dsp.preempted".into());
        let mut csp_preemption = Region::ALL.map(|r| {
            let name = dccsim_sim::metric_name("csp.preempted", &[("region", r.name())]);
            Some(Preemption::new(preempts, &mut kernel.metrics, name))
        });
        let mut dsp = Dsp::new(scenario.dsp.clone(), grants_load_control, smi)
            .with_traffic_management(classes, dsp_preemption, throttle);
        dsp.storm = Guard::new(&scenario.alerts);
        if let Some(source) = &mut alert_source {
            let devices = crate::alert::source::Devices {
                hubs: &hubs,
                esmes: &esmes,
                gsmes: &gsmes,
            };
            source.start(&mut kernel, &core, &han.shared, &devices);
        }
        let world = GbWorld {
            core,
            han: han.shared,
            firmware,
            suppliers,
            dsp,
            csps: Region::ALL
                .map(|r| {
                    let preemption = csp_preemption[r.index()].take().expect("one per region");
                    Csp::new(r).with_classes(classes, preemption)
                })
                .into(),
            hubs,
            esmes,
            gsmes,
            cpl,
            ev,
            buildings: han.buildings,
            smets1,
            alerts: alert_source,
        };
        (kernel, world)
    }
}

/// The alert feature's shared part and source, when the scenario models alerts: each premises'
/// supplier and the Network Operator that
/// receives Network Operator alerts (the DNO with `[ev]`, else the DCC-side stand-in).
fn build_alerts(
    scenario: &Scenario,
    suppliers: &[Supplier],
    hubs: &[Hub],
    n: u32,
    has_dno: bool,
    kernel: &mut Kernel<Msg>,
) -> Option<(AlertShared, AlertSource)> {
    if !scenario.alerts.is_modelled() {
        return None;
    }
    // Only the premises at the start alert (see `alert::source`); every premises with a supplier
    // (SMETS1 fleets too) may receive a DCC alert about its meter.
    let mut supplier_of = vec![0u16; hubs.len()];
    for s in suppliers {
        for &p in &s.electricity {
            supplier_of[p as usize] = s.index;
        }
    }
    let network_operator = if has_dno {
        Kinds::dno(0)
    } else {
        Kinds::alert_source()
    };
    let shared = AlertShared::register(
        &mut kernel.metrics,
        &scenario.alerts,
        supplier_of,
        network_operator,
    );
    let gas = hubs[..n as usize]
        .iter()
        .filter(|h| h.gsme.is_some())
        .count() as u32;
    kernel.ensure_actors(Kinds::ALERT, 1);
    let lead = crate::lookahead::alert_lead(&scenario.csp);
    let end = dccsim_sim::SimTime(scenario.duration.as_micros());
    let source = AlertSource::new(scenario.alerts.clone(), n, gas, lead, end);
    Some((shared, source))
}

/// The CPL with its timeline scheduled, if the scenario has CPL entries. SECAS's signing key
/// comes from the run's builder stream: the same in every run of a seed.
fn build_cpl(scenario: &Scenario, kernel: &mut Kernel<Msg>) -> Option<CplWorld> {
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
    Some(CplWorld {
        actor,
        config: scenario.cpl.clone(),
        model_ids: scenario
            .device_models
            .iter()
            .map(|m| m.id.clone())
            .collect(),
    })
}

/// The devices campaign `cfg` takes on: every device of its Device Model that the DCC knows
/// (on the SMI when the run starts) at a premises `supplier` serves, by premises.
fn campaign_targets(smi: &Smi, cfg: &Campaign, supplier: &Supplier) -> Vec<u32> {
    let served = match cfg.device {
        DeviceType::Gsme => &supplier.gas,
        _ => &supplier.electricity,
    };
    smi.devices_of(cfg.from)
        .into_iter()
        .filter(|d| d.device == cfg.device && smi.status(*d).is_some())
        .filter(|d| served.binary_search(&d.premises).is_ok())
        .map(|d| d.premises)
        .collect()
}
