//! The value of every optional scenario setting, kept in one place so that documentation can cite
//! it and the loader never hides a number in code.
//!
//! Most of these are working assumptions marked **\[U\]** in DOMAIN.md (widely repeated or guessed,
//! not confirmed from a public source): they are parameters precisely so that a scenario can
//! replace them. Target Response Times default to [`SrType::default_trt`](crate::sr::SrType::default_trt).

use crate::dist::Dist;
use crate::han::config::Policy;
use crate::region::{Region, RegionMap, Technology};
use crate::units::{Bandwidth, Bytes};
use dccsim_sim::SimDuration;

/// `[scenario] start_date`: Monday 5 January 2026.
pub const START_DATE: &str = "2026-01-05";

/// `[scenario] sample_interval`: gauges are sampled every 15 minutes.
pub const SAMPLE_INTERVAL: SimDuration = SimDuration::from_secs(15 * 60);

/// Longest `[scenario] duration`: ten years of simulated time.
pub const MAX_RUN_DURATION: SimDuration = SimDuration::from_days(3_650);

/// Longest duration any key takes: a hundred years, so sums of a few durations and times stay
/// far inside 64-bit microseconds (about 584,000 years) and simulated time cannot wrap.
pub const MAX_DURATION: SimDuration = SimDuration::from_days(36_500);

/// Shortest `[scenario] sample_interval`: one second (each sample holds every gauge).
pub const MIN_SAMPLE_INTERVAL: SimDuration = SimDuration::from_secs(1);

/// Largest `per_premises_per_day` of a `[[traffic]]` stream: one request a second per premises,
/// far above any real schedule; more would put many requests at one instant.
pub const MAX_PER_PREMISES_PER_DAY: f64 = 86_400.0;

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

/// [`GAS_SHARE`], for `#[serde(default = "…")]`.
pub fn gas_share() -> f64 {
    GAS_SHARE
}

/// [`REGION_SHARES`], for `#[serde(default = "…")]`.
pub fn region_shares() -> RegionMap<f64> {
    REGION_SHARES
}

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

/// `[csp.<region>] latency_floor` \[U\] (assumed): the shortest one-way WAN crossing, 50 ms.
/// No radio or cellular round trip to a head-end is shorter; with the default latencies a draw
/// falls below it with probability about 1e-11, so results are unchanged, and it gives a
/// partitioned run its lookahead (README "Lookahead").
pub const WAN_LATENCY_FLOOR: SimDuration = SimDuration::from_millis(50);

/// `[csp.<region>] dsp_latency` \[U\] (assumed): one way between the DSP and a CSP, lognormal
/// median 80 ms σ 0.3. The DSP and each CSP are different organisations' data centres joined by
/// the DCC's network, with message middleware at both ends: tens of milliseconds each way.
pub const DSP_CSP_LATENCY: Dist = Dist::LogNormal {
    median: SimDuration::from_millis(80),
    sigma: 0.3,
};

/// `[csp.<region>] dsp_latency_floor` \[U\] (assumed): the shortest one-way DSP ↔ CSP crossing,
/// 50 ms (the default latency falls below it about 6 % of the time). With the WAN floor it is
/// the lookahead that lets a partitioned run put the DSP and the CSPs in different partitions.
pub const DSP_CSP_LATENCY_FLOOR: SimDuration = SimDuration::from_millis(50);

/// `[csp.<region>] hub_bandwidth` \[U\]: the rate one hub's WAN link carries a firmware image at,
/// by technology: long-range radio 2.4 kbit/s, cellular 64 kbit/s, mesh 9.6 kbit/s (DOMAIN §8:
/// long-range radio and mesh are slow).
pub fn hub_bandwidth(technology: Technology) -> Bandwidth {
    match technology {
        Technology::LongRangeRadio => Bandwidth {
            bits_per_sec: 2_400,
        },
        Technology::Cellular => Bandwidth::kbit(64),
        Technology::Mesh => Bandwidth {
            bits_per_sec: 9_600,
        },
    }
}

/// `[csp.<region>] wan_capacity` \[U\]: the downlink rate a region's whole WAN carries, shared by
/// every command and firmware image in the region: long-range radio 1 Mbit/s, cellular
/// 20 Mbit/s, mesh 2 Mbit/s.
pub fn wan_capacity(technology: Technology) -> Bandwidth {
    match technology {
        Technology::LongRangeRadio => Bandwidth::mbit(1),
        Technology::Cellular => Bandwidth::mbit(20),
        Technology::Mesh => Bandwidth::mbit(2),
    }
}

// Firmware rollouts (DOMAIN §8): `[firmware]`, `[[firmware_image]]`, `[[firmware_campaign]]`.

/// `[firmware] command_bytes` \[U\]: size of an ordinary command (any SR's outbound message) on
/// the WAN: 512 bytes.
pub const COMMAND_BYTES: Bytes = Bytes(512);

/// `[firmware] chunk` \[U\]: images cross the WAN in 4 KiB pieces, one after another to each hub.
pub const FIRMWARE_CHUNK: Bytes = Bytes(4096);

/// `[firmware] han_bandwidth` \[U\]: an image's rate from hub to device over the ZigBee HAN,
/// 20 kbit/s (well below the 250 kbit/s radio rate, after protocol overhead and sharing).
pub const FIRMWARE_HAN_BANDWIDTH: Bandwidth = Bandwidth::kbit(20);

/// `[[firmware_campaign]] max_in_transfer` \[U\]: devices in transfer at once per campaign.
pub const FIRMWARE_MAX_IN_TRANSFER: u32 = 1000;

/// `[[firmware_campaign]] activation_window`: SR 11.3 is future-dated into 02:00–05:00.
pub const FIRMWARE_ACTIVATION_START: SimDuration = SimDuration::from_hours(2);
pub const FIRMWARE_ACTIVATION_LENGTH: SimDuration = SimDuration::from_hours(3);

/// `[[firmware_campaign]] pause_min_devices`: the pause rule waits for 20 finished devices.
pub const FIRMWARE_PAUSE_MIN_DEVICES: u32 = 20;

/// `[[firmware_campaign]] retry_after` \[U\]: a failed transfer is retried an hour later.
pub const FIRMWARE_RETRY_AFTER: SimDuration = SimDuration::from_hours(1);

/// `[[firmware_campaign]] max_transfer_attempts` and `max_activation_attempts` \[U\]: three each.
pub const FIRMWARE_MAX_ATTEMPTS: u8 = 3;

/// `[[firmware_campaign]] transfer_failure` \[U\]: 5% of image transfers break off.
pub const FIRMWARE_TRANSFER_FAILURE: f64 = 0.05;

/// `[[firmware_campaign]] activation_failure` \[U\]: 2% of activations fail (retried).
pub const FIRMWARE_ACTIVATION_FAILURE: f64 = 0.02;

/// `[[firmware_campaign]] unrecoverable_failure` \[U\]: 0.2% of devices cannot take the firmware.
pub const FIRMWARE_UNRECOVERABLE_FAILURE: f64 = 0.002;

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

/// `[[cpl_entry]] spec_version` of a SMETS1 entry (`smets = 1`).
pub const CPL_SMETS1_SPEC_VERSION: &str = "SMETS1";

/// The GBCS version recorded for a SMETS1 entry: none (SMETS1 devices do not speak GBCS).
pub const CPL_SMETS1_GBCS_VERSION: &str = "-";

// SMETS1 enrolment and adoption: `[smets1]`, `[[migration]]` (DOMAIN §2a).

/// `[smets1] workers` \[U\]: requests the DCC's SMETS1 service handles at once.
pub const SMETS1_WORKERS: u32 = 500;

/// `[smets1] service_time` \[U\]: the SMETS1 service's time per visit (DCO check and
/// countersigning, S1SP translation), log-normal median 150 ms, sigma 0.5.
pub const SMETS1_SERVICE_TIME: Dist = Dist::LogNormal {
    median: SimDuration::from_millis(150),
    sigma: 0.5,
};

/// `[smets1] latency` \[U\]: one way from the SMETS1 service to a meter or back (the SMETS1
/// head-end and its cellular WAN), log-normal median 3 s, sigma 0.6.
pub const SMETS1_LATENCY: Dist = Dist::LogNormal {
    median: SimDuration::from_secs(3),
    sigma: 0.6,
};

/// `[[migration]] fail` \[U\]: shares of meters whose migration fails at data validation,
/// the DCC's device test, commissioning.
pub const SMETS1_MIGRATION_FAILURES: crate::smets1::config::Failures =
    crate::smets1::config::Failures {
        data: 0.01,
        device_test: 0.02,
        commissioning: 0.01,
    };

// EV load control over LV feeders (SECMP0046): `[ev]`, `[feeders]`, `[demand]`, `[dno]`.

/// `[ev] uptake` \[U\]: half the premises have an EV charger (My Electric Avenue studied 40–70%).
pub const EV_UPTAKE: f64 = 0.5;

/// `[ev] fast_share` \[U\]: share of chargers rated 7.4 kW; the rest are 3.7 kW.
pub const EV_FAST_SHARE: f64 = 0.7;

/// `[ev] arrival` \[U\]: plug-in time from midnight, log-normal median 18:00, sigma 0.08 (about
/// two thirds of cars between 16:40 and 19:30).
pub const EV_ARRIVAL: Dist = Dist::LogNormal {
    median: SimDuration::from_hours(18),
    sigma: 0.08,
};

/// `[ev] dwell` \[U\]: time plugged in, log-normal median 13 h, sigma 0.2 (Electric Nation: more
/// than 12 h on average).
pub const EV_DWELL: Dist = Dist::LogNormal {
    median: SimDuration::from_hours(13),
    sigma: 0.2,
};

/// `[ev] energy_kwh` \[U\]: energy wanted per session, uniform 4–20 kWh (cars usually arrive more
/// than half charged).
pub const EV_ENERGY_KWH: crate::ev::config::Uniform = crate::ev::config::Uniform {
    min: 4.0,
    max: 20.0,
};

/// `[ev] start_delay`: random delay up to 600 s before a session starts (Smart Charge Points
/// Regulations 2021).
pub const EV_START_DELAY: SimDuration = SimDuration::from_secs(600);

/// `[ev] report_latency` \[U\]: a charger's change of draw reaches its DNO at once (the
/// substation sees it); a positive value lets an EV run be partitioned (`--workers` ≥ 2).
pub const EV_REPORT_LATENCY: SimDuration = SimDuration::ZERO;

/// `[ev] response` \[U\]: a charger's time to act on a command and answer, as an ESME's.
pub const CHARGER_RESPONSE: Dist = ESME_RESPONSE;

/// `[feeders] customers` \[U\]: premises per LV feeder, uniform 40–100 (tens to ~100).
pub const FEEDER_CUSTOMERS: (u32, u32) = (40, 100);

/// `[feeders] rating_kw` \[U\]: feeder rating, uniform 150–275 kW (300 mm² cable ~275 kVA).
pub const FEEDER_RATING_KW: crate::ev::config::Uniform = crate::ev::config::Uniform {
    min: 150.0,
    max: 275.0,
};

/// `[feeders] series`: the five most stressed feeders get a load series.
pub const FEEDER_SERIES: u32 = 5;

/// `[demand] profile_kw` \[U\]: a winter weekday after-diversity household profile, kW per
/// half-hour from midnight, peaking at 1.4 kW around 18:00 (CLNR: ~1.5 kW for large groups,
/// peak 16:00–20:00).
pub const HOUSEHOLD_PROFILE_KW: [f64; 48] = [
    0.45, 0.40, 0.36, 0.33, 0.31, 0.30, 0.30, 0.30, 0.31, 0.33, 0.36, 0.42, // 00:00–05:30
    0.50, 0.62, 0.72, 0.78, 0.76, 0.70, 0.64, 0.60, 0.58, 0.57, 0.57, 0.58, // 06:00–11:30
    0.60, 0.60, 0.57, 0.55, 0.55, 0.57, 0.62, 0.72, 0.88, 1.05, 1.22, 1.35, // 12:00–17:30
    1.40, 1.38, 1.30, 1.20, 1.10, 1.02, 0.95, 0.88, 0.80, 0.70, 0.60, 0.52, // 18:00–23:30
];

/// `[demand] variation` \[U\]: sigma of each premises' log-normal scale on the profile.
pub const HOUSEHOLD_VARIATION: f64 = 0.3;

/// `[dno] read_interval` \[U\]: with meter-read monitoring, every premises is read every 15 minutes.
pub const DNO_READ_INTERVAL: SimDuration = SimDuration::from_secs(15 * 60);

/// `[dno] curtail_at` \[U\]: act when load passes 95% of the rating.
pub const DNO_CURTAIL_AT: f64 = 0.95;

/// `[dno] restore_below` \[U\]: curtail down to, and restore below, 80% of the rating.
pub const DNO_RESTORE_BELOW: f64 = 0.8;

/// `[dno] hold` \[U\]: at least 30 minutes between a curtailment and a restoration.
pub const DNO_HOLD: SimDuration = SimDuration::from_secs(30 * 60);

/// `[dno] restore_offset`: randomised offset limit set with SR 7.12, 600 s (as DCP 204's meter
/// randomisation).
pub const DNO_RESTORE_OFFSET: SimDuration = SimDuration::from_secs(600);

/// `[dno] step` \[U\]: proportional limits move in quarters of the charger's rating.
pub const DNO_STEP: f64 = 0.25;

/// `[dno] rebound_window`: load up to 15 minutes after a restoration counts as its rebound.
pub const DNO_REBOUND_WINDOW: SimDuration = SimDuration::from_secs(15 * 60);

/// `[han] policy`: hubs scan for the least busy channel at install, as they do today.
pub const HAN_POLICY: Policy = Policy::EnergyScan;

/// `[han] fixed_channel` \[U\]: the one channel of the `fixed` policy (ZigBee channel 11).
pub const HAN_FIXED_CHANNEL: u32 = 11;

/// `[han] flat_share` \[U\]: share of premises in multi-dwelling buildings. DOMAIN gives no GB
/// figure; about a fifth of English homes are flats.
pub const HAN_FLAT_SHARE: f64 = 0.2;

/// `[han] flats_per_building` \[U\]: flats in a building, uniform between these (inclusive).
pub const HAN_FLATS_PER_BUILDING: (u32, u32) = (2, 20);

/// `[han] dual_band_share` \[U\]: share of hubs that also have the 868 MHz band.
pub const HAN_DUAL_BAND_SHARE: f64 = 0.3;

/// `[han] background` \[U\]: chance that an attempt is lost to traffic from outside the building,
/// per ZigBee channel 11–26. Wi-Fi channels 1, 6 and 11 overlap ZigBee 11–14, 16–19 and 21–24
/// (0.05); 15, 20, 25 and 26 lie between them (0.01).
pub const HAN_BACKGROUND: [f64; 16] = [
    0.05, 0.05, 0.05, 0.05, 0.01, 0.05, 0.05, 0.05, 0.05, 0.01, 0.05, 0.05, 0.05, 0.05, 0.01, 0.01,
];

/// `[han] background_868` \[U\]: the same for the 868 MHz band.
pub const HAN_BACKGROUND_868: f64 = 0.01;

/// `[han] same_channel` \[U\]: loss chance each other hub of the building on the same channel adds.
pub const HAN_SAME_CHANNEL: f64 = 0.06;

/// `[han] adjacent_channel` \[U\]: loss chance each hub of the building on a neighbouring channel
/// adds.
pub const HAN_ADJACENT_CHANNEL: f64 = 0.015;

/// `[han] retries` \[U\]: sends after the first before the hub gives up (E21).
pub const HAN_RETRIES: u32 = 3;

/// `[han] backoff` \[U\]: wait before the first retry; it doubles at every further retry.
pub const HAN_BACKOFF: SimDuration = SimDuration::from_millis(250);

/// `[han] join_exchanges` \[U\]: request/answer exchanges a device needs to join the HAN.
pub const HAN_JOIN_EXCHANGES: u32 = 4;

/// `[han] scan_sees_neighbour` \[U\]: chance that an energy scan notices a given hub of the
/// building already on a channel (a scan is a brief listen; neighbours transmit now and then).
pub const HAN_SCAN_SEES_NEIGHBOUR: f64 = 0.5;

/// `[han] rescan_window` \[U\]: sends over which a hub judges its loss rate.
pub const HAN_RESCAN_WINDOW: u32 = 8;

/// `[han] rescan_loss` \[U\]: share of sends lost over a window that makes a hub scan again and
/// move channel (SRs 6.28–6.32 style); 1 means never.
pub const HAN_RESCAN_LOSS: f64 = 0.3;

/// `[han] needs_alt_han` \[U\]: share of flats the standard HAN cannot reach.
pub const HAN_NEEDS_ALT_HAN: f64 = 0.1;

/// `[han] alt_han_share` \[U\]: share of those flats that have Alt HAN equipment.
pub const HAN_ALT_HAN_SHARE: f64 = 0.6;

/// `[han] shared_han_share` \[U\]: share of buildings with a Shared HAN, which reaches every flat.
pub const HAN_SHARED_HAN_SHARE: f64 = 0.0;

/// `[han] relay_latency` \[U\]: time an Alt HAN or Shared HAN relay adds to each send, log-normal
/// median 150 ms, sigma 0.4.
pub const HAN_RELAY_LATENCY: Dist = Dist::LogNormal {
    median: SimDuration::from_millis(150),
    sigma: 0.4,
};

/// `[han] relay_loss` \[U\]: chance that the relay loses a send.
pub const HAN_RELAY_LOSS: f64 = 0.03;

/// `[priority] critical` \[U\]: the class of critical SRs (higher classes are served first).
pub const PRIORITY_CRITICAL: u8 = 2;

/// `[priority] on_demand` \[U\]: the class of on-demand SRs.
pub const PRIORITY_ON_DEMAND: u8 = 1;

/// `[priority] prepayment` \[U\]: the class of prepayment customers' on-demand and critical SRs
/// (SECMP0032), above every category's.
pub const PRIORITY_PREPAYMENT: u8 = 3;

/// `[priority] scheduled` \[U\]: the class of DCC-scheduled SRs (the overnight bulk reads).
pub const PRIORITY_SCHEDULED: u8 = 0;

/// `[throttle] queue_threshold` \[U\]: the DSP queue length at which throttling starts.
pub const THROTTLE_QUEUE_THRESHOLD: u32 = 1_000;

/// `[throttle] allocation` \[U\]: SRs each User may start per window while throttling is on.
pub const THROTTLE_ALLOCATION: u32 = 600;

/// `[throttle] window` \[U\]: the allocation's window.
pub const THROTTLE_WINDOW: SimDuration = SimDuration::from_secs(60);

/// `[retry] delay` \[U\]: the fixed wait before a retry, or the first wait of exponential backoff.
pub const RETRY_DELAY: SimDuration = SimDuration::from_secs(30);

/// `[retry] max_delay` \[U\]: the longest wait exponential backoff grows to.
pub const RETRY_MAX_DELAY: SimDuration = SimDuration::from_secs(30 * 60);

/// `[retry] jitter` \[U\]: each wait is drawn uniformly between (1 − jitter) × the wait and the wait.
pub const RETRY_JITTER: f64 = 0.5;

/// `[retry] max_attempts` \[U\]: attempts in all, the first included.
pub const RETRY_MAX_ATTEMPTS: u32 = 3;
