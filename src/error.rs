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
    /// Reading or writing a file or stdout failed: a full disk, a closed pipe, a device error
    /// (exit 4). Not a bug, and not the input's fault.
    Io(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Failed(_) => 1,
            CliError::BadInput(_) => 2,
            CliError::Internal(_) => 3,
            CliError::Io(_) => 4,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Failed(m)
            | CliError::BadInput(m)
            | CliError::Internal(m)
            | CliError::Io(m) => f.write_str(m),
        }
    }
}
