//! The rule of DOMAIN §2 through the real binary: the DCC communicates only with devices whose
//! Device Model is on the CPL it has loaded. A removed model gets no way back through opt-out and
//! opt-in; meters behind a Suspended hub are not served; a described model without a CPL entry
//! is refused when the scenario models the CPL; a DCC that applies an extract after its 24-hour
//! window is said to be late (issue 14, items 1–4).

mod common;
use common::{counter, dccsim, gauge_final, run_ok, scratch};
use serde_json::Value;

/// 200 premises (no gas) with one hub model and one meter model, both on the CPL. Each night
/// every meter opts out (8.5, 00:00–01:00); at 02:00 the certificate `{REVOKED}` is revoked and
/// the DSP applies the extract an hour later; every meter opts back in (8.6, 04:00–05:00); daily
/// reads (4.6.1) run 06:00–10:00.
const SCENARIO: &str = r#"
[scenario]
name = "cpl-service"
seed = 7
duration = "12h"

[population]
premises = 200
gas_share = 0.0

[han]
flat_share = 0.0
background = 0.0
background_868 = 0.0

[[supplier]]
name = "alpha"
share = 1.0

[[device_model]]
id = "hub-c1"
type = "comms-hub"
manufacturer = "Hubco"
model = "C1"
hardware = "1.0"
firmware = "1.0"
share = 1.0

[[device_model]]
id = "acme-e1"
type = "esme-single"
manufacturer = "Acme"
model = "E1"
hardware = "1.0"
firmware = "1.0"
share = 1.0

[[cpl_entry]]
id = "hub-c1"
model = "hub-c1"
zigbee_certificate = "ZB-HUB-1"
cpa_certificate = { id = "CPA-HUB-1", expires = "2030-01-01" }

[[cpl_entry]]
id = "acme-e1"
model = "acme-e1"
zigbee_certificate = "ZB-ACME-1"
dlms_certificate = "DLMS-ACME-1"
cpa_certificate = { id = "CPA-ACME-1", expires = "2030-01-01" }

[cpl]
apply_delay = { dist = "const", value = "1h" }

[[timeline]]
at = "2h"
event = "revoke_certificate"
certificate = "{REVOKED}"

[[traffic]]
sr = "8.5"
window = { start = "00:00", length = "1h" }

[[traffic]]
sr = "8.6"
window = { start = "04:00", length = "1h" }

[[traffic]]
sr = "4.6.1"
window = { start = "06:00", length = "4h" }
"#;

/// Runs the scenario with `revoked` as the revoked certificate and `sets`.
fn run(name: &str, revoked: &str, sets: &[&str]) -> (Value, String) {
    let dir = scratch(name);
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, SCENARIO.replace("{REVOKED}", revoked)).unwrap();
    let out = dir.join("out");
    let mut args = vec![
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    for s in sets {
        args.extend_from_slice(&["--set", s]);
    }
    let o = dccsim(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = common::summary(&out);
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    (
        summary,
        String::from_utf8_lossy(&o.stdout).into_owned() + &report,
    )
}

/// Item 1. The removal reaches the meters while they are Withdrawn: they are Suspended all the
/// same (remembering Withdrawn), so 8.6 is refused E5 and every daily read is refused E5.
/// Before: the removal skipped Withdrawn meters, 8.6 returned them to Commissioned and all 200
/// daily reads completed.
#[test]
fn opting_out_and_in_does_not_bring_a_removed_model_back() {
    let (s, _) = run("cpl-optout", "ZB-ACME-1", &[]);
    assert_eq!(
        counter(&s, "smi.transition{from=Withdrawn,to=Suspended}"),
        200
    );
    assert_eq!(counter(&s, "sr.rejected{code=E5,sr=8.6}"), 200);
    assert_eq!(counter(&s, "sr.rejected{code=E5,sr=4.6.1}"), 200);
    assert_eq!(counter(&s, "sr.completed{region=central,sr=4.6.1}"), 0);
    assert_eq!(gauge_final(&s, "smi.status{status=Suspended}"), 200);
    assert_eq!(
        gauge_final(&s, "smi.status{status=Commissioned}"),
        200,
        "the hubs"
    );
}

/// Item 3. The hubs' model is removed: every hub is Suspended, and since the hub carries every
/// command to its meters, the DSP refuses the daily reads to the (listed, Commissioned) meters
/// behind them with E5. Before: a Suspended hub changed nothing and all 200 reads completed.
#[test]
fn meters_behind_a_suspended_hub_are_not_served() {
    let (s, _) = run("cpl-hub", "ZB-HUB-1", &[]);
    assert_eq!(
        counter(&s, "cpl.devices{change=suspended,model=hub-c1}"),
        200
    );
    assert_eq!(counter(&s, "sr.rejected{code=E5,sr=4.6.1}"), 200);
    let completed: u64 = ["north", "central", "south"]
        .iter()
        .map(|r| counter(&s, &format!("sr.completed{{region={r},sr=4.6.1}}")))
        .sum();
    assert_eq!(completed, 0);
    // Opt In ends at the DSP: it does not cross the hub, so the meters are Commissioned again.
    assert_eq!(counter(&s, "sr.rejected{code=E5,sr=8.6}"), 0);
}

/// Item 4. An apply delay of 30 h, past the DCC's 24-hour window, is accepted; the late apply
/// is counted (`cpl.apply_late`), and the terminal and report.html say so. Before: nothing
/// said it but a 0 % within-TRT.
#[test]
fn a_late_dcc_is_counted_and_reported() {
    let (s, text) = run(
        "cpl-late",
        "ZB-ACME-1",
        &[
            "cpl.apply_delay={ dist = \"const\", value = \"30h\" }",
            "scenario.duration=36h",
        ],
    );
    assert_eq!(counter(&s, "cpl.apply_late"), 1);
    assert!(
        text.contains("1 of 1 accepted extracts reached the SMI after the DCC's 24-hour window"),
        "{text}"
    );
    assert!(text.contains("data-warning=\"cpl.apply_late\""));
    let (on_time, text) = run("cpl-on-time", "ZB-ACME-1", &[]);
    assert_eq!(counter(&on_time, "cpl.apply_late"), 0);
    assert!(
        on_time["counters"]["cpl.apply_late"].is_u64(),
        "always counted"
    );
    assert!(!text.contains("24-hour window"));
}

/// Item 2. A scenario with CPL entries describes a meter model with none: refused where the model
/// is described, naming it. Before: it was served as listed.
#[test]
fn a_described_model_without_a_cpl_entry_is_refused() {
    let text = SCENARIO.replace("{REVOKED}", "ZB-ACME-1").replacen(
        "share = 1.0\n\n[[cpl_entry]]\nid = \"hub-c1\"",
        "share = 0.5\n\n[[device_model]]\nid = \"bolt-e2\"\ntype = \"esme-single\"\n\
         manufacturer = \"Bolt\"\nmodel = \"E2\"\nhardware = \"2.0\"\nfirmware = \"1.4\"\n\
         share = 0.5\n\n[[cpl_entry]]\nid = \"hub-c1\"",
        1,
    );
    let line = text.lines().position(|l| l == "id = \"bolt-e2\"").unwrap() + 1;
    common::assert_refused_at(
        "cpl-no-entry",
        &text,
        line,
        6,
        &["Device Model \"bolt-e2\" has no [[cpl_entry]]"],
    );
}

/// Item 2, the documented default: built-in models (types the scenario describes no model for)
/// are served as listed, and the run says so.
#[test]
fn built_in_models_without_an_entry_are_named_after_the_run() {
    let text = SCENARIO.replace("{REVOKED}", "ZB-ACME-1");
    let hub_model = text.find("[[device_model]]\nid = \"hub-c1\"").unwrap();
    let meter_model = text.find("[[device_model]]\nid = \"acme-e1\"").unwrap();
    let hub_entry = text.find("[[cpl_entry]]\nid = \"hub-c1\"").unwrap();
    let meter_entry = text.find("[[cpl_entry]]\nid = \"acme-e1\"").unwrap();
    let text = format!(
        "{}{}{}",
        &text[..hub_model],
        &text[meter_model..hub_entry],
        &text[meter_entry..]
    );
    let dir = scratch("cpl-builtin");
    let file = dir.join("builtin.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.join("out");
    let o = dccsim(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout.contains("built-in Device Model default-comms-hub has no CPL entry: its 200"),
        "{stdout}"
    );
    let s = run_ok(file.to_str().unwrap(), &dir.join("again"), &[]);
    assert_eq!(
        s["scalars"]["cpl.no_entry_devices{model=default-comms-hub}"].as_f64(),
        Some(200.0)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
