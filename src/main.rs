//! `dccsim`: the command line. Parses arguments, runs the chosen command and maps every outcome
//! to an exit code: 0 success, 1 an expectation failed, 2 bad input, 3 internal error, 4 an I/O
//! error (a full disk, an unwritable stdout).

mod bench;
mod budget;
mod cli;
mod compare;
mod compare_replications;
mod error;
mod expect;
mod interrupt;
mod processes;
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
        let text = info.to_string();
        if closed_pipe_message(&text) {
            CLOSED_PIPE.store(true, std::sync::atomic::Ordering::SeqCst);
            return;
        }
        if let Some(why) = stdout_error(&text) {
            if let Ok(mut slot) = STDOUT_ERROR.lock() {
                *slot = Some(why);
            }
            return;
        }
        if let Some(why) = crate::processes::lost_peer(&text) {
            // Another process of a run on several died or its connection broke: nothing is
            // written (process 0 writes only after the end state is merged), so stop here.
            eprintln!("error: {why}");
            std::process::exit(i32::from(CliError::Io(why).exit_code()));
        }
        eprintln!("internal error (a bug in dccsim, please report it): {info}");
    }));
    let outcome = std::panic::catch_unwind(|| dispatch(args));
    crate::interrupt::wait_if_leaving();
    match outcome {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
        Err(_) if CLOSED_PIPE.load(std::sync::atomic::Ordering::SeqCst) => ExitCode::SUCCESS,
        Err(_) => match STDOUT_ERROR.lock().ok().and_then(|mut s| s.take()) {
            Some(why) => {
                let e = CliError::Io(format!("cannot write to standard output: {why}"));
                eprintln!("error: {e}");
                ExitCode::from(e.exit_code())
            }
            None => ExitCode::from(3),
        },
    }
}

/// Set by the panic hook when the panic was a write to a closed stdout.
static CLOSED_PIPE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Set by the panic hook when `println!` failed for another reason than a closed pipe (a full
/// disk, `> /dev/full`): why, as the OS said it.
static STDOUT_ERROR: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// The OS's reason when a panic's text is `println!` failing to write stdout.
fn stdout_error(message: &str) -> Option<String> {
    let at = message.find("failed printing to stdout: ")?;
    let why = &message[at + "failed printing to stdout: ".len()..];
    Some(why.lines().next().unwrap_or(why).to_string())
}

/// Whether a panic's text is `println!` failing because stdout's reader went away.
fn closed_pipe_message(message: &str) -> bool {
    message.contains("failed printing to stdout") && message.to_lowercase().contains("broken pipe")
}

/// Runs the chosen command, then makes sure everything it printed reached stdout.
fn dispatch(cli: Cli) -> Result<ExitCode, CliError> {
    let outcome = command(cli);
    match std::io::Write::flush(&mut std::io::stdout()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Io(format!(
            "cannot write to standard output: {e}"
        ))),
        _ => outcome,
    }
}

/// Runs the chosen command.
fn command(cli: Cli) -> Result<ExitCode, CliError> {
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
