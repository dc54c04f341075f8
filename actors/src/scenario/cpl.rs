//! Reading the CPL sections: `[cpl]` (the DSP's apply window and GBCS versions), `[[cpl_entry]]`
//! (entries with their certificates) and `[[timeline]]` (SECAS's and the DSP's events).

use super::de::{self, At, Raw};
use super::reader::{list, suggest, Issue, Path, Read, Seg};
use crate::calendar::Date;
use crate::config::defaults;
use crate::config::read::{self, WHAT};
use crate::cpl::config::entry::{
    required_certificates, Certificates, Cpa, CplEntry, DccTest, HardwareData, Required, Submitter,
};
use crate::cpl::config::{CplConfig, Event, Signing, TimedEvent};
use crate::device_model::DeviceModel;
use crate::dist::Dist;
use dccsim_sim::SimDuration;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

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

/// `[cpl]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CplFile {
    apply_delay: Option<Dist>,
    dsp_gbcs_versions: Option<Vec<String>>,
}

/// `[[cpl_entry]]` as written: the model and the entries it refers to are named by id.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntryFile {
    #[serde(deserialize_with = "entry_id")]
    id: At<String>,
    model: At<String>,
    #[serde(default, deserialize_with = "spec_text")]
    spec_version: Option<String>,
    #[serde(default, deserialize_with = "word")]
    gbcs_version: Option<String>,
    #[serde(default, deserialize_with = "word")]
    zigbee_certificate: Option<String>,
    #[serde(default, deserialize_with = "cpa")]
    cpa_certificate: Option<Cpa>,
    #[serde(default, deserialize_with = "word")]
    dlms_certificate: Option<String>,
    #[serde(default, deserialize_with = "word")]
    certified_firmware: Option<String>,
    certificate_mapping: Option<At<String>>,
    #[serde(default)]
    upgrades_from: Vec<At<String>>,
    #[serde(default = "in_force")]
    in_force: bool,
    /// `smets = 1` for a SMETS1 entry (default 2).
    smets: Option<At<i64>>,
    compliance_statement: Option<At<String>>,
    dcc_test: Option<At<String>>,
    submitted_by: Option<At<String>>,
}

fn in_force() -> bool {
    true
}

/// An entry's id: a name without spaces (it travels in extracts as a word).
fn entry_id<'de, D: Deserializer<'de>>(d: D) -> Result<At<String>, D::Error> {
    let id = At::<String>::deserialize(d)?;
    if id.value.is_empty() || id.value.contains(char::is_whitespace) {
        return Err(read::error(format_args!(
            "{WHAT} must be a name without spaces, e.g. \"acme-e1-v1\""
        )));
    }
    Ok(id)
}

/// Text that must not be empty (`spec_version`, which may have spaces).
fn spec_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Err(read::error(format_args!("{WHAT} must not be empty")));
    }
    Ok(Some(s))
}

/// An id or a version: not empty, no spaces (it travels in extracts as a word).
fn word<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = spec_text(d)?.unwrap_or_default();
    if s.contains(char::is_whitespace) {
        return Err(read::error(format_args!(
            "{WHAT} must not contain spaces, found \"{s}\""
        )));
    }
    Ok(Some(s))
}

/// `cpa_certificate = { id = "CPA-1", expires = "2027-03-01", condition = "2026-09-01" }`.
fn cpa<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cpa>, D::Error> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct CpaFile {
        #[serde(deserialize_with = "cpa_id")]
        id: String,
        #[serde(deserialize_with = "read::date")]
        expires: Date,
        #[serde(default, deserialize_with = "some_date")]
        condition: Option<Date>,
    }
    fn cpa_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let id = String::deserialize(d)?;
        if id.trim().is_empty() || id.contains(char::is_whitespace) {
            return Err(read::error(format_args!(
                "{WHAT} must be a name without spaces"
            )));
        }
        Ok(id)
    }
    fn some_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        read::date(d).map(Some)
    }
    let CpaFile {
        id,
        expires,
        condition,
    } = CpaFile::deserialize(d)?;
    if let Some(c) = condition.filter(|&c| c >= expires) {
        return Err(read::below(
            "condition",
            format_args!("{WHAT} ({c}) must be before the certificate expires ({expires})"),
        ));
    }
    Ok(Some(Cpa {
        id,
        expires,
        condition,
    }))
}

/// Checks `[cpl]`, `[[cpl_entry]]` and `[[timeline]]` as read against each other and the
/// scenario. `models` are the scenario's Device Models by id; `start` is `[scenario]
/// start_date`. Events after the run's end are kept (they simply do not happen), so that
/// `--set scenario.duration=…` can shorten any run.
pub(crate) fn check(
    cpl: Option<CplFile>,
    entry_files: Vec<EntryFile>,
    timeline_files: Vec<EventFile>,
    models: &[(String, ModelFacts)],
    start: Date,
) -> Read<CplConfig> {
    let cpl = cpl.unwrap_or(CplFile {
        apply_delay: None,
        dsp_gbcs_versions: None,
    });
    if entry_files.len() > usize::from(u16::MAX) {
        return Err(Issue::at(
            &[],
            "a scenario may have at most 65535 [[cpl_entry]]",
        ));
    }
    let mut entries: Vec<CplEntry> = Vec::new();
    let mut places = Vec::new();
    let mut later = Vec::new();
    for file in entry_files {
        let (entry, refs) = entry(file, models, &entries)?;
        places.push(refs.0.clone());
        entries.push(entry);
        later.push((refs.1, refs.2));
    }
    // References may point forward: resolve them once every id is known.
    let names: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    let ids: Vec<&str> = names.iter().map(String::as_str).collect();
    for (i, (mapping, upgrades)) in later.iter().enumerate() {
        if let Some(m) = mapping {
            entries[i].certificate_mapping = Some(entry_ref(m, &ids)?);
        }
        entries[i].upgrades_from = upgrades
            .iter()
            .map(|u| entry_ref(u, &ids))
            .collect::<Read<_>>()?;
    }
    // Entries on the CPL at the start must be complete: the same rules the DSP applies later.
    for (path, e) in places.iter().zip(&entries) {
        if let Some(cpa) = e.certificates.cpa.as_ref().filter(|_| e.in_force_at_start) {
            let lapsed = cpa
                .condition
                .filter(|&c| c < start)
                .map(|c| ("condition date", c));
            let gone = (cpa.expires <= start).then_some(("expiry date", cpa.expires));
            if let Some((what, when)) = gone.or(lapsed) {
                return Err(Issue::at(
                    path,
                    format!(
                        "[[cpl_entry]] \"{}\" cannot be on the CPL at the start ({start}): its CPA \
                         certificate \"{}\" passed its {what} on {when}; move the date, or set \
                         `in_force = false`",
                        e.id, cpa.id
                    ),
                ));
            }
        }
        if e.in_force_at_start {
            if let Err(reason) = e.check(&entries) {
                return Err(Issue::at(
                    path,
                    format!(
                        "[[cpl_entry]] \"{}\" cannot be on the CPL at the start: {}; {}, or \
                         set `in_force = false` to publish it in an extract (where the DSP \
                         refuses it and counts cpl.entry_refused{{reason={}}})",
                        e.id,
                        reason.text(),
                        match e.smets1_test {
                            Some(_) =>
                                "have the DCC submit it, with a compliance statement and \
                                        a passed `dcc_test`",
                            None => "add the certificate",
                        },
                        reason.name()
                    ),
                ));
            }
        }
    }
    let known_gbcs = cpl.dsp_gbcs_versions.unwrap_or_else(|| {
        let mut v: Vec<String> = Vec::new();
        for e in entries
            .iter()
            .filter(|e| e.in_force_at_start && e.smets1_test.is_none())
        {
            if !v.contains(&e.gbcs_version) {
                v.push(e.gbcs_version.clone());
            }
        }
        v
    });
    let mut timeline = Vec::new();
    for file in &timeline_files {
        timeline.push(event(file, &entries, start)?);
    }
    if let (Some(first), true) = (timeline_files.first(), entries.is_empty()) {
        return Err(Issue::at(
            &first.path,
            "[[timeline]] events act on the CPL, but the scenario has no [[cpl_entry]]; add the \
             entries first",
        ));
    }
    timeline.sort_by_key(|e: &TimedEvent| e.at);
    Ok(CplConfig {
        entries,
        apply_delay: cpl.apply_delay.unwrap_or(defaults::CPL_APPLY_DELAY),
        known_gbcs,
        timeline,
    })
}

/// An entry's place, and its references to other entries, resolved once all are read.
type Refs = (Path, Option<At<String>>, Vec<At<String>>);

fn entry(
    file: EntryFile,
    models: &[(String, ModelFacts)],
    before: &[CplEntry],
) -> Read<(CplEntry, Refs)> {
    let smets1 = smets1_keys(&file)?;
    let id = file.id.value;
    let mut place = file.id.path.clone();
    place.pop();
    if before.iter().any(|e| e.id == id) {
        return Err(Issue::at(
            &file.id.path,
            format!("there are two [[cpl_entry]] with id \"{id}\"; each needs its own id"),
        ));
    }
    let model_id = &file.model.value;
    let Some((_, facts)) = models.iter().find(|(m, _)| m == model_id) else {
        let names: Vec<&str> = models.iter().map(|(m, _)| m.as_str()).collect();
        let hint =
            suggest(model_id, &names).map_or(String::new(), |n| format!("did you mean \"{n}\"? "));
        return Err(Issue::at(
            &file.model.path,
            format!(
                "{}: no [[device_model]] has id \"{model_id}\"; {hint}the Device Models are {}",
                de::what_of(&file.model.path),
                list(&names, "and")
            ),
        ));
    };
    let entry = CplEntry {
        id,
        model: facts.index,
        device_type: facts.device_type.clone(),
        required: facts.required,
        hardware: facts.hardware.clone(),
        spec_version: file.spec_version.unwrap_or_else(|| {
            let default = match smets1.test {
                Some(_) => defaults::CPL_SMETS1_SPEC_VERSION,
                None => defaults::CPL_SPEC_VERSION,
            };
            default.to_string()
        }),
        gbcs_version: file.gbcs_version.unwrap_or_else(|| {
            let default = match smets1.test {
                Some(_) => defaults::CPL_SMETS1_GBCS_VERSION,
                None => defaults::CPL_GBCS_VERSION,
            };
            default.to_string()
        }),
        certificates: Certificates {
            zigbee: file.zigbee_certificate,
            cpa: file.cpa_certificate,
            dlms: file.dlms_certificate,
            compliance_statement: smets1.compliance_statement,
        },
        certified_firmware: file
            .certified_firmware
            .unwrap_or_else(|| facts.hardware.firmware.clone()),
        certificate_mapping: None,
        upgrades_from: Vec::new(),
        in_force_at_start: file.in_force,
        smets1_test: smets1.test,
        submitted_by: smets1.submitted_by,
    };
    Ok((entry, (place, file.certificate_mapping, file.upgrades_from)))
}

/// What an entry's SMETS keys say: its DCC test (SMETS1 only), compliance statement and
/// submitter.
struct SmetsKeys {
    test: Option<DccTest>,
    compliance_statement: Option<String>,
    submitted_by: Submitter,
}

/// Reads `smets`, `compliance_statement`, `dcc_test` and `submitted_by`: a SMETS1 entry has no
/// ZigBee, CPA or DLMS certificate and no GBCS version (SMETS1 devices are assured by a
/// compliance statement and the DCC's test); a SMETS2 entry has no compliance statement or DCC
/// test.
fn smets1_keys(file: &EntryFile) -> Read<SmetsKeys> {
    let smets1 = match &file.smets {
        None => false,
        Some(At { value: 1, .. }) => true,
        Some(At { value: 2, .. }) => false,
        Some(At { path, value }) => {
            return Err(Issue::at(
                path,
                format!(
                    "{} must be 1 (a SMETS1 entry) or 2 (SMETS2, the default), found {value}",
                    de::what_of(path)
                ),
            ))
        }
    };
    let word = |at: &At<String>| -> Read<String> {
        if at.value.trim().is_empty() || at.value.contains(char::is_whitespace) {
            return Err(Issue::at(
                &at.path,
                format!(
                    "{} must be a name without spaces, e.g. \"CS-1\"",
                    de::what_of(&at.path)
                ),
            ));
        }
        Ok(at.value.clone())
    };
    let named = |at: &At<String>, names: &[&str]| -> Read<usize> {
        names.iter().position(|n| *n == at.value).ok_or_else(|| {
            let hint = suggest(&at.value, names)
                .map_or(String::new(), |n| format!("did you mean \"{n}\"? "));
            Issue::at(
                &at.path,
                format!(
                    "{} is \"{}\"; {hint}it must be {}",
                    de::what_of(&at.path),
                    at.value,
                    list(names, "or")
                ),
            )
        })
    };
    let submitted_by = match &file.submitted_by {
        Some(at) => {
            named(at, &Submitter::NAMES)?;
            Submitter::from_name(&at.value).expect("a name from the list")
        }
        None if smets1 => Submitter::Dcc,
        None => Submitter::Manufacturer,
    };
    let place = |key: &str| {
        let mut p = file.id.path.clone();
        p.pop();
        p.push(Seg::Key(key.into()));
        p
    };
    if smets1 {
        let smets2_only = [
            ("zigbee_certificate", file.zigbee_certificate.is_some()),
            ("cpa_certificate", file.cpa_certificate.is_some()),
            ("dlms_certificate", file.dlms_certificate.is_some()),
            ("gbcs_version", file.gbcs_version.is_some()),
        ];
        if let Some((key, _)) = smets2_only.iter().find(|(_, given)| *given) {
            return Err(Issue::at(
                &place(key),
                format!(
                    "[[cpl_entry]] \"{}\" is a SMETS1 entry (`smets = 1`), which has no `{key}`: \
                     SMETS1 devices have no CPA, ZigBee or DLMS certificates and do not speak \
                     GBCS; they are assured by a `compliance_statement` and the DCC's \
                     `dcc_test`",
                    file.id.value
                ),
            ));
        }
        let test = match &file.dcc_test {
            Some(at) => {
                named(at, &DccTest::NAMES)?;
                DccTest::from_name(&at.value).expect("a name from the list")
            }
            None => DccTest::Passed,
        };
        let compliance_statement = file.compliance_statement.as_ref().map(word).transpose()?;
        return Ok(SmetsKeys {
            test: Some(test),
            compliance_statement,
            submitted_by,
        });
    }
    if let Some(at) = file
        .compliance_statement
        .as_ref()
        .or(file.dcc_test.as_ref())
    {
        return Err(Issue::at(
            &at.path,
            format!(
                "{} belongs to SMETS1 entries only (their assurance in place of CPA); add \
                 `smets = 1` if \"{}\" lists a SMETS1 device",
                de::what_of(&at.path),
                file.id.value
            ),
        ));
    }
    Ok(SmetsKeys {
        test: None,
        compliance_statement: None,
        submitted_by,
    })
}

/// The index of the entry `id` names.
fn entry_ref(id: &At<String>, ids: &[&str]) -> Read<u16> {
    let name = id.value.as_str();
    ids.iter()
        .position(|&e| e == name)
        .map(|i| i as u16)
        .ok_or_else(|| {
            let hint =
                suggest(name, ids).map_or(String::new(), |n| format!("did you mean \"{n}\"? "));
            Issue::at(
                &id.path,
                format!(
                    "{}: no [[cpl_entry]] has id \"{name}\"; {hint}the entries are {}",
                    de::what_of(&id.path),
                    list(ids, "and")
                ),
            )
        })
}

const EVENTS: [&str; 4] = [
    "publish_extract",
    "revoke_certificate",
    "extend_condition",
    "dsp_learns_gbcs",
];

/// `[[timeline]]` as written: which event, and its keys (which depend on the event).
pub(crate) struct EventFile {
    path: Path,
    kind: usize,
    keys: BTreeMap<String, Raw>,
}

impl<'de> Deserialize<'de> for EventFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        event_file(Raw::deserialize(d)?).map_err(de::raise)
    }
}

impl EventFile {
    fn require(&self, key: &str, example: &str) -> Read<&Raw> {
        self.keys.get(key).ok_or_else(|| {
            Issue::at(
                &self.path,
                format!("[[timeline]] is missing `{key}`; add e.g. `{example}`"),
            )
        })
    }
}

/// The event's kind and keys, each key one the event takes.
fn event_file(raw: Raw) -> Read<EventFile> {
    let toml::Value::Table(table) = &raw.value else {
        let what = de::what_of(&raw.path);
        return Err(de::wrong_type(&raw.path, &what, &raw.value, "a table"));
    };
    let mut file = EventFile {
        path: raw.path.clone(),
        kind: 0,
        keys: table
            .iter()
            .map(|(k, value)| {
                let mut path = raw.path.clone();
                path.push(Seg::Key(k.clone()));
                let value = value.clone();
                (k.clone(), Raw { path, value })
            })
            .collect(),
    };
    let kind = file.require("event", "event = \"publish_extract\"")?;
    file.kind = de::read_raw(kind, |n| {
        read::one_of(n, "timeline event", &EVENTS, |s| {
            EVENTS.iter().position(|e| *e == s)
        })
    })?;
    let known: &[&str] = match file.kind {
        0 => &["event", "at", "add", "remove", "signature"],
        1 => &["event", "at", "certificate"],
        2 => &["event", "at", "certificate", "until"],
        _ => &["event", "at", "version"],
    };
    if let Some((key, value)) = file.keys.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        let message = match suggest(key, known) {
            Some(near) => format!("unknown key `{key}` in [[timeline]]; did you mean `{near}`?"),
            None => format!(
                "unknown key `{key}` in [[timeline]]; the keys it takes are {}",
                list(known, "and")
            ),
        };
        return Err(Issue {
            path: value.path.clone(),
            on_key: true,
            message,
            scope: None,
        });
    }
    file.require("at", "at = \"36h\" (or a date, at = \"2026-03-01\")")?;
    Ok(file)
}

fn event(file: &EventFile, entries: &[CplEntry], start: Date) -> Read<TimedEvent> {
    let at = time_from(file.require("at", "")?, start)?;
    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    let text = |raw: &Raw| de::read_raw(raw, String::deserialize);
    let certificate = || -> Read<(String, &Raw)> {
        let f = file.require("certificate", "certificate = \"CPA-1\"")?;
        let id = text(f)?;
        if !entries.iter().any(|e| e.certificates.carries(&id)) {
            return Err(Issue::at(
                &f.path,
                format!(
                    "{}: no [[cpl_entry]] carries a certificate \"{id}\"",
                    de::what_of(&f.path)
                ),
            ));
        }
        Ok((id, f))
    };
    let event = match file.kind {
        0 => {
            let refs = |key: &str| -> Read<Vec<u16>> {
                match file.keys.get(key) {
                    Some(f) => de::read_raw(f, Vec::<At<String>>::deserialize)?
                        .iter()
                        .map(|x| entry_ref(x, &ids))
                        .collect(),
                    None => Ok(Vec::new()),
                }
            };
            let signing = match file.keys.get("signature") {
                Some(f) => de::read_raw(f, |n| {
                    read::one_of(n, "signature", &Signing::NAMES, Signing::from_name)
                })?,
                None => Signing::Valid,
            };
            Event::PublishExtract {
                add: refs("add")?,
                remove: refs("remove")?,
                signing,
            }
        }
        1 => Event::RevokeCertificate {
            certificate: certificate()?.0,
        },
        2 => {
            let (certificate, f) = certificate()?;
            if !entries.iter().any(|e| {
                e.certificates
                    .cpa
                    .as_ref()
                    .is_some_and(|c| c.id == certificate && c.condition.is_some())
            }) {
                return Err(Issue::at(
                    &f.path,
                    format!(
                        "{}: \"{certificate}\" is not a conditional CPA certificate (one with a \
                         `condition` date), so it has no condition to extend",
                        de::what_of(&f.path)
                    ),
                ));
            }
            let until_field = file.require("until", "until = \"2026-12-01\"")?;
            let until = de::read_raw(until_field, read::date)?;
            let after_event = until
                .since(start)
                .is_some_and(|u| u.as_micros() > at.as_micros());
            if !after_event {
                return Err(Issue::at(
                    &until_field.path,
                    format!(
                        "{} ({until}) must be after the event itself",
                        de::what_of(&until_field.path)
                    ),
                ));
            }
            Event::ExtendCondition { certificate, until }
        }
        _ => {
            let f = file.require("version", "version = \"1.1\"")?;
            let v = text(f)?;
            if v.trim().is_empty() {
                return Err(Issue::at(
                    &f.path,
                    format!("{} must not be empty", de::what_of(&f.path)),
                ));
            }
            Event::DspLearnsGbcs { version: v }
        }
    };
    Ok(TimedEvent { at, event })
}

/// `YYYY-MM-DD` in shape, whether or not the day exists.
fn looks_like_a_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// A moment of the run written as a duration from time zero (`"36h"`) or as a calendar date
/// (`"2026-03-01"`, midnight of that day), as an offset from the start; `start` is
/// `[scenario] start_date`. Dates before the start are refused.
pub(super) fn time_from(raw: &Raw, start: Date) -> Read<SimDuration> {
    let is_date = match &raw.value {
        // Shaped like a date (a wrong one, "2026-02-30", gets the date reader's message).
        toml::Value::String(text) => Date::parse(text).is_some() || looks_like_a_date(text),
        toml::Value::Datetime(_) => true,
        _ => false,
    };
    if !is_date {
        return de::read_raw(raw, read::duration);
    }
    let d = de::read_raw(raw, read::date)?;
    let t = d.since(start).ok_or_else(|| {
        Issue::at(
            &raw.path,
            format!(
                "{} is {d}, before the scenario starts ({start})",
                de::what_of(&raw.path)
            ),
        )
    })?;
    Ok(SimDuration::from_micros(t.as_micros()))
}
