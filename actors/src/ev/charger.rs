//! An EV charger behind a premises' Communications Hub: its HAN device (HCALCS or APC) obeys the
//! DNO's load-control SRs; its session draws power piecewise-constantly and integrates energy
//! exactly, in watt-microseconds, between events.

use super::EvShared;
use crate::ev::config::Ev;
use crate::han::link::DeviceLink;
use crate::han::HanShared;
use crate::hub;
use crate::ids::Kinds;
use crate::msg::{ChargerTimer, Msg, Request};
use crate::shared::Core;
use crate::sr::SrType;
use dccsim_sim::{Ctx, SimDuration, SimTime};

/// Watt-microseconds in a kilowatt-hour.
pub const WUS_PER_KWH: f64 = 3.6e12;

/// A charger's limit when nothing limits it: thousandths of its rating.
pub const FULL: u16 = 1000;

/// Where a charger's one session of the run is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Phase {
    /// No car yet.
    Before,
    /// Plugged in, waiting out the start delay.
    Waiting,
    /// Plugged in and allowed to charge (if the switch is on and the limit above zero).
    Ready,
    /// The car has left.
    Left,
}

/// One charger and its session.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Charger {
    pub premises: u32,
    /// Its end of the premises' HAN: the same as the electricity meter's (set at build).
    pub link: DeviceLink,
    pub feeder: u32,
    /// Rated power, W (7400 or 3700).
    pub rated_w: u32,
    phase: Phase,
    /// The HCALCS switch: on unless the DNO switched it off.
    switch_on: bool,
    /// The APC limit, thousandths of the rating.
    limit: u16,
    /// Randomised offset limit set by SR 7.12 (zero until set).
    offset_limit: SimDuration,
    /// What a pending `Raise` applies: switch on, at this limit.
    raise_to: u16,
    /// A `Raise` is pending (the random offset after a restore has not run out).
    raising: bool,
    raise_gen: u32,
    /// Present draw, W, since `since`.
    draw_w: u32,
    since: SimTime,
    full_gen: u32,
    /// Energy wanted this session, delivered so far, and left undelivered at departure (W·µs).
    pub requested: u64,
    pub delivered: u64,
    pub unmet: u64,
    /// The session as drawn at the start: energy wanted (W·µs), stay, start delay.
    wants: u64,
    dwell: SimDuration,
    start_delay: SimDuration,
}

impl Charger {
    pub fn new(premises: u32, feeder: u32, rated_w: u32) -> Self {
        Charger {
            premises,
            link: DeviceLink::default(),
            feeder,
            rated_w,
            phase: Phase::Before,
            switch_on: true,
            limit: FULL,
            offset_limit: SimDuration::ZERO,
            raise_to: FULL,
            raising: false,
            raise_gen: 0,
            draw_w: 0,
            since: SimTime::ZERO,
            full_gen: 0,
            requested: 0,
            delivered: 0,
            unmet: 0,
            wants: 0,
            dwell: SimDuration::ZERO,
            start_delay: SimDuration::ZERO,
        }
    }

    /// Draws the session (plug-in time, stay, energy, start delay) and schedules the plug-in;
    /// called once while the world is built, so the sessions are the same under every policy.
    pub fn start(&mut self, ev: &Ev, ctx: &mut Ctx<'_, Msg>) {
        let c = &ev.chargers;
        let mut rng = ctx.rng();
        let arrival = c.arrival.sample(&mut rng);
        self.dwell = c.dwell.sample(&mut rng);
        let kwh = c.energy_kwh.min + rng.uniform() * (c.energy_kwh.max - c.energy_kwh.min);
        self.wants = (kwh * WUS_PER_KWH).round() as u64;
        self.start_delay = SimDuration::from_micros(rng.below(c.start_delay.as_micros() + 1));
        ctx.wake_after(arrival, Msg::Charger(ChargerTimer::PlugIn));
    }

    /// Whether its switch is off with no restoration on its way: a charger the DNO switched off
    /// and never switched back on (for the end-of-run check).
    pub fn held_off(&self) -> bool {
        !self.switch_on && !self.raising
    }

    /// Whether the car is still plugged in with energy to take (for end-of-run accounting).
    pub fn session_open(&self) -> bool {
        matches!(self.phase, Phase::Waiting | Phase::Ready)
    }

    pub fn handle(
        &mut self,
        msg: Msg,
        core: &Core,
        evs: &EvShared,
        han: &HanShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let ev = &evs.config;
        let now = ctx.now();
        match msg {
            Msg::Charger(ChargerTimer::PlugIn) => {
                let (dwell, delay) = (self.dwell, self.start_delay);
                self.requested = self.wants;
                self.phase = Phase::Waiting;
                let ids = evs.ids();
                ctx.count(ids.sessions, 1);
                let start = if ev.chargers.off_peak {
                    super::demand::off_peak_start(now, &evs.start_date)
                } else {
                    now
                };
                ctx.wake_after(
                    SimDuration::from_micros(start.since(now).as_micros() + delay.as_micros()),
                    Msg::Charger(ChargerTimer::Start),
                );
                ctx.wake_after(dwell, Msg::Charger(ChargerTimer::Depart));
            }
            Msg::Charger(ChargerTimer::Start) => {
                if self.phase == Phase::Waiting {
                    self.settle(now);
                    self.phase = Phase::Ready;
                    self.apply(ev, ctx);
                }
            }
            Msg::Charger(ChargerTimer::Full { gen }) => {
                if gen == self.full_gen && self.draw_w > 0 {
                    self.settle(now);
                    debug_assert_eq!(self.delivered, self.requested, "full timer is exact");
                    self.apply(ev, ctx);
                }
            }
            Msg::Charger(ChargerTimer::Depart) => {
                self.settle(now);
                self.phase = Phase::Left;
                self.unmet = self.requested - self.delivered;
                if self.unmet > 0 {
                    ctx.count(evs.ids().unmet_sessions, 1);
                }
                self.apply(ev, ctx);
            }
            Msg::Charger(ChargerTimer::Raise { gen }) => {
                if gen == self.raise_gen {
                    self.raising = false;
                    self.settle(now);
                    self.switch_on = true;
                    self.limit = self.raise_to;
                    self.apply(ev, ctx);
                }
            }
            // A command crosses the HAN before the charger acts on it: a flat's building has
            // carried it already; in a house the charger draws the crossing and acts once it is
            // over (a crossing lost after every retry reaches the hub as an E21 instead).
            Msg::AtDevice(req) => match hub::receive(req, self.premises, self.link, core, han, ctx)
            {
                None => {}
                Some(there) if there == SimDuration::ZERO => {
                    self.command(req, ev, core, evs, han, ctx)
                }
                Some(there) => ctx.wake_after(there, Msg::Crossed(req)),
            },
            Msg::Crossed(req) => self.command(req, ev, core, evs, han, ctx),
            other => unreachable!("charger got {other:?}"),
        }
        debug_assert!(self.delivered <= self.requested);
    }

    /// Acts on a load-control SR and answers through the hub.
    fn command(
        &mut self,
        req: Request,
        ev: &Ev,
        core: &Core,
        evs: &EvShared,
        han: &HanShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let now = ctx.now();
        match req.sr {
            SrType::SetRandomisedOffsetLimit => self.offset_limit = ev.dno.restore_offset,
            SrType::DeactivateAuxiliaryLoad => {
                self.settle(now);
                self.switch_on = false;
                self.raise_gen += 1;
                self.raising = false;
                self.apply(ev, ctx);
            }
            SrType::ActivateAuxiliaryLoad => self.raise(self.limit, now, ev, ctx),
            SrType::SetApcLimit => {
                let to = req.arg.min(FULL);
                if to <= self.limit {
                    self.settle(now);
                    self.limit = to;
                    self.raise_gen += 1;
                    self.raising = false;
                    self.apply(ev, ctx);
                } else {
                    self.raise(to, now, ev, ctx);
                }
            }
            other => unreachable!("the DSP routes {other} to meters"),
        }
        if req.sr != SrType::SetRandomisedOffsetLimit {
            ctx.record(evs.ids().control, now.since(req.sent));
        }
        let respond = &ev.chargers.response;
        hub::answer(req, self.link, SimDuration::ZERO, respond, core, han, ctx);
    }

    /// Switches on at limit `to`, at once or after a random offset up to the 7.12 limit, so
    /// that chargers restored together do not all return in the same second.
    fn raise(&mut self, to: u16, now: SimTime, ev: &Ev, ctx: &mut Ctx<'_, Msg>) {
        self.raise_gen += 1;
        self.raise_to = to;
        self.raising = self.offset_limit > SimDuration::ZERO;
        if self.offset_limit == SimDuration::ZERO {
            self.settle(now);
            self.switch_on = true;
            self.limit = to;
            self.apply(ev, ctx);
        } else {
            let offset = ctx.rng().below(self.offset_limit.as_micros() + 1);
            ctx.wake_after(
                SimDuration::from_micros(offset),
                Msg::Charger(ChargerTimer::Raise {
                    gen: self.raise_gen,
                }),
            );
        }
    }

    /// Credits the energy drawn since the last change, up to `now`.
    pub fn settle(&mut self, now: SimTime) {
        let e = self.draw_w as u64 * now.since(self.since).as_micros();
        self.delivered = (self.delivered + e).min(self.requested);
        self.since = now;
    }

    /// What the charger draws in its present state, W.
    fn wanted_draw(&self) -> u32 {
        if self.phase == Phase::Ready && self.switch_on && self.delivered < self.requested {
            (self.rated_w as u64 * self.limit as u64 / FULL as u64) as u32
        } else {
            0
        }
    }

    /// After a change of state (already settled): tells the feeder of a new draw (through the
    /// DNO, after `[ev] report_latency`) and times the moment the car is full at it.
    fn apply(&mut self, ev: &Ev, ctx: &mut Ctx<'_, Msg>) {
        let draw = self.wanted_draw();
        if draw == self.draw_w {
            return;
        }
        self.draw_w = draw;
        let me = ctx.me().index();
        ctx.send(
            Kinds::dno(0),
            ev.chargers.report_latency,
            Msg::ChargerDraw {
                charger: me,
                watts: draw,
            },
        );
        self.full_gen += 1;
        if draw > 0 {
            let left = self.requested - self.delivered;
            let us = left.div_ceil(draw as u64);
            ctx.wake_after(
                SimDuration::from_micros(us),
                Msg::Charger(ChargerTimer::Full { gen: self.full_gen }),
            );
        }
    }

    /// Energy still wanted by a car that is plugged in at the end of the run (W·µs).
    pub fn pending(&self) -> u64 {
        if self.session_open() {
            self.requested - self.delivered
        } else {
            0
        }
    }
}
