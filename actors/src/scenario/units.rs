//! Data sizes (`"256KiB"`) and data rates (`"2.4kbit/s"`) in scenario files: a number and a unit
//! in one string, like durations, so a size is never mistaken for a rate.

use super::reader::{Field, Read};
use crate::firmware::{Bandwidth, Bytes};
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

impl Field<'_> {
    /// A data size with a unit, more than zero bytes.
    pub fn bytes(&self) -> Read<Bytes> {
        let s = self.unit_string("a size", "\"256KiB\"", SIZE_UNITS)?;
        let Some((n, unit)) = split(s) else {
            return Err(self.issue(format!(
                "{}: `{s}` is not a size; write a number and a unit, e.g. \"256KiB\" \
                 (units: {SIZE_UNITS})",
                self.what
            )));
        };
        let Some(per) = size_unit(unit) else {
            return Err(self.unknown_unit(s, unit, SIZE_UNITS, rate_unit(unit).is_some(), "rate"));
        };
        let b = (n * per).round();
        if !(1.0..=1e15).contains(&b) {
            return Err(self.issue(format!(
                "{} is {s}; it must be at least 1 B and at most 1000 TB",
                self.what
            )));
        }
        Ok(Bytes(b as u64))
    }

    /// A data rate with a unit, more than zero.
    pub fn bandwidth(&self) -> Read<Bandwidth> {
        let s = self.unit_string("a data rate", "\"64kbit/s\"", RATE_UNITS)?;
        let Some((n, unit)) = split(s) else {
            return Err(self.issue(format!(
                "{}: `{s}` is not a data rate; write a number and a unit, e.g. \"64kbit/s\" \
                 (units: {RATE_UNITS})",
                self.what
            )));
        };
        let Some(per) = rate_unit(unit) else {
            return Err(self.unknown_unit(s, unit, RATE_UNITS, size_unit(unit).is_some(), "size"));
        };
        let bps = (n * per).round();
        if !(1.0..=1e12).contains(&bps) {
            return Err(self.issue(format!(
                "{} is {s}; it must be at least 1 bit/s and at most 1000 Gbit/s",
                self.what
            )));
        }
        Ok(Bandwidth {
            bits_per_sec: bps as u64,
        })
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
