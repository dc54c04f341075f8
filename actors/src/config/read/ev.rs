//! Readers of the EV load-control sections' values (`[ev]`, `[feeders]`, `[demand]`): uniform
//! ranges, the charger's device, the household profile and its spread.

use super::{below, error, non_negative, non_negatives, number_text, one_of, WHAT};
use crate::ev::config::{Uniform, HALF_HOURS};
use crate::sr::DeviceType;
use serde::{Deserialize, Deserializer};

/// `device = "hcalcs"` or `"apc"`: what the DNO's commands reach.
pub fn charger_device<'de, D: Deserializer<'de>>(d: D) -> Result<DeviceType, D::Error> {
    one_of(d, "charger device", &["hcalcs", "apc"], |s| match s {
        "hcalcs" => Some(DeviceType::Hcalcs),
        "apc" => Some(DeviceType::Apc),
        _ => None,
    })
}

/// `{ min = …, max = … }` with `lo ≤ min ≤ max ≤ hi`.
fn uniform<'de, D: Deserializer<'de>>(d: D, lo: f64, hi: f64) -> Result<Uniform, D::Error> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Range {
        #[serde(default, deserialize_with = "some_number")]
        min: Option<f64>,
        #[serde(default, deserialize_with = "some_number")]
        max: Option<f64>,
    }
    fn some_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        super::number(d).map(Some)
    }
    let range = Range::deserialize(d)?;
    let get = |key: &str, x: Option<f64>| -> Result<f64, D::Error> {
        let x = x.ok_or_else(|| {
            error(format_args!(
                "{WHAT} needs `{key}`: write {{ min = …, max = … }} (a uniform range)"
            ))
        })?;
        if x < lo || x > hi {
            return Err(below(
                key,
                format_args!(
                    "{WHAT} must be between {} and {}, found {}",
                    number_text(lo),
                    number_text(hi),
                    number_text(x)
                ),
            ));
        }
        Ok(x)
    };
    let (min, max) = (get("min", range.min)?, get("max", range.max)?);
    if min > max {
        return Err(error(format_args!(
            "{WHAT} has `max` {} below `min` {}; `min` must not exceed `max`",
            number_text(max),
            number_text(min)
        )));
    }
    Ok(Uniform { min, max })
}

/// `[ev] energy_kwh`: kWh wanted per session, 0 to 1000.
pub fn energy_kwh<'de, D: Deserializer<'de>>(d: D) -> Result<Uniform, D::Error> {
    uniform(d, 0.0, 1000.0)
}

/// `[feeders] rating_kw`: more than 0, at most 100 MW.
pub fn rating_kw<'de, D: Deserializer<'de>>(d: D) -> Result<Uniform, D::Error> {
    uniform(d, f64::MIN_POSITIVE, 100_000.0)
}

/// `[feeders] customers`: whole numbers of premises, 1 to 10,000.
pub fn customers<'de, D: Deserializer<'de>>(d: D) -> Result<(u32, u32), D::Error> {
    let r = uniform(d, 1.0, 10_000.0)?;
    let whole = |x: f64| x.fract() == 0.0;
    if !whole(r.min) || !whole(r.max) {
        return Err(error(format_args!(
            "{WHAT} counts premises: `min` and `max` must be whole numbers"
        )));
    }
    Ok((r.min as u32, r.max as u32))
}

/// `[demand] profile_kw`: one kW figure per half-hour.
pub fn profile_kw<'de, D: Deserializer<'de>>(d: D) -> Result<[f64; HALF_HOURS], D::Error> {
    non_negatives::<D, HALF_HOURS>(d, |found| {
        format!(
            " needs {HALF_HOURS} numbers, one kW figure per half-hour from midnight; found {found}"
        )
    })
}

/// `[demand] variation`: a log-normal sigma, at most 3.
pub fn variation<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let x = non_negative(d)?;
    if x > 3.0 {
        return Err(error(format_args!(
            "{WHAT} is a log-normal sigma; {} would make a few premises draw absurd loads, keep \
             it at 3 or below",
            number_text(x)
        )));
    }
    Ok(x)
}
