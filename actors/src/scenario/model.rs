//! The validated scenario: what the world builder consumes. Every value here has passed the
//! loader's checks (shares sum to one, rates are non-negative, distributions are well formed),
//! so the builder never has to re-check or fail.

use crate::device_model::DeviceModel;
use crate::dist::Dist;
use crate::region::{RegionMap, Technology};
use crate::sr::{DeviceType, Role, SrType};
use dccsim_sim::SimDuration;
use std::collections::BTreeMap;

/// One experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// `[scenario] name`: labels outputs (`runs/<name>-seed<N>/`).
    pub name: String,
    pub description: String,
    pub seed: u64,
    /// Simulated span of the run.
    pub duration: SimDuration,
    /// Calendar date of simulated time zero (midnight, UK local time), `YYYY-MM-DD`.
    pub start_date: String,
    /// Interval at which gauges are sampled into time series.
    pub sample_interval: SimDuration,
    pub population: Population,
    pub suppliers: Vec<Supplier>,
    pub dsp: Dsp,
    pub csp: RegionMap<Csp>,
    pub han: Han,
    pub devices: Devices,
    pub traffic: Vec<Traffic>,
    /// Target Response Time of every SR type (defaults filled in, `[trt]` applied).
    pub trt: BTreeMap<SrType, SimDuration>,
    /// `[[device_model]]`: the Device Models devices are drawn from (one per type by default).
    pub device_models: Vec<DeviceModel>,
    /// `[[install]]`: installation waves creating new premises over time.
    pub installs: Vec<super::InstallWave>,
    /// `[cpl]`, `[[cpl_entry]]` and `[[timeline]]`: the Central Products List and its events
    /// (empty: the CPL is not modelled).
    pub cpl: crate::cpl::CplConfig,
    /// The EV load-control experiment (`[ev]`, `[feeders]`, `[demand]`, `[dno]`), if any.
    pub ev: Option<super::ev::Ev>,
    /// The scenario text after `--set` overrides, as TOML: hashed into the manifest.
    pub resolved_toml: String,
    /// `[sweep]`: the campaign this scenario expands to (`dccsim sweep`), if any.
    pub sweep: Option<super::Sweep>,
    /// `[[expect]]`: thresholds the run's results must meet.
    pub expect: Vec<super::Expectation>,
    /// `[firmware]`, `[[firmware_image]]`, `[[firmware_campaign]]`: the Central Firmware
    /// Library and rollout campaigns (none by default).
    pub firmware: crate::firmware::FirmwareConfig,
}

/// Premises and what is installed in them.
#[derive(Clone, Debug, PartialEq)]
pub struct Population {
    pub premises: u32,
    /// Share of premises that also have a gas meter, 0..=1.
    pub gas_share: f64,
    /// Share of premises in each region; sums to 1.
    pub regions: RegionMap<f64>,
}

/// An energy supplier (DCC User in roles IS and GS).
#[derive(Clone, Debug, PartialEq)]
pub struct Supplier {
    pub name: String,
    /// Market share, 0..=1; all suppliers' shares sum to 1.
    pub share: f64,
}

/// The DCC's Data Service Provider: authorises, routes, and has finite capacity.
#[derive(Clone, Debug, PartialEq)]
pub struct Dsp {
    /// Requests processed at once; the rest wait in a FIFO queue.
    pub workers: u32,
    /// Time a worker spends on a request on its way to the device (or on a refusal).
    pub service_time: Dist,
    /// Time a worker spends on a device's response on its way back to the User.
    pub response_service_time: Dist,
    /// Reproduce the old DSP bug: refuse a CPL entry whose hardware data equals a listed entry's
    /// of another device type (DOMAIN §2 failure mode 1).
    pub legacy_duplicate_check: bool,
}

/// A regional Communications Service Provider.
#[derive(Clone, Debug, PartialEq)]
pub struct Csp {
    pub technology: Technology,
    /// Messages the head-end handles at once; the rest queue.
    pub workers: u32,
    /// Head-end time per message (occupies a worker).
    pub service_time: Dist,
    /// One-way WAN latency to or from the hub (does not occupy a worker).
    pub latency: Dist,
    /// Rate of one hub's WAN link: how fast a firmware image reaches a hub.
    pub hub_bandwidth: crate::firmware::Bandwidth,
    /// Downlink rate of the region's whole WAN, shared by every command and image.
    pub wan_capacity: crate::firmware::Bandwidth,
}

/// The Home Area Network hop between hub and device.
#[derive(Clone, Debug, PartialEq)]
pub struct Han {
    /// One-way latency hub ↔ device of one send (a crossing with retries takes several).
    pub latency: Dist,
    /// Buildings, channels, losses, reach and channel selection.
    pub radio: super::HanRadio,
}

/// Device behaviour.
#[derive(Clone, Debug, PartialEq)]
pub struct Devices {
    /// Electricity meter's time to act on a command and answer.
    pub esme_response: Dist,
    /// Gas meter's time to answer (it sleeps and polls the hub's Gas Proxy Function).
    pub gsme_response: Dist,
}

/// One stream of Service Requests sent by each premises' supplier.
#[derive(Clone, Debug, PartialEq)]
pub struct Traffic {
    pub sr: SrType,
    pub device: DeviceType,
    /// Role the sender uses (normally the supplier role for the device: IS or GS).
    pub role: Role,
    pub pattern: Pattern,
    /// Share of requests naming a device the DSP does not know (stale MPxN data): refused E19.
    pub unknown_device_share: f64,
}

/// When a traffic stream's requests are sent.
#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    /// Once per premises per day, spread over a daily window.
    DailyWindow {
        /// Window start, as an offset from midnight.
        start: SimDuration,
        length: SimDuration,
    },
    /// A Poisson stream at a rate per premises per day, shaped by hour of day.
    Poisson {
        per_premises_per_day: f64,
        /// Relative weight of each hour of the day (mean 1 after normalisation by the loader).
        hourly: [f64; 24],
    },
}
