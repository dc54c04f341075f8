//! `dccsim report STORE --html [--out FILE]`: the sweep page of a results store — every figure
//! against each swept parameter, with 95 % confidence bars — written atomically beside the store
//! (`runs/capacity-sweep.sqlite` → `runs/capacity-sweep.html`) or to `FILE`.

use crate::error::CliError;
use crate::report_store::read;
use dccsim_reports::{
    sweep_html, Estimate, FailedRun, PointOutcome, SweepExpectation, SweepPoint, SweepReport,
    SweptParameter, SweptValue,
};
use rusqlite::{Connection, OpenFlags};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The page's default path: the store's with the extension `.html`.
pub fn default_page_path(store: &Path) -> PathBuf {
    store.with_extension("html")
}

/// Reads the store at `path` (refusing anything but an intact dccsim store with completed runs)
/// and writes its sweep page to `out`, or beside the store.
pub fn report_sweep_html(path: &Path, out: Option<&Path>) -> Result<ExitCode, CliError> {
    let identity = crate::store::inspect(path)?;
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| CliError::BadInput(format!("{}: {e}", path.display())))?;
    let failed =
        |e: rusqlite::Error| CliError::Internal(format!("reading {}: {e}", path.display()));
    let report = sweep_report(&conn, path, identity).map_err(failed)?;
    if report.runs_ok == 0 {
        return Err(CliError::BadInput(format!(
            "{}: the results store has no completed runs ({} failed), so there is no sweep to \
             draw; run `dccsim sweep SCENARIO --store {}` first",
            path.display(),
            report.failed.len(),
            path.display()
        )));
    }
    let page = sweep_html(&report);
    let target = out.map_or_else(|| default_page_path(path), Path::to_path_buf);
    write_atomically(&target, page.as_bytes())?;
    println!(
        "sweep report {} ({} runs ok, {} failed, {} points × {} parameters)",
        target.display(),
        report.runs_ok,
        report.failed.len(),
        report.points.len(),
        report.parameters.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes `bytes` to a temporary file beside `target` and renames it into place, so a reader
/// never sees half a page and a failure leaves any earlier page as it was.
fn write_atomically(target: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let mut tmp = target.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let fail = |e: std::io::Error| {
        let _ = std::fs::remove_file(&tmp);
        CliError::BadInput(format!("{}: cannot write the page: {e}", target.display()))
    };
    std::fs::write(&tmp, bytes).map_err(fail)?;
    std::fs::rename(&tmp, target).map_err(fail)
}

/// Each `[[expect]]` recorded in the store, in position order, with every point's outcome.
fn expectations(conn: &Connection) -> rusqlite::Result<Vec<SweepExpectation>> {
    let mut stmt = conn.prepare(
        "SELECT e.position, e.expected, r.point, e.actual, e.passed FROM expectations e \
         JOIN runs r USING (run) WHERE r.status = 'ok' ORDER BY e.position, r.run",
    )?;
    /// Per point: runs passed, the values read, runs.
    type Tally = BTreeMap<i64, (usize, Vec<f64>, usize)>;
    let mut by_position: BTreeMap<i64, (String, Tally)> = BTreeMap::new();
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, bool>(4)?,
        ))
    })? {
        let (position, expected, point, actual, passed) = row?;
        let entry = by_position
            .entry(position)
            .or_insert_with(|| (expected, BTreeMap::new()));
        let (ok, values, runs) = entry.1.entry(point).or_default();
        *ok += usize::from(passed);
        *runs += 1;
        if let Ok(v) = actual.trim().parse::<f64>() {
            values.push(v);
        }
    }
    Ok(by_position
        .into_values()
        .map(|(expected, points)| {
            let (figure, threshold) = SweepExpectation::parse(&expected);
            SweepExpectation {
                expected,
                figure,
                threshold,
                points: points
                    .into_iter()
                    .map(|(point, (passed, values, runs))| {
                        let actual =
                            (values.len() == runs && runs > 0).then(|| Estimate::of(&values));
                        (
                            point,
                            PointOutcome {
                                passed,
                                runs,
                                actual,
                            },
                        )
                    })
                    .collect(),
            }
        })
        .collect())
}

pub(crate) fn sweep_report(
    conn: &Connection,
    path: &Path,
    identity: crate::store::Identity,
) -> rusqlite::Result<SweepReport> {
    let version: String = conn
        .query_row("SELECT value FROM meta WHERE key = 'created_by'", [], |r| {
            r.get(0)
        })
        .unwrap_or_default();
    let (runs_ok, max_run, replications): (i64, Option<i64>, Option<i64>) = conn.query_row(
        "SELECT count(*) FILTER (WHERE status = 'ok'), max(run), max(replication) + 1 FROM runs",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let recorded: i64 = conn.query_row("SELECT count(*) FROM runs", [], |r| r.get(0))?;
    let mut stmt = conn.prepare(
        "SELECT run, point_label, replication, seed, coalesce(error, '') FROM runs \
         WHERE status = 'failed' ORDER BY run",
    )?;
    let failed = stmt
        .query_map([], |r| {
            Ok(FailedRun {
                run: r.get(0)?,
                point_label: r.get(1)?,
                replication: r.get(2)?,
                seed: r.get::<_, i64>(3)? as u64,
                error: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    // Each point's parameters, from its first completed run, in the order of its label.
    let mut stmt = conn.prepare(
        "SELECT r.point, r.point_label, p.key, p.value, p.number FROM parameters p \
         JOIN runs r USING (run) WHERE r.status = 'ok' AND r.run = \
         (SELECT min(run) FROM runs WHERE point = r.point AND status = 'ok') \
         ORDER BY r.point",
    )?;
    let mut point_params: BTreeMap<i64, (String, Vec<(String, SweptValue)>)> = BTreeMap::new();
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            SweptValue {
                text: r.get(3)?,
                number: r.get(4)?,
            },
        ))
    })? {
        let (point, label, key, value) = row?;
        point_params
            .entry(point)
            .or_insert_with(|| (label, Vec::new()))
            .1
            .push((key, value));
    }
    let mut parameters: Vec<SweptParameter> = Vec::new();
    for (label, params) in point_params.values_mut() {
        // Sweep order: where each `key=` appears in the point's label.
        params.sort_by_key(|(k, _)| label.find(&format!("{k}=")).unwrap_or(usize::MAX));
        for (key, value) in params.iter() {
            let at = match parameters.iter().position(|p| p.key == *key) {
                Some(at) => at,
                None => {
                    parameters.push(SweptParameter {
                        key: key.clone(),
                        values: Vec::new(),
                    });
                    parameters.len() - 1
                }
            };
            if !parameters[at].values.contains(value) {
                parameters[at].values.push(value.clone());
            }
        }
    }
    let points = read(conn)?
        .into_iter()
        .map(|(index, p)| {
            let own = point_params.get(&index).map_or(&[][..], |x| &x.1[..]);
            let values = parameters
                .iter()
                .map(|param| {
                    own.iter()
                        .find(|(k, _)| *k == param.key)
                        .and_then(|(_, v)| param.values.iter().position(|x| x == v))
                        .unwrap_or(0)
                })
                .collect();
            SweepPoint {
                index,
                label: p.label,
                values,
                figures: p
                    .figures
                    .iter()
                    .map(|(f, v)| (f.clone(), Estimate::of(v)))
                    .collect(),
            }
        })
        .collect();
    let mut stmt = conn.prepare("SELECT DISTINCT name FROM scalars")?;
    let scalars = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<BTreeSet<String>>>()?;
    Ok(SweepReport {
        scenario: identity.scenario,
        store: path.display().to_string(),
        scenario_hash: identity.scenario_hash,
        version,
        runs_ok: runs_ok as usize,
        failed,
        runs_missing: (max_run.map_or(0, |m| m + 1) - recorded).max(0) as usize,
        replications: replications.unwrap_or(0) as usize,
        parameters,
        points,
        scalars,
        expectations: expectations(conn)?,
    })
}
