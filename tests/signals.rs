//! Signals and output folders: Ctrl-C is honoured in every phase of a sweep, `run` checks its
//! output folder before simulating, a signal during the final write leaves no temporaries (and
//! those of dead processes are cleared), stdout write errors are I/O errors, a symlinked `--out`
//! is followed, and the store's refusals read as plain sentences.

mod common;
use common::{dccsim, scratch, tiny_sweep, SMALL, TINY_SWEEP};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn spawn(args: &[&str]) -> Child {
    common::spawn(env!("CARGO_BIN_EXE_dccsim"), args)
}

/// Waits for `child`, killing it (and failing) after `limit`.
fn finish(child: Child, limit: Duration) -> Output {
    common::finish(child, limit, "dccsim")
}

fn signal(child: &Child, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

fn wait_for(path: &Path) {
    let started = Instant::now();
    while !path.exists() && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn ctrl_c_stops_a_sweep_whose_runs_are_all_handed_out() {
    for twice in [false, true] {
        let dir = scratch("sweep-all-out");
        let store = dir.join("s.sqlite");
        let s = store.to_str().unwrap();
        // Eight runs, eight jobs: every run is handed out at once, then Ctrl-C.
        let mut args = vec!["sweep", "--store", s, "--quiet", "--jobs", "8"];
        args.extend_from_slice(TINY_SWEEP);
        args.extend_from_slice(&["--set", "population.premises=1500"]);
        let child = spawn(&args);
        wait_for(&store);
        std::thread::sleep(Duration::from_millis(300));
        signal(&child, "INT");
        if twice {
            std::thread::sleep(Duration::from_millis(300));
            signal(&child, "INT");
        }
        let o = finish(child, Duration::from_secs(300));
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(130), "twice={twice}: {err}");
        assert!(err.contains("interrupted"), "{err}");
    }
}

#[test]
fn run_checks_its_output_folder_before_simulating() {
    let dir = scratch("run-out-first");
    // A folder of someone's own files, not a run: it may not be replaced.
    let out = dir.join("notes");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    // A million premises simulate for minutes in a debug build: refused in a moment instead.
    let o = finish(
        spawn(&[
            "run",
            "scenarios/million-premises.toml",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ]),
        Duration::from_secs(60),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("nothing was simulated"), "{err}");
    assert!(err.contains("not a dccsim run directory"), "{err}");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

/// `<out>.tmp-PID` folders beside `out`.
fn temporaries(out: &Path) -> Vec<PathBuf> {
    let name = out.file_name().unwrap().to_str().unwrap().to_string();
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{name}.tmp-")))
        })
        .collect()
}

#[test]
fn a_signal_during_the_final_write_leaves_no_temporary() {
    let dir = scratch("run-term");
    let mut caught = 0;
    for attempt in 0..6 {
        let out = dir.join(format!("out{attempt}"));
        let mut args = vec![
            "run",
            "scenarios/quickstart.toml",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ];
        args.extend_from_slice(SMALL);
        let child = spawn(&args);
        let tmp = out.with_file_name(format!("out{attempt}.tmp-{}", child.id()));
        wait_for(&tmp);
        signal(&child, "TERM");
        let o = finish(child, Duration::from_secs(120));
        if o.status.success() {
            continue; // The write finished before the signal came: try again.
        }
        caught += 1;
        assert_eq!(
            o.status.code(),
            Some(143),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!tmp.exists(), "{} was left behind", tmp.display());
        assert!(temporaries(&out).is_empty());
    }
    assert!(caught > 0, "no signal arrived during a write");
}

/// A process id no process has: above the largest the kernel hands out.
const DEAD_PID: u32 = 4_194_304 + 7;

#[test]
fn temporaries_of_dead_processes_are_removed_by_the_next_run() {
    let dir = scratch("stale");
    let out = dir.join("out");
    let stale = dir.join(format!("out.tmp-{DEAD_PID}"));
    std::fs::create_dir_all(stale.join("latency")).unwrap();
    std::fs::write(stale.join("summary.json"), "{").unwrap();
    let mut args = vec![
        "run",
        "scenarios/quickstart.toml",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(SMALL);
    let o = dccsim(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!stale.exists());

    let store = dir.join("s.sqlite");
    let stale_store = dir.join(format!("s.sqlite.tmp-{DEAD_PID}"));
    let stale_journal = dir.join(format!("s.sqlite.tmp-{DEAD_PID}-journal"));
    std::fs::write(&stale_store, "half a store").unwrap();
    std::fs::write(&stale_journal, "its journal").unwrap();
    let o = tiny_sweep(&store, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!stale_store.exists() && !stale_journal.exists());
}

#[test]
fn stdout_write_errors_are_io_errors() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_dccsim"))
        .args(["validate", "scenarios/quickstart.toml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(err.contains("cannot write to standard output"), "{err}");
    assert!(!err.contains("internal error"), "{err}");
}

#[test]
fn a_symlinked_out_is_followed_and_stays_a_link() {
    let dir = scratch("out-link");
    let real = dir.join("real");
    std::fs::create_dir(&real).unwrap();
    let link = dir.join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let mut args = vec![
        "run",
        "scenarios/quickstart.toml",
        "--out",
        link.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(SMALL);
    let o = dccsim(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(real.join("summary.json").exists());
    // A link to nowhere is refused, and stays as it was.
    let dangling = dir.join("dangling");
    std::os::unix::fs::symlink(dir.join("nowhere"), &dangling).unwrap();
    args[3] = dangling.to_str().unwrap();
    let o = dccsim(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("symbolic link"));
    assert!(std::fs::symlink_metadata(&dangling)
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn the_version_mismatch_refusal_reads_as_one_sentence() {
    let dir = scratch("store-version");
    let store = dir.join("s.sqlite");
    let o = tiny_sweep(&store, &["--shard", "0/2"]);
    assert!(o.status.success());
    rusqlite::Connection::open(&store)
        .unwrap()
        .execute("UPDATE runs SET version = '0.0.1'", [])
        .unwrap();
    let o = tiny_sweep(&store, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("made by dccsim 0.0.1"), "{err}");
    assert!(!err.contains("  "), "a run of spaces in: {err}");
}
