//! What a run will cost before it starts: its memory (actors, the peak of requests waiting in
//! the DSP's queue, gauge samples, latency histograms and interval logs) and its events, estimated
//! from the resolved scenario alone, so that `dccsim validate`, `run` and `sweep` can refuse a run
//! the machine cannot hold instead of aborting half-way through it.
//!
//! The constants below are calibrated against measured peak RSS of release runs of the scenario
//! library (`/usr/bin/time -v dccsim run …`); the estimate aims to be within a factor of two of
//! the measurement, erring high. The table of measurements is in the README ("Admission").

use super::Scenario;
use crate::config::Pattern;
use crate::sr::SrType;
use dccsim_sim::SimDuration;

/// Resident memory of a small run: code, the allocator, the kernel, the latency histograms of a
/// few SR types and the output phase (the report page is built in memory). Calibrated on the
/// library's small scenarios (17–47 MB measured).
pub const BASE_BYTES: f64 = 28e6;
/// Memory of one premises with its meters, hub, HAN building, SMI records, their clocks and
/// random-stream state (calibrated with million-premises: 172 MB measured for 1 M premises).
pub const BYTES_PER_PREMISES: f64 = 100.0;
/// Memory that grows with the run's activity, per event: interval-log buckets, per-device
/// histories and the allocator's slack (calibrated: firmware-rollout, million-premises).
pub const BYTES_PER_EVENT: f64 = 3.0;
/// Touched memory of one latency histogram beyond those [`BASE_BYTES`] holds.
pub const HISTOGRAM_BYTES: f64 = 16e3;
/// Latency flows per SR type and region: end to end plus the hops (DSP, CSP, WAN, HAN, device).
pub const FLOWS_PER_SR_REGION: f64 = 6.0;
/// Gauges a world registers besides those of its features (DSP, CSPs, SMI statuses, in flight).
pub const BASE_GAUGES: f64 = 40.0;
/// Memory of one request waiting in a queue (the event, the request and the queue's slack).
pub const BYTES_PER_WAITING_REQUEST: f64 = 160.0;
/// Memory of one bucket of a closed interval-log histogram (value and count).
pub const BYTES_PER_INTERVAL_BUCKET: f64 = 16.0;
/// Events one Service Request takes end to end (supplier, DSP, CSP, WAN, hub, HAN, meter and
/// back), calibrated on the library (quickstart: 543 k events for 40 k requests).
pub const EVENTS_PER_REQUEST: f64 = 12.0;
/// Events per premises besides its requests (installation visits, joins, chargers).
pub const EVENTS_PER_PREMISES: f64 = 2.0;

/// A run's estimated cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Footprint {
    /// Premises at the start plus those installation waves add.
    pub premises: f64,
    /// Service Requests the traffic streams send over the run.
    pub requests: f64,
    /// Events the kernel handles.
    pub events: f64,
    /// Requests waiting for a DSP worker at the worst moment (0 when the DSP keeps up).
    pub queue_peak: f64,
    /// Gauge samples over the run (each holds every gauge).
    pub samples: f64,
    /// Memory, in bytes, by part: premises, waiting requests, gauge samples, histograms and
    /// interval logs, and what grows with events.
    pub actors_bytes: f64,
    pub queue_bytes: f64,
    pub series_bytes: f64,
    pub histogram_bytes: f64,
    pub activity_bytes: f64,
}

impl Footprint {
    /// Estimated peak memory of the run, in bytes.
    pub fn bytes(&self) -> f64 {
        BASE_BYTES
            + self.actors_bytes
            + self.queue_bytes
            + self.series_bytes
            + self.histogram_bytes
            + self.activity_bytes
    }
}

const DAY_US: f64 = 86_400e6;

/// Microseconds of `d`, as a float.
fn us(d: SimDuration) -> f64 {
    d.as_micros() as f64
}

/// Estimates the cost of running `s` (one run; a sweep runs several at once).
pub fn estimate(s: &Scenario) -> Footprint {
    let planned: f64 = s
        .installs
        .iter()
        .map(|w| f64::from(crate::install::config::premises_in(w)))
        .sum();
    let premises = f64::from(s.population.premises) + planned;
    let gas = premises * s.population.gas_share;
    let duration = us(s.duration);
    let days = duration / DAY_US;

    // Offered load: requests over the run, and the busiest rate (per µs) of all streams at once.
    let (mut requests, mut peak_rate) = (0.0, 0.0);
    for t in &s.traffic {
        let targets = match t.device {
            crate::sr::DeviceType::Gsme => gas,
            _ => premises,
        };
        match t.pattern {
            Pattern::DailyWindow { length, .. } => {
                requests += targets * days.ceil();
                peak_rate += targets / us(length).max(1.0);
            }
            Pattern::Poisson {
                per_premises_per_day,
                hourly,
            } => {
                let mean = hourly.iter().sum::<f64>() / 24.0;
                let top = hourly.iter().copied().fold(0.0, f64::max);
                requests += per_premises_per_day * targets * mean * days;
                peak_rate += per_premises_per_day * targets * top / DAY_US;
            }
        }
    }
    // The DSP serves `workers` requests at once, each taking its request and response service.
    let service = us(s.dsp.service_time.mean()) + us(s.dsp.response_service_time.mean());
    let capacity = f64::from(s.dsp.workers) / service.max(1.0);
    let average_rate = requests / duration.max(1.0);
    // Over capacity at the peak: the backlog of the busiest stretch (at most a day); over
    // capacity on average: the backlog of the whole run. Never more than every request.
    let burst = (peak_rate - capacity).max(0.0) * duration.min(DAY_US);
    let steady = (average_rate - capacity).max(0.0) * duration;
    let queue_peak = burst.max(steady).min(requests);

    let samples = (duration / us(s.sample_interval)).floor() + 2.0;
    let gauges = BASE_GAUGES + s.firmware.campaigns.len() as f64 * 8.0 + feeders(s);
    // Flows exist for the SR types the traffic sends (firmware campaigns add their two).
    let mut sent: Vec<SrType> = s.traffic.iter().map(|t| t.sr).collect();
    sent.sort();
    sent.dedup();
    let sr_types = sent.len() as f64
        + if s.firmware.campaigns.is_empty() {
            0.0
        } else {
            2.0
        };
    let e2e_flows = sr_types * 3.0;
    let flows = e2e_flows * FLOWS_PER_SR_REGION;
    // Interval logs of the end-to-end flows: one closed histogram per flow and sample, each with
    // at most one bucket per request it saw (and a few dozen at most for the busy ones).
    let interval_buckets = requests.min(samples * e2e_flows * 400.0) + samples * e2e_flows * 4.0;

    let events = requests * EVENTS_PER_REQUEST + premises * EVENTS_PER_PREMISES;
    Footprint {
        premises,
        requests,
        events,
        queue_peak,
        samples,
        actors_bytes: premises * BYTES_PER_PREMISES,
        queue_bytes: queue_peak * BYTES_PER_WAITING_REQUEST,
        series_bytes: samples * (gauges + 1.0) * 8.0 * 2.0,
        histogram_bytes: (flows + e2e_flows) * HISTOGRAM_BYTES
            + interval_buckets * BYTES_PER_INTERVAL_BUCKET,
        activity_bytes: events * BYTES_PER_EVENT,
    }
}

/// Gauges of the EV experiment: one load gauge per charted feeder, and a few totals.
fn feeders(s: &Scenario) -> f64 {
    s.ev.as_ref()
        .map_or(0.0, |ev| f64::from(ev.feeders.series) + 4.0)
}

/// Bytes as people read them: `512 MB`, `3.2 GB`.
pub fn bytes_text(b: f64) -> String {
    if !b.is_finite() {
        return "an unbounded amount".to_string();
    }
    let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut x = b.max(0.0);
    let mut unit = 0;
    while x >= 1000.0 && unit + 1 < units.len() {
        x /= 1000.0;
        unit += 1;
    }
    if unit == 0 || x >= 100.0 {
        format!("{x:.0} {}", units[unit])
    } else {
        format!("{x:.1} {}", units[unit])
    }
}

/// A count as people read it: `1.2 M`, `3.4 G`.
pub fn count_text(n: f64) -> String {
    if !n.is_finite() {
        return "unbounded".to_string();
    }
    for (size, unit) in [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")] {
        if n >= size {
            return format!("{:.1} {unit}", n / size);
        }
    }
    format!("{n:.0}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_read_well() {
        assert_eq!(bytes_text(512.0), "512 B");
        assert_eq!(bytes_text(3.24e9), "3.2 GB");
        assert_eq!(bytes_text(f64::INFINITY), "an unbounded amount");
        assert_eq!(count_text(1_234_567.0), "1.2 M");
        assert_eq!(count_text(12.0), "12");
    }
}
