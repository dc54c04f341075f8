//! The device-alert sections of a scenario: `[alerts]` (SECMP0062 storm protection), `[[alert]]`
//! (a modelled alert class and its routine per-device rate) and `[[event]]` (a power outage and
//! its restoration storm). Alerts are modelled when any of the three is present.

use super::reader::{number, Issue, Read, Seg};
use crate::alert::config::class::{self, Origin, CLASSES};
use crate::alert::config::{
    AlertConfig, ClassConfig, OnStorm, Outage, Protection, HOLD_LIMIT, RESTORE_SPREAD,
    SAMPLE_ONE_IN, STORM_BURST, STORM_RATE,
};
use crate::config::read::{self as values, error, WHAT};
use crate::region::Region;
use dccsim_sim::SimDuration;
use serde::{Deserialize, Deserializer};

/// `[alerts]` as written.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct AlertsFile {
    #[serde(deserialize_with = "values::boolean")]
    protection: bool,
    #[serde(deserialize_with = "positive")]
    storm_rate: Option<f64>,
    #[serde(deserialize_with = "burst")]
    storm_burst: Option<f64>,
    #[serde(deserialize_with = "sample_one_in")]
    sample_one_in: Option<u32>,
    #[serde(deserialize_with = "hold_limit")]
    hold_limit: Option<u32>,
}

/// One `[[alert]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClassFile {
    #[serde(deserialize_with = "class_name")]
    class: u8,
    #[serde(default, deserialize_with = "per_day")]
    per_device_per_day: f64,
    #[serde(default, deserialize_with = "on_storm")]
    on_storm: Option<OnStorm>,
}

/// One `[[event]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventFile {
    #[serde(deserialize_with = "kind")]
    #[allow(dead_code)] // one kind so far: checked, then implied
    kind: (),
    #[serde(deserialize_with = "values::duration")]
    at: SimDuration,
    #[serde(deserialize_with = "values::positive_duration")]
    duration: SimDuration,
    #[serde(default, deserialize_with = "region")]
    region: Option<Region>,
    #[serde(default = "whole", deserialize_with = "values::share")]
    share: f64,
    #[serde(default = "spread", deserialize_with = "restore_spread")]
    restore_spread: SimDuration,
}

fn whole() -> f64 {
    1.0
}

fn spread() -> SimDuration {
    RESTORE_SPREAD
}

fn positive<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let x = values::number(d)?;
    if x <= 0.0 {
        return Err(error(format_args!(
            "{WHAT} is alerts a second: more than 0, found {}",
            number(x)
        )));
    }
    Ok(Some(x))
}

fn burst<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let x = values::number(d)?;
    if x < 1.0 {
        return Err(error(format_args!(
            "{WHAT} is a number of alerts: at least 1, found {}",
            number(x)
        )));
    }
    Ok(Some(x))
}

fn sample_one_in<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    values::count::<D, 1, 1_000_000>(d).map(Some)
}

fn hold_limit<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    values::count::<D, 1, 100_000_000>(d).map(Some)
}

fn class_name<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    values::one_of(d, "alert class", &class::names(), class::by_name)
}

fn per_day<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let x = values::non_negative(d)?;
    if x > 10_000.0 {
        return Err(error(format_args!(
            "{WHAT} is alerts per device per day: at most 10000, found {}",
            number(x)
        )));
    }
    Ok(x)
}

fn on_storm<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OnStorm>, D::Error> {
    values::one_of(d, "storm action", &OnStorm::NAMES, OnStorm::from_name).map(Some)
}

fn kind<'de, D: Deserializer<'de>>(d: D) -> Result<(), D::Error> {
    values::one_of(d, "event kind", &["power-outage"], |s| {
        (s == "power-outage").then_some(())
    })
}

fn region<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Region>, D::Error> {
    let names = Region::ALL.map(|r| r.name());
    values::one_of(d, "region", &names, |s| {
        Region::ALL.into_iter().find(|r| r.name() == s)
    })
    .map(Some)
}

fn restore_spread<'de, D: Deserializer<'de>>(d: D) -> Result<SimDuration, D::Error> {
    let t = values::duration(d)?;
    if t > SimDuration::from_hours(24) {
        return Err(error(format_args!("{WHAT} is at most \"24h\", found {t}")));
    }
    Ok(t)
}

/// The three sections as read, checked together against the run's `duration`.
pub(crate) fn check(
    alerts: Option<AlertsFile>,
    classes: Vec<ClassFile>,
    events: Vec<EventFile>,
    duration: SimDuration,
) -> Read<AlertConfig> {
    let modelled = alerts.is_some() || !classes.is_empty() || !events.is_empty();
    let file = alerts.unwrap_or_default();
    let protection = file.protection.then(|| Protection {
        rate: file.storm_rate.unwrap_or(STORM_RATE),
        burst: file.storm_burst.unwrap_or(STORM_BURST),
        sample_one_in: file.sample_one_in.unwrap_or(SAMPLE_ONE_IN),
        hold_limit: file.hold_limit.unwrap_or(HOLD_LIMIT),
    });
    let mut out = Vec::<ClassConfig>::new();
    for (i, c) in classes.into_iter().enumerate() {
        if out.iter().any(|o| o.class == c.class) {
            return Err(Issue::at(
                &[
                    Seg::Key("alert".into()),
                    Seg::Index(i),
                    Seg::Key("class".into()),
                ],
                format!(
                    "alert class \"{}\" is described twice in [[alert]]; merge the entries",
                    CLASSES[c.class as usize].name
                ),
            ));
        }
        if CLASSES[c.class as usize].origin == Origin::Dcc {
            let key = if c.per_device_per_day > 0.0 {
                Some("per_device_per_day")
            } else if c.on_storm.is_some() {
                Some("on_storm")
            } else {
                None
            };
            if let Some(key) = key {
                return Err(Issue::at(
                    &[
                        Seg::Key("alert".into()),
                        Seg::Index(i),
                        Seg::Key(key.into()),
                    ],
                    format!(
                        "\"{}\" is a DCC alert: the DCC raises it when its cause happens (an \
                         E21, a CPL removal), not at a per-device rate, and storm protection \
                         does not shed it; remove `{key}`",
                        CLASSES[c.class as usize].name
                    ),
                ));
            }
        }
        out.push(ClassConfig {
            class: c.class,
            per_device_per_day: c.per_device_per_day,
            on_storm: c.on_storm.unwrap_or(OnStorm::Drop),
        });
    }
    let mut outages = Vec::new();
    for (i, e) in events.into_iter().enumerate() {
        let back = e.at.as_micros() + e.duration.as_micros();
        if back >= duration.as_micros() {
            return Err(Issue::at(
                &[
                    Seg::Key("event".into()),
                    Seg::Index(i),
                    Seg::Key("at".into()),
                ],
                format!(
                    "`at` + `duration` in [[event]] #{} is when power returns ({}), not before \
                     the run ends ({duration}): the outage would raise no alert; move it earlier \
                     or shorten it",
                    i + 1,
                    SimDuration::from_micros(back)
                ),
            ));
        }
        outages.push(Outage {
            at: e.at,
            duration: e.duration,
            region: e.region,
            share: e.share,
            restore_spread: e.restore_spread,
        });
    }
    Ok(AlertConfig {
        modelled,
        classes: out,
        protection,
        outages,
    })
}
