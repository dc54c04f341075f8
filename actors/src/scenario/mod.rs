//! Scenario files: strict TOML in, a validated [`Scenario`] out, or a located error.
//!
//! [`load`] reads a file, [`parse`] a string. Both apply `--set KEY=VALUE` overrides to the
//! document first, then read it strictly: every table rejects keys it does not know (suggesting
//! the nearest known one), every value is checked for type and range, durations must carry a unit,
//! shares must sum to one. Each problem is one plain-English [`ScenarioError`] that says where it
//! is: `FILE:LINE:COL`, or the `--set` that caused it. Optional settings take the values in
//! [`defaults`].
//!
//! The layers: `overrides` edits the `toml_edit` document; `validate` reads the resulting tree
//! through serde (`de`: a deserializer that knows each value's path), every section being a
//! `#[derive(Deserialize)]` config type or, where the file's shape differs, a file struct beside
//! its section's checks (`ev`, `cpl`, `firmware`, `inventory`, `sweep`, `expect`); values with a
//! shape of their own (types, ranges, units) are read by `config::read`. Then it checks what spans
//! sections (shares sum to one, references exist, upgrade paths). Errors carry a path into the
//! document, which is mapped back to a line and column of the original text (or to the override
//! that wrote it).

mod alert;
mod cpl;
mod cpl_coverage;
pub(crate) mod de;
mod error;
pub mod ev;
mod expect;
mod firmware;
pub mod footprint;
pub(crate) mod han;
mod inventory;
mod model;
mod overrides;
mod reader;
mod smets1;
mod sweep;
mod validate;
mod values;

#[cfg(test)]
pub(crate) mod tests;

pub use error::ScenarioError;
pub use expect::{
    Comparison, Expectation, ExpectationFile, LatencyField, MetricPattern, LABEL_KEYS,
};
// The config types a scenario reads into, for users of `scenario` alone.
pub use crate::config::*;
pub use crate::han::config::{Han, HanRadio, MAX_FLATS_PER_BUILDING};
pub use crate::install::config::{InstallWave, StepFailures};
pub use model::*;
pub use sweep::{run_seed, Combine, Sweep, SweepParameter, SweepPoint, SweepRun};

use reader::{Issue, Path, Seg};
use std::ops::Range;
use toml_edit::{ImDocument, Item, Table, TableLike, Value};

/// Reads the scenario file at `path`, applies the `--set KEY=VALUE` overrides `sets` in order,
/// and validates the result.
pub fn load(path: &std::path::Path, sets: &[String]) -> Result<Scenario, ScenarioError> {
    let (text, origin) = read_text(path)?;
    parse(&text, &origin, sets)
}

/// The text of the file at `path` and the name messages give it.
fn read_text(path: &std::path::Path) -> Result<(String, String), ScenarioError> {
    let origin = path.display().to_string();
    if path.is_dir() {
        return Err(ScenarioError::in_file(
            &origin,
            "is a directory, not a scenario file; give the path of a .toml file",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        ScenarioError::in_file(&origin, format!("cannot read the scenario file: {e}"))
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let readable = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        ScenarioError::in_text(
            &origin,
            &readable,
            valid..valid,
            "the file is not UTF-8 text; save the scenario as UTF-8",
        )
    })?;
    Ok((text, origin))
}

/// Reads a scenario from `text`; `origin` is the file name that messages show.
pub fn parse(text: &str, origin: &str, sets: &[String]) -> Result<Scenario, ScenarioError> {
    if text.trim().is_empty() {
        return Err(ScenarioError::in_text(
            origin,
            text,
            0..0,
            format!("the scenario file is empty; {}", de::MINIMUM),
        ));
    }
    let original =
        ImDocument::parse(text.to_string()).map_err(|e| syntax_error(origin, text, &e))?;
    if original.as_table().is_empty() {
        return Err(ScenarioError::in_text(
            origin,
            text,
            0..0,
            format!("the scenario file has only comments; {}", de::MINIMUM),
        ));
    }

    let mut doc = original.clone().into_mut();
    let mut applied: Vec<(&str, Path)> = Vec::new();
    for set in sets {
        let created = overrides::apply(&mut doc, set)
            .map_err(|message| ScenarioError::in_set(origin, set, message))?;
        applied.push((set, created));
    }
    let resolved = doc.to_string();
    let tree: toml::Table = toml::from_str(&resolved).map_err(|e| {
        let set = applied.last().map_or("", |(set, _)| *set);
        ScenarioError::in_set(
            origin,
            set,
            format!(
                "after the overrides the scenario is no longer valid TOML: {}",
                one_line(e.message())
            ),
        )
    })?;
    let scenario = validate::scenario(&tree, resolved)
        .map_err(|issue| locate(issue, origin, text, &original, &applied))?;
    if let Some(sweep) = &scenario.sweep {
        check_points(&doc, sweep)
            .map_err(|issue| locate(issue, origin, text, &original, &applied))?;
    }
    Ok(scenario)
}

/// Validates the scenario at every point of `sweep` (past [`sweep::CHECK_ALL_POINTS`] points, at
/// every value of each parameter), so a misspelt key or an impossible value is refused when the
/// scenario loads, blamed on the parameter that caused it.
fn check_points(doc: &toml_edit::DocumentMut, sweep: &Sweep) -> Result<(), Issue> {
    let mut base = doc.clone();
    base.remove("sweep");
    for point in sweep.points_to_check() {
        let mut doc = base.clone();
        let mut created = Vec::new();
        for (i, set) in point.sets().iter().enumerate() {
            let path =
                overrides::apply(&mut doc, set).map_err(|m| sweep::point_issue(i, &point, &m))?;
            created.push(path);
        }
        let tree: toml::Table = toml::from_str(&doc.to_string()).map_err(|e| {
            sweep::point_issue(
                0,
                &point,
                &format!(
                    "the scenario is no longer valid TOML: {}",
                    one_line(e.message())
                ),
            )
        })?;
        validate::scenario(&tree, String::new()).map_err(|issue| {
            let param = created
                .iter()
                .rposition(|c| issue.path.starts_with(c))
                .unwrap_or(0);
            sweep::point_issue(param, &point, &issue.message)
        })?;
    }
    Ok(())
}

/// The scenario of one run of `base`'s sweep: `base` (as resolved, its `[sweep]` removed) with
/// the point's overrides and the run's seed. `origin` names the base file in messages.
pub fn sweep_run_scenario(
    base: &Scenario,
    point: &SweepPoint,
    seed: u64,
    origin: &str,
) -> Result<Scenario, ScenarioError> {
    let mut doc: toml_edit::DocumentMut = base
        .resolved_toml
        .parse()
        .map_err(|e| syntax_error(origin, &base.resolved_toml, &e))?;
    doc.remove("sweep");
    let mut sets = point.sets();
    sets.push(format!("scenario.seed={seed}"));
    parse(&doc.to_string(), origin, &sets)
}

/// Reads an expectation file (`dccsim run --expect FILE`): `[[expect]]` entries and optional
/// `sets`, with errors located in that file as in a scenario.
pub fn load_expectations(path: &std::path::Path) -> Result<ExpectationFile, ScenarioError> {
    let (text, origin) = read_text(path)?;
    let original = ImDocument::parse(text.clone()).map_err(|e| syntax_error(&origin, &text, &e))?;
    let tree: toml::Table = toml::from_str(&text).map_err(|e| {
        ScenarioError::in_text(
            &origin,
            &text,
            e.span().unwrap_or(0..0),
            one_line(e.message()),
        )
    })?;
    de::from_value::<ExpectationFile>(&toml::Value::Table(tree), &[])
        .map_err(|issue| locate(issue, &origin, &text, &original, &[]))
}

/// A TOML syntax error, located where the parser stopped, with a hint for the usual slips.
fn syntax_error(origin: &str, text: &str, e: &toml_edit::TomlError) -> ScenarioError {
    let span = e.span().unwrap_or(0..0);
    if let Some((value_span, message)) = unquoted_value(text, span.start) {
        return ScenarioError::in_text(origin, text, value_span, message);
    }
    let message = if e.message().trim().is_empty() {
        "TOML syntax error: this value cannot be read; strings need quotes (\"30s\", \"alpha\"), \
         numbers are written plainly (0.5, 64), lists in [ ] and tables in { }"
            .to_string()
    } else {
        let plain = one_line(e.message()).replace("newline", "the end of the line");
        format!("TOML syntax error: {}", or_list(&plain))
    };
    ScenarioError::in_text(origin, text, span, message)
}

/// If the line holding byte `at` is `key = value` with a value that is neither quoted nor a
/// TOML number, boolean, list or table (`duration = 30s`, `technology = mesh`), says to quote it.
fn unquoted_value(text: &str, at: usize) -> Option<(Range<usize>, String)> {
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = &text[line_start..line_end];
    let (key, rest) = line.split_once('=')?;
    let key = key.trim();
    let value = rest.split('#').next().unwrap_or("").trim();
    if key.is_empty() || key.starts_with('[') {
        return None;
    }
    let start = line_start + line.find('=')? + 1 + (rest.len() - rest.trim_start().len());
    if value.is_empty() {
        return Some((
            start..start,
            format!("TOML syntax error: `{key}` has no value after `=`"),
        ));
    }
    let looks_bare = !value.starts_with(['"', '\'', '[', '{'])
        && !value.contains(char::is_whitespace)
        && value.parse::<Value>().is_err();
    looks_bare.then(|| {
        (
            start..start + value.len(),
            format!(
                "TOML syntax error: the value `{value}` of `{key}` needs quotes; write \
                 {key} = \"{value}\""
            ),
        )
    })
}

/// "expected `.`, `]`" → "expected `.` or `]`".
fn or_list(message: &str) -> String {
    match message.rsplit_once(", ") {
        Some((head, last)) if message.contains("expected") => format!("{head} or {last}"),
        _ => message.to_string(),
    }
}

fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Turns an issue into an error: blamed on the last override that wrote the value, or located
/// in the original text.
fn locate(
    issue: Issue,
    origin: &str,
    text: &str,
    original: &ImDocument<String>,
    applied: &[(&str, Path)],
) -> ScenarioError {
    if let Some((set, _)) = applied
        .iter()
        .rev()
        .find(|(_, created)| issue.path.starts_with(created))
    {
        return ScenarioError::in_set(origin, set, issue.message);
    }
    let mut message = issue.message;
    let scope = issue.scope.as_deref().unwrap_or(&issue.path);
    if let Some((set, _)) = applied
        .iter()
        .rev()
        .find(|(_, created)| created.starts_with(scope))
    {
        message.push_str(&format!(" (after --set {set})"));
    }
    let span = span_of(original.as_item(), &issue.path, issue.on_key).unwrap_or(0..0);
    ScenarioError::in_text(origin, text, span, message)
}

/// A node of the original document.
#[derive(Clone, Copy)]
enum At<'a> {
    Item(&'a Item),
    Value(&'a Value),
    Table(&'a Table),
}

impl At<'_> {
    fn span(&self) -> Option<Range<usize>> {
        match self {
            At::Item(i) => i.span(),
            At::Value(v) => v.span(),
            At::Table(t) => t.span(),
        }
    }
}

/// The bytes of the original text that hold the value at `path` (or its key, with `on_key`).
/// Where the path leaves the document (a value added by an override, a missing key), the
/// nearest enclosing place is used.
fn span_of(root: &Item, path: &[Seg], on_key: bool) -> Option<Range<usize>> {
    let mut at = At::Item(root);
    let mut best = None;
    let mut key_span = None;
    for seg in path {
        let next = match (seg, &at) {
            (Seg::Key(k), _) => {
                let table: Option<&dyn TableLike> = match at {
                    At::Item(i) => i.as_table_like(),
                    At::Value(v) => v.as_inline_table().map(|t| t as &dyn TableLike),
                    At::Table(t) => Some(t),
                };
                table.and_then(|t| t.get_key_value(k)).map(|(key, item)| {
                    key_span = key.span();
                    At::Item(item)
                })
            }
            (Seg::Index(i), At::Item(Item::ArrayOfTables(list))) => list.get(*i).map(At::Table),
            (Seg::Index(i), At::Item(Item::Value(Value::Array(list))))
            | (Seg::Index(i), At::Value(Value::Array(list))) => list.get(*i).map(At::Value),
            (Seg::Index(_), _) => None,
        };
        let Some(next) = next else {
            return best;
        };
        if matches!(seg, Seg::Index(_)) {
            key_span = None;
        }
        best = next.span().or_else(|| key_span.clone()).or(best);
        at = next;
    }
    if on_key {
        key_span.or(best)
    } else {
        best
    }
}
