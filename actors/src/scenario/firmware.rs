//! Reading the firmware sections: `[firmware]` (sizes and rates images move at),
//! `[[firmware_image]]` (the Central Firmware Library, SECMP0009) and `[[firmware_campaign]]`
//! (a supplier's rollout of one image to the devices of one Device Model, in waves).

use super::de::{self, At, Raw};
use super::reader::{list, number, suggest, Issue, Read};
use crate::calendar::Date;
use crate::config::defaults;
use crate::config::read::{self, TABLE, WHAT};
use crate::config::Supplier;
use crate::device_model::{DeviceModel, ModelId, PhysicalDeviceType};
use crate::firmware::config::{
    ActivationWindow, Campaign, FailureRates, FirmwareConfig, FirmwareImage, Wave, WaveSize,
};
use crate::sr::DeviceType;
use crate::units::{Bandwidth, Bytes};
use dccsim_sim::SimDuration;
use serde::{Deserialize, Deserializer};

/// `[firmware]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SectionFile {
    chunk: Option<Bytes>,
    han_bandwidth: Option<Bandwidth>,
    command_bytes: Option<Bytes>,
}

/// `[[firmware_image]]` as written: its Device Model named by id.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImageFile {
    #[serde(deserialize_with = "id")]
    id: At<String>,
    model: At<String>,
    size: Bytes,
    /// Informative: the simulator never checks an image's contents.
    #[serde(rename = "hash")]
    _hash: Option<String>,
}

/// `[[firmware_campaign]]` as written: supplier, Device Model and image named by id.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CampaignFile {
    #[serde(deserialize_with = "campaign_id")]
    id: At<String>,
    supplier: At<String>,
    device_model: At<String>,
    image: At<String>,
    start: Raw,
    #[serde(default, deserialize_with = "waves")]
    waves: Option<Vec<Wave>>,
    #[serde(default, deserialize_with = "some_count")]
    max_in_transfer: Option<u32>,
    #[serde(default, deserialize_with = "activation_window")]
    activation_window: Option<ActivationWindow>,
    #[serde(default, deserialize_with = "some_share")]
    pause_if_failure_rate_above: Option<f64>,
    #[serde(default, deserialize_with = "some_count")]
    pause_min_devices: Option<u32>,
    #[serde(default, deserialize_with = "some_positive_duration")]
    retry_after: Option<SimDuration>,
    #[serde(default, deserialize_with = "attempts")]
    max_transfer_attempts: Option<u8>,
    #[serde(default, deserialize_with = "attempts")]
    max_activation_attempts: Option<u8>,
    #[serde(default, deserialize_with = "some_share")]
    transfer_failure: Option<f64>,
    #[serde(default, deserialize_with = "some_share")]
    activation_failure: Option<f64>,
    #[serde(default, deserialize_with = "some_share")]
    unrecoverable_failure: Option<f64>,
}

/// An id that names something in messages: not empty, no spaces.
fn id<'de, D: Deserializer<'de>>(d: D) -> Result<At<String>, D::Error> {
    let id = At::<String>::deserialize(d)?;
    if id.value.is_empty() || id.value.contains(char::is_whitespace) {
        return Err(read::error(format_args!(
            "{WHAT} must be a name without spaces, e.g. \"acme-e1-2.0\""
        )));
    }
    Ok(id)
}

/// A campaign's id, which labels metrics (`firmware.devices{campaign=…}`): only characters that
/// cannot break a label.
fn campaign_id<'de, D: Deserializer<'de>>(d: D) -> Result<At<String>, D::Error> {
    let id = id(d)?;
    if let Some(c) = id
        .value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(read::error(format_args!(
            "{WHAT} may only contain letters, digits, `.`, `_` and `-` (it labels metrics), but \
             \"{}\" contains {c:?}",
            id.value
        )));
    }
    Ok(id)
}

fn some_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    read::count::<D, 1, { u32::MAX }>(d).map(Some)
}

fn some_share<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    read::share(d).map(Some)
}

fn some_positive_duration<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<SimDuration>, D::Error> {
    read::positive_duration(d).map(Some)
}

fn attempts<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
    read::count::<D, 1, 20>(d).map(|n| Some(n as u8))
}

fn activation_window<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<ActivationWindow>, D::Error> {
    let (start, length) = read::time_window(d)?;
    Ok(Some(ActivationWindow { start, length }))
}

/// One of `waves` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaveFile {
    #[serde(deserialize_with = "read::duration")]
    at: SimDuration,
    #[serde(default, deserialize_with = "wave_share")]
    share: Option<f64>,
    #[serde(default, deserialize_with = "some_count")]
    count: Option<u32>,
}

fn wave_share<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let x = read::share(d)?;
    if x == 0.0 {
        return Err(read::error(format_args!(
            "{WHAT} is 0: the wave adds no devices"
        )));
    }
    Ok(Some(x))
}

impl<'de> Deserialize<'de> for Wave {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let file = WaveFile::deserialize(d)?;
        let size = match (file.share, file.count) {
            (Some(x), None) => WaveSize::Share(x),
            (None, Some(n)) => WaveSize::Count(n),
            _ => {
                return Err(read::error(format_args!(
                    "{TABLE} needs exactly one of `share` (a share of the campaign's devices, \
                     e.g. share = 0.25) and `count` (a number of devices, e.g. count = 500)"
                )))
            }
        };
        Ok(Wave { at: file.at, size })
    }
}

/// `waves = [ { at = "0h", share = 0.05 }, { at = "12h", count = 500 }, … ]`.
fn waves<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Wave>>, D::Error> {
    let waves = Vec::<Wave>::deserialize(d)?;
    if waves.is_empty() {
        return Err(read::error(format_args!(
            "{WHAT} is empty; give at least one wave, e.g. [ {{ at = \"0h\", share = 1.0 }} ]"
        )));
    }
    for (i, pair) in waves.windows(2).enumerate() {
        let (last, at) = (pair[0].at, pair[1].at);
        if at <= last {
            return Err(read::in_entry(
                i + 1,
                Some("at"),
                format_args!(
                    "{WHAT} is {at}, not after the wave before ({last}); waves are listed in \
                     the order they are released, each later than the last"
                ),
            ));
        }
    }
    let shares: Vec<f64> = waves
        .iter()
        .filter_map(|w| match w.size {
            WaveSize::Share(x) => Some(x),
            WaveSize::Count(_) => None,
        })
        .collect();
    let sum: f64 = shares.iter().sum();
    if sum > 1.0 + defaults::SHARE_TOLERANCE {
        let terms: Vec<String> = shares.iter().map(|&x| number(x)).collect();
        return Err(read::scoped(format_args!(
            "the wave shares in {WHAT} sum to {} ({}), more than 1; together the waves take at \
             most every device of the campaign",
            number(sum),
            terms.join(" + ")
        )));
    }
    Ok(Some(waves))
}

/// Checks `[firmware]`, every `[[firmware_image]]` and every `[[firmware_campaign]]` as read
/// against the scenario's suppliers and Device Models. `duration` is the run's length and
/// `start` its `[scenario] start_date` (a campaign `start` may be a calendar date).
pub(crate) fn check(
    section: Option<SectionFile>,
    images: Vec<ImageFile>,
    campaigns: Vec<CampaignFile>,
    suppliers: &[Supplier],
    models: &[DeviceModel],
    duration: SimDuration,
    start: Date,
) -> Read<FirmwareConfig> {
    let mut config = FirmwareConfig::default();
    if let Some(s) = section {
        config.chunk = s.chunk.unwrap_or(config.chunk);
        config.han_bandwidth = s.han_bandwidth.unwrap_or(config.han_bandwidth);
        config.command_bytes = s.command_bytes.unwrap_or(config.command_bytes);
    }
    if images.len() > usize::from(u16::MAX) {
        return Err(Issue::at(
            &[],
            "a scenario may have at most 65535 [[firmware_image]]",
        ));
    }
    for file in images {
        unique(
            &file.id,
            "[[firmware_image]]",
            config.images.iter().map(|i| &i.id),
        )?;
        let model = model_ref(&file.model, models)?;
        config.images.push(FirmwareImage {
            id: file.id.value,
            model,
            size: file.size,
        });
    }
    for file in campaigns {
        let campaign = campaign(file, suppliers, models, &config, duration, start)?;
        config.campaigns.push(campaign);
    }
    Ok(config)
}

/// `"did you mean "x"? "` when `word` is close to one of `names`, else nothing.
fn did_you_mean(word: &str, names: &[&str]) -> String {
    suggest(word, names).map_or(String::new(), |n| format!("did you mean \"{n}\"? "))
}

/// Refuses an id used before in `section`.
fn unique<'a>(
    id: &At<String>,
    section: &str,
    mut taken: impl Iterator<Item = &'a String>,
) -> Read<()> {
    if taken.any(|t| *t == id.value) {
        return Err(Issue::at(
            &id.path,
            format!(
                "there are two {section} with id \"{}\"; each needs its own id",
                id.value
            ),
        ));
    }
    Ok(())
}

/// The Device Model `f` names, by `[[device_model]] id`.
fn model_ref(f: &At<String>, models: &[DeviceModel]) -> Read<ModelId> {
    let id = &f.value;
    crate::device_model::find(models, id).ok_or_else(|| {
        let names: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
        Issue::at(
            &f.path,
            format!(
                "{}: no [[device_model]] has id \"{id}\"; {}the Device Models are {}",
                de::what_of(&f.path),
                did_you_mean(id, &names),
                list(&names, "and")
            ),
        )
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

fn campaign(
    file: CampaignFile,
    suppliers: &[Supplier],
    models: &[DeviceModel],
    config: &FirmwareConfig,
    duration: SimDuration,
    start_date: Date,
) -> Read<Campaign> {
    let before = &config.campaigns;
    unique(
        &file.id,
        "[[firmware_campaign]]",
        before.iter().map(|c| &c.id),
    )?;

    let name = &file.supplier.value;
    let Some(supplier) = suppliers.iter().position(|s| s.name == *name) else {
        let names: Vec<&str> = suppliers.iter().map(|s| s.name.as_str()).collect();
        return Err(Issue::at(
            &file.supplier.path,
            format!(
                "{}: no [[supplier]] is called \"{name}\"; {}the suppliers are {}",
                de::what_of(&file.supplier.path),
                did_you_mean(name, &names),
                list(&names, "and")
            ),
        ));
    };

    let from_field = &file.device_model;
    let from = model_ref(from_field, models)?;
    let from_model = &models[from.index()];
    let at_model = |message: String| Issue::at(&from_field.path, message);
    let Some(device) = addressed_as(from_model.device_type) else {
        return Err(at_model(format!(
            "{}: \"{}\" is a {} Device Model; firmware campaigns (SRs 11.1–11.3) update \
             Communications Hubs (comms-hub), electricity meters (esme-single, esme-twin, \
             esme-polyphase) and gas meters (gsme) only",
            de::what_of(&from_field.path),
            from_model.id,
            from_model.device_type
        )));
    };
    if let Some(other) = before
        .iter()
        .find(|c| usize::from(c.supplier) == supplier && c.from == from)
    {
        return Err(at_model(format!(
            "[[firmware_campaign]] \"{other}\" already updates supplier \"{name}\"'s \"{}\" \
             devices; two campaigns would target the same devices, so merge them into one",
            from_model.id,
            other = other.id
        )));
    }

    let image_field = &file.image;
    let image_id = &image_field.value;
    let Some(image) = config.images.iter().position(|i| i.id == *image_id) else {
        let names: Vec<&str> = config.images.iter().map(|i| i.id.as_str()).collect();
        let library = if names.is_empty() {
            "has no images".to_string()
        } else {
            format!("has {}", list(&names, "and"))
        };
        return Err(Issue::at(
            &image_field.path,
            format!(
                "{}: image `{image_id}` is not in the Central Firmware Library \
                 ([[firmware_image]]); {}the library {library}",
                de::what_of(&image_field.path),
                did_you_mean(image_id, &names),
            ),
        ));
    };
    let to = config.images[image].model;
    check_upgrade(image_field, from_model, &models[to.index()])?;

    let start = super::cpl::time_from(&file.start, start_date)?;
    if start >= duration {
        return Err(Issue::at(
            &file.start.path,
            format!(
                "{} is {start} from the start, when the run ({duration}) is over; start the \
                 campaign before the run ends",
                de::what_of(&file.start.path)
            ),
        ));
    }

    let attempts = defaults::FIRMWARE_MAX_ATTEMPTS;
    Ok(Campaign {
        id: file.id.value,
        supplier: supplier as u16,
        from,
        image: image as u16,
        to,
        device,
        start,
        waves: file.waves.unwrap_or_else(|| {
            vec![Wave {
                at: SimDuration::ZERO,
                size: WaveSize::Share(1.0),
            }]
        }),
        max_in_transfer: file
            .max_in_transfer
            .unwrap_or(defaults::FIRMWARE_MAX_IN_TRANSFER),
        activation: file.activation_window.unwrap_or(ActivationWindow {
            start: defaults::FIRMWARE_ACTIVATION_START,
            length: defaults::FIRMWARE_ACTIVATION_LENGTH,
        }),
        pause_above: file.pause_if_failure_rate_above,
        pause_min_devices: file
            .pause_min_devices
            .unwrap_or(defaults::FIRMWARE_PAUSE_MIN_DEVICES),
        retry_after: file.retry_after.unwrap_or(defaults::FIRMWARE_RETRY_AFTER),
        max_transfer_attempts: file.max_transfer_attempts.unwrap_or(attempts),
        max_activation_attempts: file.max_activation_attempts.unwrap_or(attempts),
        failures: FailureRates {
            transfer: file
                .transfer_failure
                .unwrap_or(defaults::FIRMWARE_TRANSFER_FAILURE),
            activation: file
                .activation_failure
                .unwrap_or(defaults::FIRMWARE_ACTIVATION_FAILURE),
            unrecoverable: file
                .unrecoverable_failure
                .unwrap_or(defaults::FIRMWARE_UNRECOVERABLE_FAILURE),
        },
    })
}

/// An image fits a device when its Device Model is the device's with another firmware: the same
/// physical type, manufacturer, model and hardware version.
fn check_upgrade(f: &At<String>, from: &DeviceModel, to: &DeviceModel) -> Read<()> {
    let what = de::what_of(&f.path);
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
    if let Some((kind, theirs, its)) = fields.iter().find(|(_, a, b)| a != b) {
        return Err(Issue::at(
            &f.path,
            format!(
                "{what}: the image is for Device Model \"{}\", whose {kind} is \"{its}\", but the \
                 campaign's devices (\"{}\") have {kind} \"{theirs}\"; an image only changes the \
                 firmware",
                to.id, from.id
            ),
        ));
    }
    if from.firmware == to.firmware {
        return Err(Issue::at(
            &f.path,
            format!(
                "{what}: the image's Device Model \"{}\" has the same firmware (\"{}\") as the \
                 campaign's devices (\"{}\"); a campaign moves devices to a different firmware",
                to.id, to.firmware, from.id
            ),
        ));
    }
    Ok(())
}
