//! Reading SMETS1 enrolment and adoption: `[smets1]` (the DCC's SMETS1 service) and
//! `[[migration]]` (cohorts of SMETS1 meters the DCC migrates), checked against the scenario's
//! suppliers, Device Models, CPL entries and calendar.

use super::de::{self, At, Raw};
use super::reader::{list, number, suggest, Issue, Read, Seg};
use crate::calendar::Date;
use crate::config::{defaults, Supplier};
use crate::cpl::config::CplConfig;
use crate::device_model::DeviceModel;
use crate::smets1::config::{Cause, Cohort, Failures, Fleet, Service, Smets1Config};
use dccsim_sim::SimDuration;
use serde::Deserialize;

/// `[[migration]]` as written: model and supplier by name, times as durations or dates.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MigrationFile {
    model: At<String>,
    supplier: At<String>,
    per_day: Raw,
    start: Option<Raw>,
    until: Option<Raw>,
    total: Option<At<i64>>,
    #[serde(default)]
    fail: Failures,
}

/// `[[smets1_fleet]]` as written: the model and (optionally) the supplier by name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FleetFile {
    model: At<String>,
    supplier: Option<At<String>>,
    meters: At<i64>,
}

/// Checks `[smets1]`, every `[[migration]]` and every `[[smets1_fleet]]`. `existing` is how many premises the world has
/// before them (population and installation waves); `start` is `[scenario] start_date`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn check(
    service: Option<Service>,
    files: Vec<MigrationFile>,
    fleet_files: Vec<FleetFile>,
    suppliers: &[Supplier],
    models: &[DeviceModel],
    cpl: &CplConfig,
    duration: SimDuration,
    start: Date,
    existing: u64,
) -> Read<Smets1Config> {
    smets1_models_take_no_share(models, cpl)?;
    let mut cohorts = Vec::new();
    let mut total = existing;
    for (i, file) in files.into_iter().enumerate() {
        let at = |key: &str| {
            vec![
                Seg::Key("migration".into()),
                Seg::Index(i),
                Seg::Key(key.into()),
            ]
        };
        let model = model(&file.model, models, cpl)?;
        let supplier = supplier(&file.supplier, suppliers)?;
        let per_day = de::read_raw(&file.per_day, crate::config::read::number)?;
        if per_day <= 0.0 {
            return Err(Issue::at(
                &file.per_day.path,
                format!(
                    "{} is {}; a cohort migrates a positive number of meters a day, e.g. \
                     `per_day = 100`",
                    de::what_of(&file.per_day.path),
                    number(per_day)
                ),
            ));
        }
        let first = match &file.start {
            Some(raw) => super::cpl::time_from(raw, start)?,
            None => SimDuration::ZERO,
        };
        if first >= duration {
            let place = file
                .start
                .as_ref()
                .map_or_else(|| at("model"), |r| r.path.clone());
            return Err(Issue::at(
                &place,
                format!(
                    "[[migration]] starts at {first}, when the run ({duration}) is over; start \
                     it within `duration`"
                ),
            ));
        }
        let meters = match (&file.until, &file.total) {
            (Some(_), Some(t)) => {
                return Err(Issue::at(
                    &t.path,
                    "[[migration]] has both `until` and `total`; give one: `total` meters, or \
                     `per_day` until `until` (without either, until the run ends)",
                ))
            }
            (_, Some(t)) => {
                if t.value < 1 || t.value > i64::from(defaults::MAX_PREMISES) {
                    return Err(Issue::at(
                        &t.path,
                        format!(
                            "{} is {}; a cohort has 1 to {} meters",
                            de::what_of(&t.path),
                            t.value,
                            defaults::MAX_PREMISES
                        ),
                    ));
                }
                t.value as u32
            }
            (until, None) => {
                let end = match until {
                    Some(raw) => {
                        let end = super::cpl::time_from(raw, start)?;
                        if end <= first {
                            return Err(Issue::at(
                                &raw.path,
                                format!(
                                    "{} is {end}, not after the cohort's start ({first}); a \
                                     cohort ends after it begins",
                                    de::what_of(&raw.path)
                                ),
                            ));
                        }
                        end
                    }
                    None => duration,
                };
                let days = (end.as_micros() - first.as_micros()) as f64
                    / SimDuration::from_days(1).as_micros() as f64;
                let n = (per_day * days).round();
                if n < 1.0 {
                    return Err(Issue::at(
                        &file.per_day.path,
                        format!(
                            "[[migration]] migrates no meter at {} a day between {first} and \
                             {end}; raise the rate, lengthen the span, or give `total`",
                            number(per_day)
                        ),
                    ));
                }
                n.min(f64::from(defaults::MAX_PREMISES)) as u32
            }
        };
        let fail = file.fail;
        let share: f64 = Cause::ALL.iter().map(|&c| fail.of(c)).sum();
        if share > 1.0 + defaults::SHARE_TOLERANCE {
            return Err(Issue::at(
                &at("fail"),
                format!(
                    "the failure shares in {} sum to {}, more than 1; each is the share of \
                     meters failing at that step",
                    de::what_of(&at("fail")),
                    number(share)
                ),
            ));
        }
        total += u64::from(meters);
        if total > u64::from(defaults::MAX_PREMISES) {
            return Err(Issue::at(
                &at("per_day"),
                format!(
                    "the migration cohorts bring the premises to {total}, more than the {} the \
                     simulator can number",
                    defaults::MAX_PREMISES
                ),
            ));
        }
        cohorts.push(Cohort {
            model,
            supplier,
            per_day,
            start: first,
            meters,
            fail,
        });
    }
    let mut fleet = Vec::new();
    for file in fleet_files {
        let model = model(&file.model, models, cpl)?;
        if !cpl
            .entries
            .iter()
            .any(|e| e.model == model && e.in_force_at_start)
        {
            return Err(Issue::at(
                &file.model.path,
                format!(
                    "{}: Device Model \"{}\" has no SMETS1 [[cpl_entry]] on the CPL at the start \
                     of the run, so the DCC cannot have enrolled its meters before it; list one \
                     (drop `in_force = false`) or migrate them with [[migration]]",
                    de::what_of(&file.model.path),
                    file.model.value
                ),
            ));
        }
        let supplier = match &file.supplier {
            Some(name) => Some(supplier(name, suppliers)?),
            None => None,
        };
        let m = &file.meters;
        if m.value < 1 || m.value > i64::from(defaults::MAX_PREMISES) {
            return Err(Issue::at(
                &m.path,
                format!(
                    "{} is {}; a fleet has 1 to {} meters",
                    de::what_of(&m.path),
                    m.value,
                    defaults::MAX_PREMISES
                ),
            ));
        }
        total += m.value as u64;
        if total > u64::from(defaults::MAX_PREMISES) {
            return Err(Issue::at(
                &m.path,
                format!(
                    "the SMETS1 fleet brings the premises to {total}, more than the {} the \
                     simulator can number",
                    defaults::MAX_PREMISES
                ),
            ));
        }
        fleet.push(Fleet {
            model,
            supplier,
            meters: m.value as u32,
        });
    }
    Ok(Smets1Config {
        service: service.unwrap_or_default(),
        cohorts,
        fleet,
    })
}

/// The Device Model a cohort names: a `[[device_model]]` electricity meter whose CPL entries are
/// SMETS1 entries (at least one: the DCC enrols a meter only while one is listed).
fn model(name: &At<String>, models: &[DeviceModel], cpl: &CplConfig) -> Read<u16> {
    let what = de::what_of(&name.path);
    let Some(i) = models.iter().position(|m| m.id == name.value) else {
        let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
        let hint =
            suggest(&name.value, &ids).map_or(String::new(), |n| format!("did you mean \"{n}\"? "));
        return Err(Issue::at(
            &name.path,
            format!(
                "{what}: no [[device_model]] has id \"{}\"; {hint}the Device Models are {}",
                name.value,
                list(&ids, "and")
            ),
        ));
    };
    let m = &models[i];
    if !m.device_type.is_esme() {
        return Err(Issue::at(
            &name.path,
            format!(
                "{what}: Device Model \"{}\" is a {}; SMETS1 cohorts migrate electricity meters \
                 (esme-single, esme-twin or esme-polyphase)",
                m.id, m.device_type
            ),
        ));
    }
    let mut entries = cpl.entries.iter().filter(|e| usize::from(e.model) == i);
    let Some(first) = entries.next() else {
        return Err(Issue::at(
            &name.path,
            format!(
                "{what}: Device Model \"{}\" has no [[cpl_entry]]; the DCC enrols a SMETS1 meter \
                 only while its model has a listed SMETS1 entry: add one with `model = \"{}\"`, \
                 `smets = 1` (with `in_force = false` if it is not on the CPL yet)",
                m.id, m.id
            ),
        ));
    };
    if let Some(e) = std::iter::once(first)
        .chain(entries)
        .find(|e| e.smets1_test.is_none())
    {
        return Err(Issue::at(
            &name.path,
            format!(
                "{what}: Device Model \"{}\" has the SMETS2 [[cpl_entry]] \"{}\"; a SMETS1 \
                 cohort's model is listed by SMETS1 entries only (`smets = 1`)",
                m.id, e.id
            ),
        ));
    }
    Ok(i as u16)
}

/// The cohort's supplier, by name.
fn supplier(name: &At<String>, suppliers: &[Supplier]) -> Read<u16> {
    suppliers
        .iter()
        .position(|s| s.name == name.value)
        .map(|i| i as u16)
        .ok_or_else(|| {
            let names: Vec<String> = suppliers
                .iter()
                .map(|s| format!("\"{}\"", s.name))
                .collect();
            Issue::at(
                &name.path,
                format!(
                    "{} names no [[supplier]] \"{}\"; the suppliers are {}",
                    de::what_of(&name.path),
                    name.value,
                    list(&names, "and")
                ),
            )
        })
}

/// A Device Model with a SMETS1 entry takes no share of the SMETS2 installed base: its meters
/// come only through `[[migration]]`.
fn smets1_models_take_no_share(models: &[DeviceModel], cpl: &CplConfig) -> Read<()> {
    for e in cpl.entries.iter().filter(|e| e.smets1_test.is_some()) {
        let m = &models[usize::from(e.model)];
        if m.share > 0.0 {
            let at = [
                Seg::Key("device_model".into()),
                Seg::Index(usize::from(e.model)),
                Seg::Key("share".into()),
            ];
            return Err(Issue::at(
                &at,
                format!(
                    "Device Model \"{}\" has the SMETS1 [[cpl_entry]] \"{}\", so it is no part \
                     of the SMETS2 installed base; set `share = 0` (its meters come through \
                     [[migration]])",
                    m.id, e.id
                ),
            ));
        }
    }
    Ok(())
}
