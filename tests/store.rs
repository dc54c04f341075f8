//! The results store: foreign, corrupt and mismatched stores are refused without being changed;
//! shard stores merge into the whole sweep; `report` aggregates replications per point.

mod common;
use common::{dccsim, scratch};
use std::path::Path;

fn sweep(store: &Path, extra: &[&str]) -> std::process::Output {
    common::tiny_sweep(store, extra)
}

/// Runs a sweep against `store` and checks it is refused with exit 2, a message containing
/// `why`, and the file byte-for-byte as it was (and no journal left beside it).
fn refused(store: &Path, why: &str) {
    let before = std::fs::read(store).unwrap();
    let o = sweep(store, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(why) && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(store).unwrap(),
        before,
        "the store was modified"
    );
    let mut journal = store.as_os_str().to_owned();
    journal.push("-journal");
    assert!(!Path::new(&journal).exists());
}

#[test]
fn foreign_corrupt_and_mismatched_stores_are_refused_unmodified() {
    let dir = scratch("store-refuse");
    let noise = dir.join("noise.sqlite");
    std::fs::write(
        &noise,
        b"these are not the rows you are looking for\n".repeat(100),
    )
    .unwrap();
    refused(&noise, "not an SQLite database");

    let foreign = dir.join("foreign.sqlite");
    let conn = rusqlite::Connection::open(&foreign).unwrap();
    conn.execute_batch("CREATE TABLE birds (name TEXT); INSERT INTO birds VALUES ('wren');")
        .unwrap();
    drop(conn);
    refused(&foreign, "not a dccsim results store");

    let ours = dir.join("ours.sqlite");
    assert!(sweep(&ours, &[]).status.success());
    // Another scenario (here: other overrides) must not write into this store.
    let before = std::fs::read(&ours).unwrap();
    let o = sweep(&ours, &["--set", "dsp.service_time.median=\"50ms\""]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("belongs to another sweep"), "{err}");
    assert_eq!(std::fs::read(&ours).unwrap(), before);

    // Damage in the middle of the file: SQLite's integrity check catches it.
    let corrupt = dir.join("corrupt.sqlite");
    let mut bytes = before.clone();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 4096] {
        *b = 0xA5;
    }
    std::fs::write(&corrupt, &bytes).unwrap();
    refused(&corrupt, "damaged");

    // A store of a newer schema version.
    let newer = dir.join("newer.sqlite");
    std::fs::write(&newer, &before).unwrap();
    let conn = rusqlite::Connection::open(&newer).unwrap();
    conn.execute(
        "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
        [],
    )
    .unwrap();
    drop(conn);
    refused(&newer, "schema version 99");

    // Runs made by another dccsim version: resuming would mix results of two versions.
    let older = dir.join("older.sqlite");
    std::fs::write(&older, &before).unwrap();
    let conn = rusqlite::Connection::open(&older).unwrap();
    conn.execute("UPDATE runs SET version = '0.0.1' WHERE run = 0", [])
        .unwrap();
    drop(conn);
    refused(&older, "made by dccsim 0.0.1");
}

#[test]
fn shard_stores_merge_into_the_whole_sweep_and_report_aggregates() {
    let dir = scratch("store-merge");
    let whole = dir.join("whole.sqlite");
    assert!(sweep(&whole, &[]).status.success());
    let shards: Vec<_> = (0..2)
        .map(|i| dir.join(format!("shard{i}.sqlite")))
        .collect();
    for (i, s) in shards.iter().enumerate() {
        let o = sweep(s, &["--shard", &format!("{i}/2")]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let merged = dir.join("merged.sqlite");
    let mut a = vec!["store", "merge", merged.to_str().unwrap()];
    a.extend(shards.iter().map(|s| s.to_str().unwrap()));
    let o = dccsim(&a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("8 runs added, 8 runs in all"));
    assert_eq!(common::store_rows(&merged), common::store_rows(&whole));
    // Merging a store of another sweep is refused.
    let other = dir.join("other.sqlite");
    let o = sweep(
        &other,
        &[
            "--set",
            "dsp.service_time.median=\"50ms\"",
            "--shard",
            "0/8",
        ],
    );
    assert!(o.status.success());
    let o = dccsim(&[
        "store",
        "merge",
        merged.to_str().unwrap(),
        other.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));

    // The report: one CSV row per point and figure, the mean of the replications.
    let csv = dir.join("agg.csv");
    let o = dccsim(&[
        "report",
        whole.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.contains(
            "point 3: dsp.workers=2 traffic.0.per_premises_per_day=30.0 (2 replications)"
        ),
        "{table}"
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let conn = rusqlite::Connection::open(&whole).unwrap();
    let (mean, n): (f64, i64) = conn
        .query_row(
            "SELECT avg(c.value), count(*) FROM counters c JOIN runs USING (run) \
             WHERE point = 3 AND name = 'sr.completed{region=north,sr=4.1.1}'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(n, 2);
    let row = text
        .lines()
        .find(|l| l.starts_with("3,") && l.contains(",\"sr.completed{region=north,sr=4.1.1}\","))
        .expect("a row for the counter at point 3");
    let cells: Vec<&str> = row.rsplitn(5, ',').collect();
    assert_eq!(cells[3], "2", "{row}");
    assert!(
        (cells[2].parse::<f64>().unwrap() - mean).abs() < 1e-9,
        "{row}"
    );
    let (lo, hi): (f64, f64) = (cells[1].parse().unwrap(), cells[0].parse().unwrap());
    assert!(lo <= mean && mean <= hi, "{row}");
}

/// `(run, point, point_label, replication, digest)` of every ok run, by run.
fn runs_of(store: &Path) -> Vec<(i64, i64, String, i64, String)> {
    let conn =
        rusqlite::Connection::open_with_flags(store, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT run, point, point_label, replication, digest FROM runs \
             WHERE status = 'ok' ORDER BY run",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn tally(o: &std::process::Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    out.lines()
        .find(|l| l.contains(" ok / "))
        .unwrap_or_else(|| panic!("no tally in {out}"))
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn a_store_is_the_sweep_not_the_file_text_and_grows_with_it() {
    let dir = scratch("store-identity");
    let store = dir.join("s.sqlite");
    assert_eq!(tally(&sweep(&store, &[])), "8 ok / 0 failed / 0 skipped");
    let first = runs_of(&store);

    // The same sweep from a copy of the file with a comment added and the layout changed.
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/capacity-sweep.toml"),
    )
    .unwrap();
    let edited = dir.join("capacity-sweep.toml");
    std::fs::write(
        &edited,
        format!("# my notes on this sweep\n\n{text}\n# more notes\n"),
    )
    .unwrap();
    let mut args: Vec<&str> = common::TINY_SWEEP.to_vec();
    args[0] = edited.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut a = vec!["sweep", "--store", store.to_str().unwrap(), "--quiet"];
        a.extend_from_slice(&args);
        a.extend_from_slice(extra);
        dccsim(&a)
    };
    assert_eq!(tally(&run(&[])), "0 ok / 0 failed / 8 skipped");

    // One more replication: only the new runs, and each run is renumbered to its position in
    // the larger expansion (run = point × 3 + replication) with its results unchanged.
    assert_eq!(
        tally(&run(&["--set", "sweep.replications=3"])),
        "4 ok / 0 failed / 8 skipped"
    );
    let grown = runs_of(&store);
    assert_eq!(grown.len(), 12);
    for (run, point, _, rep, _) in &grown {
        assert_eq!(*run, point * 3 + rep);
    }
    for (_, _, label, rep, digest) in &first {
        assert!(
            grown
                .iter()
                .any(|g| g.2 == *label && g.3 == *rep && g.4 == *digest),
            "{label} #{rep} lost or changed"
        );
    }

    // A value added to a swept parameter: the new points only.
    assert_eq!(
        tally(&run(&[
            "--set",
            "sweep.replications=3",
            "--set",
            "sweep.parameter.1.values=[3.0, 30.0, 60.0]"
        ])),
        "6 ok / 0 failed / 12 skipped"
    );
    let o = dccsim(&["report", store.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.matches("(3 replications)").count(), 6, "{out}");

    // Anything else a run depends on makes it another sweep.
    let o = run(&["--set", "population.premises=300"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("belongs to another sweep"));
}
