//! Simulated time: integer microseconds since scenario start, and durations that carry their unit.
//!
//! Scenario files write durations as strings with a unit (`"150ms"`, `"30s"`, `"7d"`); a bare number
//! is rejected so that nobody has to guess whether `30` meant seconds or milliseconds.

use std::fmt;
use std::str::FromStr;

/// Microseconds in one second.
pub const MICROS_PER_SEC: u64 = 1_000_000;

/// A point in simulated time: microseconds since the scenario started.
#[derive(
    Copy,
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct SimTime(pub u64);

/// A span of simulated time in microseconds.
#[derive(
    Copy,
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct SimDuration(pub u64);

impl SimTime {
    /// The scenario's first instant.
    pub const ZERO: SimTime = SimTime(0);

    /// Microseconds since scenario start.
    pub fn as_micros(self) -> u64 {
        self.0
    }

    /// Time elapsed since `earlier` (zero if `earlier` is later).
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }

    /// This time moved forward by `d`, saturating at the end of representable time.
    pub fn after(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);

    pub const fn from_micros(us: u64) -> Self {
        SimDuration(us)
    }
    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms * 1_000)
    }
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s * MICROS_PER_SEC)
    }
    pub const fn from_hours(h: u64) -> Self {
        SimDuration(h * 3_600 * MICROS_PER_SEC)
    }
    pub const fn from_days(d: u64) -> Self {
        SimDuration(d * 86_400 * MICROS_PER_SEC)
    }
    /// Rounds a non-negative number of seconds to the nearest microsecond.
    pub fn from_secs_f64(s: f64) -> Self {
        debug_assert!(
            s >= 0.0 && s.is_finite(),
            "negative or non-finite duration {s}"
        );
        // Round half up by adding 0.5 and truncating: for the non-negative values allowed here it
        // equals `round()`, without the libm call on the hot path. `as` saturates NaN and
        // negatives to 0.
        SimDuration((s * MICROS_PER_SEC as f64 + 0.5) as u64)
    }
    pub fn as_micros(self) -> u64 {
        self.0
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SEC as f64
    }
}

/// Why a duration string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationError {
    /// Nothing was written.
    Empty,
    /// A number with no unit: `"30"` instead of `"30s"`.
    MissingUnit(String),
    /// A unit we do not know, e.g. `"3 weeks"`.
    UnknownUnit(String),
    /// The number part is not a non-negative decimal, e.g. `"-5s"` or `"abcms"`.
    BadNumber(String),
    /// The value does not fit in 64-bit microseconds (about 584,000 years).
    TooLarge(String),
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: &str = "us, ms, s, min, h or d";
        match self {
            DurationError::Empty => write!(
                f,
                "empty duration; write a number and a unit ({UNITS}), e.g. \"30s\""
            ),
            DurationError::MissingUnit(s) => write!(
                f,
                "duration \"{s}\" has no unit; write e.g. \"{s}s\" or \"{s}ms\" (units: {UNITS})"
            ),
            DurationError::UnknownUnit(s) => {
                write!(f, "duration \"{s}\" has an unknown unit; use {UNITS}")
            }
            DurationError::BadNumber(s) => write!(
                f,
                "duration \"{s}\" must be a non-negative number followed by a unit ({UNITS})"
            ),
            DurationError::TooLarge(s) => write!(f, "duration \"{s}\" is too large"),
        }
    }
}

impl std::error::Error for DurationError {}

impl FromStr for SimDuration {
    type Err = DurationError;

    /// Parses `"<number><unit>"` with units `us`, `ms`, `s`, `min`, `h`, `d`; decimals are allowed
    /// (`"1.5s"`), whitespace between number and unit too. Results are rounded to whole microseconds.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let s = text.trim();
        if s.is_empty() {
            return Err(DurationError::Empty);
        }
        let split = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
            .unwrap_or(s.len());
        let (num, unit) = (s[..split].trim(), s[split..].trim());
        if unit.is_empty() {
            return Err(DurationError::MissingUnit(s.to_string()));
        }
        let per_unit: f64 = match unit {
            "us" | "µs" => 1.0,
            "ms" => 1e3,
            "s" => 1e6,
            "min" | "m" => 60e6,
            "h" => 3_600e6,
            "d" => 86_400e6,
            _ => return Err(DurationError::UnknownUnit(s.to_string())),
        };
        let value: f64 = num
            .parse()
            .map_err(|_| DurationError::BadNumber(s.to_string()))?;
        if !value.is_finite() || value < 0.0 || num.starts_with('-') {
            return Err(DurationError::BadNumber(s.to_string()));
        }
        let us = (value * per_unit).round();
        if us >= u64::MAX as f64 {
            return Err(DurationError::TooLarge(s.to_string()));
        }
        Ok(SimDuration(us as u64))
    }
}

impl fmt::Display for SimDuration {
    /// Writes the largest unit that represents the value exactly, so the text parses back unchanged.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        for (unit, size) in [
            ("d", 86_400_000_000u64),
            ("h", 3_600_000_000),
            ("min", 60_000_000),
            ("s", 1_000_000),
            ("ms", 1_000),
        ] {
            if us != 0 && us.is_multiple_of(size) {
                return write!(f, "{}{}", us / size, unit);
            }
        }
        write!(f, "{us}us")
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total_s = self.0 / MICROS_PER_SEC;
        let (d, h, m, s) = (
            total_s / 86_400,
            total_s / 3_600 % 24,
            total_s / 60 % 60,
            total_s % 60,
        );
        write!(f, "{d}d {h:02}:{m:02}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!("150ms".parse(), Ok(SimDuration::from_millis(150)));
        assert_eq!("30s".parse(), Ok(SimDuration::from_secs(30)));
        assert_eq!("7d".parse(), Ok(SimDuration::from_days(7)));
        assert_eq!("2h".parse(), Ok(SimDuration::from_hours(2)));
        assert_eq!("15min".parse(), Ok(SimDuration::from_secs(900)));
        assert_eq!("1.5s".parse(), Ok(SimDuration::from_millis(1500)));
        assert_eq!("250us".parse(), Ok(SimDuration::from_micros(250)));
        assert_eq!("0s".parse(), Ok(SimDuration::ZERO));
    }

    #[test]
    fn refuses_bare_numbers_and_nonsense() {
        assert!(matches!(
            "30".parse::<SimDuration>(),
            Err(DurationError::MissingUnit(_))
        ));
        assert!(matches!(
            "30 weeks".parse::<SimDuration>(),
            Err(DurationError::UnknownUnit(_))
        ));
        assert!(matches!(
            "-5s".parse::<SimDuration>(),
            Err(DurationError::BadNumber(_))
        ));
        assert!(matches!(
            "".parse::<SimDuration>(),
            Err(DurationError::Empty)
        ));
        assert!(matches!(
            "99999999999999999999d".parse::<SimDuration>(),
            Err(DurationError::TooLarge(_))
        ));
    }

    #[test]
    fn display_round_trips() {
        for text in ["150ms", "30s", "7d", "2h", "15min", "250us"] {
            let d: SimDuration = text.parse().unwrap();
            assert_eq!(d.to_string(), text);
        }
    }
}
