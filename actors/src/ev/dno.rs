//! The Electricity Distributor (DNO): watches its LV feeders — through substation monitoring, or
//! through meter reads sent via the DCC — and, by policy, sends load-control Service Requests to
//! EV chargers through the DCC in the ED role. Commands and reads take the real path (DSP → CSP
//! → hub → HAN → device), so DCC latency, capacity and refusals shape the result.
//!
//! The DNO owns its feeders' physics too (the true load, for the outputs), but decides only on
//! what it has seen: with substation monitoring that is the true load at once; with meter reads
//! it is the sum of the latest reads.
//!
//! What the DNO believes about a charger it switched is reconciled with what it hears: an I0
//! confirms a switch command; an E21 (no response) leaves it not knowing whether the charger
//! acted — the command or only its answer may have been lost — so it sends its present wish
//! again after a backoff ([`RESEND_FIRST`], doubled each time, never longer than `hold`) until
//! one is answered, the wish changes, or [`MAX_RESENDS`] have gone unanswered. A refusal by the
//! DCC says the charger did not act: one about the device (E5, E11, E19) passes that charger
//! over for `hold` like an unreachable one, one about the DNO itself (E1–E4) holds the feeder.

use super::charger::FULL;
use super::feeder::Feeder;
use super::EvShared;
use super::{demand, Command};
use crate::ev::config::{Monitoring, Policy};
use crate::firmware::FirmwareShared;
use crate::msg::{DnoTimer, Msg, Request};
use crate::shared::Core;
use crate::sr::{DeviceType, ResponseCode, Role, SrType};
use crate::user::{self, Answers};
use dccsim_sim::{Ctx, SimDuration, SimTime};

/// Wait before the first resend of a switch command that came back E21 \[U\]: long enough for
/// a HAN that lost every retry to clear, short against a feeder's thermal limits.
pub const RESEND_FIRST: SimDuration = SimDuration::from_secs(60);

/// Resends of one wish before the DNO gives up on the charger (`dno.gave_up{kind}`) \[U\]: with
/// a 30-minute `hold`, about two hours of trying.
pub const MAX_RESENDS: u8 = 8;

/// A DNO and the feeders it runs.
#[derive(Debug)]
pub struct Dno {
    /// Its DCC User index (after the suppliers').
    pub user: u16,
    pub feeders: Vec<Feeder>,
    /// Each charger's feeder.
    charger_feeder: Vec<u32>,
    /// Each charger's true draw, W.
    draw: Vec<u32>,
    /// Each charger's draw as the DNO last saw it, W.
    seen_draw: Vec<u32>,
    /// Each premises' household scale (the profile times this is its household draw).
    scales: Vec<f64>,
    /// Meter-read monitoring: each premises' household draw in its latest read, W.
    seen_household: Vec<u32>,
    /// Chargers this DNO wants switched off (threshold policy).
    off: Vec<bool>,
    /// Its last switch command came back E21: the DNO does not know whether the charger acted,
    /// so its draw does not count as cut and the command is sent again.
    doubtful: Vec<bool>,
    /// Switch commands (7.5, 7.6) sent to each charger, wrapping; carried in the request's
    /// `arg`, so an answer to a command since superseded is recognised.
    gen: Vec<u16>,
    /// Resends of the present wish so far.
    resends: Vec<u8>,
    /// Until when each charger is passed over: its last command came back E21 or was refused
    /// for the device (E5, E11, E19), so the DNO curtails other chargers first.
    passed_over_until: Vec<SimTime>,
    answers: Answers,
}

impl Dno {
    pub fn new(
        user: u16,
        feeders: Vec<Feeder>,
        charger_feeder: Vec<u32>,
        scales: Vec<f64>,
    ) -> Self {
        let n = charger_feeder.len();
        Dno {
            user,
            feeders,
            charger_feeder,
            draw: vec![0; n],
            seen_draw: vec![0; n],
            seen_household: Vec::new(),
            scales,
            off: vec![false; n],
            doubtful: vec![false; n],
            gen: vec![0; n],
            resends: vec![0; n],
            passed_over_until: vec![SimTime::ZERO; n],
            answers: Answers::default(),
        }
    }

    pub fn handle(
        &mut self,
        msg: Msg,
        core: &Core,
        evs: &EvShared,
        fw: &FirmwareShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let ev = &evs.config;
        match msg {
            Msg::Dno(DnoTimer::Setup) => {
                if ev.dno.policy != Policy::None && ev.dno.restore_offset > SimDuration::ZERO {
                    for c in 0..self.charger_feeder.len() as u32 {
                        self.command(c, SrType::SetRandomisedOffsetLimit, 0, core, evs, ctx);
                    }
                }
            }
            Msg::Dno(DnoTimer::HalfHour) => {
                let slot = demand::slot(ctx.now());
                let direct = ev.dno.monitoring == Monitoring::Substation;
                for f in 0..self.feeders.len() {
                    let feeder = &mut self.feeders[f];
                    feeder.household_w =
                        demand::household_w(&ev.demand.profile_kw, slot, feeder.scale_sum);
                    self.changed(f, direct, core, evs, ctx);
                }
                let next = demand::to_next_slot(ctx.now());
                ctx.wake_after(next, Msg::Dno(DnoTimer::HalfHour));
            }
            Msg::Dno(DnoTimer::Resend { charger, gen }) => {
                let c = charger as usize;
                if self.gen[c] == gen && self.doubtful[c] {
                    let sr = if self.off[c] {
                        SrType::DeactivateAuxiliaryLoad
                    } else {
                        SrType::ActivateAuxiliaryLoad
                    };
                    ctx.count(evs.ids().resent[Command::switch_index(sr)], 1);
                    self.switch(charger, sr, core, evs, ctx);
                }
            }
            Msg::Dno(DnoTimer::Check { feeder }) => {
                self.feeders[feeder as usize].check_at = None;
                self.decide(feeder as usize, core, evs, ctx);
            }
            Msg::Dno(DnoTimer::ReadRound) => {
                let Monitoring::MeterReads { interval } = ev.dno.monitoring else {
                    unreachable!("read rounds only with meter-read monitoring")
                };
                if self.seen_household.is_empty() {
                    self.seen_household = vec![0; self.scales.len()];
                }
                for f in 0..self.feeders.len() {
                    for p in self.feeders[f].premises.clone() {
                        let read = SrType::ReadInstantaneousImport;
                        self.send((p, DeviceType::Esme), read, 0, core, evs, ctx);
                    }
                }
                ctx.wake_after(interval, Msg::Dno(DnoTimer::ReadRound));
            }
            Msg::ChargerDraw { charger, watts } => {
                let c = charger as usize;
                let f = self.charger_feeder[c] as usize;
                let feeder = &mut self.feeders[f];
                feeder.ev_w = feeder.ev_w + watts as u64 - self.draw[c] as u64;
                self.draw[c] = watts;
                let direct = ev.dno.monitoring == Monitoring::Substation;
                if direct {
                    self.see_draw(c, watts);
                }
                self.changed(f, direct, core, evs, ctx);
            }
            Msg::Response(req, code) => self.on_response(req, code, core, evs, fw, ctx),
            // A Network Operator alert (outage detection, voltage): counted and timed.
            Msg::Alert(alert) => crate::alert::deliver(alert, core, ctx),
            other => unreachable!("DNO got {other:?}"),
        }
    }

    /// Feeder `f`'s physical load has changed: record it; with substation monitoring (`direct`)
    /// the DNO sees it at once and may act.
    fn changed(
        &mut self,
        f: usize,
        direct: bool,
        core: &Core,
        evs: &EvShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let feeder = &mut self.feeders[f];
        feeder.observe(ctx.now(), evs.ids().overloaded, ctx);
        if direct {
            feeder.seen_household_w = feeder.household_w;
            debug_assert_eq!(feeder.seen_ev_w, feeder.ev_w);
            self.decide(f, core, evs, ctx);
        }
    }

    /// The DNO now sees charger `c` drawing `watts`.
    fn see_draw(&mut self, c: usize, watts: u32) {
        let cut = self.cut(c);
        let feeder = &mut self.feeders[self.charger_feeder[c] as usize];
        let old = self.seen_draw[c] as u64;
        feeder.seen_ev_w = feeder.seen_ev_w + watts as u64 - old;
        if cut {
            feeder.off_draw_w = feeder.off_draw_w + watts as u64 - old;
        }
        self.seen_draw[c] = watts;
    }

    /// A meter read of premises `p` is answered: the DNO sees its household and charger draw as
    /// they are now, and may act on the feeder's new total.
    fn read(&mut self, p: u32, core: &Core, evs: &EvShared, ctx: &mut Ctx<'_, Msg>) {
        let ev = &evs.config;
        let f = self.feeders.partition_point(|f| f.premises.end <= p);
        let slot = demand::slot(ctx.now());
        let household =
            demand::household_w(&ev.demand.profile_kw, slot, self.scales[p as usize]) as u32;
        let feeder = &mut self.feeders[f];
        debug_assert!(feeder.premises.contains(&p));
        feeder.seen_household_w =
            feeder.seen_household_w + household as u64 - self.seen_household[p as usize] as u64;
        self.seen_household[p as usize] = household;
        if let Some(c) = core.chargers.charger_at(p) {
            self.see_draw(c as usize, self.draw[c as usize]);
        }
        self.decide(f, core, evs, ctx);
    }

    /// The policy looks at what the DNO has seen of feeder `f`.
    fn decide(&mut self, f: usize, core: &Core, evs: &EvShared, ctx: &mut Ctx<'_, Msg>) {
        let ev = &evs.config;
        if ctx.now() < self.feeders[f].retry_at {
            return;
        }
        match ev.dno.policy {
            Policy::None => {}
            Policy::Threshold => self.threshold(f, core, evs, ctx),
            Policy::Proportional => self.proportional(f, core, evs, ctx),
        }
    }

    /// Switch chargers off (in turn, until the expected load is down to `restore_below`) when
    /// the load passes `curtail_at`; switch them all back on once `hold` has passed and the
    /// load is below `restore_below`.
    fn threshold(&mut self, f: usize, core: &Core, evs: &EvShared, ctx: &mut Ctx<'_, Msg>) {
        let ev = &evs.config;
        let now = ctx.now();
        let feeder = &self.feeders[f];
        let (expected, target) = (feeder.expected_w(), feeder.share_w(ev.dno.restore_below));
        if expected > feeder.share_w(ev.dno.curtail_at) {
            let range = feeder.chargers.clone();
            let n = range.len() as u32;
            let start = feeder.cursor;
            let mut cut = 0u64;
            let mut next_cursor = start;
            for k in 0..n {
                let i = (start + k) % n;
                let c = range.start + i;
                if self.off[c as usize]
                    || self.seen_draw[c as usize] == 0
                    || now < self.passed_over_until[c as usize]
                {
                    continue;
                }
                let draw = self.seen_draw[c as usize] as u64;
                self.off[c as usize] = true;
                self.doubtful[c as usize] = false;
                let feeder = &mut self.feeders[f];
                feeder.off_draw_w += draw;
                feeder.curtailed += 1;
                feeder.last_round = now;
                cut += draw;
                next_cursor = (i + 1) % n;
                self.wish(c, SrType::DeactivateAuxiliaryLoad, core, evs, ctx);
                if expected - cut <= target {
                    break;
                }
            }
            self.feeders[f].cursor = next_cursor;
            return;
        }
        if feeder.curtailed == 0 {
            return;
        }
        let ready = feeder.last_round.after(ev.dno.hold);
        if now < ready {
            self.check_at(f, ready, ctx);
        } else if expected <= target {
            for c in feeder.chargers.clone() {
                if self.off[c as usize] {
                    if self.cut(c as usize) {
                        self.feeders[f].off_draw_w -= self.seen_draw[c as usize] as u64;
                    }
                    self.off[c as usize] = false;
                    self.doubtful[c as usize] = false;
                    self.wish(c, SrType::ActivateAuxiliaryLoad, core, evs, ctx);
                }
            }
            let feeder = &mut self.feeders[f];
            debug_assert_eq!(feeder.off_draw_w, 0);
            feeder.curtailed = 0;
            feeder.last_round = now;
            feeder.rebound_until = Some(now.after(ev.dno.rebound_window));
        }
    }

    /// Lower every charger's limit to the step that brings the load to `restore_below` when it
    /// passes `curtail_at`; raise it one step at a time, `hold` apart, while the load is below
    /// `restore_below`. A round waits until the previous one has been answered.
    fn proportional(&mut self, f: usize, core: &Core, evs: &EvShared, ctx: &mut Ctx<'_, Msg>) {
        let ev = &evs.config;
        let now = ctx.now();
        let feeder = &self.feeders[f];
        if feeder.in_flight > 0 {
            return;
        }
        let step = ((ev.dno.step * FULL as f64).round() as u16).max(1);
        let (load, level, ev_w) = (feeder.seen_w(), feeder.level, feeder.seen_ev_w);
        let new = if load > feeder.share_w(ev.dno.curtail_at) {
            if ev_w == 0 || level == 0 {
                return;
            }
            let need = load - feeder.share_w(ev.dno.restore_below);
            let keep = ev_w.saturating_sub(need) as f64 / ev_w as f64;
            let fit = ((level as f64 * keep) as u16 / step) * step;
            fit.min(level.saturating_sub(step))
        } else if level < FULL && load <= feeder.share_w(ev.dno.restore_below) {
            let ready = feeder.last_round.after(ev.dno.hold);
            if now < ready {
                self.check_at(f, ready, ctx);
                return;
            }
            self.feeders[f].rebound_until = Some(now.after(ev.dno.rebound_window));
            (level + step).min(FULL)
        } else {
            return;
        };
        let feeder = &mut self.feeders[f];
        feeder.level = new;
        feeder.last_round = now;
        feeder.in_flight += feeder.chargers.len() as u32;
        for c in feeder.chargers.clone() {
            self.command(c, SrType::SetApcLimit, new, core, evs, ctx);
        }
    }

    /// Schedules a look at feeder `f` at `at` (once).
    fn check_at(&mut self, f: usize, at: SimTime, ctx: &mut Ctx<'_, Msg>) {
        let feeder = &mut self.feeders[f];
        if feeder.check_at != Some(at) {
            feeder.check_at = Some(at);
            ctx.wake_after(
                at.since(ctx.now()),
                Msg::Dno(DnoTimer::Check { feeder: f as u32 }),
            );
        }
    }

    /// Whether charger `c`'s seen draw counts as cut: the DNO switched it off and does not doubt
    /// the command acted.
    fn cut(&self, c: usize) -> bool {
        self.off[c] && !self.doubtful[c]
    }

    /// A new wish for charger `c` (switch off with 7.6, on with 7.5): sent with a fresh
    /// generation, its resends counted from zero.
    fn wish(&mut self, c: u32, sr: SrType, core: &Core, evs: &EvShared, ctx: &mut Ctx<'_, Msg>) {
        self.resends[c as usize] = 0;
        self.switch(c, sr, core, evs, ctx);
    }

    /// Sends switch command `sr` to charger `c`, numbered by its generation.
    fn switch(&mut self, c: u32, sr: SrType, core: &Core, evs: &EvShared, ctx: &mut Ctx<'_, Msg>) {
        let gen = self.gen[c as usize].wrapping_add(1);
        self.gen[c as usize] = gen;
        self.command(c, sr, gen, core, evs, ctx);
    }

    /// Sends `sr` to charger `c` through the DCC, in the ED role.
    fn command(
        &mut self,
        c: u32,
        sr: SrType,
        arg: u16,
        core: &Core,
        evs: &EvShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let premises = core.chargers.premises_of(c);
        let device = evs.config.chargers.device;
        self.send((premises, device), sr, arg, core, evs, ctx);
    }

    /// Sends `sr` to `device` at `premises` through the DCC, in the ED role.
    fn send(
        &self,
        (premises, device): (u32, DeviceType),
        sr: SrType,
        arg: u16,
        core: &Core,
        evs: &EvShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let req = user::request(self.user, premises, sr, device, Role::ED, arg, ctx.now());
        ctx.count(evs.ids().commands[Command::of(sr) as usize], 1);
        user::submit(req, core, ctx);
    }

    /// The DSP's answer: accounted like any User's, then reconciled with what the DNO believes
    /// (see the module's documentation).
    fn on_response(
        &mut self,
        req: Request,
        code: ResponseCode,
        core: &Core,
        evs: &EvShared,
        fw: &FirmwareShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        self.answers.account(req, code, core, fw, ctx);
        let ev = &evs.config;
        if req.sr == SrType::ReadInstantaneousImport {
            if code == ResponseCode::I0 {
                self.read(req.premises, core, evs, ctx);
            } else {
                ctx.count(evs.ids().refused[Command::Read as usize], 1);
            }
            return;
        }
        let c = core
            .chargers
            .charger_at(req.premises)
            .expect("the DNO commands only chargers");
        let f = self.charger_feeder[c as usize] as usize;
        let refusal = Refusal::of(code);
        if refusal.is_some() {
            ctx.count(evs.ids().refused[Command::of(req.sr) as usize], 1);
        }
        let until = ctx.now().after(ev.dno.hold);
        match (refusal, req.sr) {
            // An answer to a command since superseded changes nothing.
            (_, SrType::DeactivateAuxiliaryLoad | SrType::ActivateAuxiliaryLoad)
                if req.arg == self.gen[c as usize] =>
            {
                self.switch_answered(c, req.sr, refusal, core, evs, ctx);
            }
            (_, SrType::DeactivateAuxiliaryLoad | SrType::ActivateAuxiliaryLoad) => {}
            (_, SrType::SetApcLimit) => {
                let feeder = &mut self.feeders[f];
                feeder.in_flight -= 1;
                match refusal {
                    // The DNO may not send it: no charger took the limit.
                    Some(Refusal::User) => {
                        feeder.level = FULL;
                        feeder.retry_at = until;
                    }
                    // This charger did not take it; the others did.
                    Some(Refusal::Device) => self.passed_over_until[c as usize] = until,
                    Some(Refusal::NoResponse) | None => {}
                }
            }
            (Some(Refusal::User), _) => self.feeders[f].retry_at = until,
            _ => {}
        }
    }

    /// The answer to charger `c`'s latest switch command `sr`.
    fn switch_answered(
        &mut self,
        c: u32,
        sr: SrType,
        refusal: Option<Refusal>,
        core: &Core,
        evs: &EvShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let ev = &evs.config;
        let i = c as usize;
        let f = self.charger_feeder[i] as usize;
        let curtail = sr == SrType::DeactivateAuxiliaryLoad;
        match refusal {
            None => {
                // Confirmed: a cut the DNO doubted counts again.
                if self.off[i] && self.doubtful[i] {
                    self.feeders[f].off_draw_w += self.seen_draw[i] as u64;
                }
                self.doubtful[i] = false;
            }
            Some(Refusal::NoResponse) => {
                if self.cut(i) {
                    self.feeders[f].off_draw_w -= self.seen_draw[i] as u64;
                }
                self.doubtful[i] = true;
                if self.resends[i] < MAX_RESENDS {
                    let wait = RESEND_FIRST
                        .as_micros()
                        .saturating_mul(1 << self.resends[i])
                        .min(ev.dno.hold.as_micros().max(RESEND_FIRST.as_micros()));
                    self.resends[i] += 1;
                    let gen = self.gen[i];
                    ctx.wake_after(
                        SimDuration::from_micros(wait),
                        Msg::Dno(DnoTimer::Resend { charger: c, gen }),
                    );
                } else {
                    ctx.count(evs.ids().gave_up[Command::switch_index(sr)], 1);
                }
                if curtail {
                    // Curtail another charger now, if the feeder still needs it.
                    self.passed_over_until[i] = ctx.now().after(ev.dno.hold);
                    self.decide(f, core, evs, ctx);
                }
            }
            Some(refused) => {
                // The DCC refused it: the charger did not act.
                if curtail && self.off[i] {
                    if self.cut(i) {
                        self.feeders[f].off_draw_w -= self.seen_draw[i] as u64;
                    }
                    self.off[i] = false;
                    self.feeders[f].curtailed -= 1;
                }
                self.doubtful[i] = false;
                let until = ctx.now().after(ev.dno.hold);
                if refused == Refusal::User {
                    self.feeders[f].retry_at = until;
                } else {
                    self.passed_over_until[i] = until;
                    if curtail {
                        self.decide(f, core, evs, ctx);
                    }
                }
            }
        }
    }

    /// How many chargers are held off although the DNO wants them on, given each charger's
    /// actual state (`held_off`, in charger order) at the end of the run.
    pub fn left_off(&self, held_off: impl Iterator<Item = bool>) -> u64 {
        held_off
            .zip(&self.off)
            .filter(|&(held, &wanted)| held && !wanted)
            .count() as u64
    }
}

/// What a refusal of a DNO command says.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Refusal {
    /// E21: no response — the command, or only its answer, was lost on the HAN.
    NoResponse,
    /// E1–E4: the DNO may not send it (no SECMP0046 grant): true of every charger.
    User,
    /// Any other: the DCC refused it for this device (E5 Suspended, E11, E19, …).
    Device,
}

impl Refusal {
    fn of(code: ResponseCode) -> Option<Refusal> {
        use ResponseCode as C;
        match code {
            C::I0 | C::I99 => None,
            C::E21 => Some(Refusal::NoResponse),
            C::E1 | C::E2 | C::E3 | C::E4 => Some(Refusal::User),
            _ => Some(Refusal::Device),
        }
    }
}
