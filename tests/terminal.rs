//! The command line as a person or a pipeline meets it: a closed output pipe ends quietly, logs
//! carry no colour codes into a pipe, `--quiet` says what it prints, and `bench phold` repeats
//! its runs and reports their spread.

mod common;
use common::*;
use std::process::{Command, Stdio};

#[test]
fn a_closed_output_pipe_ends_quietly_with_success() {
    // As in `dccsim sweep --list | head -1`: the reader is gone before dccsim writes.
    let mut child = Command::new(env!("CARGO_BIN_EXE_dccsim"))
        .args(["sweep", "scenarios/capacity-sweep.toml", "--list"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn verbose_logs_into_a_pipe_have_no_colour_codes() {
    let dir = scratch("verbose");
    let out = dir.join("run");
    let o = dccsim(&[
        "run",
        "scenarios/quickstart.toml",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "-v",
        "--set",
        "population.premises=500",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("INFO"), "no log lines: {err}");
    assert!(!err.contains('\u{1b}'), "ANSI escape codes in {err:?}");
}

#[test]
fn quiet_help_says_it_prints_the_digest() {
    let o = dccsim(&["run", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    let quiet = help
        .lines()
        .skip_while(|l| !l.contains("--quiet"))
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(quiet.contains("digest"), "{help}");
}

#[test]
fn bench_repeats_after_a_warm_up_and_reports_median_and_spread() {
    let o = dccsim(&[
        "bench",
        "phold",
        "--lps",
        "200",
        "--events-per-lp",
        "1",
        "--end",
        "1",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = &v["parameters"];
    assert_eq!(
        (
            p["lps"].as_u64(),
            p["events_per_lp"].as_u64(),
            p["end_seconds"].as_f64()
        ),
        (Some(200), Some(1), Some(1.0))
    );
    assert_eq!(
        (p["reps"].as_u64(), p["warmup_runs"].as_u64()),
        (Some(5), Some(1))
    );
    let k = &v["kernel"];
    assert_eq!(k["runs_events_per_second"].as_array().unwrap().len(), 5);
    let (lo, med, hi) = (
        k["min_events_per_second"].as_f64().unwrap(),
        k["median_events_per_second"].as_f64().unwrap(),
        k["max_events_per_second"].as_f64().unwrap(),
    );
    assert!(lo <= med && med <= hi, "{k}");
    assert!(k["spread_percent"].as_f64().unwrap() >= 0.0);

    // With no spread allowed, any difference between runs is warned about, in text output too.
    let o = dccsim(&[
        "bench",
        "phold",
        "--lps",
        "200",
        "--events-per-lp",
        "1",
        "--end",
        "1",
        "--reps",
        "3",
        "--max-spread",
        "0",
        "--baseline",
    ]);
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("median of 3") && out.contains("spread"),
        "{out}"
    );
    assert!(err.contains("warning:") && err.contains("vary by"), "{err}");
    let o = dccsim(&[
        "bench",
        "phold",
        "--lps",
        "10",
        "--events-per-lp",
        "1",
        "--end",
        "1",
        "--reps",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn end_of_run_figures_read_in_their_units_on_the_terminal_and_in_the_report() {
    let dir = scratch("scalars");
    let out = dir.join("ev");
    let o = dccsim(&[
        "run",
        "scenarios/ev-load-control.toml",
        "--out",
        out.to_str().unwrap(),
        "--set",
        "population.premises=2000",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let block: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "End-of-run figures:")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .collect();
    let line = |name: &str| {
        *block
            .iter()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {block:?}"))
    };
    assert!(line("ev.energy_delivered_kwh").ends_with(" kWh"));
    assert!(line("feeders.overloaded_share").ends_with('%'));
    assert!(line("dno.rebound_peak_ratio.max").ends_with('×'));
    let minutes = line("feeder.overload_minutes.total");
    assert!(
        minutes.ends_with('s') || minutes.ends_with('m'),
        "{minutes}"
    );
    // No raw floating-point noise such as 1.0426788350556973.
    for l in &block {
        let value = l.split_whitespace().last().unwrap();
        let decimals = value
            .split_once('.')
            .map_or(0, |(_, d)| d.chars().filter(char::is_ascii_digit).count());
        assert!(decimals <= 3, "{l}");
    }
    // `report RUN_DIR` prints the same block from the saved summary.
    let o = dccsim(&["report", out.to_str().unwrap()]);
    let again = String::from_utf8_lossy(&o.stdout);
    assert!(again.contains(&block.join("\n")), "{again}");
    // The page shows the unit too, keeping the exact value in data-value.
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    let row = page
        .lines()
        .find(|l| l.contains("data-scalar=\"ev.energy_delivered_kwh\""))
        .unwrap();
    assert!(row.contains(" kWh</td>"), "{row}");
}
