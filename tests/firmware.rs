//! Firmware rollouts gated by the CPL through the real binary: every targeted device accounted
//! for, images crossing the WAN (slowly on the North's radio, slowing its reads), the pause rule,
//! SR 11.1 refused when the target model is not listed or has no upgrade pathway, Suspended
//! devices restored by listed firmware, hub and gas meter campaigns, determinism.

mod common;
use common::{counter, gauge_final, run_ok, scalar, scratch, series};
use serde_json::Value;
use std::sync::OnceLock;

const ROLLOUT: &str = "scenarios/firmware-rollout.toml";
const RESTORES: &str = "scenarios/firmware-restores-suspended.toml";
const NOT_ON_CPL: &str = "scenarios/firmware-not-on-cpl.toml";

const REGIONS: [&str; 3] = ["north", "central", "south"];
const STATES: [&str; 5] = [
    "pending",
    "transferring",
    "transferred",
    "activated",
    "failed",
];
const DAY_US: u64 = 86_400_000_000;
const HOUR_US: u64 = 3_600_000_000;
/// `[firmware] chunk` default: a transfer that breaks off has sent at least this much.
const CHUNK: u64 = 4096;

/// The rollout shrunk to 2,000 premises and a 64 KiB image. The North's region capacity is cut
/// to 100 kbit/s so that its ~120 hubs of the last wave (2.4 kbit/s each) still saturate it, and
/// reads are more frequent so that enough of them fall while images are in transfer.
const SMALL_ROLLOUT: &[&str] = &[
    "--set",
    "population.premises=2000",
    "--set",
    "firmware_image.0.size=64KiB",
    "--set",
    "csp.north.wan_capacity=100kbit/s",
    "--set",
    "traffic.1.per_premises_per_day=6",
];
const SMALL_IMAGE: u64 = 64 * 1024;

/// The restore scenario shrunk to 2,000 premises and a 64 KiB image.
const SMALL_RESTORES: &[&str] = &[
    "--set",
    "population.premises=2000",
    "--set",
    "firmware_image.0.size=64KiB",
];

/// Sum of the counters named `prefix…` whose labels end with `suffix` (e.g. `sr=11.1}`).
fn counters_ending(s: &Value, prefix: &str, suffix: &str) -> u64 {
    s["counters"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with(prefix) && k.ends_with(suffix))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum()
}

fn flow<'s>(s: &'s Value, name: &str) -> &'s Value {
    let f = &s["latency"][name];
    assert!(f.is_object(), "no latency flow {name}");
    f
}

fn flow_count(s: &Value, name: &str) -> u64 {
    flow(s, name)["count"].as_u64().unwrap()
}

fn flow_us(s: &Value, name: &str, field: &str) -> u64 {
    flow(s, name)[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{name} has no {field}"))
}

fn state(s: &Value, campaign: &str, state: &str) -> i64 {
    gauge_final(
        s,
        &format!("firmware.devices{{campaign={campaign},state={state}}}"),
    )
}

fn failures(s: &Value, campaign: &str, kind: &str) -> u64 {
    counter(
        s,
        &format!("firmware.failures{{campaign={campaign},kind={kind}}}"),
    )
}

fn targeted(s: &Value, campaign: &str) -> i64 {
    scalar(s, &format!("firmware.targeted{{campaign={campaign}}}")) as i64
}

fn image_bytes(s: &Value, region: &str) -> i64 {
    gauge_final(
        s,
        &format!("csp.wan_bytes{{kind=firmware,region={region}}}"),
    )
}

/// Devices whose image reached them (the `firmware.transfer` flow records each once).
fn transferred(s: &Value, campaign: &str, region: &str) -> u64 {
    flow_count(
        s,
        &format!("firmware.transfer{{campaign={campaign},region={region}}}"),
    )
}

/// The identities every finished run of campaign `c` (image of `size` bytes) satisfies: the five
/// states account for every targeted device; every SR 11.1 ended in exactly one way; activated
/// devices got their image and were recorded by `firmware.device`; failed devices include every
/// unrecoverable and HAN-less one; the firmware bytes on the WAN are those of the completed
/// transfers plus part of each broken one.
fn check_accounting(s: &Value, c: &str, size: u64) {
    let states: Vec<i64> = STATES.iter().map(|st| state(s, c, st)).collect();
    let n = targeted(s, c);
    assert!(n > 0, "{c} targets devices");
    assert_eq!(states.iter().sum::<i64>(), n, "{c}: states {states:?}");
    let [_, transferring, _, activated, failed] = states[..] else {
        unreachable!()
    };
    // Long enough runs end with nothing on its way.
    assert_eq!(transferring, 0);
    assert_eq!(scalar(s, "firmware.images_in_transfer"), 0.0);
    assert_eq!(gauge_final(s, "firmware.in_transfer"), 0);

    let got_image: u64 = REGIONS.iter().map(|r| transferred(s, c, r)).sum();
    let confirmed: u64 = REGIONS
        .iter()
        .map(|r| flow_count(s, &format!("firmware.device{{campaign={c},region={r}}}")))
        .sum();
    assert_eq!(
        confirmed, activated as u64,
        "one firmware.device per activation"
    );
    assert!(got_image >= activated as u64, "{got_image} < {activated}");
    let (tf, no_han) = (failures(s, c, "transfer"), failures(s, c, "no_han"));
    let unrecoverable = failures(s, c, "unrecoverable");
    assert!(failed as u64 >= unrecoverable + no_han, "{failed} failed");

    // Each SR 11.1 the DSP saw was refused, or its distribution ended with the image held, a
    // transfer broken off, or no HAN to pass it on.
    let requested = counters_ending(s, "sr.requested{", "sr=11.1}");
    let refused = counters_ending(s, "sr.rejected{", "sr=11.1}");
    assert_eq!(requested, refused + got_image + tf + no_han);

    let bytes: i64 = REGIONS.iter().map(|r| image_bytes(s, r)).sum();
    let whole = (got_image + no_han) * size;
    assert!(bytes as u64 >= whole + tf * CHUNK.min(size), "{bytes} B");
    assert!(bytes as u64 <= whole + tf * size, "{bytes} B");
    for r in REGIONS {
        assert!(
            image_bytes(s, r) as u64 >= transferred(s, c, r) * size,
            "{r}"
        );
    }
}

/// The shrunk rollout, run once and shared by the tests that read it.
fn small_rollout() -> &'static (std::path::PathBuf, Value) {
    static RUN: OnceLock<(std::path::PathBuf, Value)> = OnceLock::new();
    RUN.get_or_init(|| {
        let out = scratch("fw-rollout").join("out");
        let s = run_ok(ROLLOUT, &out, SMALL_ROLLOUT);
        (out, s)
    })
}

#[test]
fn rollout_accounts_for_every_targeted_device() {
    let (out, s) = small_rollout();
    let c = "acme-e1-2.0";
    check_accounting(s, c, SMALL_IMAGE);
    let n = targeted(s, c);
    let activated = state(s, c, "activated");
    assert!(
        activated * 100 >= n * 95,
        "default failure rates: {activated} of {n}"
    );
    assert_eq!(state(s, c, "pending"), 0, "every wave released and started");
    assert_eq!(counter(s, &format!("firmware.paused{{campaign={c}}}")), 0);
    assert_eq!(counters_ending(s, "sr.rejected{", "sr=11.1}"), 0);

    // The series: at every sample the states add up; activation is future-dated into the
    // 02:00–05:00 window, so nothing activates before the first night after the 09:00 start,
    // and only a retried SR 11.2 (after an unanswered one) confirms a device outside it.
    let samples: Vec<Vec<(u64, i64)>> = STATES
        .iter()
        .map(|st| series(out, &format!("firmware.devices{{campaign={c},state={st}}}")))
        .collect();
    assert!(samples[0].len() > 10);
    for i in 0..samples[0].len() {
        let total: i64 = samples.iter().map(|v| v[i].1).sum();
        assert_eq!(total, n, "at {} µs", samples[0][i].0);
    }
    let act = &samples[3];
    assert!(act.iter().all(|&(t, v)| t > DAY_US + 2 * HOUR_US || v == 0));
    let mut outside = 0;
    for w in act.windows(2) {
        let (t, rise) = (w[1].0, w[1].1 - w[0].1);
        assert!(rise >= 0, "activated devices stay activated");
        let tod = t % DAY_US;
        if rise > 0 && !(tod > 2 * HOUR_US && tod <= 5 * HOUR_US + HOUR_US / 2) {
            outside += rise as u64;
        }
    }
    assert!(outside <= failures(s, c, "no_answer"), "{outside} outside");
    assert_eq!(act.last().unwrap().1, activated);
}

#[test]
fn images_cross_the_norths_narrow_radio_slowly_and_slow_its_reads() {
    let (_, s) = small_rollout();
    let c = "acme-e1-2.0";
    let p50 = |r: &str| {
        flow_us(
            s,
            &format!("firmware.transfer{{campaign={c},region={r}}}"),
            "p50_us",
        )
    };
    let north = p50("north");
    for r in ["central", "south"] {
        assert!(north > 3 * p50(r), "north {north} µs vs {r} {} µs", p50(r));
    }
    // Every North device that holds the image had all of it sent over the North's WAN.
    let held = transferred(s, c, "north");
    assert!(held > 0);
    assert!(image_bytes(s, "north") as u64 >= held * SMALL_IMAGE);

    // While images are in transfer the North's reads queue behind chunks; cellular regions have
    // room to spare.
    let p99 = |r: &str, period: &str| {
        let name = format!("firmware.read_e2e{{period={period},region={r},sr=4.1.1}}");
        assert!(flow_count(s, &name) >= 50, "too few reads in {name}");
        flow_us(s, &name, "p99_us") as f64
    };
    let north = p99("north", "during") / p99("north", "before");
    let central = p99("central", "during") / p99("central", "before");
    assert!(north > 1.3, "north p99 during/before = {north:.2}");
    assert!(
        north > central + 0.5,
        "north {north:.2} vs central {central:.2}"
    );
}

#[test]
fn without_a_campaign_no_firmware_crosses_the_wan() {
    let text = std::fs::read_to_string(ROLLOUT).unwrap();
    let from = text.find("[[firmware_campaign]]").unwrap();
    let to = from + text[from..].find("[[traffic]]").unwrap();
    let dir = scratch("fw-none");
    let file = dir.join("no-campaign.toml");
    std::fs::write(&file, format!("{}{}", &text[..from], &text[to..])).unwrap();
    let mut extra = SMALL_ROLLOUT.to_vec();
    extra.extend_from_slice(&["--set", "scenario.duration=1d"]);
    let s = run_ok(file.to_str().unwrap(), &dir.join("out"), &extra);
    for r in REGIONS {
        let name = format!("csp.wan_bytes{{kind=firmware,region={r}}}");
        assert_eq!(s["gauges_final"][&name].as_i64().unwrap_or(0), 0, "{name}");
        assert!(gauge_final(&s, &format!("csp.wan_bytes{{kind=command,region={r}}}")) > 0);
    }
    assert_eq!(counters_ending(&s, "sr.requested{", "sr=11.1}"), 0);
}

#[test]
fn the_pause_rule_stops_a_failing_rollout() {
    let c = "acme-e1-2.0";
    let dir = scratch("fw-pause");
    let failing = [
        "--set",
        "population.premises=2000",
        "--set",
        "firmware_image.0.size=64KiB",
        "--set",
        "firmware_campaign.0.activation_failure=0.5",
        "--set",
        "firmware_campaign.0.max_activation_attempts=1",
    ];
    let s = run_ok(ROLLOUT, &dir.join("paused"), &failing);
    check_accounting(&s, c, SMALL_IMAGE);
    assert_eq!(counter(&s, &format!("firmware.paused{{campaign={c}}}")), 1);
    let (activated, failed) = (state(&s, c, "activated"), state(&s, c, "failed"));
    // Paused once at least pause_min_devices (20) had finished and over 20 % of them failed.
    assert!(activated + failed >= 20);
    assert!(
        failed * 5 > activated + failed,
        "{failed} of {}",
        activated + failed
    );
    let pending = state(&s, c, "pending");
    assert!(
        pending > targeted(&s, c) / 2,
        "later waves never start: {pending}"
    );
    assert_eq!(state(&s, c, "transferred"), 0);

    // The same failures without the rule (a rate no campaign exceeds): every device is tried.
    let mut unpaused = failing.to_vec();
    unpaused.extend_from_slice(&[
        "--set",
        "firmware_campaign.0.pause_if_failure_rate_above=1.0",
    ]);
    let s = run_ok(ROLLOUT, &dir.join("unpaused"), &unpaused);
    check_accounting(&s, c, SMALL_IMAGE);
    assert_eq!(counter(&s, &format!("firmware.paused{{campaign={c}}}")), 0);
    assert_eq!(state(&s, c, "pending"), 0);
    let failed = state(&s, c, "failed");
    assert!(failed * 5 > targeted(&s, c), "about half fail: {failed}");
}

#[test]
fn firmware_not_on_the_cpl_is_refused_and_nothing_transfers() {
    let c = "acme-e1-3.0";
    let dir = scratch("fw-not-on-cpl");
    let s = run_ok(NOT_ON_CPL, &dir.join("refused"), &[]);
    check_accounting(&s, c, SMALL_IMAGE); // nothing transfers: any size does
    let n = targeted(&s, c) as u64;
    assert_eq!(
        counter(&s, "cpl.entry_refused{reason=missing_dlms_certificate}"),
        1
    );
    assert_eq!(counter(&s, "sr.rejected{code=E11,sr=11.1}"), n);
    assert_eq!(state(&s, c, "failed") as u64, n);
    assert_eq!(failures(&s, c, "refused"), n);
    assert_eq!(
        counter(&s, &format!("firmware.no_upgrade_pathway{{campaign={c}}}")),
        0
    );
    for r in REGIONS {
        assert_eq!(image_bytes(&s, r), 0, "{r}");
    }
    assert_eq!(counters_ending(&s, "sr.requested{", "sr=11.3}"), 0);
    assert_eq!(counters_ending(&s, "sr.requested{", "sr=11.2}"), 0);

    // With its DLMS certificate the entry is listed once the DSP applies the extract, and the
    // same campaign moves devices: the CPL was the cause.
    let fixed = &[
        "--set",
        "cpl_entry.1.dlms_certificate=DLMS-ACME-3",
        "--set",
        "firmware_image.0.size=64KiB",
    ];
    let s = run_ok(NOT_ON_CPL, &dir.join("listed"), fixed);
    check_accounting(&s, c, SMALL_IMAGE);
    assert_eq!(
        counter(&s, "cpl.entry_refused{reason=missing_dlms_certificate}"),
        0
    );
    assert!(state(&s, c, "activated") as u64 > n / 2);
    for r in REGIONS {
        assert!(image_bytes(&s, r) > 0, "{r}");
    }
    // Only SR 11.1s sent before the apply (the first wave) can have been refused.
    let e11 = counter(&s, "sr.rejected{code=E11,sr=11.1}");
    assert_eq!(e11, failures(&s, c, "refused"));
    assert!(e11 < n / 2, "{e11} refused");
}

/// The restore scenario's text with the target entry's `upgrades_from` naming a CPL entry of
/// another Device Model (bolt-e2, whose entry the scenario has) instead of the devices' own.
fn wrong_pathway() -> String {
    let text = std::fs::read_to_string(RESTORES).unwrap();
    let from = r#"upgrades_from = ["acme-e1-fw1"]"#;
    assert_eq!(text.matches(from).count(), 1);
    assert!(text.contains("[[cpl_entry]]\nid = \"bolt-e2\""));
    text.replace(from, r#"upgrades_from = ["bolt-e2"]"#)
}

#[test]
fn a_listed_target_without_an_upgrade_pathway_is_refused() {
    let c = "acme-e1-2.0";
    let dir = scratch("fw-pathway");
    let file = dir.join("wrong-pathway.toml");
    std::fs::write(&file, wrong_pathway()).unwrap();
    let s = run_ok(file.to_str().unwrap(), &dir.join("out"), SMALL_RESTORES);
    check_accounting(&s, c, SMALL_IMAGE);
    let n = targeted(&s, c) as u64;
    assert_eq!(
        counter(&s, &format!("firmware.no_upgrade_pathway{{campaign={c}}}")),
        n
    );
    assert_eq!(counter(&s, "sr.rejected{code=E11,sr=11.1}"), n);
    assert_eq!(state(&s, c, "failed") as u64, n);
    assert_eq!(
        counter(&s, &format!("firmware.restored{{campaign={c}}}")),
        0
    );
    for r in REGIONS {
        assert_eq!(image_bytes(&s, r), 0, "{r}");
    }
}

#[test]
fn listed_firmware_restores_suspended_devices_and_failures_stay_suspended() {
    let c = "acme-e1-2.0";
    let dir = scratch("fw-restores");
    let s = run_ok(RESTORES, &dir.join("listed"), SMALL_RESTORES);
    check_accounting(&s, c, SMALL_IMAGE);
    let suspended = counter(&s, "cpl.devices{change=suspended,model=acme-e1-fw1}") as i64;
    let restored = counter(&s, &format!("firmware.restored{{campaign={c}}}")) as i64;
    let left = gauge_final(&s, "smi.status{status=Suspended}");
    // The campaign starts after the apply: it targets exactly the suspended devices.
    assert_eq!(targeted(&s, c), suspended);
    // cpl.model_devices is counted when the run starts: what the removal could suspend at most
    // (counted at the end it gave the few devices firmware had not moved to 2.0).
    assert_eq!(
        scalar(&s, "cpl.model_devices{model=acme-e1-fw1}") as i64,
        suspended
    );
    assert!(restored > suspended / 2, "{restored} of {suspended}");
    assert_eq!(
        counter(&s, "smi.transition{from=Suspended,to=Commissioned}") as i64,
        restored
    );
    assert!(restored >= state(&s, c, "activated"));
    assert_eq!(left, suspended - restored);
    assert!(
        state(&s, c, "failed") <= left,
        "failed devices stay Suspended"
    );
    assert!(counters_ending(&s, "sr.rejected{code=E5,", "}") > 0);
    // Every accepted SR 11.1 went to a device that was not Commissioned.
    let accepted = counters_ending(&s, "sr.requested{", "sr=11.1}")
        - counters_ending(&s, "sr.rejected{", "sr=11.1}");
    assert_eq!(
        counter(&s, &format!("firmware.warned{{campaign={c}}}")),
        accepted
    );

    // The target entry not in force: 11.1 is refused (not listed, so not a pathway matter) and
    // every suspended device stays Suspended.
    let mut unlisted = SMALL_RESTORES.to_vec();
    unlisted.extend_from_slice(&["--set", "cpl_entry.1.in_force=false"]);
    let s = run_ok(RESTORES, &dir.join("unlisted"), &unlisted);
    check_accounting(&s, c, SMALL_IMAGE);
    let suspended = counter(&s, "cpl.devices{change=suspended,model=acme-e1-fw1}") as i64;
    assert!(suspended > 0);
    assert_eq!(
        counter(&s, &format!("firmware.restored{{campaign={c}}}")),
        0
    );
    assert_eq!(gauge_final(&s, "smi.status{status=Suspended}"), suspended);
    assert_eq!(
        counter(&s, "sr.rejected{code=E11,sr=11.1}") as i64,
        targeted(&s, c)
    );
    assert_eq!(
        counter(&s, &format!("firmware.no_upgrade_pathway{{campaign={c}}}")),
        0
    );
}

/// The rollout scenario with its campaign moved to a new firmware of Device Model `model`
/// (type `kind`, manufacturer `maker`, model name `name`): a second Device Model entry with
/// firmware 2.0 and its 64 KiB image are added.
fn other_device(model: &str, kind: &str, maker: &str, name: &str) -> String {
    let text = std::fs::read_to_string(ROLLOUT).unwrap();
    let (old_model, old_image) = (
        r#"device_model = "acme-e1-fw1""#,
        r#"image = "acme-e1-2.0""#,
    );
    assert_eq!(text.matches(old_model).count(), 1);
    assert_eq!(text.matches(old_image).count(), 1);
    text.replace(old_model, &format!(r#"device_model = "{model}""#))
        .replace(old_image, &format!(r#"image = "{model}-2.0""#))
        + &format!(
            r#"
[[device_model]]
id = "{model}-fw2"
type = "{kind}"
manufacturer = "{maker}"
model = "{name}"
hardware = "1.0"
firmware = "2.0"
share = 0.0

[[firmware_image]]
id = "{model}-2.0"
model = "{model}-fw2"
size = "64KiB"
"#
        )
}

#[test]
fn hub_and_gas_meter_campaigns_activate_too() {
    let c = "acme-e1-2.0"; // the campaign keeps its id
    let dir = scratch("fw-devices");
    let small = ["--set", "population.premises=2000"];
    let mut runs = Vec::new();
    for (model, kind, maker, name) in [
        ("hub-c1", "comms-hub", "Hubco", "C1"),
        ("gasco-g1", "gsme", "Gasco", "G1"),
    ] {
        let file = dir.join(format!("{model}.toml"));
        std::fs::write(&file, other_device(model, kind, maker, name)).unwrap();
        let s = run_ok(file.to_str().unwrap(), &dir.join(model), &small);
        check_accounting(&s, c, SMALL_IMAGE);
        let activated = state(&s, c, "activated");
        assert!(
            activated * 100 >= targeted(&s, c) * 95,
            "{model}: {activated}"
        );
        runs.push(s);
    }
    let (hub, gas) = (&runs[0], &runs[1]);
    // A hub's own firmware has no HAN leg: no device without HAN, and a faster transfer than a
    // gas meter's image, which crosses the HAN after the same WAN.
    assert_eq!(failures(hub, c, "no_han"), 0);
    let p50 = |s: &Value| {
        flow_us(
            s,
            &format!("firmware.transfer{{campaign={c},region=central}}"),
            "p50_us",
        )
    };
    assert!(
        p50(hub) < p50(gas),
        "hub {} µs, gas {} µs",
        p50(hub),
        p50(gas)
    );
    // Every premises of the supplier has a hub; gas only where it serves gas (gas_share 0.6).
    let share = targeted(gas, c) as f64 / targeted(hub, c) as f64;
    assert!(
        (0.5..0.7).contains(&share),
        "gas / hub targets = {share:.3}"
    );
}

#[test]
fn same_seed_same_digest_other_seed_other_digest() {
    let (_, first) = small_rollout();
    let dir = scratch("fw-determinism");
    let again = run_ok(ROLLOUT, &dir.join("again"), SMALL_ROLLOUT);
    assert_eq!(first["digest"], again["digest"]);
    assert_eq!(first["counters"], again["counters"]);
    let mut other = SMALL_ROLLOUT.to_vec();
    other.extend_from_slice(&["--seed", "8"]);
    let s = run_ok(ROLLOUT, &dir.join("seed8"), &other);
    assert_ne!(first["digest"], s["digest"]);
}
