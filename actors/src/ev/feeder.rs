//! An LV feeder from a secondary substation, as its DNO's substation monitoring sees it: the load
//! (households plus chargers) is piecewise constant between events, so the time spent above the
//! rating and the peaks are exact.

use crate::msg::Msg;
use dccsim_sim::{Ctx, GaugeId, SimTime};
use std::ops::Range;

/// One feeder: its rating, its premises' chargers, its load and what its DNO has done to it.
#[derive(Clone, Debug)]
pub struct Feeder {
    /// Rating, W.
    pub rating_w: u64,
    /// Sum of its premises' household scales: household load = profile × this.
    pub scale_sum: f64,
    /// Its premises (premises are split into feeders in order, so they are contiguous).
    pub premises: Range<u32>,
    /// Its chargers' indices (contiguous too).
    pub chargers: Range<u32>,
    /// The physical load: households and chargers, W.
    pub household_w: u64,
    pub ev_w: u64,
    /// The load as the DNO last saw it (the same with substation monitoring; the sum of the
    /// latest meter reads with meter-read monitoring), W.
    pub seen_household_w: u64,
    pub seen_ev_w: u64,
    /// Seen draw of chargers the DNO has switched off (until it sees them stop).
    pub off_draw_w: u64,
    overloaded_since: Option<SimTime>,
    /// Time spent above the rating so far (open interval not included), µs.
    pub overload_us: u64,
    pub peak_w: u64,
    /// Until when load counts towards the rebound after the last restoration.
    pub rebound_until: Option<SimTime>,
    /// Highest load seen within a rebound window, W.
    pub rebound_peak_w: u64,
    /// `feeder.load_kw{feeder=…}` for the most stressed feeders, and the value it shows.
    pub series: Option<GaugeId>,
    shown_kw: i64,
    // The DNO's control state.
    /// Where the next curtailment starts looking, so the same cars are not always cut first.
    pub cursor: u32,
    /// Chargers switched off (threshold policy).
    pub curtailed: u32,
    /// Limit commanded on every charger (proportional policy), thousandths of the rating.
    pub level: u16,
    /// 7.13 commands not yet answered.
    pub in_flight: u32,
    /// Last curtailment or restoration round.
    pub last_round: SimTime,
    /// No new round before this (set after a refusal).
    pub retry_at: SimTime,
    /// A restoration check already scheduled for this time.
    pub check_at: Option<SimTime>,
}

impl Feeder {
    pub fn new(rating_w: u64, scale_sum: f64, premises: Range<u32>, chargers: Range<u32>) -> Self {
        Feeder {
            rating_w,
            scale_sum,
            premises,
            chargers,
            household_w: 0,
            ev_w: 0,
            seen_household_w: 0,
            seen_ev_w: 0,
            off_draw_w: 0,
            overloaded_since: None,
            overload_us: 0,
            peak_w: 0,
            rebound_until: None,
            rebound_peak_w: 0,
            series: None,
            shown_kw: 0,
            cursor: 0,
            curtailed: 0,
            level: super::charger::FULL,
            in_flight: 0,
            last_round: SimTime::ZERO,
            retry_at: SimTime::ZERO,
            check_at: None,
        }
    }

    pub fn load_w(&self) -> u64 {
        self.household_w + self.ev_w
    }

    /// The load as the DNO sees it.
    pub fn seen_w(&self) -> u64 {
        self.seen_household_w + self.seen_ev_w
    }

    /// The load the DNO expects once its pending switch-offs have acted.
    pub fn expected_w(&self) -> u64 {
        self.seen_w() - self.off_draw_w
    }

    /// Records the load after a change at `now`: overload intervals (and the count of overloaded
    /// feeders), the peak, the rebound peak and the series.
    pub fn observe(&mut self, now: SimTime, overloaded: GaugeId, ctx: &mut Ctx<'_, Msg>) {
        let load = self.load_w();
        match (load > self.rating_w, self.overloaded_since) {
            (true, None) => {
                self.overloaded_since = Some(now);
                ctx.gauge_add(overloaded, 1);
            }
            (false, Some(since)) => {
                self.overload_us += now.since(since).as_micros();
                self.overloaded_since = None;
                ctx.gauge_add(overloaded, -1);
            }
            _ => {}
        }
        self.peak_w = self.peak_w.max(load);
        if self.rebound_until.is_some_and(|until| now <= until) {
            self.rebound_peak_w = self.rebound_peak_w.max(load);
        }
        if let Some(g) = self.series {
            let kw = ((load + 500) / 1000) as i64;
            ctx.gauge_add(g, kw - self.shown_kw);
            self.shown_kw = kw;
        }
    }

    /// Time above the rating up to `end`, closing an open interval.
    pub fn overload_until(&self, end: SimTime) -> u64 {
        self.overload_us
            + self
                .overloaded_since
                .map_or(0, |since| end.since(since).as_micros())
    }

    /// `x` times the rating, W (for policy thresholds).
    pub fn share_w(&self, x: f64) -> u64 {
        (self.rating_w as f64 * x) as u64
    }
}
