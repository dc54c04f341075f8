//! `dccsim report RUN_DIR [--html]`: a finished run shown again from its saved outputs, without
//! simulating: the terminal tables `run` printed, or its `report.html` rebuilt; a results store
//! goes to its aggregates (`report_store`) or its sweep page (`report_sweep_html`).

use crate::cli::ReportArgs;
use crate::error::CliError;
use dccsim_actors::sr::ResponseCode;
use dccsim_reports::RunDir;
use std::path::Path;
use std::process::ExitCode;

/// The plain-English text of a DUIS response code, for reports (`None` for a code this world
/// does not produce).
pub fn explain_code(code: &str) -> Option<&'static str> {
    ResponseCode::from_code(code).map(ResponseCode::text)
}

/// `dccsim report PATH`: a run directory's tables or page, or a results store's aggregates.
pub fn report(args: &ReportArgs) -> Result<ExitCode, CliError> {
    let path = &args.path;
    if path.is_dir() {
        if let Some(out) = &args.out {
            return Err(CliError::BadInput(format!(
                "--out {} names the sweep page of a results store; a run directory's page is \
                 always {}",
                out.display(),
                path.join(dccsim_reports::REPORT_FILE).display()
            )));
        }
        if let Some(csv) = &args.csv {
            return Err(CliError::BadInput(format!(
                "--csv {} exports a results store's aggregates, but {} is a run directory; \
                 its time series are already in {}",
                csv.display(),
                path.display(),
                path.join("timeseries.csv").display()
            )));
        }
        return report_run_dir(path, args.html);
    }
    if !path.exists() {
        return Err(CliError::BadInput(format!(
            "{}: no such run directory or results store",
            path.display()
        )));
    }
    if args.html {
        return crate::report_sweep_html::report_sweep_html(path, args.out.as_deref());
    }
    crate::report_store::report_store(path, args.csv.as_deref())
}

/// Prints the run's tables, or with `html` (re)writes `RUN_DIR/report.html`.
pub fn report_run_dir(dir: &Path, html: bool) -> Result<ExitCode, CliError> {
    let bad = |e: dccsim_reports::RunDirError| CliError::BadInput(e.to_string());
    if html {
        let page = dccsim_reports::write_html_report(dir, explain_code).map_err(bad)?;
        println!("report {}", page.display());
    } else {
        let run = RunDir::read(dir).map_err(bad)?;
        println!("{}", run.terminal_table(explain_code));
        println!("digest {}", run.summary.digest);
    }
    Ok(ExitCode::SUCCESS)
}
