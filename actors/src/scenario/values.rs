//! Readers of the values with a shape of their own that several sections use: distributions,
//! names from a list (technologies, roles), daily windows and hourly profiles. Each is reached
//! through serde (`impl Deserialize` or a `deserialize_with` reader) and reads with the strict
//! [`Field`] methods, so its messages are the same wherever the value appears.

use super::de;
use super::reader::{list, Field, Read};
use crate::dist::Dist;
use crate::region::Technology;
use crate::sr::Role;
use dccsim_sim::SimDuration;
use serde::{Deserialize, Deserializer};

impl<'de> Deserialize<'de> for Dist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de::read(d, dist)
    }
}

impl<'de> Deserialize<'de> for Technology {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = ["long-range-radio", "cellular", "mesh"];
        de::read(d, |f| f.one_of("technology", &names, Technology::from_name))
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
        de::read(d, |f| f.one_of("DCC User role", &names, Role::from_name))
    }
}

/// The kinds of distribution and the parameters each takes.
const DISTS: [(&str, &[&str]); 4] = [
    ("const", &["value"]),
    ("exp", &["mean"]),
    ("lognormal", &["median", "sigma"]),
    ("uniform", &["min", "max"]),
];

const DIST_EXAMPLE: &str = "{ dist = \"lognormal\", median = \"300ms\", sigma = 0.5 }";

/// `{ dist = "…", … }`.
pub(super) fn dist(f: &Field<'_>) -> Read<Dist> {
    if !matches!(f.value, toml::Value::Table(_)) {
        return Err(f.issue(format!(
            "{} must be a distribution such as {DIST_EXAMPLE} or {{ dist = \"const\", value = \
             \"40ms\" }}, found {}",
            f.what,
            super::reader::describe(f.value)
        )));
    }
    let t = f.table()?;
    let kinds: Vec<&str> = DISTS.iter().map(|(k, _)| *k).collect();
    let Some(kind_field) = t.get("dist") else {
        return Err(f.issue(format!(
            "{} needs `dist`, the kind of distribution: {}; e.g. {DIST_EXAMPLE}",
            t.title,
            list(&kinds, "or")
        )));
    };
    let kind = kind_field.one_of("distribution", &kinds, |s| {
        DISTS.iter().find(|(k, _)| *k == s).copied()
    })?;
    let (name, params) = kind;
    let mut known = vec!["dist"];
    known.extend_from_slice(params);
    let takes = format!("{name} takes {}", list(params, "and"));
    let owner = |key: &str| {
        DISTS
            .iter()
            .find(|(_, ps)| ps.contains(&key))
            .map(|(k, _)| *k)
    };
    t.check_keys_with(&known, |key, near| match (owner(key), near) {
        (Some(other), _) => format!(
            "`{key}` is not a parameter of a {name} distribution ({}) but of {other}; {takes}",
            t.title
        ),
        (None, Some(near)) => format!(
            "unknown parameter `{key}` for the {name} distribution {}; did you mean `{near}`? \
             ({takes})",
            t.title
        ),
        (None, None) => format!(
            "`{key}` is not a parameter of a {name} distribution ({}); {takes}",
            t.title
        ),
    })?;
    let param = |p: &str| {
        t.get(p).ok_or_else(|| {
            f.issue(format!(
                "{} is a {name} distribution and needs `{p}` ({takes})",
                t.title
            ))
        })
    };
    Ok(match name {
        "const" => Dist::Const(param("value")?.duration()?),
        "exp" => Dist::Exp {
            mean: param("mean")?.positive_duration()?,
        },
        "lognormal" => Dist::LogNormal {
            median: param("median")?.positive_duration()?,
            sigma: param("sigma")?.non_negative()?,
        },
        _ => {
            let min = param("min")?.duration()?;
            let max_field = param("max")?;
            let max = max_field.duration()?;
            if min > max {
                return Err(max_field.issue(format!(
                    "{} has `max` {max} below `min` {min}; `min` must not exceed `max`",
                    t.title
                )));
            }
            Dist::Uniform { min, max }
        }
    })
}

/// `{ start = "HH:MM", length = "4h" }`: a daily window's start from midnight and its length
/// (longer than zero, at most a day).
pub(super) fn time_window(f: &Field<'_>) -> Read<(SimDuration, SimDuration)> {
    let t = f.table()?;
    t.check_keys(&["start", "length"])?;
    let start_field = t.require("start", "start = \"01:00\"")?;
    let start = time_of_day(&start_field)?;
    let length_field = t.require("length", "length = \"4h\"")?;
    let length = length_field.positive_duration()?;
    if length > SimDuration::from_hours(24) {
        return Err(length_field.issue(format!(
            "{} is {length}, longer than a day; a daily window lasts at most \"24h\"",
            length_field.what
        )));
    }
    Ok((start, length))
}

/// `"HH:MM"` from 00:00 to 23:59, as an offset from midnight.
fn time_of_day(f: &Field<'_>) -> Read<SimDuration> {
    let s = f.str()?;
    let parsed = s.split_once(':').and_then(|(h, m)| {
        let ok = (1..=2).contains(&h.len())
            && m.len() == 2
            && h.chars().chain(m.chars()).all(|c| c.is_ascii_digit());
        let (h, m): (u64, u64) = (h.parse().ok()?, m.parse().ok()?);
        (ok && h < 24 && m < 60).then(|| SimDuration::from_secs(h * 3600 + m * 60))
    });
    parsed.ok_or_else(|| {
        f.issue(format!(
            "{} must be a time of day \"HH:MM\" from \"00:00\" to \"23:59\", found \"{s}\"",
            f.what
        ))
    })
}

/// 24 hourly weights, normalised so that their mean is 1.
pub(super) fn hourly_profile(f: &Field<'_>) -> Read<[f64; 24]> {
    let entries = f.array()?;
    if entries.len() != 24 {
        return Err(f.issue(format!(
            "{} must have 24 entries, one per hour from 00:00, found {}",
            f.what,
            entries.len()
        )));
    }
    let mut hourly = [0.0; 24];
    for (slot, entry) in hourly.iter_mut().zip(&entries) {
        *slot = entry.non_negative()?;
    }
    let sum: f64 = hourly.iter().sum();
    if sum <= 0.0 {
        return Err(f.issue(format!(
            "{} are all zero; at least one hour needs a weight above 0",
            f.what
        )));
    }
    for h in &mut hourly {
        *h *= 24.0 / sum;
    }
    Ok(hourly)
}
