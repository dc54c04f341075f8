//! Data sizes (`"256KiB"`) and data rates (`"2.4kbit/s"`) in scenario files: a number and a unit
//! in one string, like durations, so a size is never mistaken for a rate.

use super::reader::{Field, Read};
use crate::units::{Bandwidth, Bytes};
use toml::Value;

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

impl Field<'_> {
    /// A data size with a unit, more than zero bytes.
    pub fn bytes(&self) -> Read<Bytes> {
        Ok(Bytes(self.quantity(&SIZE)? as u64))
    }

    /// A data rate with a unit, more than zero.
    pub fn bandwidth(&self) -> Read<Bandwidth> {
        Ok(Bandwidth {
            bits_per_sec: self.quantity(&RATE)? as u64,
        })
    }

    /// The value of a `q` written as a number and a unit, in base units, rounded to a whole one.
    fn quantity(&self, q: &Quantity) -> Read<f64> {
        let s = self.unit_string(q.kind, q.example, q.units)?;
        let Some((n, unit)) = split(s) else {
            return Err(self.issue(format!(
                "{}: `{s}` is not {}; write a number and a unit, e.g. {} (units: {})",
                self.what, q.kind, q.example, q.units
            )));
        };
        let Some(per) = (q.per_unit)(unit) else {
            let other = (q.other_units)(unit).is_some();
            return Err(self.unknown_unit(s, unit, q.units, other, q.other_kind));
        };
        let x = (n * per).round();
        if !(q.range.0..=q.range.1).contains(&x) {
            return Err(self.issue(format!("{} is {s}; it must be {}", self.what, q.range_text)));
        }
        Ok(x)
    }

    fn unit_string(&self, kind: &str, example: &str, units: &str) -> Read<&str> {
        match self.value {
            Value::String(s) => Ok(s),
            Value::Integer(_) | Value::Float(_) => Err(self.issue(format!(
                "{}: {kind} {} has no unit; write it as a string with a unit, e.g. {example} \
                 (units: {units})",
                self.what, self.value
            ))),
            _ => Err(self.issue(format!(
                "{} must be {kind} written as a string with a unit, e.g. {example}",
                self.what
            ))),
        }
    }

    fn unknown_unit(
        &self,
        s: &str,
        unit: &str,
        units: &str,
        other: bool,
        other_kind: &str,
    ) -> super::reader::Issue {
        let hint = if other {
            format!("; `{unit}` is a {other_kind} unit, not this kind of quantity")
        } else {
            String::new()
        };
        self.issue(format!(
            "{}: `{s}` has unknown unit `{unit}`{hint} (units: {units})",
            self.what
        ))
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
