//! Run outputs: turns a finished run into `summary.json` (with its digest), `manifest.json`,
//! `latency/<flow>.hgrm`, `timeseries.csv`, `report.html` and a terminal table (DESIGN §7), and
//! reads a run directory back ([`RunDir`]) to show or rebuild its report.
//!
//! Everything in [`RunResults`] is simulated, so the summary is byte-identical across reruns;
//! wall-clock facts live only in [`RunManifest`] and `manifest.json`.

mod alerts;
mod estimate;
mod hgrm;
mod html;
mod manifest;
mod output_dir;
mod rss;
mod run_dir;
mod summary;
mod table;
mod timeseries;

pub use estimate::{show_figure, t975, Estimate};
pub use hgrm::{
    hgrm_file_name, hgrm_text, hlog_text, parse_hgrm, parse_hlog, IntervalStats, ParsedHgrm,
    PercentileRow,
};
pub use html::{
    crossings, envelope, escape, html_report, sweep_html, write_html_report, FailedRun,
    PointOutcome, SweepExpectation, SweepPoint, SweepReport, SweptParameter, SweptValue,
};
pub use manifest::{manifest_json, resolved_parameters, scenario_hash};

/// File name of the record of how a run was made, in a run directory.
pub const MANIFEST_FILE: &str = "manifest.json";
/// File name of the expectation outcomes in a run directory.
pub const EXPECTATIONS_FILE: &str = "expectations.json";
/// File name of the self-contained HTML report in a run directory.
pub const REPORT_FILE: &str = "report.html";
pub use output_dir::{check_run_dir, run_dir_temporary, write_run};
pub use rss::peak_rss_bytes;
pub use run_dir::{RunDir, RunDirError, SavedManifest, SavedSummary};
pub use summary::{content_digest, summary_json, LatencyStats, Summary};
pub use table::{human_duration, show_scalar, terminal_table, thousands};
pub use timeseries::{parse_timeseries_csv, timeseries_csv, SeriesSamples};

/// Everything simulated about one run (no wall-clock figures).
pub struct RunResults<'a> {
    pub scenario: &'a str,
    pub seed: u64,
    /// Events the kernel processed.
    pub events: u64,
    /// Simulated time at which the run stopped, µs.
    pub sim_end_us: u64,
    /// Messages still in flight when the run stopped (reported, never counted as delivered).
    pub in_flight_at_end: u64,
    pub metrics: &'a dccsim_sim::Metrics,
    /// The world's plain-English text for a response code (`"E19"` → "Refused: …"), shown beside
    /// refusal counts; the reports crate knows no codes itself.
    pub explain_code: fn(&str) -> Option<&'static str>,
    /// The scenario's `[[expect]]` checks against this run, in scenario order (empty when it has
    /// none); written to `expectations.json`.
    pub expectations: &'a [ExpectationOutcome],
}

/// The outcome of one `[[expect]]` of a scenario, checked against a run's results.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ExpectationOutcome {
    /// What was expected, as a reader would say it, e.g.
    /// `sr.e2e{region=north,sr=4.1.1} p99_us <= 30s`.
    pub expected: String,
    /// What the run gave, in the same units, or why no value could be read
    /// (e.g. `no such metric`).
    pub actual: String,
    pub passed: bool,
}

/// Facts about how the run was made (wall clock lives here, never in the summary).
pub struct RunManifest<'a> {
    pub scenario: &'a str,
    pub description: &'a str,
    /// SHA-256 hex of the resolved scenario text; compute it with [`scenario_hash`].
    pub scenario_hash: String,
    /// The scenario after `--set` overrides, as TOML text.
    pub resolved_toml: &'a str,
    pub seed: u64,
    /// dccsim version that made the run.
    pub version: &'a str,
    pub events: u64,
    pub wall_seconds: f64,
    pub peak_rss_bytes: Option<u64>,
    /// The `--set` overrides as given on the command line.
    pub sets: &'a [String],
}

#[cfg(test)]
pub(crate) mod testutil {
    //! A small hand-built run shared by the unit tests.

    use dccsim_sim::{Metrics, SimDuration, SimTime};
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// Metrics with a few counters, two gauges sampled three times and three flows (two with
    /// known samples, one empty).
    pub fn metrics() -> Metrics {
        let mut m = Metrics::new();
        let req = m.counter("sr.requested{region=north,sr=4.1.1}".into());
        let req2 = m.counter("sr.requested{region=south,sr=4.1.1}".into());
        let done = m.counter("sr.completed{region=north,sr=4.1.1}".into());
        let rej = m.counter("sr.rejected{code=E5,sr=4.1.1}".into());
        m.counter("sr.rejected{code=E4,sr=4.1.1}".into());
        m.add(req, 10);
        m.add(req2, 2);
        m.add(done, 6);
        m.add(rej, 3);
        let q = m.gauge("dsp.queue".into());
        let s = m.gauge("smi.status{status=Commissioned}".into());
        m.gauge_set(s, 1000);
        m.set_scalar("ev.energy_delivered_kwh".into(), 12.5);
        m.sample(SimTime(0));
        m.gauge_add(q, 5);
        m.sample(SimTime(60_000_000));
        m.gauge_add(q, -2);
        m.gauge_add(s, 1);
        m.sample(SimTime(120_000_000));
        let north = m.flow(
            "sr.e2e{region=north,sr=4.1.1}".into(),
            Some(SimDuration::from_secs(30)),
        );
        for ms in [100, 200, 300, 400, 500, 31_000] {
            m.record(north, SimDuration::from_millis(ms));
        }
        let south = m.flow("sr.e2e{region=south,sr=4.1.1}".into(), None);
        for s in [1, 2, 3, 72] {
            m.record(south, SimDuration::from_secs(s));
        }
        m.flow(
            "sr.e2e{region=central,sr=4.1.1}".into(),
            Some(SimDuration::from_secs(30)),
        );
        m.settle();
        m
    }

    /// A run of [`metrics`] written by `write_run` under a scratch root: `(root, run dir)`.
    pub fn written_run(tag: &str) -> (PathBuf, PathBuf) {
        let root = scratch(tag);
        let dir = root.join("run");
        let metrics = metrics();
        let outcomes = [crate::ExpectationOutcome {
            expected: "dsp.queue <= 10".into(),
            actual: "3".into(),
            passed: true,
        }];
        let r = crate::RunResults {
            expectations: &outcomes,
            explain_code: |c| (c == "E5").then_some("Refused: <status> & more"),
            scenario: "quickstart",
            seed: 7,
            events: 100,
            sim_end_us: 120_000_000,
            in_flight_at_end: 4,
            metrics: &metrics,
        };
        let toml = "[scenario]\nname = \"quickstart\"\n";
        let m = crate::RunManifest {
            scenario: "quickstart",
            description: "a <b>bold</b> & \"quoted\" test",
            scenario_hash: crate::scenario_hash(toml),
            resolved_toml: toml,
            seed: 7,
            version: "0.1.0",
            events: 100,
            wall_seconds: 0.25,
            peak_rss_bytes: None,
            sets: &[],
        };
        crate::write_run(&dir, &r, &m).unwrap();
        (root, dir)
    }

    /// A fresh, not yet existing path under the system temp dir.
    pub fn scratch(tag: &str) -> PathBuf {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!(
            "dccsim-reports-test-{}-{tag}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&p);
        p
    }
}
