//! Writing a run directory atomically: a reader (or a crash) sees the previous run or the new
//! one complete, never a mixture, and a failed write never touches what was there before.

use crate::hgrm::{flow_file_stems, hgrm_text, hlog_text};
use crate::html::html_report;
use crate::manifest::manifest_json;
use crate::run_dir::RunDir;
use crate::summary::{summary_json, Summary};
use crate::timeseries::timeseries_csv;
use crate::{RunManifest, RunResults};
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `manifest.json`, `summary.json`, `expectations.json`, `latency/<flow>.hgrm`,
/// `timeseries.csv` and `report.html` (built from those files) into `dir`.
///
/// Everything is built and fsynced in the sibling `<dir>.tmp-<pid>`, then swapped into place; a
/// previous run in `dir` is replaced only once the new one is complete. On error the temp dir is
/// removed and any previous `dir` is left as it was. An existing `dir` that is not a run directory
/// (not empty, and neither `manifest.json` nor `summary.json` in it) is refused, not replaced.
pub fn write_run(dir: &Path, r: &RunResults, m: &RunManifest) -> io::Result<Summary> {
    write_run_with(dir, r, m, &|_| Ok(()))
}

/// [`write_run`] with a hook run on the finished temp dir just before the swap (tests inject
/// failures there).
fn write_run_with(
    dir: &Path,
    r: &RunResults,
    m: &RunManifest,
    before_swap: &dyn Fn(&Path) -> io::Result<()>,
) -> io::Result<Summary> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = sibling(dir, "tmp")?;
    let old = sibling(dir, "old")?;
    check_replaceable(dir)?;
    fs::create_dir_all(&parent)?;
    // A leftover from an earlier process that had our pid: ours to clear.
    remove_any(&tmp)?;

    let summary = summary_json(r);
    let result = fs::create_dir(&tmp)
        .and_then(|()| fill(&tmp, r, m, &summary))
        .and_then(|()| before_swap(&tmp))
        .and_then(|()| swap(&tmp, dir, &old, &parent));
    match result {
        Ok(()) => Ok(summary),
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

/// Checks, before a run simulates, that [`write_run`] could write `dir`: it is absent, empty or
/// a previous run, its parent folder can be created, and a folder can be made beside it.
pub fn check_run_dir(dir: &Path) -> io::Result<()> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    check_replaceable(dir)?;
    fs::create_dir_all(&parent)?;
    let probe = sibling(dir, "tmp")?;
    remove_any(&probe)?;
    fs::create_dir(&probe)?;
    fs::remove_dir(&probe)
}

/// The temporary folder `<dir>.tmp-<pid>` [`write_run`] fills before moving it into place.
pub fn run_dir_temporary(dir: &Path) -> PathBuf {
    sibling(dir, "tmp").unwrap_or_else(|_| dir.with_extension("tmp"))
}

/// `<dir>.<what>-<pid>` beside `dir`.
fn sibling(dir: &Path, what: &str) -> io::Result<PathBuf> {
    let name = dir.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: not a usable output directory name", dir.display()),
        )
    })?;
    let mut s = OsString::from(name);
    s.push(format!(".{what}-{}", std::process::id()));
    Ok(dir.with_file_name(s))
}

/// Ok if `dir` is absent, empty, or holds a previous run; an error naming the problem otherwise.
fn check_replaceable(dir: &Path) -> io::Result<()> {
    let meta = match fs::metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if !meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} exists and is not a directory; refusing to replace it",
                dir.display()
            ),
        ));
    }
    let is_run = dir.join("manifest.json").exists() || dir.join("summary.json").exists();
    if is_run || fs::read_dir(dir)?.next().is_none() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} exists and is not a dccsim run directory (no manifest.json or summary.json); \
                 refusing to replace it",
                dir.display()
            ),
        ))
    }
}

/// Writes every output file into `tmp` and fsyncs them and the directories.
fn fill(tmp: &Path, r: &RunResults, m: &RunManifest, summary: &Summary) -> io::Result<()> {
    write_file(&tmp.join("manifest.json"), manifest_json(m).as_bytes())?;
    write_file(&tmp.join("summary.json"), summary.json.as_bytes())?;
    let mut expectations =
        serde_json::to_string_pretty(r.expectations).expect("expectations serialise");
    expectations.push('\n');
    write_file(&tmp.join(crate::EXPECTATIONS_FILE), expectations.as_bytes())?;
    write_file(
        &tmp.join("timeseries.csv"),
        timeseries_csv(r.metrics).as_bytes(),
    )?;
    let latency = tmp.join("latency");
    fs::create_dir(&latency)?;
    let flows = r.metrics.flows();
    let names: Vec<&str> = flows.iter().map(|f| f.name.as_str()).collect();
    let stems = flow_file_stems(&names);
    for (flow, stem) in flows.iter().zip(&stems) {
        write_file(
            &latency.join(format!("{stem}.hgrm")),
            hgrm_text(flow.histogram()).as_bytes(),
        )?;
    }
    // Interval logs of the flows the run asked for (`dccsim run` logs the end-to-end flows).
    for (name, intervals) in r.metrics.intervals() {
        if let Some(i) = names.iter().position(|n| *n == name) {
            write_file(
                &latency.join(format!("{}.hlog", stems[i])),
                &hlog_text(name, intervals),
            )?;
        }
    }
    sync_dir(&latency)?;
    // The page is built from the files just written, exactly as `dccsim report --html` rebuilds it.
    let run = RunDir::read(tmp).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    write_file(
        &tmp.join(crate::REPORT_FILE),
        html_report(&run, r.explain_code).as_bytes(),
    )?;
    sync_dir(tmp)
}

/// Moves any previous `dir` aside to `old`, `tmp` into place, then deletes `old`.
fn swap(tmp: &Path, dir: &Path, old: &Path, parent: &Path) -> io::Result<()> {
    let had_previous = match fs::symlink_metadata(dir) {
        Ok(_) => {
            remove_any(old)?;
            fs::rename(dir, old)?;
            true
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(e),
    };
    if let Err(e) = fs::rename(tmp, dir) {
        if had_previous {
            let _ = fs::rename(old, dir);
        }
        return Err(e);
    }
    sync_dir(parent)?;
    if had_previous {
        // The new run is in place; a leftover old copy is untidy but loses nothing.
        let _ = remove_any(old);
    }
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Removes whatever is at `path` (directory tree, file or link); absent is fine.
fn remove_any(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Makes a directory's entries durable (a no-op where directories cannot be opened).
fn sync_dir(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(path)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil;

    const TOML: &str = "[scenario]\nname = \"quickstart\"\n";

    fn run<'a>(metrics: &'a dccsim_sim::Metrics) -> (RunResults<'a>, RunManifest<'a>) {
        let r = RunResults {
            expectations: &[],
            explain_code: |_| None,
            scenario: "quickstart",
            seed: 7,
            events: 100,
            sim_end_us: 120_000_000,
            in_flight_at_end: 0,
            metrics,
        };
        let m = RunManifest {
            scenario: "quickstart",
            description: "test",
            scenario_hash: crate::scenario_hash(TOML),
            resolved_toml: TOML,
            seed: 7,
            version: "0.1.0",
            events: 100,
            wall_seconds: 0.25,
            peak_rss_bytes: crate::peak_rss_bytes(),
            sets: &[],
        };
        (r, m)
    }

    /// Names in `base`'s parent that start with `base`'s name plus `.tmp-` or `.old-`.
    fn leftovers(base: &Path) -> Vec<String> {
        let name = base.file_name().unwrap().to_string_lossy().to_string();
        let Ok(entries) = fs::read_dir(base.parent().unwrap()) else {
            return Vec::new();
        };
        entries
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| {
                n.starts_with(&format!("{name}.tmp-")) || n.starts_with(&format!("{name}.old-"))
            })
            .collect()
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn creates_all_files_and_no_temp_dir() {
        let root = testutil::scratch("create");
        let dir = root.join("runs").join("quickstart-seed7");
        let metrics = testutil::metrics();
        let (r, m) = run(&metrics);
        let s = write_run(&dir, &r, &m).unwrap();
        assert_eq!(
            listing(&dir),
            [
                "expectations.json",
                "latency",
                "manifest.json",
                "report.html",
                "summary.json",
                "timeseries.csv"
            ]
        );
        assert_eq!(
            fs::read_to_string(dir.join("expectations.json")).unwrap(),
            "[]\n"
        );
        assert_eq!(
            listing(&dir.join("latency")),
            [
                "sr.e2e_region=central_sr=4.1.1.hgrm",
                "sr.e2e_region=north_sr=4.1.1.hgrm",
                "sr.e2e_region=south_sr=4.1.1.hgrm"
            ]
        );
        assert_eq!(
            fs::read_to_string(dir.join("summary.json")).unwrap(),
            s.json
        );
        let manifest: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["events_per_second"], 400.0);
        assert!(fs::read_to_string(dir.join("timeseries.csv"))
            .unwrap()
            .starts_with("time_us,series,value\n"));
        assert!(leftovers(&dir).is_empty());
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn replaces_an_existing_run() {
        let root = testutil::scratch("replace");
        let dir = root.join("run");
        fs::create_dir_all(dir.join("latency")).unwrap();
        fs::write(dir.join("summary.json"), "old").unwrap();
        fs::write(dir.join("latency").join("stale.hgrm"), "old").unwrap();
        let metrics = testutil::metrics();
        let (r, m) = run(&metrics);
        let s = write_run(&dir, &r, &m).unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("summary.json")).unwrap(),
            s.json
        );
        assert!(!dir.join("latency").join("stale.hgrm").exists());
        assert!(leftovers(&dir).is_empty());
        // And again, over the run just written: same bytes.
        let again = write_run(&dir, &r, &m).unwrap();
        assert_eq!(again, s);
        assert!(leftovers(&dir).is_empty());
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn failure_under_a_file_leaves_nothing() {
        let root = testutil::scratch("underfile");
        fs::create_dir_all(&root).unwrap();
        let file = root.join("not-a-dir");
        fs::write(&file, "keep me").unwrap();
        let metrics = testutil::metrics();
        let (r, m) = run(&metrics);
        assert!(write_run(&file.join("run"), &r, &m).is_err());
        assert_eq!(fs::read_to_string(&file).unwrap(), "keep me");
        assert_eq!(listing(&root), ["not-a-dir"]);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn failure_before_swap_keeps_the_old_run() {
        let root = testutil::scratch("fail");
        let dir = root.join("run");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("summary.json"), "previous run").unwrap();
        let metrics = testutil::metrics();
        let (r, m) = run(&metrics);
        let err = write_run_with(&dir, &r, &m, &|tmp| {
            assert!(tmp.join("summary.json").exists());
            Err(io::Error::other("injected"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "injected");
        assert_eq!(listing(&dir), ["summary.json"]);
        assert_eq!(
            fs::read_to_string(dir.join("summary.json")).unwrap(),
            "previous run"
        );
        assert!(leftovers(&dir).is_empty());
        assert_eq!(listing(&root), ["run"]);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn refuses_to_replace_what_is_not_a_run() {
        let root = testutil::scratch("refuse");
        let dir = root.join("home");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("thesis.tex"), "precious").unwrap();
        let file = root.join("file");
        fs::write(&file, "precious").unwrap();
        let metrics = testutil::metrics();
        let (r, m) = run(&metrics);
        let err = write_run(&dir, &r, &m).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert!(err.to_string().contains("not a dccsim run directory"));
        assert!(write_run(&file, &r, &m).is_err());
        assert_eq!(
            fs::read_to_string(dir.join("thesis.tex")).unwrap(),
            "precious"
        );
        assert_eq!(fs::read_to_string(&file).unwrap(), "precious");
        assert_eq!(listing(&root), ["file", "home"]);
        // An empty directory is fine to fill.
        let empty = root.join("empty");
        fs::create_dir(&empty).unwrap();
        write_run(&empty, &r, &m).unwrap();
        assert!(empty.join("summary.json").exists());
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn colliding_flow_names_get_distinct_files() {
        let root = testutil::scratch("collide");
        let dir = root.join("run");
        let mut metrics = dccsim_sim::Metrics::new();
        metrics.flow("a{b}".into(), None);
        metrics.flow("a_b".into(), None);
        let (r, m) = run(&metrics);
        write_run(&dir, &r, &m).unwrap();
        assert_eq!(listing(&dir.join("latency")), ["a_b.hgrm", "a_b_2.hgrm"]);
        fs::remove_dir_all(&root).unwrap();
    }
}
