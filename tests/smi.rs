//! The Smart Metering Inventory end to end: installation waves take devices through the SMI by
//! real SRs, every device's final status is accounted for by the step counters, refusals carry
//! their DUIS codes and plain-English text, and runs are deterministic.

mod common;

use common::{counter, counter_sum, dccsim, run_ok, scratch, summary};
use serde_json::Value;

const WAVE: &str = "scenarios/smi-install-wave.toml";
/// The scenario with a smaller installed population (the waves are unchanged).
const SMALL: &[&str] = &["--set", "population.premises=1000"];

fn gauge(s: &Value, status: &str) -> u64 {
    s["gauges_final"][format!("smi.status{{status={status}}}")]
        .as_u64()
        .unwrap()
}

fn step(s: &Value, step: &str, result: &str) -> u64 {
    counter(s, &format!("install.step{{result={result},step={step}}}"))
}

fn transition(s: &Value, from: &str, to: &str) -> u64 {
    counter(s, &format!("smi.transition{{from={from},to={to}}}"))
}

/// `|observed - n p| ≤ 4 σ` for a binomial draw of `n` trials with probability `p`.
fn binomial_ok(observed: u64, n: u64, p: f64) -> bool {
    let mean = n as f64 * p;
    let sd = (n as f64 * p * (1.0 - p)).sqrt();
    (observed as f64 - mean).abs() <= 4.0 * sd + 1.0
}

#[test]
fn every_installed_device_ends_where_its_steps_put_it() {
    let out = scratch("smi-wave");
    let s = run_ok(WAVE, &out, SMALL);
    assert_eq!(
        s["in_flight_at_end"], 0,
        "the waves end a day before the run"
    );

    // Each successful step is exactly one SMI transition.
    let ok = |st| step(&s, st, "ok");
    assert_eq!(ok("prenotify"), transition(&s, "new", "Pending"));
    assert_eq!(ok("hub_join"), transition(&s, "Pending", "Commissioned"));
    assert_eq!(ok("whitelist"), transition(&s, "Pending", "Whitelisted"));
    assert_eq!(
        ok("join"),
        transition(&s, "Whitelisted", "InstalledNotCommissioned")
    );
    // Meters by 8.1.1, PPMIDs and HCALCSs by 8.7.
    assert_eq!(
        ok("commission") + ok("join_service"),
        transition(&s, "InstalledNotCommissioned", "Commissioned")
    );

    // A device that fails (or is refused) a step stays where it is: the final counts follow.
    assert_eq!(
        gauge(&s, "Pending"),
        ok("prenotify") - ok("hub_join") - ok("whitelist")
    );
    assert_eq!(gauge(&s, "Whitelisted"), ok("whitelist") - ok("join"));
    assert_eq!(
        gauge(&s, "InstalledNotCommissioned"),
        ok("join") - ok("commission") - ok("join_service")
    );

    // 1,800 + 750 premises: a hub and an electricity meter each, gas, a PPMID and an HCALCS in
    // some.
    let premises = 300 * 6 + 150 * 5;
    let attempted = |st| ok(st) + step(&s, st, "failed") + step(&s, st, "refused");
    let devices = attempted("prenotify");
    assert!(
        (2 * premises..5 * premises).contains(&devices),
        "{devices} devices"
    );
    // Field failures match the scenario's shares (2%, 5% at both joins, 3%, 4%, 3%).
    for (st, share) in [
        ("prenotify", 0.02),
        ("hub_join", 0.05),
        ("whitelist", 0.03),
        ("join", 0.05),
        ("commission", 0.04),
        ("join_service", 0.03),
    ] {
        let failed = step(&s, st, "failed");
        assert!(
            binomial_ok(failed, attempted(st), share),
            "{st}: {failed} of {} failed, expected about {share}",
            attempted(st)
        );
    }
    // Every pre-notified hub tries to join (hub models are all listed); the meters of a hub
    // that failed go no further, so fewer meters are whitelisted than were pre-notified.
    let hubs = attempted("hub_join");
    assert!(binomial_ok(premises - hubs, premises, 0.02), "{hubs} hubs");
    let meters = ok("prenotify") - hubs;
    assert!(attempted("whitelist") < meters);

    // 5% of electricity meters are "oldco-x1", off the CPL: pre-notification refused with E11.
    let refused = step(&s, "prenotify", "refused");
    assert_eq!(refused, counter(&s, "sr.rejected{code=E11,sr=12.2}"));
    assert!(binomial_ok(refused, premises, 0.05 * 0.98), "{refused}");
}

#[test]
fn install_srs_are_timed_against_their_trt() {
    let out = scratch("smi-trt");
    let s = run_ok(WAVE, &out, SMALL);
    for (sr, trt_s) in [("12.2", 30), ("8.14.1", 30), ("8.11", 30), ("8.1.1", 33)] {
        let mut count = 0;
        for region in ["north", "central", "south"] {
            let flow = &s["latency"][format!("sr.e2e{{region={region},sr={sr}}}")];
            assert_eq!(flow["trt_us"], trt_s * 1_000_000, "{sr} {region}");
            assert!(flow["within_trt"].as_f64().unwrap() > 0.9, "{sr} {region}");
            count += flow["count"].as_u64().unwrap();
        }
        let completed: u64 = ["north", "central", "south"]
            .iter()
            .map(|r| counter(&s, &format!("sr.completed{{region={r},sr={sr}}}")))
            .sum();
        assert_eq!(count, completed, "{sr}");
    }
    // 8.11 travels to the hub and back over the WAN; 12.2 ends at the DSP.
    let p50 = |sr: &str| {
        s["latency"][format!("sr.e2e{{region=central,sr={sr}}}")]["p50_us"]
            .as_u64()
            .unwrap()
    };
    assert!(
        p50("8.11") > 10 * p50("12.2"),
        "{} vs {}",
        p50("8.11"),
        p50("12.2")
    );
    // 8.1.1 is commissioned at the meter: one HAN crossing each way.
    assert!(s["latency"]["sr.hop{hop=han,region=central,sr=8.1.1}"]["count"].as_u64() > Some(0));
}

#[test]
fn reads_of_suspended_meters_are_refused_with_e5_and_explained() {
    let out = scratch("smi-e5");
    let o = dccsim(&[
        "run",
        WAVE,
        "--out",
        out.to_str().unwrap(),
        SMALL[0],
        SMALL[1],
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = summary(&out);
    let suspended = gauge(&s, "Suspended");
    assert!(suspended > 20, "{suspended} oldco-x1 meters");
    // Each suspended meter's daily read is refused, every day of the week; no other is.
    assert_eq!(counter(&s, "sr.rejected{code=E5,sr=4.6.1}"), 7 * suspended);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let e5 = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("E5"))
        .unwrap_or_else(|| panic!("no E5 row in:\n{stdout}"));
    assert!(
        e5.contains("status in the Smart Metering Inventory"),
        "{e5}"
    );

    // With the model back on the CPL nothing is suspended or refused.
    let listed = scratch("smi-listed");
    let s = run_ok(
        WAVE,
        &listed,
        &[SMALL[0], SMALL[1], "--set", "device_model.1.listed=true"],
    );
    assert_eq!(gauge(&s, "Suspended"), 0);
    // Only the HAN's E21s are left (sends lost on the radio, devices that never joined), and
    // 8.7 to PPMIDs and HCALCSs whose meter failed its commissioning (E5).
    assert_eq!(
        counter_sum(&s, "sr.rejected"),
        counter_sum(&s, "sr.rejected{code=E21,") + counter(&s, "sr.rejected{code=E5,sr=8.7}")
    );
}

/// SR 8.7 Join Service is sent to the PPMIDs and HCALCSs the waves fit, commissions exactly those
/// it succeeds for, and is refused with E5 while the premises' electricity meter is not
/// Commissioned.
#[test]
fn join_service_commissions_ppmids_and_hcalcs_after_their_meter() {
    let s = run_ok(WAVE, &scratch("smi-join"), SMALL);
    let ok = step(&s, "join_service", "ok");
    let refused = step(&s, "join_service", "refused");
    // 2,550 premises, 20–30% with a PPMID and 10% with an HCALCS: some hundreds reach 8.7.
    assert!(ok > 200, "{ok} joined by 8.7");
    assert_eq!(
        ok,
        transition(&s, "InstalledNotCommissioned", "Commissioned") - step(&s, "commission", "ok")
    );
    // Refusals are the E5s of devices whose meter is not in service (its own step failed).
    assert_eq!(refused, counter(&s, "sr.rejected{code=E5,sr=8.7}"));
    assert!(refused > 0 && refused < ok, "{refused} refused, {ok} ok");
    let flows: u64 = ["north", "central", "south"]
        .iter()
        .map(|r| {
            let flow = &s["latency"][format!("sr.e2e{{region={r},sr=8.7}}")];
            assert_eq!(flow["trt_us"], 30_000_000, "{r}");
            flow["count"].as_u64().unwrap()
        })
        .sum();
    assert_eq!(flows, ok, "every 8.7 that joined is timed");
    let requested: u64 = ["north", "central", "south", "unknown"]
        .iter()
        .map(|r| counter(&s, &format!("sr.requested{{region={r},sr=8.7}}")))
        .sum();
    assert_eq!(requested, ok + refused, "every 8.7 sent is answered");
    // 8.7 is carried out by the meter: it crosses the HAN.
    assert!(s["latency"]["sr.hop{hop=han,region=central,sr=8.7}"]["count"].as_u64() > Some(0));

    // No meter commissioned: every 8.7 is refused with E5 and nothing joins.
    let s = run_ok(
        WAVE,
        &scratch("smi-join-e5"),
        &[
            SMALL[0],
            SMALL[1],
            "--set",
            "install.0.fail.commission=1",
            "--set",
            "install.1.fail.commission=1",
        ],
    );
    assert_eq!(step(&s, "commission", "ok"), 0);
    assert_eq!(step(&s, "join_service", "ok"), 0);
    assert_eq!(
        transition(&s, "InstalledNotCommissioned", "Commissioned"),
        0
    );
    let refused = step(&s, "join_service", "refused");
    assert!(refused > 200, "{refused} refused");
    assert_eq!(refused, counter(&s, "sr.rejected{code=E5,sr=8.7}"));
}

#[test]
fn same_seed_same_digest() {
    let a = run_ok(WAVE, &scratch("smi-det-a"), SMALL);
    let b = run_ok(WAVE, &scratch("smi-det-b"), SMALL);
    assert_eq!(a["digest"], b["digest"]);
    let c = run_ok(
        WAVE,
        &scratch("smi-det-c"),
        &[SMALL[0], SMALL[1], "--seed", "12"],
    );
    assert_ne!(a["digest"], c["digest"]);
}

/// Bad `[[install]]` and `[[device_model]]` sections: exit 2, a located message, nothing written.
#[test]
fn bad_sections_are_refused_with_a_located_message() {
    let text = std::fs::read_to_string(WAVE).unwrap();
    // (text, replacement, words of the message, text on the line it must point at)
    let cases = [
        (
            "supplier = \"beta\"",
            "supplier = \"delta\"",
            "names no [[supplier]]",
            "\"delta\"",
        ),
        (
            "end = \"6d\"\ngas",
            "end = \"12h\"\ngas",
            "not after `start`",
            "\"12h\"",
        ),
        (
            "end = \"6d\"\nppmid",
            "end = \"8d\"\nppmid",
            "after the run ends",
            "\"8d\"",
        ),
        (
            "ppmid_share = 0.3",
            "ppmid_share = 1.5",
            "between 0 and 1",
            "= 1.5",
        ),
        (
            "hcalcs_share = 0.1",
            "hcalcs_share = \"lots\"",
            "number",
            "\"lots\"",
        ),
        (
            "join_service = 0.03",
            "join_servic = 0.03",
            "did you mean `join_service`",
            "join_servic ",
        ),
        (
            "premises_per_day = 150",
            "premises_per_day = -1",
            "negative",
            "= -1",
        ),
        (
            "{ prenotify",
            "{ prenotif",
            "did you mean `prenotify`",
            "prenotif ",
        ),
        (
            "share = 0.05",
            "share = 0.5",
            "sum to 1.45",
            "[[device_model]]",
        ),
        (
            "listed = false",
            "listed = 0",
            "true or false",
            "listed = 0",
        ),
        (
            "premises_per_day = 150",
            "premises_per_day = 150\nrate = 2",
            "unknown key `rate`",
            "rate = 2",
        ),
    ];
    for (from, to, words, at) in cases {
        assert!(text.contains(from), "{from:?}");
        let dir = scratch("smi-bad");
        let file = dir.join("bad.toml");
        let bad = text.replacen(from, to, 1);
        std::fs::write(&file, &bad).unwrap();
        let out = dir.join("out");
        let o = dccsim(&[
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{to:?}: {err}");
        assert!(err.contains(words), "{to:?}: {err}");
        let line = bad[..bad.find(at).unwrap()].matches('\n').count() + 1;
        assert!(
            err.contains(&format!("bad.toml:{line}:")),
            "{to:?} not located at line {line}: {err}"
        );
        assert!(!out.exists(), "nothing is written");
    }
}
