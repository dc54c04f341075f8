//! SIGINT and SIGTERM during `dccsim run`: the temporaries being written (the output folder's
//! `<out>.tmp-PID/`, a new store's `<store>.tmp-PID`) are removed before the process leaves with
//! 130 (SIGINT) or 143 (SIGTERM), so a signal never leaves half-written files behind.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Set once a signal has come: the process is leaving through the signal thread.
static LEAVING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// If a signal has come, waits for the signal thread to end the process (with the signal's exit
/// code), so that an error the removal of a temporary caused cannot end it first.
pub fn wait_if_leaving() {
    while LEAVING.load(std::sync::atomic::Ordering::SeqCst) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Paths to remove if a signal ends the process now.
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A path registered for removal on a signal while this value lives.
pub struct Temporary(PathBuf);

impl Temporary {
    pub fn new(path: &Path) -> Temporary {
        if let Ok(mut t) = TEMPORARIES.lock() {
            t.push(path.to_path_buf());
        }
        Temporary(path.to_path_buf())
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if let Ok(mut t) = TEMPORARIES.lock() {
            if let Some(i) = t.iter().rposition(|p| *p == self.0) {
                t.remove(i);
            }
        }
    }
}

/// Removes every registered temporary (a folder, or a file with its SQLite journal).
fn remove_all() {
    let paths = match TEMPORARIES.lock() {
        Ok(t) => t.clone(),
        Err(_) => return,
    };
    for path in paths {
        // Until it is gone: the writer may add a file between the listing and the removal of a
        // folder (then the folder is not empty and stays), but once the folder itself is gone the
        // writer cannot put it back, its next file fails. Bounded, so a path that cannot be
        // removed does not keep the process from leaving (the next run removes it).
        for _ in 0..500 {
            let _ = match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => std::fs::remove_dir_all(&path),
                Ok(_) => std::fs::remove_file(&path),
                Err(_) => break,
            };
            if std::fs::symlink_metadata(&path).is_err() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let mut journal = path.into_os_string();
        journal.push("-journal");
        let _ = std::fs::remove_file(journal);
    }
}

/// Exit code of a process ended by signal `signal` (128 + its number, as shells report it).
pub const fn exit_code(signal: i32) -> i32 {
    128 + signal
}

/// From now on, SIGINT and SIGTERM remove the registered temporaries and end the process.
pub fn on_signal_clean_up_and_leave() {
    let ready = std::sync::mpsc::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            use tokio::signal::unix::{signal, SignalKind};
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
            else {
                let _ = ready.0.send(());
                return;
            };
            runtime.block_on(async move {
                let (Ok(mut int), Ok(mut term)) = (
                    signal(SignalKind::interrupt()),
                    signal(SignalKind::terminate()),
                ) else {
                    let _ = ready.0.send(());
                    return;
                };
                let _ = ready.0.send(());
                let code = tokio::select! {
                    _ = int.recv() => exit_code(libc::SIGINT),
                    _ = term.recv() => exit_code(libc::SIGTERM),
                };
                LEAVING.store(true, std::sync::atomic::Ordering::SeqCst);
                remove_all();
                eprintln!("\ninterrupted: temporaries removed, nothing half-written is left");
                std::process::exit(code);
            });
        });
    if spawned.is_ok() {
        // The handlers are in place once this returns.
        let _ = ready.1.recv();
    }
}
