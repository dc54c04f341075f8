//! Reading the CPL sections: `[cpl]` (the DSP's apply window and GBCS versions), `[[cpl_entry]]`
//! (entries with their certificates) and `[[timeline]]` (SECAS's and the DSP's events).

use super::reader::{list, suggest, Field, Read, Table};
use crate::calendar::Date;
use crate::config::defaults;
use crate::cpl::config::entry::{
    required_certificates, Certificates, Cpa, CplEntry, HardwareData, Required,
};
use crate::cpl::config::{CplConfig, Event, Signing, TimedEvent};
use crate::device_model::DeviceModel;
use dccsim_sim::SimDuration;

/// What the CPL needs to know about a `[[device_model]]`.
#[derive(Clone, Debug)]
pub(crate) struct ModelFacts {
    pub index: u16,
    /// Physical device type as written in scenarios.
    pub device_type: String,
    pub required: Required,
    pub hardware: HardwareData,
}

/// The CPL's view of the scenario's Device Models, by id.
pub(crate) fn model_facts(models: &[DeviceModel]) -> Vec<(String, ModelFacts)> {
    models
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let facts = ModelFacts {
                index: i as u16,
                device_type: m.device_type.name().to_string(),
                required: required_certificates(m.device_type),
                hardware: HardwareData {
                    manufacturer: m.manufacturer.clone(),
                    model: m.model.clone(),
                    hardware: m.hardware.clone(),
                    firmware: m.firmware.clone(),
                },
            };
            (m.id.clone(), facts)
        })
        .collect()
}

/// A Device Model with CPL entries is listed at the start exactly when one of them is in force
/// (models without entries keep their own `listed`).
pub(crate) fn list_models(models: &mut [DeviceModel], cpl: &CplConfig) {
    for (i, m) in models.iter_mut().enumerate() {
        let mut entries = cpl
            .entries
            .iter()
            .filter(|e| usize::from(e.model) == i)
            .peekable();
        if entries.peek().is_some() {
            m.listed = entries.any(|e| e.in_force_at_start);
        }
    }
}

/// Reads `[cpl]`, `[[cpl_entry]]` and `[[timeline]]`. `models` are the scenario's Device Models
/// by id; `start` is `[scenario] start_date`. Events after the run's end are kept (they simply
/// do not happen), so that `--set scenario.duration=…` can shorten any run.
pub(crate) fn read(
    root: &Table<'_>,
    cpl: Option<&Table<'_>>,
    entry_tables: &[Table<'_>],
    timeline_tables: &[Table<'_>],
    models: &[(String, ModelFacts)],
    start: Date,
) -> Read<CplConfig> {
    let keys = ["apply_delay", "dsp_gbcs_versions"];
    if let Some(t) = cpl {
        t.check_keys(&keys)?;
    }
    let apply_delay = match cpl.and_then(|t| t.get("apply_delay")) {
        Some(f) => super::values::dist(&f)?,
        None => defaults::CPL_APPLY_DELAY,
    };
    let mut entries: Vec<CplEntry> = Vec::new();
    let mut mappings = Vec::new();
    for t in entry_tables {
        let (entry, mapping) = read_entry(t, models, &entries)?;
        entries.push(entry);
        mappings.push(mapping);
    }
    if entries.len() > usize::from(u16::MAX) {
        return Err(root.issue("a scenario may have at most 65535 [[cpl_entry]]"));
    }
    // References may point forward: resolve them once every id is known.
    let names: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    let ids: Vec<&str> = names.iter().map(String::as_str).collect();
    let resolve = |f: &Field<'_>| -> Read<u16> { entry_ref(f, &ids) };
    for (i, (mapping, upgrades)) in mappings.iter().enumerate() {
        if let Some(f) = mapping {
            entries[i].certificate_mapping = Some(resolve(f)?);
        }
        if let Some(f) = upgrades {
            entries[i].upgrades_from = f.array()?.iter().map(&resolve).collect::<Read<_>>()?;
        }
    }
    // Entries on the CPL at the start must be complete: the same rules the DSP applies later.
    for (t, e) in entry_tables.iter().zip(&entries) {
        if let Some(cpa) = e.certificates.cpa.as_ref().filter(|_| e.in_force_at_start) {
            let lapsed = cpa
                .condition
                .filter(|&c| c < start)
                .map(|c| ("condition date", c));
            let gone = (cpa.expires <= start).then_some(("expiry date", cpa.expires));
            if let Some((what, when)) = gone.or(lapsed) {
                return Err(t.issue(format!(
                    "{} \"{}\" cannot be on the CPL at the start ({start}): its CPA certificate \
                     \"{}\" passed its {what} on {when}; move the date, or set `in_force = false`",
                    t.title, e.id, cpa.id
                )));
            }
        }
        if e.in_force_at_start {
            if let Err(reason) = e.check(&entries) {
                return Err(t.issue(format!(
                    "{} \"{}\" cannot be on the CPL at the start: {}; add the certificate, or \
                     set `in_force = false` to publish it in an extract (where the DSP refuses \
                     it and counts cpl.entry_refused{{reason={}}})",
                    t.title,
                    e.id,
                    reason.text(),
                    reason.name()
                )));
            }
        }
    }
    let known_gbcs = match cpl.and_then(|t| t.get("dsp_gbcs_versions")) {
        Some(f) => f
            .array()?
            .iter()
            .map(|v| v.str().map(str::to_string))
            .collect::<Read<Vec<_>>>()?,
        None => {
            let mut v: Vec<String> = Vec::new();
            for e in entries.iter().filter(|e| e.in_force_at_start) {
                if !v.contains(&e.gbcs_version) {
                    v.push(e.gbcs_version.clone());
                }
            }
            v
        }
    };
    let mut timeline = Vec::new();
    for t in timeline_tables {
        timeline.push(read_event(t, &entries, start)?);
    }
    if !timeline.is_empty() && entries.is_empty() {
        return Err(timeline_tables[0].issue(
            "[[timeline]] events act on the CPL, but the scenario has no [[cpl_entry]]; add the \
             entries first",
        ));
    }
    timeline.sort_by_key(|e: &TimedEvent| e.at);
    Ok(CplConfig {
        entries,
        apply_delay,
        known_gbcs,
        timeline,
    })
}

const ENTRY_KEYS: [&str; 11] = [
    "id",
    "model",
    "spec_version",
    "gbcs_version",
    "zigbee_certificate",
    "cpa_certificate",
    "dlms_certificate",
    "certified_firmware",
    "certificate_mapping",
    "upgrades_from",
    "in_force",
];

type Later<'a> = (Option<Field<'a>>, Option<Field<'a>>);

fn read_entry<'a>(
    t: &Table<'a>,
    models: &[(String, ModelFacts)],
    before: &[CplEntry],
) -> Read<(CplEntry, Later<'a>)> {
    t.check_keys(&ENTRY_KEYS)?;
    let id_field = t.require("id", "id = \"acme-e1-v1\"")?;
    let id = id_field.str()?;
    if id.is_empty() || id.contains(char::is_whitespace) {
        return Err(id_field.issue(format!(
            "{} must be a name without spaces, e.g. \"acme-e1-v1\"",
            id_field.what
        )));
    }
    if before.iter().any(|e| e.id == id) {
        return Err(id_field.issue(format!(
            "there are two [[cpl_entry]] with id \"{id}\"; each needs its own id"
        )));
    }
    let model_field = t.require("model", "model = \"acme-e1\"")?;
    let model_id = model_field.str()?;
    let Some((_, facts)) = models.iter().find(|(m, _)| m == model_id) else {
        let names: Vec<&str> = models.iter().map(|(m, _)| m.as_str()).collect();
        let hint =
            suggest(model_id, &names).map_or(String::new(), |n| format!("did you mean \"{n}\"? "));
        return Err(model_field.issue(format!(
            "{}: no [[device_model]] has id \"{model_id}\"; {hint}the Device Models are {}",
            model_field.what,
            list(&names, "and")
        )));
    };
    // Ids and versions travel in extracts as words: no spaces.
    let text = |key: &str, default: &str| -> Read<String> {
        match t.get(key) {
            Some(f) => {
                let s = f.str()?;
                if s.trim().is_empty() {
                    return Err(f.issue(format!("{} must not be empty", f.what)));
                }
                if key != "spec_version" && s.contains(char::is_whitespace) {
                    return Err(
                        f.issue(format!("{} must not contain spaces, found \"{s}\"", f.what))
                    );
                }
                Ok(s.to_string())
            }
            None => Ok(default.to_string()),
        }
    };
    let certificate =
        |key: &str| -> Read<Option<String>> { t.get(key).map(|_| text(key, "")).transpose() };
    let cpa = match t.get("cpa_certificate") {
        Some(f) => Some(cpa(&f)?),
        None => None,
    };
    let entry = CplEntry {
        id: id.to_string(),
        model: facts.index,
        device_type: facts.device_type.clone(),
        required: facts.required,
        hardware: facts.hardware.clone(),
        spec_version: text("spec_version", defaults::CPL_SPEC_VERSION)?,
        gbcs_version: text("gbcs_version", defaults::CPL_GBCS_VERSION)?,
        certificates: Certificates {
            zigbee: certificate("zigbee_certificate")?,
            cpa,
            dlms: certificate("dlms_certificate")?,
        },
        certified_firmware: text("certified_firmware", &facts.hardware.firmware)?,
        certificate_mapping: None,
        upgrades_from: Vec::new(),
        in_force_at_start: match t.get("in_force") {
            Some(f) => super::inventory::boolean(&f)?,
            None => true,
        },
    };
    Ok((
        entry,
        (t.get("certificate_mapping"), t.get("upgrades_from")),
    ))
}

/// `cpa_certificate = { id = "CPA-1", expires = "2027-03-01", condition = "2026-09-01" }`.
fn cpa(f: &Field<'_>) -> Read<Cpa> {
    let t = f.table()?;
    t.check_keys(&["id", "expires", "condition"])?;
    let id_field = t.require("id", "id = \"CPA-1\"")?;
    let id = id_field.str()?;
    if id.trim().is_empty() || id.contains(char::is_whitespace) {
        return Err(id_field.issue(format!("{} must be a name without spaces", id_field.what)));
    }
    let expires = date(&t.require("expires", "expires = \"2027-03-01\"")?)?;
    let condition = match t.get("condition") {
        Some(c) => {
            let d = date(&c)?;
            if d >= expires {
                return Err(c.issue(format!(
                    "{} ({d}) must be before the certificate expires ({expires})",
                    c.what
                )));
            }
            Some(d)
        }
        None => None,
    };
    Ok(Cpa {
        id: id.to_string(),
        expires,
        condition,
    })
}

/// A calendar date `YYYY-MM-DD`, as a string or a TOML date.
fn date(f: &Field<'_>) -> Read<Date> {
    let text = match f.value {
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
        _ => f.str()?.to_string(),
    };
    Date::parse(&text).ok_or_else(|| {
        f.issue(format!(
            "{} must be a calendar date written YYYY-MM-DD, e.g. \"2027-03-01\"; \"{text}\" is not",
            f.what
        ))
    })
}

/// A moment of the run written as a duration from time zero (`"36h"`) or as a calendar date
/// (`"2026-03-01"`, midnight of that day), as an offset from the start; `start` is
/// `[scenario] start_date`. Dates before the start are refused.
pub(super) fn time_from_start(f: &Field<'_>, start: Date) -> Read<SimDuration> {
    let is_date = match f.value {
        toml::Value::String(text) => Date::parse(text).is_some(),
        toml::Value::Datetime(_) => true,
        _ => false,
    };
    if !is_date {
        return f.duration();
    }
    let d = date(f)?;
    let t = d.since(start).ok_or_else(|| {
        f.issue(format!(
            "{} is {d}, before the scenario starts ({start})",
            f.what
        ))
    })?;
    Ok(SimDuration::from_micros(t.as_micros()))
}

fn entry_ref(f: &Field<'_>, ids: &[&str]) -> Read<u16> {
    let id = f.str()?;
    ids.iter()
        .position(|&e| e == id)
        .map(|i| i as u16)
        .ok_or_else(|| {
            let hint =
                suggest(id, ids).map_or(String::new(), |n| format!("did you mean \"{n}\"? "));
            f.issue(format!(
                "{}: no [[cpl_entry]] has id \"{id}\"; {hint}the entries are {}",
                f.what,
                list(ids, "and")
            ))
        })
}

const EVENTS: [&str; 4] = [
    "publish_extract",
    "revoke_certificate",
    "extend_condition",
    "dsp_learns_gbcs",
];

fn read_event(t: &Table<'_>, entries: &[CplEntry], start: Date) -> Read<TimedEvent> {
    let kind_field = t.require("event", "event = \"publish_extract\"")?;
    let kind = kind_field.one_of("timeline event", &EVENTS, |s| {
        EVENTS.iter().position(|e| *e == s)
    })?;
    let keys: &[&str] = match kind {
        0 => &["event", "at", "add", "remove", "signature"],
        1 => &["event", "at", "certificate"],
        2 => &["event", "at", "certificate", "until"],
        _ => &["event", "at", "version"],
    };
    t.check_keys(keys)?;
    let at = time_from_start(
        &t.require("at", "at = \"36h\" (or a date, at = \"2026-03-01\")")?,
        start,
    )?;
    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    let certificate = |t: &Table<'_>| -> Read<String> {
        let f = t.require("certificate", "certificate = \"CPA-1\"")?;
        let id = f.str()?;
        if !entries.iter().any(|e| e.certificates.carries(id)) {
            return Err(f.issue(format!(
                "{}: no [[cpl_entry]] carries a certificate \"{id}\"",
                f.what
            )));
        }
        Ok(id.to_string())
    };
    let event = match kind {
        0 => {
            let refs = |key: &str| -> Read<Vec<u16>> {
                match t.get(key) {
                    Some(f) => f.array()?.iter().map(|x| entry_ref(x, &ids)).collect(),
                    None => Ok(Vec::new()),
                }
            };
            let signing = match t.get("signature") {
                Some(f) => f.one_of("signature", &Signing::NAMES, Signing::from_name)?,
                None => Signing::Valid,
            };
            Event::PublishExtract {
                add: refs("add")?,
                remove: refs("remove")?,
                signing,
            }
        }
        1 => Event::RevokeCertificate {
            certificate: certificate(t)?,
        },
        2 => {
            let certificate = certificate(t)?;
            if !entries.iter().any(|e| {
                e.certificates
                    .cpa
                    .as_ref()
                    .is_some_and(|c| c.id == certificate && c.condition.is_some())
            }) {
                let f = t.get("certificate").expect("read above");
                return Err(f.issue(format!(
                    "{}: \"{certificate}\" is not a conditional CPA certificate (one with a \
                     `condition` date), so it has no condition to extend",
                    f.what
                )));
            }
            let until_field = t.require("until", "until = \"2026-12-01\"")?;
            let until = date(&until_field)?;
            let after_event = until
                .since(start)
                .is_some_and(|u| u.as_micros() > at.as_micros());
            if !after_event {
                return Err(until_field.issue(format!(
                    "{} ({until}) must be after the event itself",
                    until_field.what
                )));
            }
            Event::ExtendCondition { certificate, until }
        }
        _ => {
            let f = t.require("version", "version = \"1.1\"")?;
            let v = f.str()?;
            if v.trim().is_empty() {
                return Err(f.issue(format!("{} must not be empty", f.what)));
            }
            Event::DspLearnsGbcs {
                version: v.to_string(),
            }
        }
    };
    Ok(TimedEvent { at, event })
}

#[cfg(test)]
mod tests {
    use crate::cpl::config::{Event, Signing};
    use crate::cpl::Required;
    use crate::scenario::{defaults, parse};
    use dccsim_sim::SimDuration;

    const BASE: &str = r#"[scenario]
name = "cpl"
seed = 1
duration = "2d"
start_date = "2026-01-05"

[population]
premises = 10

[[supplier]]
name = "alpha"
share = 1.0

[[device_model]]
id = "e1"
type = "esme-single"
manufacturer = "Acme"
model = "E1"
hardware = "1.0"
firmware = "1.0"
share = 0.5

[[device_model]]
id = "e2"
type = "esme-single"
manufacturer = "Acme"
model = "E2"
hardware = "1.0"
firmware = "1.0"
share = 0.5

[[device_model]]
id = "p1"
type = "ppmid"
manufacturer = "Acme"
model = "P1"
hardware = "1.0"
firmware = "1.0"
share = 1.0

[[cpl_entry]]
id = "e1-a"
model = "e1"
gbcs_version = "2.0"
zigbee_certificate = "ZB-1"
dlms_certificate = "DL-1"
cpa_certificate = { id = "CPA-1", expires = "2030-01-01" }

[[cpl_entry]]
id = "e2-a"
model = "e2"
in_force = false
gbcs_version = "9.9"

[[cpl_entry]]
id = "p1-a"
model = "p1"
zigbee_certificate = "ZB-P"

[[timeline]]
at = "2026-01-06"
event = "publish_extract"
add = ["e2-a"]
signature = "tampered"

[[timeline]]
at = "1h"
event = "dsp_learns_gbcs"
version = "9.9"
"#;

    #[test]
    fn reads_entries_defaults_and_a_sorted_timeline() {
        let s = parse(BASE, "cpl.toml", &[]).unwrap();
        let cpl = &s.cpl;
        assert_eq!(cpl.entries.len(), 3);
        assert_eq!(cpl.apply_delay, defaults::CPL_APPLY_DELAY);
        // The DSP knows the GBCS versions of the entries in force at the start.
        assert_eq!(cpl.known_gbcs, ["2.0", defaults::CPL_GBCS_VERSION]);
        assert_eq!(
            cpl.entries[2].required,
            Required {
                zigbee: true,
                cpa: false,
                dlms: false
            }
        );
        assert_eq!(cpl.entries[0].certified_firmware, "1.0");
        // Models with entries are listed exactly when one is in force.
        let listed: Vec<bool> = s.device_models.iter().map(|m| m.listed).collect();
        assert_eq!(&listed[..3], [true, false, true]);
        // Events in time order, dates turned into offsets from the start.
        assert_eq!(cpl.timeline[0].at, SimDuration::from_hours(1));
        assert_eq!(cpl.timeline[1].at, SimDuration::from_days(1));
        assert_eq!(
            cpl.timeline[1].event,
            Event::PublishExtract {
                add: vec![1],
                remove: vec![],
                signing: Signing::Tampered
            }
        );
    }

    #[test]
    fn overrides_reach_the_cpl_sections() {
        let sets = [
            "cpl.apply_delay={ dist = \"const\", value = \"2h\" }".to_string(),
            "timeline.0.signature=missing".to_string(),
        ];
        let s = parse(BASE, "cpl.toml", &sets).unwrap();
        assert_eq!(
            s.cpl.apply_delay,
            crate::dist::Dist::Const(SimDuration::from_hours(2))
        );
        assert!(matches!(
            s.cpl.timeline[1].event,
            Event::PublishExtract {
                signing: Signing::Missing,
                ..
            }
        ));
    }
}
