//! SR throttling (SECMP0067) at the DSP's front door: while the DSP is over its operating
//! threshold (its queue holds `queue_threshold` requests or more), each User may start only
//! `allocation` SRs per window; one over it is refused with E90 or deferred to the User's next
//! window. Counted per User as `sr.throttled{action,sr,user}`.

use crate::config::traffic_management::{Throttle as Config, ThrottleAction};
use crate::msg::Request;
use crate::sr::SrType;
use dccsim_sim::{metric_name, CounterId, FlowId, Metrics, SimDuration, SimTime};
use std::collections::BTreeMap;

/// What the DSP does with a fresh SR.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Let it in (it counts against its User's allocation).
    Admit,
    /// Answer E90 now.
    Refuse,
    /// Hold it this long, until its User's next window starts, then admit it as if it arrived
    /// then.
    Defer(SimDuration),
}

/// The allocation state of every User, and their `sr.throttled` counters.
#[derive(Debug)]
pub struct Throttle {
    cfg: Config,
    /// DCC User names by User number (suppliers, then DNOs), for the `user` label.
    users: Vec<String>,
    /// Per User: the window it last started an SR in, and how many it started in it.
    used: Vec<(u64, u32)>,
    /// Per User and SR: `sr.throttled{action,sr,user}`, registered at the first one.
    counters: Vec<[Option<CounterId>; SrType::ALL.len()]>,
}

impl Throttle {
    /// Throttling by `cfg`; `users` names each DCC User by number.
    pub fn new(cfg: Config, users: Vec<String>) -> Self {
        let n = users.len();
        Throttle {
            cfg,
            users,
            used: vec![(0, 0); n],
            counters: vec![[None; SrType::ALL.len()]; n],
        }
    }

    /// Decides on `req`, fresh from its User at `now`, with `queued` requests waiting for a DSP
    /// worker; counts a refusal or deferral in `metrics`.
    pub fn check(
        &mut self,
        req: &Request,
        queued: usize,
        now: SimTime,
        metrics: &mut Metrics,
    ) -> Verdict {
        let u = req.user as usize;
        let window = now.as_micros() / self.cfg.window.as_micros();
        let (last, used) = &mut self.used[u];
        if *last != window {
            *last = window;
            *used = 0;
        }
        if queued < self.cfg.queue_threshold as usize || *used < self.cfg.allocation {
            *used += 1;
            return Verdict::Admit;
        }
        let action = self.cfg.action;
        let id = *self.counters[u][req.sr.index()].get_or_insert_with(|| {
            metrics.counter(metric_name(
                "sr.throttled",
                &[
                    ("action", action.name()),
                    ("sr", req.sr.number()),
                    ("user", &self.users[u]),
                ],
            ))
        });
        metrics.add(id, 1);
        match action {
            ThrottleAction::Refuse => Verdict::Refuse,
            ThrottleAction::Defer => {
                let next = (window + 1) * self.cfg.window.as_micros();
                Verdict::Defer(SimDuration::from_micros(next - now.as_micros()))
            }
        }
    }
}

/// `sr.user_e2e{sr,user}`: end-to-end latency per DCC User and SR (with the SR's TRT), so a
/// throttled User's TRT can be told from the others'. Registered only with `[throttle]`.
#[derive(Debug, Default)]
pub struct UserFlows {
    /// Per User number, per SR.
    by_user: Vec<[Option<FlowId>; SrType::ALL.len()]>,
}

impl UserFlows {
    /// The flows of `users` (by number) for every SR type `sends` says the world may send, if
    /// the DCC throttles.
    pub fn register(
        metrics: &mut Metrics,
        throttle: Option<&Config>,
        users: &[String],
        sends: impl Fn(SrType) -> bool,
        trt: &BTreeMap<SrType, SimDuration>,
    ) -> Self {
        if throttle.is_none() {
            return UserFlows::default();
        }
        let by_user = users
            .iter()
            .map(|user| {
                SrType::ALL.map(|sr| {
                    sends(sr).then(|| {
                        let labels = [("sr", sr.number()), ("user", user.as_str())];
                        metrics.flow(metric_name("sr.user_e2e", &labels), Some(trt[&sr]))
                    })
                })
            })
            .collect();
        UserFlows { by_user }
    }

    /// The flow of User `user`'s `sr`, if Users' latencies are reported.
    #[inline]
    pub fn get(&self, user: u16, sr: SrType) -> Option<FlowId> {
        self.by_user.get(user as usize)?[sr.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::Leg;
    use crate::sr::{DeviceType, Role};

    fn req(user: u16) -> Request {
        Request {
            sent: SimTime::ZERO,
            premises: 0,
            user,
            sr: SrType::ReadInstantaneousImport,
            device: DeviceType::Esme,
            role: Role::IS,
            leg: Leg::Outbound,
            arg: 0,
            attempt: 0,
        }
    }

    fn throttle(action: ThrottleAction) -> Throttle {
        let cfg = Config {
            enabled: true,
            queue_threshold: 10,
            allocation: 2,
            window: SimDuration::from_secs(1),
            action,
        };
        Throttle::new(cfg, vec!["a".into(), "b".into()])
    }

    #[test]
    fn over_the_threshold_each_user_gets_its_allocation_per_window() {
        let mut t = throttle(ThrottleAction::Refuse);
        let mut m = Metrics::default();
        let now = SimTime(500_000);
        let verdicts: Vec<_> = (0..3).map(|_| t.check(&req(0), 10, now, &mut m)).collect();
        assert_eq!(verdicts, [Verdict::Admit, Verdict::Admit, Verdict::Refuse]);
        // The other User has its own allocation; the next window starts afresh.
        assert_eq!(t.check(&req(1), 10, now, &mut m), Verdict::Admit);
        assert_eq!(
            t.check(&req(0), 10, SimTime(1_000_000), &mut m),
            Verdict::Admit
        );
        let name = "sr.throttled{action=refused,sr=4.1.1,user=a}";
        assert_eq!(m.counters().get(name), Some(&1));
    }

    #[test]
    fn under_the_threshold_nothing_is_throttled_and_deferral_waits_for_the_next_window() {
        let mut t = throttle(ThrottleAction::Defer);
        let mut m = Metrics::default();
        let now = SimTime(250_000);
        for _ in 0..5 {
            assert_eq!(t.check(&req(0), 9, now, &mut m), Verdict::Admit);
        }
        assert_eq!(
            t.check(&req(0), 10, now, &mut m),
            Verdict::Defer(SimDuration::from_micros(750_000))
        );
    }
}
