//! Bad scenarios through the real binary: `dccsim run` and `dccsim validate` must refuse each one
//! with exit code 2 and one located, plain-English message — never a panic, never a half-written
//! output folder.

mod common;
use common::{dccsim, scratch};
use std::path::Path;

/// A small valid scenario; every case below breaks it in one place.
const VALID: &str = r#"[scenario]
name = "bad-input"
seed = 1
duration = "1h"

[population]
premises = 1000

[[supplier]]
name = "alpha"
share = 0.6

[[supplier]]
name = "beta"
share = 0.4

[[traffic]]
sr = "4.1.1"
per_premises_per_day = 1
"#;

/// `VALID` with `from` replaced by `to`.
fn edit(from: &str, to: &str) -> String {
    assert!(
        VALID.contains(from),
        "{from:?} is not in the valid scenario"
    );
    VALID.replacen(from, to, 1)
}

/// Runs `dccsim run SCENARIO --out DIR [extra…]` and `dccsim validate SCENARIO [extra…]`; both must
/// exit 2 with every `expected` text on stderr, no panic, and no output folder left behind.
fn assert_refused(dir: &Path, scenario: &Path, extra: &[&str], expected: &[String]) {
    let scenario = scenario.to_str().unwrap();
    let out = dir.join("out");
    let out_s = out.to_str().unwrap();
    let mut run = vec!["run", scenario, "--out", out_s];
    run.extend_from_slice(extra);
    let mut validate = vec!["validate", scenario];
    validate.extend_from_slice(extra);
    for args in [run, validate] {
        let o = dccsim(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(2),
            "dccsim {args:?} should exit 2 (bad input); stderr:\n{stderr}"
        );
        assert!(
            !stderr.contains("panicked"),
            "dccsim {args:?} panicked:\n{stderr}"
        );
        assert!(
            stderr.starts_with("error: "),
            "dccsim {args:?}: stderr should start with `error: `:\n{stderr}"
        );
        for text in expected {
            assert!(
                stderr.contains(text.as_str()),
                "dccsim {args:?}: stderr lacks {text:?}:\n{stderr}"
            );
        }
        assert!(
            !out.exists(),
            "dccsim {args:?} left an output folder {} behind",
            out.display()
        );
    }
}

/// Writes `text` as a scenario file and checks that it is refused with a message located at
/// `line:col` of that file and containing every word in `words`.
fn refused_at(name: &str, text: &str, line: usize, col: usize, words: &[&str]) {
    let dir = scratch(name);
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, text).unwrap();
    let mut expected = vec![format!("{}:{line}:{col}: ", file.display())];
    expected.extend(words.iter().map(|w| w.to_string()));
    assert_refused(&dir, &file, &[], &expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_base_scenario_is_valid() {
    let dir = scratch("valid");
    let file = dir.join("valid.toml");
    std::fs::write(&file, VALID).unwrap();
    let o = dccsim(&["validate", file.to_str().unwrap()]);
    assert!(
        o.status.success(),
        "the base scenario must be valid: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn toml_syntax_error() {
    let text = edit("[population]", "[population");
    refused_at("syntax", &text, 6, 12, &["TOML syntax error", "`]`"]);
}

#[test]
fn unquoted_duration() {
    let text = edit("duration = \"1h\"", "duration = 1h");
    refused_at(
        "unquoted",
        &text,
        4,
        12,
        &["needs quotes", "duration = \"1h\""],
    );
}

#[test]
fn unknown_key() {
    let text = edit("seed = 1", "seed = 1\ncolour = \"blue\"");
    refused_at(
        "unknown-key",
        &text,
        4,
        1,
        &["unknown key `colour` in [scenario]", "`duration`"],
    );
}

#[test]
fn misspelt_key_gets_a_suggestion() {
    let text = edit("premises = 1000", "premisses = 1000");
    refused_at(
        "misspelt",
        &text,
        7,
        1,
        &[
            "unknown key `premisses` in [population]",
            "did you mean `premises`?",
        ],
    );
}

#[test]
fn duration_without_unit() {
    let text = edit("duration = \"1h\"", "duration = 30");
    refused_at(
        "no-unit",
        &text,
        4,
        12,
        &["duration 30 has no unit", "\"30s\""],
    );
}

#[test]
fn negative_rate() {
    let text = edit("per_premises_per_day = 1", "per_premises_per_day = -2");
    refused_at(
        "negative-rate",
        &text,
        19,
        24,
        &["`per_premises_per_day`", "negative (-2)"],
    );
}

#[test]
fn shares_not_summing_to_one() {
    let text = edit("share = 0.4", "share = 0.3");
    refused_at(
        "shares",
        &text,
        9,
        1,
        &["supplier shares sum to 0.9, not 1", "alpha 0.6 + beta 0.3"],
    );
}

#[test]
fn unknown_region() {
    let text = edit(
        "premises = 1000",
        "premises = 1000\nregions = { north = 0.5, east = 0.5 }",
    );
    refused_at(
        "region",
        &text,
        8,
        26,
        &["unknown region `east`", "north, central and south"],
    );
}

#[test]
fn unknown_sr_number() {
    let text = edit("sr = \"4.1.1\"", "sr = \"4.1.9\"");
    refused_at(
        "sr",
        &text,
        18,
        6,
        &["unknown SR number \"4.1.9\"", "\"4.6.1\""],
    );
}

#[test]
fn wrong_type() {
    let text = edit("premises = 1000", "premises = \"many\"");
    refused_at(
        "type",
        &text,
        7,
        12,
        &[
            "`premises` in [population] must be a whole number",
            "\"many\"",
        ],
    );
}

#[test]
fn empty_file() {
    refused_at("empty", "", 1, 1, &["empty", "[scenario]", "[[supplier]]"]);
}

#[test]
fn missing_file() {
    let dir = scratch("missing");
    let file = dir.join("no-such-scenario.toml");
    let expected = vec![
        format!("{}: ", file.display()),
        "cannot read".to_string(),
        "No such file".to_string(),
    ];
    assert_refused(&dir, &file, &[], &expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_directory_instead_of_a_file() {
    let dir = scratch("directory");
    let folder = dir.join("scenarios");
    std::fs::create_dir(&folder).unwrap();
    let expected = vec![
        format!("{}: ", folder.display()),
        "is a directory".to_string(),
    ];
    assert_refused(&dir, &folder, &[], &expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_set_value() {
    let dir = scratch("set-value");
    let file = dir.join("valid.toml");
    std::fs::write(&file, VALID).unwrap();
    let expected = vec![
        "--set dsp.workers=-3: ".to_string(),
        "at least 1".to_string(),
    ];
    assert_refused(&dir, &file, &["--set", "dsp.workers=-3"], &expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn set_of_an_unknown_key() {
    let dir = scratch("set-key");
    let file = dir.join("valid.toml");
    std::fs::write(&file, VALID).unwrap();
    let expected = vec![
        "--set dsp.workrs=8: ".to_string(),
        "did you mean `workers`?".to_string(),
    ];
    assert_refused(&dir, &file, &["--set", "dsp.workrs=8"], &expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn malformed_set() {
    let dir = scratch("set-malformed");
    let file = dir.join("valid.toml");
    std::fs::write(&file, VALID).unwrap();
    let expected = vec!["--set dsp.workers: ".to_string(), "KEY=VALUE".to_string()];
    assert_refused(&dir, &file, &["--set", "dsp.workers"], &expected);
    let expected = vec![
        "--set supplier.7.share=1: ".to_string(),
        "has 2 entries".to_string(),
    ];
    assert_refused(&dir, &file, &["--set", "supplier.7.share=1"], &expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

// EV load control: `[ev]`, `[feeders]`, `[demand]`, `[dno]`. The sections start at line 21.

/// `VALID` followed by `sections` (from line 21).
fn with_ev(sections: &str) -> String {
    format!("{VALID}\n{sections}")
}

#[test]
fn ev_uptake_above_one() {
    let text = with_ev("[ev]\nuptake = 1.5\n");
    refused_at(
        "ev-uptake",
        &text,
        22,
        10,
        &["`uptake` in [ev]", "more than 1"],
    );
}

#[test]
fn dno_without_ev() {
    let text = with_ev("[dno]\npolicy = \"threshold\"\n");
    refused_at("dno-alone", &text, 21, 1, &["[dno]", "needs an [ev] table"]);
}

#[test]
fn misspelt_policy() {
    let text = with_ev("[ev]\n[dno]\npolicy = \"treshold\"\n");
    refused_at(
        "policy",
        &text,
        23,
        10,
        &["unknown policy \"treshold\"", "did you mean \"threshold\"?"],
    );
}

#[test]
fn policy_needs_the_right_charger_device() {
    let text = with_ev("[ev]\ndevice = \"apc\"\n[dno]\npolicy = \"threshold\"\n");
    refused_at(
        "policy-device",
        &text,
        24,
        10,
        &["7.5 and 7.6", "device = \"hcalcs\""],
    );
}

#[test]
fn restore_level_not_below_curtail_level() {
    let text = with_ev("[ev]\n[dno]\ncurtail_at = 0.9\nrestore_below = 0.95\n");
    refused_at(
        "restore-level",
        &text,
        24,
        17,
        &["`restore_below` (0.95) must be below `curtail_at` (0.9)"],
    );
}

#[test]
fn feeder_customers_range_upside_down() {
    let text = with_ev("[ev]\n[feeders]\ncustomers = { min = 90, max = 40 }\n");
    refused_at("customers", &text, 23, 13, &["`max` 40 below `min` 90"]);
}

#[test]
fn household_profile_of_the_wrong_length() {
    let text = with_ev("[ev]\n[demand]\nprofile_kw = [1.0, 2.0]\n");
    refused_at("profile", &text, 23, 14, &["needs 48 numbers", "found 2"]);
}

#[test]
fn switch_written_as_a_string() {
    let text = with_ev("[ev]\n[dno]\nsecmp0046 = \"yes\"\n");
    refused_at(
        "secmp0046",
        &text,
        23,
        13,
        &["`secmp0046` in [dno] must be true or false"],
    );
}

#[test]
fn load_control_sr_in_supplier_traffic() {
    let text = edit("sr = \"4.1.1\"", "sr = \"7.6\"");
    refused_at(
        "traffic-7.6",
        &text,
        18,
        6,
        &["7.6 is sent by the DNO", "[dno] policy"],
    );
}

#[test]
fn energy_without_a_range() {
    let text = with_ev("[ev]\nenergy_kwh = 10\n");
    refused_at(
        "energy",
        &text,
        22,
        14,
        &["`energy_kwh` in [ev] must be a table"],
    );
}

#[test]
fn bad_policy_by_set() {
    let dir = scratch("set-policy");
    let file = dir.join("ev.toml");
    std::fs::write(&file, with_ev("[ev]\n")).unwrap();
    let expected = vec![
        "--set dno.policy=sometimes: ".to_string(),
        "unknown policy \"sometimes\"".to_string(),
    ];
    assert_refused(&dir, &file, &["--set", "dno.policy=sometimes"], &expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn read_interval_without_meter_reads() {
    let text = with_ev("[ev]\n[dno]\nread_interval = \"5min\"\n");
    refused_at(
        "read-interval",
        &text,
        23,
        17,
        &["`read_interval` in [dno] applies only with monitoring = \"meter-reads\""],
    );
}

#[test]
fn wan_latency_floor_without_a_unit() {
    let text = format!("{VALID}\n[csp.north]\nlatency_floor = 50\n");
    let line = text.lines().count();
    refused_at(
        "floor-unit",
        &text,
        line,
        17,
        &["latency_floor", "has no unit"],
    );
}

#[test]
fn dsp_csp_latency_floor_without_a_unit() {
    let text = format!("{VALID}\n[csp.south]\ndsp_latency_floor = 50\n");
    let line = text.lines().count();
    refused_at(
        "dsp-floor-unit",
        &text,
        line,
        21,
        &["dsp_latency_floor", "has no unit"],
    );
}

#[test]
fn dsp_csp_latency_of_an_unknown_distribution() {
    let text =
        format!("{VALID}\n[csp.central]\ndsp_latency = {{ dist = \"gamma\", mean = \"80ms\" }}\n");
    let line = text.lines().count();
    refused_at("dsp-latency-dist", &text, line, 24, &["gamma", "lognormal"]);
}

// Issue 18 (i18-lead): `[ev] report_latency`, the charger's telemetry latency to its DNO.

#[test]
fn ev_report_latency_without_a_unit() {
    let text = with_ev("[ev]\nreport_latency = 200\n");
    refused_at(
        "ev-report-latency-unit",
        &text,
        22,
        18,
        &["`report_latency` in [ev]", "has no unit"],
    );
}

#[test]
fn ev_report_latency_negative() {
    let text = with_ev("[ev]\nreport_latency = \"-1s\"\n");
    refused_at(
        "ev-report-latency-negative",
        &text,
        22,
        18,
        &["`report_latency` in [ev]", "non-negative"],
    );
}
