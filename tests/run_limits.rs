//! No input hangs or exhausts the machine: traffic streams always advance and stop at the run's
//! end, absurd sizes are refused with located errors, and every run is admitted (its memory
//! estimated against what the machine has, or `--max-memory`) before it starts.

mod common;
use common::{counter_sum, dccsim, scratch};
use std::path::Path;
use std::process::Output;
use std::time::Duration;

/// A one-supplier scenario of `premises` premises over `duration` with one `[[traffic]]` stream
/// whose pattern is `pattern` (TOML key/values).
fn tiny(name: &str, premises: u32, duration: &str, pattern: &str) -> String {
    format!(
        "[scenario]\nname = \"{name}\"\nseed = 1\nduration = \"{duration}\"\n\n\
         [population]\npremises = {premises}\n\n\
         [[supplier]]\nname = \"alpha\"\nshare = 1.0\n\n\
         [[traffic]]\nsr = \"4.1.1\"\n{pattern}\n"
    )
}

/// Runs dccsim with `args`, killing it (and failing the test) if it takes longer than `limit`.
fn within(limit: Duration, args: &[&str]) -> Output {
    let child = common::spawn(env!("CARGO_BIN_EXE_dccsim"), args);
    common::finish(child, limit, &format!("dccsim {args:?}"))
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, text).unwrap();
    file.to_str().unwrap().to_string()
}

fn summary(out: &Path) -> serde_json::Value {
    common::summary(out)
}

#[test]
fn a_microsecond_daily_window_sends_once_a_day_and_finishes() {
    let dir = scratch("window-1us");
    let f = write(
        &dir,
        "w",
        &tiny(
            "w",
            1,
            "3d",
            "window = { start = \"01:00\", length = \"1us\" }",
        ),
    );
    let out = dir.join("out");
    let o = within(
        Duration::from_secs(60),
        &["run", &f, "--out", out.to_str().unwrap(), "-q"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // One premises, one slot a day, three days: three requests, not an endless burst.
    assert_eq!(counter_sum(&summary(&out), "sr.requested{"), 3);
}

#[test]
fn a_tiny_poisson_rate_stops_at_the_end_of_the_run() {
    let dir = scratch("poisson-tiny");
    // 1e-12 a day for 100 premises: the next arrival is ~10^10 days away; the search used to
    // step hour by hour towards it (and wrap the time counter below ~1e-12).
    for rate in ["1e-12", "1e-300"] {
        let f = write(
            &dir,
            "p",
            &tiny("p", 100, "1d", &format!("per_premises_per_day = {rate}")),
        );
        let out = dir.join(format!("out-{rate}"));
        let o = within(
            Duration::from_secs(60),
            &["run", &f, "--out", out.to_str().unwrap(), "-q"],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(counter_sum(&summary(&out), "sr.requested{"), 0);
    }
}

/// `run` and `validate` refuse `text` with exit 2, a message at `file:line:` and `words`.
fn refused(dir: &Path, name: &str, text: &str, line: usize, words: &[&str]) {
    let f = write(dir, name, text);
    let out = dir.join(format!("out-{name}"));
    for args in [
        vec!["run", &f, "--out", out.to_str().unwrap()],
        vec!["validate", &f],
    ] {
        let o = within(Duration::from_secs(60), &args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(&format!("{f}:{line}:")), "{args:?}: {err}");
        for w in words {
            assert!(err.contains(w), "{args:?}: no {w:?} in {err}");
        }
        assert!(!out.exists());
    }
}

#[test]
fn absurd_durations_rates_and_sample_intervals_are_located_errors() {
    let dir = scratch("absurd");
    let rate = "per_premises_per_day = 1.0";
    refused(
        &dir,
        "long",
        &tiny("long", 1, "9223372036854775808us", rate),
        4,
        &["`duration`", "100 years"],
    );
    refused(
        &dir,
        "years",
        &tiny("years", 1, "1000000d", rate),
        4,
        &["`duration`", "(100 years)"],
    );
    refused(
        &dir,
        "decade",
        &tiny("decade", 1, "3651d", rate),
        4,
        &["`duration`", "ten years"],
    );
    refused(
        &dir,
        "rate",
        &tiny(
            "rate",
            1,
            "1h",
            "per_premises_per_day = 9223372036854775807",
        ),
        15,
        &["`per_premises_per_day`", "one request a second"],
    );
    let sampled = tiny("sampled", 1, "1h", rate).replace(
        "duration = \"1h\"\n",
        "duration = \"1h\"\nsample_interval = \"1us\"\n",
    );
    refused(
        &dir,
        "sampled",
        &sampled,
        5,
        &["`sample_interval`", "once a second"],
    );
}

#[test]
fn a_run_too_big_for_the_memory_is_refused_before_it_starts() {
    let dir = scratch("too-big");
    // The documented maximum of premises is valid, but needs tens of GB: refused, not aborted.
    let f = write(
        &dir,
        "big",
        &tiny("big", 268_435_455, "1d", "per_premises_per_day = 1.0"),
    );
    let out = dir.join("out");
    for args in [
        vec![
            "run",
            &f,
            "--out",
            out.to_str().unwrap(),
            "--max-memory",
            "8G",
        ],
        vec!["validate", &f, "--max-memory", "8G"],
    ] {
        let o = within(Duration::from_secs(60), &args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("needs about"), "{err}");
        assert!(err.contains("more than the 8.0 GB --max-memory"), "{err}");
        assert!(!out.exists());
    }
    // Without --max-memory the machine's available memory is the limit (no machine running
    // these tests has the ~60 GB this needs).
    let o = within(Duration::from_secs(60), &["validate", &f]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("available memory"));
    // A small run is admitted, and validate prints the estimate of what it will take.
    let small = write(
        &dir,
        "small",
        &tiny("small", 100, "1d", "per_premises_per_day = 1.0"),
    );
    let o = dccsim(&["validate", &small, "--max-memory", "1G"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("estimate: "), "{text}");
    assert!(text.contains(" MB memory"), "{text}");
    assert!(text.contains("events"), "{text}");
    // A tiny limit refuses even the small one; a nonsense limit is bad input.
    let o = dccsim(&["validate", &small, "--max-memory", "1M"]);
    assert_eq!(o.status.code(), Some(2));
    let o = dccsim(&["validate", &small, "--max-memory", "lots"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--max-memory lots"));
}

#[test]
fn an_overloaded_dsp_counts_its_backlog_in_the_estimate() {
    let dir = scratch("backlog");
    // 100,000 premises sending once a second each to one DSP worker for ten years: the queue
    // would hold billions of requests.
    let text = tiny("flood", 100_000, "3650d", "per_premises_per_day = 86400")
        .replace("[[traffic]]", "[dsp]\nworkers = 1\n\n[[traffic]]");
    let f = write(&dir, "flood", &text);
    let o = dccsim(&["validate", &f]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("queue peak"), "{err}");
}

#[test]
fn a_phold_bench_too_big_is_refused() {
    let o = within(
        Duration::from_secs(60),
        &[
            "bench",
            "phold",
            "--lps",
            "4000000000",
            "--events-per-lp",
            "1",
            "--end",
            "1",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--lps 4000000000"));
    let o = within(
        Duration::from_secs(60),
        &[
            "bench",
            "phold",
            "--lps",
            "200000000",
            "--events-per-lp",
            "4000",
            "--end",
            "1",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("of memory"));
}

#[test]
fn a_sweep_range_with_a_tiny_step_says_how_many_values_briefly() {
    let o = dccsim(&[
        "sweep",
        "scenarios/capacity-sweep.toml",
        "--list",
        "--set",
        "sweep.parameter.1.values={from=0.0, to=1.0, step=1e-300}",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("about 1.0e300 values"), "{err}");
    assert!(!err.contains("0000000000"), "{err}");
}
