//! Every rule of the scenario loader: what it accepts, and the message and place of what it refuses.
//! The shared scenarios and helpers are here; the tests are in one file per concern.

mod accepted;
mod cpl;
mod files;
mod firmware;
mod overrides;
mod sweep;
mod syntax;
mod values;

use super::*;
use crate::dist::Dist;
use crate::region::Technology;
use crate::sr::{DeviceType, Role, SrType};
use dccsim_sim::SimDuration;

/// The smallest useful scenario.
pub(super) const MINIMAL: &str = r#"[scenario]
name = "tiny"
seed = 7
duration = "1h"

[population]
premises = 1000

[[supplier]]
name = "alpha"
share = 0.6

[[supplier]]
name = "beta"
share = 0.4

[[traffic]]
sr = "4.6.1"
window = { start = "01:00", length = "4h" }
"#;

/// The smallest valid scenario with one supplier, for a section's own tests to append to (its
/// line count is part of the locations they check).
pub(crate) const ONE_SUPPLIER: &str = r#"[scenario]
name = "base"
seed = 1
duration = "1h"

[population]
premises = 100

[[supplier]]
name = "alpha"
share = 1
"#;

/// Every key of the schema, set to something other than its default.
pub(super) const FULL: &str = r#"# A scenario that sets everything.
[scenario]
name = "full_1.0-x"
description = "all keys"
seed = 42
duration = "7d"
start_date = "2024-02-29"
sample_interval = "1min"

[population]
premises = 268435455
gas_share = 0.5
regions = { north = 0.5, south = 0.5 }

[[supplier]]
name = "alpha"
share = 1

[dsp]
workers = 8
service_time = { dist = "const", value = "10ms" }
response_service_time = { dist = "uniform", min = "1s", max = "3s" }

[csp.north]
technology = "mesh"
workers = 10

[csp.south]
service_time = { dist = "exp", mean = "50ms" }
latency = { dist = "lognormal", median = "300ms", sigma = 0 }

[han]
latency = { dist = "const", value = "0s" }

[devices]
esme_response = { dist = "exp", mean = "1s" }
gsme_response = { dist = "exp", mean = "2s" }

[[traffic]]
sr = "4.1.1"
device = "gsme"
role = "ED"
per_premises_per_day = 0.2
hourly = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 4, 4, 4, 0, 0]
unknown_device_share = 0.01

[[traffic]]
sr = "1.1.1"
window = { start = "23:59", length = "24h" }

[trt]
"4.1.1" = "45s"
"#;

pub(super) fn load_ok(text: &str, sets: &[&str]) -> Scenario {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    match parse(text, "t.toml", &sets) {
        Ok(s) => s,
        Err(e) => panic!("expected a valid scenario, got:\n{e}"),
    }
}

pub(super) fn err_with(text: &str, sets: &[&str]) -> ScenarioError {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    match parse(text, "t.toml", &sets) {
        Ok(_) => panic!("expected an error for:\n{text}\nwith {sets:?}"),
        Err(e) => e,
    }
}

pub(super) fn err(text: &str) -> ScenarioError {
    err_with(text, &[])
}

/// `MINIMAL` with `from` replaced by `to` (which must occur).
pub(super) fn edit(from: &str, to: &str) -> String {
    assert!(MINIMAL.contains(from), "{from:?} is not in MINIMAL");
    MINIMAL.replacen(from, to, 1)
}

/// 1-based line and column of the first `needle` in `text`.
pub(super) fn pos(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found"));
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

/// The error is at `at`, its Display starts with `t.toml:LINE:COL: ` and contains every word.
pub(super) fn check(e: &ScenarioError, at: (usize, usize), words: &[&str]) {
    let shown = e.to_string();
    assert_eq!(e.location(), Some(at), "wrong place for:\n{shown}");
    let prefix = format!("t.toml:{}:{}: ", at.0, at.1);
    assert!(shown.starts_with(&prefix), "{shown:?} lacks {prefix:?}");
    for w in words {
        assert!(e.message().contains(w), "{:?} lacks {w:?}", e.message());
    }
}

/// The error names the override and contains every word.
pub(super) fn check_set(e: &ScenarioError, set: &str, words: &[&str]) {
    let shown = e.to_string();
    assert_eq!(e.set(), Some(set), "{shown}");
    assert!(shown.starts_with(&format!("--set {set}: ")), "{shown}");
    assert_eq!(e.location(), None);
    for w in words {
        assert!(e.message().contains(w), "{:?} lacks {w:?}", e.message());
    }
}
