//! Metrics on the wire: what another process ships to process 0 at the end of a partitioned run,
//! so that [`Metrics::absorb`] can add it. Histograms travel as their non-empty buckets
//! `(highest equivalent value, count)`; recorded again into a histogram of the same bounds they
//! fill the same buckets, so every figure read from the result is the one the original gives.
//! A flow travels settled (its samples filed); an interval log's interval under way travels as
//! its raw samples.

use super::{
    Dated, Flow, Interval, IntervalLog, Metrics, Series, MAX_TRACKABLE_US, SIGNIFICANT_DIGITS,
    UNFILED_BATCH,
};
use crate::time::SimDuration;
use hdrhistogram::Histogram;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Reverse;
use std::collections::BTreeMap;

/// A histogram's non-empty buckets.
type Buckets = Vec<(u64, u64)>;

fn buckets(h: &Histogram<u64>) -> Buckets {
    h.iter_recorded()
        .map(|v| (v.value_iterated_to(), v.count_at_value()))
        .collect()
}

fn histogram(buckets: &Buckets) -> Result<Histogram<u64>, String> {
    let mut h = Histogram::new_with_bounds(1, MAX_TRACKABLE_US, SIGNIFICANT_DIGITS)
        .expect("valid histogram bounds");
    for &(value, n) in buckets {
        h.record_n(value, n)
            .map_err(|e| format!("histogram value {value}: {e}"))?;
    }
    Ok(h)
}

/// [`Flow`] with its histogram as buckets.
#[derive(Serialize, Deserialize)]
struct FlowWire {
    name: String,
    histogram: Buckets,
    trt: Option<SimDuration>,
    within_trt: u64,
    extremes: Option<(u64, u64)>,
    sum_us: u128,
    late_in_flight: u64,
}

/// [`Interval`] as it is.
#[derive(Serialize, Deserialize)]
struct IntervalWire {
    start_us: u64,
    end_us: u64,
    buckets: Buckets,
}

/// [`IntervalLog`] as it is.
#[derive(Serialize, Deserialize)]
struct LogWire {
    current: Vec<u64>,
    started_us: u64,
    closed: Vec<IntervalWire>,
}

/// Every field of [`Metrics`] (the counter ids by name are rebuilt from the names).
#[derive(Serialize, Deserialize)]
struct MetricsWire {
    counter_names: Vec<String>,
    counters: Vec<u64>,
    gauge_names: Vec<String>,
    gauges: Vec<i64>,
    flows: Vec<FlowWire>,
    series_times: Vec<u64>,
    series_values: Vec<Vec<i64>>,
    scalars: BTreeMap<String, f64>,
    interval_logs: Vec<Option<LogWire>>,
    dated: Vec<(u64, Dated)>,
}

impl Serialize for Metrics {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        MetricsWire {
            counter_names: self.counter_names.clone(),
            counters: self.counters.clone(),
            gauge_names: self.gauge_names.clone(),
            gauges: self.gauges.clone(),
            flows: self
                .flows
                .iter()
                .map(|f| FlowWire {
                    name: f.name.clone(),
                    histogram: buckets(f.histogram()),
                    trt: f.trt,
                    within_trt: f.within_trt,
                    extremes: f.extremes,
                    sum_us: f.sum_us,
                    late_in_flight: f.late_in_flight,
                })
                .collect(),
            series_times: self.series.times.clone(),
            series_values: self.series.values.clone(),
            scalars: self.scalars.clone(),
            interval_logs: self
                .interval_logs
                .iter()
                .map(|log| {
                    log.as_ref().map(|l| LogWire {
                        current: l.current.clone(),
                        started_us: l.started_us,
                        closed: l
                            .closed
                            .iter()
                            .map(|i| IntervalWire {
                                start_us: i.start_us,
                                end_us: i.end_us,
                                buckets: i.buckets.clone(),
                            })
                            .collect(),
                    })
                })
                .collect(),
            dated: self.dated.iter().map(|d| d.0).collect(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Metrics {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let w = MetricsWire::deserialize(d)?;
        let flows = w
            .flows
            .into_iter()
            .map(|f| {
                Ok(Flow {
                    name: f.name,
                    histogram: histogram(&f.histogram)?,
                    unfiled: Vec::with_capacity(UNFILED_BATCH),
                    trt: f.trt,
                    within_trt: f.within_trt,
                    extremes: f.extremes,
                    sum_us: f.sum_us,
                    late_in_flight: f.late_in_flight,
                })
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(D::Error::custom)?;
        let interval_logs = w
            .interval_logs
            .into_iter()
            .map(|log| {
                log.map(|l| {
                    Ok(IntervalLog {
                        current: l.current,
                        started_us: l.started_us,
                        closed: l
                            .closed
                            .into_iter()
                            .map(|i| Interval {
                                start_us: i.start_us,
                                end_us: i.end_us,
                                buckets: i.buckets,
                            })
                            .collect(),
                    })
                })
                .transpose()
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(D::Error::custom)?;
        Ok(Metrics {
            counter_ids: (0..)
                .zip(&w.counter_names)
                .map(|(i, n)| (n.clone(), i))
                .collect(),
            counter_names: w.counter_names,
            counters: w.counters,
            gauge_names: w.gauge_names,
            gauges: w.gauges,
            flows,
            series: Series {
                times: w.series_times,
                values: w.series_values,
            },
            scalars: w.scalars,
            interval_logs,
            dated: w.dated.into_iter().map(Reverse).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimTime;

    /// Metrics with something in every field.
    fn busy() -> Metrics {
        let mut m = Metrics::new();
        let c = m.counter("c".into());
        let g = m.gauge("g".into());
        let f = m.flow("sr.e2e{x}".into(), Some(SimDuration::from_secs(3)));
        m.log_intervals(|n| n.starts_with("sr.e2e"));
        m.add(c, 7);
        for (i, us) in [1u64, 999, 1_000, 123_456, 7_000_000, 99_999_999]
            .iter()
            .enumerate()
        {
            m.record(f, SimDuration::from_micros(*us));
            m.gauge_add(g, i as i64);
            m.sample(SimTime(i as u64 * 10));
            if i == 3 {
                m.close_intervals(SimTime(35));
            }
        }
        m.set_scalar("s".into(), 2.5);
        // A counter add dated after the last sample travels pending, as a partition ships it.
        m.add_at(c, 3, SimTime(1_000));
        // Shipped after its run stopped: every flow's samples filed.
        m.settle();
        m
    }

    #[test]
    fn metrics_survive_the_wire() {
        let m = busy();
        let back: Metrics = bincode::deserialize(&bincode::serialize(&m).unwrap()).unwrap();
        assert_eq!(back.counters, m.counters);
        assert_eq!(back.counter_ids, m.counter_ids);
        assert_eq!(
            (back.gauge_names.clone(), back.gauges.clone()),
            (m.gauge_names.clone(), m.gauges.clone())
        );
        assert_eq!(back.series.times, m.series.times);
        assert_eq!(back.series.values, m.series.values);
        assert_eq!(back.scalars, m.scalars);
        for (a, b) in back.flows.iter().zip(&m.flows) {
            assert_eq!(a.histogram, b.histogram, "same buckets, same counts");
            assert_eq!(
                (a.histogram.min(), a.histogram.max()),
                (b.histogram.min(), b.histogram.max())
            );
            for q in [0.0, 0.5, 0.9, 0.99, 1.0] {
                assert_eq!(a.value_at_quantile(q), b.value_at_quantile(q));
            }
            assert_eq!(
                (a.within_trt, a.extremes, a.sum_us),
                (b.within_trt, b.extremes, b.sum_us)
            );
        }
        let (a, b) = (
            back.interval_logs[0].as_ref().unwrap(),
            m.interval_logs[0].as_ref().unwrap(),
        );
        assert_eq!(a.closed, b.closed);
        assert_eq!(a.current, b.current);
        assert_eq!(back.dated_pending(), 1);
        // And the shipped copy adds up as the original would.
        let (mut x, mut y) = (busy(), busy());
        x.scalars.clear();
        let mut z = busy();
        z.scalars.clear();
        let shipped: Metrics = bincode::deserialize(&bincode::serialize(&z).unwrap()).unwrap();
        y.absorb(&shipped);
        let mut w = busy();
        w.absorb(&x);
        assert_eq!(y.counters, w.counters);
        assert_eq!(y.flows[0].histogram, w.flows[0].histogram);
    }
}
