//! `dccsim bench phold`: the standard DES kernel benchmark, optionally beside a plain
//! `BinaryHeap` loop running the identical model.
//!
//! One run is noise on a shared machine, so the benchmark runs once to warm up (caches, page
//! faults, CPU frequency), then `--reps` times, and reports the median events/s with the
//! fastest and slowest run. When they are more than `--max-spread` percent of the median apart it
//! warns, as the numbers are then not to be trusted.

use crate::cli::PholdArgs;
use crate::error::CliError;
use dccsim_sim::phold::{run_binary_heap, run_kernel, PholdConfig, PholdReport};
use dccsim_sim::SimTime;
use std::process::ExitCode;

/// Memory of one PHOLD logical process: its clock and random-stream state.
const PHOLD_BYTES_PER_LP: f64 = 64.0;
/// Memory of one pending PHOLD event in the queue (the BinaryHeap baseline holds as many).
const PHOLD_BYTES_PER_EVENT: f64 = 64.0;

/// Events/s over repetitions: median, fastest and slowest, and every run.
struct Timing {
    runs: Vec<f64>,
    median: f64,
    min: f64,
    max: f64,
}

impl Timing {
    fn of(mut runs: Vec<f64>) -> Timing {
        let mut sorted = runs.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        runs.shrink_to_fit();
        Timing {
            median,
            min: sorted[0],
            max: sorted[n - 1],
            runs,
        }
    }

    /// (slowest − fastest) / median, in percent.
    fn spread_pct(&self) -> f64 {
        if self.median > 0.0 {
            (self.max - self.min) / self.median * 100.0
        } else {
            0.0
        }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "median_events_per_second": self.median,
            "min_events_per_second": self.min,
            "max_events_per_second": self.max,
            "spread_percent": self.spread_pct(),
            "runs_events_per_second": self.runs,
        })
    }
}

/// A warm-up run, then `reps` timed ones; every run must give the same result.
fn measure(reps: u32, run: impl Fn() -> PholdReport) -> Result<(PholdReport, Timing), CliError> {
    let first = run();
    let mut rates = Vec::with_capacity(reps as usize);
    for _ in 0..reps {
        let r = run();
        if (r.events, r.checksum) != (first.events, first.checksum) {
            return Err(CliError::Internal(format!(
                "PHOLD is not deterministic: {first:?} then {r:?}"
            )));
        }
        rates.push(r.events_per_second);
    }
    Ok((first, Timing::of(rates)))
}

pub fn phold(args: &PholdArgs) -> Result<ExitCode, CliError> {
    if args.lps == 0 {
        return Err(CliError::BadInput("--lps must be at least 1".into()));
    }
    if args.lps >= dccsim_sim::actor::MAX_PER_KIND {
        return Err(CliError::BadInput(format!(
            "--lps {} is more than the kernel's {} actors of one kind",
            args.lps,
            dccsim_sim::actor::MAX_PER_KIND - 1
        )));
    }
    if args.reps == 0 {
        return Err(CliError::BadInput("--reps must be at least 1".into()));
    }
    // Admission, as for a scenario: the LPs' clocks and the event population must fit.
    let need = f64::from(args.lps) * PHOLD_BYTES_PER_LP
        + f64::from(args.lps) * f64::from(args.events_per_lp) * PHOLD_BYTES_PER_EVENT
        + 8e6;
    crate::budget::fits(need, crate::budget::limit(None)?, "this PHOLD benchmark")?;
    if !(args.end.is_finite() && args.end >= 0.0) {
        return Err(CliError::BadInput(format!(
            "--end must be a non-negative number of seconds, not {}",
            args.end
        )));
    }
    if !(args.max_spread.is_finite() && args.max_spread >= 0.0) {
        return Err(CliError::BadInput(format!(
            "--max-spread must be a non-negative percentage, not {}",
            args.max_spread
        )));
    }
    let cfg = PholdConfig {
        lps: args.lps,
        events_per_lp: args.events_per_lp,
        end: SimTime((args.end * 1e6).round() as u64),
        seed: args.seed,
    };
    let (kernel, k) = measure(args.reps, || run_kernel(&cfg))?;
    let baseline = match args.baseline {
        true => Some(measure(args.reps, || run_binary_heap(&cfg))?),
        false => None,
    };
    if let Some((b, _)) = &baseline {
        if b.checksum != kernel.checksum || b.events != kernel.events {
            return Err(CliError::Internal(format!(
                "kernel and BinaryHeap baseline disagree: {kernel:?} vs {b:?}"
            )));
        }
    }
    if args.json {
        let mut v = serde_json::json!({
            "parameters": {
                "lps": args.lps,
                "events_per_lp": args.events_per_lp,
                "end_seconds": args.end,
                "seed": args.seed,
                "reps": args.reps,
                "warmup_runs": 1,
                "max_spread_percent": args.max_spread,
            },
            "events": kernel.events,
            "checksum": format!("{:016x}", kernel.checksum),
            "kernel": k.json(),
        });
        if let Some((_, b)) = &baseline {
            v["baseline"] = b.json();
            v["kernel_over_baseline"] = (k.median / b.median).into();
        }
        println!("{v}");
    } else {
        println!(
            "PHOLD {} LPs × {} events, end {} s, seed {}: {} events, checksum {:016x}; \
             1 warm-up run, then median of {}",
            args.lps,
            args.events_per_lp,
            args.end,
            args.seed,
            kernel.events,
            kernel.checksum,
            args.reps
        );
        let line = |name: &str, t: &Timing| {
            println!(
                "  {name:<10}  {:>7.2} M events/s  (min {:.2}, max {:.2}; spread {:.1}%)",
                t.median / 1e6,
                t.min / 1e6,
                t.max / 1e6,
                t.spread_pct()
            )
        };
        line("kernel", &k);
        if let Some((_, b)) = &baseline {
            line("BinaryHeap", b);
            println!(
                "  kernel is {:.2}× the BinaryHeap loop",
                k.median / b.median
            );
        }
    }
    for (name, t) in
        std::iter::once(("kernel", &k)).chain(baseline.as_ref().map(|(_, b)| ("BinaryHeap", b)))
    {
        if t.spread_pct() > args.max_spread {
            eprintln!(
                "warning: {name} runs vary by {:.1}% of the median (more than {}%): the machine \
                 is busy or the run is too short; trust these numbers less, or use more --reps",
                t.spread_pct(),
                args.max_spread
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_spread() {
        let t = Timing::of(vec![3.0, 1.0, 2.0]);
        assert_eq!((t.median, t.min, t.max), (2.0, 1.0, 3.0));
        assert_eq!(t.spread_pct(), 100.0);
        assert_eq!(t.runs, [3.0, 1.0, 2.0]);
        assert_eq!(Timing::of(vec![4.0, 1.0, 2.0, 3.0]).median, 2.5);
    }
}
