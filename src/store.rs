//! The results store of a sweep: one SQLite file per campaign (schema in the README).
//!
//! Crash safety: each finished run is written in one transaction (rollback journal, `synchronous
//! = FULL`), so a `kill -9` at any moment leaves every committed run intact and the half-written
//! one absent. A new store is built beside its final name and renamed into place, so a crash
//! while creating it leaves no half-made store. A store that belongs to another scenario, another
//! schema version, or that is not a dccsim store or not intact, is refused before anything is
//! written to it (it is first opened read-only).

use crate::error::CliError;
use dccsim_actors::scenario::{SweepPoint, SweepRun};
use dccsim_reports::ExpectationOutcome;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Bumped whenever a table, a column or the meaning of a value changes; a store of another
/// version is refused. Version 2: `meta.scenario_hash` identifies the sweep (its resolved values
/// less the swept ones), no longer the scenario file's text. Version 3: `latency` gains
/// `within_trt_all` and `late_in_flight`; `min_us`, `mean_us` and `max_us` are exact.
pub const SCHEMA_VERSION: i64 = 3;
/// `meta.app` of every dccsim store.
const APP: &str = "dccsim-results";

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
    run INTEGER PRIMARY KEY,
    point INTEGER NOT NULL,
    point_label TEXT NOT NULL,
    replication INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error TEXT,
    digest TEXT,
    events INTEGER,
    sim_end_us INTEGER,
    in_flight_at_end INTEGER,
    expectations_failed INTEGER,
    version TEXT NOT NULL,
    wall_seconds REAL NOT NULL
);
CREATE TABLE parameters (
    run INTEGER NOT NULL REFERENCES runs(run),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    number REAL,
    PRIMARY KEY (run, key)
);
CREATE TABLE counters (
    run INTEGER NOT NULL REFERENCES runs(run),
    name TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (run, name)
);
CREATE TABLE latency (
    run INTEGER NOT NULL REFERENCES runs(run),
    flow TEXT NOT NULL,
    count INTEGER NOT NULL,
    min_us INTEGER, mean_us INTEGER, p50_us INTEGER, p90_us INTEGER, p99_us INTEGER,
    p999_us INTEGER, max_us INTEGER, trt_us INTEGER, within_trt REAL,
    within_trt_all REAL, late_in_flight INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run, flow)
);
CREATE TABLE gauges_final (
    run INTEGER NOT NULL REFERENCES runs(run),
    name TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (run, name)
);
CREATE TABLE scalars (
    run INTEGER NOT NULL REFERENCES runs(run),
    name TEXT NOT NULL,
    value REAL,
    PRIMARY KEY (run, name)
);
CREATE TABLE series (
    run INTEGER NOT NULL REFERENCES runs(run),
    name TEXT NOT NULL,
    time_us INTEGER NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (run, name, time_us)
);
CREATE TABLE expectations (
    run INTEGER NOT NULL REFERENCES runs(run),
    position INTEGER NOT NULL,
    expected TEXT NOT NULL,
    actual TEXT NOT NULL,
    passed INTEGER NOT NULL,
    PRIMARY KEY (run, position)
);
";

/// Tables holding per-run rows, keyed by `run` (all but `meta`).
pub const RUN_TABLES: [&str; 8] = [
    "runs",
    "parameters",
    "counters",
    "latency",
    "gauges_final",
    "scalars",
    "series",
    "expectations",
];

/// Which campaign a store belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub scenario: String,
    /// The sweep's identity hash (kept in `meta.scenario_hash`): the resolved scenario's values
    /// without the `[sweep]` section and the swept keys' values, with the list of swept keys.
    pub scenario_hash: String,
}

/// The results of one finished run, as the store keeps them.
pub struct RunRecord {
    pub run: SweepRun,
    pub point_label: String,
    /// `(key, value as TOML)` of the sweep point.
    pub parameters: Vec<(String, String)>,
    pub version: String,
    pub wall_seconds: f64,
    /// The run's results, or why it failed.
    pub outcome: Result<RunData, String>,
}

/// What a successful run produced.
pub struct RunData {
    /// The run's `summary.json`, parsed (counters, latency, gauges, scalars, digest).
    pub summary: serde_json::Value,
    /// `(gauge, time_us, value)` samples.
    pub series: Vec<(String, u64, i64)>,
    pub expectations: Vec<ExpectationOutcome>,
}

pub struct Store {
    conn: Connection,
    pub path: PathBuf,
    /// Held while the store is open: no other dccsim writes to it meanwhile.
    _lock: crate::store_lock::StoreLock,
}

/// Refuses (without blocking: `open()` of a FIFO waits for a writer) anything at `path` that is
/// not a regular file: a folder, a FIFO, a device, a socket.
fn refuse_non_regular(path: &Path) -> Result<(), CliError> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(bad(
            path,
            "is not a regular file (a folder, a FIFO or a device); a results store is an SQLite \
             file: give another --store",
        )),
        _ => Ok(()),
    }
}

fn bad(path: &Path, m: impl std::fmt::Display) -> CliError {
    CliError::BadInput(format!("{}: {m}", path.display()))
}

fn sql(path: &Path) -> impl Fn(rusqlite::Error) -> CliError + '_ {
    move |e| {
        use rusqlite::ErrorCode::*;
        let io = matches!(
            e.sqlite_error_code(),
            Some(DiskFull | SystemIoFailure | ReadOnly | CannotOpen | FileLockingProtocolFailed)
        );
        if io {
            CliError::Io(format!(
                "cannot write the results store {}: {e}",
                path.display()
            ))
        } else {
            CliError::Internal(format!("results store {}: {e}", path.display()))
        }
    }
}

/// Checks that `path` is an intact dccsim store of this schema version, without writing to it;
/// returns its identity.
pub fn inspect(path: &Path) -> Result<Identity, CliError> {
    const REFUSED: &str = "refusing to use it; nothing was changed";
    refuse_non_regular(path)?;
    let mut header = [0u8; 16];
    let read = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut header))
        .map_err(|e| bad(path, format!("cannot read the results store: {e}")))?;
    if read < 16 || &header != b"SQLite format 3\0" {
        return Err(bad(
            path,
            format!("is not a results store (not an SQLite database); {REFUSED}"),
        ));
    }
    // A leftover journal means a crash mid-write: opening read-write lets SQLite roll the
    // unfinished run back, restoring the last committed state.
    let mut journal = path.as_os_str().to_owned();
    journal.push("-journal");
    let flags = if Path::new(&journal).exists() {
        OpenFlags::SQLITE_OPEN_READ_WRITE
    } else {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    };
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(
        |e| {
            bad(
                path,
                format!("cannot open the results store: {e}; {REFUSED}"),
            )
        },
    )?;
    // The full check (b-trees, and every index against its table), not `quick_check`.
    let check: Result<String, _> = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0));
    match check {
        Ok(ok) if ok == "ok" => {}
        Ok(problem) => {
            return Err(bad(
                path,
                format!("the results store is damaged ({problem}); {REFUSED}"),
            ))
        }
        Err(e) => {
            return Err(bad(
                path,
                format!("the results store is damaged or not a database ({e}); {REFUSED}"),
            ))
        }
    }
    let meta = |key: &str| -> Option<String> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .ok()
            .flatten()
    };
    if meta("app").as_deref() != Some(APP) {
        return Err(bad(
            path,
            format!("is an SQLite database but not a dccsim results store; {REFUSED}"),
        ));
    }
    let version = meta("schema_version").unwrap_or_default();
    if version != SCHEMA_VERSION.to_string() {
        return Err(bad(
            path,
            format!(
                "the results store has schema version {version}, this dccsim reads version \
                 {SCHEMA_VERSION}; {REFUSED} (use a new --store file)"
            ),
        ));
    }
    match (meta("scenario"), meta("scenario_hash")) {
        (Some(scenario), Some(scenario_hash)) => Ok(Identity {
            scenario,
            scenario_hash,
        }),
        _ => Err(bad(
            path,
            format!("the results store has no scenario identity; {REFUSED}"),
        )),
    }
}

impl Store {
    /// Opens the store at `path` for `identity`'s campaign, creating it if absent; refuses a
    /// store of another scenario (or resolved parameters) without changing it.
    pub fn open(path: &Path, identity: &Identity) -> Result<Store, CliError> {
        refuse_non_regular(path)?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| bad(path, format!("cannot create its folder: {e}")))?;
        }
        crate::store_lock::remove_stale_temporaries(path);
        let lock = crate::store_lock::StoreLock::take(path)?;
        crate::store_lock::check_writable(path)?;
        if path.exists() {
            let found = inspect(path)?;
            if found != *identity {
                return Err(bad(
                    path,
                    format!(
                        "the results store belongs to another sweep (scenario \"{}\", hash \
                         {}…), not this one (scenario \"{}\", hash {}…); refusing to use it; \
                         nothing was changed. Give a new --store file; a store is kept by the \
                         same scenario values outside the swept keys (comments, more \
                         replications and more swept values are fine)",
                        found.scenario,
                        &found.scenario_hash[..12.min(found.scenario_hash.len())],
                        identity.scenario,
                        &identity.scenario_hash[..12.min(identity.scenario_hash.len())],
                    ),
                ));
            }
        } else {
            create(path, identity)?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql(path))?;
        // Runs of one campaign come from one dccsim version, or their results could differ.
        let other: Option<String> = conn
            .query_row(
                "SELECT version FROM runs WHERE version != ?1 LIMIT 1",
                [env!("CARGO_PKG_VERSION")],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql(path))?;
        if let Some(other) = other {
            return Err(bad(
                path,
                format!(
                    "the results store holds runs made by dccsim {other}, this is dccsim {}; \
                     mixing versions in one campaign could mix results, so refusing to use it; \
                     nothing was changed (use a new --store file)",
                    env!("CARGO_PKG_VERSION")
                ),
            ));
        }
        if conn
            .is_readonly(rusqlite::DatabaseName::Main)
            .unwrap_or(false)
        {
            return Err(bad(
                path,
                "the results store is read-only; refusing to start a sweep that could not \
                 record its runs (make it writable, or give a new --store file)",
            ));
        }
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(sql(path))?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            _lock: lock,
        })
    }

    /// Renumbers the stored runs to `runs`, the sweep's whole expansion (all shards), when it
    /// changed since they were recorded (more replications, values added or removed): each run
    /// is known by its point's parameters and its replication, which also fix its seed, so
    /// `run` and `point` become its position in the new expansion. Runs the expansion no longer
    /// has keep their results, numbered after its end. Returns how many runs moved.
    pub fn align(&mut self, runs: &[SweepRun], points: &[SweepPoint]) -> Result<usize, CliError> {
        let path = self.path.clone();
        let labels: std::collections::BTreeMap<String, usize> =
            points.iter().map(|p| (p.label(), p.index)).collect();
        let wanted: std::collections::BTreeMap<(usize, u32), usize> = runs
            .iter()
            .map(|r| ((r.point, r.replication), r.index))
            .collect();
        let stored: Vec<(i64, i64, String, i64)> = {
            let mut stmt = self
                .conn
                .prepare("SELECT run, point, point_label, replication FROM runs ORDER BY run")
                .map_err(sql(&path))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .map_err(sql(&path))?;
            rows.collect::<Result<_, _>>().map_err(sql(&path))?
        };
        let mut next_run = runs.len() as i64;
        let mut extra_points: std::collections::BTreeMap<String, i64> = Default::default();
        let mut moves = Vec::new(); // (old run, new run, new point)
        let mut repointed = 0;
        for (run, old_point, label, rep) in stored {
            let point = labels.get(&label).copied();
            let target = point.and_then(|p| wanted.get(&(p, rep as u32)).copied());
            let (new_run, new_point) = match (target, point) {
                (Some(r), Some(p)) => (r as i64, p as i64),
                _ => {
                    let extra = extra_points.len() as i64;
                    let p = *extra_points
                        .entry(label)
                        .or_insert(points.len() as i64 + extra);
                    next_run += 1;
                    (next_run - 1, p)
                }
            };
            repointed += usize::from(old_point != new_point);
            moves.push((run, new_run, new_point));
        }
        let moved = moves.iter().filter(|(old, new, _)| old != new).count();
        if moved == 0 && repointed == 0 {
            return Ok(0);
        }
        let tx = self.conn.transaction().map_err(sql(&path))?;
        (|| -> rusqlite::Result<()> {
            tx.execute_batch("PRAGMA defer_foreign_keys = ON;")?;
            if moved > 0 {
                for table in RUN_TABLES {
                    tx.execute(&format!("UPDATE {table} SET run = -1 - run"), [])?;
                }
                for table in RUN_TABLES {
                    let mut stmt =
                        tx.prepare(&format!("UPDATE {table} SET run = ?1 WHERE run = ?2"))?;
                    for (old, new, _) in &moves {
                        stmt.execute(params![new, -1 - old])?;
                    }
                }
            }
            let mut stmt = tx.prepare("UPDATE runs SET point = ?1 WHERE run = ?2")?;
            for (_, new, point) in &moves {
                stmt.execute(params![point, new])?;
            }
            Ok(())
        })()
        .map_err(sql(&path))?;
        tx.commit().map_err(sql(&path))?;
        Ok(moved)
    }

    /// Runs already complete (status ok): a resumed sweep skips them.
    pub fn completed(&self) -> Result<BTreeSet<usize>, CliError> {
        let mut stmt = self
            .conn
            .prepare("SELECT run FROM runs WHERE status = 'ok'")
            .map_err(sql(&self.path))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, i64>(0))
            .map_err(sql(&self.path))?;
        rows.map(|r| r.map(|n| n as usize))
            .collect::<Result<_, _>>()
            .map_err(sql(&self.path))
    }

    /// Writes one finished run (replacing an earlier failed attempt) in one transaction.
    pub fn record(&mut self, rec: &RunRecord) -> Result<(), CliError> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(sql(&path))?;
        write_record(&tx, rec).map_err(sql(&path))?;
        tx.commit().map_err(sql(&path))
    }
}

/// Builds a new empty store at a temporary name and renames it into place.
fn create(path: &Path, identity: &Identity) -> Result<(), CliError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| bad(path, format!("cannot create its folder: {e}")))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    let _cleanup = crate::interrupt::Temporary::new(&tmp);
    let made = (|| -> rusqlite::Result<()> {
        let conn = Connection::open(&tmp)?;
        conn.execute_batch("PRAGMA synchronous = FULL;")?;
        conn.execute_batch(&format!("BEGIN; {SCHEMA} COMMIT;"))?;
        let mut put = conn.prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)")?;
        put.execute(["app", APP])?;
        put.execute(["schema_version", &SCHEMA_VERSION.to_string()])?;
        put.execute(["scenario", &identity.scenario])?;
        put.execute(["scenario_hash", &identity.scenario_hash])?;
        put.execute(["created_by", env!("CARGO_PKG_VERSION")])?;
        Ok(())
    })();
    let done = made
        .map_err(|e| bad(path, format!("cannot create the results store: {e}")))
        .and_then(|()| {
            std::fs::File::open(&tmp)
                .and_then(|f| f.sync_all())
                // Under the store's lock: no other dccsim can have made a store here meanwhile.
                .and_then(|()| std::fs::rename(&tmp, path))
                .map_err(|e| bad(path, format!("cannot create the results store: {e}")))
        });
    let _ = std::fs::remove_file(&tmp);
    done
}

fn write_record(tx: &rusqlite::Transaction<'_>, rec: &RunRecord) -> rusqlite::Result<()> {
    let run = rec.run.index as i64;
    for table in RUN_TABLES.iter().rev() {
        tx.execute(&format!("DELETE FROM {table} WHERE run = ?1"), [run])?;
    }
    let (status, error, data) = match &rec.outcome {
        Ok(d) => ("ok", None, Some(d)),
        Err(e) => ("failed", Some(e.as_str()), None),
    };
    let s = data.map(|d| &d.summary);
    let int = |key: &str| s.and_then(|s| s[key].as_i64());
    tx.execute(
        "INSERT INTO runs (run, point, point_label, replication, seed, status, error, digest, \
         events, sim_end_us, in_flight_at_end, expectations_failed, version, wall_seconds) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            run,
            rec.run.point as i64,
            rec.point_label,
            rec.run.replication,
            rec.run.seed as i64,
            status,
            error,
            s.and_then(|s| s["digest"].as_str()),
            int("events"),
            int("sim_end_us"),
            int("in_flight_at_end"),
            data.map(|d| d.expectations.iter().filter(|e| !e.passed).count() as i64),
            rec.version,
            rec.wall_seconds,
        ],
    )?;
    let mut p =
        tx.prepare("INSERT INTO parameters (run, key, value, number) VALUES (?1, ?2, ?3, ?4)")?;
    for (k, v) in &rec.parameters {
        p.execute(params![run, k, v, v.parse::<f64>().ok()])?;
    }
    let Some(d) = data else {
        return Ok(());
    };
    let object = |key: &str| d.summary[key].as_object().cloned().unwrap_or_default();
    let mut c = tx.prepare("INSERT INTO counters (run, name, value) VALUES (?1, ?2, ?3)")?;
    for (name, v) in object("counters") {
        c.execute(params![run, name, v.as_i64()])?;
    }
    let mut l = tx.prepare(
        "INSERT INTO latency (run, flow, count, min_us, mean_us, p50_us, p90_us, p99_us, \
         p999_us, max_us, trt_us, within_trt, within_trt_all, late_in_flight) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?;
    for (flow, st) in object("latency") {
        let i = |k: &str| st[k].as_i64();
        l.execute(params![
            run,
            flow,
            i("count").unwrap_or(0),
            i("min_us"),
            i("mean_us"),
            i("p50_us"),
            i("p90_us"),
            i("p99_us"),
            i("p999_us"),
            i("max_us"),
            i("trt_us"),
            st["within_trt"].as_f64(),
            st["within_trt_all"].as_f64(),
            i("late_in_flight").unwrap_or(0)
        ])?;
    }
    let mut g = tx.prepare("INSERT INTO gauges_final (run, name, value) VALUES (?1, ?2, ?3)")?;
    for (name, v) in object("gauges_final") {
        g.execute(params![run, name, v.as_i64()])?;
    }
    let mut sc = tx.prepare("INSERT INTO scalars (run, name, value) VALUES (?1, ?2, ?3)")?;
    for (name, v) in object("scalars") {
        sc.execute(params![run, name, v.as_f64()])?;
    }
    let mut se =
        tx.prepare("INSERT INTO series (run, name, time_us, value) VALUES (?1, ?2, ?3, ?4)")?;
    for (name, t, v) in &d.series {
        se.execute(params![run, name, *t as i64, v])?;
    }
    let mut e = tx.prepare(
        "INSERT INTO expectations (run, position, expected, actual, passed) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, x) in d.expectations.iter().enumerate() {
        e.execute(params![run, i as i64, x.expected, x.actual, x.passed])?;
    }
    Ok(())
}

/// `dccsim store merge OUT IN...`: copies into OUT every run of the inputs that OUT lacks (or
/// has only as failed). All stores must belong to the same sweep.
pub fn merge(out: &Path, inputs: &[PathBuf]) -> Result<ExitCode, CliError> {
    let mut identity: Option<(Identity, &Path)> = None;
    for input in inputs {
        if input == out {
            return Err(bad(input, "is also the output of the merge; name it once"));
        }
        let id = inspect(input)?;
        match &identity {
            Some((first, from)) if *first != id => {
                return Err(bad(
                    input,
                    format!(
                        "belongs to another sweep than {} (scenario \"{}\" vs \"{}\", or other \
                         parameters); stores of different sweeps cannot be merged",
                        from.display(),
                        id.scenario,
                        first.scenario
                    ),
                ))
            }
            Some(_) => {}
            None => identity = Some((id, input)),
        }
    }
    let (identity, _) = identity.expect("at least one input (clap requires it)");
    let mut store = Store::open(out, &identity)?;
    let mut added = 0usize;
    for input in inputs {
        let path = store.path.clone();
        let conn = &mut store.conn;
        conn.execute("ATTACH DATABASE ?1 AS src", [input.to_string_lossy()])
            .map_err(sql(&path))?;
        let clash: rusqlite::Result<i64> = conn.query_row(
            "SELECT count(*) FROM src.runs s JOIN main.runs m ON m.run = s.run \
             WHERE m.point_label != s.point_label OR m.replication != s.replication",
            [],
            |r| r.get(0),
        );
        if clash.as_ref().is_ok_and(|n| *n > 0) {
            let _ = conn.execute("DETACH DATABASE src", []);
            return Err(bad(
                input,
                "numbers its runs differently (the sweep was extended in one of the stores); \
                 run `dccsim sweep` with the whole sweep into each store first, so both number \
                 their runs alike, then merge",
            ));
        }
        let copied = (|| -> rusqlite::Result<usize> {
            let tx = conn.transaction()?;
            tx.execute_batch(
                "CREATE TEMP TABLE pick AS SELECT s.run FROM src.runs s \
                 LEFT JOIN main.runs m ON m.run = s.run \
                 WHERE m.run IS NULL OR (m.status = 'failed' AND s.status = 'ok');",
            )?;
            let n: i64 = tx.query_row("SELECT count(*) FROM pick", [], |r| r.get(0))?;
            for table in RUN_TABLES.iter().rev() {
                tx.execute(
                    &format!("DELETE FROM main.{table} WHERE run IN (SELECT run FROM pick)"),
                    [],
                )?;
            }
            for table in RUN_TABLES {
                tx.execute(
                    &format!(
                        "INSERT INTO main.{table} SELECT * FROM src.{table} \
                         WHERE run IN (SELECT run FROM pick)"
                    ),
                    [],
                )?;
            }
            tx.execute_batch("DROP TABLE temp.pick;")?;
            tx.commit()?;
            Ok(n as usize)
        })();
        conn.execute("DETACH DATABASE src", [])
            .map_err(sql(&path))?;
        added += copied.map_err(sql(&path))?;
    }
    let total: i64 = store
        .conn
        .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
        .map_err(sql(&store.path))?;
    println!(
        "merged {} stores into {}: {added} runs added, {total} runs in all",
        inputs.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
