//! SECMP0062 alert storm protection at the DSP: alerts arriving faster than a configured rate
//! are held to it by a token bucket; an alert that finds the bucket empty is kept, dropped or
//! sampled according to its class ([`OnStorm`]), so a storm cannot take every DSP worker from
//! Service Requests.

use super::config::class::CLASSES;
use super::config::{AlertConfig, OnStorm, Protection};
use dccsim_sim::SimTime;

/// Protection's state: the bucket and each sampled class's count of storm alerts so far.
#[derive(Clone, Debug, Default)]
pub struct Guard {
    /// `None`: protection off, every alert is admitted.
    cfg: Option<Protection>,
    /// Each class's action over the rate.
    on_storm: Vec<OnStorm>,
    tokens: f64,
    refilled: SimTime,
    /// Storm alerts each sampled class has had (every `sample_one_in`-th is kept).
    sampled: Vec<u32>,
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
        }
    }

    /// Whether an alert of `class` arriving at `now` goes on to a DSP worker (false: shed).
    pub fn admit(&mut self, class: u8, now: SimTime) -> bool {
        let Some(cfg) = &self.cfg else {
            return true;
        };
        let elapsed = now.since(self.refilled).as_micros() as f64 / 1e6;
        self.tokens = (self.tokens + elapsed * cfg.rate).min(cfg.burst);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return true;
        }
        match self.on_storm[class as usize] {
            OnStorm::Keep => true,
            OnStorm::Drop => false,
            OnStorm::Sample => {
                let n = &mut self.sampled[class as usize];
                *n += 1;
                (*n - 1).is_multiple_of(cfg.sample_one_in)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::config::ClassConfig;
    use super::*;
    use dccsim_sim::SimDuration;

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
            }),
            outages: vec![],
        })
    }

    #[test]
    fn the_bucket_admits_its_burst_then_its_rate() {
        let mut g = guard(OnStorm::Drop);
        let t = SimTime::ZERO;
        let admitted = (0..20).filter(|_| g.admit(0, t)).count();
        assert_eq!(admitted, 5);
        // A second later ten more tokens (the bucket holds five).
        let t1 = t.after(SimDuration::from_secs(1));
        assert_eq!((0..20).filter(|_| g.admit(0, t1)).count(), 5);
    }

    #[test]
    fn sampled_and_kept_classes_over_the_rate() {
        let mut g = guard(OnStorm::Sample);
        let admitted = (0..25).filter(|_| g.admit(0, SimTime::ZERO)).count();
        assert_eq!(admitted, 5 + 5); // the burst, then one in four of twenty
        let mut g = guard(OnStorm::Keep);
        assert!((0..25).all(|_| g.admit(0, SimTime::ZERO)));
        // Protection off: everything passes.
        let mut off = Guard::default();
        assert!((0..25).all(|_| off.admit(0, SimTime::ZERO)));
    }
}
