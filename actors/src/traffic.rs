//! When a traffic stream sends its next request: once-per-day windows and hour-shaped Poisson.

use crate::config::Pattern;
use dccsim_sim::{SimTime, StreamRng};

const DAY_US: u64 = 86_400_000_000;
const HOUR_US: u64 = 3_600_000_000;

/// Where a stream is in its pattern: the only state a stream keeps between requests.
#[derive(Copy, Clone, Debug, Default)]
pub struct StreamState {
    /// For daily windows: position of the next request in today's round of the target list.
    pub next_in_round: u32,
    /// For daily windows: the target of the request now scheduled (its slot in the round).
    pub due: u32,
    /// Whether the stream has scheduled a request before: a new round may then not start at the
    /// instant the last one ended (a window shorter than a microsecond per target would otherwise
    /// schedule every round at the same instant, forever).
    pub started: bool,
}

/// The time of the next request after `now`, or `None` if the stream never sends again.
///
/// Daily windows give every target exactly one slot per day: the window is cut into `targets`
/// equal slots and request `i` falls at a uniform point of slot `i`. Poisson streams have rate
/// `per_premises_per_day × targets × hourly[h]` in hour `h` of the day; the next arrival is found
/// by spending one Exp(1) draw across the piecewise-constant rate, exactly (no thinning).
///
/// `end` is the run's end: a request that would fall after it is `None`, so the Poisson search
/// (hour by hour) stops there however small the rate, and time never passes `u64`'s range.
pub fn next_arrival(
    pattern: &Pattern,
    state: &mut StreamState,
    targets: u32,
    now: SimTime,
    end: SimTime,
    rng: &mut StreamRng<'_>,
) -> Option<SimTime> {
    if targets == 0 || now > end {
        return None;
    }
    match *pattern {
        Pattern::DailyWindow { start, length } => {
            let slot = length.as_micros() as f64 / targets as f64;
            let day = now.as_micros() / DAY_US;
            let mut window_start = day * DAY_US + start.as_micros();
            let begun = now.as_micros() > window_start
                || (state.started && now.as_micros() == window_start);
            if state.next_in_round == 0 && begun {
                // Today's window has begun before this round: start the round tomorrow.
                window_start += DAY_US;
            } else if state.next_in_round > 0 && now.as_micros() < window_start {
                // The round began in yesterday's window and runs past midnight.
                window_start -= DAY_US;
            }
            let offset = (state.next_in_round as f64 + rng.uniform()) * slot;
            state.due = state.next_in_round;
            state.next_in_round = (state.next_in_round + 1) % targets;
            state.started = true;
            let t = window_start
                .saturating_add(offset as u64)
                .max(now.as_micros());
            (t <= end.as_micros()).then_some(SimTime(t))
        }
        Pattern::Poisson {
            per_premises_per_day,
            hourly,
        } => {
            let per_us = per_premises_per_day * targets as f64 / DAY_US as f64;
            if per_us <= 0.0 || hourly.iter().all(|&w| w <= 0.0) {
                return None;
            }
            let mut budget = rng.exp(1.0);
            let mut t = now.as_micros();
            while t <= end.as_micros() {
                let hour = ((t / HOUR_US) % 24) as usize;
                let rate = per_us * hourly[hour];
                let hour_end = (t / HOUR_US + 1) * HOUR_US;
                let room = (hour_end - t) as f64;
                if rate > 0.0 && budget <= rate * room {
                    let dt = (budget / rate).round() as u64;
                    let at = t.saturating_add(dt);
                    return (at <= end.as_micros()).then_some(SimTime(at));
                }
                budget -= rate * room;
                t = hour_end;
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dccsim_sim::{RandomStreams, SimDuration};

    /// Expected requests per day of a stream with `targets` targets, for reports and tests.
    pub fn expected_per_day(pattern: &Pattern, targets: u32) -> f64 {
        match *pattern {
            Pattern::DailyWindow { .. } => targets as f64,
            Pattern::Poisson {
                per_premises_per_day,
                hourly,
            } => per_premises_per_day * targets as f64 * hourly.iter().sum::<f64>() / 24.0,
        }
    }

    fn count_in(pattern: &Pattern, targets: u32, days: u64) -> (u64, Vec<u64>) {
        let mut streams = RandomStreams::new(11);
        let mut draws = 0;
        let mut state = StreamState::default();
        let mut now = SimTime::ZERO;
        let mut per_hour = vec![0u64; 24];
        let mut n = 0;
        while let Some(t) = next_arrival(
            pattern,
            &mut state,
            targets,
            now,
            SimTime(days * DAY_US),
            &mut streams.stream(1, &mut draws),
        ) {
            if t.as_micros() >= days * DAY_US {
                break;
            }
            assert!(t >= now, "time went backwards");
            per_hour[((t.as_micros() / HOUR_US) % 24) as usize] += 1;
            n += 1;
            now = t;
        }
        (n, per_hour)
    }

    #[test]
    fn daily_window_sends_each_target_once_a_day_inside_the_window() {
        let p = Pattern::DailyWindow {
            start: SimDuration::from_hours(1),
            length: SimDuration::from_hours(4),
        };
        let (n, per_hour) = count_in(&p, 1_000, 3);
        assert_eq!(n, 3_000);
        assert_eq!(per_hour[1..5].iter().sum::<u64>(), 3_000);
    }

    #[test]
    fn poisson_follows_the_hourly_shape() {
        let mut hourly = [0.0; 24];
        hourly[18] = 12.0;
        hourly[6] = 12.0;
        let p = Pattern::Poisson {
            per_premises_per_day: 2.0,
            hourly,
        };
        let (n, per_hour) = count_in(&p, 1_000, 10);
        let want = expected_per_day(&p, 1_000) * 10.0;
        assert!((n as f64 - want).abs() < 4.0 * want.sqrt(), "{n} vs {want}");
        assert_eq!(per_hour[6] + per_hour[18], n);
    }

    #[test]
    fn streams_always_advance_and_stop_at_the_end() {
        // A 1 µs window with one target: one request a day, never a second round at one instant.
        let w = Pattern::DailyWindow {
            start: SimDuration::from_hours(1),
            length: SimDuration::from_micros(1),
        };
        assert_eq!(count_in(&w, 1, 5).0, 5);
        // A rate whose next arrival is ages away: none before the end, found without stepping
        // hour by hour towards it.
        let p = Pattern::Poisson {
            per_premises_per_day: 1e-300,
            hourly: [1.0; 24],
        };
        assert_eq!(count_in(&p, 100, 1).0, 0);
    }

    #[test]
    fn a_silent_stream_never_sends() {
        let p = Pattern::Poisson {
            per_premises_per_day: 0.0,
            hourly: [1.0; 24],
        };
        assert_eq!(count_in(&p, 10, 1).0, 0);
        let q = Pattern::Poisson {
            per_premises_per_day: 1.0,
            hourly: [1.0; 24],
        };
        assert_eq!(count_in(&q, 0, 1).0, 0);
    }
}
