//! Distributions (`{ dist = "lognormal", median = "300ms", sigma = 0.5 }`) and daily windows
//! (`{ start = "01:00", length = "4h" }`), values that several sections share.

use super::{
    below, duration, error, list, non_negative, on_key, positive_duration, suggest, TABLE, WHAT,
};
use crate::dist::Dist;
use dccsim_sim::SimDuration;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// The kinds of distribution and the parameters each takes.
const DISTS: [(&str, &[&str]); 4] = [
    ("const", &["value"]),
    ("exp", &["mean"]),
    ("lognormal", &["median", "sigma"]),
    ("uniform", &["min", "max"]),
];

const EXAMPLE: &str = "{ dist = \"lognormal\", median = \"300ms\", sigma = 0.5 }";

impl<'de> Deserialize<'de> for Dist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DistVisitor)
    }
}

/// The kind named by `dist`, as its index in [`DISTS`].
struct Kind(usize);

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let kinds = DISTS.map(|(k, _)| k);
        super::one_of(d, "distribution", &kinds, |s| {
            kinds.iter().position(|k| *k == s)
        })
        .map(Kind)
    }
}

/// A parameter's value: a duration (`value`, `min`, `max`), a positive duration (`mean`,
/// `median`) or a number of 0 or more (`sigma`), by the key it is under.
enum Param {
    Duration(SimDuration),
    Number(f64),
}

struct ParamSeed<'k>(&'k str);

impl<'de> de::DeserializeSeed<'de> for ParamSeed<'_> {
    type Value = Param;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Param, D::Error> {
        match self.0 {
            "mean" | "median" => positive_duration(d).map(Param::Duration),
            "sigma" => non_negative(d).map(Param::Number),
            _ => duration(d).map(Param::Duration),
        }
    }
}

struct DistVisitor;

impl<'de> Visitor<'de> for DistVisitor {
    type Value = Dist;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a distribution such as {EXAMPLE} or {{ dist = \"const\", value = \"40ms\" }}"
        )
    }

    /// TOML tables come with their keys in order, so `dist` arrives before every parameter;
    /// a key before it is not a parameter and waits to be named once the kind is known.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Dist, A::Error> {
        let mut kind: Option<usize> = None;
        let mut stray: Option<String> = None;
        let mut params: Vec<(String, Param)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "dist" {
                kind = Some(map.next_value::<Kind>()?.0);
                continue;
            }
            match kind {
                Some(k) if DISTS[k].1.contains(&key.as_str()) => {
                    let value = map.next_value_seed(ParamSeed(&key))?;
                    params.push((key, value));
                }
                Some(k) => return Err(not_a_parameter(&key, k)),
                None => {
                    map.next_value::<IgnoredAny>()?;
                    stray.get_or_insert(key);
                }
            }
        }
        let Some(k) = kind else {
            let kinds = DISTS.map(|(k, _)| k);
            return Err(error(format_args!(
                "{TABLE} needs `dist`, the kind of distribution: {}; e.g. {EXAMPLE}",
                list(&kinds, "or")
            )));
        };
        if let Some(key) = stray {
            return Err(not_a_parameter(&key, k));
        }
        let (name, names) = DISTS[k];
        let param = |p: &str| {
            params
                .iter()
                .find(|(k, _)| k == p)
                .map(|(_, v)| v)
                .ok_or_else(|| {
                    error(format_args!(
                        "{TABLE} is a {name} distribution and needs `{p}` ({})",
                        takes(name, names)
                    ))
                })
        };
        let time = |p: &str| match param(p)? {
            Param::Duration(t) => Ok(*t),
            Param::Number(_) => unreachable!("`{p}` is read as a duration"),
        };
        Ok(match name {
            "const" => Dist::Const(time("value")?),
            "exp" => Dist::Exp {
                mean: time("mean")?,
            },
            "lognormal" => Dist::LogNormal {
                median: time("median")?,
                sigma: match param("sigma")? {
                    Param::Number(x) => *x,
                    Param::Duration(_) => unreachable!("`sigma` is read as a number"),
                },
            },
            _ => {
                let (min, max) = (time("min")?, time("max")?);
                if min > max {
                    return Err(below(
                        "max",
                        format_args!(
                            "{TABLE} has `max` {max} below `min` {min}; `min` must not exceed \
                             `max`"
                        ),
                    ));
                }
                Dist::Uniform { min, max }
            }
        })
    }
}

/// "lognormal takes `median` and `sigma`".
fn takes(name: &str, params: &[&str]) -> String {
    format!("{name} takes {}", list(params, "and"))
}

/// The key `key` is not a parameter of the distribution kind `k`.
fn not_a_parameter<E: de::Error>(key: &str, k: usize) -> E {
    let (name, params) = DISTS[k];
    let takes = takes(name, params);
    let mut known = vec!["dist"];
    known.extend_from_slice(params);
    let owner = DISTS
        .iter()
        .find(|(_, ps)| ps.contains(&key))
        .map(|(k, _)| *k);
    let message = match (owner, suggest(key, &known)) {
        (Some(other), _) => format!(
            "`{key}` is not a parameter of a {name} distribution ({TABLE}) but of {other}; {takes}"
        ),
        (None, Some(near)) => format!(
            "unknown parameter `{key}` for the {name} distribution {TABLE}; did you mean \
             `{near}`? ({takes})"
        ),
        (None, None) => {
            format!("`{key}` is not a parameter of a {name} distribution ({TABLE}); {takes}")
        }
    };
    on_key(key, message)
}

/// `{ start = "HH:MM", length = "4h" }`: a daily window's start from midnight and its length
/// (longer than zero, at most a day).
pub fn time_window<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<(SimDuration, SimDuration), D::Error> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Window {
        #[serde(deserialize_with = "time_of_day")]
        start: SimDuration,
        #[serde(deserialize_with = "day_length")]
        length: SimDuration,
    }
    let w = Window::deserialize(d)?;
    Ok((w.start, w.length))
}

fn day_length<'de, D: Deserializer<'de>>(d: D) -> Result<SimDuration, D::Error> {
    let length = positive_duration(d)?;
    if length > SimDuration::from_hours(24) {
        return Err(error(format_args!(
            "{WHAT} is {length}, longer than a day; a daily window lasts at most \"24h\""
        )));
    }
    Ok(length)
}

/// `"HH:MM"` from 00:00 to 23:59, as an offset from midnight.
fn time_of_day<'de, D: Deserializer<'de>>(d: D) -> Result<SimDuration, D::Error> {
    let s = String::deserialize(d)?;
    let parsed = s.split_once(':').and_then(|(h, m)| {
        let ok = (1..=2).contains(&h.len())
            && m.len() == 2
            && h.chars().chain(m.chars()).all(|c| c.is_ascii_digit());
        let (h, m): (u64, u64) = (h.parse().ok()?, m.parse().ok()?);
        (ok && h < 24 && m < 60).then(|| SimDuration::from_secs(h * 3600 + m * 60))
    });
    parsed.ok_or_else(|| {
        error(format_args!(
            "{WHAT} must be a time of day \"HH:MM\" from \"00:00\" to \"23:59\", found \"{s}\""
        ))
    })
}
