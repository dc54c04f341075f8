//! A small scenario built in code, so the world and its actors can be tested without the loader.

use crate::dist::Dist;
use crate::region::{RegionMap, Technology};
use crate::scenario::Scenario;
use crate::scenario::{
    Csp as CspCfg, Devices, Dsp as DspCfg, Han, Pattern, Population, Supplier as SupplierCfg,
    Traffic,
};
use crate::sr::SrType;
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
        latency_floor: crate::config::defaults::WAN_LATENCY_FLOOR,
        dsp_latency: crate::config::defaults::DSP_CSP_LATENCY,
        dsp_latency_floor: crate::config::defaults::DSP_CSP_LATENCY_FLOOR,
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
                supplier: None,
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
                supplier: None,
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
                supplier: None,
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
        smets1: Default::default(),
        traffic_management: Default::default(),
        alerts: Default::default(),
    }
}
