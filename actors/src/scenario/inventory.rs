//! Scenario sections of the Smart Metering Inventory: `[[device_model]]`, the Device Models the
//! world's devices are drawn from, and `[[install]]`, installation waves creating new premises.

use super::reader::{list, number, Field, Issue, Read, Table};
use crate::config::{defaults, Population, Supplier};
use crate::device_model::{DeviceModel, PhysicalDeviceType, Slot};
use crate::install::config::{premises_in, InstallWave, StepFailures};
use dccsim_sim::SimDuration;

const INSTALL_KEYS: [&str; 8] = [
    "supplier",
    "premises_per_day",
    "start",
    "end",
    "gas_share",
    "ppmid_share",
    "hcalcs_share",
    "fail",
];
const STEP_KEYS: [&str; 5] = [
    "prenotify",
    "whitelist",
    "join",
    "commission",
    "join_service",
];

/// Reads every `[[install]]` against the scenario's suppliers, population and duration.
pub(crate) fn installs(
    tables: &[Table<'_>],
    suppliers: &[Supplier],
    population: &Population,
    duration: SimDuration,
) -> Read<Vec<InstallWave>> {
    let mut waves = Vec::new();
    let mut total = u64::from(population.premises);
    for t in tables {
        t.check_keys(&INSTALL_KEYS)?;
        let supplier_field = t.require("supplier", "supplier = \"alpha\"")?;
        let name = supplier_field.str()?;
        let Some(supplier) = suppliers.iter().position(|s| s.name == name) else {
            let names: Vec<String> = suppliers
                .iter()
                .map(|s| format!("\"{}\"", s.name))
                .collect();
            return Err(supplier_field.issue(format!(
                "{} names no [[supplier]] \"{name}\"; the suppliers are {}",
                supplier_field.what,
                list(&names, "and")
            )));
        };
        let rate_field = t.require("premises_per_day", "premises_per_day = 200")?;
        let premises_per_day = rate_field.non_negative()?;
        let start = match t.get("start") {
            Some(f) => f.duration()?,
            None => SimDuration::ZERO,
        };
        let end = match t.get("end") {
            Some(f) => {
                let end = f.duration()?;
                if end > duration {
                    return Err(f.issue(format!(
                        "{} is {end}, after the run ends ({duration}); end the wave within \
                         `duration`",
                        f.what
                    )));
                }
                if end <= start {
                    return Err(f.issue(format!(
                        "{} is {end}, not after `start` ({start}); a wave ends after it begins",
                        f.what
                    )));
                }
                end
            }
            None if start >= duration => {
                return Err(t.issue(format!(
                    "{} starts at {start}, when the run ({duration}) is over",
                    t.title
                )))
            }
            None => duration,
        };
        let gas_share = match t.get("gas_share") {
            Some(f) => f.share()?,
            None => population.gas_share,
        };
        let share_or_zero = |k: &str| t.get(k).map_or(Ok(0.0), |f| f.share());
        let ppmid_share = share_or_zero("ppmid_share")?;
        let hcalcs_share = share_or_zero("hcalcs_share")?;
        let fail = match t.get("fail") {
            None => StepFailures::default(),
            Some(f) => {
                let ft = f.table()?;
                ft.check_keys(&STEP_KEYS)?;
                let share = |k: &str| ft.get(k).map_or(Ok(0.0), |f| f.share());
                StepFailures {
                    prenotify: share("prenotify")?,
                    whitelist: share("whitelist")?,
                    join: share("join")?,
                    commission: share("commission")?,
                    join_service: share("join_service")?,
                }
            }
        };
        let wave = InstallWave {
            supplier: supplier as u16,
            premises_per_day,
            start,
            end,
            gas_share,
            ppmid_share,
            hcalcs_share,
            fail,
        };
        let count = premises_in(&wave);
        if count == 0 {
            return Err(rate_field.issue(format!(
                "{} installs no premises at {} a day between {start} and {end}; raise the rate \
                 or lengthen the wave",
                t.title,
                number(premises_per_day)
            )));
        }
        total += u64::from(count);
        if total > u64::from(defaults::MAX_PREMISES) {
            return Err(rate_field.issue(format!(
                "the installation waves bring the premises to {total}, more than the {} the \
                 simulator can number",
                defaults::MAX_PREMISES
            )));
        }
        waves.push(wave);
    }
    Ok(waves)
}

/// `[[device_model]]` keys.
const MODEL_KEYS: [&str; 8] = [
    "id",
    "type",
    "manufacturer",
    "model",
    "hardware",
    "firmware",
    "share",
    "listed",
];

/// `listed = true|false`.
pub(crate) fn boolean(f: &Field<'_>) -> Read<bool> {
    match f.value {
        toml::Value::Boolean(b) => Ok(*b),
        other => Err(f.issue(format!(
            "{} must be true or false, found {}",
            f.what,
            super::reader::describe(other)
        ))),
    }
}

fn text(t: &Table<'_>, key: &str, example: &str) -> Read<String> {
    let f = t.require(key, example)?;
    let s = f.str()?;
    if s.trim().is_empty() {
        return Err(f.issue(format!("{} must not be empty", f.what)));
    }
    Ok(s.to_string())
}

/// Reads every `[[device_model]]` (`tables`; `path` is where the list sits). Slots the list
/// leaves empty (hubs, electricity or gas meters) get the default model of that slot, appended
/// after the scenario's own models; with no list at all every default model is used.
pub(crate) fn device_models(
    tables: &[Table<'_>],
    path: &[super::reader::Seg],
) -> Read<Vec<DeviceModel>> {
    let mut models: Vec<DeviceModel> = Vec::new();
    let type_names: Vec<&str> = PhysicalDeviceType::ALL.iter().map(|t| t.name()).collect();
    for t in tables {
        t.check_keys(&MODEL_KEYS)?;
        let id_field = t.require("id", "id = \"acme-e1\"")?;
        let id = text(t, "id", "id = \"acme-e1\"")?;
        if models.iter().any(|m| m.id == id) {
            return Err(id_field.issue(format!(
                "there are two Device Models with id \"{id}\"; each [[device_model]] needs its \
                 own id"
            )));
        }
        let device_type = t.require("type", "type = \"esme-single\"")?.one_of(
            "physical device type",
            &type_names,
            PhysicalDeviceType::from_name,
        )?;
        let manufacturer = text(t, "manufacturer", "manufacturer = \"Acme\"")?;
        let model = text(t, "model", "model = \"E1\"")?;
        let hardware = text(t, "hardware", "hardware = \"1.0\"")?;
        let firmware = text(t, "firmware", "firmware = \"2.1\"")?;
        if let Some(same) = models.iter().find(|m| {
            m.device_type == device_type
                && m.manufacturer == manufacturer
                && m.model == model
                && m.hardware == hardware
                && m.firmware == firmware
        }) {
            return Err(t.issue(format!(
                "{} describes the same {device_type} Device Model (manufacturer, model, \
                 hardware, firmware) as \"{}\"; a Device Model is listed once",
                t.title, same.id
            )));
        }
        let share = t.require("share", "share = 0.5")?.share()?;
        let listed = match t.get("listed") {
            Some(f) => boolean(&f)?,
            None => true,
        };
        models.push(DeviceModel {
            id,
            device_type,
            manufacturer,
            model,
            hardware,
            firmware,
            share,
            listed,
        });
    }
    if models.len() > usize::from(u16::MAX) {
        return Err(Issue::at(
            path,
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
            return Err(tables[members[0].0]
                .issue(format!(
                    "the shares of the {what} models sum to {}, not 1 ({}); make them add up \
                     to 1",
                    number(sum),
                    terms.join(" + ")
                ))
                .scoped(path));
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

    const BASE: &str = r#"[scenario]
name = "inv"
seed = 1
duration = "1h"

[population]
premises = 100

[[supplier]]
name = "alpha"
share = 1
"#;

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
