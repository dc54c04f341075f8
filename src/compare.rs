//! `dccsim compare BASELINE CURRENT [--tolerance FILE]`: two runs' `summary.json`, metric by
//! metric. Each file's digest is recomputed from its content (never trusted as written), and
//! equal digests short-circuit to "identical"; otherwise every figure is compared with a
//! tolerance (absolute or relative, whichever is looser), and a figure beyond it, or one present
//! in only one run, is a regression (exit 1). Shares within TRT are compared in absolute
//! percentage points (`--within-trt-pp`, 0.5 by default) and listed first, biggest drop first:
//! they are what a TRT regression looks like. Durations read in human units.
//!
//! With results stores, [`crate::compare_replications`] compares sets of replications instead.
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
//! absolute = "200ms"        # a duration for time figures (*_us), "1pp" for shares, else a number
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

/// Tolerances: per-pattern rules in file order, then shares within TRT in percentage points,
/// then the default.
pub(crate) struct Rules {
    default: Tolerance,
    shares: Tolerance,
    patterns: Vec<(String, Tolerance)>,
}

impl Rules {
    fn for_figure(&self, name: &str) -> &Tolerance {
        match self.patterns.iter().find(|(p, _)| glob(p, name)) {
            Some((_, t)) => t,
            None if is_share(name) => &self.shares,
            None => &self.default,
        }
    }

    /// Whether `current` is within tolerance of `base` for the figure `name`.
    pub(crate) fn allows(&self, name: &str, base: f64, current: f64) -> bool {
        self.for_figure(name).allows(base, current)
    }
}

/// A share of answers within the TRT (0 … 1).
pub(crate) fn is_share(figure: &str) -> bool {
    figure.ends_with(" within_trt") || figure.ends_with(" within_trt_all")
}

fn amount(a: &Option<Amount>, what: &str) -> Result<Option<f64>, String> {
    match a {
        None => Ok(None),
        Some(Amount::Number(x)) => Ok(Some(*x)),
        Some(Amount::Whole(x)) => Ok(Some(*x as f64)),
        Some(Amount::Duration(s)) => match s.trim().strip_suffix("pp") {
            // Percentage points of a share: "0.5pp" is 0.005.
            Some(pp) => pp
                .trim()
                .parse::<f64>()
                .map(|pp| Some(pp / 100.0))
                .map_err(|e| format!("{what}: `absolute` \"{s}\": {e}")),
            None => s
                .parse::<SimDuration>()
                .map(|d| Some(d.as_micros() as f64))
                .map_err(|e| format!("{what}: `absolute` \"{s}\": {e}")),
        },
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

pub(crate) fn read_rules(path: Option<&Path>, within_trt_pp: f64) -> Result<Rules, CliError> {
    let builtin = Tolerance {
        relative: DEFAULT_RELATIVE,
        absolute: 0.0,
    };
    if !(within_trt_pp >= 0.0 && within_trt_pp.is_finite()) {
        return Err(CliError::BadInput(format!(
            "--within-trt-pp {within_trt_pp}: give 0 or more percentage points, e.g. 0.5"
        )));
    }
    let shares = Tolerance {
        relative: 0.0,
        absolute: within_trt_pp / 100.0,
    };
    let Some(path) = path else {
        return Ok(Rules {
            default: builtin,
            shares,
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
    Ok(Rules {
        default,
        shares,
        patterns,
    })
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
    /// Recomputed from the file's content.
    digest: String,
    /// Whether the digest written in the file is the one its content gives.
    digest_matches: bool,
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
    let written = doc["digest"]
        .as_str()
        .ok_or_else(|| bad("not a dccsim summary.json (no digest)".to_string()))?;
    let digest = dccsim_reports::content_digest(&text)
        .ok_or_else(|| bad("not a dccsim summary.json (no digest)".to_string()))?;
    let digest_matches = digest == written;
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
        digest_matches,
        values,
        counters,
    })
}

/// A figure's value in its unit: a duration for `*_us`, a percentage for shares.
pub(crate) fn show(name: &str, v: Option<f64>) -> String {
    match v {
        None => "-".to_string(),
        Some(x) if name.ends_with("_us") || is_share(name) => dccsim_reports::show_figure(name, x),
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        Some(x) if x.abs() >= 100.0 => format!("{x:.1}"),
        Some(x) => format!("{x:.4}"),
    }
}

/// How far a figure moved: percentage points for shares, percent of the baseline otherwise.
pub(crate) fn change(name: &str, baseline: Option<f64>, current: Option<f64>) -> String {
    match (baseline, current) {
        (Some(b), Some(c)) if is_share(name) => format!("{:+.2} pp", (c - b) * 100.0),
        (Some(b), Some(c)) if b != 0.0 => format!("{:+.1}%", (c - b) / b.abs() * 100.0),
        (Some(_), Some(_)) => "new".to_string(),
        (None, Some(_)) => "added".to_string(),
        (Some(_), None) => "missing".to_string(),
        (None, None) => String::new(),
    }
}

/// Shares within TRT first, biggest drop first; then everything else by name.
pub(crate) fn order_key(name: &str, baseline: Option<f64>, current: Option<f64>) -> (u8, f64) {
    if is_share(name) {
        let drop = match (baseline, current) {
            (Some(b), Some(c)) => c - b,
            _ => 0.0,
        };
        (0, drop)
    } else {
        (1, 0.0)
    }
}

/// Prints rows as an aligned table with `header`; the first column left-aligned.
pub(crate) fn print_table<const N: usize>(header: [&str; N], rows: &[[String; N]]) {
    let mut widths = header.map(|h| h.chars().count());
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: [&str; N]| {
        let mut out = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            let pad = w.saturating_sub(c.chars().count());
            if i == 0 {
                out.push_str(c);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str("  ");
                out.push_str(&" ".repeat(pad));
                out.push_str(c);
            }
        }
        out.trim_end().to_string()
    };
    println!("{}", line(header));
    for r in rows {
        println!("{}", line(r.each_ref().map(String::as_str)));
    }
}

/// Whether `path` is an SQLite file (a results store) rather than a run.
fn is_store(path: &Path) -> bool {
    let mut header = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header))
        .is_ok_and(|()| &header == b"SQLite format 3\0")
}

pub fn compare(args: &CompareArgs) -> Result<ExitCode, CliError> {
    let rules = read_rules(args.tolerance.as_deref(), args.within_trt_pp)?;
    let stores = is_store(&args.baseline) || args.current.as_deref().is_some_and(is_store);
    if stores || args.points.is_some() {
        return crate::compare_replications::compare(args, &rules);
    }
    let Some(current_path) = &args.current else {
        return Err(CliError::BadInput(
            "compare needs BASELINE and CURRENT (or --points I,J with a results store)".into(),
        ));
    };
    let base = read_figures(&args.baseline)?;
    let current = read_figures(current_path)?;
    for (f, path) in [(&base, &args.baseline), (&current, current_path)] {
        if !f.digest_matches {
            eprintln!(
                "warning: {}: the digest written in it is not the one its content gives \
                 (edited?); comparing the figures",
                summary_path(path).display()
            );
        }
    }
    if base.digest == current.digest && base.digest_matches && current.digest_matches {
        println!("identical (digest {})", base.digest);
        return Ok(ExitCode::SUCCESS);
    }
    let names: BTreeSet<&String> = base.values.keys().chain(current.values.keys()).collect();
    let mut differences = Vec::new();
    for name in &names {
        // The honest share (late requests in flight as misses) is shown only where it says
        // something the share over completed requests does not: where either run left some.
        if let Some(flow) = name.strip_suffix(" within_trt_all") {
            let completed = format!("{flow} within_trt");
            let says_the_same = |f: &Figures| f.values.get(*name) == f.values.get(&completed);
            if says_the_same(&base) && says_the_same(&current) {
                continue;
            }
        }
        let counter = base.counters.contains(*name) || current.counters.contains(*name);
        let value = |f: &Figures| match f.values.get(*name) {
            None if counter => Some(Some(0.0)),
            v => v.copied(),
        };
        let (b, c) = (value(&base), value(&current));
        let same = match (b, c) {
            (Some(Some(b)), Some(Some(c))) => rules.allows(name, b, c),
            (Some(None), Some(None)) => true,
            _ => false,
        };
        if !same {
            differences.push((name.to_string(), b.flatten(), c.flatten()));
        }
    }
    if differences.is_empty() {
        println!(
            "within tolerance: {} figures compared, none beyond tolerance (digests differ)",
            names.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    differences.sort_by(|a, b| {
        order_key(&a.0, a.1, a.2)
            .partial_cmp(&order_key(&b.0, b.1, b.2))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.0.cmp(&b.0))
    });
    let rows: Vec<[String; 4]> = differences
        .iter()
        .map(|(name, b, c)| {
            [
                name.clone(),
                show(name, *b),
                show(name, *c),
                change(name, *b, *c),
            ]
        })
        .collect();
    print_table(["figure", "baseline", "current", "change"], &rows);
    let shares = differences.iter().filter(|d| is_share(&d.0)).count();
    Err(CliError::Failed(format!(
        "regression: {} of {} figures differ beyond tolerance ({shares} of them shares within \
         TRT, listed first)",
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
