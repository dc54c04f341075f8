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
/// Events one device alert takes on its way up (source, hub, CSP and DSP with their workers,
/// the User).
pub const EVENTS_PER_ALERT: f64 = 7.0;
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
    let smets2 = f64::from(s.population.premises) + planned;
    let gas = smets2 * s.population.gas_share;
    // SMETS1 premises hold an electricity meter only (the fleet's from the start, the cohorts'
    // once migrated: counted in full, an upper bound).
    let premises = smets2 + (s.smets1.meters() + s.smets1.fleet_meters()) as f64;
    let duration = us(s.duration);
    let days = duration / DAY_US;

    // Requests over the run.
    let mut requests = 0.0;
    for t in &s.traffic {
        let targets = targets_of(t.device, premises, gas);
        match t.pattern {
            Pattern::DailyWindow { .. } => requests += targets * days.ceil(),
            Pattern::Poisson {
                per_premises_per_day,
                hourly,
            } => {
                let mean = hourly.iter().sum::<f64>() / 24.0;
                requests += per_premises_per_day * targets * mean * days;
            }
        }
    }
    let alerts = alerts_per_us(s, smets2, gas) * duration;
    let queue_peak = dsp_backlog(s, premises, gas).min(requests);

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

    let events =
        requests * EVENTS_PER_REQUEST + alerts * EVENTS_PER_ALERT + premises * EVENTS_PER_PREMISES;
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

/// Devices a stream of SRs to `device` targets.
fn targets_of(device: crate::sr::DeviceType, premises: f64, gas: f64) -> f64 {
    match device {
        crate::sr::DeviceType::Gsme => gas,
        _ => premises,
    }
}

/// Routine device alerts a microsecond, all classes together (outage storms are brief and left
/// out).
fn alerts_per_us(s: &Scenario, premises: f64, gas: f64) -> f64 {
    use crate::alert::config::class::{Origin, CLASSES};
    s.alerts
        .classes
        .iter()
        .map(|c| {
            let devices = match CLASSES[c.class as usize].origin {
                Origin::Device(d) => targets_of(d, premises, gas),
                Origin::Dcc => 0.0,
            };
            c.per_device_per_day * devices / DAY_US
        })
        .sum()
}

/// Requests waiting for a DSP worker at the worst moment: a fluid queue fed minute by minute with
/// the work every stream offers at that time of day (a daily window's requests spread over its
/// window, a Poisson stream's by its hourly profile, routine alerts evenly), each request costing
/// its request and response service and each alert a response's, against the workers, over the
/// whole run. 0 when the DSP keeps up.
fn dsp_backlog(s: &Scenario, premises: f64, gas: f64) -> f64 {
    const MINUTE: f64 = 60e6;
    const PER_DAY: usize = 1440;
    let request_work = us(s.dsp.service_time.mean()) + us(s.dsp.response_service_time.mean());
    let alert_work =
        alerts_per_us(s, premises, gas) * MINUTE * us(s.dsp.response_service_time.mean());
    let capacity = f64::from(s.dsp.workers) * MINUTE;
    // The work offered less the work served, minute by minute through a day (the offered load
    // repeats daily).
    let net: Vec<f64> = (0..PER_DAY)
        .map(|m| {
            let from = m as f64 * MINUTE;
            let hour = m / 60;
            let arriving: f64 = s
                .traffic
                .iter()
                .map(|t| {
                    let targets = targets_of(t.device, premises, gas);
                    match t.pattern {
                        Pattern::DailyWindow { start, length } => {
                            let length = us(length).max(1.0);
                            let overlap: f64 = [-DAY_US, 0.0, DAY_US]
                                .iter()
                                .map(|shift| {
                                    let a = us(start) + shift;
                                    ((a + length).min(from + MINUTE) - a.max(from)).max(0.0)
                                })
                                .sum();
                            targets * overlap / length
                        }
                        Pattern::Poisson {
                            per_premises_per_day,
                            hourly,
                        } => per_premises_per_day * targets * hourly[hour] * MINUTE / DAY_US,
                    }
                })
                .sum();
            arriving * request_work + alert_work - capacity
        })
        .collect();
    let minutes = (us(s.duration) / MINUTE).ceil() as usize;
    // Two days show the pattern: a queue that empties peaks within them; one that never does
    // grows by the day's net work each further day.
    let (mut backlog, mut peak) = (0.0_f64, 0.0_f64);
    for m in 0..minutes.min(2 * PER_DAY) {
        backlog = (backlog + net[m % PER_DAY]).max(0.0);
        peak = peak.max(backlog);
    }
    let daily: f64 = net.iter().sum();
    if minutes > 2 * PER_DAY && daily > 0.0 {
        peak += daily * ((minutes - 2 * PER_DAY) as f64 / PER_DAY as f64);
    }
    peak / request_work.max(1.0)
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
