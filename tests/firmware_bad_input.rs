//! Bad firmware sections (`[firmware]`, `[[firmware_image]]`, `[[firmware_campaign]]`) through
//! the real binary: exit code 2, a `file:line:col` message in plain English that points at the
//! mistake, no panic and no output folder.

mod common;
use common::{dccsim, scratch};

/// A small valid scenario with a rollout; every case below breaks it in one place.
const VALID: &str = r#"[scenario]
name = "firmware-bad-input"
seed = 1
duration = "2d"
start_date = "2026-01-05"

[population]
premises = 200

[[supplier]]
name = "alpha"
share = 1.0

[[device_model]]
id = "acme-e1-fw1"
type = "esme-single"
manufacturer = "Acme"
model = "E1"
hardware = "1.0"
firmware = "1.0"
share = 1.0

[[device_model]]
id = "acme-e1-fw2"
type = "esme-single"
manufacturer = "Acme"
model = "E1"
hardware = "1.0"
firmware = "2.0"
share = 0.0

[[device_model]]
id = "acme-p1"
type = "ppmid"
manufacturer = "Acme"
model = "P1"
hardware = "1.0"
firmware = "1.0"
share = 1.0

[firmware]
chunk = "4KiB"
han_bandwidth = "20kbit/s"

[[firmware_image]]
id = "acme-e1-2.0"
model = "acme-e1-fw2"
size = "256KiB"
hash = "sha256:0123abcd"

[[firmware_campaign]]
id = "acme-e1-to-2.0"
supplier = "alpha"
device_model = "acme-e1-fw1"
image = "acme-e1-2.0"
start = "6h"
waves = [ { at = "0h", share = 0.05 }, { at = "12h", share = 0.25 }, { at = "1d", count = 50 } ]
max_in_transfer = 100
activation_window = { start = "02:00", length = "3h" }
pause_if_failure_rate_above = 0.2
"#;

/// `VALID` with `from` replaced by `to` is refused at the first character of `at` with every
/// text of `words`.
fn refused(name: &str, from: &str, to: &str, at: &str, words: &[&str]) {
    common::assert_edit_refused_where(VALID, name, (from, to), at, words);
}

#[test]
fn the_base_scenario_is_valid() {
    let dir = scratch("firmware-valid");
    let file = dir.join("valid.toml");
    std::fs::write(&file, VALID).unwrap();
    let o = dccsim(&["validate", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A calendar date is as good a start as a duration.
    let dated = VALID.replace("start = \"6h\"", "start = \"2026-01-06\"");
    std::fs::write(&file, dated).unwrap();
    let o = dccsim(&["validate", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn image_not_in_the_central_firmware_library() {
    refused(
        "fw-cfl",
        "image = \"acme-e1-2.0\"",
        "image = \"acme-e1-2.1\"",
        "\"acme-e1-2.1\"",
        &[
            "image `acme-e1-2.1` is not in the Central Firmware Library ([[firmware_image]])",
            "did you mean \"acme-e1-2.0\"",
            "the library has `acme-e1-2.0`",
        ],
    );
    // With no library at all, say so.
    refused(
        "fw-cfl-empty",
        "[[firmware_image]]\nid = \"acme-e1-2.0\"\nmodel = \"acme-e1-fw2\"\nsize = \"256KiB\"\nhash = \"sha256:0123abcd\"\n",
        "",
        "\"acme-e1-2.0\"\nstart",
        &["not in the Central Firmware Library", "the library has no images"],
    );
}

#[test]
fn image_for_other_hardware() {
    refused(
        "fw-hardware",
        "hardware = \"1.0\"\nfirmware = \"2.0\"",
        "hardware = \"1.1\"\nfirmware = \"2.0\"",
        "\"acme-e1-2.0\"\nstart",
        &[
            "hardware version is \"1.1\"",
            "hardware version \"1.0\"",
            "only changes the firmware",
        ],
    );
    refused(
        "fw-manufacturer",
        "manufacturer = \"Acme\"\nmodel = \"E1\"\nhardware = \"1.0\"\nfirmware = \"2.0\"",
        "manufacturer = \"Bolt\"\nmodel = \"E1\"\nhardware = \"1.0\"\nfirmware = \"2.0\"",
        "\"acme-e1-2.0\"\nstart",
        &["manufacturer is \"Bolt\""],
    );
}

#[test]
fn image_with_the_same_firmware() {
    refused(
        "fw-same",
        "model = \"acme-e1-fw2\"",
        "model = \"acme-e1-fw1\"",
        "\"acme-e1-2.0\"\nstart",
        &["same firmware (\"1.0\")", "different firmware"],
    );
}

#[test]
fn campaign_for_a_device_type_firmware_srs_do_not_address() {
    refused(
        "fw-ppmid",
        "device_model = \"acme-e1-fw1\"",
        "device_model = \"acme-p1\"",
        "\"acme-p1\"\nimage",
        &["\"acme-p1\" is a ppmid Device Model", "SRs 11.1–11.3"],
    );
}

#[test]
fn unknown_references() {
    refused(
        "fw-supplier",
        "supplier = \"alpha\"\ndevice_model",
        "supplier = \"alpah\"\ndevice_model",
        "\"alpah\"",
        &[
            "no [[supplier]] is called \"alpah\"",
            "did you mean \"alpha\"",
        ],
    );
    refused(
        "fw-from-model",
        "device_model = \"acme-e1-fw1\"",
        "device_model = \"acme-e1-fw3\"",
        "\"acme-e1-fw3\"",
        &["no [[device_model]] has id \"acme-e1-fw3\"", "did you mean"],
    );
    refused(
        "fw-image-model",
        "model = \"acme-e1-fw2\"",
        "model = \"acme-e2-fw2\"",
        "\"acme-e2-fw2\"",
        &[
            "no [[device_model]] has id \"acme-e2-fw2\"",
            "did you mean \"acme-e1-fw2\"",
        ],
    );
}

#[test]
fn wave_mistakes() {
    refused(
        "fw-share-and-count",
        "{ at = \"12h\", share = 0.25 }",
        "{ at = \"12h\", share = 0.25, count = 5 }",
        "{ at = \"12h\"",
        &["entry 2 of `waves`", "exactly one of `share`", "`count`"],
    );
    refused(
        "fw-shares-sum",
        "share = 0.25",
        "share = 0.96",
        "[ { at = \"0h\"",
        &["sum to 1.01", "0.05 + 0.96", "more than 1"],
    );
    refused(
        "fw-at-order",
        "{ at = \"1d\", count = 50 }",
        "{ at = \"12h\", count = 50 }",
        "\"12h\", count",
        &["not after the wave before", "each later than the last"],
    );
    refused(
        "fw-count-zero",
        "count = 50",
        "count = 0",
        "0 } ]",
        &["must be at least 1"],
    );
}

#[test]
fn two_campaigns_for_the_same_devices() {
    let last = "pause_if_failure_rate_above = 0.2\n";
    let second = format!(
        "{last}\n[[firmware_campaign]]\nid = \"again\"\nsupplier = \"alpha\"\n\
         device_model = \"acme-e1-fw1\"\nimage = \"acme-e1-2.0\"\nstart = \"1h\"\n"
    );
    refused(
        "fw-overlap",
        last,
        &second,
        "\"acme-e1-fw1\"\nimage = \"acme-e1-2.0\"\nstart = \"1h\"",
        &[
            "\"acme-e1-to-2.0\" already updates supplier \"alpha\"'s \"acme-e1-fw1\" devices",
            "same devices",
        ],
    );
}

#[test]
fn sizes_and_rates_need_their_own_units() {
    refused(
        "fw-size-unit",
        "size = \"256KiB\"",
        "size = \"256Kb\"",
        "\"256Kb\"",
        &["`size` in [[firmware_image]]", "unknown unit `Kb`", "KiB"],
    );
    refused(
        "fw-rate-as-size",
        "han_bandwidth = \"20kbit/s\"",
        "han_bandwidth = \"20KiB\"",
        "\"20KiB\"",
        &["`KiB` is a size unit, not this kind of quantity", "kbit/s"],
    );
    refused(
        "fw-size-as-rate",
        "chunk = \"4KiB\"",
        "chunk = \"4kbit/s\"",
        "\"4kbit/s\"",
        &["`kbit/s` is a rate unit"],
    );
    refused(
        "fw-size-no-unit",
        "size = \"256KiB\"",
        "size = 262144",
        "262144",
        &["has no unit"],
    );
}

#[test]
fn impossible_campaign_values() {
    refused(
        "fw-max-in-transfer",
        "max_in_transfer = 100",
        "max_in_transfer = 0",
        "0\nactivation",
        &["`max_in_transfer` in [[firmware_campaign]] must be at least 1"],
    );
    refused(
        "fw-attempts",
        "max_in_transfer = 100",
        "max_in_transfer = 100\nmax_transfer_attempts = 21",
        "21",
        &["between 1 and 20"],
    );
    refused(
        "fw-window",
        "length = \"3h\"",
        "length = \"25h\"",
        "\"25h\"",
        &["longer than a day"],
    );
    refused(
        "fw-pause",
        "pause_if_failure_rate_above = 0.2",
        "pause_if_failure_rate_above = 20",
        "20\n",
        &["more than 1; a share must be between 0 and 1"],
    );
    refused(
        "fw-id-label",
        "id = \"acme-e1-to-2.0\"",
        "id = \"acme e1,2.0\"",
        "\"acme e1,2.0\"",
        &["must be a name without spaces"],
    );
    refused(
        "fw-id-label-chars",
        "id = \"acme-e1-to-2.0\"",
        "id = \"acme-e1{2.0}\"",
        "\"acme-e1{2.0}\"",
        &["labels metrics", "'{'"],
    );
}

#[test]
fn start_after_the_run_ends() {
    refused(
        "fw-start-late",
        "start = \"6h\"",
        "start = \"50h\"",
        "\"50h\"",
        &[
            "is 50h from the start",
            "when the run (2d) is over",
            "before the run ends",
        ],
    );
    refused(
        "fw-start-date-late",
        "start = \"6h\"",
        "start = \"2026-02-01\"",
        "\"2026-02-01\"",
        &["is over"],
    );
    refused(
        "fw-start-date-early",
        "start = \"6h\"",
        "start = \"2025-12-31\"",
        "\"2025-12-31\"",
        &["before the scenario starts"],
    );
}

#[test]
fn unknown_keys_and_misshapen_sections() {
    refused(
        "fw-unknown-key",
        "max_in_transfer = 100",
        "max_in_transfers = 100",
        "max_in_transfers",
        &[
            "unknown key `max_in_transfers` in [[firmware_campaign]]",
            "did you mean `max_in_transfer`",
        ],
    );
    refused(
        "fw-unknown-section-key",
        "chunk = \"4KiB\"",
        "chunks = \"4KiB\"",
        "chunks",
        &["unknown key `chunks` in [firmware]", "did you mean `chunk`"],
    );
    refused(
        "fw-unknown-top",
        "[firmware]\n",
        "[firmwares]\n",
        "firmwares",
        &["did you mean `firmware`"],
    );
    refused(
        "fw-single-bracket",
        "[[firmware_image]]",
        "[firmware_image]",
        "[firmware_image]",
        &["must be written [[firmware_image]] (double brackets)"],
    );
    refused(
        "fw-duplicate-image",
        "hash = \"sha256:0123abcd\"\n",
        "hash = \"sha256:0123abcd\"\n\n[[firmware_image]]\nid = \"acme-e1-2.0\"\nmodel = \"acme-e1-fw2\"\nsize = \"1MiB\"\n",
        "\"acme-e1-2.0\"\nmodel = \"acme-e1-fw2\"\nsize = \"1MiB\"",
        &["two [[firmware_image]] with id \"acme-e1-2.0\""],
    );
}

#[test]
fn overrides_reach_the_firmware_sections_and_are_blamed() {
    let dir = scratch("fw-set");
    let file = dir.join("valid.toml");
    std::fs::write(&file, VALID).unwrap();
    let f = file.to_str().unwrap();
    let o = dccsim(&[
        "validate",
        f,
        "--set",
        "firmware.chunk=8KiB",
        "--set",
        "firmware_campaign.0.waves=[{ at = \"0h\", count = 5 }]",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let set = "firmware_campaign.0.max_in_transfer=0";
    let o = dccsim(&["validate", f, "--set", set]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("--set {set}: `max_in_transfer`")),
        "{stderr}"
    );
    let o = dccsim(&["validate", f, "--set", "firmware.han_bandwidth=1MiB"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`MiB` is a size unit"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
