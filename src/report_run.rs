//! `dccsim report RUN_DIR`: placeholder until the run-folder report (issue 8) is merged.

use crate::cli::CliError;
use std::path::Path;
use std::process::ExitCode;

/// Prints a run folder's tables (and writes report.html with `html`).
pub fn report_run_dir(path: &Path, html: bool) -> Result<ExitCode, CliError> {
    let _ = html;
    Err(CliError::BadInput(format!(
        "{}: reports of run folders are not available in this build; give a results store file",
        path.display()
    )))
}
