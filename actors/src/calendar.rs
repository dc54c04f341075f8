//! Calendar arithmetic: turns dates such as a CPA certificate's expiry into simulated time.
//!
//! Simulated time zero is midnight of `[scenario] start_date`; a date is the midnight that starts
//! it. Dates are whole days since 1970-01-01 in the proleptic Gregorian calendar (no time zones:
//! the simulator's clock has no daylight saving).

use dccsim_sim::{SimDuration, SimTime};
use std::fmt;

/// A calendar day.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Days since 1970-01-01.
    days: i64,
}

impl Date {
    /// Reads `YYYY-MM-DD`; `None` unless it is a real calendar date.
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |s: &str| -> Option<u32> {
            s.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| s.parse().ok())?
        };
        let (y, m, d) = (num(&text[..4])?, num(&text[5..7])?, num(&text[8..])?);
        ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y as i64, m))
            .then(|| Date::from_ymd(y as i64, m, d))
    }

    /// The day `d` of month `m` of year `y` (all in range).
    pub fn from_ymd(y: i64, m: u32, d: u32) -> Date {
        debug_assert!((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m));
        // Days from civil: shift the year to start in March so that leap days come last.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m as i64 + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Date {
            days: era * 146_097 + doe - 719_468,
        }
    }

    /// Year, month and day.
    pub fn ymd(self) -> (i64, u32, u32) {
        let z = self.days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d)
    }

    /// The same day `months` calendar months earlier (or later when negative), clamped to the
    /// end of a shorter month: 31 August less 6 months is 28 (or 29) February.
    pub fn months_before(self, months: i64) -> Date {
        let (y, m, d) = self.ymd();
        let index = y * 12 + (m as i64 - 1) - months;
        let (y, m) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
        Date::from_ymd(y, m, d.min(days_in_month(y, m)))
    }

    /// Simulated time at the start of this day, for a run starting at midnight of `start`;
    /// `None` if the day is before the start.
    pub fn since(self, start: Date) -> Option<SimTime> {
        let days = u64::try_from(self.days - start.days).ok()?;
        Some(SimTime(SimDuration::from_days(days).as_micros()))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn days_in_month(y: i64, m: u32) -> u32 {
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if leap => 29,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_count_days() {
        for text in [
            "1970-01-01",
            "2024-02-29",
            "2026-01-05",
            "2100-03-01",
            "1999-12-31",
        ] {
            assert_eq!(Date::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(Date::parse("1970-01-02").unwrap().days, 1);
        let start = Date::parse("2026-01-05").unwrap();
        assert_eq!(
            Date::parse("2026-01-07").unwrap().since(start),
            Some(SimTime(2 * 86_400_000_000))
        );
        assert_eq!(Date::parse("2026-01-04").unwrap().since(start), None);
        // 2024 is a leap year, 2100 is not.
        let a = Date::parse("2024-02-28").unwrap();
        assert_eq!(Date::parse("2024-03-01").unwrap().days - a.days, 2);
        let b = Date::parse("2100-02-28").unwrap();
        assert_eq!(Date::parse("2100-03-01").unwrap().days - b.days, 1);
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for text in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "26-01-01",
            "2026/01/01",
            "2026-1-01x",
            "+026-01-01",
        ] {
            assert_eq!(Date::parse(text), None, "{text}");
        }
    }

    #[test]
    fn months_before_clamps_to_month_end() {
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(d("2027-03-15").months_before(12), d("2026-03-15"));
        assert_eq!(d("2027-03-15").months_before(6), d("2026-09-15"));
        assert_eq!(d("2026-08-31").months_before(6), d("2026-02-28"));
        assert_eq!(d("2024-08-31").months_before(6), d("2024-02-29"));
        assert_eq!(d("2026-01-31").months_before(-1), d("2026-02-28"));
    }
}
