//! A run directory read back from disk: `summary.json`, `manifest.json`, `timeseries.csv`,
//! `latency/*.hgrm` and `expectations.json`. The HTML report and `dccsim report` are built from
//! this, never from live metrics, so a report rebuilt later is the one the run wrote.

use crate::hgrm::{flow_file_stems, parse_hgrm, PercentileRow};
use crate::summary::LatencyStats;
use crate::table::table_text;
use crate::timeseries::{parse_timeseries_csv, SeriesSamples};
use crate::{ExpectationOutcome, EXPECTATIONS_FILE};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// `summary.json` as read back.
#[derive(Debug, Deserialize)]
pub struct SavedSummary {
    pub scenario: String,
    pub seed: u64,
    pub digest: String,
    pub events: u64,
    pub sim_end_us: u64,
    pub in_flight_at_end: u64,
    pub counters: BTreeMap<String, u64>,
    pub latency: BTreeMap<String, LatencyStats>,
    pub gauges_final: BTreeMap<String, i64>,
    /// `null` where a figure was not finite.
    #[serde(default)]
    pub scalars: BTreeMap<String, Option<f64>>,
    pub series: Vec<String>,
}

/// `manifest.json` as read back: how the run was made (wall-clock facts included).
#[derive(Debug, Deserialize)]
pub struct SavedManifest {
    pub scenario: String,
    pub description: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub version: String,
    pub events: u64,
    pub wall_seconds: f64,
    pub events_per_second: Option<f64>,
    pub peak_rss_bytes: Option<u64>,
    pub sets: Vec<String>,
    pub resolved_parameters: serde_json::Value,
    pub resolved_toml: String,
}

/// Everything a run directory holds, parsed.
#[derive(Debug)]
pub struct RunDir {
    pub summary: SavedSummary,
    pub manifest: SavedManifest,
    /// Gauge samples by series name.
    pub series: BTreeMap<String, SeriesSamples>,
    /// Each latency flow's percentile rows (from its `.hgrm`), by flow name.
    pub distributions: BTreeMap<String, Vec<PercentileRow>>,
    /// The `[[expect]]` outcomes; `None` for a run directory older than `expectations.json`.
    pub expectations: Option<Vec<ExpectationOutcome>>,
    /// Per flow with an interval log (`latency/<flow>.hlog`): its intervals, summarised.
    pub intervals: BTreeMap<String, Vec<crate::hgrm::IntervalStats>>,
}

/// Why a run directory could not be read: the file and, where known, line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunDirError(pub String);

impl fmt::Display for RunDirError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RunDirError {}

impl RunDir {
    /// Reads and checks every output file of the run directory `dir`.
    pub fn read(dir: &Path) -> Result<RunDir, RunDirError> {
        if !dir.is_dir() {
            return Err(RunDirError(format!(
                "{}: not a directory (expected a dccsim run directory with summary.json)",
                dir.display()
            )));
        }
        let summary: SavedSummary = read_json(&dir.join("summary.json"))?;
        let manifest: SavedManifest = read_json(&dir.join("manifest.json"))?;
        let csv_path = dir.join("timeseries.csv");
        let series = parse_timeseries_csv(&read_text(&csv_path)?)
            .map_err(|e| RunDirError(format!("{}:{e}", csv_path.display())))?;
        let names: Vec<&str> = summary.latency.keys().map(String::as_str).collect();
        let mut distributions = BTreeMap::new();
        let mut intervals = BTreeMap::new();
        for (name, stem) in names.iter().zip(flow_file_stems(&names)) {
            let path = dir.join("latency").join(format!("{stem}.hgrm"));
            let parsed = parse_hgrm(&read_text(&path)?)
                .map_err(|e| RunDirError(format!("{}:{e}", path.display())))?;
            let count = summary.latency[*name].count;
            if parsed.total_count != count {
                return Err(RunDirError(format!(
                    "{}: total count {} differs from summary.json's count {count} for {name}",
                    path.display(),
                    parsed.total_count
                )));
            }
            distributions.insert(name.to_string(), parsed.rows);
            let hlog = path.with_extension("hlog");
            if hlog.exists() {
                let bytes = std::fs::read(&hlog)
                    .map_err(|e| RunDirError(format!("{}: cannot read it: {e}", hlog.display())))?;
                let parsed = crate::hgrm::parse_hlog(&bytes)
                    .map_err(|e| RunDirError(format!("{}: {e}", hlog.display())))?;
                let logged: u64 = parsed.iter().map(|i| i.count).sum();
                if logged != count {
                    return Err(RunDirError(format!(
                        "{}: its intervals hold {logged} samples, summary.json's count is {count} \
                         for {name}",
                        hlog.display()
                    )));
                }
                intervals.insert(name.to_string(), parsed);
            }
        }
        let exp_path = dir.join(EXPECTATIONS_FILE);
        let expectations = if exp_path.exists() {
            Some(read_json(&exp_path)?)
        } else {
            None
        };
        Ok(RunDir {
            summary,
            manifest,
            series,
            distributions,
            expectations,
            intervals,
        })
    }

    /// The terminal table `dccsim run` prints, rebuilt from the saved summary.
    pub fn terminal_table(&self, explain_code: fn(&str) -> Option<&'static str>) -> String {
        let s = &self.summary;
        let mut out = table_text(
            s.latency.iter().map(|(k, v)| (k.as_str(), v)),
            s.counters.iter().map(|(k, v)| (k.as_str(), *v)),
            s.in_flight_at_end,
            explain_code,
        );
        out.push_str(&crate::table::scalar_lines(
            s.scalars.iter().map(|(k, v)| (k.as_str(), *v)),
        ));
        out
    }
}

fn read_text(path: &Path) -> Result<String, RunDirError> {
    std::fs::read_to_string(path)
        .map_err(|e| RunDirError(format!("{}: cannot read it: {e}", path.display())))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, RunDirError> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| {
        // serde_json says "… at line L column C"; put the location where editors look for it.
        let msg = e.to_string();
        let msg = msg
            .rsplit_once(" at line ")
            .map_or(msg.as_str(), |(m, _)| m)
            .to_string();
        RunDirError(format!(
            "{}:{}:{}: {msg}",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::written_run;
    use std::fs;

    #[test]
    fn reads_back_what_write_run_wrote() {
        let (root, dir) = written_run("read");
        let run = RunDir::read(&dir).unwrap();
        assert_eq!(run.summary.scenario, "quickstart");
        assert_eq!(run.summary.in_flight_at_end, 4);
        assert_eq!(run.manifest.wall_seconds, 0.25);
        assert_eq!(run.series["dsp.queue"].values, [0, 5, 3]);
        assert_eq!(run.distributions.len(), 3);
        assert!(run.distributions["sr.e2e{region=central,sr=4.1.1}"].is_empty());
        assert_eq!(
            run.distributions["sr.e2e{region=north,sr=4.1.1}"]
                .last()
                .unwrap()
                .quantile,
            1.0
        );
        assert_eq!(run.expectations.as_ref().unwrap().len(), 1);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn damaged_files_are_named_and_located() {
        let (root, dir) = written_run("damaged");
        fs::write(dir.join("summary.json"), "{\n  \"scenario\": 3\n}\n").unwrap();
        let e = RunDir::read(&dir).unwrap_err().0;
        assert!(e.contains("summary.json:2:"), "{e}");
        assert!(e.contains("invalid type"), "{e}");

        let (root2, dir2) = written_run("nohgrm");
        fs::remove_file(dir2.join("latency/sr.e2e_region=north_sr=4.1.1.hgrm")).unwrap();
        let e = RunDir::read(&dir2).unwrap_err().0;
        assert!(
            e.contains("sr.e2e_region=north_sr=4.1.1.hgrm: cannot read it"),
            "{e}"
        );

        let e = RunDir::read(&root.join("absent")).unwrap_err().0;
        assert!(e.contains("not a directory"), "{e}");
        fs::remove_dir_all(root).unwrap();
        fs::remove_dir_all(root2).unwrap();
    }
}
