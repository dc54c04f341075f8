//! The world's configuration: plain data that the scenario loader has validated (shares sum to
//! one, rates are non-negative, distributions are well formed), so builders and actors never
//! re-check or fail. The core parts are here; each feature keeps its own in `<feature>/config.rs`.

pub mod defaults;
pub mod read;
pub mod traffic_management;

use crate::dist::Dist;
use crate::region::{RegionMap, Technology};
use crate::sr::{DeviceType, Role, SrType};
use crate::units::Bandwidth;
use dccsim_sim::{SimDuration, StreamRng};
use serde::Deserialize;

/// Premises and what is installed in them (`[population]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    #[serde(deserialize_with = "crate::config::read::count::<_, 1, { defaults::MAX_PREMISES }>")]
    pub premises: u32,
    /// Share of premises that also have a gas meter, 0..=1.
    #[serde(
        default = "defaults::gas_share",
        deserialize_with = "crate::config::read::share"
    )]
    pub gas_share: f64,
    /// Share of premises in each region; sums to 1.
    #[serde(
        default = "defaults::region_shares",
        deserialize_with = "crate::config::read::regions"
    )]
    pub regions: RegionMap<f64>,
}

/// An energy supplier (DCC User in roles IS and GS): a `[[supplier]]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Supplier {
    pub name: String,
    /// Market share, 0..=1; all suppliers' shares sum to 1.
    #[serde(deserialize_with = "crate::config::read::share")]
    pub share: f64,
}

/// The DCC's Data Service Provider: authorises, routes, and has finite capacity (`[dsp]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Dsp {
    /// Requests processed at once; the rest wait in a FIFO queue.
    #[serde(deserialize_with = "crate::config::read::count::<_, 1, { u32::MAX }>")]
    pub workers: u32,
    /// Time a worker spends on a request on its way to the device (or on a refusal).
    pub service_time: Dist,
    /// Time a worker spends on a device's response on its way back to the User.
    pub response_service_time: Dist,
    /// Reproduce the old DSP bug: refuse a CPL entry whose hardware data equals a listed entry's
    /// of another device type (DOMAIN §2 failure mode 1).
    pub legacy_duplicate_check: bool,
}

impl Default for Dsp {
    fn default() -> Self {
        Dsp {
            workers: defaults::DSP_WORKERS,
            service_time: defaults::DSP_SERVICE_TIME,
            response_service_time: defaults::DSP_SERVICE_TIME,
            legacy_duplicate_check: false,
        }
    }
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
    /// Shortest one-way WAN crossing: a draw below it takes it (the physical floor that gives a
    /// partitioned run its lookahead, `lookahead`).
    pub latency_floor: SimDuration,
    /// One-way latency of the network between the DSP and this CSP, each way: they are
    /// different organisations' systems in different data centres.
    pub dsp_latency: Dist,
    /// Shortest one-way DSP ↔ CSP crossing: a draw below it takes it (with the WAN floor, what
    /// lets the DSP and the CSPs run in different partitions, `lookahead`).
    pub dsp_latency_floor: SimDuration,
    /// Rate of one hub's WAN link: how fast a firmware image reaches a hub.
    pub hub_bandwidth: Bandwidth,
    /// Downlink rate of the region's whole WAN, shared by every command and image.
    pub wan_capacity: Bandwidth,
}

impl Csp {
    /// Draws one WAN crossing's propagation time: the latency draw, at least the floor.
    #[inline]
    pub fn wan_latency(&self, rng: &mut StreamRng<'_>) -> SimDuration {
        self.latency.sample(rng).max(self.latency_floor)
    }

    /// Draws one crossing between the DSP and this CSP: the latency draw, at least the floor.
    #[inline]
    pub fn dsp_crossing(&self, rng: &mut StreamRng<'_>) -> SimDuration {
        self.dsp_latency.sample(rng).max(self.dsp_latency_floor)
    }
}

/// Device behaviour (`[devices]`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Devices {
    /// Electricity meter's time to act on a command and answer.
    pub esme_response: Dist,
    /// Gas meter's time to answer (it sleeps and polls the hub's Gas Proxy Function).
    pub gsme_response: Dist,
}

impl Default for Devices {
    fn default() -> Self {
        Devices {
            esme_response: defaults::ESME_RESPONSE,
            gsme_response: defaults::GSME_RESPONSE,
        }
    }
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
    /// The one supplier (by index) that sends the stream, e.g. one User's burst; every supplier
    /// if `None`.
    pub supplier: Option<u16>,
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
