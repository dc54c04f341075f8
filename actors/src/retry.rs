//! A supplier's retries (`[retry]`): an SR of its traffic streams refused with a code it retries
//! (E90 throttled by default), or unanswered within its timeout, is sent again after a backoff,
//! up to `max_attempts` in all. The request keeps its first attempt's `sent`, so end-to-end
//! latency counts from the first attempt; it stays in flight (counted once) from the first
//! attempt until the User accepts an answer or gives up. An answer to an attempt the User has
//! already retried is stale: ignored, and counted.
//!
//! Counters: `sr.attempts{sr}` (every attempt sent), `sr.retried{sr}` (attempts after the first),
//! `sr.stale_answers{sr}`.

use crate::config::traffic_management::Retry;
use crate::dsp;
use crate::ids::Kinds;
use crate::msg::{Msg, Request};
use crate::sr::{DeviceType, ResponseCode, SrType};
use crate::streams::Side;
use dccsim_sim::{metric_name, CounterId, Ctx, SimDuration, SimTime};
use std::collections::BTreeMap;

/// A request as its User knows it across attempts: first attempt's time, target and SR.
type Key = (SimTime, u32, SrType, DeviceType);

fn key(req: &Request) -> Key {
    (req.sent, req.premises, req.sr, req.device)
}

/// One User's open retried requests and its retry counters.
#[derive(Debug, Default)]
pub struct Retries {
    /// `[retry]`, if the User retries at all.
    cfg: Option<Retry>,
    /// Open requests and their current attempt.
    open: BTreeMap<Key, u8>,
    /// Draws from the jitter side stream.
    draws: u64,
    /// Per SR: `sr.attempts`, `sr.retried`, `sr.stale_answers`.
    counters: [Option<[CounterId; 3]>; SrType::ALL.len()],
}

/// What an answer (or a timeout) means to the User.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The request's final answer: account for it.
    Final(Request, ResponseCode),
    /// Nothing to account for now (retried, stale, or not the current attempt).
    Pending,
}

impl Retries {
    /// Retries by `cfg` (none if its policy is `none`).
    pub fn new(cfg: Option<&Retry>) -> Self {
        Retries {
            cfg: cfg.filter(|c| c.is_on()).cloned(),
            ..Retries::default()
        }
    }

    /// Marks `req`, about to be sent for the first time, as attempt 1 of a request the User will
    /// retry (unless retries are off, or another open request has the same key).
    pub fn track(&mut self, req: &mut Request) {
        if self.cfg.is_none() {
            return;
        }
        if let std::collections::btree_map::Entry::Vacant(e) = self.open.entry(key(req)) {
            e.insert(1);
            req.attempt = 1;
        }
    }

    /// `req` (tracked or not) has just been sent: counts the attempt and starts its timeout.
    pub fn sent(&mut self, req: &Request, ctx: &mut Ctx<'_, Msg>) {
        if req.attempt == 0 {
            return;
        }
        let [attempts, retried, _] = self.counters(req.sr, ctx);
        ctx.count(attempts, 1);
        if req.attempt > 1 {
            ctx.count(retried, 1);
        }
        if let Some(timeout) = self.cfg.as_ref().and_then(|c| c.timeout) {
            ctx.wake_after(timeout, Msg::AttemptTimeout(*req));
        }
    }

    /// The DSP answered `req` with `code`.
    pub fn on_response(
        &mut self,
        req: Request,
        code: ResponseCode,
        ctx: &mut Ctx<'_, Msg>,
    ) -> Outcome {
        if req.attempt == 0 {
            return Outcome::Final(req, code);
        }
        if self.open.get(&key(&req)) != Some(&req.attempt) {
            let [_, _, stale] = self.counters(req.sr, ctx);
            ctx.count(stale, 1);
            return Outcome::Pending;
        }
        let cfg = self
            .cfg
            .as_ref()
            .expect("tracked requests have a retry policy");
        if cfg.on.contains(&code) {
            return self.retry_or_give_up(req, code, ctx);
        }
        self.open.remove(&key(&req));
        Outcome::Final(req, code)
    }

    /// `req`'s timeout is over: if it is still the current, unanswered attempt, it failed.
    pub fn on_timeout(&mut self, req: Request, ctx: &mut Ctx<'_, Msg>) -> Outcome {
        if self.open.get(&key(&req)) != Some(&req.attempt) {
            return Outcome::Pending;
        }
        self.retry_or_give_up(req, ResponseCode::U1, ctx)
    }

    /// Attempt `req.attempt` failed with `code`: schedule the next, or give up with `code`.
    fn retry_or_give_up(
        &mut self,
        req: Request,
        code: ResponseCode,
        ctx: &mut Ctx<'_, Msg>,
    ) -> Outcome {
        let cfg = self
            .cfg
            .as_ref()
            .expect("tracked requests have a retry policy");
        let next = u32::from(req.attempt) + 1;
        if next > cfg.max_attempts {
            self.open.remove(&key(&req));
            return Outcome::Final(req, code);
        }
        let wait = cfg.wait_before(next);
        let jitter = cfg.jitter;
        let wait = if jitter > 0.0 {
            let u = ctx
                .side_rng(Side::RetryJitter.purpose(), &mut self.draws)
                .uniform();
            let factor = 1.0 - jitter * u;
            SimDuration::from_micros((wait.as_micros() as f64 * factor).round() as u64)
        } else {
            wait
        };
        self.open.insert(key(&req), next as u8);
        let again = Request {
            attempt: next as u8,
            leg: dsp::first_leg(req.sr.category()),
            ..req
        };
        ctx.wake_after(wait, Msg::RetryDue(again));
        Outcome::Pending
    }

    /// The backoff before `req` is over: send it again (already counted as requested and in
    /// flight).
    pub fn resend(&mut self, req: Request, ctx: &mut Ctx<'_, Msg>) {
        ctx.send(Kinds::dsp(), SimDuration::ZERO, Msg::AtDsp(req));
        self.sent(&req, ctx);
    }

    /// Whether `req` is an attempt the User has given up on or retried (an answer to it would
    /// be ignored): not in flight as far as the User's accounting goes.
    pub fn is_stale(&self, req: &Request) -> bool {
        req.attempt > 0 && self.open.get(&key(req)) != Some(&req.attempt)
    }

    fn counters(&mut self, sr: SrType, ctx: &mut Ctx<'_, Msg>) -> [CounterId; 3] {
        *self.counters[sr.index()].get_or_insert_with(|| {
            let labels = [("sr", sr.number())];
            ["sr.attempts", "sr.retried", "sr.stale_answers"]
                .map(|name| ctx.metrics().counter(metric_name(name, &labels)))
        })
    }
}
