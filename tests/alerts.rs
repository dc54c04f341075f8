//! Device alerts, outage storms and SECMP0062 storm protection through the real binary on
//! `scenarios/alert-storm.toml`, shrunk to 20,000 premises with a DSP scaled to match.

mod common;
use common::{counter, counter_sum, gauge_final, run_ok, scratch};
use serde_json::Value;

const SCENARIO: &str = "scenarios/alert-storm.toml";

/// Runs the storm scenario at 20,000 premises (one DSP worker: the storm still outruns it) with
/// `sets` and returns the summary.
fn run(name: &str, sets: &[&str]) -> Value {
    let out = scratch(name);
    let mut extra = vec![
        "--set",
        "population.premises=20000",
        "--set",
        "dsp.workers=1",
        "--set",
        "alerts.storm_rate=10",
        "--set",
        "alerts.storm_burst=100",
    ];
    for s in sets {
        extra.extend_from_slice(&["--set", s]);
    }
    let summary = run_ok(SCENARIO, &out, &extra);
    std::fs::remove_dir_all(&out).unwrap();
    summary
}

/// `alert.raised` = `alert.delivered` + `alert.shed` + the `alert.in_flight` gauge, per run.
fn assert_conserved(s: &Value) {
    let raised = counter_sum(s, "alert.raised");
    let delivered = counter_sum(s, "alert.delivered");
    let shed = counter_sum(s, "alert.shed");
    let in_flight = gauge_final(s, "alert.in_flight") as u64;
    assert!(raised > 0);
    assert_eq!(raised, delivered + shed + in_flight, "{raised} raised");
}

fn p99_us(s: &Value, flow: &str) -> u64 {
    common::latency_us(s, flow, "p99_us")
}

/// The storm queues ahead of the SRs at the DSP: without protection the on-demand reads' p99
/// and TRT share are much worse than with it; with it the outage alerts over the rate are
/// sampled (shed, counted) and the billing alerts (kept) are not shed at all.
#[test]
fn protection_keeps_sr_latency_through_a_storm() {
    let on = run("alert-on", &[]);
    let off = run("alert-off", &["alerts.protection=false"]);
    for s in [&on, &off] {
        assert_conserved(s);
    }
    let outage = "supply-outage-restored-long";
    let raised = counter(&on, &format!("alert.raised{{class={outage}}}"));
    assert!(raised > 5_000, "half of 20,000 premises alert: {raised}");
    let shed = counter(&on, &format!("alert.shed{{class={outage}}}"));
    assert!(
        shed > raised / 2,
        "protection sheds most of the storm: {shed}"
    );
    assert_eq!(
        counter(&on, "alert.shed{class=billing-data-log-updated}"),
        0
    );
    assert_eq!(counter_sum(&off, "alert.shed"), 0);
    for region in ["north", "central", "south"] {
        let flow = format!("sr.e2e{{region={region},sr=4.1.1}}");
        let (with, without) = (p99_us(&on, &flow), p99_us(&off, &flow));
        assert!(
            without > 3 * with,
            "{flow}: p99 {without} us without protection vs {with} us with"
        );
    }
}

/// A `"hold"` class waits for the rate instead of being dropped: every outage alert is
/// delivered (none shed, all counted as held), later than the sampled ones would be, while the
/// SRs keep the protection's latency; with a small `hold_limit` the overflow is dropped and
/// still accounted for.
#[test]
fn held_storm_alerts_wait_for_the_rate_and_overflow_is_dropped() {
    let outage = "supply-outage-restored-long";
    let hold = run("alert-hold", &["alert.2.on_storm=\"hold\""]);
    let off = run("alert-hold-off", &["alerts.protection=false"]);
    assert_conserved(&hold);
    let raised = counter(&hold, &format!("alert.raised{{class={outage}}}"));
    let held = counter(&hold, &format!("alert.held{{class={outage}}}"));
    let delivered = counter(&hold, &format!("alert.delivered{{class={outage}}}"));
    assert!(raised > 5_000, "half of 20,000 premises alert: {raised}");
    assert_eq!(counter(&hold, &format!("alert.shed{{class={outage}}}")), 0);
    assert!(
        held > raised / 2,
        "most of the storm is held: {held} of {raised}"
    );
    assert!(
        delivered > raised * 9 / 10,
        "held alerts are delivered: {delivered}"
    );
    // 10 a second admitted: most of ~10,000 alerts wait minutes for their turn.
    let flow = format!("alert.e2e{{class={outage},region=central}}");
    let p50 = common::latency_us(&hold, &flow, "p50_us");
    assert!(p50 > 120_000_000, "{flow} p50 {p50} us: held for the rate");
    for region in ["north", "central", "south"] {
        let flow = format!("sr.e2e{{region={region},sr=4.1.1}}");
        let (with, without) = (p99_us(&hold, &flow), p99_us(&off, &flow));
        assert!(
            without > 3 * with,
            "{flow}: p99 {without} us without protection vs {with} us holding"
        );
    }
    let small = run(
        "alert-hold-limit",
        &["alert.2.on_storm=\"hold\"", "alerts.hold_limit=1000"],
    );
    assert_conserved(&small);
    let shed = counter(&small, &format!("alert.shed{{class={outage}}}"));
    let held_small = counter(&small, &format!("alert.held{{class={outage}}}"));
    assert!(
        shed > raised / 3,
        "a 1,000-alert buffer overflows: {shed} shed"
    );
    assert!(
        held_small >= 1_000 && held_small < held,
        "{held_small} held"
    );
}

/// Cut off mid-storm (power returned at 01:30, the run stops at 01:32 with alerts queued at the
/// DSP and waiting out their random delays), every alert is still accounted for.
#[test]
fn alerts_are_conserved_when_the_run_stops_mid_storm() {
    let s = run(
        "alert-cut",
        &["alerts.protection=false", "scenario.duration=\"92min\""],
    );
    assert_conserved(&s);
    assert!(
        gauge_final(&s, "alert.in_flight") > 1_000,
        "a storm in progress at the end"
    );
}

/// Network Operator alerts reach the DCC-side stand-in without a DNO, and the DNO itself when
/// the scenario has one (`[ev]`): either way delivered and timed from the device.
#[test]
fn network_operator_alerts_reach_the_dno() {
    let out = scratch("alert-dno");
    let s = run_ok(
        "scenarios/ev-load-control.toml",
        &out,
        &[
            "--set",
            "population.premises=2000",
            "--set",
            "scenario.duration=\"6h\"",
            "--set",
            "alert=[{ class = \"voltage-sag\", per_device_per_day = 20.0 }]",
        ],
    );
    std::fs::remove_dir_all(&out).unwrap();
    assert_conserved(&s);
    let delivered = counter(&s, "alert.delivered{class=voltage-sag}");
    // 2,000 meters × 20 a day × 6 h ≈ 10,000.
    assert!((8_000..12_000).contains(&delivered), "{delivered}");
}

/// The run's report shows the alert figures: the terminal's block and report.html's headline.
#[test]
fn the_report_shows_alerts() {
    let out = scratch("alert-report");
    let o = common::dccsim(&[
        "run",
        SCENARIO,
        "--out",
        out.to_str().unwrap(),
        "--set",
        "population.premises=5000",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let terminal = String::from_utf8_lossy(&o.stdout);
    assert!(terminal.contains("Device alerts"), "{terminal}");
    assert!(
        terminal.contains("supply-outage-restored-long"),
        "{terminal}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for card in ["alerts raised", "alerts delivered", "alerts shed"] {
        assert!(html.contains(card), "no {card:?} in report.html");
    }
    std::fs::remove_dir_all(&out).unwrap();
}

/// Without any alert section nothing of the feature is in the outputs.
#[test]
fn no_alert_sections_no_alert_outputs() {
    let out = scratch("alert-absent");
    let s = run_ok("scenarios/quickstart.toml", &out, common::SMALL);
    std::fs::remove_dir_all(&out).unwrap();
    assert_eq!(counter_sum(&s, "alert."), 0);
    assert!(s["counters"]
        .as_object()
        .unwrap()
        .keys()
        .all(|k| !k.starts_with("alert.")));
}

/// DCC alerts, raised by the DCC on its side of a failure the model produces: every device a CPL
/// removal Suspends alerts its supplier (`dcc-device-suspended` = `cpl.devices{change=suspended}`),
/// and every E21 alerts the User that sent the SR (`dcc-no-response` = the E21 refusals); both
/// delivered and conserved. Without their `[[alert]]` none is raised.
#[test]
fn dcc_alerts_follow_cpl_suspensions_and_no_responses() {
    let out = scratch("dcc-alerts");
    let s = run_ok(
        "scenarios/cpl-removal.toml",
        &out,
        &[
            "--set",
            r#"alert=[{class="dcc-device-suspended"},{class="dcc-no-response"}]"#,
        ],
    );
    let suspended = counter_sum(&s, "cpl.devices{change=suspended");
    assert!(
        suspended > 1_000,
        "the removal suspends a model: {suspended}"
    );
    assert_eq!(
        counter(&s, "alert.raised{class=dcc-device-suspended}"),
        suspended
    );
    let e21 = counter_sum(&s, "sr.rejected{code=E21");
    assert!(e21 > 0, "cpl-removal's HAN loses some commands");
    assert_eq!(counter(&s, "alert.raised{class=dcc-no-response}"), e21);
    assert_eq!(
        counter(&s, "alert.delivered{class=dcc-no-response}")
            + counter(&s, "alert.delivered{class=dcc-device-suspended}"),
        e21 + suspended
    );
    assert_conserved(&s);
    std::fs::remove_dir_all(&out).unwrap();

    let plain = scratch("dcc-alerts-off");
    let s = run_ok("scenarios/cpl-removal.toml", &plain, &[]);
    assert_eq!(counter_sum(&s, "alert.raised"), 0);
    std::fs::remove_dir_all(&plain).unwrap();
}
