//! SECMP0062 alert storm protection at the DSP: alerts arriving faster than a configured rate
//! are held to it by a token bucket; an alert that finds the bucket empty is kept, dropped or
//! sampled according to its class ([`OnStorm`]), so a storm cannot take every DSP worker from
//! Service Requests.

use super::config::class::CLASSES;
use super::config::{AlertConfig, OnStorm, Protection};
use dccsim_sim::{SimDuration, SimTime};

/// What protection does with one arriving alert.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Admission {
    /// On to a DSP worker now.
    Now,
    /// Held: back at the DSP's door after this long, when the rate has room for it.
    After(SimDuration),
    /// Shed (dropped, or not the sample).
    Shed,
}

/// Protection's state: the bucket, each sampled class's count of storm alerts so far, and the
/// alerts held for the rate.
#[derive(Clone, Debug, Default)]
pub struct Guard {
    /// `None`: protection off, every alert is admitted.
    cfg: Option<Protection>,
    /// Each class's action over the rate.
    on_storm: Vec<OnStorm>,
    /// Tokens in the bucket; below zero while held alerts have reserved the coming ones.
    tokens: f64,
    refilled: SimTime,
    /// Storm alerts each sampled class has had (every `sample_one_in`-th is kept).
    sampled: Vec<u32>,
    /// Held alerts not yet back at the door.
    held: u32,
}

impl Guard {
    /// The guard `alerts` configures (inert when protection is off).
    pub fn new(alerts: &AlertConfig) -> Self {
        let Some(cfg) = alerts.protection.clone() else {
            return Guard::default();
        };
        Guard {
            tokens: cfg.burst,
            cfg: Some(cfg),
            on_storm: (0..CLASSES.len() as u8)
                .map(|c| alerts.on_storm(c))
                .collect(),
            refilled: SimTime::ZERO,
            sampled: vec![0; CLASSES.len()],
            held: 0,
        }
    }

    /// What becomes of an alert of `class` arriving at `now`.
    pub fn admit(&mut self, class: u8, now: SimTime) -> Admission {
        let Some(cfg) = &self.cfg else {
            return Admission::Now;
        };
        let elapsed = now.since(self.refilled).as_micros() as f64 / 1e6;
        self.tokens = (self.tokens + elapsed * cfg.rate).min(cfg.burst);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Admission::Now;
        }
        let kept = |yes: bool| if yes { Admission::Now } else { Admission::Shed };
        match self.on_storm[class as usize] {
            OnStorm::Keep => Admission::Now,
            OnStorm::Drop => Admission::Shed,
            OnStorm::Sample => {
                let n = &mut self.sampled[class as usize];
                *n += 1;
                kept((*n - 1).is_multiple_of(cfg.sample_one_in))
            }
            OnStorm::Hold if self.held >= cfg.hold_limit => Admission::Shed,
            OnStorm::Hold => {
                // Reserve the next token not yet promised: it exists once the bucket is back
                // to zero from here. Rounded up, so the admitted rate never exceeds `rate`.
                self.tokens -= 1.0;
                self.held += 1;
                let wait = (-self.tokens * 1e6 / cfg.rate).ceil() as u64;
                Admission::After(SimDuration::from_micros(wait))
            }
        }
    }

    /// A held alert is back at the door with its token reserved: it goes to a worker.
    pub fn release(&mut self) {
        debug_assert!(self.held > 0, "released an alert that was never held");
        self.held -= 1;
    }

    /// Alerts held for the rate right now.
    pub fn held(&self) -> u32 {
        self.held
    }
}

#[cfg(test)]
mod tests {
    use super::super::config::ClassConfig;
    use super::*;

    fn guard(on_storm: OnStorm) -> Guard {
        Guard::new(&AlertConfig {
            modelled: true,
            classes: vec![ClassConfig {
                class: 0,
                per_device_per_day: 1.0,
                on_storm,
            }],
            protection: Some(Protection {
                rate: 10.0,
                burst: 5.0,
                sample_one_in: 4,
                hold_limit: 3,
            }),
            outages: vec![],
        })
    }

    #[test]
    fn the_bucket_admits_its_burst_then_its_rate() {
        let mut g = guard(OnStorm::Drop);
        let t = SimTime::ZERO;
        let admitted = (0..20).filter(|_| g.admit(0, t) == Admission::Now).count();
        assert_eq!(admitted, 5);
        // A second later ten more tokens (the bucket holds five).
        let t1 = t.after(SimDuration::from_secs(1));
        assert_eq!(
            (0..20).filter(|_| g.admit(0, t1) == Admission::Now).count(),
            5
        );
    }

    #[test]
    fn sampled_and_kept_classes_over_the_rate() {
        let mut g = guard(OnStorm::Sample);
        let admitted = (0..25)
            .filter(|_| g.admit(0, SimTime::ZERO) == Admission::Now)
            .count();
        assert_eq!(admitted, 5 + 5); // the burst, then one in four of twenty
        let mut g = guard(OnStorm::Keep);
        assert!((0..25).all(|_| g.admit(0, SimTime::ZERO) == Admission::Now));
        // Protection off: everything passes.
        let mut off = Guard::default();
        assert!((0..25).all(|_| off.admit(0, SimTime::ZERO) == Admission::Now));
    }

    #[test]
    fn held_alerts_wait_their_turn_at_the_rate_up_to_the_limit() {
        let mut g = guard(OnStorm::Hold);
        let t = SimTime::ZERO;
        // The burst goes now; then three are held, 0.1 s apart at 10 a second; the fourth is
        // over the hold limit and dropped.
        for _ in 0..5 {
            assert_eq!(g.admit(0, t), Admission::Now);
        }
        let ms = |n| Admission::After(SimDuration::from_millis(n));
        assert_eq!(g.admit(0, t), ms(100));
        assert_eq!(g.admit(0, t), ms(200));
        assert_eq!(g.admit(0, t), ms(300));
        assert_eq!(g.admit(0, t), Admission::Shed);
        assert_eq!(g.held(), 3);
        // One comes back: the next is held behind the two still waiting.
        g.release();
        let t1 = t.after(SimDuration::from_millis(100));
        assert_eq!(g.admit(0, t1), ms(300));
    }
}
