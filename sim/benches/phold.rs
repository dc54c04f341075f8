//! `cargo bench -p dccsim-sim --bench phold`: PHOLD on the kernel and on a plain `BinaryHeap`
//! loop at the two DESIGN §6 sizes, reporting medians of several runs and the kernel/baseline ratio.
//!
//! Arguments after `--`: `reps=N` (default 5), `only=small|large`, `kernel-only`. Without criterion
//! on purpose: the point is a fixed-size throughput figure, and the dependency tree stays light.
//! Besides wall-clock rates it prints on-CPU rates (Linux), which a busy shared machine disturbs
//! less; the budget verdict uses the wall-clock median.

use dccsim_sim::phold::{run_binary_heap, run_kernel, PholdConfig, PholdReport};
use dccsim_sim::SimTime;

struct Size {
    name: &'static str,
    cfg: PholdConfig,
    /// DESIGN §6 budget for the kernel, events/s.
    budget: f64,
}

/// Median events/s of several runs, by wall clock and (where known) by on-CPU time.
struct Rates {
    wall: f64,
    cpu: Option<f64>,
    last: PholdReport,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Nanoseconds this thread has spent on a CPU (Linux `/proc/thread-self/schedstat`).
fn on_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn measure(reps: usize, f: fn(&PholdConfig) -> PholdReport, cfg: &PholdConfig) -> Rates {
    let mut wall = Vec::with_capacity(reps);
    let mut cpu = Vec::with_capacity(reps);
    let mut last: Option<PholdReport> = None;
    for _ in 0..reps {
        let cpu0 = on_cpu_ns();
        let r = f(cfg);
        let cpu_secs = on_cpu_ns()
            .zip(cpu0)
            .map(|(b, a)| b.saturating_sub(a) as f64 * 1e-9);
        if let Some(prev) = last {
            assert_eq!(
                (prev.events, prev.checksum),
                (r.events, r.checksum),
                "PHOLD is not deterministic"
            );
        }
        last = Some(r);
        wall.push(r.events_per_second);
        if let Some(s) = cpu_secs.filter(|&s| s > 0.0) {
            cpu.push(r.events as f64 / s);
        }
        eprintln!(
            "    {:>9} events in {:.3} s: {:6.2} M/s wall{}",
            r.events,
            r.seconds,
            r.events_per_second / 1e6,
            cpu_secs.map_or(String::new(), |s| format!(", on CPU {s:.3} s")),
        );
    }
    Rates {
        wall: median(wall),
        cpu: (cpu.len() == reps).then(|| median(cpu)),
        last: last.expect("reps must be positive"),
    }
}

fn show(label: &str, r: &Rates) {
    println!(
        "  {label:<10} median {:6.2} M events/s wall{}",
        r.wall / 1e6,
        r.cpu.map_or(String::new(), |c| format!(
            ", {:6.2} M events/s on CPU",
            c / 1e6
        )),
    );
}

fn main() {
    let mut reps = 5usize;
    let mut only: Option<String> = None;
    let mut kernel_only = false;
    for arg in std::env::args().skip(1) {
        if let Some(n) = arg.strip_prefix("reps=") {
            reps = n.parse().expect("reps=N");
        } else if let Some(s) = arg.strip_prefix("only=") {
            only = Some(s.to_string());
        } else if arg == "kernel-only" {
            kernel_only = true;
        }
        // cargo passes `--bench`; other unknown flags are ignored.
    }
    assert!(reps > 0, "reps must be positive");
    let sizes = [
        Size {
            name: "small",
            cfg: PholdConfig {
                lps: 10_000,
                events_per_lp: 10,
                end: SimTime(50_000_000),
                seed: 1,
            },
            budget: 10e6,
        },
        Size {
            name: "large",
            cfg: PholdConfig {
                lps: 1_000_000,
                events_per_lp: 1,
                end: SimTime(5_000_000),
                seed: 1,
            },
            budget: 8e6,
        },
    ];
    for s in sizes
        .iter()
        .filter(|s| only.as_deref().is_none_or(|o| o == s.name))
    {
        let c = &s.cfg;
        println!(
            "PHOLD {} LPs x {} events, end {} s, {reps} reps",
            c.lps,
            c.events_per_lp,
            c.end.as_micros() / 1_000_000
        );
        let k = measure(reps, run_kernel, c);
        show("kernel", &k);
        println!(
            "  {} events, checksum {:016x}; budget {:.0} M/s: {}",
            k.last.events,
            k.last.checksum,
            s.budget / 1e6,
            if k.wall >= s.budget { "met" } else { "MISSED" }
        );
        if kernel_only {
            continue;
        }
        let b = measure(reps, run_binary_heap, c);
        assert_eq!(
            (k.last.events, k.last.checksum),
            (b.last.events, b.last.checksum),
            "kernel and baseline disagree"
        );
        show("BinaryHeap", &b);
        println!(
            "  ratio kernel/BinaryHeap {:.2}x wall{}",
            k.wall / b.wall,
            k.cpu.zip(b.cpu).map_or(String::new(), |(kc, bc)| format!(
                ", {:.2}x on CPU",
                kc / bc
            )),
        );
    }
}
