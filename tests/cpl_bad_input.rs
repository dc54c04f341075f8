//! Bad CPL sections (`[cpl]`, `[[cpl_entry]]`, `[[timeline]]`, `[dsp] legacy_duplicate_check`)
//! through the real binary: exit code 2, a `file:line:col` message in plain English, no panic and
//! no output folder.

mod common;
use common::{dccsim, scratch};

/// A small valid scenario with a CPL; every case below breaks it in one place.
const VALID: &str = r#"[scenario]
name = "cpl-bad-input"
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

[[cpl_entry]]
id = "acme-e1-v1"
model = "acme-e1"
zigbee_certificate = "ZB-1"
dlms_certificate = "DLMS-1"
cpa_certificate = { id = "CPA-1", expires = "2027-01-01", condition = "2026-06-01" }

[cpl]
apply_delay = { dist = "uniform", min = "0s", max = "24h" }

[dsp]
legacy_duplicate_check = false

[[timeline]]
at = "2026-01-06"
event = "extend_condition"
certificate = "CPA-1"
until = "2026-09-01"

[[timeline]]
at = "12h"
event = "publish_extract"
remove = ["acme-e1-v1"]
signature = "valid"

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
    common::assert_valid("cpl-valid", VALID);
}

#[test]
fn entry_names_an_unknown_model() {
    refused(
        "cpl-model",
        "model = \"acme-e1\"\nzig",
        "model = \"acme-e2\"\nzig",
        25,
        9,
        &[
            "no [[device_model]] has id \"acme-e2\"",
            "did you mean \"acme-e1\"",
        ],
    );
}

#[test]
fn entry_in_force_lacks_a_required_certificate() {
    refused(
        "cpl-dlms",
        "dlms_certificate = \"DLMS-1\"\n",
        "",
        23,
        1,
        &[
            "cannot be on the CPL at the start",
            "DLMS certificate",
            "in_force = false",
        ],
    );
}

#[test]
fn unknown_key_in_an_entry() {
    refused(
        "cpl-key",
        "zigbee_certificate = \"ZB-1\"",
        "zigbee_cert = \"ZB-1\"",
        26,
        1,
        &[
            "unknown key `zigbee_cert` in [[cpl_entry]]",
            "zigbee_certificate",
        ],
    );
}

#[test]
fn impossible_cpa_dates() {
    refused(
        "cpl-date",
        "expires = \"2027-01-01\"",
        "expires = \"2027-02-30\"",
        28,
        45,
        &["calendar date", "\"2027-02-30\""],
    );
    refused(
        "cpl-condition",
        "condition = \"2026-06-01\"",
        "condition = \"2028-06-01\"",
        28,
        71,
        &["must be before the certificate expires"],
    );
}

#[test]
fn bad_cpl_table() {
    refused(
        "cpl-apply",
        "apply_delay = { dist = \"uniform\", min = \"0s\", max = \"24h\" }",
        "apply_delay = \"24h\"",
        31,
        15,
        &["must be a distribution"],
    );
    refused(
        "cpl-table-key",
        "apply_delay = {",
        "apply_window = {",
        31,
        1,
        &["unknown key `apply_window` in [cpl]"],
    );
}

#[test]
fn legacy_check_must_be_a_boolean() {
    refused(
        "cpl-legacy",
        "legacy_duplicate_check = false",
        "legacy_duplicate_check = \"yes\"",
        34,
        26,
        &["must be true or false"],
    );
}

#[test]
fn timeline_mistakes() {
    refused(
        "tl-event",
        "event = \"publish_extract\"",
        "event = \"publish\"",
        44,
        9,
        &["unknown timeline event \"publish\""],
    );
    refused(
        "tl-entry",
        "remove = [\"acme-e1-v1\"]",
        "remove = [\"acme-e1-v2\"]",
        45,
        11,
        &["no [[cpl_entry]] has id \"acme-e1-v2\""],
    );
    refused(
        "tl-signature",
        "signature = \"valid\"",
        "signature = \"forged\"",
        46,
        13,
        &["unknown signature \"forged\""],
    );
    refused(
        "tl-before",
        "at = \"2026-01-06\"",
        "at = \"2026-01-01\"",
        37,
        6,
        &["before the scenario starts"],
    );
    refused("tl-at", "at = \"12h\"", "at = 12", 43, 6, &["has no unit"]);
    refused(
        "tl-cert",
        "certificate = \"CPA-1\"",
        "certificate = \"ZB-1\"",
        39,
        15,
        &["not a conditional CPA certificate"],
    );
    refused(
        "tl-until",
        "until = \"2026-09-01\"",
        "until = \"2026-01-06\"",
        40,
        9,
        &["must be after the event itself"],
    );
    refused(
        "tl-key",
        "signature = \"valid\"",
        "signed = \"valid\"",
        46,
        1,
        &["unknown key `signed`"],
    );
}

#[test]
fn an_entry_in_force_cannot_have_an_expired_cpa() {
    refused(
        "cpl-expired",
        "expires = \"2027-01-01\", condition = \"2026-06-01\"",
        "expires = \"2026-01-05\"",
        23,
        1,
        &["passed its expiry date on 2026-01-05"],
    );
    refused(
        "cpl-lapsed",
        "condition = \"2026-06-01\"",
        "condition = \"2025-12-01\"",
        23,
        1,
        &["passed its condition date on 2025-12-01"],
    );
}

#[test]
fn a_timeline_date_may_be_a_toml_date() {
    let dir = scratch("cpl-toml-date");
    let file = dir.join("s.toml");
    let text = VALID.replacen("at = \"2026-01-06\"", "at = 2026-01-06", 1);
    std::fs::write(&file, text).unwrap();
    let o = dccsim(&["validate", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}
