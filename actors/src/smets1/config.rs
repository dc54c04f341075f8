//! What a scenario says about SMETS1 enrolment and adoption: the DCC's SMETS1 service (`[smets1]`:
//! workers, service time, latency to the SMETS1 meters) and the migration timeline
//! (`[[migration]]`: cohorts of SMETS1 meters of one Device Model, so many a day, from a start).
//! Plain validated data; `scenario::smets1` reads it, the rest of `smets1` runs it.

use crate::config::defaults;
use crate::dist::Dist;
use dccsim_sim::SimDuration;
use serde::Deserialize;

/// `[smets1]`: the DCC's SMETS1 service — the SMETS1 Service Provider (S1SP) and the Dual
/// Control Organisation (DCO) in front of the SMETS1 head-ends (DOMAIN §2a). Its workers are
/// finite, so load shows as queueing, like a CSP's.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Service {
    /// Requests the service handles at once (each visit, out and back); the rest queue.
    #[serde(deserialize_with = "crate::config::read::count::<_, 1, { u32::MAX }>")]
    pub workers: u32,
    /// Service time per visit: the DCO's check and countersigning, the S1SP's translation.
    pub service_time: Dist,
    /// One-way time from the service to a SMETS1 meter or back: the SMETS1 head-end and its WAN
    /// (does not occupy a worker).
    pub latency: Dist,
}

impl Default for Service {
    fn default() -> Self {
        Service {
            workers: defaults::SMETS1_WORKERS,
            service_time: defaults::SMETS1_SERVICE_TIME,
            latency: defaults::SMETS1_LATENCY,
        }
    }
}

/// Why a meter's migration failed: the label of `smets1.migration{cause=…,result=failed}`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cause {
    /// The supplier's inventory data for the meter did not validate.
    Data,
    /// The DCC's test communication with the meter through its SMETS1 head-end failed.
    DeviceTest,
    /// Commissioning into the DCC (credential replacement) failed.
    Commissioning,
}

impl Cause {
    /// In the order a migration meets them.
    pub const ALL: [Cause; 3] = [Cause::Data, Cause::DeviceTest, Cause::Commissioning];

    pub fn name(self) -> &'static str {
        match self {
            Cause::Data => "data",
            Cause::DeviceTest => "device_test",
            Cause::Commissioning => "commissioning",
        }
    }
}

/// `fail = { data, device_test, commissioning }`: the share of a cohort's meters (on the CPL)
/// whose migration fails at each step \[U\]; they sum to at most 1.
#[derive(Copy, Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Failures {
    #[serde(deserialize_with = "crate::config::read::share")]
    pub data: f64,
    #[serde(deserialize_with = "crate::config::read::share")]
    pub device_test: f64,
    #[serde(deserialize_with = "crate::config::read::share")]
    pub commissioning: f64,
}

impl Default for Failures {
    fn default() -> Self {
        defaults::SMETS1_MIGRATION_FAILURES
    }
}

impl Failures {
    /// The share failing at `cause`.
    pub fn of(&self, cause: Cause) -> f64 {
        match cause {
            Cause::Data => self.data,
            Cause::DeviceTest => self.device_test,
            Cause::Commissioning => self.commissioning,
        }
    }
}

/// `[[migration]]`: one cohort — SMETS1 meters of one Device Model, served by one supplier, that
/// the DCC migrates at an even rate from `start`.
#[derive(Clone, Debug, PartialEq)]
pub struct Cohort {
    /// Index of the meters' Device Model (`[[device_model]]`, an electricity meter type).
    pub model: u16,
    /// Index of the meters' supplier in `[[supplier]]`.
    pub supplier: u16,
    /// Meters migrated a day, evenly spaced.
    pub per_day: f64,
    /// When the first meter is migrated, from the start of the run.
    pub start: SimDuration,
    /// Meters in the cohort (`total`, or `per_day` over `start`..`until`).
    pub meters: u32,
    pub fail: Failures,
}

impl Cohort {
    /// When meter `k` of the cohort is migrated, from the start of the run.
    pub fn time_of(&self, k: u32) -> SimDuration {
        let day = SimDuration::from_days(1).as_micros() as f64;
        let offset = (f64::from(k) * day / self.per_day).round() as u64;
        SimDuration::from_micros(self.start.as_micros() + offset)
    }
}

/// `[[smets1_fleet]]`: SMETS1 meters of one Device Model the DCC enrolled before the run — on
/// the SMI Commissioned and in their supplier's traffic from the start, served through the
/// SMETS1 service (the installed base a day of the whole fleet carries).
#[derive(Clone, Debug, PartialEq)]
pub struct Fleet {
    /// Index of the meters' Device Model (an electricity meter type with a listed SMETS1 entry).
    pub model: u16,
    /// Index of their supplier in `[[supplier]]`; `None`: each meter's drawn by the suppliers'
    /// shares.
    pub supplier: Option<u16>,
    pub meters: u32,
}

/// SMETS1 enrolment and adoption as the scenario describes it (nothing without `[[migration]]`
/// or `[[smets1_fleet]]`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Smets1Config {
    /// `[smets1]`.
    pub service: Service,
    /// `[[migration]]`, in file order.
    pub cohorts: Vec<Cohort>,
    /// `[[smets1_fleet]]`, in file order.
    pub fleet: Vec<Fleet>,
}

impl Smets1Config {
    /// Whether the scenario has SMETS1 meters at all.
    pub fn is_modelled(&self) -> bool {
        !self.cohorts.is_empty() || !self.fleet.is_empty()
    }

    /// SMETS1 meters enrolled before the run, in all.
    pub fn fleet_meters(&self) -> u64 {
        self.fleet.iter().map(|f| u64::from(f.meters)).sum()
    }

    /// SMETS1 meters every cohort brings, in all.
    pub fn meters(&self) -> u64 {
        self.cohorts.iter().map(|c| u64::from(c.meters)).sum()
    }
}
