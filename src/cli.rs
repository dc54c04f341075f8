//! Command-line syntax (DESIGN §7) and the errors a command can end with.

use clap::{Args, Parser, Subcommand};
use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "dccsim",
    version,
    about = "Deterministic simulator of the GB smart-metering system (DCC, SMI, CPL, suppliers, DNOs, hubs, meters)"
)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run one scenario and write its outputs.
    Run(RunArgs),
    /// Check scenario files without running them.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Overrides applied to every file before checking, as in `run`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Show a finished run again from its saved outputs, without simulating.
    Report(ReportArgs),
    /// Kernel benchmarks.
    Bench {
        #[command(subcommand)]
        which: BenchCommand,
    },
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Run with this seed instead of the scenario's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder (default: runs/NAME-seedN/, from the scenario name and seed).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a scenario value, e.g. --set dsp.workers=32 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// No progress line and no table: only errors.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A run directory (written by `dccsim run`).
    pub path: PathBuf,
    /// (Re)write PATH/report.html instead of printing the tables.
    #[arg(long)]
    pub html: bool,
    /// Write aggregates as long-format CSV to FILE (results stores only).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// PHOLD: each LP starts with M events; each event schedules one at t + Exp(1 s) + 0.1 s for a
    /// uniformly random LP; counts events with time ≤ end.
    Phold(PholdArgs),
}

#[derive(Args, Debug)]
pub struct PholdArgs {
    /// Logical processes.
    #[arg(long)]
    pub lps: u32,
    /// Initial events per LP.
    #[arg(long = "events-per-lp")]
    pub events_per_lp: u32,
    /// Simulated end, in seconds.
    #[arg(long)]
    pub end: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print one JSON line instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also run the same model on a plain BinaryHeap loop and print the ratio.
    #[arg(long)]
    pub baseline: bool,
}

/// How a command failed.
#[derive(Debug)]
pub enum CliError {
    /// The scenario, an override or a path given by the user is wrong (exit 2).
    BadInput(String),
    /// Something that should not happen (exit 3).
    Internal(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::BadInput(_) => 2,
            CliError::Internal(_) => 3,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::BadInput(m) | CliError::Internal(m) => f.write_str(m),
        }
    }
}

pub fn dispatch(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Run(args) => crate::run::run(&args),
        Command::Validate { scenarios, sets } => crate::run::validate(&scenarios, &sets),
        Command::Report(args) => crate::report_run::report(&args),
        Command::Bench {
            which: BenchCommand::Phold(args),
        } => crate::bench::phold(&args),
    }
}
