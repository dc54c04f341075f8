//! `dccsim report STORE [--csv FILE]`: per sweep point, the mean of every figure across its
//! replications with a 95 % confidence interval (Student's t), on the terminal (the end-to-end
//! latency, refusals and scalars) and as long-format CSV (every figure).
//!
//! Figures are named as in `dccsim compare`: `NAME` for counters and scalars, `NAME FIELD` for
//! latency flows (`sr.e2e{region=north,sr=4.1.1} p99_us`), `NAME final` for gauges.

use crate::error::CliError;
use dccsim_actors::scenario::LatencyField;
use dccsim_reports::{show_figure as show, Estimate};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// One point's label and its figures' replication values, in run order.
#[derive(Clone)]
pub(crate) struct Point {
    pub(crate) label: String,
    /// Completed runs of the point.
    pub(crate) runs: usize,
    pub(crate) figures: BTreeMap<String, Vec<f64>>,
}

/// Every completed point's figures, by point index (also the sweep page's source).
pub(crate) fn read(conn: &Connection) -> rusqlite::Result<BTreeMap<i64, Point>> {
    let mut points: BTreeMap<i64, Point> = BTreeMap::new();
    let mut stmt = conn.prepare(
        "SELECT point, point_label, count(*) FROM runs WHERE status = 'ok' GROUP BY point",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (point, label, runs) = row?;
        points.insert(
            point,
            Point {
                label,
                runs: runs as usize,
                figures: BTreeMap::new(),
            },
        );
    }
    // (table, name column, value column, suffix of the figure name); counters first.
    let mut sources = vec![
        ("counters", "name", "value", String::new()),
        ("scalars", "name", "value", String::new()),
        ("gauges_final", "name", "value", " final".to_string()),
    ];
    // The latency table's columns are the fields an `[[expect]]` can name, in the same order.
    for field in LatencyField::ALL.map(LatencyField::name) {
        sources.push(("latency", "flow", field, format!(" {field}")));
    }
    for (i, (table, name_col, value_col, suffix)) in sources.iter().enumerate() {
        let mut stmt = conn.prepare(&format!(
            "SELECT point, {name_col}, {value_col} FROM {table} JOIN runs USING (run) \
             WHERE status = 'ok' ORDER BY run"
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<f64>>(2)?,
            ))
        })?;
        for row in rows {
            let (point, name, value) = row?;
            if let (Some(p), Some(v)) = (points.get_mut(&point), value) {
                p.figures
                    .entry(format!("{name}{suffix}"))
                    .or_default()
                    .push(v);
            }
        }
        if i == 0 {
            // A counter a run never touched does not exist in that run: it counted zero.
            for p in points.values_mut() {
                for values in p.figures.values_mut() {
                    values.resize(values.len().max(p.runs), 0.0);
                }
            }
        }
    }
    Ok(points)
}

/// Whether the terminal shows a figure (the CSV has all).
fn on_terminal(figure: &str) -> bool {
    (figure.starts_with("sr.e2e{")
        && [" p50_us", " p99_us", " within_trt"]
            .iter()
            .any(|f| figure.ends_with(f)))
        || figure.starts_with("sr.requested")
        || figure.starts_with("sr.rejected")
        || !figure.contains(' ') && !figure.starts_with("sr.") && !figure.contains('{')
}

/// The sweep's question first: each expectation, where its outcome changes, and each point's
/// outcome across its replications.
fn answer(r: &dccsim_reports::SweepReport) -> String {
    let mut out = String::new();
    if r.expectations.is_empty() {
        return out;
    }
    out.push_str("Expectations (the sweep's question):\n");
    for e in &r.expectations {
        let _ = writeln!(out, "\n  {}", e.expected);
        for line in dccsim_reports::crossings(r, e) {
            let _ = writeln!(out, "    {line}");
        }
        for p in &r.points {
            let Some(o) = e.points.get(&p.index) else {
                continue;
            };
            let word = if o.passed == o.runs {
                "passed"
            } else if o.passed == 0 {
                "FAILED"
            } else {
                "mixed "
            };
            let value = match (&o.actual, &e.figure) {
                (Some(a), Some(f)) => {
                    let ci = a
                        .half_width
                        .map(|h| format!(" ± {}", show(f, h)))
                        .unwrap_or_default();
                    format!(": {}{ci}", show(f, a.mean))
                }
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "    point {} {word} {}/{} runs  {}{value}",
                p.index, o.passed, o.runs, p.label
            );
        }
    }
    out
}

pub fn report_store(path: &Path, csv: Option<&Path>) -> Result<ExitCode, CliError> {
    let identity = crate::store::inspect(path)?;
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| CliError::BadInput(format!("{}: {e}", path.display())))?;
    let failed =
        |e: rusqlite::Error| CliError::Internal(format!("reading {}: {e}", path.display()));
    let points = read(&conn).map_err(failed)?;
    if points.is_empty() {
        println!("{}: no completed runs yet", path.display());
    }
    let report = crate::report_sweep_html::sweep_report(&conn, path, identity).map_err(failed)?;
    let mut table = answer(&report);
    let mut long = csv::Writer::from_writer(Vec::new());
    let in_memory = "writing CSV to memory cannot fail";
    long.write_record([
        "point",
        "parameters",
        "figure",
        "n",
        "mean",
        "ci95_low",
        "ci95_high",
    ])
    .expect(in_memory);
    for (index, p) in &points {
        let n = p.figures.values().map(Vec::len).max().unwrap_or(0);
        let _ = writeln!(table, "\npoint {index}: {} ({n} replications)", p.label);
        let rows: Vec<(String, Estimate)> = p
            .figures
            .iter()
            .map(|(name, values)| (name.clone(), Estimate::of(values)))
            .collect();
        let width = rows
            .iter()
            .filter(|(f, _)| on_terminal(f))
            .map(|(f, _)| f.chars().count())
            .max()
            .unwrap_or(0);
        for (figure, e) in &rows {
            let (lo, hi) = match e.half_width {
                Some(h) => (format!("{}", e.mean - h), format!("{}", e.mean + h)),
                None => (String::new(), String::new()),
            };
            long.write_record([
                &index.to_string(),
                &p.label,
                figure,
                &e.n.to_string(),
                &e.mean.to_string(),
                &lo,
                &hi,
            ])
            .expect(in_memory);
            if on_terminal(figure) {
                let ci = match e.half_width {
                    Some(h) => format!(" ± {}", show(figure, h)),
                    None => String::new(),
                };
                let _ = writeln!(table, "  {figure:<width$}  {}{ci}", show(figure, e.mean));
            }
        }
    }
    print!("{table}");
    if let Some(csv) = csv {
        let long = long.into_inner().expect(in_memory);
        std::fs::write(csv, long)
            .map_err(|e| CliError::BadInput(format!("cannot write {}: {e}", csv.display())))?;
        println!("\naggregates (every figure) written to {}", csv.display());
    }
    Ok(ExitCode::SUCCESS)
}
