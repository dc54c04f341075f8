//! SMETS1 enrolment and adoption through the real binary: only the DCC may submit SMETS1 CPL
//! entries; a meter whose model is not on the CPL the DCC has loaded is never enrolled; every
//! planned meter is accounted for (enrolled + refused + failed + pending), also when the run is
//! cut off mid-migration or the SMETS1 service is starved; SRs outside the SMETS1 subset are
//! refused with E11; bad `[[migration]]` and SMETS1 `[[cpl_entry]]` input is a located exit-2
//! error.

mod common;
use common::{counter, counter_sum, dccsim, gauge_final, run_ok, scalar, scratch};
use serde_json::Value;

const SCENARIO: &str = "scenarios/smets1-enrolment.toml";

/// `smets1.migration{…}` by its labels.
fn migration(s: &Value, labels: &str) -> u64 {
    counter(s, &format!("smets1.migration{{{labels}}}"))
}

/// Planned = enrolled + refused + failed + pending, each counted once.
fn assert_conserved(s: &Value) {
    let planned = migration(s, "result=planned");
    let enrolled = migration(s, "result=enrolled");
    let refused = migration(s, "reason=not_on_cpl,result=refused");
    let failed = counter_sum(s, "smets1.migration{cause=");
    let pending = migration(s, "result=pending");
    assert!(planned > 0);
    assert_eq!(
        planned,
        enrolled + refused + failed + pending,
        "enrolled {enrolled} refused {refused} failed {failed} pending {pending}"
    );
}

fn latency_count(s: &Value, flow: &str) -> u64 {
    s["latency"][flow]["count"].as_u64().unwrap_or(0)
}

#[test]
fn the_scenario_enrols_one_model_refuses_one_and_serves_reads_on_the_smets1_path() {
    let dir = scratch("smets1-base");
    let s = run_ok(SCENARIO, &dir, &[]);
    assert_conserved(&s);
    // 1,100 sentinel (listed) + 300 lumen (entry refused) + 600 orbis (listed after day 1's
    // extract is applied).
    assert_eq!(migration(&s, "result=planned"), 2000);
    assert_eq!(migration(&s, "result=pending"), 0);
    let refused = migration(&s, "reason=not_on_cpl,result=refused");
    assert!(refused >= 300, "every lumen meter is refused: {refused}");
    assert!(
        refused < 300 + 600,
        "orbis meters enrol after the apply: {refused}"
    );
    let failed = counter_sum(&s, "smets1.migration{cause=");
    assert!(
        failed > 0,
        "the default failure shares fail some migrations"
    );
    // Enrolled meters are on the SMI, Commissioned, beside the SMETS2 devices (3,000 hubs,
    // 3,000 electricity meters and the gas meters, all Commissioned from the start).
    let gas = scalar(&s, "cpl.no_entry_devices{model=default-gsme}") as i64;
    let enrolled = migration(&s, "result=enrolled") as i64;
    assert_eq!(
        gauge_final(&s, "smi.status{status=Commissioned}"),
        6000 + gas + enrolled
    );
    // Reads to enrolled SMETS1 meters take the SMETS1 service's path, with their own flows.
    for sr in ["4.1.1", "4.6.1"] {
        let e2e = &s["latency"][format!("smets1.e2e{{sr={sr}}}")];
        let n = e2e["count"].as_u64().unwrap();
        assert!(n > 0, "{sr}: no SMETS1 read");
        assert_eq!(e2e["trt_us"].as_u64(), Some(30_000_000), "{sr}");
        assert_eq!(
            latency_count(&s, &format!("sr.hop{{hop=smets1_meter,sr={sr}}}")),
            n,
            "{sr}: every SMETS1 read crossed to its meter once"
        );
        assert_eq!(
            latency_count(&s, &format!("sr.hop{{hop=smets1,sr={sr}}}")),
            2 * n,
            "{sr}: the service handled each read out and back"
        );
    }
    assert_eq!(s["in_flight_at_end"].as_u64(), Some(0));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A SMETS1 fleet enrolled before the run (`[[smets1_fleet]]`) is on the SMI, Commissioned, from
/// the start and in its suppliers' traffic: its meters' daily reads take the SMETS1 path on every
/// day of the run, beside the cohorts' (whose accounting it leaves alone).
#[test]
fn a_fleet_enrolled_before_the_run_is_served_from_the_start() {
    let dir = scratch("smets1-fleet-base");
    let base = run_ok(SCENARIO, &dir, &[]);
    let dir2 = scratch("smets1-fleet");
    let fleet = run_ok(
        SCENARIO,
        &dir2,
        &[
            "--set",
            "smets1_fleet=[{ model = \"sentinel-s1\", meters = 500 }]",
        ],
    );
    assert_conserved(&fleet);
    assert_eq!(scalar(&fleet, "smets1.fleet"), 500.0);
    assert!(base["scalars"].get("smets1.fleet").is_none());
    assert_eq!(
        migration(&fleet, "result=planned"),
        migration(&base, "result=planned")
    );
    let commissioned = |s: &Value| {
        gauge_final(s, "smi.status{status=Commissioned}") - migration(s, "result=enrolled") as i64
    };
    assert_eq!(commissioned(&fleet), commissioned(&base) + 500);
    // One daily read log a meter a day, three days: ~1,500 more on the SMETS1 path.
    let reads = |s: &Value| latency_count(s, "smets1.e2e{sr=4.6.1}");
    let more = reads(&fleet) - reads(&base);
    assert!(
        (1_400..=1_600).contains(&more),
        "{more} more SMETS1 daily reads"
    );
    assert_eq!(fleet["in_flight_at_end"].as_u64(), Some(0));
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&dir2).unwrap();
}

#[test]
fn only_the_dcc_may_submit_smets1_entries() {
    let dir = scratch("smets1-dcc-only");
    let s = run_ok(SCENARIO, &dir, &[]);
    let reason = "cpl.entry_refused{reason=smets1_not_submitted_by_dcc}";
    assert_eq!(counter(&s, reason), 1, "lumen's supplier-submitted entry");
    assert_eq!(
        counter(&s, "cpl.devices{change=restored,model=lumen-s1}"),
        0
    );
    let refused = migration(&s, "reason=not_on_cpl,result=refused");
    // The same entry submitted by the DCC is loaded, and lumen meters enrol after the apply.
    let dir2 = scratch("smets1-dcc-submits");
    let by_dcc = run_ok(
        SCENARIO,
        &dir2,
        &["--set", "cpl_entry.3.submitted_by=\"dcc\""],
    );
    assert_eq!(counter(&by_dcc, reason), 0);
    assert!(
        migration(&by_dcc, "reason=not_on_cpl,result=refused") < refused,
        "lumen meters migrated after the apply are enrolled"
    );
    assert!(migration(&by_dcc, "result=enrolled") > migration(&s, "result=enrolled"));
    assert_conserved(&by_dcc);
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&dir2).unwrap();
}

#[test]
fn no_meter_is_enrolled_while_its_model_is_off_the_cpl() {
    // No SMETS1 entry ever listed: sentinel's off from the start, no extract published.
    let dir = scratch("smets1-off-cpl");
    let s = run_ok(
        SCENARIO,
        &dir,
        &[
            "--set",
            "cpl_entry.2.in_force=false",
            "--set",
            "timeline=[]",
        ],
    );
    assert_conserved(&s);
    assert_eq!(migration(&s, "result=enrolled"), 0);
    assert_eq!(counter_sum(&s, "smets1.migration{cause="), 0);
    assert_eq!(
        migration(&s, "reason=not_on_cpl,result=refused"),
        migration(&s, "result=planned")
    );
    // Not enrolled: no SR ever reaches a SMETS1 meter.
    assert_eq!(latency_count(&s, "smets1.e2e{sr=4.1.1}"), 0);
    assert_eq!(counter(&s, "sr.rejected{code=E11,sr=8.1.1}"), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn migration_counts_are_conserved_cut_off_and_starved() {
    // Cut off on day 2: the cohorts still running leave meters pending.
    let dir = scratch("smets1-cut");
    let s = run_ok(SCENARIO, &dir, &["--set", "scenario.duration=\"30h\""]);
    assert_conserved(&s);
    assert!(migration(&s, "result=pending") > 0);
    // A SMETS1 service with one worker: requests queue, none is lost or miscounted.
    let dir2 = scratch("smets1-starved");
    let starved = run_ok(
        SCENARIO,
        &dir2,
        &[
            "--set",
            "smets1.workers=1",
            "--set",
            "smets1.service_time={ dist = \"const\", value = \"20s\" }",
            "--set",
            "migration.0.fail={ data = 0.5, device_test = 0.3, commissioning = 0.2 }",
        ],
    );
    assert_conserved(&starved);
    // Every sentinel migration fails (the shares sum to 1); orbis meters still enrol.
    assert!(counter_sum(&starved, "smets1.migration{cause=") >= 1100);
    assert!(migration(&starved, "result=enrolled") > 0);
    let e2e = &starved["latency"]["smets1.e2e{sr=4.1.1}"];
    assert!(
        e2e["within_trt"].as_f64().unwrap() < 0.5,
        "a starved SMETS1 service misses the TRT: {e2e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&dir2).unwrap();
}

#[test]
fn srs_outside_the_smets1_subset_are_refused_e11() {
    let dir = scratch("smets1-subset");
    let o = dccsim(&["run", SCENARIO, "--out", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = common::summary(&dir);
    // Commission Device to enrolled SMETS1 meters: not a SMETS1 Service Request (E11), with its
    // plain-English text; to SMETS2 meters: already Commissioned (E5).
    assert!(counter(&s, "sr.rejected{code=E11,sr=8.1.1}") > 0);
    assert!(counter(&s, "sr.rejected{code=E5,sr=8.1.1}") > 0);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("a SMETS1 meter takes fewer Service Requests"),
        "{stdout}"
    );
    // Without SMETS1 meters no 8.1.1 is refused E11.
    let dir2 = scratch("smets1-subset-off");
    let off = run_ok(SCENARIO, &dir2, &["--set", "migration=[]"]);
    assert_eq!(counter(&off, "sr.rejected{code=E11,sr=8.1.1}"), 0);
    assert!(counter(&off, "sr.rejected{code=E5,sr=8.1.1}") > 0);
    assert!(off["latency"].get("smets1.e2e{sr=4.1.1}").is_none());
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&dir2).unwrap();
}

/// A small valid scenario with one SMETS1 cohort; every case below breaks it in one place.
const VALID: &str = r#"[scenario]
name = "smets1-bad-input"
seed = 1
duration = "2d"
start_date = "2026-01-05"

[population]
premises = 200

[[supplier]]
name = "alpha"
share = 1.0

[[device_model]]
id = "acme-e1"
type = "esme-single"
manufacturer = "Acme"
model = "E1"
hardware = "1.0"
firmware = "1.0"
share = 1.0

[[device_model]]
id = "sentinel-s1"
type = "esme-single"
manufacturer = "Sentinel"
model = "S1"
hardware = "1.0"
firmware = "4.2"
share = 0.0

[[cpl_entry]]
id = "acme-e1-v1"
model = "acme-e1"
zigbee_certificate = "ZB-1"
dlms_certificate = "DLMS-1"
cpa_certificate = { id = "CPA-1", expires = "2027-01-01" }

[[cpl_entry]]
id = "sentinel-s1-v4.2"
model = "sentinel-s1"
smets = 1
compliance_statement = "CS-1"
dcc_test = "passed"

[smets1]
workers = 50
latency = { dist = "lognormal", median = "3s", sigma = 0.6 }

[[migration]]
model = "sentinel-s1"
supplier = "alpha"
per_day = 100
start = "2026-01-05"
until = "36h"
fail = { data = 0.01, device_test = 0.02, commissioning = 0.01 }

[[traffic]]
sr = "4.1.1"
per_premises_per_day = 1
"#;

/// `VALID` with `from` replaced by `to` is refused at `line:col` with every text of `words`.
fn refused(name: &str, from: &str, to: &str, line: usize, col: usize, words: &[&str]) {
    common::assert_edit_refused(VALID, name, (from, to), (line, col), words);
}

#[test]
fn the_base_scenario_is_valid() {
    common::assert_valid("smets1-valid", VALID);
}

#[test]
fn migration_names_an_unknown_model_or_supplier() {
    let cohort = "model = \"sentinel-s1\"\nsupplier";
    refused(
        "s1-model",
        cohort,
        "model = \"sentinal-s1\"\nsupplier",
        51,
        9,
        &[
            "no [[device_model]] has id \"sentinal-s1\"",
            "did you mean \"sentinel-s1\"",
        ],
    );
    refused(
        "s1-smets2-model",
        cohort,
        "model = \"acme-e1\"\nsupplier",
        51,
        9,
        &["SMETS2 [[cpl_entry]] \"acme-e1-v1\"", "smets = 1"],
    );
    refused(
        "s1-supplier",
        "supplier = \"alpha\"\nper_day",
        "supplier = \"gamma\"\nper_day",
        52,
        12,
        &["names no [[supplier]] \"gamma\"", "\"alpha\""],
    );
}

/// `[[smets1_fleet]]` names a SMETS1 model listed at the start, a known supplier, 1 or more meters.
#[test]
fn smets1_fleet_input_is_checked() {
    let fleet = "\n[[smets1_fleet]]\nmodel = \"sentinel-s1\"\nsupplier = \"alpha\"\nmeters = 100\n";
    let valid = format!("{VALID}{fleet}");
    common::assert_valid("s1-fleet-valid", &valid);
    let case = |name: &str, from: &str, to: &str, at: &str, words: &[&str]| {
        common::assert_edit_refused_where(&valid, name, (from, to), at, words);
    };
    case(
        "s1-fleet-meters",
        "meters = 100",
        "meters = -3",
        "-3",
        &["a fleet has 1 to"],
    );
    case(
        "s1-fleet-supplier",
        "supplier = \"alpha\"\nmeters",
        "supplier = \"gamma\"\nmeters",
        "\"gamma\"",
        &["names no [[supplier]] \"gamma\""],
    );
    case(
        "s1-fleet-smets2",
        "model = \"sentinel-s1\"\nsupplier = \"alpha\"\nmeters",
        "model = \"acme-e1\"\nsupplier = \"alpha\"\nmeters",
        "\"acme-e1\"\nsupplier = \"alpha\"\nmeters",
        &["SMETS2 [[cpl_entry]]"],
    );
    case(
        "s1-fleet-key",
        "meters = 100",
        "meter = 100",
        "meter = 100",
        &["meters"],
    );
    // A model whose only SMETS1 entry is not yet on the CPL cannot have been enrolled.
    let unlisted = valid.replacen(
        "dcc_test = \"passed\"",
        "dcc_test = \"passed\"\nin_force = false",
        1,
    );
    common::assert_edit_refused_where(
        &unlisted,
        "s1-fleet-unlisted",
        ("meters = 100", "meters = 100"),
        "\"sentinel-s1\"\nsupplier = \"alpha\"\nmeters",
        &["no SMETS1 [[cpl_entry]] on the CPL at the start"],
    );
}

#[test]
fn migration_rates_must_be_positive_numbers() {
    for (name, value) in [("s1-zero", "0"), ("s1-negative", "-5")] {
        refused(
            name,
            "per_day = 100",
            &format!("per_day = {value}"),
            53,
            11,
            &[
                "`per_day` in [[migration]] is",
                "positive number of meters a day",
            ],
        );
    }
    refused(
        "s1-quoted",
        "per_day = 100",
        "per_day = \"100\"",
        53,
        11,
        &["must be a number", "remove the quotes"],
    );
    refused(
        "s1-total",
        "until = \"36h\"",
        "total = 0",
        55,
        9,
        &["`total` in [[migration]] is 0", "1 to"],
    );
}

#[test]
fn migration_dates_must_be_real_and_in_order() {
    let start = "start = \"2026-01-05\"";
    refused(
        "s1-bad-date",
        start,
        "start = \"2026-02-30\"",
        54,
        9,
        &["calendar date written YYYY-MM-DD", "\"2026-02-30\" is not"],
    );
    refused(
        "s1-early-date",
        start,
        "start = \"2025-12-31\"",
        54,
        9,
        &["before the scenario starts (2026-01-05)"],
    );
    refused(
        "s1-late-start",
        start,
        "start = \"3d\"",
        54,
        9,
        &["starts at 3d, when the run (2d) is over"],
    );
    refused(
        "s1-until",
        "until = \"36h\"",
        "until = \"2026-01-05\"",
        55,
        9,
        &["not after the cohort's start"],
    );
    refused(
        "s1-until-total",
        "until = \"36h\"",
        "until = \"36h\"\ntotal = 10",
        56,
        9,
        &["both `until` and `total`"],
    );
}

#[test]
fn migration_keys_are_checked() {
    refused(
        "s1-key",
        "supplier = \"alpha\"\nper_day",
        "suplier = \"alpha\"\nper_day",
        52,
        1,
        &[
            "unknown key `suplier` in [[migration]]",
            "did you mean `supplier`",
        ],
    );
    refused(
        "s1-fail-key",
        "fail = { data = 0.01",
        "fail = { dta = 0.01",
        56,
        10,
        &["unknown key `dta`", "did you mean `data`"],
    );
    refused(
        "s1-fail-sum",
        "fail = { data = 0.01",
        "fail = { data = 0.99",
        56,
        8,
        &["sum to 1.02, more than 1"],
    );
    refused(
        "s1-service-key",
        "workers = 50",
        "worker = 50",
        47,
        1,
        &["unknown key `worker` in [smets1]", "did you mean `workers`"],
    );
    refused(
        "s1-service-workers",
        "workers = 50",
        "workers = 0",
        47,
        11,
        &["`workers` in [smets1] must be at least 1"],
    );
}

#[test]
fn smets1_entries_are_checked() {
    refused(
        "s1-smets",
        "smets = 1",
        "smets = 3",
        42,
        9,
        &["must be 1 (a SMETS1 entry) or 2"],
    );
    refused(
        "s1-cpa",
        "dcc_test = \"passed\"",
        "dcc_test = \"passed\"\ncpa_certificate = { id = \"CPA-9\", expires = \"2027-01-01\" }",
        45,
        19,
        &["is a SMETS1 entry (`smets = 1`), which has no `cpa_certificate`"],
    );
    refused(
        "s1-submitter",
        "dcc_test = \"passed\"",
        "dcc_test = \"passed\"\nsubmitted_by = \"supplier\"",
        39,
        1,
        &[
            "cannot be on the CPL at the start",
            "only the DCC may submit SMETS1 entries",
            "cpl.entry_refused{reason=smets1_not_submitted_by_dcc}",
        ],
    );
    refused(
        "s1-test",
        "dcc_test = \"passed\"",
        "dcc_test = \"pased\"",
        44,
        12,
        &["did you mean \"passed\"", "`not_tested`"],
    );
    refused(
        "s1-smets2-statement",
        "cpa_certificate = { id = \"CPA-1\", expires = \"2027-01-01\" }",
        "cpa_certificate = { id = \"CPA-1\", expires = \"2027-01-01\" }\ncompliance_statement = \"CS-2\"",
        38,
        24,
        &["belongs to SMETS1 entries only"],
    );
    refused(
        "s1-share",
        "share = 0.0",
        "share = 0.5",
        14,
        1,
        &["sum to 1.5, not 1"],
    );
}
