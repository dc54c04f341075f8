//! The value of every optional scenario setting, kept in one place so that documentation can cite
//! it and the loader never hides a number in code.
//!
//! Most of these are working assumptions marked **\[U\]** in DOMAIN.md (widely repeated or guessed,
//! not confirmed from a public source): they are parameters precisely so that a scenario can
//! replace them. Target Response Times default to [`SrType::default_trt`](crate::sr::SrType::default_trt).

use crate::dist::Dist;
use crate::region::{Region, RegionMap, Technology};
use dccsim_sim::SimDuration;

/// `[scenario] start_date`: Monday 5 January 2026.
pub const START_DATE: &str = "2026-01-05";

/// `[scenario] sample_interval`: gauges are sampled every 15 minutes.
pub const SAMPLE_INTERVAL: SimDuration = SimDuration::from_secs(15 * 60);

/// Largest `[population] premises`: premises are numbered in 28 bits of an actor id.
pub const MAX_PREMISES: u32 = 268_435_455;

/// `[population] gas_share` \[U\]: share of premises that also have a gas smart meter.
pub const GAS_SHARE: f64 = 0.7;

/// `[population] regions` \[U\]: share of premises in each DCC region.
pub const REGION_SHARES: RegionMap<f64> = RegionMap {
    north: 0.25,
    central: 0.40,
    south: 0.35,
};

/// How far a set of shares may be from summing to exactly 1.
pub const SHARE_TOLERANCE: f64 = 1e-9;

/// `[dsp] workers` \[U\]: requests the DSP processes at once.
pub const DSP_WORKERS: u32 = 64;

/// `[dsp] service_time` \[U\]: DSP processing per request, log-normal with median 40 ms, sigma 0.4.
/// `[dsp] response_service_time` defaults to whatever `service_time` is.
pub const DSP_SERVICE_TIME: Dist = Dist::LogNormal {
    median: SimDuration::from_millis(40),
    sigma: 0.4,
};

/// `[csp.<region>] technology`: North is long-range radio, Central and South cellular (DOMAIN §1).
pub fn csp_technology(region: Region) -> Technology {
    match region {
        Region::North => Technology::LongRangeRadio,
        Region::Central | Region::South => Technology::Cellular,
    }
}

/// `[csp.<region>] workers` \[U\]: messages a CSP head-end handles at once.
pub const CSP_WORKERS: u32 = 4000;

/// `[csp.<region>] service_time` \[U\]: head-end time per message, exponential with mean 2 ms.
pub const CSP_SERVICE_TIME: Dist = Dist::Exp {
    mean: SimDuration::from_millis(2),
};

/// `[csp.<region>] latency` \[U\]: one-way WAN latency by technology, all log-normal:
/// long-range radio median 4 s sigma 0.6; cellular median 1500 ms sigma 0.5; mesh median 6 s
/// sigma 0.7.
pub fn wan_latency(technology: Technology) -> Dist {
    match technology {
        Technology::LongRangeRadio => Dist::LogNormal {
            median: SimDuration::from_secs(4),
            sigma: 0.6,
        },
        Technology::Cellular => Dist::LogNormal {
            median: SimDuration::from_millis(1500),
            sigma: 0.5,
        },
        Technology::Mesh => Dist::LogNormal {
            median: SimDuration::from_secs(6),
            sigma: 0.7,
        },
    }
}

/// `[han] latency` \[U\]: one-way hub ↔ device latency, log-normal median 250 ms, sigma 0.5.
pub const HAN_LATENCY: Dist = Dist::LogNormal {
    median: SimDuration::from_millis(250),
    sigma: 0.5,
};

/// `[devices] esme_response` \[U\]: electricity meter's time to answer, log-normal median 500 ms,
/// sigma 0.4.
pub const ESME_RESPONSE: Dist = Dist::LogNormal {
    median: SimDuration::from_millis(500),
    sigma: 0.4,
};

/// `[devices] gsme_response` \[U\]: gas meter's time to answer (it wakes to poll the hub),
/// log-normal median 5 s, sigma 0.5.
pub const GSME_RESPONSE: Dist = Dist::LogNormal {
    median: SimDuration::from_secs(5),
    sigma: 0.5,
};

/// `[[traffic]] hourly`: every hour of the day weighs the same.
pub const HOURLY: [f64; 24] = [1.0; 24];

/// `[[traffic]] unknown_device_share`: every request names a device the DSP knows.
pub const UNKNOWN_DEVICE_SHARE: f64 = 0.0;

/// `[cpl] apply_delay` \[U\]: the DCC has up to 24 hours from an extract's receipt to update
/// the SMI (DOMAIN §2); without a better figure, uniform over those 24 hours.
pub const CPL_APPLY_DELAY: Dist = Dist::Uniform {
    min: SimDuration::ZERO,
    max: SimDuration::from_hours(24),
};

/// `[[cpl_entry]] spec_version`: the SMETS/CHTS technical specification version of an entry.
pub const CPL_SPEC_VERSION: &str = "SMETS2 v5.1";

/// `[[cpl_entry]] gbcs_version`: the GBCS version an entry's devices speak.
pub const CPL_GBCS_VERSION: &str = "3.2";
