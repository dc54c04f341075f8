//! `manifest.json`: how a run was made — scenario hash and resolved parameters, seed, version,
//! and the wall-clock facts (time, events/s, peak RSS) that must stay out of `summary.json`.

use crate::summary::hex;
use crate::RunManifest;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// SHA-256 hex of the resolved scenario text (after `--set` overrides).
pub fn scenario_hash(resolved_toml: &str) -> String {
    hex(&Sha256::digest(resolved_toml.as_bytes()))
}

/// The resolved scenario as JSON, as `manifest.json` keeps it under `resolved_parameters`: the
/// values only (comments and layout of the file play no part), or `null` if the text does not
/// parse.
pub fn resolved_parameters(resolved_toml: &str) -> Value {
    toml::from_str::<toml::Table>(resolved_toml)
        .map(|t| toml_to_json(toml::Value::Table(t)))
        .unwrap_or(Value::Null)
}

/// Field order here is the key order in the file.
#[derive(Serialize)]
struct ManifestDoc<'a> {
    scenario: &'a str,
    description: &'a str,
    scenario_hash: &'a str,
    seed: u64,
    version: &'a str,
    events: u64,
    wall_seconds: f64,
    events_per_second: Option<f64>,
    peak_rss_bytes: Option<u64>,
    sets: &'a [String],
    resolved_parameters: Value,
    resolved_toml: &'a str,
}

/// The pretty-printed text of `manifest.json` (trailing newline included).
///
/// `resolved_parameters` is the resolved TOML as JSON (datetimes as strings, non-finite floats as
/// `null`), or `null` if the text does not parse; the raw text is always kept too.
pub fn manifest_json(m: &RunManifest) -> String {
    let events_per_second =
        (m.wall_seconds > 0.0).then(|| (m.events as f64 / m.wall_seconds).round());
    let resolved_parameters = resolved_parameters(m.resolved_toml);
    let doc = ManifestDoc {
        scenario: m.scenario,
        description: m.description,
        scenario_hash: &m.scenario_hash,
        seed: m.seed,
        version: m.version,
        events: m.events,
        wall_seconds: m.wall_seconds,
        events_per_second,
        peak_rss_bytes: m.peak_rss_bytes,
        sets: m.sets,
        resolved_parameters,
        resolved_toml: m.resolved_toml,
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("manifest serialises");
    s.push('\n');
    s
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const TOML: &str = "[scenario]\nname = \"quickstart\"\nseed = 7\n\
        start = 2025-01-01T00:00:00Z\nduration = \"1d\"\n\n[traffic]\nrate = 1.5\n";

    #[test]
    fn manifest_fields_in_order() {
        let sets = vec!["traffic.rate=1.5".to_string()];
        let m = RunManifest {
            scenario: "quickstart",
            description: "A day of reads",
            scenario_hash: scenario_hash(TOML),
            resolved_toml: TOML,
            seed: 7,
            version: "0.1.0",
            events: 1000,
            wall_seconds: 0.5,
            peak_rss_bytes: Some(4096),
            sets: &sets,
        };
        let text = manifest_json(&m);
        let keys: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("  \"") && !l.starts_with("   "))
            .map(|l| l.trim().split('"').nth(1).unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "scenario",
                "description",
                "scenario_hash",
                "seed",
                "version",
                "events",
                "wall_seconds",
                "events_per_second",
                "peak_rss_bytes",
                "sets",
                "resolved_parameters",
                "resolved_toml"
            ]
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["events_per_second"], 2000.0);
        assert_eq!(v["scenario_hash"].as_str().unwrap().len(), 64);
        assert_eq!(v["resolved_parameters"]["scenario"]["seed"], 7);
        assert_eq!(
            v["resolved_parameters"]["scenario"]["start"],
            "2025-01-01T00:00:00Z"
        );
        assert_eq!(v["resolved_parameters"]["traffic"]["rate"], 1.5);
        assert_eq!(v["resolved_toml"], TOML);
        assert_eq!(v["sets"][0], "traffic.rate=1.5");
    }

    #[test]
    fn scenario_hash_is_sha256() {
        assert_eq!(
            scenario_hash(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_ne!(scenario_hash(TOML), scenario_hash("x = 1\n"));
    }
}
