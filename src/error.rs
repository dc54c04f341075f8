//! How a command can fail, and the exit code each failure maps to.

use std::fmt;

/// How a command failed.
#[derive(Debug)]
pub enum CliError {
    /// An expectation or a comparison failed (exit 1).
    Failed(String),
    /// The scenario, an override or a path given by the user is wrong (exit 2).
    BadInput(String),
    /// Something that should not happen (exit 3).
    Internal(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Failed(_) => 1,
            CliError::BadInput(_) => 2,
            CliError::Internal(_) => 3,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Failed(m) | CliError::BadInput(m) | CliError::Internal(m) => f.write_str(m),
        }
    }
}
