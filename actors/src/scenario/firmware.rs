//! Reading the firmware sections: `[firmware]` (sizes and rates images move at),
//! `[[firmware_image]]` (the Central Firmware Library, SECMP0009) and `[[firmware_campaign]]`
//! (a supplier's rollout of one image to the devices of one Device Model, in waves).

use super::reader::{list, number, suggest, Field, Read, Table};
use super::validate::table_list;
use super::values::{optional_field, time_window};
use crate::calendar::Date;
use crate::config::defaults;
use crate::config::Supplier;
use crate::device_model::{DeviceModel, ModelId, PhysicalDeviceType};
use crate::firmware::config::{
    ActivationWindow, Campaign, FailureRates, FirmwareConfig, FirmwareImage, Wave, WaveSize,
};
use crate::sr::DeviceType;
use dccsim_sim::SimDuration;

const SECTION_KEYS: [&str; 3] = ["chunk", "han_bandwidth", "command_bytes"];

const IMAGE_KEYS: [&str; 4] = ["id", "model", "size", "hash"];

const CAMPAIGN_KEYS: [&str; 16] = [
    "id",
    "supplier",
    "device_model",
    "image",
    "start",
    "waves",
    "max_in_transfer",
    "activation_window",
    "pause_if_failure_rate_above",
    "pause_min_devices",
    "retry_after",
    "max_transfer_attempts",
    "max_activation_attempts",
    "transfer_failure",
    "activation_failure",
    "unrecoverable_failure",
];

/// Reads `[firmware]` (`section`), every `[[firmware_image]]` and every `[[firmware_campaign]]`
/// of `root` against the scenario's suppliers and Device Models. `duration` is the run's length
/// and `start` its `[scenario] start_date` (a campaign `start` may be a calendar date).
pub(crate) fn read(
    root: &Table<'_>,
    section: Option<&Table<'_>>,
    suppliers: &[Supplier],
    models: &[DeviceModel],
    duration: SimDuration,
    start: Date,
) -> Read<FirmwareConfig> {
    let mut config = FirmwareConfig::default();
    if let Some(t) = section {
        t.check_keys(&SECTION_KEYS)?;
        config.chunk = optional_field(t, "chunk", config.chunk, |f| f.bytes())?;
        config.han_bandwidth =
            optional_field(t, "han_bandwidth", config.han_bandwidth, |f| f.bandwidth())?;
        config.command_bytes =
            optional_field(t, "command_bytes", config.command_bytes, |f| f.bytes())?;
    }
    let image_tables = table_list(root, "firmware_image")?;
    if image_tables.len() > usize::from(u16::MAX) {
        return Err(root.issue("a scenario may have at most 65535 [[firmware_image]]"));
    }
    for t in &image_tables {
        let image = read_image(t, models, &config.images)?;
        config.images.push(image);
    }
    for t in &table_list(root, "firmware_campaign")? {
        let campaign = read_campaign(t, suppliers, models, &config, duration, start)?;
        config.campaigns.push(campaign);
    }
    Ok(config)
}

/// `"did you mean "x"? "` when `word` is close to one of `names`, else nothing.
fn did_you_mean(word: &str, names: &[&str]) -> String {
    suggest(word, names).map_or(String::new(), |n| format!("did you mean \"{n}\"? "))
}

/// An id that names something in messages: not empty, no spaces, and not used before.
fn unique_id<'a>(f: &Field<'a>, section: &str, taken: &[&str]) -> Read<&'a str> {
    let id = f.str()?;
    if id.is_empty() || id.contains(char::is_whitespace) {
        return Err(f.issue(format!(
            "{} must be a name without spaces, e.g. \"acme-e1-2.0\"",
            f.what
        )));
    }
    if taken.contains(&id) {
        return Err(f.issue(format!(
            "there are two {section} with id \"{id}\"; each needs its own id"
        )));
    }
    Ok(id)
}

/// The Device Model `f` names, by `[[device_model]] id`.
fn model_ref(f: &Field<'_>, models: &[DeviceModel]) -> Read<ModelId> {
    let id = f.str()?;
    crate::device_model::find(models, id).ok_or_else(|| {
        let names: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
        f.issue(format!(
            "{}: no [[device_model]] has id \"{id}\"; {}the Device Models are {}",
            f.what,
            did_you_mean(id, &names),
            list(&names, "and")
        ))
    })
}

fn read_image(
    t: &Table<'_>,
    models: &[DeviceModel],
    before: &[FirmwareImage],
) -> Read<FirmwareImage> {
    t.check_keys(&IMAGE_KEYS)?;
    let taken: Vec<&str> = before.iter().map(|i| i.id.as_str()).collect();
    let id = unique_id(
        &t.require("id", "id = \"acme-e1-2.0\"")?,
        "[[firmware_image]]",
        &taken,
    )?;
    let model = model_ref(&t.require("model", "model = \"acme-e1-fw2\"")?, models)?;
    let size = t.require("size", "size = \"256KiB\"")?.bytes()?;
    // The image's hash is informative: the simulator never checks an image's contents.
    if let Some(f) = t.get("hash") {
        f.str()?;
    }
    Ok(FirmwareImage {
        id: id.to_string(),
        model,
        size,
    })
}

/// How SRs 11.1–11.3 address a device of `ty`, if they do.
fn addressed_as(ty: PhysicalDeviceType) -> Option<DeviceType> {
    match ty {
        PhysicalDeviceType::CommsHub => Some(DeviceType::Hub),
        PhysicalDeviceType::Gsme => Some(DeviceType::Gsme),
        t if t.is_esme() => Some(DeviceType::Esme),
        _ => None,
    }
}

fn read_campaign(
    t: &Table<'_>,
    suppliers: &[Supplier],
    models: &[DeviceModel],
    config: &FirmwareConfig,
    duration: SimDuration,
    start_date: Date,
) -> Read<Campaign> {
    t.check_keys(&CAMPAIGN_KEYS)?;
    let before = &config.campaigns;
    let taken: Vec<&str> = before.iter().map(|c| c.id.as_str()).collect();
    let id_field = t.require("id", "id = \"acme-e1-to-2.0\"")?;
    let id = unique_id(&id_field, "[[firmware_campaign]]", &taken)?;
    // The id labels metrics (`firmware.devices{campaign=…}`): keep to characters that cannot
    // break a label.
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(id_field.issue(format!(
            "{} may only contain letters, digits, `.`, `_` and `-` (it labels metrics), but \
             \"{id}\" contains {c:?}",
            id_field.what
        )));
    }

    let supplier_field = t.require("supplier", "supplier = \"alpha\"")?;
    let name = supplier_field.str()?;
    let Some(supplier) = suppliers.iter().position(|s| s.name == name) else {
        let names: Vec<&str> = suppliers.iter().map(|s| s.name.as_str()).collect();
        return Err(supplier_field.issue(format!(
            "{}: no [[supplier]] is called \"{name}\"; {}the suppliers are {}",
            supplier_field.what,
            did_you_mean(name, &names),
            list(&names, "and")
        )));
    };

    let from_field = t.require("device_model", "device_model = \"acme-e1-fw1\"")?;
    let from = model_ref(&from_field, models)?;
    let from_model = &models[from.index()];
    let Some(device) = addressed_as(from_model.device_type) else {
        return Err(from_field.issue(format!(
            "{}: \"{}\" is a {} Device Model; firmware campaigns (SRs 11.1–11.3) update \
             Communications Hubs (comms-hub), electricity meters (esme-single, esme-twin, \
             esme-polyphase) and gas meters (gsme) only",
            from_field.what, from_model.id, from_model.device_type
        )));
    };
    if let Some(other) = before
        .iter()
        .find(|c| usize::from(c.supplier) == supplier && c.from == from)
    {
        return Err(from_field.issue(format!(
            "[[firmware_campaign]] \"{other}\" already updates supplier \"{name}\"'s \"{}\" \
             devices; two campaigns would target the same devices, so merge them into one",
            from_model.id,
            other = other.id
        )));
    }

    let image_field = t.require("image", "image = \"acme-e1-2.0\"")?;
    let image_id = image_field.str()?;
    let Some(image) = config.images.iter().position(|i| i.id == image_id) else {
        let names: Vec<&str> = config.images.iter().map(|i| i.id.as_str()).collect();
        let library = if names.is_empty() {
            "has no images".to_string()
        } else {
            format!("has {}", list(&names, "and"))
        };
        return Err(image_field.issue(format!(
            "{}: image `{image_id}` is not in the Central Firmware Library \
             ([[firmware_image]]); {}the library {library}",
            image_field.what,
            did_you_mean(image_id, &names),
        )));
    };
    let to = config.images[image].model;
    check_upgrade(&image_field, from_model, &models[to.index()])?;

    let start_field = t.require(
        "start",
        "start = \"6h\" (or a date, start = \"2026-01-06\")",
    )?;
    let start = super::cpl::time_from_start(&start_field, start_date)?;
    if start >= duration {
        return Err(start_field.issue(format!(
            "{} is {start} from the start, when the run ({duration}) is over; start the \
             campaign before the run ends",
            start_field.what
        )));
    }

    let waves = match t.get("waves") {
        Some(f) => read_waves(&f)?,
        None => vec![Wave {
            at: SimDuration::ZERO,
            size: WaveSize::Share(1.0),
        }],
    };
    let whole = |key: &str, lo: i64, hi: i64, default: u32| -> Read<u32> {
        optional_field(t, key, default, |f| Ok(f.int_in(lo, hi)? as u32))
    };
    let no_limit = i64::from(u32::MAX);
    let attempts = |key: &str| -> Read<u8> {
        Ok(whole(key, 1, 20, u32::from(defaults::FIRMWARE_MAX_ATTEMPTS))? as u8)
    };
    let share = |key: &str, default: f64| optional_field(t, key, default, |f| f.share());
    let activation = match t.get("activation_window") {
        Some(f) => {
            let (start, length) = time_window(&f)?;
            ActivationWindow { start, length }
        }
        None => ActivationWindow {
            start: defaults::FIRMWARE_ACTIVATION_START,
            length: defaults::FIRMWARE_ACTIVATION_LENGTH,
        },
    };
    Ok(Campaign {
        id: id.to_string(),
        supplier: supplier as u16,
        from,
        image: image as u16,
        to,
        device,
        start,
        waves,
        max_in_transfer: whole(
            "max_in_transfer",
            1,
            no_limit,
            defaults::FIRMWARE_MAX_IN_TRANSFER,
        )?,
        activation,
        pause_above: t
            .get("pause_if_failure_rate_above")
            .map(|f| f.share())
            .transpose()?,
        pause_min_devices: whole(
            "pause_min_devices",
            1,
            no_limit,
            defaults::FIRMWARE_PAUSE_MIN_DEVICES,
        )?,
        retry_after: optional_field(t, "retry_after", defaults::FIRMWARE_RETRY_AFTER, |f| {
            f.positive_duration()
        })?,
        max_transfer_attempts: attempts("max_transfer_attempts")?,
        max_activation_attempts: attempts("max_activation_attempts")?,
        failures: FailureRates {
            transfer: share("transfer_failure", defaults::FIRMWARE_TRANSFER_FAILURE)?,
            activation: share("activation_failure", defaults::FIRMWARE_ACTIVATION_FAILURE)?,
            unrecoverable: share(
                "unrecoverable_failure",
                defaults::FIRMWARE_UNRECOVERABLE_FAILURE,
            )?,
        },
    })
}

/// An image fits a device when its Device Model is the device's with another firmware: the same
/// physical type, manufacturer, model and hardware version.
fn check_upgrade(f: &Field<'_>, from: &DeviceModel, to: &DeviceModel) -> Read<()> {
    let fields = [
        (
            "physical type",
            from.device_type.name(),
            to.device_type.name(),
        ),
        ("manufacturer", &from.manufacturer, &to.manufacturer),
        ("model", &from.model, &to.model),
        ("hardware version", &from.hardware, &to.hardware),
    ];
    if let Some((what, theirs, its)) = fields.iter().find(|(_, a, b)| a != b) {
        return Err(f.issue(format!(
            "{}: the image is for Device Model \"{}\", whose {what} is \"{its}\", but the \
             campaign's devices (\"{}\") have {what} \"{theirs}\"; an image only changes the \
             firmware",
            f.what, to.id, from.id
        )));
    }
    if from.firmware == to.firmware {
        return Err(f.issue(format!(
            "{}: the image's Device Model \"{}\" has the same firmware (\"{}\") as the \
             campaign's devices (\"{}\"); a campaign moves devices to a different firmware",
            f.what, to.id, to.firmware, from.id
        )));
    }
    Ok(())
}

/// `waves = [ { at = "0h", share = 0.05 }, { at = "12h", count = 500 }, … ]`.
fn read_waves(f: &Field<'_>) -> Read<Vec<Wave>> {
    let entries = f.array()?;
    if entries.is_empty() {
        return Err(f.issue(format!(
            "{} is empty; give at least one wave, e.g. [ {{ at = \"0h\", share = 1.0 }} ]",
            f.what
        )));
    }
    let mut waves: Vec<Wave> = Vec::new();
    let mut shares = 0.0;
    for entry in &entries {
        let t = entry.table_titled(entry.what.clone())?;
        t.check_keys(&["at", "share", "count"])?;
        let at_field = t.require("at", "at = \"12h\"")?;
        let at = at_field.duration()?;
        if let Some(last) = waves.last().filter(|w| at <= w.at) {
            return Err(at_field.issue(format!(
                "{} is {at}, not after the wave before ({}); waves are listed in the order \
                 they are released, each later than the last",
                at_field.what, last.at
            )));
        }
        let size = match (t.get("share"), t.get("count")) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(t.issue(format!(
                    "{} needs exactly one of `share` (a share of the campaign's devices, e.g. \
                     share = 0.25) and `count` (a number of devices, e.g. count = 500)",
                    t.title
                )))
            }
            (Some(s), None) => {
                let x = s.share()?;
                if x == 0.0 {
                    return Err(s.issue(format!("{} is 0: the wave adds no devices", s.what)));
                }
                shares += x;
                WaveSize::Share(x)
            }
            (None, Some(c)) => WaveSize::Count(c.int_in(1, i64::from(u32::MAX))? as u32),
        };
        waves.push(Wave { at, size });
    }
    if shares > 1.0 + defaults::SHARE_TOLERANCE {
        let terms: Vec<String> = waves
            .iter()
            .filter_map(|w| match w.size {
                WaveSize::Share(x) => Some(number(x)),
                WaveSize::Count(_) => None,
            })
            .collect();
        return Err(f
            .issue(format!(
                "the wave shares in {} sum to {} ({}), more than 1; together the waves take \
                 at most every device of the campaign",
                f.what,
                number(shares),
                terms.join(" + ")
            ))
            .scoped(&f.path));
    }
    Ok(waves)
}

#[cfg(test)]
mod tests {
    use crate::device_model::ModelId;
    use crate::firmware::*;
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
}
