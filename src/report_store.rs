//! `dccsim report STORE [--csv FILE]`: per sweep point, the mean of every figure across its
//! replications with a 95 % confidence interval (Student's t), on the terminal (the end-to-end
//! latency, refusals and scalars) and as long-format CSV (every figure).
//!
//! Figures are named as in `dccsim compare`: `NAME` for counters and scalars, `NAME FIELD` for
//! latency flows (`sr.e2e{region=north,sr=4.1.1} p99_us`), `NAME final` for gauges.

use crate::cli::CliError;
use dccsim_reports::human_duration;
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// Mean and 95 % confidence half-width of a sample (half-width `None` with fewer than two).
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub n: usize,
    pub mean: f64,
    pub half_width: Option<f64>,
}

impl Estimate {
    /// Values are summed in the order given (run order), so the result is reproducible.
    pub fn of(values: &[f64]) -> Estimate {
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n as f64;
        let half_width = (n >= 2).then(|| {
            let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            t975(n - 1) * (var / n as f64).sqrt()
        });
        Estimate {
            n,
            mean,
            half_width,
        }
    }
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom (two-sided 95 %).
fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df - 1],
        31..=40 => 2.021,
        41..=60 => 2.000,
        61..=120 => 1.980,
        _ => 1.960,
    }
}

/// One point's label and its figures' replication values, in run order.
struct Point {
    label: String,
    /// Completed runs of the point.
    runs: usize,
    figures: BTreeMap<String, Vec<f64>>,
}

fn read(conn: &Connection) -> rusqlite::Result<BTreeMap<i64, Point>> {
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
    for field in [
        "count",
        "min_us",
        "mean_us",
        "p50_us",
        "p90_us",
        "p99_us",
        "p999_us",
        "max_us",
        "within_trt",
    ] {
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

/// A figure's value in its unit: durations for `*_us`, percent for `within_trt`.
fn show(figure: &str, x: f64) -> String {
    if figure.ends_with("_us") {
        human_duration(x.max(0.0).round() as u64)
    } else if figure.ends_with("within_trt") {
        format!("{:.2}%", x * 100.0)
    } else if x.fract() == 0.0 {
        format!("{x}")
    } else {
        format!("{x:.3}")
    }
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

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn report_store(path: &Path, csv: Option<&Path>) -> Result<ExitCode, CliError> {
    crate::store::inspect(path)?;
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| CliError::BadInput(format!("{}: {e}", path.display())))?;
    let points =
        read(&conn).map_err(|e| CliError::Internal(format!("reading {}: {e}", path.display())))?;
    if points.is_empty() {
        println!("{}: no completed runs yet", path.display());
    }
    let mut table = String::new();
    let mut long = String::from("point,parameters,figure,n,mean,ci95_low,ci95_high\n");
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
            let _ = writeln!(
                long,
                "{index},{},{},{},{},{lo},{hi}",
                csv_field(&p.label),
                csv_field(figure),
                e.n,
                e.mean
            );
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
        std::fs::write(csv, long)
            .map_err(|e| CliError::BadInput(format!("cannot write {}: {e}", csv.display())))?;
        println!("\naggregates (every figure) written to {}", csv.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_use_students_t() {
        let e = Estimate::of(&[1.0, 2.0, 3.0]);
        assert_eq!(e.n, 3);
        assert!((e.mean - 2.0).abs() < 1e-12);
        // s = 1, half-width = t(2) · 1/√3.
        assert!((e.half_width.unwrap() - 4.303 / 3f64.sqrt()).abs() < 1e-9);
        assert_eq!(Estimate::of(&[5.0]).half_width, None);
        assert_eq!(Estimate::of(&[4.0, 4.0]).half_width, Some(0.0));
    }
}
