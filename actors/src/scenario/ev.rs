//! The EV load-control sections of a scenario (SECMP0046): `[ev]` (chargers and sessions),
//! `[feeders]` (LV feeders and their ratings), `[demand]` (household load) and `[dno]` (the
//! Electricity Distributor's control policy). The feature is on when `[ev]` is present.
//!
//! `[ev]`, `[feeders]` and `[demand]` are their config types; `[dno]` is read as written
//! (`DnoFile`: `monitoring` and `read_interval` become one [`Monitoring`]), then checked
//! against `[ev]`.

use super::reader::{number, Issue, Read, Seg};
use crate::config::defaults;
use crate::config::read::{self as values, error, WHAT};
pub use crate::ev::config::*;
use crate::sr::DeviceType;
use dccsim_sim::SimDuration;
use serde::{Deserialize, Deserializer};

/// `[dno]` as written.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct DnoFile {
    #[serde(deserialize_with = "policy")]
    policy: Option<Policy>,
    #[serde(deserialize_with = "monitoring")]
    monitoring: Option<bool>,
    #[serde(deserialize_with = "read_interval")]
    read_interval: Option<SimDuration>,
    #[serde(deserialize_with = "values::boolean")]
    secmp0046: bool,
    #[serde(deserialize_with = "ratio")]
    curtail_at: Option<f64>,
    #[serde(deserialize_with = "ratio")]
    restore_below: Option<f64>,
    #[serde(deserialize_with = "some_duration")]
    hold: Option<SimDuration>,
    #[serde(deserialize_with = "restore_offset")]
    restore_offset: Option<SimDuration>,
    #[serde(deserialize_with = "step")]
    step: Option<f64>,
    #[serde(deserialize_with = "rebound_window")]
    rebound_window: Option<SimDuration>,
}

fn policy<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Policy>, D::Error> {
    values::one_of(d, "policy", &Policy::NAMES, Policy::from_name).map(Some)
}

fn monitoring<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    values::one_of(
        d,
        "monitoring",
        &["substation", "meter-reads"],
        |s| match s {
            "substation" => Some(false),
            "meter-reads" => Some(true),
            _ => None,
        },
    )
    .map(Some)
}

fn read_interval<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SimDuration>, D::Error> {
    let t = values::duration(d)?;
    if t < SimDuration::from_secs(60) {
        return Err(error(format_args!(
            "{WHAT} must be at least \"1min\" (every premises is read each time), found {t}"
        )));
    }
    Ok(Some(t))
}

/// A share of the feeder's rating: more than 0, at most 2.
fn ratio<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let x = values::number(d)?;
    if x <= 0.0 || x > 2.0 {
        return Err(error(format_args!(
            "{WHAT} is a share of the feeder's rating: more than 0 and at most 2, found {}",
            number(x)
        )));
    }
    Ok(Some(x))
}

fn some_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SimDuration>, D::Error> {
    values::duration(d).map(Some)
}

fn restore_offset<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SimDuration>, D::Error> {
    let t = values::duration(d)?;
    if t.as_micros() > SimDuration::from_hours(24).as_micros() {
        return Err(error(format_args!("{WHAT} is at most \"24h\", found {t}")));
    }
    Ok(Some(t))
}

fn step<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let x = values::share(d)?;
    if x < 0.001 {
        return Err(error(format_args!(
            "{WHAT} must be at least 0.001 (a thousandth of the rating), found {}",
            number(x)
        )));
    }
    Ok(Some(x))
}

fn rebound_window<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SimDuration>, D::Error> {
    values::positive_duration(d).map(Some)
}

/// The four sections as read, checked together; `None` when the scenario has no `[ev]`.
pub(crate) fn check(
    ev: Option<Chargers>,
    feeders: Option<Feeders>,
    demand: Option<Demand>,
    dno: Option<DnoFile>,
) -> Read<Option<Ev>> {
    let Some(chargers) = ev else {
        let present = [
            ("feeders", feeders.is_some()),
            ("demand", demand.is_some()),
            ("dno", dno.is_some()),
        ];
        if let Some((name, _)) = present.iter().find(|(_, there)| *there) {
            return Err(Issue::at(
                &[Seg::Key(name.to_string())],
                format!(
                    "[{name}] describes the EV load-control experiment, which needs an [ev] \
                     table (e.g. [ev] uptake = 0.5); add [ev] or remove [{name}]"
                ),
            ));
        }
        return Ok(None);
    };
    let dno = check_dno(dno.unwrap_or_default(), chargers.device)?;
    Ok(Some(Ev {
        chargers,
        feeders: feeders.unwrap_or_default(),
        demand: demand.unwrap_or_default(),
        dno,
    }))
}

/// `[dno]`'s rules across its keys and `[ev]`, with its defaults.
fn check_dno(file: DnoFile, device: DeviceType) -> Read<Dno> {
    let at = |key: &str| [Seg::Key("dno".into()), Seg::Key(key.into())];
    let policy = file.policy.unwrap_or(Policy::None);
    let needs = match policy {
        Policy::None => None,
        Policy::Threshold => Some((DeviceType::Hcalcs, "hcalcs", "7.5 and 7.6")),
        Policy::Proportional => Some((DeviceType::Apc, "apc", "7.13")),
    };
    if let Some((_, name, srs)) = needs.filter(|(d, _, _)| *d != device) {
        return Err(Issue::at(
            &at("policy"),
            format!(
                "`policy` in [dno] sends {srs}, which only a charger behind an {} can obey, but \
                 `device` in [ev] is \"{}\"; set [ev] device = \"{name}\"",
                name.to_uppercase(),
                device.name()
            ),
        ));
    }
    let monitoring = if file.monitoring == Some(true) {
        Monitoring::MeterReads {
            interval: file.read_interval.unwrap_or(defaults::DNO_READ_INTERVAL),
        }
    } else if file.read_interval.is_some() {
        return Err(Issue::at(
            &at("read_interval"),
            "`read_interval` in [dno] applies only with monitoring = \"meter-reads\"",
        ));
    } else {
        Monitoring::Substation
    };
    let curtail_at = file.curtail_at.unwrap_or(defaults::DNO_CURTAIL_AT);
    let restore_below = file.restore_below.unwrap_or(defaults::DNO_RESTORE_BELOW);
    if restore_below >= curtail_at {
        let key = if file.restore_below.is_some() {
            "restore_below"
        } else {
            "curtail_at"
        };
        return Err(Issue::at(
            &at(key),
            format!(
                "`restore_below` ({}) must be below `curtail_at` ({}) in [dno], or the DNO would \
                 restore chargers into an overload",
                number(restore_below),
                number(curtail_at)
            ),
        ));
    }
    Ok(Dno {
        policy,
        monitoring,
        secmp0046: file.secmp0046,
        curtail_at,
        restore_below,
        hold: file.hold.unwrap_or(defaults::DNO_HOLD),
        restore_offset: file.restore_offset.unwrap_or(defaults::DNO_RESTORE_OFFSET),
        step: file.step.unwrap_or(defaults::DNO_STEP),
        rebound_window: file.rebound_window.unwrap_or(defaults::DNO_REBOUND_WINDOW),
    })
}
