//! EV load control over LV feeders (SECMP0046), through the real binary on
//! `scenarios/ev-load-control.toml`, shrunk to 3,000 premises (about 43 feeders).

mod common;
use common::{counter_sum, run_ok, scalar, scratch, LOSSLESS_HAN};
use serde_json::Value;

const SCENARIO: &str = "scenarios/ev-load-control.toml";

/// Runs the EV scenario at 3,000 premises with `sets` (each a `KEY=VALUE`) and returns the summary.
fn run(name: &str, sets: &[&str]) -> Value {
    let out = scratch(name);
    let mut extra = vec!["--set", "population.premises=3000"];
    for s in sets {
        extra.extend_from_slice(&["--set", s]);
    }
    let summary = run_ok(SCENARIO, &out, &extra);
    std::fs::remove_dir_all(&out).unwrap();
    summary
}

fn counter(summary: &Value, name: &str) -> u64 {
    summary["counters"][name]
        .as_u64()
        .unwrap_or_else(|| panic!("no counter {name}"))
}

/// Without control feeders overload for hours; the threshold policy cuts overload by more than
/// an order of magnitude, below 3 seconds per feeder on average, and nearly every car (≥ 98%)
/// still reaches its target by departure.
#[test]
fn threshold_control_removes_overloads_and_cars_still_charge() {
    let none = run("ev-none", &["dno.policy=none"]);
    let threshold = run("ev-threshold", &[]);
    let feeders = scalar(&none, "feeders.count");
    let before = scalar(&none, "feeder.overload_minutes.total");
    let after = scalar(&threshold, "feeder.overload_minutes.total");
    assert!(
        scalar(&none, "feeders.overloaded_share") > 0.2,
        "without control a good share of feeders overload: {}",
        scalar(&none, "feeders.overloaded_share")
    );
    assert!(
        before > 10.0 * feeders,
        "overload without control: {before} min"
    );
    assert!(
        after * 10.0 < before,
        "threshold {after} min vs none {before} min"
    );
    assert!(
        after < 0.05 * feeders,
        "threshold leaves {after} overload minutes on {feeders} feeders"
    );
    assert!(
        scalar(&threshold, "feeder.peak_load_ratio.max")
            < scalar(&none, "feeder.peak_load_ratio.max")
    );
    assert_eq!(
        counter_sum(&none, "dno.commands"),
        0,
        "policy none sends nothing"
    );
    let curtail = counter(&threshold, "dno.commands{kind=curtail}");
    assert!(curtail > 0);
    // Chargers sit on the HAN like meters: a charger in a flat whose hub never joined, or a
    // command lost after every retry, comes back E21; the DCC itself refuses nothing.
    let e21 = |sr: &str| counter_sum(&threshold, &format!("sr.rejected{{code=E21,sr={sr}}}"));
    let unreached = e21("7.5") + e21("7.6") + e21("7.12");
    assert!(unreached > 0, "some chargers are out of the HAN's reach");
    assert_eq!(counter_sum(&threshold, "dno.refused"), unreached);
    assert_eq!(
        counter_sum(&threshold, "sr.completed{region=central,sr=7.6}")
            + counter_sum(&threshold, "sr.completed{region=north,sr=7.6}")
            + counter_sum(&threshold, "sr.completed{region=south,sr=7.6}")
            + e21("7.6"),
        curtail,
        "every curtailment travelled through the DCC and was answered or reported unanswered"
    );
    let sessions = counter(&threshold, "ev.sessions");
    assert_eq!(sessions, counter(&none, "ev.sessions"), "the same cars");
    assert_eq!(counter(&none, "ev.unmet_sessions"), 0);
    let unmet = counter(&threshold, "ev.unmet_sessions");
    assert!(
        unmet * 50 <= sessions,
        "{unmet} of {sessions} cars left below target"
    );
    let series: Vec<&str> = none["series"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(
        series
            .iter()
            .filter(|n| n.starts_with("feeder.load_kw{feeder="))
            .count(),
        5,
        "the five most stressed feeders get a load series: {series:?}"
    );
    assert!(series.contains(&"feeders.overloaded"));
    assert!(
        none["gauges_final"]["feeders.overloaded"]
            .as_i64()
            .is_some(),
        "{}",
        none["gauges_final"]
    );
    let control = &threshold["latency"]["dno.control"];
    assert!(control["count"].as_u64().unwrap() >= curtail);
    assert!(control["within_trt"].as_f64().unwrap() > 0.99);
}

/// Energy is conserved to rounding: delivered + unmet at departure + still wanted by cars
/// plugged in at the end = requested. Cut the run at 21:00 so that many sessions are still open.
#[test]
fn energy_is_conserved() {
    for policy in ["none", "threshold"] {
        let s = run(
            &format!("ev-energy-{policy}"),
            &[&format!("dno.policy={policy}"), "scenario.duration=21h"],
        );
        let requested = scalar(&s, "ev.energy_requested_kwh");
        let parts = scalar(&s, "ev.energy_delivered_kwh")
            + scalar(&s, "ev.energy_unmet_kwh")
            + scalar(&s, "ev.energy_still_wanted_kwh");
        assert!(requested > 1000.0, "{policy}: {requested} kWh requested");
        assert!(scalar(&s, "ev.energy_still_wanted_kwh") > 0.0);
        assert!(
            (requested - parts).abs() <= 1e-9 * requested,
            "{policy}: requested {requested} kWh, parts sum to {parts}"
        );
    }
}

/// Today's DUIS: ED may not send 7.6 or 7.12. Every command is refused (E3), counted, and the
/// feeders overload exactly as without control.
#[test]
fn without_secmp0046_every_command_is_refused() {
    let s = run("ev-no-role", &["dno.secmp0046=false"]);
    let none = run("ev-no-role-baseline", &["dno.policy=none"]);
    let sent = counter_sum(&s, "dno.commands");
    assert!(sent > 0, "the DNO still tries");
    assert_eq!(counter_sum(&s, "dno.refused"), sent);
    assert_eq!(
        counter_sum(&s, "sr.rejected{code=E3,sr=7.6}")
            + counter_sum(&s, "sr.rejected{code=E3,sr=7.12}"),
        sent
    );
    assert_eq!(counter_sum(&s, "sr.completed{region=central,sr=7.6}"), 0);
    assert_eq!(
        scalar(&s, "feeder.overload_minutes.total"),
        scalar(&none, "feeder.overload_minutes.total")
    );
}

/// Chargers restored with a random offset (SR 7.12, up to 600 s) return over the window, so the
/// rebound after a restoration stays near the rating; restored all at once they overshoot it.
#[test]
fn randomised_restoration_lowers_the_rebound_peak() {
    let spread = run("ev-offset", &["dno.restore_offset=600s"]);
    let at_once = run("ev-no-offset", &["dno.restore_offset=0s"]);
    let (a, b) = (
        scalar(&spread, "dno.rebound_peak_ratio.max"),
        scalar(&at_once, "dno.rebound_peak_ratio.max"),
    );
    assert!(a > 0.0, "there were restorations");
    assert!(a < b, "rebound with offsets {a} vs without {b}");
    assert!(b > 1.0, "without offsets the rebound overloads: {b}");
    assert_eq!(counter_sum(&at_once, "dno.commands{kind=offset}"), 0);
    assert!(counter_sum(&spread, "dno.commands{kind=offset}") > 0);
}

/// The proportional policy (APC, SR 7.13) also keeps feeders within their ratings.
#[test]
fn proportional_control_limits_power() {
    let s = run(
        "ev-proportional",
        &["dno.policy=proportional", "ev.device=apc"],
    );
    let feeders = scalar(&s, "feeders.count");
    assert!(counter(&s, "dno.commands{kind=limit}") > 0);
    assert!(scalar(&s, "feeder.overload_minutes.total") < 0.05 * feeders);
    assert!(counter(&s, "ev.unmet_sessions") * 50 <= counter(&s, "ev.sessions"));
}

/// Same scenario and seed, same digest; another seed, other results.
#[test]
fn ev_runs_are_deterministic() {
    let a = run("ev-det-a", &[]);
    let b = run("ev-det-b", &[]);
    let c = run("ev-det-c", &["scenario.seed=8"]);
    assert_eq!(a["digest"], b["digest"]);
    assert_ne!(a["digest"], c["digest"]);
}

/// Default off-peak charging (Smart Charge Points Regulations): cars plugged in during the
/// weekday 16:00–22:00 peak wait for it to end, so by 22:00 only the few that arrived before
/// 16:00 have charged.
#[test]
fn off_peak_charging_waits_for_the_evening_peak_to_end() {
    let sets = |off_peak| ["dno.policy=none", "scenario.duration=22h", off_peak];
    let waiting = run("ev-off-peak", &sets("ev.off_peak=true"));
    let anytime = run("ev-anytime", &sets("ev.off_peak=false"));
    let (w, a) = (
        scalar(&waiting, "ev.energy_delivered_kwh"),
        scalar(&anytime, "ev.energy_delivered_kwh"),
    );
    assert!(
        a > 1000.0,
        "without off-peak cars charge in the evening: {a} kWh"
    );
    assert!(w < 0.2 * a, "off-peak {w} kWh by 22:00 vs {a} kWh");
    assert!(
        scalar(&waiting, "feeder.overload_minutes.total")
            < scalar(&anytime, "feeder.overload_minutes.total")
    );
}

/// With meter reads through the DCC (SR 4.1.1 to every premises every 30 minutes) instead of
/// substation monitoring, the DNO sees overloads late: control still helps, but far less.
#[test]
fn meter_read_monitoring_acts_later_than_substation_monitoring() {
    let day = "scenario.duration=24h";
    let none = run("ev-reads-none", &["dno.policy=none", day]);
    let substation = run("ev-reads-substation", &[day]);
    let reads = run(
        "ev-reads",
        &["dno.monitoring=meter-reads", "dno.read_interval=30min", day],
    );
    let minutes = |s: &Value| scalar(s, "feeder.overload_minutes.total");
    assert!(
        minutes(&substation) < minutes(&reads) && minutes(&reads) < minutes(&none),
        "overload minutes: substation {}, meter reads {}, none {}",
        minutes(&substation),
        minutes(&reads),
        minutes(&none)
    );
    // Every premises is read at 00:00, 00:30, …, 24:00: 49 rounds.
    assert_eq!(counter(&reads, "dno.commands{kind=read}"), 3000 * 49);
    assert_eq!(counter_sum(&substation, "dno.commands{kind=read}"), 0);
    assert!(counter(&reads, "dno.commands{kind=curtail}") > 0);
}

/// Each charger's HCALCS is on the SMI like a meter: with its Device Model off the CPL from the
/// start the chargers are Suspended, so the DSP refuses every load-control command with E5 (the
/// role check passes with SECMP0046) and overload stays as without control; with the model
/// listed the same commands are carried and the SMI counts the chargers as Commissioned.
#[test]
fn chargers_are_smi_devices_and_a_delisted_model_suspends_them() {
    let dir = scratch("ev-smi");
    let text = std::fs::read_to_string(SCENARIO).unwrap();
    let model = |listed: bool| {
        format!(
            "{text}\n[[device_model]]\nid = \"acme-switch\"\ntype = \"hcalcs\"\n\
             manufacturer = \"Acme\"\nmodel = \"S1\"\nhardware = \"1.0\"\nfirmware = \"1.0\"\n\
             share = 1.0\nlisted = {listed}\n"
        )
    };
    let runs: Vec<Value> = [false, true]
        .into_iter()
        .map(|listed| {
            let file = dir.join(format!("listed-{listed}.toml"));
            std::fs::write(&file, model(listed)).unwrap();
            let out = dir.join(format!("out-{listed}"));
            run_ok(
                file.to_str().unwrap(),
                &out,
                &[&["--set", "population.premises=3000"], LOSSLESS_HAN].concat(),
            )
        })
        .collect();
    let (delisted, listed) = (&runs[0], &runs[1]);
    let curtail = counter(delisted, "dno.commands{kind=curtail}");
    assert!(curtail > 0);
    assert_eq!(counter(delisted, "dno.refused{kind=curtail}"), curtail);
    assert_eq!(
        counter_sum(delisted, "sr.rejected{code=E5,sr=7.6}"),
        curtail,
        "every curtailment of a Suspended charger is refused with E5"
    );
    let none = run(
        "ev-smi-none",
        &[
            "dno.policy=none",
            "han.flat_share=0",
            "han.background=0",
            "han.background_868=0",
        ],
    );
    assert_eq!(
        scalar(delisted, "feeder.overload_minutes.total"),
        scalar(&none, "feeder.overload_minutes.total")
    );
    assert_eq!(counter_sum(listed, "dno.refused"), 0);
    let chargers = counter(listed, "ev.sessions");
    let suspended = listed["gauges_final"]["smi.status{status=Suspended}"].as_i64();
    assert_eq!(suspended, Some(0), "{}", listed["gauges_final"]);
    let commissioned = |s: &Value| s["gauges_final"]["smi.status{status=Commissioned}"].as_i64();
    assert_eq!(
        commissioned(listed).unwrap() - commissioned(delisted).unwrap(),
        chargers as i64,
        "one SMI record per charger"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 14, item 5. On a lossy HAN (no HAN retries, 20 % background loss) many switch
/// commands come back E21, some after the charger acted. The DNO resends its wish until it is
/// answered, so no charger it switched off is left off when it restores the feeder, and cars
/// reach their target as they do on a quiet HAN. Before the resends: at 10,000 premises 172
/// restorations were lost for good and 175 cars (1,632 kWh) left below target; here at 3,000
/// premises the old code left 68 cars (654 kWh) below target.
#[test]
fn a_lost_switch_command_is_resent_and_no_charger_is_left_off() {
    let s = run(
        "ev-lossy",
        &[
            "han.retries=0",
            "han.background=0.2",
            "han.background_868=0.2",
        ],
    );
    let lost = counter_sum(&s, "sr.rejected{code=E21,sr=7.5}")
        + counter_sum(&s, "sr.rejected{code=E21,sr=7.6}");
    assert!(lost > 100, "the HAN loses many switch commands: {lost}");
    assert!(counter_sum(&s, "dno.resent") > 0, "{}", s["counters"]);
    assert_eq!(scalar(&s, "dno.chargers_left_off"), 0.0);
    let unmet = counter(&s, "ev.unmet_sessions");
    let sessions = counter(&s, "ev.sessions");
    assert!(
        unmet * 100 <= sessions,
        "{unmet} of {sessions} cars left below target"
    );
}

/// Issue 14, item 6. A tenth of the chargers are of an HCALCS model off the CPL: Suspended, so
/// every command to them is refused with E5. The DNO passes such a charger over, like an
/// unreachable one, and curtails another: threshold control keeps the peak below the
/// uncontrolled one (before: one E5 held the whole feeder for `hold`, 2.10 × rating against
/// 1.92 × without control).
#[test]
fn a_refused_charger_is_passed_over_and_control_still_lowers_the_peak() {
    let dir = scratch("ev-e5");
    let text = std::fs::read_to_string(SCENARIO).unwrap();
    let model = |id: &str, share: f64, listed: bool| {
        format!(
            "\n[[device_model]]\nid = \"{id}\"\ntype = \"hcalcs\"\nmanufacturer = \"{id}\"\n\
             model = \"S1\"\nhardware = \"1.0\"\nfirmware = \"1.0\"\nshare = {share}\n\
             listed = {listed}\n"
        )
    };
    let file = dir.join("ev-e5.toml");
    let scenario = format!(
        "{text}{}{}",
        model("switchco-h1", 0.9, true),
        model("oldswitch-h0", 0.1, false)
    );
    std::fs::write(&file, scenario).unwrap();
    let run = |policy: &str| {
        run_ok(
            file.to_str().unwrap(),
            &dir.join(policy),
            &[
                "--set",
                "population.premises=3000",
                "--set",
                &format!("dno.policy={policy}"),
            ],
        )
    };
    let (none, threshold) = (run("none"), run("threshold"));
    assert!(counter_sum(&threshold, "sr.rejected{code=E5,sr=7.6}") > 0);
    let peak = |s: &Value| scalar(s, "feeder.peak_load_ratio.max");
    assert!(
        peak(&threshold) < 1.2 && peak(&threshold) < peak(&none),
        "threshold {} against none {}",
        peak(&threshold),
        peak(&none)
    );
    assert!(
        scalar(&threshold, "feeder.overload_minutes.total") * 100.0
            < scalar(&none, "feeder.overload_minutes.total")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
