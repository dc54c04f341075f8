//! `dccsim sweep`: every run of a scenario's `[sweep]` into a results store.
//!
//! Orchestration is a few tokio tasks: the supervisor hands runs to a pool of at most `--jobs`
//! workers (each run is CPU work on the blocking pool), a single store writer records each
//! finished run in its own transaction, and a progress bar shows runs done/total and ETA on a
//! terminal. Ctrl-C stops handing out runs and waits for the running ones to be recorded (a
//! second Ctrl-C leaves at once; the store stays intact either way). A rerun skips the runs the
//! store already holds as complete, so an interrupted or killed sweep resumes where it stopped.

use crate::cli::SweepArgs;
use crate::error::CliError;
use crate::store::{Identity, RunData, RunRecord, Store};
use dccsim_actors::scenario::{self, Scenario, SweepPoint, SweepRun};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, Semaphore};

/// Exit code of a sweep stopped by Ctrl-C (128 + SIGINT, as shells report it).
const INTERRUPTED: u8 = 130;

/// `I/N`: this process takes runs I, I+N, I+2N, … (0 ≤ I < N).
fn parse_shard(text: &str) -> Result<(usize, usize), CliError> {
    let bad = || {
        CliError::BadInput(format!(
            "--shard {text}: write I/N with 0 ≤ I < N, e.g. --shard 0/4 … --shard 3/4"
        ))
    };
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

/// A key path compared as written, less quotes and spaces: `trt."4.1.1"` and `trt.4.1.1` match.
fn key_path(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '"' && *c != '\'' && !c.is_whitespace())
        .collect()
}

/// `--set` of a key the sweep sweeps (or of a table holding it, or of a key inside it) would be
/// silently overridden at every point: refuse it, naming the key.
fn refuse_sets_of_swept_keys(sets: &[String], sweep: &scenario::Sweep) -> Result<(), CliError> {
    for set in sets {
        let Some((key, _)) = set.split_once('=') else {
            continue;
        };
        let key = key_path(key);
        for p in &sweep.parameters {
            let swept = key_path(&p.key);
            let overlaps = key == swept
                || swept.starts_with(&format!("{key}."))
                || key.starts_with(&format!("{swept}."));
            if overlaps {
                return Err(CliError::BadInput(format!(
                    "--set {set}: the sweep itself sets {} at every point, so this override \
                     would be ignored; change the sweep's values instead (e.g. --set \
                     'sweep.parameter.N.values=[...]') or run one point with `dccsim run`",
                    p.key
                )));
            }
        }
    }
    Ok(())
}

/// The identity of a sweep, which its results store records: the SHA-256 of the resolved
/// scenario's values (comments and layout do not count) without its `[sweep]` section and without
/// the swept keys' own values, plus the list of swept keys. So editing a comment keeps the store,
/// raising `replications` or adding values to a parameter extends it, and changing anything a run
/// depends on outside the swept values (another premises count, another seed, another swept key)
/// makes it another sweep.
fn sweep_identity(base: &Scenario, sweep: &scenario::Sweep) -> String {
    let mut values = dccsim_reports::resolved_parameters(&base.resolved_toml);
    if let Some(table) = values.as_object_mut() {
        table.remove("sweep");
    }
    let mut swept: Vec<String> = sweep.parameters.iter().map(|p| key_path(&p.key)).collect();
    for p in &sweep.parameters {
        remove_key(&mut values, &p.key);
    }
    swept.sort();
    let doc = serde_json::json!({ "scenario": values, "swept": swept });
    dccsim_reports::scenario_hash(&doc.to_string())
}

/// Removes the value at a `--set` key path (`a.b`, `list.0.c`, `trt."4.1.1"`), if present.
fn remove_key(value: &mut serde_json::Value, key: &str) {
    let mut parts = Vec::new();
    let (mut part, mut quoted) = (String::new(), false);
    for c in key.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut part)),
            c if c.is_whitespace() && !quoted => {}
            c => part.push(c),
        }
    }
    parts.push(part);
    let (last, path) = parts.split_last().expect("split gives one part");
    let mut at = value;
    for p in path {
        let next = match at {
            serde_json::Value::Object(m) => m.get_mut(p),
            serde_json::Value::Array(a) => p.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            _ => None,
        };
        match next {
            Some(n) => at = n,
            None => return,
        }
    }
    match at {
        serde_json::Value::Object(m) => {
            m.remove(last);
        }
        serde_json::Value::Array(a) => {
            if let Some(v) = last.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                *v = serde_json::Value::Null;
            }
        }
        _ => {}
    }
}

/// What a sweep will do.
struct Plan {
    base: Arc<Scenario>,
    origin: String,
    points: Arc<Vec<SweepPoint>>,
    /// The runs of this shard.
    runs: Vec<SweepRun>,
}

fn plan(args: &SweepArgs) -> Result<Plan, CliError> {
    let base = crate::run::load(&args.scenario, &args.sets, None)?;
    let Some(sweep) = &base.sweep else {
        return Err(CliError::BadInput(format!(
            "{}: the scenario has no [sweep] section; add one (see the README) or use \
             `dccsim run`",
            args.scenario.display()
        )));
    };
    refuse_sets_of_swept_keys(&args.sets, sweep)?;
    let mut runs = sweep.runs(base.seed);
    if let Some(shard) = &args.shard {
        let (i, n) = parse_shard(shard)?;
        runs.retain(|r| r.index % n == i);
    }
    Ok(Plan {
        points: Arc::new(sweep.points()),
        origin: args.scenario.display().to_string(),
        base: Arc::new(base),
        runs,
    })
}

pub fn sweep(args: &SweepArgs) -> Result<ExitCode, CliError> {
    let plan = plan(args)?;
    if args.list {
        println!("run\tpoint\treplication\tseed\tparameters");
        for r in &plan.runs {
            println!(
                "{}\t{}\t{}\t{}\t{}",
                r.index,
                r.point,
                r.replication,
                r.seed,
                plan.points[r.point].label()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.jobs == Some(0) {
        return Err(CliError::BadInput("--jobs must be at least 1".to_string()));
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(jobs + 1)
        .enable_all()
        .build()
        .map_err(|e| CliError::Internal(format!("cannot start the sweep runtime: {e}")))?;
    // From here on Ctrl-C (and SIGTERM) is caught, whatever phase the sweep is in.
    let mut signals = {
        let _inside = runtime.enter();
        Signals::new()?
    };
    let limit = crate::budget::limit(args.max_memory.as_deref())?;
    admit(&plan, jobs.min(plan.runs.len()).max(1), limit, args.quiet)?;
    let path = args
        .store
        .clone()
        .unwrap_or_else(|| PathBuf::from("runs").join(format!("{}-sweep.sqlite", plan.base.name)));
    let sweep = plan
        .base
        .sweep
        .as_ref()
        .expect("plan() checked the [sweep]");
    let identity = Identity {
        scenario: plan.base.name.clone(),
        scenario_hash: sweep_identity(&plan.base, sweep),
    };
    let mut store = Store::open(&path, &identity)?;
    store.align(&sweep.runs(plan.base.seed), &plan.points)?;
    let done = store.completed()?;
    let (skip, todo): (Vec<SweepRun>, Vec<SweepRun>) = plan
        .runs
        .iter()
        .cloned()
        .partition(|r| done.contains(&r.index));
    let progress = crate::progress::wanted(args.quiet);
    let tally = runtime.block_on(supervise(&plan, todo, store, jobs, progress, &mut signals))?;
    let missed = if tally.expectations_failed > 0 {
        format!(
            " ({} ok runs missed [[expect]] thresholds: see the `expectations` table)",
            tally.expectations_failed
        )
    } else {
        String::new()
    };
    let line = format!(
        "{} ok / {} failed / {} skipped{}; results in {}{missed}",
        tally.ok,
        tally.failed,
        skip.len(),
        if tally.not_run > 0 {
            format!(" / {} not run ({})", tally.not_run, tally.why_not_run())
        } else {
            String::new()
        },
        path.display()
    );
    if let Some(e) = tally.store_error {
        // The store could not record a run (a full disk, an I/O error): what is in it stays.
        return Err(CliError::Io(format!("{e}; {line}")));
    }
    println!("{line}");
    // Expectations missed at some sweep points are findings recorded in the store, not errors.
    if let Some(code) = tally.interrupted {
        Ok(ExitCode::from(code))
    } else if tally.failed > 0 {
        Err(CliError::Internal(format!(
            "{} runs failed; their errors are in the `runs` table of {}",
            tally.failed,
            path.display()
        )))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// Refuses a sweep whose biggest point, held `at_once` times (the runs going at the same time),
/// needs more memory than the limit. Sweeps of up to [`ADMIT_POINTS`] points are estimated at
/// every point, bigger ones at that many points spread evenly over them (and the last).
fn admit(
    plan: &Plan,
    at_once: usize,
    limit: Option<(f64, &'static str)>,
    quiet: bool,
) -> Result<(), CliError> {
    let n = plan.points.len();
    let step = n.div_ceil(ADMIT_POINTS).max(1);
    let mut biggest: Option<dccsim_actors::scenario::footprint::Footprint> = None;
    for point in plan.points.iter().step_by(step).chain(plan.points.last()) {
        // A point that does not load is recorded as a failed run; it needs no memory.
        let Ok(s) = scenario::sweep_run_scenario(&plan.base, point, plan.base.seed, &plan.origin)
        else {
            continue;
        };
        let f = crate::budget::admit(&s, at_once, limit).map_err(|e| match e {
            CliError::BadInput(m) => CliError::BadInput(format!(
                "sweep point {} ({}): {m}",
                point.index,
                point.label()
            )),
            other => other,
        })?;
        if biggest.as_ref().is_none_or(|b| f.bytes() > b.bytes()) {
            biggest = Some(f);
        }
    }
    if let (Some(f), false) = (biggest, quiet) {
        eprintln!("{} (biggest point)", crate::budget::describe(&f, at_once));
    }
    Ok(())
}

/// Most sweep points whose memory is estimated before a sweep starts.
const ADMIT_POINTS: usize = 1_000;

/// SIGINT and SIGTERM, caught from the start of a sweep.
struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers (inside the runtime).
    fn new() -> Result<Signals, CliError> {
        use tokio::signal::unix::{signal, SignalKind};
        let fail = |e: std::io::Error| CliError::Internal(format!("cannot catch signals: {e}"));
        Ok(Signals {
            int: signal(SignalKind::interrupt()).map_err(fail)?,
            term: signal(SignalKind::terminate()).map_err(fail)?,
        })
    }

    /// The exit code of the next signal: 130 for SIGINT, 143 for SIGTERM.
    async fn next(&mut self) -> u8 {
        tokio::select! {
            _ = self.int.recv() => INTERRUPTED,
            _ = self.term.recv() => TERMINATED,
        }
    }
}

/// Exit code of a sweep stopped by SIGTERM (128 + 15).
const TERMINATED: u8 = 143;

#[derive(Default)]
struct Tally {
    ok: usize,
    failed: usize,
    expectations_failed: usize,
    not_run: usize,
    /// The exit code of the signal that stopped the sweep, if one did.
    interrupted: Option<u8>,
    /// Why the store could not record a run, if it could not.
    store_error: Option<CliError>,
}

impl Tally {
    fn why_not_run(&self) -> &'static str {
        if self.store_error.is_some() {
            "the store could not record them; rerun to resume"
        } else {
            "interrupted; rerun to resume"
        }
    }
}

/// Tells the person a signal was caught, and makes the next one leave at once.
fn on_first_signal(code: u8) {
    eprintln!(
        "\ninterrupted: waiting for the running runs to be recorded (Ctrl-C again to leave at \
         once; the store stays intact)"
    );
    tokio::spawn(async move {
        if let Ok(mut again) = Signals::new() {
            again.next().await;
        }
        std::process::exit(i32::from(code));
    });
}

async fn supervise(
    plan: &Plan,
    todo: Vec<SweepRun>,
    mut store: Store,
    jobs: usize,
    show_progress: bool,
    signals: &mut Signals,
) -> Result<Tally, CliError> {
    let total = todo.len();
    let progress = crate::progress::runs(total, show_progress);
    let (records, mut inbox) = mpsc::channel::<RunRecord>(jobs * 2);

    // The single writer: records runs one transaction each, in the order they finish; it stops
    // at the first run the store cannot record (the tally says what is in the store).
    let mut writer = tokio::task::spawn_blocking({
        let progress = progress.clone();
        move || -> Tally {
            let mut tally = Tally::default();
            while let Some(rec) = inbox.blocking_recv() {
                if let Err(e) = store.record(&rec) {
                    tally.store_error = Some(e);
                    break;
                }
                match &rec.outcome {
                    Ok(d) => {
                        tally.ok += 1;
                        if d.expectations.iter().any(|e| !e.passed) {
                            tally.expectations_failed += 1;
                        }
                    }
                    Err(e) => {
                        tally.failed += 1;
                        progress.suspend(|| eprintln!("run {} failed: {e}", rec.run.index));
                    }
                }
                progress.inc(1);
            }
            tally
        }
    });

    // The worker pool: at most `jobs` runs at once, each on the blocking pool.
    let pool = Arc::new(Semaphore::new(jobs));
    let mut interrupted = None;
    for run in todo {
        if writer.is_finished() {
            break; // The store writer stopped: its error is reported below.
        }
        let permit = tokio::select! {
            permit = pool.clone().acquire_owned() => permit.expect("the pool is never closed"),
            code = signals.next() => {
                on_first_signal(code);
                interrupted = Some(code);
                break;
            }
        };
        let (base, points, origin, records) = (
            plan.base.clone(),
            plan.points.clone(),
            plan.origin.clone(),
            records.clone(),
        );
        tokio::task::spawn_blocking(move || {
            let rec = execute(&base, &points[run.point], &run, &origin);
            let _ = records.blocking_send(rec);
            drop(permit);
        });
    }
    drop(records);
    // Every run is handed out: a signal now still stops the sweep once the running ones are in.
    let tally = loop {
        tokio::select! {
            tally = &mut writer => break tally,
            code = signals.next(), if interrupted.is_none() => {
                on_first_signal(code);
                interrupted = Some(code);
            }
        }
    };
    let mut tally =
        tally.map_err(|e| CliError::Internal(format!("the store writer stopped: {e}")))?;
    progress.finish_and_clear();
    tally.not_run = total - tally.ok - tally.failed;
    tally.interrupted = interrupted;
    Ok(tally)
}

/// Runs one point of the sweep with its seed; a failure (an invalid point, a panic) is
/// recorded rather than stopping the sweep.
fn execute(base: &Scenario, point: &SweepPoint, run: &SweepRun, origin: &str) -> RunRecord {
    let started = Instant::now();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let scenario = scenario::sweep_run_scenario(base, point, run.seed, origin)
            .map_err(|e| e.to_string())?;
        let done = crate::run::simulate(
            &scenario,
            &[],
            true,
            false,
            // Runs go --jobs at a time already: one thread each.
            dccsim_actors::build_threads::BuildThreads::new(1),
        );
        let results = done.results(&scenario);
        let summary = dccsim_reports::summary_json(&results);
        let summary = serde_json::from_str(&summary.json).map_err(|e| e.to_string())?;
        Ok(RunData {
            summary,
            series: series(&done.kernel.metrics),
            expectations: done.expectations.clone(),
        })
    }))
    .unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("a panic");
        Err(format!("internal error: {what}"))
    });
    RunRecord {
        run: run.clone(),
        point_label: point.label(),
        parameters: point.assignments.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        wall_seconds: started.elapsed().as_secs_f64(),
        outcome,
    }
}

/// Every gauge sample as `(name, time_us, value)`.
fn series(m: &dccsim_sim::Metrics) -> Vec<(String, u64, i64)> {
    let s = m.series();
    let mut out = Vec::new();
    for (name, values) in m.gauge_names().iter().zip(&s.values) {
        for (t, v) in s.times.iter().zip(values) {
            out.push((name.clone(), *t, *v));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_checked() {
        assert_eq!(parse_shard("0/4").unwrap(), (0, 4));
        assert_eq!(parse_shard("3/4").unwrap(), (3, 4));
        assert!(parse_shard("4/4").is_err());
        assert!(parse_shard("1/0").is_err());
        assert!(parse_shard("x").is_err());
        assert!(parse_shard("-1/3").is_err());
    }
}
