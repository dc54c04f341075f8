//! Results stores stay safe: an unwritable store is refused before anything runs, two sweeps on
//! one store never both write it, a store failing SQLite's full integrity check is refused, a
//! full disk is an I/O error with the tally, and a FIFO is refused without blocking.

mod common;
use common::{finish, scratch, spawn, tiny_sweep, TINY_SWEEP};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn sweep_args<'a>(store: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["sweep", "--store", store, "--quiet"];
    a.extend_from_slice(TINY_SWEEP);
    a.extend_from_slice(extra);
    a
}

fn runs_in(store: &Path) -> i64 {
    rusqlite::Connection::open_with_flags(store, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| c.query_row("SELECT count(*) FROM runs", [], |r| r.get(0)))
        .unwrap_or(0)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn a_read_only_store_is_refused_before_anything_runs() {
    let dir = scratch("store-ro");
    let store = dir.join("s.sqlite");
    // Half the sweep first, so the rest is left to do.
    let o = tiny_sweep(&store, &["--shard", "0/2"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = runs_in(&store);
    let s = store.to_str().unwrap();
    let args = sweep_args(s, &[]);
    // Root writes anything: run as nobody then, for whom the root-owned store and folder are
    // read-only. Otherwise make them read-only.
    let o = if is_root() {
        // nobody may not be able to enter the checkout (a clone in a private temporary folder):
        // it reads a copy of the scenario from a folder of its own.
        let readable = scratch("store-ro-scenario");
        let scenario = readable.join("capacity-sweep.toml");
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(TINY_SWEEP[0]);
        std::fs::copy(source, &scenario).unwrap();
        let scenario = scenario.to_str().unwrap();
        let mut a = vec![
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_dccsim"),
        ];
        a.extend(
            args.iter()
                .map(|&x| if x == TINY_SWEEP[0] { scenario } else { x }),
        );
        let Ok(child) = Command::new("setpriv")
            .args(&a)
            .current_dir(&readable)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        else {
            eprintln!("skipped: running as root without setpriv");
            return;
        };
        finish(child, Duration::from_secs(60), "sweep")
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o444)).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        let o = finish(
            spawn(env!("CARGO_BIN_EXE_dccsim"), &args),
            Duration::from_secs(60),
            "sweep",
        );
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        o
    };
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("writable"), "{err}");
    assert_eq!(runs_in(&store), before, "nothing may run");
}

#[test]
fn a_second_sweep_on_the_same_store_is_refused_and_no_run_is_done_twice() {
    let dir = scratch("store-two");
    let store = dir.join("s.sqlite");
    let s = store.to_str().unwrap();
    // The first sweep, slowed down to one run at a time, creates the store and holds it.
    let first = spawn(
        env!("CARGO_BIN_EXE_dccsim"),
        &sweep_args(s, &["--jobs", "1", "--set", "population.premises=600"]),
    );
    let started = Instant::now();
    while !store.exists() && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(2));
    }
    let second = finish(
        spawn(
            env!("CARGO_BIN_EXE_dccsim"),
            &sweep_args(s, &["--set", "population.premises=600"]),
        ),
        Duration::from_secs(120),
        "second sweep",
    );
    let err = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{err}");
    assert!(err.contains("another dccsim"), "{err}");
    let first = finish(first, Duration::from_secs(300), "first sweep");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("8 ok / 0 failed / 0 skipped"));
    assert_eq!(runs_in(&store), 8);
}

#[test]
fn a_store_failing_the_full_integrity_check_is_refused() {
    let dir = scratch("store-integrity");
    let store = dir.join("s.sqlite");
    let o = tiny_sweep(&store, &["--shard", "0/2"]);
    assert!(o.status.success());
    // An index whose declared column is not the one its entries hold: its pages are sound
    // (`quick_check` passes) but it no longer matches its table (`integrity_check` fails).
    {
        let c = rusqlite::Connection::open(&store).unwrap();
        c.execute_batch("CREATE INDEX by_seed ON runs(seed);")
            .unwrap();
        c.execute_batch(
            "PRAGMA writable_schema = ON; \
             UPDATE sqlite_master SET sql = 'CREATE INDEX by_seed ON runs(point)' \
             WHERE name = 'by_seed'; PRAGMA writable_schema = OFF;",
        )
        .unwrap();
    }
    {
        let c = rusqlite::Connection::open(&store).unwrap();
        let quick: String = c.query_row("PRAGMA quick_check", [], |r| r.get(0)).unwrap();
        assert_eq!(quick, "ok");
    }
    let bytes = std::fs::read(&store).unwrap();
    let o = tiny_sweep(&store, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("damaged"), "{err}");
    assert_eq!(
        std::fs::read(&store).unwrap(),
        bytes,
        "the store was changed"
    );
}

#[test]
fn a_full_disk_is_an_io_error_with_the_tally() {
    let dir = scratch("store-full");
    let store = dir.join("s.sqlite");
    // Files may grow to 96 KiB: the empty store fits, a few runs' rows do not. The shell
    // ignores SIGXFSZ, so a write past the limit fails with EFBIG as on a full disk.
    let mut args = vec![
        "-c".to_string(),
        format!("trap '' XFSZ; ulimit -f 192; exec \"$0\" \"$@\"",),
        env!("CARGO_BIN_EXE_dccsim").to_string(),
    ];
    args.extend(
        sweep_args(store.to_str().unwrap(), &["--jobs", "1"])
            .iter()
            .map(|s| s.to_string()),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = finish(spawn("sh", &args), Duration::from_secs(300), "sweep");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(err.contains("cannot write the results store"), "{err}");
    assert!(err.contains(" ok / 0 failed / 0 skipped / "), "{err}");
    assert!(err.contains("not run"), "{err}");
    assert!(!err.contains("internal error"), "{err}");
}

#[test]
fn a_fifo_as_store_is_refused_without_blocking() {
    let dir = scratch("store-fifo");
    let fifo = dir.join("s.sqlite");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let o = finish(
        spawn(
            env!("CARGO_BIN_EXE_dccsim"),
            &sweep_args(fifo.to_str().unwrap(), &[]),
        ),
        Duration::from_secs(60),
        "sweep on a FIFO",
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("not a regular file"), "{err}");
}
