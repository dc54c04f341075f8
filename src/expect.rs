//! Checking a run against `[[expect]]`: reading the figure an expectation names from the run's
//! metrics, comparing it, and saying plainly what was expected and what happened.
//!
//! Combining rule: a pattern matches every metric with its name and at least its labels.
//! Counters and final gauge values of all matches add up (a counter pattern that matches nothing
//! is 0 when the run has counters of that name — the sum over no label sets —, otherwise "no such
//! metric"); latency flows are merged (their histograms added) before the figure is read, so
//! `sr.e2e{sr=4.1.1} p99_us` is the p99 over every region; a scalar must match exactly one.
//! `events` and `in_flight_at_end` name the run's own figures.

use dccsim_actors::scenario::{Expectation, LatencyField};
use dccsim_reports::{human_duration, ExpectationOutcome};
use dccsim_sim::Metrics;

/// The value an expectation reads from a run, or why there is none.
fn actual(e: &Expectation, m: &Metrics, events: u64, in_flight: u64) -> Result<f64, String> {
    let p = &e.metric;
    if let Some(field) = e.field {
        let flows: Vec<_> = m
            .flows()
            .into_iter()
            .filter(|f| p.matches(&f.name))
            .collect();
        let Some(first) = flows.first() else {
            return Err("no such latency flow".to_string());
        };
        let mut merged = first.histogram().clone();
        for f in &flows[1..] {
            merged
                .add(f.histogram())
                .map_err(|err| format!("cannot merge the matching flows: {err}"))?;
        }
        let count = merged.len();
        // Requests still in flight past their TRT: misses for `within_trt_all`, even when none
        // of the flow's requests completed.
        let late: u64 = match field {
            LatencyField::WithinTrtAll => flows.iter().map(|f| f.late_in_flight).sum(),
            _ => 0,
        };
        if count + late == 0 && field != LatencyField::Count {
            return Err("no samples".to_string());
        }
        // Exact extremes and sum over the matching flows; percentiles from the merged
        // histogram, kept within the exact extremes.
        let lo = flows.iter().filter_map(|f| f.min_us()).min().unwrap_or(0);
        let hi = flows.iter().filter_map(|f| f.max_us()).max().unwrap_or(0);
        let sum: u128 = flows.iter().map(|f| f.sum_us).sum();
        let quantile = |q: f64| merged.value_at_quantile(q).clamp(lo, hi) as f64;
        return Ok(match field {
            LatencyField::Count => count as f64,
            LatencyField::MinUs => lo as f64,
            LatencyField::MeanUs => (sum as f64 / count as f64).round(),
            LatencyField::P50Us => quantile(0.5),
            LatencyField::P90Us => quantile(0.9),
            LatencyField::P99Us => quantile(0.99),
            LatencyField::P999Us => quantile(0.999),
            LatencyField::MaxUs => hi as f64,
            LatencyField::WithinTrt | LatencyField::WithinTrtAll => {
                if flows.iter().any(|f| f.trt.is_none()) {
                    return Err("a matching flow has no Target Response Time".to_string());
                }
                let within: u64 = flows.iter().map(|f| f.within_trt).sum();
                within as f64 / (count + late) as f64
            }
        });
    }
    if p.labels.is_empty() {
        match p.name.as_str() {
            "events" => return Ok(events as f64),
            "in_flight_at_end" => return Ok(in_flight as f64),
            _ => {}
        }
    }
    let counters = m.counters();
    let matching: Vec<u64> = counters
        .iter()
        .filter(|(k, _)| p.matches(k))
        .map(|(_, v)| *v)
        .collect();
    if !matching.is_empty() || counters.keys().any(|k| base(k) == p.name) {
        return Ok(matching.iter().sum::<u64>() as f64);
    }
    let gauges = m.gauges();
    let matching: Vec<i64> = gauges
        .iter()
        .filter(|(k, _)| p.matches(k))
        .map(|(_, v)| *v)
        .collect();
    if !matching.is_empty() || gauges.keys().any(|k| base(k) == p.name) {
        return Ok(matching.iter().sum::<i64>() as f64);
    }
    let scalars: Vec<f64> = m
        .scalars()
        .iter()
        .filter(|(k, _)| p.matches(k))
        .map(|(_, v)| *v)
        .collect();
    match scalars.as_slice() {
        [one] => Ok(*one),
        [] if m.flows().iter().any(|f| p.matches(&f.name)) => Err(format!(
            "`{p}` is a latency flow; name a figure with field = \"p99_us\", \"within_trt\", …"
        )),
        [] => Err("no such metric".to_string()),
        more => Err(format!(
            "{} scalars match; scalars are not added up, name one",
            more.len()
        )),
    }
}

/// The name of a metric without its labels.
fn base(name: &str) -> &str {
    name.split_once('{').map_or(name, |(b, _)| b)
}

/// Checks one expectation against a finished run.
pub fn check(e: &Expectation, m: &Metrics, events: u64, in_flight: u64) -> ExpectationOutcome {
    let expected = e.to_string();
    match actual(e, m, events, in_flight) {
        Ok(x) => ExpectationOutcome {
            expected,
            actual: show(e.field, x),
            passed: e.op.holds(x, e.value),
        },
        Err(why) => ExpectationOutcome {
            expected,
            actual: why,
            passed: false,
        },
    }
}

/// A figure in the unit its expectation was written in.
fn show(field: Option<LatencyField>, x: f64) -> String {
    match field {
        Some(f) if f.is_time() => human_duration(x as u64),
        _ if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        _ => format!("{x:.9}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string(),
    }
}

/// Prints the outcome: each failure on stderr; a one-line tally on stdout unless `quiet`.
pub fn report(outcomes: &[ExpectationOutcome], quiet: bool) {
    for o in outcomes.iter().filter(|o| !o.passed) {
        eprintln!(
            "expectation failed: expected {}, got {}",
            o.expected, o.actual
        );
    }
    if !quiet && !outcomes.is_empty() {
        let passed = outcomes.iter().filter(|o| o.passed).count();
        println!("expectations: {passed} of {} met", outcomes.len());
    }
}
