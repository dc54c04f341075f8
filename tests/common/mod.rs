//! Helpers shared by the integration tests: run the built binary, make scratch folders.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Runs `dccsim` with `args` from the repository root.
pub fn dccsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dccsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the dccsim binary runs")
}

/// A fresh, empty scratch folder unique to this test process and call.
pub fn scratch(name: &str) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "dccsim-test-{}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        name
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `text` as the scenario `<name>.toml` in a scratch folder and checks that `run` and
/// `validate` both refuse it: exit code 2, no panic, no output folder, and a message located at
/// `line:col` of the file that contains every text of `words`.
pub fn assert_refused_at(name: &str, text: &str, line: usize, col: usize, words: &[&str]) {
    let dir = scratch(name);
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, text).unwrap();
    let out = dir.join("out");
    let f = file.to_str().unwrap();
    for args in [
        vec!["run", f, "--out", out.to_str().unwrap()],
        vec!["validate", f],
    ] {
        let o = dccsim(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        let at = format!("{f}:{line}:{col}: ");
        assert!(stderr.contains(&at), "{args:?}: no {at:?} in {stderr}");
        for w in words {
            assert!(stderr.contains(w), "{args:?}: no {w:?} in {stderr}");
        }
        assert!(!out.exists(), "{args:?} left an output folder");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs a scenario into `out` and returns its parsed summary.json; panics with stderr on failure.
pub fn run_ok(scenario: &str, out: &Path, extra: &[&str]) -> serde_json::Value {
    let out_s = out.to_str().unwrap();
    let mut args = vec!["run", scenario, "--out", out_s, "--quiet"];
    args.extend_from_slice(extra);
    let o = dccsim(&args);
    assert!(
        o.status.success(),
        "dccsim {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    summary(out)
}

pub fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

/// Sum of the counters whose name starts with `prefix`.
pub fn counter_sum(summary: &serde_json::Value, prefix: &str) -> u64 {
    summary["counters"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum()
}

/// The quickstart scenario shrunk so a test run takes well under a second.
pub const SMALL: &[&str] = &["--set", "population.premises=3000"];

/// A HAN that never loses a message and reaches every premises (houses only, no background
/// traffic on either band): no request ends early with E21.
pub const LOSSLESS_HAN: &[&str] = &[
    "--set",
    "han.flat_share=0",
    "--set",
    "han.background=0",
    "--set",
    "han.background_868=0",
];

/// Every row of every table of a results store except `meta`, without the wall-clock column
/// `wall_seconds`, as sorted text lines: equal for stores holding the same results.
pub fn store_rows(store: &Path) -> Vec<String> {
    let conn =
        rusqlite::Connection::open_with_flags(store, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut rows = Vec::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
        let mut q = stmt.query([]).unwrap();
        while let Some(row) = q.next().unwrap() {
            let mut line = table.clone();
            for (i, name) in names.iter().enumerate() {
                if name != "wall_seconds" {
                    let v: rusqlite::types::Value = row.get(i).unwrap();
                    line.push_str(&format!("|{name}={v:?}"));
                }
            }
            rows.push(line);
        }
    }
    rows.sort();
    rows
}

/// The capacity-sweep scenario shrunk to 2 × 2 points × 2 replications of 200 premises (8 runs,
/// about a second in all): `dsp.workers` 1, 2 × `traffic.0.per_premises_per_day` 3.0, 30.0.
pub const TINY_SWEEP: &[&str] = &[
    "scenarios/capacity-sweep.toml",
    "--set",
    "population.premises=200",
    "--set",
    "sweep.replications=2",
    "--set",
    "sweep.parameter.1.values=[3.0, 30.0]",
];

/// Runs the tiny sweep into `store` (with `extra` arguments) and returns dccsim's output.
pub fn tiny_sweep(store: &Path, extra: &[&str]) -> Output {
    let mut a = vec!["sweep", "--store", store.to_str().unwrap(), "--quiet"];
    a.extend_from_slice(TINY_SWEEP);
    a.extend_from_slice(extra);
    dccsim(&a)
}

/// A counter of a run's summary; 0 when the run never counted it (counters appear on first use).
pub fn counter(s: &serde_json::Value, name: &str) -> u64 {
    s["counters"][name].as_u64().unwrap_or(0)
}

/// A gauge's value at the end of the run.
pub fn gauge_final(s: &serde_json::Value, name: &str) -> i64 {
    s["gauges_final"][name]
        .as_i64()
        .unwrap_or_else(|| panic!("no final gauge {name}"))
}

/// One figure of a latency flow in a run's summary, in microseconds (`p50_us`, `p99_us`, …).
pub fn latency_us(s: &serde_json::Value, flow: &str, figure: &str) -> u64 {
    s["latency"][flow][figure]
        .as_u64()
        .unwrap_or_else(|| panic!("no {figure} for {flow}"))
}

/// An end-of-run scalar.
pub fn scalar(s: &serde_json::Value, name: &str) -> f64 {
    s["scalars"][name]
        .as_f64()
        .unwrap_or_else(|| panic!("no scalar {name} in {}", s["scalars"]))
}

/// `(time_us, value)` samples of one series from a run's timeseries.csv. A name with several
/// labels contains commas and is quoted in the CSV; both forms are read.
pub fn series(out: &Path, name: &str) -> Vec<(u64, i64)> {
    let text = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let (t, rest) = line.split_once(',')?;
            let (series, v) = rest.rsplit_once(',')?;
            let series = series.trim_matches('"');
            (series == name).then_some((t.parse().ok()?, v.parse().ok()?))
        })
        .collect()
}

/// Checks that `validate` accepts `text` (the base scenario of a bad-input suite).
pub fn assert_valid(name: &str, text: &str) {
    let dir = scratch(name);
    let file = dir.join("valid.toml");
    std::fs::write(&file, text).unwrap();
    let o = dccsim(&["validate", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `valid` with `from` (which must occur in it) replaced by `to` is refused by `run` and
/// `validate` at `line:col` with every text of `words` (see [`assert_refused_at`]).
pub fn assert_edit_refused(
    valid: &str,
    name: &str,
    edit: (&str, &str),
    (line, col): (usize, usize),
    words: &[&str],
) {
    let (from, to) = edit;
    assert!(
        valid.contains(from),
        "{from:?} is not in the valid scenario"
    );
    assert_refused_at(name, &valid.replacen(from, to, 1), line, col, words);
}

/// `valid` with `from` (once in it) replaced by `to` is refused at the first character of `at`
/// (which must occur once in the changed text) with every text of `words`.
pub fn assert_edit_refused_where(
    valid: &str,
    name: &str,
    edit: (&str, &str),
    at: &str,
    words: &[&str],
) {
    let (from, to) = edit;
    assert_eq!(
        valid.matches(from).count(),
        1,
        "{from:?} is not once in VALID"
    );
    let text = valid.replacen(from, to, 1);
    assert_eq!(
        text.matches(at).count(),
        1,
        "{at:?} is not once in the case"
    );
    let offset = text.find(at).unwrap();
    let line = text[..offset].matches('\n').count() + 1;
    let col = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;
    assert_refused_at(name, &text, line, col, words);
}

/// Starts `program` with `args` from the repository root, its output captured.
pub fn spawn(program: &str, args: &[&str]) -> Child {
    Command::new(program)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for `child`, killing it (and failing: `what` hangs) after `limit`.
pub fn finish(mut child: Child, limit: Duration, what: &str) -> Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} still running after {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}
