//! A run writes manifest.json, summary.json, latency/*.hgrm and timeseries.csv, and every number
//! in them comes from simulated events.

mod common;
use common::*;

#[test]
fn run_writes_every_output_with_the_documented_fields() {
    let out = scratch("outputs");
    let s = run_ok("scenarios/quickstart.toml", &out, SMALL);
    for key in [
        "scenario",
        "seed",
        "digest",
        "events",
        "sim_end_us",
        "in_flight_at_end",
        "counters",
        "latency",
        "gauges_final",
        "scalars",
        "series",
    ] {
        assert!(s.get(key).is_some(), "summary.json lacks {key}");
    }
    assert_eq!(s["scenario"], "quickstart");
    assert_eq!(s["sim_end_us"], 86_400_000_000u64);
    assert!(s["events"].as_u64().unwrap() > 10_000);
    let flow = &s["latency"]["sr.e2e{region=north,sr=4.6.1}"];
    assert!(flow["count"].as_u64().unwrap() > 0);
    assert_eq!(flow["trt_us"], 30_000_000u64);
    for f in [
        "min_us",
        "mean_us",
        "p50_us",
        "p90_us",
        "p99_us",
        "p999_us",
        "max_us",
        "within_trt",
    ] {
        assert!(!flow[f].is_null(), "flow lacks {f}");
    }
    assert!(flow["p50_us"].as_u64() <= flow["p99_us"].as_u64());

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    for key in [
        "scenario_hash",
        "resolved_parameters",
        "seed",
        "version",
        "events",
        "wall_seconds",
        "events_per_second",
        "peak_rss_bytes",
    ] {
        assert!(manifest.get(key).is_some(), "manifest.json lacks {key}");
    }
    assert_eq!(
        manifest["resolved_parameters"]["population"]["premises"], 3000,
        "--set is visible in the resolved parameters"
    );

    let csv = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("time_us,series,value"));
    // 97 samples (every 15 min, both ends included) of each series.
    let series = s["series"].as_array().unwrap();
    assert!(series.iter().any(|x| x == "dsp.queue"));
    assert_eq!(lines.count(), 97 * series.len());
}

#[test]
fn hgrm_files_parse_and_agree_with_the_summary() {
    let out = scratch("hgrm");
    let s = run_ok("scenarios/quickstart.toml", &out, SMALL);
    let text = std::fs::read_to_string(
        out.join("latency")
            .join("sr.e2e_region=central_sr=4.6.1.hgrm"),
    )
    .unwrap();
    assert!(text.lines().next().unwrap().contains("Percentile"));
    let mut last = 0.0f64;
    let mut rows = 0;
    for line in text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let pct: f64 = cols[1].parse().unwrap();
        assert!(pct >= last, "percentiles must not decrease");
        last = pct;
        rows += 1;
    }
    assert!(rows > 10);
    let total = text
        .lines()
        .find(|l| l.contains("Total count"))
        .expect("footer with total count");
    let count = s["latency"]["sr.e2e{region=central,sr=4.6.1}"]["count"]
        .as_u64()
        .unwrap();
    let footer_count: u64 = total
        .rsplit('=')
        .next()
        .unwrap()
        .trim_end_matches(']')
        .trim()
        .parse()
        .unwrap();
    assert_eq!(footer_count, count, "{total}");
}

#[test]
fn every_request_is_completed_rejected_or_in_flight() {
    let out = scratch("conservation");
    let s = run_ok("scenarios/quickstart.toml", &out, SMALL);
    let requested = counter_sum(&s, "sr.requested");
    let completed = counter_sum(&s, "sr.completed");
    let rejected = counter_sum(&s, "sr.rejected");
    let in_flight = s["in_flight_at_end"].as_u64().unwrap();
    assert!(requested > 3000);
    assert_eq!(requested, completed + rejected + in_flight);
    // Stop inside the daily-read window (20,000 reads in 4 h, each taking seconds): requests are
    // still travelling, and are reported, not dropped.
    let out2 = scratch("conservation-mid");
    let s2 = run_ok(
        "scenarios/quickstart.toml",
        &out2,
        &["--set", "scenario.duration=90min"],
    );
    let in_flight2 = s2["in_flight_at_end"].as_u64().unwrap();
    assert!(in_flight2 > 0, "requests in flight at 01:30");
    assert_eq!(
        counter_sum(&s2, "sr.requested"),
        counter_sum(&s2, "sr.completed") + counter_sum(&s2, "sr.rejected") + in_flight2
    );
}
