//! Household demand and the calendar it follows: the half-hourly after-diversity profile and the
//! weekday peaks of the Smart Charge Points Regulations' default off-peak charging.

use crate::ev::config::HALF_HOURS;
use dccsim_sim::{SimDuration, SimTime};

const HALF_HOUR: u64 = 30 * 60 * 1_000_000;
const HOUR: u64 = 2 * HALF_HOUR;
const DAY: u64 = 24 * HOUR;

/// The profile's half-hour slot at `t` (time zero is midnight).
pub fn slot(t: SimTime) -> usize {
    ((t.as_micros() / HALF_HOUR) % HALF_HOURS as u64) as usize
}

/// Time from `t` to the next half-hour boundary.
pub fn to_next_slot(t: SimTime) -> SimDuration {
    SimDuration::from_micros(HALF_HOUR - t.as_micros() % HALF_HOUR)
}

/// A feeder's household load, W, in `slot`: the profile times the sum of its premises' scales.
pub fn household_w(profile_kw: &[f64; HALF_HOURS], slot: usize, scale_sum: f64) -> u64 {
    (profile_kw[slot] * 1000.0 * scale_sum).round() as u64
}

/// Day of the week of `start_date` (`YYYY-MM-DD`, already validated) plus `days`: 0 = Monday.
fn weekday(start_date: &str, days: u64) -> u64 {
    let mut parts = start_date.split('-').map(|p| p.parse::<i64>().unwrap_or(1));
    let (y, m, d) = (
        parts.next().unwrap_or(2026),
        parts.next().unwrap_or(1),
        parts.next().unwrap_or(1),
    );
    // Days since 1970-01-01 (a Thursday), by the civil-calendar formula.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let epoch_days = era * 146_097 + doe - 719_468;
    ((epoch_days + 3).rem_euclid(7) as u64 + days) % 7
}

/// When a session plugged in at `t` may start under default off-peak charging: at once, or at the
/// end of the weekday peak (08:00–11:00, 16:00–22:00) it falls in.
pub fn off_peak_start(t: SimTime, start_date: &str) -> SimTime {
    let us = t.as_micros();
    let (day, in_day) = (us / DAY, us % DAY);
    if weekday(start_date, day) >= 5 {
        return t;
    }
    for (from, to) in [(8, 11), (16, 22)] {
        if (from * HOUR..to * HOUR).contains(&in_day) {
            return SimTime(day * DAY + to * HOUR);
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_follow_the_calendar() {
        assert_eq!(weekday("2026-01-05", 0), 0, "5 January 2026 is a Monday");
        assert_eq!(weekday("2026-01-05", 5), 5);
        assert_eq!(weekday("2024-02-29", 0), 3, "a Thursday");
        assert_eq!(weekday("2000-01-01", 0), 5, "a Saturday");
    }

    #[test]
    fn off_peak_waits_for_the_peak_to_end_on_weekdays_only() {
        let at = |h: u64, m: u64| SimTime(h * HOUR + m * 60_000_000);
        assert_eq!(off_peak_start(at(17, 30), "2026-01-05"), at(22, 0));
        assert_eq!(off_peak_start(at(9, 0), "2026-01-05"), at(11, 0));
        assert_eq!(off_peak_start(at(22, 0), "2026-01-05"), at(22, 0));
        assert_eq!(off_peak_start(at(15, 59), "2026-01-05"), at(15, 59));
        // Saturday 10 January 2026.
        assert_eq!(off_peak_start(at(17, 30), "2026-01-10"), at(17, 30));
    }

    #[test]
    fn slots_are_half_hours_from_midnight() {
        assert_eq!(slot(SimTime(0)), 0);
        assert_eq!(slot(SimTime(18 * HOUR)), 36);
        assert_eq!(slot(SimTime(DAY + HALF_HOUR)), 1);
        assert_eq!(to_next_slot(SimTime(HALF_HOUR - 1)).as_micros(), 1);
        assert_eq!(household_w(&[1.5; HALF_HOURS], 3, 10.0), 15_000);
    }
}
