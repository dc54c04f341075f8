//! `dccsim bench phold`: the standard DES kernel benchmark, optionally beside a plain
//! `BinaryHeap` loop running the identical model.

use crate::cli::PholdArgs;
use crate::error::CliError;
use dccsim_sim::phold::{run_binary_heap, run_kernel, PholdConfig, PholdReport};
use dccsim_sim::SimTime;
use std::process::ExitCode;

pub fn phold(args: &PholdArgs) -> Result<ExitCode, CliError> {
    if args.lps == 0 {
        return Err(CliError::BadInput("--lps must be at least 1".into()));
    }
    if !(args.end.is_finite() && args.end >= 0.0) {
        return Err(CliError::BadInput(format!(
            "--end must be a non-negative number of seconds, not {}",
            args.end
        )));
    }
    let cfg = PholdConfig {
        lps: args.lps,
        events_per_lp: args.events_per_lp,
        end: SimTime((args.end * 1e6).round() as u64),
        seed: args.seed,
    };
    let kernel = run_kernel(&cfg);
    let baseline = args.baseline.then(|| run_binary_heap(&cfg));
    if let Some(b) = &baseline {
        if b.checksum != kernel.checksum || b.events != kernel.events {
            return Err(CliError::Internal(format!(
                "kernel and BinaryHeap baseline disagree: {kernel:?} vs {b:?}"
            )));
        }
    }
    if args.json {
        println!("{}", json_line(&kernel, baseline.as_ref()));
    } else {
        println!(
            "PHOLD {} LPs × {} events, end {} s, seed {}",
            args.lps, args.events_per_lp, args.end, args.seed
        );
        println!(
            "  kernel      {:>12} events  {:>8.3} s  {:>7.2} M events/s  checksum {:016x}",
            kernel.events,
            kernel.seconds,
            kernel.events_per_second / 1e6,
            kernel.checksum
        );
        if let Some(b) = baseline {
            println!(
                "  BinaryHeap  {:>12} events  {:>8.3} s  {:>7.2} M events/s  (kernel is {:.2}×)",
                b.events,
                b.seconds,
                b.events_per_second / 1e6,
                kernel.events_per_second / b.events_per_second
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn json_line(k: &PholdReport, baseline: Option<&PholdReport>) -> String {
    let mut v = serde_json::json!({
        "events": k.events,
        "seconds": k.seconds,
        "events_per_second": k.events_per_second,
        "checksum": format!("{:016x}", k.checksum),
    });
    if let Some(b) = baseline {
        v["baseline_seconds"] = b.seconds.into();
        v["baseline_events_per_second"] = b.events_per_second.into();
    }
    v.to_string()
}
