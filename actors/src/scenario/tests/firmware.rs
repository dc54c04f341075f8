//! The firmware sections: images, campaigns, waves and their checks.

use crate::device_model::ModelId;
use crate::firmware::config::*;
use crate::scenario::{defaults, parse, Scenario, ScenarioError};
use crate::sr::DeviceType;
use crate::units::{Bandwidth, Bytes};
use dccsim_sim::SimDuration;

const BASE: &str = r#"[scenario]
name = "fw"
seed = 1
duration = "3d"
start_date = "2026-01-05"

[population]
premises = 10

[[supplier]]
name = "alpha"
share = 0.6

[[supplier]]
name = "beta"
share = 0.4

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
id = "hub-fw1"
type = "comms-hub"
manufacturer = "Hubco"
model = "H1"
hardware = "A"
firmware = "1.0"
share = 1.0

[[device_model]]
id = "hub-fw2"
type = "comms-hub"
manufacturer = "Hubco"
model = "H1"
hardware = "A"
firmware = "1.1"
share = 0.0

[[firmware_image]]
id = "acme-e1-2.0"
model = "acme-e1-fw2"
size = "256KiB"
hash = "sha256:00ff"

[[firmware_image]]
id = "hub-1.1"
model = "hub-fw2"
size = "1MiB"
"#;

const FULL: &str = r#"
[firmware]
chunk = "8KiB"
han_bandwidth = "40kbit/s"
command_bytes = "1kB"

[[firmware_campaign]]
id = "acme-e1-to-2.0"
supplier = "beta"
device_model = "acme-e1-fw1"
image = "acme-e1-2.0"
start = "2026-01-06"
waves = [ { at = "0h", share = 0.05 }, { at = "12h", count = 500 }, { at = "1d", share = 0.7 } ]
max_in_transfer = 250
activation_window = { start = "01:30", length = "2h" }
pause_if_failure_rate_above = 0.2
pause_min_devices = 50
retry_after = "30min"
max_transfer_attempts = 5
max_activation_attempts = 2
transfer_failure = 0.1
activation_failure = 0.03
unrecoverable_failure = 0.001
"#;

const MINIMAL: &str = r#"
[[firmware_campaign]]
id = "hubs"
supplier = "alpha"
device_model = "hub-fw1"
image = "hub-1.1"
start = "6h"
"#;

fn load(extra: &str, sets: &[&str]) -> Result<Scenario, ScenarioError> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    parse(&format!("{BASE}{extra}"), "fw.toml", &sets)
}

#[test]
fn without_the_sections_nothing_rolls_out() {
    let s = load("", &[]).unwrap();
    assert!(!s.firmware.is_modelled());
    assert_eq!(s.firmware.chunk, defaults::FIRMWARE_CHUNK);
    assert_eq!(s.firmware.images.len(), 2);
}

#[test]
fn a_full_campaign_reads_every_key() {
    let s = load(FULL, &[]).unwrap();
    let expected = FirmwareConfig {
        images: vec![
            FirmwareImage {
                id: "acme-e1-2.0".into(),
                model: ModelId(1),
                size: Bytes(256 * 1024),
            },
            FirmwareImage {
                id: "hub-1.1".into(),
                model: ModelId(3),
                size: Bytes(1024 * 1024),
            },
        ],
        campaigns: vec![Campaign {
            id: "acme-e1-to-2.0".into(),
            supplier: 1,
            from: ModelId(0),
            image: 0,
            to: ModelId(1),
            device: DeviceType::Esme,
            start: SimDuration::from_days(1),
            waves: vec![
                Wave {
                    at: SimDuration::ZERO,
                    size: WaveSize::Share(0.05),
                },
                Wave {
                    at: SimDuration::from_hours(12),
                    size: WaveSize::Count(500),
                },
                Wave {
                    at: SimDuration::from_days(1),
                    size: WaveSize::Share(0.7),
                },
            ],
            max_in_transfer: 250,
            activation: ActivationWindow {
                start: SimDuration::from_secs(90 * 60),
                length: SimDuration::from_hours(2),
            },
            pause_above: Some(0.2),
            pause_min_devices: 50,
            retry_after: SimDuration::from_secs(30 * 60),
            max_transfer_attempts: 5,
            max_activation_attempts: 2,
            failures: FailureRates {
                transfer: 0.1,
                activation: 0.03,
                unrecoverable: 0.001,
            },
        }],
        chunk: Bytes(8 * 1024),
        han_bandwidth: Bandwidth::kbit(40),
        command_bytes: Bytes(1000),
    };
    assert_eq!(s.firmware, expected);
}

#[test]
fn a_minimal_campaign_gets_the_defaults() {
    let s = load(MINIMAL, &[]).unwrap();
    assert_eq!(s.firmware.chunk, defaults::FIRMWARE_CHUNK);
    assert_eq!(s.firmware.han_bandwidth, defaults::FIRMWARE_HAN_BANDWIDTH);
    assert_eq!(s.firmware.command_bytes, defaults::COMMAND_BYTES);
    let expected = Campaign {
        id: "hubs".into(),
        supplier: 0,
        from: ModelId(2),
        image: 1,
        to: ModelId(3),
        device: DeviceType::Hub,
        start: SimDuration::from_hours(6),
        waves: vec![Wave {
            at: SimDuration::ZERO,
            size: WaveSize::Share(1.0),
        }],
        max_in_transfer: defaults::FIRMWARE_MAX_IN_TRANSFER,
        activation: ActivationWindow {
            start: defaults::FIRMWARE_ACTIVATION_START,
            length: defaults::FIRMWARE_ACTIVATION_LENGTH,
        },
        pause_above: None,
        pause_min_devices: defaults::FIRMWARE_PAUSE_MIN_DEVICES,
        retry_after: defaults::FIRMWARE_RETRY_AFTER,
        max_transfer_attempts: defaults::FIRMWARE_MAX_ATTEMPTS,
        max_activation_attempts: defaults::FIRMWARE_MAX_ATTEMPTS,
        failures: FailureRates {
            transfer: defaults::FIRMWARE_TRANSFER_FAILURE,
            activation: defaults::FIRMWARE_ACTIVATION_FAILURE,
            unrecoverable: defaults::FIRMWARE_UNRECOVERABLE_FAILURE,
        },
    };
    assert_eq!(s.firmware.campaigns, [expected]);
    assert_eq!(s.firmware.image_of(&s.firmware.campaigns[0]).id, "hub-1.1");
}

#[test]
fn overrides_reach_the_firmware_sections() {
    let both = format!("{FULL}{MINIMAL}");
    let s = load(
        &both,
        &[
            "firmware.chunk=16KiB",
            "firmware_campaign.0.max_in_transfer=10",
            "firmware_campaign.1.waves=[{ at = \"1h\", count = 3 }]",
            "firmware_image.1.size=2MB",
        ],
    )
    .unwrap();
    let fw = &s.firmware;
    assert_eq!(fw.chunk, Bytes(16 * 1024));
    assert_eq!(fw.campaigns[0].max_in_transfer, 10);
    assert_eq!(
        fw.campaigns[1].waves,
        [Wave {
            at: SimDuration::from_hours(1),
            size: WaveSize::Count(3)
        }]
    );
    assert_eq!(fw.images[1].size, Bytes(2_000_000));
    // A bad override is blamed on the --set that wrote it.
    let e = load(MINIMAL, &["firmware_campaign.0.max_in_transfer=0"]).unwrap_err();
    assert!(e.to_string().starts_with("--set"), "{e}");
    assert!(e.message().contains("at least 1"), "{e}");
}

#[test]
fn waves_are_checked_in_order_and_against_each_other() {
    let with_waves = |waves: &str| MINIMAL.replace("start = \"6h\"", waves);
    let cases = [
        ("waves = []", "is empty"),
        ("waves = [ { at = \"0h\" } ]", "exactly one of `share`"),
        ("waves = [ { at = \"0h\", share = 0 } ]", "adds no devices"),
        (
            "waves = [ { at = \"2h\", share = 0.5 }, { at = \"2h\", share = 0.1 } ]",
            "not after the wave before",
        ),
        (
            "waves = [ { at = \"0h\", share = 0.6 }, { at = \"1h\", share = 0.5 } ]",
            "sum to 1.1",
        ),
        ("waves = [ { at = \"0h\", count = 0 } ]", "at least 1"),
        (
            "waves = [ { at = \"0h\", cuont = 3 } ]",
            "did you mean `count`",
        ),
    ];
    for (waves, words) in cases {
        let text = with_waves(&format!("start = \"6h\"\n{waves}"));
        let e = load(&text, &[]).expect_err(waves);
        assert!(e.message().contains(words), "{waves}: {e}");
    }
    // Shares summing to exactly 1 within the tolerance, and a late wave, are fine.
    let text = with_waves(
        "start = \"6h\"\nwaves = [ { at = \"0h\", share = 0.7 }, { at = \"9d\", share = 0.3 } ]",
    );
    assert_eq!(
        load(&text, &[]).unwrap().firmware.campaigns[0].waves.len(),
        2
    );
}
