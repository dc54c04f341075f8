//! Simulation metrics: counters, gauges sampled into time series, and latency flows.
//!
//! Handles ([`CounterId`], [`GaugeId`], [`FlowId`]) are registered by name while the world is
//! built, so recording on the hot path is an index and an add. Names follow
//! `name{label=value,...}` with labels sorted by key; [`metric_name`] builds them. A latency flow
//! is one HdrHistogram per (SR type × region × hop), never per device.

use crate::time::{SimDuration, SimTime};
use hdrhistogram::Histogram;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

mod wire;

/// Largest latency a flow can hold exactly: 2^42 µs ≈ 50 days; longer values saturate.
pub const MAX_TRACKABLE_US: u64 = 1 << 42;
/// Significant decimal digits kept by latency histograms.
pub const SIGNIFICANT_DIGITS: u8 = 3;

/// Builds `name{k1=v1,k2=v2}` with labels sorted by key (plain `name` when there are none).
pub fn metric_name(name: &str, labels: &[(&str, &str)]) -> String {
    if labels.is_empty() {
        return name.to_string();
    }
    let mut sorted: Vec<_> = labels.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let inner: Vec<String> = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{name}{{{}}}", inner.join(","))
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CounterId(u32);
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct GaugeId(u32);
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FlowId(u32);

/// Samples a flow holds before filing them into its histogram together, in value order: one
/// increment among every handler's work waits out its cache miss alone (a sixth of a GB day's
/// run time), where a sorted batch walks the counts in order, its repeats added at once.
const UNFILED_BATCH: usize = 256;

/// A latency flow: its histogram and, when it has one, its Target Response Time.
pub struct Flow {
    pub name: String,
    /// Every sample filed so far (read it with [`Flow::histogram`], after [`Metrics::settle`]).
    histogram: Histogram<u64>,
    /// Samples recorded but not yet in `histogram` (at most [`UNFILED_BATCH`]).
    unfiled: Vec<u64>,
    pub trt: Option<SimDuration>,
    /// Samples at or under the TRT (exact, not read back from histogram buckets).
    pub within_trt: u64,
    /// The smallest and largest sample, µs, exactly (the histogram reports the edges of their
    /// buckets, which can lie past the TRT when the sample does not); `None` before any sample.
    pub extremes: Option<(u64, u64)>,
    /// The sum of every sample, µs, for an exact mean.
    pub sum_us: u128,
    /// Requests of this flow still in flight when the run ended that were already older than the
    /// TRT: misses, though they never finished (set by the world at the end of the run).
    pub late_in_flight: u64,
}

impl Flow {
    /// Every sample of the flow.
    ///
    /// # Panics
    /// If samples are still unfiled: the metrics were read before [`Metrics::settle`] (the
    /// kernel settles them when a run stops).
    pub fn histogram(&self) -> &Histogram<u64> {
        assert!(
            self.unfiled.is_empty(),
            "flow {} read with {} samples unfiled: settle the metrics first",
            self.name,
            self.unfiled.len()
        );
        &self.histogram
    }

    /// Files the unfiled samples into the histogram.
    fn file(&mut self) {
        self.unfiled.sort_unstable();
        let mut rest = &self.unfiled[..];
        while let Some(&us) = rest.first() {
            let same = rest.partition_point(|&v| v == us);
            self.histogram.saturating_record_n(us, same as u64);
            rest = &rest[same..];
        }
        self.unfiled.clear();
    }

    /// Share of completed samples within the TRT, if the flow has a TRT and any samples.
    pub fn within_trt_share(&self) -> Option<f64> {
        let n = self.histogram().len();
        match (self.trt, n) {
            (Some(_), n) if n > 0 => Some(self.within_trt as f64 / n as f64),
            _ => None,
        }
    }

    /// Share within the TRT counting the requests still in flight at the end and already past
    /// their TRT as misses: the honest figure when the system is overloaded and the late never
    /// finish. Equal to [`within_trt_share`](Self::within_trt_share) when none are late.
    pub fn within_trt_all_share(&self) -> Option<f64> {
        let n = self.histogram().len() + self.late_in_flight;
        match (self.trt, n) {
            (Some(_), n) if n > 0 => Some(self.within_trt as f64 / n as f64),
            _ => None,
        }
    }

    /// Smallest sample, µs, exactly.
    pub fn min_us(&self) -> Option<u64> {
        self.extremes.map(|(lo, _)| lo)
    }

    /// Largest sample, µs, exactly.
    pub fn max_us(&self) -> Option<u64> {
        self.extremes.map(|(_, hi)| hi)
    }

    /// Mean of the samples, µs, exactly (rounded to the nearest µs).
    pub fn mean_us(&self) -> Option<u64> {
        let n = u128::from(self.histogram().len());
        (n > 0).then(|| ((self.sum_us + n / 2) / n) as u64)
    }

    /// The value at quantile `q` as the histogram reports it (the highest value equivalent to
    /// its bucket), kept within the exact minimum and maximum: a percentile never exceeds the
    /// largest sample.
    pub fn value_at_quantile(&self, q: f64) -> Option<u64> {
        let (lo, hi) = self.extremes?;
        Some(self.histogram().value_at_quantile(q).clamp(lo, hi))
    }
}

/// One interval of a flow's interval log: its span and the samples recorded in it, as the
/// histogram's non-empty buckets `(value, count)` (compact: a few hundred pairs at most).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interval {
    pub start_us: u64,
    pub end_us: u64,
    pub buckets: Vec<(u64, u64)>,
}

/// `samples` as a flow histogram's non-empty buckets `(value, count)` in value order, each
/// value the highest its bucket holds — what iterating the recorded values of a histogram of
/// these samples gives. Leaves `samples` replaced by their buckets' values.
fn buckets_of(samples: &mut [u64]) -> Vec<(u64, u64)> {
    /// A flow's histogram shape, and the largest sample it records without saturating (its
    /// counts reach past the highest trackable value to the end of the top bucket).
    static SHAPE: std::sync::OnceLock<(Histogram<u64>, u64)> = std::sync::OnceLock::new();
    let (shape, recordable) = SHAPE.get_or_init(|| {
        let mut h = Histogram::new_with_bounds(1, MAX_TRACKABLE_US, SIGNIFICANT_DIGITS)
            .expect("valid histogram bounds");
        let (mut ok, mut too_big) = (h.high(), u64::MAX);
        while too_big - ok > 1 {
            let mid = ok + (too_big - ok) / 2;
            match h.record(mid) {
                Ok(()) => ok = mid,
                Err(_) => too_big = mid,
            }
        }
        (h, ok)
    });
    for us in samples.iter_mut() {
        // A histogram saturates a sample past its counts at its highest trackable value.
        let filed = if *us <= *recordable {
            *us
        } else {
            shape.high()
        };
        *us = shape.highest_equivalent(filed);
    }
    samples.sort_unstable();
    let mut buckets: Vec<(u64, u64)> = Vec::new();
    for &value in samples.iter() {
        match buckets.last_mut() {
            Some((v, n)) if *v == value => *n += 1,
            _ => buckets.push((value, 1)),
        }
    }
    buckets
}

/// A flow logged interval by interval: the samples of the interval under way and the closed
/// ones. The samples are kept raw and bucketed when their interval closes: a histogram per
/// interval would be zeroed whole (a quarter of a megabyte) at every close.
struct IntervalLog {
    current: Vec<u64>,
    started_us: u64,
    closed: Vec<Interval>,
}

impl IntervalLog {
    /// Adds another partition's log of the same flow, closed at the same instants.
    fn absorb(&mut self, other: &IntervalLog) {
        assert_eq!(
            self.closed.len(),
            other.closed.len(),
            "intervals closed alike"
        );
        for (mine, theirs) in self.closed.iter_mut().zip(&other.closed) {
            assert_eq!(
                (mine.start_us, mine.end_us),
                (theirs.start_us, theirs.end_us)
            );
            let mut counts: BTreeMap<u64, u64> = mine.buckets.iter().copied().collect();
            for &(value, n) in &theirs.buckets {
                *counts.entry(value).or_default() += n;
            }
            mine.buckets = counts.into_iter().collect();
        }
        self.current.extend_from_slice(&other.current);
    }

    /// Closes the interval under way at `at_us` (nothing when it would be empty in time).
    fn close(&mut self, at_us: u64) {
        if at_us <= self.started_us {
            return;
        }
        let buckets = buckets_of(&mut self.current);
        self.closed.push(Interval {
            start_us: self.started_us,
            end_us: at_us,
            buckets,
        });
        self.current.clear();
        self.started_us = at_us;
    }
}

/// Gauge values sampled at fixed simulated instants.
#[derive(Default)]
pub struct Series {
    /// Sample instants, µs.
    pub times: Vec<u64>,
    /// `values[g][i]`: gauge `g` at `times[i]`.
    pub values: Vec<Vec<i64>>,
}

/// All metrics of one run.
#[derive(Default)]
pub struct Metrics {
    counter_names: Vec<String>,
    counters: Vec<u64>,
    gauge_names: Vec<String>,
    gauges: Vec<i64>,
    flows: Vec<Flow>,
    /// Each counter's id by name: registering a counter twice returns the first one.
    counter_ids: BTreeMap<String, u32>,
    series: Series,
    scalars: BTreeMap<String, f64>,
    /// By flow index: its interval log, for flows asked for one.
    interval_logs: Vec<Option<IntervalLog>>,
    /// Counter and gauge adds made ahead of their time, earliest first (see [`Metrics::add_at`]).
    dated: BinaryHeap<Reverse<(u64, Dated)>>,
}

/// A counter or gauge add made ahead of the instant it belongs to (see [`Metrics::add_at`]).
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
enum Dated {
    Count(u32, u64),
    Gauge(u32, i64),
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers (or finds) the counter `name`.
    pub fn counter(&mut self, name: String) -> CounterId {
        if let Some(&i) = self.counter_ids.get(&name) {
            return CounterId(i);
        }
        let id = self.counters.len() as u32;
        self.counter_ids.insert(name.clone(), id);
        self.counter_names.push(name);
        self.counters.push(0);
        CounterId(id)
    }

    /// Registers the gauge `name`. Gauges must all exist before the first sample is taken.
    pub fn gauge(&mut self, name: String) -> GaugeId {
        assert!(
            self.series.times.is_empty(),
            "gauge {name} registered after sampling began"
        );
        assert!(
            !self.gauge_names.contains(&name),
            "gauge {name} registered twice"
        );
        self.gauge_names.push(name);
        self.gauges.push(0);
        self.series.values.push(Vec::new());
        GaugeId(self.gauges.len() as u32 - 1)
    }

    /// Registers the latency flow `name` with an optional Target Response Time.
    pub fn flow(&mut self, name: String, trt: Option<SimDuration>) -> FlowId {
        assert!(
            !self.flows.iter().any(|f| f.name == name),
            "flow {name} registered twice"
        );
        let histogram = Histogram::new_with_bounds(1, MAX_TRACKABLE_US, SIGNIFICANT_DIGITS)
            .expect("valid histogram bounds");
        self.flows.push(Flow {
            name,
            histogram,
            unfiled: Vec::with_capacity(UNFILED_BATCH),
            trt,
            within_trt: 0,
            extremes: None,
            sum_us: 0,
            late_in_flight: 0,
        });
        FlowId(self.flows.len() as u32 - 1)
    }

    #[inline]
    pub fn add(&mut self, c: CounterId, n: u64) {
        self.counters[c.0 as usize] += n;
    }

    #[inline]
    pub fn gauge_add(&mut self, g: GaugeId, delta: i64) {
        self.gauges[g.0 as usize] += delta;
    }

    #[inline]
    pub fn gauge_set(&mut self, g: GaugeId, value: i64) {
        self.gauges[g.0 as usize] = value;
    }

    /// Records one latency sample.
    #[inline]
    pub fn record(&mut self, f: FlowId, latency: SimDuration) {
        let flow = &mut self.flows[f.0 as usize];
        let us = latency.as_micros();
        flow.unfiled.push(us);
        if flow.unfiled.len() == UNFILED_BATCH {
            flow.file();
        }
        flow.sum_us += u128::from(us);
        flow.extremes = Some(match flow.extremes {
            None => (us, us),
            Some((lo, hi)) => (lo.min(us), hi.max(us)),
        });
        if flow.trt.is_some_and(|trt| latency <= trt) {
            flow.within_trt += 1;
        }
        if let Some(Some(log)) = self.interval_logs.get_mut(f.0 as usize) {
            log.current.push(latency.as_micros());
        }
    }

    /// Also logs every flow whose name satisfies `wanted` interval by interval, the intervals
    /// being those between gauge samples (see [`Metrics::intervals`]). It records the same
    /// samples a second time and changes no result.
    pub fn log_intervals(&mut self, wanted: impl Fn(&str) -> bool) {
        self.interval_logs.resize_with(self.flows.len(), || None);
        for (log, flow) in self.interval_logs.iter_mut().zip(&self.flows) {
            if log.is_none() && wanted(&flow.name) {
                *log = Some(IntervalLog {
                    current: Vec::new(),
                    started_us: 0,
                    closed: Vec::new(),
                });
            }
        }
    }

    /// Closes every interval log's interval under way at `at` (the end of the run).
    pub fn close_intervals(&mut self, at: SimTime) {
        for log in self.interval_logs.iter_mut().flatten() {
            log.close(at.as_micros());
        }
    }

    /// Each logged flow's name and closed intervals, in registration order.
    pub fn intervals(&self) -> impl Iterator<Item = (&str, &[Interval])> {
        self.flows
            .iter()
            .zip(&self.interval_logs)
            .filter_map(|(f, log)| log.as_ref().map(|l| (f.name.as_str(), &l.closed[..])))
    }

    /// Sets how many of flow `f`'s requests were still in flight at the end and already older
    /// than its TRT (see [`Flow::late_in_flight`]).
    pub fn set_late_in_flight(&mut self, f: FlowId, n: u64) {
        self.flows[f.0 as usize].late_in_flight = n;
    }

    /// Sets the end-of-run figure `name` (energy in kWh, overload minutes, a share…), for results
    /// that are neither counts nor latencies. Setting it again replaces the value.
    ///
    /// # Panics
    /// If `value` is not finite: a NaN or infinity in `summary.json` would not be valid JSON.
    pub fn set_scalar(&mut self, name: String, value: f64) {
        assert!(value.is_finite(), "scalar {name} = {value} is not finite");
        self.scalars.insert(name, value);
    }

    /// End-of-run figures as `(name, value)`, in name order.
    pub fn scalars(&self) -> &BTreeMap<String, f64> {
        &self.scalars
    }

    /// Appends every gauge's current value as the sample at `at`.
    pub fn sample(&mut self, at: SimTime) {
        self.apply_due(at);
        for log in self.interval_logs.iter_mut().flatten() {
            log.close(at.as_micros());
        }
        self.series.times.push(at.as_micros());
        for (g, values) in self.gauges.iter().zip(self.series.values.iter_mut()) {
            values.push(*g);
        }
    }

    pub fn counter_value(&self, c: CounterId) -> u64 {
        self.counters[c.0 as usize]
    }

    pub fn gauge_value(&self, g: GaugeId) -> i64 {
        self.gauges[g.0 as usize]
    }

    /// Counters as `(name, value)`, in name order.
    pub fn counters(&self) -> BTreeMap<&str, u64> {
        self.counter_names
            .iter()
            .map(String::as_str)
            .zip(self.counters.iter().copied())
            .collect()
    }

    /// Gauges' final values as `(name, value)`, in name order.
    pub fn gauges(&self) -> BTreeMap<&str, i64> {
        self.gauge_names
            .iter()
            .map(String::as_str)
            .zip(self.gauges.iter().copied())
            .collect()
    }

    /// Gauge names in registration order (the order of `series().values`).
    pub fn gauge_names(&self) -> &[String] {
        &self.gauge_names
    }

    /// Latency flows in name order.
    pub fn flows(&self) -> Vec<&Flow> {
        let mut v: Vec<&Flow> = self.flows.iter().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    /// Files every flow's unfiled samples into its histogram: done when a run stops, and
    /// needed before a flow's histogram is read.
    pub fn settle(&mut self) {
        for f in &mut self.flows {
            f.file();
        }
    }

    pub fn flow_by_id(&self, f: FlowId) -> &Flow {
        &self.flows[f.0 as usize]
    }

    pub fn series(&self) -> &Series {
        &self.series
    }

    /// Zeroes every value, keeping the registrations: a partition's kernel, built like every
    /// other, counts from here only what its own actors do, so the partitions' metrics add up
    /// to the sequential run's (see [`Metrics::absorb`]).
    pub fn zero(&mut self) {
        self.counters.iter_mut().for_each(|c| *c = 0);
        self.gauges.iter_mut().for_each(|g| *g = 0);
        for f in &mut self.flows {
            f.histogram.reset();
            f.unfiled.clear();
            (f.within_trt, f.extremes, f.sum_us, f.late_in_flight) = (0, None, 0, 0);
        }
        for log in self.interval_logs.iter_mut().flatten() {
            log.current.clear();
        }
        self.scalars.clear();
        self.dated.clear();
        assert!(self.series.times.is_empty(), "zeroed before any sample");
    }

    /// Adds a zeroed partition's metrics (see [`Metrics::zero`]) to these: counters, gauges,
    /// flows, gauge samples and interval logs, metric by metric. The other partition must have
    /// registered nothing these metrics lack (its ids are a prefix of these) and sampled at the
    /// same instants.
    ///
    /// # Panics
    /// When the two disagree on names or sample instants: the partitions were not built alike.
    pub fn absorb(&mut self, other: &Metrics) {
        self.settle();
        assert!(
            other.counter_names.len() <= self.counter_names.len()
                && other.gauge_names.len() <= self.gauge_names.len()
                && other.flows.len() <= self.flows.len(),
            "a partition registered metrics the central one lacks"
        );
        self.dated.extend(other.dated.iter().copied());
        for (i, n) in other.counters.iter().enumerate() {
            assert_eq!(self.counter_names[i], other.counter_names[i]);
            self.counters[i] += n;
        }
        for (i, g) in other.gauges.iter().enumerate() {
            assert_eq!(self.gauge_names[i], other.gauge_names[i]);
            self.gauges[i] += g;
        }
        for (mine, theirs) in self.flows.iter_mut().zip(&other.flows) {
            assert_eq!(mine.name, theirs.name);
            mine.histogram
                .add(theirs.histogram())
                .expect("flows share their bounds");
            mine.within_trt += theirs.within_trt;
            mine.sum_us += theirs.sum_us;
            mine.late_in_flight += theirs.late_in_flight;
            mine.extremes = match (mine.extremes, theirs.extremes) {
                (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
                (a, b) => a.or(b),
            };
        }
        assert_eq!(
            self.series.times, other.series.times,
            "samples at the same instants"
        );
        for (mine, theirs) in self.series.values.iter_mut().zip(&other.series.values) {
            for (m, t) in mine.iter_mut().zip(theirs) {
                *m += t;
            }
        }
        for (mine, theirs) in self.interval_logs.iter_mut().zip(&other.interval_logs) {
            if let (Some(mine), Some(theirs)) = (mine, theirs) {
                mine.absorb(theirs);
            }
        }
        assert!(
            other.scalars.is_empty(),
            "end-of-run scalars are set by central actors only"
        );
    }

    /// Adds `n` to counter `c` as of `at`, a later instant than the caller's: the add lands
    /// where one made at `at` would, before every gauge sample at or after `at` and after every
    /// earlier one (samples show gauges only, but the two are kept alike), and at the latest when
    /// the run stops (see [`Metrics::apply_due`]). An actor that acts ahead of time (the alert
    /// source's lead) counts what happens at `at` without an event at `at`.
    pub fn add_at(&mut self, c: CounterId, n: u64, at: SimTime) {
        self.dated
            .push(Reverse((at.as_micros(), Dated::Count(c.0, n))));
    }

    /// Adds `delta` to gauge `g` as of `at`, a later instant than the caller's (see
    /// [`Metrics::add_at`]): the samples before `at` do not show it, those at or after do.
    pub fn gauge_add_at(&mut self, g: GaugeId, delta: i64, at: SimTime) {
        self.dated
            .push(Reverse((at.as_micros(), Dated::Gauge(g.0, delta))));
    }

    /// Applies every dated add due at or before `at` ([`Metrics::sample`] does so first, and the
    /// kernel at the end of a run). Adds dated after `at` stay pending.
    pub fn apply_due(&mut self, at: SimTime) {
        while let Some(&Reverse((t, add))) = self.dated.peek() {
            if t > at.as_micros() {
                break;
            }
            self.dated.pop();
            match add {
                Dated::Count(c, n) => self.counters[c as usize] += n,
                Dated::Gauge(g, d) => self.gauges[g as usize] += d,
            }
        }
    }

    /// Dated adds not yet applied (dated after the last [`Metrics::apply_due`]).
    pub fn dated_pending(&self) -> usize {
        self.dated.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_labels() {
        assert_eq!(
            metric_name("sr.e2e", &[("sr", "4.1.1"), ("region", "north")]),
            "sr.e2e{region=north,sr=4.1.1}"
        );
        assert_eq!(metric_name("events", &[]), "events");
    }

    #[test]
    fn flow_counts_within_trt_exactly() {
        let mut m = Metrics::new();
        let f = m.flow("x".into(), Some(SimDuration::from_secs(30)));
        for s in [1, 29, 30, 31, 100] {
            m.record(f, SimDuration::from_secs(s));
        }
        m.settle();
        let flow = m.flow_by_id(f);
        assert_eq!(flow.within_trt, 3);
        assert_eq!(flow.within_trt_share(), Some(0.6));
    }

    #[test]
    fn gauges_sample_into_series() {
        let mut m = Metrics::new();
        let g = m.gauge("q".into());
        m.gauge_add(g, 3);
        m.sample(SimTime(0));
        m.gauge_add(g, -1);
        m.sample(SimTime(10));
        assert_eq!(m.series().times, vec![0, 10]);
        assert_eq!(m.series().values[0], vec![3, 2]);
    }

    #[test]
    fn counter_registration_is_idempotent() {
        let mut m = Metrics::new();
        let a = m.counter("c".into());
        let b = m.counter("c".into());
        assert_eq!(a, b);
        m.add(a, 2);
        m.add(b, 3);
        assert_eq!(m.counter_value(a), 5);
    }

    #[test]
    fn batched_samples_file_exactly_as_recorded_one_by_one() {
        let mut m = Metrics::new();
        let f = m.flow("x".into(), None);
        let mut direct =
            Histogram::<u64>::new_with_bounds(1, MAX_TRACKABLE_US, SIGNIFICANT_DIGITS).unwrap();
        // Several batches and a partial one, with repeats, zero and a saturating value.
        let samples = (0..3 * UNFILED_BATCH as u64 + 17)
            .map(|i| (i * 7_919) % 1_000 + (i % 5) * 1_000_000)
            .chain([0, 0, MAX_TRACKABLE_US * 4]);
        for us in samples {
            direct.saturating_record(us);
            m.record(f, SimDuration::from_micros(us));
        }
        m.settle();
        assert_eq!(m.flow_by_id(f).histogram(), &direct);
        assert_eq!(
            m.flow_by_id(f).histogram().len(),
            3 * UNFILED_BATCH as u64 + 20
        );
    }

    #[test]
    #[should_panic(expected = "settle the metrics first")]
    fn a_flow_read_before_settling_is_refused() {
        let mut m = Metrics::new();
        let f = m.flow("x".into(), None);
        m.record(f, SimDuration::from_micros(5));
        let _ = m.flow_by_id(f).histogram();
    }

    #[test]
    fn interval_buckets_are_those_of_a_histogram_of_the_samples() {
        let mut h =
            Histogram::<u64>::new_with_bounds(1, MAX_TRACKABLE_US, SIGNIFICANT_DIGITS).unwrap();
        let mut samples: Vec<u64> = (0..5_000u64)
            .map(|i| (i * 104_729) % 3_000_000 + (i % 7))
            .chain([
                0,
                1,
                2_047,
                2_048,
                2_049,
                MAX_TRACKABLE_US - 1,
                MAX_TRACKABLE_US,
            ])
            .chain([
                MAX_TRACKABLE_US + 12_345,
                3 * MAX_TRACKABLE_US / 2,
                u64::MAX / 2,
            ])
            .collect();
        for &us in &samples {
            h.saturating_record(us);
        }
        let expected: Vec<(u64, u64)> = h
            .iter_recorded()
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
            .collect();
        let got = buckets_of(&mut samples);
        let first_apart = got.iter().zip(&expected).position(|(a, b)| a != b);
        assert_eq!(
            (got.len(), first_apart.map(|i| (got[i], expected[i]))),
            (expected.len(), None)
        );
    }

    #[test]
    fn dated_adds_land_where_adds_made_at_their_time_would() {
        let mut m = Metrics::new();
        let (c, g) = (m.counter("c".into()), m.gauge("g".into()));
        // Made at 0, dated 10: the sample at 0 does not show it, the sample at 10 does (an add
        // made by an event at 10 comes before the sample at 10, which is taken before the first
        // event after 10).
        m.gauge_add_at(g, 5, SimTime(10));
        m.add_at(c, 2, SimTime(10));
        m.gauge_add_at(g, 1, SimTime(11));
        m.sample(SimTime(0));
        assert_eq!(m.counter_value(c), 0);
        m.sample(SimTime(10));
        assert_eq!(m.counter_value(c), 2);
        m.apply_due(SimTime(10));
        assert_eq!((m.gauge_value(g), m.dated_pending()), (5, 1));
        m.sample(SimTime(20));
        assert_eq!(m.series().values[0], vec![0, 5, 6]);
        assert_eq!(m.dated_pending(), 0);
    }
}
