//! Command-line syntax: the arguments of every command, and nothing else. The commands import
//! their arguments from here; this module imports none of them (dispatch is in `main.rs`).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

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
        /// Refuse a scenario whose estimated memory exceeds SIZE (default: the memory available).
        #[arg(long, value_name = "SIZE")]
        max_memory: Option<String>,
    },
    /// Run every point and replication of a scenario's `[sweep]` into a results store.
    Sweep(SweepArgs),
    /// Results stores: merge the stores of a sharded sweep.
    Store {
        #[command(subcommand)]
        which: StoreCommand,
    },
    /// Compare two runs (run folders or summary.json files) metric by metric, or two sets of
    /// replications (results stores, or two points of one) with confidence intervals; exit 1
    /// on a difference beyond tolerance (for replications: significant and beyond tolerance).
    Compare(CompareArgs),
    /// Tables from saved results: a run folder (as `run` prints them) or a results store
    /// (mean and 95% confidence interval per sweep point).
    Report(ReportArgs),
    /// Kernel benchmarks.
    Bench {
        #[command(subcommand)]
        which: BenchCommand,
    },
}

#[derive(Args, Debug)]
// `-h` is the hostfile, as timely names it: help is `--help` alone here.
#[command(disable_help_flag = true)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Run with this seed instead of the scenario's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder (default: runs/NAME-seedN/ from the scenario name and seed, with
    /// -HASH added when --set overrides are given: a short hash of them, so a baseline run is
    /// never overwritten by a variant).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder even if it holds a run made with different parameters.
    #[arg(long)]
    pub force: bool,
    /// Override a scenario value, e.g. --set dsp.workers=32 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Print only the run's digest (`digest <hex>`, the results' SHA-256) and errors: no
    /// progress line, no tables.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also check the `[[expect]]` entries of this file (and apply its `sets` first).
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
    /// Refuse to start when the run's estimated memory exceeds SIZE, e.g. 4G or 512MiB
    /// (default: the memory the machine has available).
    #[arg(long, value_name = "SIZE")]
    pub max_memory: Option<String>,
    /// Threads that build the world's per-premises tables (default: the number of CPUs); the
    /// world, and so every result, is the same for any count.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub build_threads: Option<u16>,
    /// Run on N threads: the central actors in one partition, the premises spread over the
    /// rest, in conservative windows of the lookahead (README "Lookahead"). The results are
    /// those of --workers 1; a scenario with a link between partitions that has no lookahead
    /// (device alerts, `[ev]`) is refused.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=256))]
    pub workers: u32,
    /// Processes the run is spread over (timely's -n): --workers partitions in each, on one
    /// machine or several. Every process builds the world; process 0 writes the output, the
    /// others only say which partitions they ran.
    #[arg(short = 'n', long, value_name = "P", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=256))]
    pub processes: u32,
    /// This process's index among the -n processes, 0 ≤ I < P (timely's -p).
    #[arg(short = 'p', long, value_name = "I", default_value_t = 0)]
    pub process: u32,
    /// The processes' addresses, one `host:port` a line, line I for process I (timely's -h;
    /// default: localhost:2101, localhost:2102, …).
    #[arg(short = 'h', long, value_name = "FILE")]
    pub hostfile: Option<PathBuf>,
    /// Give up when the other processes have not all connected within this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub connect_timeout: u64,
    /// Print help.
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
}

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// The scenario file (TOML) with a `[sweep]` section.
    pub scenario: PathBuf,
    /// Runs at once (default: the number of CPUs).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// The results store, an SQLite file (default: runs/NAME-sweep.sqlite).
    #[arg(long, value_name = "FILE")]
    pub store: Option<PathBuf>,
    /// Only every N-th run, starting at run I (0 ≤ I < N), e.g. --shard 2/8 for array task 2.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Print the expanded runs (index, point, replication, seed) and stop.
    #[arg(long)]
    pub list: bool,
    /// Override a scenario value before expanding the sweep (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// No progress bar; only the final tally and errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Refuse to start when the runs held at once (--jobs of them) need more memory than SIZE,
    /// e.g. 4G (default: the memory the machine has available).
    #[arg(long, value_name = "SIZE")]
    pub max_memory: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum StoreCommand {
    /// Join stores of the same sweep (e.g. one per shard) into OUT.
    Merge {
        /// The merged store (created, or added to if it holds the same sweep).
        out: PathBuf,
        /// Stores to read.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The reference: a run folder or its summary.json, or a results store (then the
    /// replications are compared statistically).
    pub baseline: PathBuf,
    /// What to check against it: a run folder or summary.json, or a results store. May be left
    /// out with --points, to compare two points of the BASELINE store.
    pub current: Option<PathBuf>,
    /// Tolerances (TOML): `[default]` and `[[metric]]` entries with pattern, relative, absolute.
    #[arg(long, value_name = "FILE")]
    pub tolerance: Option<PathBuf>,
    /// How far a share within TRT may move, in percentage points (absolute), unless a
    /// tolerance-file pattern matches it.
    #[arg(long, value_name = "PP", default_value_t = 0.5)]
    pub within_trt_pp: f64,
    /// Stores: compare point I of BASELINE with point J of CURRENT (or of BASELINE when
    /// CURRENT is left out), instead of every point with the same parameters.
    #[arg(long, value_name = "I,J")]
    pub points: Option<String>,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A run folder or a results store file.
    pub path: PathBuf,
    /// Write the page: report.html into a run folder, or a store's sweep page (STORE.html).
    #[arg(long)]
    pub html: bool,
    /// For a store with --html: write the sweep page to FILE instead of beside the store.
    #[arg(long, value_name = "FILE", requires = "html")]
    pub out: Option<PathBuf>,
    /// For a store: also write the aggregates as long-format CSV to FILE.
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
    /// Print one JSON line instead of text (with the parameters and every run's events/s).
    #[arg(long)]
    pub json: bool,
    /// Also run the same model on a plain BinaryHeap loop and print the ratio.
    #[arg(long)]
    pub baseline: bool,
    /// Timed runs after one warm-up run; the median is reported.
    #[arg(long, default_value_t = 5)]
    pub reps: u32,
    /// Warn when the slowest and fastest runs are further apart than this, in % of the median.
    #[arg(long, value_name = "PERCENT", default_value_t = 10.0)]
    pub max_spread: f64,
}
