//! A mutation fuzz of the scenario library, in-process: each case takes a library scenario,
//! drops, duplicates or renames keys, replaces values by extreme numbers, wrong units and wrong
//! types, and adds `--set` overrides of the same kinds. For every case:
//! - loading never panics;
//! - a refusal is a located error (`file:line:col: …` or `--set KEY=VALUE: …`);
//! - an accepted scenario has a finite, non-negative admission estimate;
//! - some accepted tiny scenarios are simulated to the end in a thread with a wall-clock cap, and
//!   must neither panic nor hang (all of them in the default suite, one in [`LONG_RUN_EVERY`] in
//!   the long mode).
//!
//! The default suite runs [`BOUNDED_CASES`] cases. The long mode (README, "Fuzzing"):
//! `DCCSIM_FUZZ_CASES=1000000 cargo test --release --test fuzz -- --ignored` (and
//! `DCCSIM_FUZZ_SEED=N` for another sequence of cases).

use dccsim_actors::scenario::{self, footprint, Scenario};
use dccsim_actors::GbWorld;
use dccsim_sim::SimTime;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Cases of the default suite (a few seconds in a debug build).
const BOUNDED_CASES: u32 = 300;
/// Wall-clock limit of one simulated case: a run this small takes milliseconds.
const RUN_LIMIT: Duration = Duration::from_secs(60);
/// Largest estimated event count of a case that is also simulated.
const RUN_EVENTS: f64 = 30_000.0;
/// In the long mode, one in this many tiny accepted cases is simulated (all in the default
/// suite): simulations are most of a case's time, and a million cases must end in minutes.
const LONG_RUN_EVERY: u64 = 16;

/// Values that break things: extreme and negative numbers, zero, wrong units, wrong types.
const VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "0.5",
    "1e-12",
    "1e-300",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "86400",
    "86401",
    "268435455",
    "268435456",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "true",
    "[]",
    "[1, 2]",
    "{}",
    "\"\"",
    "\"abc\"",
    "\"0us\"",
    "\"1us\"",
    "\"2us\"",
    "\"1s\"",
    "\"1h\"",
    "\"24h\"",
    "\"25h\"",
    "\"3650d\"",
    "\"3651d\"",
    "\"36500d\"",
    "\"1000000d\"",
    "\"9223372036854775808us\"",
    "\"99999999999999999999d\"",
    "\"-5s\"",
    "\"30\"",
    "\"30 weeks\"",
    "\"1.5\"",
    "\"00:00\"",
    "\"23:59\"",
    "\"24:00\"",
    "\"2026-02-30\"",
    "\"esme\"",
    "\"4.1.1\"",
    "{ start = \"01:00\", length = \"1us\" }",
    "{ dist = \"exp\", mean = \"0us\" }",
    "{ dist = \"lognormal\", median = \"1us\", sigma = 1e308 }",
];

/// Keys `--set` overrides pick from (besides those of the document's own lines).
const SET_KEYS: &[&str] = &[
    "scenario.duration",
    "scenario.sample_interval",
    "scenario.seed",
    "scenario.start_date",
    "population.premises",
    "population.gas_share",
    "dsp.workers",
    "dsp.service_time",
    "traffic.0.per_premises_per_day",
    "traffic.0.window",
    "traffic.0.hourly",
    "traffic.1.window.length",
    "han.flat_share",
    "csp.north.workers",
    "sweep.replications",
    "install.0.premises_per_day",
    "nonsense.key",
];

/// One change to a scenario document.
#[derive(Clone, Debug)]
enum Mutation {
    /// Remove the line (a key or a header).
    Drop(usize),
    /// Write the line twice (a duplicate key or table).
    Duplicate(usize),
    /// Misspell the line's key.
    Rename(usize),
    /// Replace the line's value.
    Replace(usize, &'static str),
    /// Add `--set KEY=VALUE`.
    Set(&'static str, &'static str),
}

/// A case: a library scenario, made tiny or not, and its mutations.
#[derive(Clone, Debug)]
struct Case {
    scenario: usize,
    /// Shrink it (few premises, a short run) first, so that it may be simulated.
    tiny: Option<(u32, &'static str)>,
    mutations: Vec<Mutation>,
}

fn library() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

fn case(scenarios: usize) -> impl Strategy<Value = Case> {
    let line = 0usize..400;
    let value = proptest::sample::select(VALUES);
    let mutation = prop_oneof![
        1 => line.clone().prop_map(Mutation::Drop),
        1 => line.clone().prop_map(Mutation::Duplicate),
        1 => line.clone().prop_map(Mutation::Rename),
        3 => (line, value.clone()).prop_map(|(l, v)| Mutation::Replace(l, v)),
        2 => (proptest::sample::select(SET_KEYS), value).prop_map(|(k, v)| Mutation::Set(k, v)),
    ];
    let tiny = proptest::option::weighted(
        0.5,
        (
            1u32..40,
            proptest::sample::select(&["1h", "2h", "6h", "1d"][..]),
        ),
    );
    (
        0..scenarios,
        tiny,
        proptest::collection::vec(mutation, 0..4),
    )
        .prop_map(|(scenario, tiny, mutations)| Case {
            scenario,
            tiny,
            mutations,
        })
}

/// The lines of `text` that set a key (`key = value` on one line).
fn key_lines(lines: &[String]) -> Vec<usize> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start();
            !t.starts_with('#') && !t.starts_with('[') && t.contains(" = ")
        })
        .map(|(i, _)| i)
        .collect()
}

/// The document and overrides of `case`.
fn build(case: &Case, text: &str) -> (String, Vec<String>) {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut sets = Vec::new();
    if let Some((premises, duration)) = case.tiny {
        sets.push(format!("population.premises={premises}"));
        sets.push(format!("scenario.duration=\"{duration}\""));
    }
    for m in &case.mutations {
        let keys = key_lines(&lines);
        let pick = |i: usize| keys.get(i % keys.len().max(1)).copied();
        match *m {
            Mutation::Drop(i) if !lines.is_empty() => {
                lines.remove(i % lines.len());
            }
            Mutation::Duplicate(i) if !lines.is_empty() => {
                let l = lines[i % lines.len()].clone();
                lines.insert(i % lines.len(), l);
            }
            Mutation::Rename(i) => {
                if let Some(at) = pick(i) {
                    lines[at] = lines[at].replacen(" = ", "x = ", 1);
                }
            }
            Mutation::Replace(i, v) => {
                if let Some(at) = pick(i) {
                    let key = lines[at].split(" = ").next().unwrap_or("").to_string();
                    lines[at] = format!("{key} = {v}");
                }
            }
            Mutation::Set(k, v) => sets.push(format!("{k}={v}")),
            _ => {}
        }
    }
    let mut doc = lines.join("\n");
    doc.push('\n');
    (doc, sets)
}

/// Whether a refusal says where: `ORIGIN:LINE:COL: …`, `ORIGIN: …` or `--set …: …`.
fn located(message: &str, origin: &str) -> bool {
    if message.starts_with("--set ") {
        return true;
    }
    let Some(rest) = message
        .strip_prefix(origin)
        .and_then(|r| r.strip_prefix(':'))
    else {
        return false;
    };
    let mut parts = rest.splitn(3, ':');
    let (line, col) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    line.parse::<usize>().is_ok_and(|n| n > 0) && col.parse::<usize>().is_ok_and(|n| n > 0)
}

/// Simulates `s` to its end in a thread; an error if it panics or passes `RUN_LIMIT`.
fn simulate(s: Scenario) -> Result<(), String> {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let end = SimTime(s.duration.as_micros());
            let (mut kernel, mut world) = GbWorld::build(&s);
            kernel.run(&mut world, end, &mut |_, _| {});
            world.finish(&mut kernel, end);
        }));
        let _ = done.send(outcome.is_ok());
    });
    match finished.recv_timeout(RUN_LIMIT) {
        Ok(true) => Ok(()),
        Ok(false) => Err("the run panicked".to_string()),
        Err(_) => Err(format!("the run did not finish within {RUN_LIMIT:?}")),
    }
}

/// What the cases did, for the summary line.
#[derive(Default, Debug)]
struct Counts {
    cases: u64,
    refused: u64,
    accepted: u64,
    /// Accepted tiny cases that may be simulated.
    eligible: u64,
    simulated: u64,
}

fn fuzz(cases: u32, run_every: u64) -> Counts {
    let library = library();
    let seed: u64 = std::env::var("DCCSIM_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(17);
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &key));
    let counts = std::cell::RefCell::new(Counts::default());
    // Panics are expected to be caught and reported as failures; keep their noise out.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = runner.run(&case(library.len()), |case| {
        let (name, text) = &library[case.scenario];
        let (doc, sets) = build(&case, text);
        let origin = format!("fuzz-{name}");
        let loaded = std::panic::catch_unwind(|| scenario::parse(&doc, &origin, &sets))
            .map_err(|_| TestCaseError::fail(format!("loading panicked\n{doc}\n{sets:?}")))?;
        let mut c = counts.borrow_mut();
        c.cases += 1;
        match loaded {
            Err(e) => {
                c.refused += 1;
                let message = e.to_string();
                prop_assert!(
                    located(&message, &origin),
                    "not located: {message}\n{sets:?}"
                );
            }
            Ok(s) => {
                c.accepted += 1;
                let f = footprint::estimate(&s);
                for (what, x) in [
                    ("bytes", f.bytes()),
                    ("events", f.events),
                    ("queue", f.queue_peak),
                    ("samples", f.samples),
                ] {
                    prop_assert!(x.is_finite() && x >= 0.0, "{what} = {x}\n{doc}\n{sets:?}");
                }
                let eligible = case.tiny.is_some() && f.events <= RUN_EVENTS && f.bytes() < 500e6;
                if eligible {
                    c.eligible += 1;
                }
                if eligible && c.eligible % run_every == 0 {
                    c.simulated += 1;
                    drop(c);
                    simulate(s)
                        .map_err(|e| TestCaseError::fail(format!("{e}\n{doc}\n{sets:?}")))?;
                }
            }
        }
        Ok(())
    });
    std::panic::set_hook(hook);
    if let Err(e) = result {
        panic!("{e}");
    }
    counts.into_inner()
}

fn cases(default: u32) -> u32 {
    std::env::var("DCCSIM_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

#[test]
fn mutated_library_scenarios_are_refused_where_wrong_or_admitted_and_run() {
    let started = Instant::now();
    let c = fuzz(BOUNDED_CASES, 1);
    eprintln!("fuzz: {c:?} in {:.1} s", started.elapsed().as_secs_f64());
    // The mutations must reach both sides: otherwise the harness tests nothing.
    assert!(c.refused > 0 && c.accepted > 0 && c.simulated > 0, "{c:?}");
}

/// The long mode: `DCCSIM_FUZZ_CASES` cases (a million by default).
#[test]
#[ignore = "long: run with --ignored, in release"]
fn fuzz_long() {
    let started = Instant::now();
    let c = fuzz(cases(1_000_000), LONG_RUN_EVERY);
    eprintln!("fuzz: {c:?} in {:.1} s", started.elapsed().as_secs_f64());
}
