//! One writer per results store: an advisory lock (`flock`) on `<store>.lock` beside it, held
//! while a sweep or a merge has the store open, so a second sweep on the same store is refused
//! at once instead of redoing the first one's runs or replacing the store it is creating. The
//! lock file stays (empty but for the last holder's pid); the lock itself dies with its process.

use crate::error::CliError;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

/// `<store>.<what>` beside the store.
fn beside(store: &Path, what: &str) -> PathBuf {
    let mut name = store.as_os_str().to_owned();
    name.push(what);
    PathBuf::from(name)
}

fn bad(store: &Path, m: impl std::fmt::Display) -> CliError {
    CliError::BadInput(format!("{}: {m}", store.display()))
}

/// The lock of a results store, released when dropped (or when the process ends).
pub struct StoreLock {
    _file: File,
}

impl StoreLock {
    /// Takes the store's lock, or refuses when another process holds it.
    pub fn take(store: &Path) -> Result<StoreLock, CliError> {
        let path = beside(store, ".lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| {
                bad(
                    store,
                    format!(
                        "cannot create the store's lock file {}: {e}; the store's folder must \
                         be writable",
                        path.display()
                    ),
                )
            })?;
        // SAFETY: flock on a file descriptor we own; it has no memory effects.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::WouldBlock {
                return Err(CliError::Io(format!(
                    "{}: cannot lock the results store: {e}",
                    store.display()
                )));
            }
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = match holder.trim() {
                "" => String::new(),
                pid => format!(" (pid {pid})"),
            };
            return Err(bad(
                store,
                format!(
                    "another dccsim{holder} is writing to this results store; refusing to use \
                     it at the same time (its runs would be done twice). Wait for it to finish \
                     and run again (finished runs are skipped), or give another --store"
                ),
            ));
        }
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = write!(file, "{}", std::process::id());
        Ok(StoreLock { _file: file })
    }
}

/// Refuses, before anything runs, a store that could not be written: its folder does not take
/// new files (the journal of each transaction is one), or the store file is read-only.
pub fn check_writable(store: &Path) -> Result<(), CliError> {
    let probe = beside(store, &format!(".probe-{}", std::process::id()));
    match File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
        }
        Err(e) => {
            return Err(bad(
                store,
                format!(
                    "cannot write in the store's folder ({e}); a sweep records each run with a \
                     journal beside the store, so refusing to start (give a writable --store)"
                ),
            ))
        }
    }
    if store.exists() {
        if let Err(e) = OpenOptions::new().write(true).open(store) {
            return Err(bad(
                store,
                format!(
                    "the results store is not writable ({e}); refusing to start a sweep that \
                     could not record its runs (make it writable, or give a new --store file)"
                ),
            ));
        }
    }
    Ok(())
}

/// Whether a process with id `pid` exists (a process we may not signal still exists).
pub fn is_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Removes `<name>.tmp-PID` entries beside `path` (files with their `-journal`, or folders)
/// left by processes that no longer exist: a store being created or a run folder being written
/// when its process was killed.
pub fn remove_stale_temporaries(path: &Path) {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return;
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let prefix = format!("{name}.tmp-");
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(rest) = file.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        let pid = rest.strip_suffix("-journal").unwrap_or(rest);
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() || is_alive(pid) {
            continue;
        }
        let at = entry.path();
        tracing::info!(path = %at.display(), "removing a temporary left by a dead process");
        let _ = match std::fs::symlink_metadata(&at) {
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(&at),
            _ => std::fs::remove_file(&at),
        };
    }
}
