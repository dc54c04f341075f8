//! `run -n P -p I [-h HOSTFILE]`: where this process stands among the processes of one run, read
//! from the command line and the hostfile (timely's names and defaults), checked before any
//! connection is tried.

use crate::cli::RunArgs;
use crate::error::CliError;
use dccsim_sim::windows::timely::Cluster;
use std::path::Path;
use std::time::Duration;

/// The first port of timely's default addresses (`localhost:2101`, `localhost:2102`, …).
const FIRST_PORT: u32 = 2101;

/// This process's cluster, or `None` for a run in one process (`-n 1`). `check` is what every
/// process must agree on (the run's identity); bad `-p` or a bad hostfile is bad input.
pub fn cluster(args: &RunArgs, check: u64) -> Result<Option<Cluster>, CliError> {
    let (n, me) = (args.processes, args.process);
    if me >= n {
        return Err(CliError::BadInput(format!(
            "-p {me}: this process's index must be below -n {n} (processes 0 to {})",
            n - 1
        )));
    }
    if n == 1 {
        return Ok(None);
    }
    let addresses = match &args.hostfile {
        Some(path) => hostfile(path, n as usize)?,
        None => (0..n)
            .map(|i| format!("localhost:{}", FIRST_PORT + i))
            .collect(),
    };
    Ok(Some(Cluster {
        processes: n as usize,
        process: me as usize,
        threads: args.workers as usize,
        addresses,
        connect_timeout: Duration::from_secs(args.connect_timeout),
        check,
    }))
}

/// The first `n` addresses of a hostfile: one `host:port` a line (blank lines and `#` comments
/// skipped); a line that is not one, or too few lines, is refused with its place.
fn hostfile(path: &Path, n: usize) -> Result<Vec<String>, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::BadInput(format!("{}: cannot read the hostfile: {e}", path.display()))
    })?;
    let mut addresses = Vec::with_capacity(n);
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if addresses.len() == n {
            break;
        }
        let port = line
            .rsplit_once(':')
            .map(|(host, port)| (host, port.parse::<u16>()));
        match port {
            Some((host, Ok(_))) if !host.is_empty() && !host.contains(char::is_whitespace) => {
                addresses.push(line.to_string())
            }
            _ => {
                return Err(CliError::BadInput(format!(
                    "{}:{}:1: `{line}` is not a `host:port` address (process {} of the run)",
                    path.display(),
                    i + 1,
                    addresses.len()
                )))
            }
        }
    }
    if addresses.len() < n {
        return Err(CliError::BadInput(format!(
            "{}: {} address(es) for -n {n} processes: one `host:port` line each is needed",
            path.display(),
            addresses.len()
        )));
    }
    Ok(addresses)
}

/// The run's identity for the processes' handshake: the resolved scenario and the counts.
pub fn check(resolved_toml: &str, processes: u32, workers: u32) -> u64 {
    let hash = dccsim_reports::scenario_hash(&format!(
        "{resolved_toml}\n-n {processes} --workers {workers}"
    ));
    u64::from_str_radix(&hash[..16], 16).expect("a hex hash")
}

/// The message for a panic of timely's communication (a peer process died, or the connection
/// to it broke, mid-run), or `None` for any other panic.
pub fn lost_peer(panic: &str) -> Option<String> {
    let timely = [
        "timely communication error",
        "MergeQueue poisoned",
        "Send thread panic",
    ];
    timely.iter().any(|t| panic.contains(t)).then(|| {
        let cause = panic
            .lines()
            .find(|l| l.contains("timely communication error"))
            .map_or(String::new(), |l| format!(" ({})", l.trim()));
        format!(
            "the connection to another process of the run broke{cause}: it stopped, or the network \
             failed; nothing was written"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> tempfile_like::Temp {
        tempfile_like::Temp::new(text)
    }

    /// A file in the temporary folder, removed when dropped.
    mod tempfile_like {
        pub struct Temp(pub std::path::PathBuf);
        impl Temp {
            pub fn new(text: &str) -> Self {
                use std::sync::atomic::{AtomicU32, Ordering};
                static N: AtomicU32 = AtomicU32::new(0);
                let path = std::env::temp_dir().join(format!(
                    "dccsim-hosts-{}-{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::SeqCst)
                ));
                std::fs::write(&path, text).unwrap();
                Temp(path)
            }
        }
        impl Drop for Temp {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
    }

    #[test]
    fn hostfile_lines_are_addresses_in_process_order() {
        let f = file("# the run's machines\nalpha:2101\n\n10.0.0.2:7000\nspare:1\n");
        let got = hostfile(&f.0, 2).unwrap();
        assert_eq!(got, ["alpha:2101", "10.0.0.2:7000"]);
    }

    #[test]
    fn a_bad_hostfile_line_is_located() {
        let f = file("alpha:2101\nbeta\n");
        let e = hostfile(&f.0, 2).unwrap_err().to_string();
        assert!(e.contains(":2:1:") && e.contains("`beta`"), "{e}");
        let f = file("alpha:2101\n");
        let e = hostfile(&f.0, 2).unwrap_err().to_string();
        assert!(e.contains("1 address(es) for -n 2"), "{e}");
        let e = hostfile(Path::new("/nonexistent/hosts"), 2)
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot read the hostfile"), "{e}");
    }
}
