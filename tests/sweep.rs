//! `dccsim sweep`: expansion (grid, zip, ranges, replications, seeds), a run in a sweep equals
//! the same run alone, and a sweep killed with SIGKILL then resumed gives the same store as one
//! that was never interrupted.

mod common;
use common::{dccsim, scratch};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SWEEP: &str = "scenarios/capacity-sweep.toml";

/// The capacity sweep shrunk for a debug build: 2 workers × 2 rates × 2 replications.
const SMALL: &[&str] = &[
    "--set",
    "population.premises=400",
    "--set",
    "sweep.replications=2",
    "--set",
    "sweep.parameter.1.values=[3.0, 30.0]",
];

fn args<'a>(head: &[&'a str], tail: &[&'a str]) -> Vec<&'a str> {
    head.iter().chain(tail).copied().collect()
}

/// `--list` rows: (run, point, replication, seed, parameters).
fn list(extra: &[&str]) -> Vec<(usize, usize, u32, u64, String)> {
    let o = dccsim(&args(&["sweep", SWEEP, "--list"], extra));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                f[3].parse().unwrap(),
                f[4].to_string(),
            )
        })
        .collect()
}

#[test]
fn grid_ranges_and_replications_expand_with_distinct_stable_seeds() {
    let runs = list(&[]);
    // 2 worker counts × a range of 10 rates (6.0 to 60.0 step 6.0) × 3 replications.
    assert_eq!(runs.len(), 2 * 10 * 3);
    let points: BTreeSet<&str> = runs.iter().map(|r| r.4.as_str()).collect();
    assert_eq!(points.len(), 20);
    assert!(points.contains("dsp.workers=2 traffic.0.per_premises_per_day=60.0"));
    assert!(points.contains("dsp.workers=1 traffic.0.per_premises_per_day=6.0"));
    let seeds: BTreeSet<u64> = runs.iter().map(|r| r.3).collect();
    assert_eq!(seeds.len(), runs.len(), "every run has its own seed");
    assert_eq!(runs, list(&[]), "the expansion and seeds are stable");
    // Another scenario seed gives other run seeds.
    let reseeded = list(&["--set", "scenario.seed=12"]);
    assert!(reseeded.iter().zip(&runs).all(|(a, b)| a.3 != b.3));
}

#[test]
fn zip_pairs_values_and_shards_partition_the_runs() {
    let zip = list(&[
        "--set",
        "sweep.combine=zip",
        "--set",
        "sweep.parameter.1.values=[3.0, 6.0]",
        "--set",
        "sweep.replications=1",
    ]);
    let labels: Vec<&str> = zip.iter().map(|r| r.4.as_str()).collect();
    assert_eq!(
        labels,
        [
            "dsp.workers=1 traffic.0.per_premises_per_day=3.0",
            "dsp.workers=2 traffic.0.per_premises_per_day=6.0",
        ]
    );
    let all = list(&[]);
    let mut joined: Vec<_> = (0..4)
        .flat_map(|i| list(&["--shard", &format!("{i}/4")]))
        .collect();
    joined.sort();
    assert_eq!(joined, all, "the shards together are the whole sweep, once");
    assert!(list(&["--shard", "1/4"]).iter().all(|r| r.0 % 4 == 1));
}

#[test]
fn a_sweep_run_has_the_digest_of_the_same_run_alone() {
    let dir = scratch("sweep-digest");
    let store = dir.join("s.sqlite");
    let o = dccsim(&args(
        &[
            "sweep",
            SWEEP,
            "--store",
            store.to_str().unwrap(),
            "--quiet",
        ],
        SMALL,
    ));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("8 ok / 0 failed / 0 skipped"), "{out}");

    let conn = rusqlite::Connection::open(&store).unwrap();
    let (seed, digest, workers): (i64, String, String) = conn
        .query_row(
            "SELECT seed, digest, (SELECT value FROM parameters p WHERE p.run = r.run AND \
             key = 'dsp.workers') FROM runs r WHERE run = 7",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let alone = dir.join("alone");
    let rate = if conn
        .query_row("SELECT point_label FROM runs WHERE run = 7", [], |r| {
            r.get::<_, String>(0)
        })
        .unwrap()
        .ends_with("=30.0")
    {
        "30.0"
    } else {
        "3.0"
    };
    let o = dccsim(&[
        "run",
        SWEEP,
        "--quiet",
        "--out",
        alone.to_str().unwrap(),
        "--seed",
        &seed.to_string(),
        "--set",
        "population.premises=400",
        "--set",
        &format!("dsp.workers={workers}"),
        "--set",
        &format!("traffic.0.per_premises_per_day={rate}"),
    ]);
    let summary = common::summary(&alone);
    assert_eq!(summary["digest"].as_str().unwrap(), digest, "{o:?}");
    // The store's counters are the run's.
    let requested: i64 = conn
        .query_row(
            "SELECT sum(value) FROM counters WHERE run = 7 AND name LIKE 'sr.requested%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        requested as u64,
        common::counter_sum(&summary, "sr.requested")
    );
    // A rerun skips every completed run.
    let o = dccsim(&args(
        &[
            "sweep",
            SWEEP,
            "--store",
            store.to_str().unwrap(),
            "--quiet",
        ],
        SMALL,
    ));
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 ok / 0 failed / 8 skipped"));
}

/// Starts a sweep of `SMALL` plus `extra` into `store` in the background, and returns it once
/// the store holds `runs` runs.
fn sweep_until(store: &Path, extra: &[&str], runs: i64) -> std::process::Child {
    let mut a = args(
        &[
            "sweep",
            SWEEP,
            "--store",
            store.to_str().unwrap(),
            "--quiet",
            "--jobs",
            "1",
        ],
        SMALL,
    );
    a.extend_from_slice(extra);
    let child = Command::new(env!("CARGO_BIN_EXE_dccsim"))
        .args(a)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while completed(store) < runs && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

fn completed(store: &Path) -> i64 {
    rusqlite::Connection::open_with_flags(store, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| c.query_row("SELECT count(*) FROM runs", [], |r| r.get(0)))
        .unwrap_or(0)
}

#[test]
fn killed_with_sigkill_then_resumed_equals_uninterrupted() {
    let dir = scratch("sweep-kill");
    let whole = dir.join("whole.sqlite");
    let killed = dir.join("killed.sqlite");
    // Sixteen runs, killed after three: thirteen runs of margin, so a slow or busy machine still
    // kills the sweep mid-way.
    const MORE: &[&str] = &["--set", "sweep.replications=4"];
    let small_more: Vec<&str> = SMALL.iter().chain(MORE).copied().collect();
    let o = dccsim(&args(
        &[
            "sweep",
            SWEEP,
            "--store",
            whole.to_str().unwrap(),
            "--quiet",
            "--jobs",
            "2",
        ],
        &small_more,
    ));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let mut child = sweep_until(&killed, MORE, 3);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let at_kill = completed(&killed);
    assert!(
        (3..16).contains(&at_kill),
        "killed after {at_kill} of 16 runs: not mid-way"
    );

    let o = dccsim(&args(
        &[
            "sweep",
            SWEEP,
            "--store",
            killed.to_str().unwrap(),
            "--quiet",
        ],
        &small_more,
    ));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&format!(
            "{} ok / 0 failed / {at_kill} skipped",
            16 - at_kill
        )),
        "{out}"
    );
    assert_eq!(common::store_rows(&killed), common::store_rows(&whole));
}

#[test]
fn bad_sweeps_are_bad_input_and_run_nothing() {
    let dir = scratch("sweep-bad");
    let store = dir.join("s.sqlite");
    let s = store.to_str().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["sweep", "scenarios/quickstart.toml", "--store", s], "has no [sweep]"),
        (&["sweep", SWEEP, "--store", s, "--shard", "4/4"], "--shard 4/4"),
        (&["sweep", SWEEP, "--store", s, "--jobs", "0"], "--jobs"),
        (
            &["sweep", SWEEP, "--store", s, "--set", "sweep.parameter.0.key=dsp.wrokers"],
            "at sweep point `dsp.wrokers=1 traffic.0.per_premises_per_day=6.0`: unknown key `wrokers`",
        ),
        (
            &["sweep", SWEEP, "--store", s, "--set", "sweep.parameter.0.values=[1, 0]"],
            "at sweep point `dsp.workers=0",
        ),
    ];
    for (a, message) in cases {
        let o = dccsim(a);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{a:?}: {err}");
        assert!(err.contains(message), "{a:?}: {err}");
        assert!(!store.exists(), "{a:?} created a store");
    }
    // The located error points into the scenario file when the file itself is wrong.
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SWEEP))
        .unwrap()
        .replace("key = \"dsp.workers\"", "key = \"dsp.wokers\"");
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, &text).unwrap();
    let line = text.lines().position(|l| l.contains("dsp.wokers")).unwrap() + 1;
    let o = dccsim(&["sweep", bad.to_str().unwrap(), "--list"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains(&format!("bad.toml:{line}:7: at sweep point")),
        "{err}"
    );
    assert!(err.contains("did you mean `workers`"), "{err}");
}

#[test]
fn ctrl_c_stops_cleanly_and_a_rerun_resumes() {
    let dir = scratch("sweep-int");
    let store = dir.join("s.sqlite");
    // Ten runs in the shard, interrupted after two: the signal cannot lose a race with the last
    // runs however slow this machine is at sending it.
    const MORE: &[&str] = &["--set", "sweep.replications=5", "--shard", "0/2"];
    let child = sweep_until(&store, MORE, 2);
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let o = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(130), "{out}");
    assert!(
        out.contains("not run (interrupted; rerun to resume)"),
        "{out}"
    );
    let recorded = completed(&store);
    assert!(recorded < 10, "{out}");
    let mut again = args(
        &[
            "sweep",
            SWEEP,
            "--store",
            store.to_str().unwrap(),
            "--quiet",
        ],
        SMALL,
    );
    again.extend_from_slice(MORE);
    let o = dccsim(&again);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&format!(
            "{} ok / 0 failed / {recorded} skipped",
            10 - recorded
        )),
        "{out}"
    );
}
