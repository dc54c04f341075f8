//! `dccsim run` and `dccsim validate`: load a scenario, build the GB world, simulate, write outputs.

use crate::cli::{CliError, RunArgs};
use crate::progress::Progress;
use dccsim_actors::scenario::{self, Scenario};
use dccsim_actors::sr::ResponseCode;
use dccsim_actors::GbWorld;
use dccsim_reports::{RunManifest, RunResults};
use dccsim_sim::SimTime;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Loads a scenario with the command line's overrides; `--seed` is one more override, so the
/// resolved scenario (and its hash in the manifest) says which seed ran.
fn load(path: &Path, sets: &[String], seed: Option<u64>) -> Result<Scenario, CliError> {
    let mut all = sets.to_vec();
    if let Some(seed) = seed {
        all.push(format!("scenario.seed={seed}"));
    }
    scenario::load(path, &all).map_err(|e| CliError::BadInput(e.to_string()))
}

pub fn run(args: &RunArgs) -> Result<ExitCode, CliError> {
    let scenario = load(&args.scenario, &args.sets, args.seed)?;
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("runs").join(format!("{}-seed{}", scenario.name, scenario.seed))
    });
    tracing::info!(scenario = %scenario.name, seed = scenario.seed, premises = scenario.population.premises, "building world");

    let end = SimTime(scenario.duration.as_micros());
    let mut progress = Progress::new(end, args.quiet);
    let (mut kernel, mut world) = GbWorld::build(&scenario);
    tracing::info!(pending = kernel.pending(), "simulating");
    let stats = kernel.run(&mut world, end, &mut |now, events| {
        progress.update(now, events)
    });
    progress.finish();
    world.finish(&mut kernel, end);
    let wall_seconds = progress.elapsed_secs();

    let results = RunResults {
        expectations: &[],
        scenario: &scenario.name,
        seed: scenario.seed,
        events: stats.events,
        sim_end_us: end.as_micros(),
        in_flight_at_end: world.in_flight(&kernel),
        metrics: &kernel.metrics,
        explain_code: |code| ResponseCode::from_code(code).map(ResponseCode::text),
    };
    let version = env!("CARGO_PKG_VERSION");
    let manifest = RunManifest {
        scenario: &scenario.name,
        description: &scenario.description,
        scenario_hash: dccsim_reports::scenario_hash(&scenario.resolved_toml),
        resolved_toml: &scenario.resolved_toml,
        seed: scenario.seed,
        version,
        events: stats.events,
        wall_seconds,
        peak_rss_bytes: dccsim_reports::peak_rss_bytes(),
        sets: &args.sets,
    };
    let summary = dccsim_reports::write_run(&out, &results, &manifest).map_err(|e| {
        CliError::BadInput(format!(
            "cannot write the output folder {}: {e}",
            out.display()
        ))
    })?;

    if !args.quiet {
        println!("{}", dccsim_reports::terminal_table(&results));
        for line in dccsim_actors::cpl::notice_lines(&kernel.metrics) {
            println!("CPL expiry notice, {line}");
        }
        println!(
            "{} events in {:.2} s wall ({:.2} M events/s); outputs in {}",
            stats.events,
            wall_seconds,
            stats.events as f64 / wall_seconds.max(1e-9) / 1e6,
            out.display()
        );
    }
    println!("digest {}", summary.digest);
    Ok(ExitCode::SUCCESS)
}

pub fn validate(paths: &[PathBuf], sets: &[String]) -> Result<ExitCode, CliError> {
    let mut errors = Vec::new();
    for path in paths {
        match load(path, sets, None) {
            Ok(s) => println!(
                "ok {} ({}: {} premises, {})",
                path.display(),
                s.name,
                s.population.premises,
                s.duration
            ),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(CliError::BadInput(errors.join("\nerror: ")))
    }
}
