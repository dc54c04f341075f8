//! The Central Products List through the real binary: CPA expiry suspending a model within the
//! DSP's apply window, certificate mappings, signed extracts (tampered and unsigned ones change
//! nothing), expiry notices, conditional CPA lapses, determinism.

mod common;
use common::{counter, counter_sum, dccsim, gauge_final, run_ok, scalar, scratch, series};
use serde_json::Value;
use std::path::Path;

const REMOVAL: &str = "scenarios/cpl-removal.toml";
const MAPPING: &str = "scenarios/cpl-firmware-cert-mapping.toml";

const DAY_US: u64 = 86_400_000_000;

#[test]
fn cpa_expiry_suspends_the_model_within_the_window_and_e5_only_after() {
    let dir = scratch("cpl-removal");
    let out = dir.join("full");
    let s = run_ok(REMOVAL, &out, &[]);
    let devices = scalar(&s, "cpl.model_devices{model=acme-e1}") as i64;
    assert!(devices > 1000, "acme-e1 is the popular model: {devices}");
    // Every acme-e1 meter (and nothing else) ends Suspended.
    assert_eq!(gauge_final(&s, "smi.status{status=Suspended}"), devices);
    assert_eq!(
        counter(&s, "cpl.devices{change=suspended,model=acme-e1}") as i64,
        devices
    );
    assert_eq!(counter(&s, "cpl.removal{cause=cpa_expired}"), 1);
    let e5 = counter_sum(&s, "sr.rejected{code=E5,");
    assert!(e5 > 0, "reads to suspended meters are refused with E5");

    // The suspension happens at one instant, within 24 h of the expiry at the end of day 1.
    let suspended = series(&out, "smi.status{status=Suspended}");
    let first = suspended.iter().position(|&(_, v)| v > 0).unwrap();
    let (after, _) = suspended[first];
    let (before, zero) = suspended[first - 1];
    assert_eq!(zero, 0);
    assert!(before >= DAY_US && after <= 2 * DAY_US + 3_600_000_000);
    assert!(suspended[first..].iter().all(|&(_, v)| v == devices));
    let apply = &s["latency"]["cpl.apply"];
    assert!(apply["min_us"].as_u64().unwrap() <= DAY_US);

    // Stopped just before the apply, the same run has no suspension and no E5 at all.
    let cut = run_ok(
        REMOVAL,
        &dir.join("cut"),
        &[
            "--set",
            &format!("scenario.duration={}s", before / 1_000_000),
        ],
    );
    assert_eq!(gauge_final(&cut, "smi.status{status=Suspended}"), 0);
    assert_eq!(counter_sum(&cut, "sr.rejected{code=E5,"), 0);
    assert_eq!(counter(&cut, "cpl.removal{cause=cpa_expired}"), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn notices_and_conditional_certificates() {
    let dir = scratch("cpl-notices");
    let out = dir.join("run");
    let o = dccsim(&["run", REMOVAL, "--out", out.to_str().unwrap()]);
    assert!(o.status.success());
    let stdout = String::from_utf8_lossy(&o.stdout);
    let s = common::summary(&out);
    assert_eq!(counter(&s, "cpl.notice{months=12}"), 1);
    assert_eq!(counter(&s, "cpl.notice{months=6}"), 1);
    assert!(stdout.contains("12-month notice: CPA certificate CPA-BOLT-1"));
    assert!(stdout.contains("6-month notice: CPA certificate CPA-GAS-1"));
    // The HCALCS entry's condition lapses; the hub's was extended in time.
    assert_eq!(counter(&s, "cpl.removal{cause=condition_lapsed}"), 1);
    assert_eq!(
        counter(&s, "cpl.devices{change=suspended,model=hub-c1}"),
        0,
        "the extended hub certificate must not lapse"
    );

    // Extend the other certificate instead: the hub's lapses and every hub is suspended.
    let s = run_ok(
        REMOVAL,
        &dir.join("hub-lapses"),
        &["--set", "timeline.0.certificate=CPA-SW-1"],
    );
    let hubs = scalar(&s, "cpl.model_devices{model=hub-c1}");
    assert!(hubs > 0.0);
    assert_eq!(
        counter(&s, "cpl.devices{change=suspended,model=hub-c1}") as f64,
        hubs
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn firmware_entries_need_a_certificate_mapping() {
    let dir = scratch("cpl-mapping");
    let s = run_ok(MAPPING, &dir.join("run"), &[]);
    assert_eq!(counter(&s, "cpl.extract{result=accepted}"), 1);
    assert_eq!(
        counter(
            &s,
            "cpl.entry_refused{reason=certificate_names_other_firmware}"
        ),
        1
    );
    assert_eq!(
        counter(&s, "cpl.entry_refused{reason=missing_dlms_certificate}"),
        1
    );
    // The base entry and the mapped firmware-2.0 entry are listed; the other two are not.
    assert_eq!(gauge_final(&s, "cpl.entries{state=listed}"), 2);
    assert_eq!(gauge_final(&s, "cpl.published{state=listed}"), 4);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tampered_or_unsigned_extracts_leave_the_cpl_as_it_was() {
    let dir = scratch("cpl-tampered");
    for signature in ["tampered", "missing"] {
        let out = dir.join(signature);
        let set = format!("timeline.0.signature={signature}");
        let s = run_ok(MAPPING, &out, &["--set", &set]);
        assert_eq!(counter(&s, "cpl.extract{result=rejected_signature}"), 1);
        assert_eq!(counter(&s, "cpl.extract{result=accepted}"), 0);
        assert_eq!(counter_sum(&s, "cpl.entry_refused"), 0);
        // SECAS published the new entries, but the DSP's CPL never moved.
        assert_eq!(gauge_final(&s, "cpl.published{state=listed}"), 4);
        for state in ["listed", "removed", "buffered"] {
            let name = format!("cpl.entries{{state={state}}}");
            let values = series(&out, &name);
            assert!(values.len() > 10);
            assert!(
                values.iter().all(|&(_, v)| v == values[0].1),
                "{signature}: {name} changed: {values:?}"
            );
        }
        assert_eq!(gauge_final(&s, "cpl.entries{state=listed}"), 1);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cpl_runs_are_reproducible() {
    let dir = scratch("cpl-determinism");
    // The removal scenario draws its apply delays and signs with a key from the seed.
    let run = |name: &str| run_ok(REMOVAL, &dir.join(name), &[]);
    let (a, b) = (run("a"), run("b"));
    assert_eq!(a["digest"], b["digest"]);
    assert_eq!(a["latency"]["cpl.apply"], b["latency"]["cpl.apply"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

const GBCS: &str = "scenarios/cpl-gbcs-upgrade.toml";
const DUPLICATE: &str = "scenarios/cpl-duplicate-hardware.toml";

#[test]
fn unknown_gbcs_entries_are_buffered_and_their_installs_refused_until_learned() {
    let dir = scratch("cpl-gbcs");
    let out = dir.join("full");
    let s = run_ok(GBCS, &out, &[]);
    let refused = counter(&s, "sr.rejected{code=E11,sr=12.2}");
    assert!(
        refused > 100,
        "new-model pre-notifications refused: {refused}"
    );
    assert_eq!(counter(&s, "cpl.extract{result=accepted}"), 1);
    assert_eq!(gauge_final(&s, "cpl.entries{state=listed}"), 4);
    assert_eq!(gauge_final(&s, "cpl.entries{state=buffered}"), 0);

    // Published 4 from the extract on; loaded 2 (+2 buffered) until day 4, 4 from then on.
    let learned = 3 * DAY_US;
    let published = series(&out, "cpl.published{state=listed}");
    let listed = series(&out, "cpl.entries{state=listed}");
    let buffered = series(&out, "cpl.entries{state=buffered}");
    assert!(buffered.iter().any(|&(_, v)| v == 2));
    for ((t, p), ((_, l), (_, b))) in published.iter().zip(listed.iter().zip(&buffered)) {
        if *t >= DAY_US / 4 {
            assert_eq!(*p, 4, "published at {t}");
        }
        if *t < learned {
            assert_eq!(*l, 2, "loaded at {t}");
            assert!(*b == 0 || *b == 2);
        } else {
            assert_eq!((*l, *b), (4, 0), "loaded at {t}");
        }
    }
    // Every refusal came before the DSP learned GBCS 1.1: a run cut there has them all.
    let cut = run_ok(GBCS, &dir.join("cut"), &["--set", "scenario.duration=72h"]);
    assert_eq!(counter(&cut, "sr.rejected{code=E11,sr=12.2}"), refused);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn legacy_duplicate_check_blocks_the_second_device_type_the_fixed_one_does_not() {
    let dir = scratch("cpl-duplicate");
    let fixed = run_ok(DUPLICATE, &dir.join("fixed"), &[]);
    assert_eq!(counter_sum(&fixed, "cpl.entry_refused"), 0);
    assert_eq!(counter_sum(&fixed, "sr.rejected"), 0);
    assert_eq!(gauge_final(&fixed, "cpl.entries{state=listed}"), 2);
    let installed = counter(&fixed, "install.step{result=ok,step=commission}");
    assert!(installed > 500);

    let legacy = run_ok(
        DUPLICATE,
        &dir.join("legacy"),
        &["--set", "dsp.legacy_duplicate_check=true"],
    );
    assert_eq!(
        counter(&legacy, "cpl.entry_refused{reason=duplicate_hardware}"),
        1
    );
    assert_eq!(gauge_final(&legacy, "cpl.entries{state=listed}"), 1);
    let blocked = counter(&legacy, "sr.rejected{code=E11,sr=12.2}");
    assert!(
        blocked > 100,
        "polyphase pre-notifications refused: {blocked}"
    );
    // The same installations are drawn; the blocked polyphase meters are the difference (with
    // the meters whose HAN the radio could not join, which never reach commissioning).
    let no_han = |s: &Value| counter(s, "install.step{result=no_han,step=join}");
    assert_eq!(
        counter(&legacy, "install.step{result=ok,step=commission}") + blocked + no_han(&legacy),
        installed + no_han(&fixed)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_revoked_certificate_suspends_its_model_and_silences_its_notices() {
    let dir = scratch("cpl-revoke");
    let file = dir.join("revoke.toml");
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(REMOVAL))
        .unwrap()
        + "\n[[timeline]]\nat = \"12h\"\nevent = \"revoke_certificate\"\ncertificate = \"ZB-GAS-1\"\n";
    std::fs::write(&file, text).unwrap();
    let s = run_ok(file.to_str().unwrap(), &dir.join("run"), &[]);
    let gas = scalar(&s, "cpl.model_devices{model=gasco-g1}");
    assert!(gas > 1000.0);
    assert_eq!(counter(&s, "cpl.removal{cause=certificate_revoked}"), 1);
    assert_eq!(
        counter(&s, "cpl.devices{change=suspended,model=gasco-g1}") as f64,
        gas
    );
    // The gas entry is off the list before its 6-month notice would go out on day 2.
    assert_eq!(counter(&s, "cpl.notice{months=6}"), 0);
    assert_eq!(counter(&s, "cpl.notice{months=12}"), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
