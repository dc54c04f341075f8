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

/// [`pick`] with the cumulative sums worked out once: for the world builder's millions of draws
/// from one set of shares (the same sums in the same order, so the same index for every `u`).
#[derive(Clone, Debug)]
pub struct Picker {
    /// `(cumulative sum, index)` of each non-zero share, in order.
    bounds: Vec<(f64, usize)>,
    /// The last non-zero share's index (0 if none): where rounding lands.
    last: usize,
}

impl Picker {
    pub fn new(shares: &[f64]) -> Self {
        let mut acc = 0.0;
        let bounds: Vec<(f64, usize)> = shares
            .iter()
            .enumerate()
            .filter(|(_, &s)| s > 0.0)
            .map(|(i, &s)| {
                acc += s;
                (acc, i)
            })
            .collect();
        let last = bounds.last().map_or(0, |&(_, i)| i);
        Picker { bounds, last }
    }

    /// Index of the share that `u ∈ [0,1)` falls in: `pick(shares, u)`.
    #[inline]
    pub fn pick(&self, u: f64) -> usize {
        self.bounds
            .iter()
            .find(|&&(acc, _)| u < acc)
            .map_or(self.last, |&(_, i)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picker_agrees_with_pick() {
        let cases: [&[f64]; 6] = [
            &[1.0],
            &[0.3, 0.25, 0.2, 0.15, 0.1],
            &[0.0, 0.5, 0.0, 0.5, 0.0],
            &[0.1, 0.2, 0.3],
            &[0.0, 0.0],
            &[],
        ];
        let mut s = RandomStreams::new(11);
        let mut d = 0;
        let mut rng = s.stream(2, &mut d);
        for shares in cases {
            let picker = Picker::new(shares);
            let edges = [0.0, 0.1, 0.3, 0.55, 0.6, 0.75, 0.9, 0.999_999_999, 1.0];
            let draws = (0..2_000).map(|_| rng.uniform());
            for u in edges.into_iter().chain(draws) {
                assert_eq!(picker.pick(u), pick(shares, u), "{shares:?} at {u}");
            }
        }
    }
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
