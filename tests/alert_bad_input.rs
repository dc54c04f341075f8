//! Bad alert sections (`[alerts]`, `[[alert]]`, `[[event]]`) through the real binary: exit code
//! 2, a `file:line:col` message that points at the mistake, no panic and no output folder.

mod common;

/// A small valid scenario with alerts; every case below breaks it in one place.
const VALID: &str = r#"[scenario]
name = "alert-bad-input"
seed = 1
duration = "2h"

[population]
premises = 200

[[supplier]]
name = "alpha"
share = 1.0

[alerts]
protection = true
storm_rate = 40
storm_burst = 400
sample_one_in = 10

[[alert]]
class = "billing-data-log-updated"
per_device_per_day = 1.0
on_storm = "keep"

[[event]]
kind = "power-outage"
at = "30min"
duration = "10min"
region = "north"
share = 0.5
restore_spread = "5min"
"#;

/// `VALID` with `from` replaced by `to` is refused at the first character of `at` with every
/// text of `words`.
fn refused(name: &str, from: &str, to: &str, at: &str, words: &[&str]) {
    common::assert_edit_refused_where(VALID, name, (from, to), at, words);
}

#[test]
fn the_base_scenario_is_valid() {
    common::assert_valid("alert-valid", VALID);
}

#[test]
fn alerts_section_values() {
    refused(
        "a-rate",
        "storm_rate = 40",
        "storm_rate = 0",
        "0\nstorm_burst",
        &["storm_rate", "more than 0"],
    );
    refused(
        "a-burst",
        "storm_burst = 400",
        "storm_burst = 0.5",
        "0.5\nsample",
        &["at least 1"],
    );
    refused(
        "a-sample",
        "sample_one_in = 10",
        "sample_one_in = 0",
        "0\n\n[[alert]]",
        &["sample_one_in"],
    );
    refused(
        "a-hold",
        "sample_one_in = 10",
        "sample_one_in = 10\nhold_limit = 0",
        "0\n\n[[alert]]",
        &["hold_limit"],
    );
    refused(
        "a-prot",
        "protection = true",
        "protection = \"yes\"",
        "\"yes\"",
        &["true or false"],
    );
    refused(
        "a-key",
        "storm_burst = 400",
        "storm_brust = 400",
        "storm_brust",
        &["storm_burst"],
    );
}

#[test]
fn alert_class_values() {
    refused(
        "c-class",
        "class = \"billing-data-log-updated\"",
        "class = \"billing-data-log-update\"",
        "\"billing-data-log-update\"",
        &[
            "unknown alert class",
            "did you mean \"billing-data-log-updated\"",
        ],
    );
    refused(
        "c-rate",
        "per_device_per_day = 1.0",
        "per_device_per_day = -1",
        "-1",
        &["negative"],
    );
    refused(
        "c-units",
        "per_device_per_day = 1.0",
        "per_device_per_day = \"1/d\"",
        "\"1/d\"",
        &["number"],
    );
    refused(
        "c-storm",
        "on_storm = \"keep\"",
        "on_storm = \"delay\"",
        "\"delay\"",
        &["unknown storm action", "\"sample\"", "\"hold\""],
    );
    refused(
        "c-twice",
        "on_storm = \"keep\"\n",
        "on_storm = \"keep\"\n\n[[alert]]\nclass = \"billing-data-log-updated\"\n",
        "\"billing-data-log-updated\"\n\n[[event]]",
        &["described twice"],
    );
    refused(
        "c-missing",
        "class = \"billing-data-log-updated\"\n",
        "",
        "[[alert]]",
        &["class"],
    );
}

#[test]
fn event_values() {
    refused(
        "e-kind",
        "kind = \"power-outage\"",
        "kind = \"power-cut\"",
        "\"power-cut\"",
        &["unknown event kind", "power-outage"],
    );
    refused("e-unit", "at = \"30min\"", "at = 30", "30\n", &["no unit"]);
    refused(
        "e-zero",
        "duration = \"10min\"",
        "duration = \"0s\"",
        "\"0s\"",
        &["longer than zero"],
    );
    refused(
        "e-region",
        "region = \"north\"",
        "region = \"nort\"",
        "\"nort\"",
        &["did you mean \"north\""],
    );
    refused("e-share", "share = 0.5", "share = 1.5", "1.5", &["share"]);
    refused(
        "e-spread",
        "restore_spread = \"5min\"",
        "restore_spread = \"2d\"",
        "\"2d\"",
        &["at most \"24h\""],
    );
    refused(
        "e-late",
        "at = \"30min\"",
        "at = \"115min\"",
        "\"115min\"",
        &["power returns", "before the run ends"],
    );
}

/// A DCC alert has no per-device rate and is never shed: giving it either is a located error.
#[test]
fn dcc_alert_classes_take_no_rate_and_no_storm_action() {
    refused(
        "dcc-rate",
        "class = \"billing-data-log-updated\"",
        "class = \"dcc-no-response\"",
        "1.0\non_storm",
        &["DCC alert", "per_device_per_day"],
    );
    refused(
        "dcc-storm",
        "class = \"billing-data-log-updated\"\nper_device_per_day = 1.0\n",
        "class = \"dcc-device-suspended\"\n",
        "\"keep\"",
        &["DCC alert", "on_storm"],
    );
}
