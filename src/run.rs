//! `dccsim run` and `dccsim validate`: load a scenario, build the GB world, simulate, write outputs.
//!
//! [`simulate`] is the single-run pipeline; `run` and the sweep workers both call it, so a run in
//! a sweep has the same results and digest as the same scenario run alone.

use crate::cli::RunArgs;
use crate::error::CliError;
use crate::progress::Progress;
use dccsim_actors::build_threads::BuildThreads;
use dccsim_actors::msg::Msg;
use dccsim_actors::scenario::{self, Scenario};
use dccsim_actors::GbWorld;
use dccsim_reports::{ExpectationOutcome, RunManifest, RunResults};
use dccsim_sim::windows::timely::{self, Cluster};
use dccsim_sim::{Kernel, RunStats, SimTime};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Loads a scenario with the command line's overrides; `--seed` is one more override, so the
/// resolved scenario (and its hash in the manifest) says which seed ran.
pub(crate) fn load(path: &Path, sets: &[String], seed: Option<u64>) -> Result<Scenario, CliError> {
    let mut all = sets.to_vec();
    if let Some(seed) = seed {
        all.push(format!("scenario.seed={seed}"));
    }
    scenario::load(path, &all).map_err(|e| CliError::BadInput(e.to_string()))
}

/// A finished simulation: the kernel (with its metrics), the world, and its expectations checked.
pub struct Finished {
    pub kernel: Kernel<Msg>,
    pub world: GbWorld,
    pub stats: RunStats,
    pub end: SimTime,
    pub wall_seconds: f64,
    pub expectations: Vec<ExpectationOutcome>,
}

impl Finished {
    /// The simulated results, ready for the reports crate.
    pub fn results<'a>(&'a self, scenario: &'a Scenario) -> RunResults<'a> {
        RunResults {
            expectations: &self.expectations,
            scenario: &scenario.name,
            seed: scenario.seed,
            events: self.stats.events,
            sim_end_us: self.end.as_micros(),
            in_flight_at_end: self.world.in_flight(&self.kernel),
            metrics: &self.kernel.metrics,
            explain_code: crate::report_run::explain_code,
        }
    }

    /// Whether every expectation held.
    pub fn expectations_met(&self) -> bool {
        self.expectations.iter().all(|e| e.passed)
    }
}

/// Builds the world of `scenario`, simulates it to its end, settles it and checks its
/// expectations (the scenario's own plus `extra`). `quiet` hides the progress line.
/// `intervals`: also log the end-to-end flows interval by interval (between gauge samples), for
/// the run's `.hlog` files and its latency-over-time charts; no result depends on it.
/// `threads` build the world's per-premises tables; no result depends on them either.
pub fn simulate(
    scenario: &Scenario,
    extra: &[scenario::Expectation],
    quiet: bool,
    intervals: bool,
    threads: BuildThreads,
) -> Finished {
    simulate_partitioned(scenario, extra, quiet, intervals, threads, 1, None)
        .expect("one partition needs no lookahead")
        .expect("one process holds the end")
}

/// [`simulate`] with the world placed over `workers` partitions that run side by side, one
/// thread each (`dccsim_sim::windows`), or, given a `cluster`, over `workers` partitions in each
/// of its processes, on timely (`dccsim_sim::windows::timely`): refused (exit 2) when a link
/// between partitions has no lookahead; the results are those of one worker. In a cluster only
/// process 0 gets them (the others `None`), with every partition's end state shipped to it.
pub fn simulate_partitioned(
    scenario: &Scenario,
    extra: &[scenario::Expectation],
    quiet: bool,
    intervals: bool,
    threads: BuildThreads,
    workers: u32,
    cluster: Option<Cluster>,
) -> Result<Option<Finished>, CliError> {
    let end = SimTime(scenario.duration.as_micros());
    let mut progress = Progress::new(end, quiet);
    let building = std::time::Instant::now();
    let (mut kernel, mut world) = GbWorld::build_on(scenario, threads);
    let build_seconds = building.elapsed().as_secs_f64();
    let log_intervals = |kernel: &mut Kernel<Msg>| {
        if intervals {
            kernel
                .metrics
                .log_intervals(|name| name.starts_with("sr.e2e{"));
        }
    };
    log_intervals(&mut kernel);
    let (processes, process) = cluster
        .as_ref()
        .map_or((1, 0), |c| (c.processes as u32, c.process as u32));
    let stats = if workers > 1 || processes > 1 {
        let parts = workers * processes;
        let partitioning = world.partitioning(parts).map_err(CliError::BadInput)?;
        let lookahead = partitioning.lookahead();
        tracing::info!(workers, processes, %lookahead, "building the other partitions");
        // Every partition builds the whole world alike (the build is deterministic) and keeps
        // its own actors' events; all but partition 0 count only what their actors do.
        let others: Vec<(Kernel<Msg>, GbWorld)> = std::thread::scope(|s| {
            let builds: Vec<_> = (1..workers)
                .map(|_| s.spawn(|| GbWorld::build(scenario)))
                .collect();
            builds
                .into_iter()
                .map(|b| b.join().expect("build"))
                .collect()
        });
        let first = process * workers;
        let mut local = Vec::with_capacity(workers as usize);
        for (t, (mut k, w)) in std::iter::once((kernel, world)).chain(others).enumerate() {
            let me = first + t as u32;
            if t > 0 {
                log_intervals(&mut k);
            }
            if me > 0 {
                k.metrics.zero();
            }
            k.set_partitioning(partitioning.clone());
            k.keep_only(me);
            local.push((k, w));
        }
        let summary;
        match cluster {
            None => {
                tracing::info!("simulating side by side");
                let mut done = dccsim_sim::windows::run_side_by_side(local, end).into_iter();
                let (k0, w0, first) = done.next().expect("partition 0");
                (kernel, world) = (k0, w0);
                let mut all = vec![first];
                for (me, (k, mut w, s)) in (1..).zip(done) {
                    kernel.absorb(k);
                    world.take_partition(&mut w, &partitioning, me);
                    all.push(s);
                }
                summary = all;
            }
            Some(cluster) => {
                tracing::info!(process, processes, "connecting");
                let connected = timely::connect(cluster).map_err(CliError::Io)?;
                tracing::info!("simulating on timely");
                let placement = partitioning.clone();
                let ended = timely::run(connected, local, end, move |w: &GbWorld, part| {
                    w.partition_end(&placement, part)
                })
                .map_err(CliError::Io)?;
                let Some(ended) = ended else {
                    println!(
                        "process {process} of {processes}: ran partitions {first} to {} of \
                         {parts}; process 0 writes the output",
                        first + workers - 1
                    );
                    return Ok(None);
                };
                (kernel, world) = (ended.kernel, ended.world);
                for part in ended.worlds {
                    world.put_partition(part);
                }
                summary = ended.stats;
            }
        }
        if !quiet {
            let windows = summary[0].windows.max(1);
            let events: Vec<String> = summary
                .iter()
                .map(|s| format!("{:.0}", s.events as f64 / windows as f64))
                .collect();
            let totals: Vec<String> = summary.iter().map(|s| s.events.to_string()).collect();
            let across: u64 = summary.iter().map(|s| s.sent_across).sum();
            let spread = if processes > 1 {
                format!(" ({processes} processes × {workers})")
            } else {
                String::new()
            };
            eprintln!(
                "{parts} partitions{spread}, lookahead {lookahead}: {} windows ({:.1} a simulated \
                 second), events per window by partition {} (in all {}), {across} messages \
                 across",
                summary[0].windows,
                summary[0].windows as f64 / end.as_micros().max(1) as f64 * 1e6,
                events.join(" / "),
                totals.join(" / ")
            );
        }
        dccsim_sim::RunStats {
            events: kernel.events(),
            pending: kernel.pending() as u64,
            end,
        }
    } else {
        tracing::info!(pending = kernel.pending(), build_seconds, "simulating");
        kernel.run(&mut world, end, &mut |now, events| {
            progress.update(now, events)
        })
    };
    progress.finish();
    world.finish(&mut kernel, end);
    kernel.metrics.settle();
    kernel.metrics.close_intervals(end);
    let wall_seconds = progress.elapsed_secs();
    let in_flight = world.in_flight(&kernel);
    let expectations = scenario
        .expect
        .iter()
        .chain(extra)
        .map(|e| crate::expect::check(e, &kernel.metrics, stats.events, in_flight))
        .collect();
    Ok(Some(Finished {
        kernel,
        world,
        stats,
        end,
        wall_seconds,
        expectations,
    }))
}

pub fn run(args: &RunArgs) -> Result<ExitCode, CliError> {
    let (sets, extra) = match &args.expect {
        Some(path) => {
            let file =
                scenario::load_expectations(path).map_err(|e| CliError::BadInput(e.to_string()))?;
            let mut sets = file.sets;
            sets.extend_from_slice(&args.sets);
            (sets, file.expect)
        }
        None => (args.sets.clone(), Vec::new()),
    };
    crate::interrupt::on_signal_clean_up_and_leave();
    let scenario = load(&args.scenario, &sets, args.seed)?;
    let check = crate::processes::check(&scenario.resolved_toml, args.processes, args.workers);
    let cluster = crate::processes::cluster(args, check)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&scenario, &sets));
    let out = follow_link(&out)?;
    // Only process 0 writes the output.
    if args.process == 0 {
        if !args.force {
            refuse_to_replace_a_different_run(&out, &scenario)?;
        }
        // The output folder is checked before simulating, so no result is lost to a bad --out.
        crate::store_lock::remove_stale_temporaries(&out);
        dccsim_reports::check_run_dir(&out).map_err(|e| {
            CliError::BadInput(format!(
                "cannot write the output folder {}: {e}; nothing was simulated",
                out.display()
            ))
        })?;
    }
    let limit = crate::budget::limit(args.max_memory.as_deref())?;
    let footprint = crate::budget::admit(&scenario, 1, limit)?;
    if !args.quiet {
        eprintln!("{}", crate::budget::describe(&footprint, 1));
    }
    tracing::info!(scenario = %scenario.name, seed = scenario.seed, premises = scenario.population.premises, "building world");

    let threads = args
        .build_threads
        .map_or_else(BuildThreads::available, |n| BuildThreads::new(n.into()));
    let done = simulate_partitioned(
        &scenario,
        &extra,
        args.quiet,
        true,
        threads,
        args.workers,
        cluster,
    )?;
    let Some(done) = done else {
        // Another process of the run: process 0 writes the output.
        return Ok(ExitCode::SUCCESS);
    };
    let results = done.results(&scenario);
    let version = env!("CARGO_PKG_VERSION");
    let manifest = RunManifest {
        scenario: &scenario.name,
        description: &scenario.description,
        scenario_hash: dccsim_reports::scenario_hash(&scenario.resolved_toml),
        resolved_toml: &scenario.resolved_toml,
        seed: scenario.seed,
        version,
        events: done.stats.events,
        wall_seconds: done.wall_seconds,
        peak_rss_bytes: dccsim_reports::peak_rss_bytes(),
        sets: &sets,
    };
    let summary = {
        let _cleanup = crate::interrupt::Temporary::new(&dccsim_reports::run_dir_temporary(&out));
        dccsim_reports::write_run(&out, &results, &manifest).map_err(|e| {
            CliError::Io(format!(
                "cannot write the output folder {}: {e}",
                out.display()
            ))
        })?
    };

    if !args.quiet {
        println!("{}", dccsim_reports::terminal_table(&results));
        for line in dccsim_actors::cpl::notice_lines(&done.kernel.metrics) {
            println!("CPL expiry notice, {line}");
        }
        for line in dccsim_actors::world::cpl_report_lines(&done.kernel.metrics) {
            println!("{line}");
        }
        for line in campaign_lines(&done.kernel.metrics, &scenario) {
            println!("{line}");
        }
        println!(
            "{} events in {:.2} s wall ({:.2} M events/s); outputs in {}, report {}",
            done.stats.events,
            done.wall_seconds,
            done.stats.events as f64 / done.wall_seconds.max(1e-9) / 1e6,
            out.display(),
            out.join(dccsim_reports::REPORT_FILE).display()
        );
    }
    println!("digest {}", summary.digest);
    crate::expect::report(&done.expectations, args.quiet);
    if done.expectations_met() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(CliError::Failed(format!(
            "{} of {} expectations failed (details in {})",
            done.expectations.iter().filter(|e| !e.passed).count(),
            done.expectations.len(),
            out.join(dccsim_reports::EXPECTATIONS_FILE).display()
        )))
    }
}

/// `--out` given a symbolic link is followed: the run goes where the link points and the link
/// stays (it is never replaced by a folder).
fn follow_link(out: &Path) -> Result<PathBuf, CliError> {
    match std::fs::symlink_metadata(out) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(out).map_err(|e| {
            CliError::BadInput(format!(
                "--out {} is a symbolic link that leads nowhere ({e}); point it at a folder or \
                 give --out a folder",
                out.display()
            ))
        }),
        _ => Ok(out.to_path_buf()),
    }
}

/// `runs/NAME-seedN`, or `runs/NAME-seedN-HASH` with overrides: HASH is the first 8 hex digits of
/// the SHA-256 of the overrides (`KEY=VALUE` lines, in the order given), so each variant of a
/// scenario gets its own folder and the plain run, the baseline, keeps its own.
fn default_out(scenario: &Scenario, sets: &[String]) -> PathBuf {
    let mut name = format!("{}-seed{}", scenario.name, scenario.seed);
    if !sets.is_empty() {
        let hash = dccsim_reports::scenario_hash(&sets.join("\n"));
        name.push('-');
        name.push_str(&hash[..8]);
    }
    PathBuf::from("runs").join(name)
}

/// Refuses (bad input, before simulating) to replace a run folder whose `manifest.json` records
/// different resolved parameters (seed included); the same run again may replace it.
fn refuse_to_replace_a_different_run(out: &Path, scenario: &Scenario) -> Result<(), CliError> {
    let path = out.join(dccsim_reports::MANIFEST_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(CliError::BadInput(format!("{}: {e}", path.display()))),
    };
    let refuse = |why: String| {
        Err(CliError::BadInput(format!(
            "{} already holds a run {why}; pass --force to replace it, or write this run \
             elsewhere with --out DIR",
            out.display()
        )))
    };
    let saved: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return refuse(format!("whose manifest.json cannot be read ({e})")),
    };
    let ours = dccsim_reports::resolved_parameters(&scenario.resolved_toml);
    let theirs = &saved["resolved_parameters"];
    if *theirs == ours {
        return Ok(());
    }
    let mut differences = Vec::new();
    differing_keys("", theirs, &ours, &mut differences);
    let shown: Vec<&str> = differences.iter().take(5).map(String::as_str).collect();
    let more = differences.len().saturating_sub(shown.len());
    refuse(format!(
        "made with different parameters ({}{})",
        shown.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    ))
}

/// Each leaf where `a` and `b` differ, as `key.path: A → B` (`unset` for a missing side).
fn differing_keys(at: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                let null = Value::Null;
                differing_keys(
                    &path,
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    out,
                );
            }
        }
        _ if a != b => {
            let show = |v: &Value| match v {
                Value::Null => "unset".to_string(),
                v => v.to_string(),
            };
            out.push(format!("{at}: {} → {}", show(a), show(b)));
        }
        _ => {}
    }
}

pub fn validate(
    paths: &[PathBuf],
    sets: &[String],
    max_memory: Option<&str>,
) -> Result<ExitCode, CliError> {
    let limit = crate::budget::limit(max_memory)?;
    let mut errors = Vec::new();
    for path in paths {
        match load(path, sets, None) {
            Ok(s) => {
                let footprint = match crate::budget::admit(&s, 1, limit) {
                    Ok(f) => f,
                    Err(e) => {
                        errors.push(format!("{}: {e}", path.display()));
                        continue;
                    }
                };
                // Premises installation waves will create count too: the scenario plans them.
                let planned: u32 = s
                    .installs
                    .iter()
                    .map(dccsim_actors::install::config::premises_in)
                    .sum();
                let premises = match planned {
                    0 => format!("{} premises", s.population.premises),
                    n => format!(
                        "{} premises + {} new by installation waves",
                        s.population.premises, n
                    ),
                };
                println!(
                    "ok {} ({}: {premises}, {})",
                    path.display(),
                    s.name,
                    s.duration
                );
                println!("  {}", crate::budget::describe(&footprint, 1));
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    if errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(CliError::BadInput(errors.join("\nerror: ")))
    }
}

/// One line per firmware campaign: `Firmware campaign acme-e1-2.0 (Acme E1 1.0 → 2.0): 7,198
/// devices: 7,120 activated, 78 failed`.
fn campaign_lines(m: &dccsim_sim::Metrics, scenario: &Scenario) -> Vec<String> {
    use dccsim_reports::thousands;
    dccsim_actors::firmware::report::outcomes(m, &scenario.firmware, &scenario.device_models)
        .into_iter()
        .map(|c| {
            let total: u64 = c.states.iter().map(|(_, n)| n).sum();
            let parts: Vec<String> = c
                .states
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(s, n)| format!("{} {}", thousands(*n), s.name()))
                .collect();
            format!(
                "Firmware campaign {} ({} → {}): {} devices: {}{}",
                c.id,
                c.from,
                c.to_firmware,
                thousands(total),
                if parts.is_empty() {
                    "none".to_string()
                } else {
                    parts.join(", ")
                },
                if c.paused {
                    "; paused by its failure rule"
                } else {
                    ""
                }
            )
        })
        .collect()
}
