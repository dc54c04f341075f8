//! `summary.json`: every simulated result of a run plus a digest over it (DESIGN §7).
//!
//! # Verifying a digest
//!
//! The digest is the SHA-256 (lower-case hex) of the exact bytes of `summary.json`, trailing
//! newline included, with the digest's value replaced by the empty string. In Python:
//!
//! ```python
//! import hashlib, json
//! text = open("summary.json", encoding="utf-8").read()
//! digest = json.loads(text)["digest"]
//! blank = text.replace(f'"digest": "{digest}"', '"digest": ""', 1)
//! assert hashlib.sha256(blank.encode("utf-8")).hexdigest() == digest
//! ```

use crate::RunResults;
use dccsim_sim::metrics::Flow;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The text of `summary.json` and the digest written inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Pretty-printed JSON with a trailing newline, exactly as written to disk.
    pub json: String,
    /// SHA-256 hex; see the module docs for how to recompute it.
    pub digest: String,
}

/// Field order here is the key order in the file.
#[derive(Serialize)]
struct SummaryDoc<'a> {
    scenario: &'a str,
    seed: u64,
    digest: String,
    events: u64,
    sim_end_us: u64,
    in_flight_at_end: u64,
    counters: BTreeMap<&'a str, u64>,
    latency: BTreeMap<&'a str, LatencyStats>,
    gauges_final: BTreeMap<&'a str, i64>,
    scalars: &'a BTreeMap<String, f64>,
    series: Vec<&'a str>,
}

/// Statistics of one latency flow; all `None` (JSON `null`) when the flow has no samples.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct LatencyStats {
    pub count: u64,
    pub min_us: Option<u64>,
    pub mean_us: Option<u64>,
    pub p50_us: Option<u64>,
    pub p90_us: Option<u64>,
    pub p99_us: Option<u64>,
    pub p999_us: Option<u64>,
    pub max_us: Option<u64>,
    pub trt_us: Option<u64>,
    /// Share of the completed requests answered within the TRT.
    pub within_trt: Option<f64>,
    /// Requests still in flight at the end and already older than the TRT.
    #[serde(default)]
    pub late_in_flight: u64,
    /// Share within the TRT counting `late_in_flight` as misses: what a planner should read when
    /// the system is overloaded (equal to `within_trt` when nothing is late).
    #[serde(default)]
    pub within_trt_all: Option<f64>,
}

impl LatencyStats {
    /// Reads a flow's statistics: minimum, mean and maximum exactly; percentiles from its
    /// histogram (3 significant digits), kept within the exact minimum and maximum.
    pub(crate) fn of(flow: &Flow) -> Self {
        let h = flow.histogram();
        let trt_us = flow.trt.map(|t| t.as_micros());
        // Rounded to 6 decimal places to keep the file readable.
        let six = |s: f64| (s * 1e6).round() / 1e6;
        let late_in_flight = flow.late_in_flight;
        let within_trt_all = flow.within_trt_all_share().map(six);
        if h.is_empty() {
            return Self {
                count: 0,
                min_us: None,
                mean_us: None,
                p50_us: None,
                p90_us: None,
                p99_us: None,
                p999_us: None,
                max_us: None,
                trt_us,
                within_trt: None,
                late_in_flight,
                within_trt_all,
            };
        }
        Self {
            count: h.len(),
            min_us: flow.min_us(),
            mean_us: flow.mean_us(),
            p50_us: flow.value_at_quantile(0.5),
            p90_us: flow.value_at_quantile(0.9),
            p99_us: flow.value_at_quantile(0.99),
            p999_us: flow.value_at_quantile(0.999),
            max_us: flow.max_us(),
            trt_us,
            within_trt: flow.within_trt_share().map(six),
            late_in_flight,
            within_trt_all,
        }
    }
}

/// Builds `summary.json` for a run and computes its digest.
pub fn summary_json(r: &RunResults) -> Summary {
    let m = r.metrics;
    let flows = m.flows();
    let mut series: Vec<&str> = m.gauge_names().iter().map(String::as_str).collect();
    series.sort_unstable();
    let mut doc = SummaryDoc {
        scenario: r.scenario,
        seed: r.seed,
        digest: String::new(),
        events: r.events,
        sim_end_us: r.sim_end_us,
        in_flight_at_end: r.in_flight_at_end,
        counters: m.counters(),
        latency: flows
            .iter()
            .map(|f| (f.name.as_str(), LatencyStats::of(f)))
            .collect(),
        gauges_final: m.gauges(),
        scalars: m.scalars(),
        series,
    };
    let blank = render(&doc);
    let digest = hex(&Sha256::digest(blank.as_bytes()));
    doc.digest = digest.clone();
    Summary {
        json: render(&doc),
        digest,
    }
}

/// The digest a `summary.json` text should carry, computed from its content: the SHA-256 of the
/// text with the digest's value blanked. `None` if the text has no `"digest": "…"` entry. A file
/// whose figures were edited gets a different value than the one written in it.
pub fn content_digest(text: &str) -> Option<String> {
    let doc: serde_json::Value = serde_json::from_str(text).ok()?;
    let written = doc.get("digest")?.as_str()?;
    let entry = format!("\"digest\": \"{written}\"");
    let at = text.find(&entry)?;
    let blank = format!(
        "{}\"digest\": \"\"{}",
        &text[..at],
        &text[at + entry.len()..]
    );
    Some(hex(&Sha256::digest(blank.as_bytes())))
}

fn render(doc: &SummaryDoc) -> String {
    let mut s = serde_json::to_string_pretty(doc).expect("summary serialises");
    s.push('\n');
    s
}

/// Lower-case hex of a byte string.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        write!(s, "{b:02x}").expect("writing to a String");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil;
    use serde_json::Value;

    fn results(m: &dccsim_sim::Metrics) -> RunResults<'_> {
        RunResults {
            expectations: &[],
            explain_code: |_| None,
            scenario: "quickstart",
            seed: 7,
            events: 123_456,
            sim_end_us: 86_400_000_000,
            in_flight_at_end: 12,
            metrics: m,
        }
    }

    /// Keys of a JSON object in the order they appear in `text` (serde_json's Map sorts them).
    fn top_level_keys(text: &str) -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("  \"") && !l.starts_with("   "))
            .map(|l| l.trim().split('"').nth(1).unwrap().to_string())
            .collect()
    }

    #[test]
    fn shape_and_key_order() {
        let m = testutil::metrics();
        let s = summary_json(&results(&m));
        assert!(s.json.ends_with("}\n"));
        assert_eq!(
            top_level_keys(&s.json),
            [
                "scenario",
                "seed",
                "digest",
                "events",
                "sim_end_us",
                "in_flight_at_end",
                "counters",
                "latency",
                "gauges_final",
                "scalars",
                "series"
            ]
        );
        let v: Value = serde_json::from_str(&s.json).unwrap();
        assert_eq!(v["scenario"], "quickstart");
        assert_eq!(v["seed"], 7);
        assert_eq!(v["digest"], s.digest.as_str());
        assert_eq!(v["in_flight_at_end"], 12);
        // All counters, zeros included, in name order.
        let counters = v["counters"].as_object().unwrap();
        assert_eq!(counters.len(), 5);
        assert_eq!(counters["sr.rejected{code=E4,sr=4.1.1}"], 0);
        assert_eq!(counters["sr.rejected{code=E5,sr=4.1.1}"], 3);
        let pos = |k: &str| s.json.find(k).unwrap();
        assert!(pos("sr.completed{region=north") < pos("sr.rejected{code=E4"));
        assert!(pos("sr.rejected{code=E5") < pos("sr.requested{region=north"));

        let north = &v["latency"]["sr.e2e{region=north,sr=4.1.1}"];
        let keys: Vec<&str> = [
            "count",
            "min_us",
            "mean_us",
            "p50_us",
            "p90_us",
            "p99_us",
            "p999_us",
            "max_us",
            "trt_us",
            "within_trt",
            "late_in_flight",
            "within_trt_all",
        ]
        .to_vec();
        let block_start = pos("\"sr.e2e{region=north,sr=4.1.1}\": {");
        let mut last = block_start;
        for k in &keys {
            let at = block_start + s.json[block_start..].find(&format!("\"{k}\"")).unwrap();
            assert!(at > last, "{k} out of order");
            last = at;
        }
        assert_eq!(north["count"], 6);
        assert_eq!(north["trt_us"], 30_000_000);
        assert_eq!(north["within_trt"], 0.833333);
        // 3 significant digits: values are within 0.1 %.
        let near = |v: &Value, want: u64| {
            let got = v.as_u64().unwrap() as f64;
            assert!(
                (got - want as f64).abs() <= want as f64 * 1e-3,
                "{got} vs {want}"
            );
        };
        near(&north["min_us"], 100_000);
        near(&north["p50_us"], 300_000);
        near(&north["max_us"], 31_000_000);
        near(&north["mean_us"], 5_416_667);
        let south = &v["latency"]["sr.e2e{region=south,sr=4.1.1}"];
        assert_eq!(south["trt_us"], Value::Null);
        assert_eq!(south["within_trt"], Value::Null);
        near(&south["p99_us"], 72_000_000);
        let central = &v["latency"]["sr.e2e{region=central,sr=4.1.1}"];
        assert_eq!(central["count"], 0);
        assert_eq!(central["p50_us"], Value::Null);
        assert_eq!(central["max_us"], Value::Null);
        assert_eq!(central["trt_us"], 30_000_000);
        assert_eq!(central["within_trt"], Value::Null);

        assert_eq!(v["scalars"]["ev.energy_delivered_kwh"], 12.5);
        assert_eq!(v["gauges_final"]["dsp.queue"], 3);
        assert_eq!(v["gauges_final"]["smi.status{status=Commissioned}"], 1001);
        assert_eq!(
            v["series"],
            serde_json::json!(["dsp.queue", "smi.status{status=Commissioned}"])
        );
    }

    #[test]
    fn content_digest_recomputes_the_written_digest() {
        let m = testutil::metrics();
        let s = summary_json(&results(&m));
        assert_eq!(content_digest(&s.json).as_deref(), Some(s.digest.as_str()));
        let edited = s.json.replacen("\": 6,", "\": 60,", 1);
        assert_ne!(edited, s.json);
        assert_ne!(content_digest(&edited).as_deref(), Some(s.digest.as_str()));
        assert_eq!(content_digest("{}"), None);
    }

    #[test]
    fn digest_is_stable_and_sensitive() {
        let mut m = testutil::metrics();
        let a = summary_json(&results(&m));
        let b = summary_json(&results(&m));
        assert_eq!(a, b);
        assert_eq!(a.digest.len(), 64);
        let c = m.counter("sr.rejected{code=E4,sr=4.1.1}".into());
        m.add(c, 1);
        let changed = summary_json(&results(&m));
        assert_ne!(a.digest, changed.digest);
    }

    #[test]
    fn digest_recipe_reproduces_it() {
        let m = testutil::metrics();
        let s = summary_json(&results(&m));
        let needle = format!("\"digest\": \"{}\"", s.digest);
        assert_eq!(s.json.matches(&needle).count(), 1);
        let blank = s.json.replacen(&needle, "\"digest\": \"\"", 1);
        assert_eq!(hex(&Sha256::digest(blank.as_bytes())), s.digest);
    }
}
