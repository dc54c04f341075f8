//! Scenario sections of the Smart Metering Inventory: `[[device_model]]`, the Device Models the
//! world's devices are drawn from, and `[[install]]`, installation waves creating new premises.

use super::de::{self, Raw};
use super::reader::{list, number, Issue, Read, Seg};
use crate::config::{defaults, Population, Supplier};
use crate::device_model::{DeviceModel, PhysicalDeviceType, Slot};
use crate::install::config::{premises_in, InstallWave, StepFailures};
use dccsim_sim::SimDuration;
use serde::{Deserialize, Deserializer};

/// `[[install]]` as written: the supplier by name, the end and gas share defaulting to the run's.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InstallFile {
    supplier: String,
    #[serde(deserialize_with = "non_negative")]
    premises_per_day: f64,
    #[serde(default, deserialize_with = "duration")]
    start: SimDuration,
    end: Option<Raw>,
    #[serde(default, deserialize_with = "some_share")]
    gas_share: Option<f64>,
    #[serde(default, deserialize_with = "de::share")]
    ppmid_share: f64,
    #[serde(default, deserialize_with = "de::share")]
    hcalcs_share: f64,
    #[serde(default)]
    fail: StepFailures,
}

use crate::config::read::{duration, non_negative};

fn some_share<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    de::share(d).map(Some)
}

/// Checks every `[[install]]` against the scenario's suppliers, population and duration.
pub(crate) fn installs(
    files: Vec<InstallFile>,
    suppliers: &[Supplier],
    population: &Population,
    duration: SimDuration,
) -> Read<Vec<InstallWave>> {
    let mut waves = Vec::new();
    let mut total = u64::from(population.premises);
    for (i, w) in files.into_iter().enumerate() {
        let at = |key: &str| {
            vec![
                Seg::Key("install".into()),
                Seg::Index(i),
                Seg::Key(key.into()),
            ]
        };
        let Some(supplier) = suppliers.iter().position(|s| s.name == w.supplier) else {
            let names: Vec<String> = suppliers
                .iter()
                .map(|s| format!("\"{}\"", s.name))
                .collect();
            return Err(Issue::at(
                &at("supplier"),
                format!(
                    "{} names no [[supplier]] \"{}\"; the suppliers are {}",
                    de::what_of(&at("supplier")),
                    w.supplier,
                    list(&names, "and")
                ),
            ));
        };
        let start = w.start;
        let end = match &w.end {
            Some(raw) => {
                let end = de::read_raw(raw, crate::config::read::duration)?;
                let what = de::what_of(&raw.path);
                if end > duration {
                    return Err(Issue::at(
                        &raw.path,
                        format!(
                            "{what} is {end}, after the run ends ({duration}); end the wave \
                             within `duration`"
                        ),
                    ));
                }
                if end <= start {
                    return Err(Issue::at(
                        &raw.path,
                        format!(
                            "{what} is {end}, not after `start` ({start}); a wave ends after it \
                             begins"
                        ),
                    ));
                }
                end
            }
            None if start >= duration => {
                return Err(Issue::at(
                    &at("supplier")[..2],
                    format!("[[install]] starts at {start}, when the run ({duration}) is over"),
                ))
            }
            None => duration,
        };
        let wave = InstallWave {
            supplier: supplier as u16,
            premises_per_day: w.premises_per_day,
            start,
            end,
            gas_share: w.gas_share.unwrap_or(population.gas_share),
            ppmid_share: w.ppmid_share,
            hcalcs_share: w.hcalcs_share,
            fail: w.fail,
        };
        let rate = at("premises_per_day");
        let count = premises_in(&wave);
        if count == 0 {
            return Err(Issue::at(
                &rate,
                format!(
                    "[[install]] installs no premises at {} a day between {start} and {end}; \
                     raise the rate or lengthen the wave",
                    number(w.premises_per_day)
                ),
            ));
        }
        total += u64::from(count);
        if total > u64::from(defaults::MAX_PREMISES) {
            return Err(Issue::at(
                &rate,
                format!(
                    "the installation waves bring the premises to {total}, more than the {} the \
                     simulator can number",
                    defaults::MAX_PREMISES
                ),
            ));
        }
        waves.push(wave);
    }
    Ok(waves)
}

/// `[[device_model]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModelFile {
    #[serde(deserialize_with = "text")]
    id: String,
    #[serde(rename = "type")]
    device_type: PhysicalDeviceType,
    #[serde(deserialize_with = "text")]
    manufacturer: String,
    #[serde(deserialize_with = "text")]
    model: String,
    #[serde(deserialize_with = "text")]
    hardware: String,
    #[serde(deserialize_with = "text")]
    firmware: String,
    #[serde(deserialize_with = "de::share")]
    share: f64,
    #[serde(default = "listed")]
    listed: bool,
}

fn listed() -> bool {
    true
}

/// A string that is not blank.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Err(crate::config::read::error(format_args!(
            "{} must not be empty",
            crate::config::read::WHAT
        )));
    }
    Ok(s)
}

/// Checks every `[[device_model]]`: ids and identities unique, shares of a slot summing to 1.
/// Slots the list leaves empty (hubs, electricity or gas meters) get the default model of that
/// slot, appended after the scenario's own models; with no list at all every default model is
/// used.
pub(crate) fn device_models(files: Vec<ModelFile>) -> Read<Vec<DeviceModel>> {
    let list_path = vec![Seg::Key("device_model".into())];
    let entry = |i: usize| [list_path.clone(), vec![Seg::Index(i)]].concat();
    let mut models: Vec<DeviceModel> = Vec::new();
    for (i, m) in files.into_iter().enumerate() {
        if models.iter().any(|o| o.id == m.id) {
            let mut path = entry(i);
            path.push(Seg::Key("id".into()));
            return Err(Issue::at(
                &path,
                format!(
                    "there are two Device Models with id \"{}\"; each [[device_model]] needs \
                     its own id",
                    m.id
                ),
            ));
        }
        if let Some(same) = models.iter().find(|o| {
            o.device_type == m.device_type
                && o.manufacturer == m.manufacturer
                && o.model == m.model
                && o.hardware == m.hardware
                && o.firmware == m.firmware
        }) {
            return Err(Issue::at(
                &entry(i),
                format!(
                    "[[device_model]] describes the same {} Device Model (manufacturer, model, \
                     hardware, firmware) as \"{}\"; a Device Model is listed once",
                    m.device_type, same.id
                ),
            ));
        }
        models.push(DeviceModel {
            id: m.id,
            device_type: m.device_type,
            manufacturer: m.manufacturer,
            model: m.model,
            hardware: m.hardware,
            firmware: m.firmware,
            share: m.share,
            listed: m.listed,
        });
    }
    if models.len() > usize::from(u16::MAX) {
        return Err(Issue::at(
            &list_path,
            format!("at most {} Device Models, found {}", u16::MAX, models.len()),
        ));
    }
    // Shares within each slot sum to 1.
    let mut slots: Vec<Slot> = models.iter().map(|m| m.device_type.slot()).collect();
    slots.sort();
    slots.dedup();
    for slot in slots {
        let members: Vec<(usize, &DeviceModel)> = models
            .iter()
            .enumerate()
            .filter(|(_, m)| m.device_type.slot() == slot)
            .collect();
        let sum: f64 = members.iter().map(|(_, m)| m.share).sum();
        if (sum - 1.0).abs() > super::defaults::SHARE_TOLERANCE {
            let terms: Vec<String> = members
                .iter()
                .map(|(_, m)| format!("{} {}", m.id, number(m.share)))
                .collect();
            let what = match slot {
                Slot::Hub => "Communications Hub".to_string(),
                Slot::Esme => "electricity meter (esme-single, esme-twin, esme-polyphase)".into(),
                Slot::Gsme => "gas meter".into(),
                Slot::Other(t) => t.name().to_string(),
            };
            return Err(Issue::at(
                &entry(members[0].0),
                format!(
                    "the shares of the {what} models sum to {}, not 1 ({}); make them add up \
                     to 1",
                    number(sum),
                    terms.join(" + ")
                ),
            )
            .scoped(&list_path));
        }
    }
    if models.is_empty() {
        return Ok(DeviceModel::defaults());
    }
    let missing: Vec<DeviceModel> = DeviceModel::defaults()
        .into_iter()
        .filter(|d| {
            let slot = d.device_type.slot();
            matches!(slot, Slot::Hub | Slot::Esme | Slot::Gsme)
                && !models.iter().any(|m| m.device_type.slot() == slot)
        })
        .collect();
    models.extend(missing);
    Ok(models)
}

/// Appends the default Device Model of type `ty` when `models` has none, so that devices of a
/// type the scenario places by another section (an EV charger's HCALCS or APC) have a model on
/// the SMI; the scenario's own models of that type are used otherwise.
pub(crate) fn ensure_model(models: &mut Vec<DeviceModel>, ty: PhysicalDeviceType) {
    if !models.iter().any(|m| m.device_type == ty) {
        models.extend(
            DeviceModel::defaults()
                .into_iter()
                .filter(|d| d.device_type == ty),
        );
    }
}

/// [`ensure_model`] for the PPMIDs and HCALCSs the installation waves fit.
pub(crate) fn ensure_joiner_models(models: &mut Vec<DeviceModel>, installs: &[InstallWave]) {
    if installs.iter().any(|w| w.ppmid_share > 0.0) {
        ensure_model(models, PhysicalDeviceType::Ppmid);
    }
    if installs.iter().any(|w| w.hcalcs_share > 0.0) {
        ensure_model(models, PhysicalDeviceType::Hcalcs);
    }
}

#[cfg(test)]
mod tests {
    use crate::device_model::PhysicalDeviceType as T;
    use crate::scenario::{parse, Scenario, ScenarioError};

    use crate::scenario::tests::ONE_SUPPLIER as BASE;

    const TWO_ESMES: &str = r#"
[[device_model]]
id = "acme-e1"
type = "esme-single"
manufacturer = "Acme"
model = "E1"
hardware = "1.0"
firmware = "2.1"
share = 0.7

[[device_model]]
id = "bolt-p3"
type = "esme-polyphase"
manufacturer = "Bolt"
model = "P3"
hardware = "1.0"
firmware = "2.1"
share = 0.3
listed = false
"#;

    fn load(extra: &str) -> Result<Scenario, ScenarioError> {
        parse(&format!("{BASE}{extra}"), "t.toml", &[])
    }

    #[test]
    fn without_the_section_every_type_gets_one_default_model() {
        let s = load("").unwrap();
        assert_eq!(s.device_models.len(), T::ALL.len());
        assert!(s.device_models.iter().all(|m| m.listed));
    }

    #[test]
    fn listed_models_come_first_and_empty_slots_get_defaults() {
        let s = load(TWO_ESMES).unwrap();
        let ids: Vec<&str> = s.device_models.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids,
            ["acme-e1", "bolt-p3", "default-comms-hub", "default-gsme"]
        );
        assert!(s.device_models[0].listed);
        assert!(!s.device_models[1].listed);
        assert_eq!(s.device_models[1].device_type, T::PolyphaseEsme);
    }

    #[test]
    fn bad_models_are_refused_where_they_are_written() {
        // (scenario tail, text at the blamed line, its occurrence, words of the message)
        let cases = [
            (
                TWO_ESMES.replace("share = 0.3", "share = 0.2"),
                "[[device_model]]",
                0,
                "sum to 0.9",
            ),
            (
                TWO_ESMES.replace("esme-polyphase", "esme-poly"),
                "\"esme-poly\"",
                0,
                "unknown physical device type",
            ),
            (
                TWO_ESMES.replace("bolt-p3", "acme-e1"),
                "id = \"acme-e1\"",
                1,
                "two Device Models",
            ),
            (
                TWO_ESMES.replace("listed = false", "listed = \"no\""),
                "\"no\"",
                0,
                "true or false",
            ),
            (
                TWO_ESMES.replace("firmware = \"2.1\"\nshare = 0.3", "share = 0.3"),
                "[[device_model]]",
                1,
                "missing `firmware`",
            ),
            (
                TWO_ESMES.replace("listed = false", "colour = \"red\""),
                "colour",
                0,
                "unknown key `colour`",
            ),
        ];
        for (extra, needle, nth, words) in cases {
            let e = load(&extra).expect_err(&extra);
            let text = format!("{BASE}{extra}");
            let at = text.match_indices(needle).nth(nth).unwrap().0;
            let line = text[..at].matches('\n').count() + 1;
            assert_eq!(e.location().map(|l| l.0), Some(line), "{e}");
            assert!(e.message().contains(words), "{e}");
        }
    }
}
