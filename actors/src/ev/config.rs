//! What a scenario says about EV load control (SECMP0046): `[ev]` (chargers and sessions),
//! `[feeders]` (LV feeders and their ratings), `[demand]` (household load) and `[dno]` (the
//! Electricity Distributor's control policy). Plain validated data; `scenario::ev` reads it.

use crate::config::defaults;
use crate::dist::Dist;
use crate::sr::{DeviceType, SrType};
use dccsim_sim::SimDuration;

/// Half-hours in a day: the household profile's resolution.
pub const HALF_HOURS: usize = 48;

/// The EV load-control experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct Ev {
    pub chargers: Chargers,
    pub feeders: Feeders,
    pub demand: Demand,
    pub dno: Dno,
}

/// A closed range `min..=max` drawn uniformly.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Uniform {
    pub min: f64,
    pub max: f64,
}

/// `[ev]`: which premises have a charger and how their sessions go.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Chargers {
    /// Share of premises with an EV charger (the EV uptake), 0..=1.
    #[serde(deserialize_with = "crate::config::read::share")]
    pub uptake: f64,
    /// Share of chargers rated 7.4 kW (32 A × 230 V); the rest 3.7 kW.
    #[serde(deserialize_with = "crate::config::read::share")]
    pub fast_share: f64,
    /// The charger's HAN device: `Hcalcs` (switched, 7.5/7.6) or `Apc` (proportional, 7.13).
    #[serde(deserialize_with = "crate::config::read::ev::charger_device")]
    pub device: DeviceType,
    /// Plug-in time, measured from simulated time zero (midnight of the start date).
    pub arrival: Dist,
    /// How long the car stays plugged in.
    pub dwell: Dist,
    /// Energy the car wants in this session, kWh.
    #[serde(deserialize_with = "crate::config::read::ev::energy_kwh")]
    pub energy_kwh: Uniform,
    /// Most a charger delays a session's start at random (Smart Charge Points Regulations 2021).
    #[serde(deserialize_with = "crate::config::read::duration")]
    pub start_delay: SimDuration,
    /// Default off-peak charging: a session plugged in during the weekday peaks (08–11, 16–22)
    /// waits for the peak to end.
    #[serde(deserialize_with = "crate::config::read::boolean")]
    pub off_peak: bool,
    /// The charger's time to act on a command and answer.
    pub response: Dist,
    /// The charger's telemetry path to its DNO: how long after a change of draw the DNO hears
    /// of it (and the feeder's load, which the DNO keeps, changes) \[U\]. An engine-enabling
    /// parameter: above zero it gives the charger → DNO link the lookahead a partitioned run
    /// needs.
    #[serde(deserialize_with = "crate::config::read::duration")]
    pub report_latency: SimDuration,
}

/// `[feeders]`: premises are split, in order, into LV feeders of these sizes.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Feeders {
    /// Premises per feeder, uniform whole numbers `min..=max`.
    #[serde(deserialize_with = "crate::config::read::ev::customers")]
    pub customers: (u32, u32),
    /// Feeder rating, kW, uniform.
    #[serde(deserialize_with = "crate::config::read::ev::rating_kw")]
    pub rating_kw: Uniform,
    /// Feeders whose load is written as a series `feeder.load_kw{feeder=…}`: the most stressed
    /// by (household peak + charger ratings) / rating.
    #[serde(deserialize_with = "crate::config::read::count::<_, 0, 1000>")]
    pub series: u32,
}

/// `[demand]`: household load, after diversity.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Demand {
    /// Mean household draw per half-hour from midnight, kW.
    #[serde(deserialize_with = "crate::config::read::ev::profile_kw")]
    pub profile_kw: [f64; HALF_HOURS],
    /// Per-premises variation: each premises scales the profile by a log-normal factor with
    /// mean 1 and this sigma.
    #[serde(deserialize_with = "crate::config::read::ev::variation")]
    pub variation: f64,
}

/// What the DNO does when a feeder nears its rating.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Watch only: the baseline.
    None,
    /// Switch chargers off (7.6) when load passes `curtail_at`, all back on (7.5) once it is
    /// below `restore_below` and `hold` has passed.
    Threshold,
    /// Lower every charger's power limit in steps (7.13), raise it a step at a time.
    Proportional,
}

impl Policy {
    pub const NAMES: [&'static str; 3] = ["none", "threshold", "proportional"];

    pub fn from_name(s: &str) -> Option<Policy> {
        match s {
            "none" => Some(Policy::None),
            "threshold" => Some(Policy::Threshold),
            "proportional" => Some(Policy::Proportional),
            _ => None,
        }
    }
}

/// How the DNO learns its feeders' loads.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Monitoring {
    /// Substation monitoring: every change of load (and which chargers draw) at once.
    Substation,
    /// Meter reads through the DCC: every `interval`, SR 4.1.1 to every premises' ESME; the DNO
    /// sees a premises' import (household and charger) when its read is answered.
    MeterReads { interval: SimDuration },
}

/// `[dno]`: the Electricity Distributor and how it runs its feeders.
#[derive(Clone, Debug, PartialEq)]
pub struct Dno {
    pub policy: Policy,
    pub monitoring: Monitoring,
    /// Models SECMP0046: the DSP admits the ED role for the load-control SRs. Off, ED is not
    /// eligible for them (today's DUIS) and every command is refused.
    pub secmp0046: bool,
    /// Act when load passes this share of the feeder's rating.
    pub curtail_at: f64,
    /// Curtail down to, and restore only below, this share of the rating.
    pub restore_below: f64,
    /// Least time between a curtailment and the next restoration on a feeder.
    pub hold: SimDuration,
    /// Randomised offset limit set on every charger with 7.12 at the start (zero: none sent):
    /// each charger raises its load after a uniform random delay up to this.
    pub restore_offset: SimDuration,
    /// Proportional policy: a limit step, as a share of the charger's rating.
    pub step: f64,
    /// How long after a restoration the feeder's load counts towards the rebound peak.
    pub rebound_window: SimDuration,
}

impl Default for Chargers {
    fn default() -> Self {
        Chargers {
            uptake: defaults::EV_UPTAKE,
            fast_share: defaults::EV_FAST_SHARE,
            device: DeviceType::Hcalcs,
            arrival: defaults::EV_ARRIVAL,
            dwell: defaults::EV_DWELL,
            energy_kwh: defaults::EV_ENERGY_KWH,
            start_delay: defaults::EV_START_DELAY,
            off_peak: false,
            response: defaults::CHARGER_RESPONSE,
            report_latency: defaults::EV_REPORT_LATENCY,
        }
    }
}

impl Default for Feeders {
    fn default() -> Self {
        Feeders {
            customers: defaults::FEEDER_CUSTOMERS,
            rating_kw: defaults::FEEDER_RATING_KW,
            series: defaults::FEEDER_SERIES,
        }
    }
}

impl Default for Demand {
    fn default() -> Self {
        Demand {
            profile_kw: defaults::HOUSEHOLD_PROFILE_KW,
            variation: defaults::HOUSEHOLD_VARIATION,
        }
    }
}

impl Ev {
    /// The physical type of every charger's load-control device, as the SMI records it.
    pub fn device_model_type(&self) -> crate::device_model::PhysicalDeviceType {
        use crate::device_model::PhysicalDeviceType as T;
        match self.chargers.device {
            DeviceType::Apc => T::Apc,
            DeviceType::Hcalcs => T::Hcalcs,
            other => unreachable!("the loader accepts only hcalcs or apc, not {other:?}"),
        }
    }

    /// The SRs the DNO sends, by policy.
    pub fn srs(&self) -> Vec<SrType> {
        let mut srs = match self.dno.policy {
            Policy::None => return Vec::new(),
            Policy::Threshold => vec![
                SrType::DeactivateAuxiliaryLoad,
                SrType::ActivateAuxiliaryLoad,
            ],
            Policy::Proportional => vec![SrType::SetApcLimit],
        };
        if let Monitoring::MeterReads { .. } = self.dno.monitoring {
            srs.push(SrType::ReadInstantaneousImport);
        }
        if self.dno.restore_offset > SimDuration::ZERO {
            srs.push(SrType::SetRandomisedOffsetLimit);
        }
        srs
    }

    /// The SR that curtails load under this policy (its TRT is the `dno.control` flow's).
    pub fn control_sr(&self) -> SrType {
        match self.dno.policy {
            Policy::Proportional => SrType::SetApcLimit,
            Policy::None | Policy::Threshold => SrType::DeactivateAuxiliaryLoad,
        }
    }
}
