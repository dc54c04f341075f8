//! `dccsim`: the command line. Parses arguments, runs the chosen command and maps every outcome
//! to an exit code: 0 success, 1 an expectation failed, 2 bad input, 3 internal error.

mod bench;
mod budget;
mod cli;
mod compare;
mod compare_replications;
mod error;
mod expect;
mod interrupt;
mod progress;
mod report_run;
mod report_store;
mod report_sweep_html;
mod run;
mod store;
mod store_lock;
mod sweep;

use clap::Parser;
use cli::{BenchCommand, Cli, Command, StoreCommand};
use error::CliError;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match Cli::try_parse() {
        Ok(args) => args,
        Err(e) => {
            // Help and version are successes; usage mistakes are bad input (exit 2).
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging(args.verbose);
    // A panic is a bug in dccsim, never the user's fault: report it as an internal error (3).
    // The exception: printing to a closed pipe (`dccsim sweep --list | head -1`), where the
    // reader has all it wanted; that ends quietly with success, as in other command-line tools.
    std::panic::set_hook(Box::new(|info| {
        if closed_pipe_message(&info.to_string()) {
            CLOSED_PIPE.store(true, std::sync::atomic::Ordering::SeqCst);
            return;
        }
        eprintln!("internal error (a bug in dccsim, please report it): {info}");
    }));
    match std::panic::catch_unwind(|| dispatch(args)) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
        Err(_) if CLOSED_PIPE.load(std::sync::atomic::Ordering::SeqCst) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(3),
    }
}

/// Set by the panic hook when the panic was a write to a closed stdout.
static CLOSED_PIPE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether a panic's text is `println!` failing because stdout's reader went away.
fn closed_pipe_message(message: &str) -> bool {
    message.contains("failed printing to stdout") && message.to_lowercase().contains("broken pipe")
}

/// Runs the chosen command.
fn dispatch(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Run(args) => crate::run::run(&args),
        Command::Validate {
            scenarios,
            sets,
            max_memory,
        } => crate::run::validate(&scenarios, &sets, max_memory.as_deref()),
        Command::Sweep(args) => crate::sweep::sweep(&args),
        Command::Store {
            which: StoreCommand::Merge { out, inputs },
        } => crate::store::merge(&out, &inputs),
        Command::Compare(args) => crate::compare::compare(&args),
        Command::Report(args) => crate::report_run::report(&args),
        Command::Bench {
            which: BenchCommand::Phold(args),
        } => crate::bench::phold(&args),
    }
}

/// Logs go to stderr (coloured only on a terminal); `RUST_LOG` wins over `-v` (info) and `-vv`
/// (debug).
fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never into a file or a pipe.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        .try_init();
}
