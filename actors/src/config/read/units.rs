//! Data sizes (`"256KiB"`) and data rates (`"2.4kbit/s"`): a number and a unit in one string,
//! like durations, so a size is never mistaken for a rate.

use super::{error, WHAT};
use crate::units::{Bandwidth, Bytes};
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

const SIZE_UNITS: &str = "B, kB, KiB, MB, MiB or GB";
const RATE_UNITS: &str = "bit/s, kbit/s, Mbit/s or Gbit/s";

/// Splits `"2.4kbit/s"` into `(2.4, "kbit/s")`.
fn split(s: &str) -> Option<(f64, &str)> {
    let s = s.trim();
    let at = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(at);
    let num: f64 = num.replace('_', "").parse().ok()?;
    Some((num, unit.trim()))
}

/// Bytes per unit of a size.
fn size_unit(unit: &str) -> Option<f64> {
    Some(match unit {
        "B" => 1.0,
        "kB" | "KB" => 1e3,
        "KiB" => 1024.0,
        "MB" => 1e6,
        "MiB" => 1024.0 * 1024.0,
        "GB" => 1e9,
        _ => return None,
    })
}

/// Bits per second per unit of a rate.
fn rate_unit(unit: &str) -> Option<f64> {
    Some(match unit {
        "bit/s" | "bps" => 1.0,
        "kbit/s" | "kbps" => 1e3,
        "Mbit/s" | "Mbps" => 1e6,
        "Gbit/s" | "Gbps" => 1e9,
        _ => return None,
    })
}

/// One kind of quantity: its units and the range a value must fall in.
struct Quantity {
    /// "a size", "a data rate".
    kind: &'static str,
    example: &'static str,
    units: &'static str,
    per_unit: fn(&str) -> Option<f64>,
    /// The other kind's units, to say so when they are given here.
    other_units: fn(&str) -> Option<f64>,
    other_kind: &'static str,
    /// Smallest and largest value in base units, and how messages say them.
    range: (f64, f64),
    range_text: &'static str,
}

const SIZE: Quantity = Quantity {
    kind: "a size",
    example: "\"256KiB\"",
    units: SIZE_UNITS,
    per_unit: size_unit,
    other_units: rate_unit,
    other_kind: "rate",
    range: (1.0, 1e15),
    range_text: "at least 1 B and at most 1000 TB",
};

const RATE: Quantity = Quantity {
    kind: "a data rate",
    example: "\"64kbit/s\"",
    units: RATE_UNITS,
    per_unit: rate_unit,
    other_units: size_unit,
    other_kind: "size",
    range: (1.0, 1e12),
    range_text: "at least 1 bit/s and at most 1000 Gbit/s",
};

impl<'de> Deserialize<'de> for Bytes {
    /// A data size with a unit, more than zero bytes.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Bytes(d.deserialize_any(&SIZE)? as u64))
    }
}

impl<'de> Deserialize<'de> for Bandwidth {
    /// A data rate with a unit, more than zero.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Bandwidth {
            bits_per_sec: d.deserialize_any(&RATE)? as u64,
        })
    }
}

impl Quantity {
    /// A number without a unit (`n` as TOML writes it).
    fn no_unit<E: de::Error>(&self, n: &str) -> E {
        error(format_args!(
            "{WHAT}: {} {n} has no unit; write it as a string with a unit, e.g. {} (units: {})",
            self.kind, self.example, self.units
        ))
    }

    /// Anything but a string or a number.
    fn not_a_string<E: de::Error>(&self) -> E {
        error(format_args!(
            "{WHAT} must be {} written as a string with a unit, e.g. {}",
            self.kind, self.example
        ))
    }
}

/// The value of a quantity in base units, rounded to a whole one.
impl<'de> Visitor<'de> for &Quantity {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} written as a string with a unit", self.kind)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<f64, E> {
        let Some((n, unit)) = split(s) else {
            return Err(error(format_args!(
                "{WHAT}: `{s}` is not {}; write a number and a unit, e.g. {} (units: {})",
                self.kind, self.example, self.units
            )));
        };
        let Some(per) = (self.per_unit)(unit) else {
            let hint = if (self.other_units)(unit).is_some() {
                format!(
                    "; `{unit}` is a {} unit, not this kind of quantity",
                    self.other_kind
                )
            } else {
                String::new()
            };
            return Err(error(format_args!(
                "{WHAT}: `{s}` has unknown unit `{unit}`{hint} (units: {})",
                self.units
            )));
        };
        let x = (n * per).round();
        if !(self.range.0..=self.range.1).contains(&x) {
            return Err(error(format_args!(
                "{WHAT} is {s}; it must be {}",
                self.range_text
            )));
        }
        Ok(x)
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<f64, E> {
        Err(self.no_unit(&n.to_string()))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<f64, E> {
        Err(self.no_unit(&n.to_string()))
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<f64, E> {
        Err(self.no_unit(&super::toml_float(x)))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<f64, E> {
        Err(self.not_a_string())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<f64, A::Error> {
        Err(self.not_a_string())
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<f64, A::Error> {
        Err(self.not_a_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_rates_split_number_from_unit() {
        assert_eq!(split("256KiB"), Some((256.0, "KiB")));
        assert_eq!(split("2.4 kbit/s"), Some((2.4, "kbit/s")));
        assert_eq!(split("kbit/s"), None);
        assert_eq!(size_unit("MiB"), Some(1048576.0));
        assert_eq!(rate_unit("Mbit/s"), Some(1e6));
        assert_eq!(rate_unit("KiB"), None);
    }
}
