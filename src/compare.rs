//! `dccsim compare BASELINE CURRENT [--tolerance FILE]`: two runs' `summary.json`, metric by
//! metric. Identical digests short-circuit to "identical"; otherwise every figure is compared
//! with a tolerance (absolute or relative, whichever is looser), and a figure beyond it, or one
//! present in only one run, is a regression (exit 1).
//!
//! Figures are named `NAME` (counters, scalars and the run's `events`, `in_flight_at_end`,
//! `sim_end_us`), `NAME FIELD` for latency flows (`sr.e2e{region=north,sr=4.1.1} p99_us`) and
//! `NAME final` for gauges. The tolerance file:
//!
//! ```toml
//! [default]                 # for every figure without a [[metric]] match
//! relative = 0.05           # 5 % of the baseline value
//! absolute = 0
//!
//! [[metric]]                # the first whose pattern matches wins
//! pattern = "sr.e2e* p99_us"   # `*` matches any text
//! relative = 0.10
//! absolute = "200ms"        # a duration for time figures (*_us), else a number
//! ```

use crate::cli::CompareArgs;
use crate::error::CliError;
use dccsim_sim::SimDuration;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Default relative tolerance: 5 % of the baseline value.
pub const DEFAULT_RELATIVE: f64 = 0.05;

/// How far a figure may move.
#[derive(Clone, Debug, PartialEq)]
struct Tolerance {
    relative: f64,
    absolute: f64,
}

impl Tolerance {
    fn allows(&self, base: f64, current: f64) -> bool {
        let diff = (current - base).abs();
        diff <= self.absolute || diff <= self.relative * base.abs()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToleranceFile {
    default: Option<ToleranceEntry>,
    #[serde(default)]
    metric: Vec<PatternEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToleranceEntry {
    relative: Option<f64>,
    absolute: Option<Amount>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternEntry {
    pattern: String,
    relative: Option<f64>,
    absolute: Option<Amount>,
}

/// A number, or a duration with a unit (read as microseconds).
#[derive(Deserialize)]
#[serde(untagged)]
enum Amount {
    Number(f64),
    Whole(i64),
    Duration(String),
}

/// Tolerances: per-pattern rules in file order, then the default.
struct Rules {
    default: Tolerance,
    patterns: Vec<(String, Tolerance)>,
}

impl Rules {
    fn for_figure(&self, name: &str) -> &Tolerance {
        self.patterns
            .iter()
            .find(|(p, _)| glob(p, name))
            .map_or(&self.default, |(_, t)| t)
    }
}

fn amount(a: &Option<Amount>, what: &str) -> Result<Option<f64>, String> {
    match a {
        None => Ok(None),
        Some(Amount::Number(x)) => Ok(Some(*x)),
        Some(Amount::Whole(x)) => Ok(Some(*x as f64)),
        Some(Amount::Duration(s)) => s
            .parse::<SimDuration>()
            .map(|d| Some(d.as_micros() as f64))
            .map_err(|e| format!("{what}: `absolute` \"{s}\": {e}")),
    }
}

fn tolerance(
    relative: Option<f64>,
    absolute: &Option<Amount>,
    fallback: &Tolerance,
    what: &str,
) -> Result<Tolerance, String> {
    let t = Tolerance {
        relative: relative.unwrap_or(fallback.relative),
        absolute: amount(absolute, what)?.unwrap_or(fallback.absolute),
    };
    if !(t.relative >= 0.0 && t.absolute >= 0.0 && t.relative.is_finite()) {
        return Err(format!("{what}: tolerances must be 0 or more"));
    }
    Ok(t)
}

fn read_rules(path: Option<&Path>) -> Result<Rules, CliError> {
    let builtin = Tolerance {
        relative: DEFAULT_RELATIVE,
        absolute: 0.0,
    };
    let Some(path) = path else {
        return Ok(Rules {
            default: builtin,
            patterns: Vec::new(),
        });
    };
    let bad = |m: String| CliError::BadInput(format!("{}: {m}", path.display()));
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(format!("cannot read the tolerance file: {e}")))?;
    let file: ToleranceFile = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let default = match &file.default {
        Some(d) => tolerance(d.relative, &d.absolute, &builtin, "[default]").map_err(bad)?,
        None => builtin,
    };
    let patterns = file
        .metric
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let what = format!("[[metric]] {} (pattern \"{}\")", i + 1, m.pattern);
            Ok((
                m.pattern.clone(),
                tolerance(m.relative, &m.absolute, &default, &what)?,
            ))
        })
        .collect::<Result<_, String>>()
        .map_err(bad)?;
    Ok(Rules { default, patterns })
}

/// `*` matches any run of characters; everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().expect("split yields one part");
    let Some(mut tail) = text.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return tail.is_empty();
    };
    for part in middle {
        match tail.find(part) {
            Some(i) => tail = &tail[i + part.len()..],
            None => return false,
        }
    }
    tail.len() >= last.len() && tail.ends_with(last)
}

/// A run's summary: its digest and every figure by name (`None` where the summary has null).
struct Figures {
    digest: String,
    values: BTreeMap<String, Option<f64>>,
    /// Counter names: a counter a run never touched is absent from its summary, and is 0.
    counters: BTreeSet<String>,
}

fn summary_path(p: &Path) -> PathBuf {
    if p.is_dir() {
        p.join("summary.json")
    } else {
        p.to_path_buf()
    }
}

fn read_figures(p: &Path) -> Result<Figures, CliError> {
    let path = summary_path(p);
    let bad = |m: String| CliError::BadInput(format!("{}: {m}", path.display()));
    let text = std::fs::read_to_string(&path).map_err(|e| bad(format!("cannot read: {e}")))?;
    let doc: Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not a dccsim summary.json: {e}")))?;
    let digest = doc["digest"]
        .as_str()
        .ok_or_else(|| bad("not a dccsim summary.json (no digest)".to_string()))?
        .to_string();
    let mut values = BTreeMap::new();
    for key in ["events", "in_flight_at_end", "sim_end_us"] {
        values.insert(key.to_string(), doc[key].as_f64());
    }
    let object = |key: &str| doc[key].as_object().cloned().unwrap_or_default();
    let counters = object("counters").keys().cloned().collect();
    for (name, v) in object("counters").into_iter().chain(object("scalars")) {
        values.insert(name, v.as_f64());
    }
    for (name, v) in object("gauges_final") {
        values.insert(format!("{name} final"), v.as_f64());
    }
    for (name, stats) in object("latency") {
        for (field, v) in stats.as_object().cloned().unwrap_or_default() {
            values.insert(format!("{name} {field}"), v.as_f64());
        }
    }
    Ok(Figures {
        digest,
        values,
        counters,
    })
}

/// One figure beyond tolerance.
struct Difference {
    name: String,
    baseline: Option<f64>,
    current: Option<f64>,
}

fn show(v: Option<f64>) -> String {
    match v {
        None => "-".to_string(),
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        Some(x) => format!("{x:.6}"),
    }
}

fn change(d: &Difference) -> String {
    match (d.baseline, d.current) {
        (Some(b), Some(c)) if b != 0.0 => format!("{:+.1}%", (c - b) / b.abs() * 100.0),
        (Some(_), Some(_)) => "new".to_string(),
        (None, Some(_)) => "added".to_string(),
        (Some(_), None) => "missing".to_string(),
        (None, None) => String::new(),
    }
}

pub fn compare(args: &CompareArgs) -> Result<ExitCode, CliError> {
    let rules = read_rules(args.tolerance.as_deref())?;
    let base = read_figures(&args.baseline)?;
    let current = read_figures(&args.current)?;
    if base.digest == current.digest {
        println!("identical (digest {})", base.digest);
        return Ok(ExitCode::SUCCESS);
    }
    let names: BTreeSet<&String> = base.values.keys().chain(current.values.keys()).collect();
    let mut differences = Vec::new();
    for name in &names {
        let counter = base.counters.contains(*name) || current.counters.contains(*name);
        let value = |f: &Figures| match f.values.get(*name) {
            None if counter => Some(Some(0.0)),
            v => v.copied(),
        };
        let (b, c) = (value(&base), value(&current));
        let same = match (b, c) {
            (Some(Some(b)), Some(Some(c))) => rules.for_figure(name).allows(b, c),
            (Some(None), Some(None)) => true,
            _ => false,
        };
        if !same {
            differences.push(Difference {
                name: name.to_string(),
                baseline: b.flatten(),
                current: c.flatten(),
            });
        }
    }
    if differences.is_empty() {
        println!(
            "within tolerance: {} figures compared, none beyond tolerance (digests differ)",
            names.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<[String; 4]> = differences
        .iter()
        .map(|d| [d.name.clone(), show(d.baseline), show(d.current), change(d)])
        .collect();
    let header = ["figure", "baseline", "current", "change"];
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        format!(
            "{:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        )
    };
    println!("{}", line(header));
    for r in &rows {
        println!("{}", line([&r[0], &r[1], &r[2], &r[3]]));
    }
    Err(CliError::Failed(format!(
        "regression: {} of {} figures differ beyond tolerance",
        differences.len(),
        names.len()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_stars_anywhere() {
        assert!(glob("*", "anything"));
        assert!(glob(
            "sr.e2e* p99_us",
            "sr.e2e{region=north,sr=4.1.1} p99_us"
        ));
        assert!(!glob(
            "sr.e2e* p99_us",
            "sr.e2e{region=north,sr=4.1.1} p50_us"
        ));
        assert!(glob("events", "events"));
        assert!(!glob("events", "events2"));
        assert!(glob("a*b*c", "aXbYc"));
        assert!(!glob("a*b*c", "aXc"));
        assert!(!glob("ab*ba", "aba"));
    }

    #[test]
    fn the_looser_tolerance_wins() {
        let t = Tolerance {
            relative: 0.1,
            absolute: 5.0,
        };
        assert!(t.allows(100.0, 110.0));
        assert!(!t.allows(100.0, 111.0));
        assert!(t.allows(1.0, 6.0));
        assert!(!t.allows(1.0, 6.5));
        let exact = Tolerance {
            relative: 0.0,
            absolute: 0.0,
        };
        assert!(exact.allows(3.0, 3.0));
        assert!(!exact.allows(3.0, 3.0001));
    }
}
