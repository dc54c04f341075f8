//! Latency and service-time distributions, sampled from an actor's own random stream.
//!
//! Transcendental functions come from the pure-Rust `libm` crate rather than the platform's C
//! library, whose last-bit rounding differs between systems: results must be byte-identical on
//! any machine.

use dccsim_sim::{SimDuration, StreamRng};
use rand_distr::{Distribution, StandardNormal};

/// A distribution of durations. Every variant is valid by construction: the scenario loader
/// checks parameters (positive scale, `min ≤ max`) before building one.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Dist {
    /// Always the same value.
    Const(SimDuration),
    /// Exponential with this mean.
    Exp { mean: SimDuration },
    /// Log-normal: `median · exp(sigma · Z)`, Z standard normal; the usual shape of network
    /// and service latencies (a long right tail).
    LogNormal { median: SimDuration, sigma: f64 },
    /// Uniform between `min` and `max` inclusive.
    Uniform { min: SimDuration, max: SimDuration },
}

impl Dist {
    /// Draws one duration.
    pub fn sample(&self, rng: &mut StreamRng<'_>) -> SimDuration {
        match *self {
            Dist::Const(d) => d,
            Dist::Exp { mean } => SimDuration::from_secs_f64(rng.exp(mean.as_secs_f64())),
            Dist::LogNormal { median, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                // libm, not the platform's exp: the same bits on every machine (DESIGN §1).
                SimDuration::from_secs_f64(median.as_secs_f64() * libm::exp(sigma * z))
            }
            Dist::Uniform { min, max } => SimDuration::from_micros(
                min.as_micros() + rng.below(max.as_micros() - min.as_micros() + 1),
            ),
        }
    }

    /// The distribution's mean, for reports and capacity arithmetic.
    pub fn mean(&self) -> SimDuration {
        match *self {
            Dist::Const(d) => d,
            Dist::Exp { mean } => mean,
            Dist::LogNormal { median, sigma } => {
                SimDuration::from_secs_f64(median.as_secs_f64() * (sigma * sigma / 2.0).exp())
            }
            Dist::Uniform { min, max } => {
                SimDuration::from_micros((min.as_micros() + max.as_micros()) / 2)
            }
        }
    }
}

/// Index of the share that `u ∈ [0,1)` falls in, by cumulative sum; the last non-zero share
/// absorbs rounding.
pub fn pick(shares: &[f64], u: f64) -> usize {
    let mut acc = 0.0;
    let mut last = 0;
    for (i, &s) in shares.iter().enumerate() {
        if s > 0.0 {
            last = i;
            acc += s;
            if u < acc {
                return i;
            }
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;
    use dccsim_sim::RandomStreams;

    #[test]
    fn sample_means_match() {
        let mut s = RandomStreams::new(3);
        let mut draws = 0;
        let cases = [
            Dist::Exp {
                mean: SimDuration::from_millis(100),
            },
            Dist::LogNormal {
                median: SimDuration::from_millis(100),
                sigma: 0.5,
            },
            Dist::Uniform {
                min: SimDuration::from_millis(50),
                max: SimDuration::from_millis(150),
            },
        ];
        for d in cases {
            let n = 200_000;
            let total: u64 = (0..n)
                .map(|_| d.sample(&mut s.stream(1, &mut draws)).as_micros())
                .sum();
            let mean = total as f64 / n as f64;
            let want = d.mean().as_micros() as f64;
            assert!(
                (mean - want).abs() / want < 0.01,
                "{d:?}: sample mean {mean} vs {want}"
            );
        }
    }
}
