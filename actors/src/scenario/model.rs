//! The validated scenario: what the world builder consumes. Every value here has passed the
//! loader's checks (shares sum to one, rates are non-negative, distributions are well formed),
//! so the builder never has to re-check or fail.

use crate::config::{Csp, Devices, Dsp, Population, Supplier, Traffic};
use crate::device_model::DeviceModel;
use crate::han::config::Han;
use crate::region::RegionMap;
use crate::sr::SrType;
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
    pub cpl: crate::cpl::config::CplConfig,
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
    pub firmware: crate::firmware::config::FirmwareConfig,
    /// `[smets1]`, `[[migration]]`: SMETS1 enrolment and adoption (no SMETS1 meters by default).
    pub smets1: crate::smets1::config::Smets1Config,
    /// `[priority]`, `[throttle]`, `[retry]`: the DCC under load (none by default).
    pub traffic_management: crate::config::traffic_management::TrafficManagement,
    /// `[alerts]`, `[[alert]]`, `[[event]]`: device alerts and outage storms (none by default).
    pub alerts: crate::alert::config::AlertConfig,
}
