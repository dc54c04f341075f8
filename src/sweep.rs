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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(jobs + 1)
        .enable_all()
        .build()
        .map_err(|e| CliError::Internal(format!("cannot start the sweep runtime: {e}")))?;
    let progress = crate::progress::wanted(args.quiet);
    let tally = runtime.block_on(supervise(&plan, todo, store, jobs, progress))?;
    let missed = if tally.expectations_failed > 0 {
        format!(
            " ({} ok runs missed [[expect]] thresholds: see the `expectations` table)",
            tally.expectations_failed
        )
    } else {
        String::new()
    };
    println!(
        "{} ok / {} failed / {} skipped{}; results in {}{missed}",
        tally.ok,
        tally.failed,
        skip.len(),
        if tally.not_run > 0 {
            format!(
                " / {} not run (interrupted; rerun to resume)",
                tally.not_run
            )
        } else {
            String::new()
        },
        path.display()
    );
    // Expectations missed at some sweep points are findings recorded in the store, not errors.
    if tally.not_run > 0 {
        Ok(ExitCode::from(INTERRUPTED))
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

#[derive(Default)]
struct Tally {
    ok: usize,
    failed: usize,
    expectations_failed: usize,
    not_run: usize,
}

async fn supervise(
    plan: &Plan,
    todo: Vec<SweepRun>,
    mut store: Store,
    jobs: usize,
    show_progress: bool,
) -> Result<Tally, CliError> {
    let total = todo.len();
    let progress = crate::progress::runs(total, show_progress);
    let (records, mut inbox) = mpsc::channel::<RunRecord>(jobs * 2);

    // The single writer: records runs one transaction each, in the order they finish.
    let writer = tokio::task::spawn_blocking({
        let progress = progress.clone();
        move || -> Result<Tally, CliError> {
            let mut tally = Tally::default();
            while let Some(rec) = inbox.blocking_recv() {
                store.record(&rec)?;
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
            Ok(tally)
        }
    });

    // The worker pool: at most `jobs` runs at once, each on the blocking pool.
    let pool = Arc::new(Semaphore::new(jobs));
    let mut handed = 0;
    let mut interrupt = Box::pin(tokio::signal::ctrl_c());
    for run in todo {
        if writer.is_finished() {
            break; // The store writer failed: its error is reported below.
        }
        let permit = tokio::select! {
            permit = pool.clone().acquire_owned() => permit.expect("the pool is never closed"),
            _ = &mut interrupt => {
                eprintln!("\ninterrupted: waiting for the running runs to be recorded \
                           (Ctrl-C again to leave at once; the store stays intact)");
                tokio::spawn(async {
                    let _ = tokio::signal::ctrl_c().await;
                    std::process::exit(i32::from(INTERRUPTED));
                });
                break;
            }
        };
        handed += 1;
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
    let tally = writer
        .await
        .map_err(|e| CliError::Internal(format!("the store writer stopped: {e}")))?;
    progress.finish_and_clear();
    let mut tally = tally?;
    tally.not_run = total - handed;
    Ok(tally)
}

/// Runs one point of the sweep with its seed; a failure (an invalid point, a panic) is
/// recorded rather than stopping the sweep.
fn execute(base: &Scenario, point: &SweepPoint, run: &SweepRun, origin: &str) -> RunRecord {
    let started = Instant::now();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let scenario = scenario::sweep_run_scenario(base, point, run.seed, origin)
            .map_err(|e| e.to_string())?;
        let done = crate::run::simulate(&scenario, &[], true, false);
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
