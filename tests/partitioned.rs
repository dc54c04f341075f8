//! `dccsim run --workers N`: the run is placed over N partitions (the DCC side in partition 0,
//! the CSPs in partition 1, the premises spread over partitions 1 and up) that run side by side
//! on threads, with the results of one worker; it is refused when a link between partitions has
//! no lookahead. The WAN's `latency_floor` and the DSP ↔ CSP network's `dsp_latency_floor` give
//! the links their lookahead.
//!
//! The test binary is a debug build, so every send across two partitions is checked against the
//! lookahead while these runs go: a link missing from `lookahead::LINKS` with a shorter delay
//! would panic the run.

mod common;
use common::*;

/// The WAN-crossing flows of a summary, `(name, min_us)`.
fn wan_minima(s: &serde_json::Value) -> Vec<(String, u64)> {
    s["latency"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, f)| name.starts_with("sr.hop{hop=wan,") && f["count"].as_u64() > Some(0))
        .map(|(name, f)| (name.clone(), f["min_us"].as_u64().unwrap()))
        .collect()
}

#[test]
fn every_worker_count_gives_the_same_digest_and_summary() {
    // Firmware rollouts use every WAN link in the table (commands, images, receipts).
    const FEW: &[&str] = &["--set", "population.premises=1000"];
    let one = scratch("workers-1");
    run_ok("scenarios/firmware-rollout.toml", &one, FEW);
    for workers in ["2", "3", "4"] {
        let out = scratch(&format!("workers-{workers}"));
        let mut extra = FEW.to_vec();
        extra.extend_from_slice(&["--workers", workers]);
        run_ok("scenarios/firmware-rollout.toml", &out, &extra);
        for file in ["summary.json", "timeseries.csv"] {
            assert!(
                std::fs::read(out.join(file)).unwrap() == std::fs::read(one.join(file)).unwrap(),
                "--workers {workers} changed {file}"
            );
        }
    }
}

#[test]
fn a_link_with_no_delay_between_partitions_is_refused() {
    let out = scratch("zero-link");
    let o = dccsim(&[
        "run",
        "scenarios/ev-load-control.toml",
        "--workers",
        "2",
        "--out",
        out.join("run").to_str().unwrap(),
        "--set",
        "population.premises=500",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for words in ["EV charger → DNO", "no lookahead", "--workers 1"] {
        assert!(stderr.contains(words), "no {words:?} in {stderr}");
    }
    assert!(
        !out.join("run").exists(),
        "a refused run left an output folder"
    );
    // One worker needs no lookahead.
    run_ok(
        "scenarios/ev-load-control.toml",
        &out.join("one"),
        &["--workers", "1", "--set", "population.premises=500"],
    );
}

/// Runs `scenario` on `workers` workers into `out` with each of `sets` as a `--set`; returns the
/// exit code and stderr.
fn run_on_workers(
    scenario: &str,
    workers: u32,
    out: &std::path::Path,
    sets: &[&str],
) -> (i32, String) {
    let workers = workers.to_string();
    let mut args = vec![
        "run",
        scenario,
        "--workers",
        &workers,
        "--out",
        out.to_str().unwrap(),
    ];
    for s in sets {
        args.extend_from_slice(&["--set", s]);
    }
    let o = dccsim(&args);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    (o.status.code().unwrap_or(-1), stderr)
}

/// Runs quickstart at `premises` premises on two workers into `out`, with `--set` `set` (if
/// any); returns the exit code and stderr.
fn quickstart_on_two_workers(out: &std::path::Path, premises: u32, set: &[&str]) -> (i32, String) {
    let premises = format!("population.premises={premises}");
    let sets: Vec<&str> = std::iter::once(premises.as_str())
        .chain(set.iter().copied())
        .collect();
    run_on_workers("scenarios/quickstart.toml", 2, out, &sets)
}

#[test]
fn a_wan_without_a_floor_is_refused_naming_the_parameter() {
    let out = scratch("no-floor");
    let (code, stderr) = quickstart_on_two_workers(&out, 500, &["csp.south.latency_floor=0s"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("csp.south.latency_floor"), "{stderr}");
}

#[test]
fn the_wan_latency_floor_bounds_every_crossing() {
    // A floor above the cellular median (1.5 s) lifts every central crossing to it.
    let (low, high) = (scratch("floor-default"), scratch("floor-high"));
    let base = run_ok("scenarios/quickstart.toml", &low, SMALL);
    let mut extra = SMALL.to_vec();
    extra.extend_from_slice(&["--set", "csp.central.latency_floor=3s"]);
    let floored = run_ok("scenarios/quickstart.toml", &high, &extra);
    assert!(wan_minima(&base)
        .iter()
        .any(|(n, m)| n.contains("region=central") && *m < 3_000_000));
    let central: Vec<_> = wan_minima(&floored)
        .into_iter()
        .filter(|(n, _)| n.contains("region=central"))
        .collect();
    assert!(!central.is_empty());
    for (name, min) in central {
        assert!(min >= 3_000_000, "{name}: min {min} us below the floor");
    }
}

// ---- Issue 18, i18-lead: the alert source's lead and the EV charger's report latency give the
// two links that had no delay a lookahead, so device alerts and `[ev]` runs can be partitioned.

/// Runs `scenario` with `extra` on 1 and on each of `workers`, and asserts `summary.json` and
/// `timeseries.csv` are byte-identical; returns the one-worker summary.
fn same_for_every_worker(
    name: &str,
    scenario: &str,
    extra: &[&str],
    workers: &[&str],
) -> serde_json::Value {
    let one = scratch(&format!("{name}-1"));
    let summary = run_ok(scenario, &one, extra);
    for w in workers {
        let out = scratch(&format!("{name}-{w}"));
        let mut args = extra.to_vec();
        args.extend_from_slice(&["--workers", w]);
        run_ok(scenario, &out, &args);
        for file in ["summary.json", "timeseries.csv"] {
            assert!(
                std::fs::read(out.join(file)).unwrap() == std::fs::read(one.join(file)).unwrap(),
                "{scenario}: --workers {w} changed {file}"
            );
        }
    }
    summary
}

#[test]
fn an_alert_storm_gives_the_same_results_on_every_worker_count() {
    // Routine alerts and an outage's restoration storm cross from the alert source to the hubs
    // (each send is checked against the lookahead in this debug build).
    let s = same_for_every_worker(
        "lead-storm",
        "scenarios/alert-storm.toml",
        &["--set", "population.premises=4000"],
        &["2", "3"],
    );
    assert!(counter_sum(&s, "alert.raised{class=supply-outage-restored-long}") > 1000);
    assert!(counter_sum(&s, "alert.delivered{") > 0);
}

#[test]
fn a_small_gb_day_gives_the_same_results_on_one_and_two_workers() {
    let s = same_for_every_worker(
        "lead-gb-day",
        "scenarios/gb-day-sample.toml",
        &[
            "--set",
            "population.premises=3000",
            "--set",
            "smets1_fleet.0.meters=2000",
        ],
        &["2"],
    );
    assert!(counter_sum(&s, "alert.raised{") > 100);
}

#[test]
fn ev_load_control_with_a_report_latency_gives_the_same_results_on_two_workers() {
    const LATENCY: &[&str] = &[
        "--set",
        "population.premises=500",
        "--set",
        "ev.report_latency=200ms",
    ];
    let late = same_for_every_worker(
        "report-latency",
        "scenarios/ev-load-control.toml",
        LATENCY,
        &["2"],
    );
    // The latency is read: the DNO hears of each draw later, so the results move.
    let at_once = run_ok(
        "scenarios/ev-load-control.toml",
        &scratch("report-latency-0"),
        &LATENCY[..2],
    );
    assert_ne!(late["digest"], at_once["digest"]);
    assert!(scalar(&late, "ev.energy_requested_kwh") > 0.0);
    assert_eq!(
        scalar(&late, "ev.energy_requested_kwh"),
        scalar(&at_once, "ev.energy_requested_kwh"),
        "the sessions are the same"
    );
}

#[test]
fn alerts_due_within_the_lead_of_the_start_are_exact_on_every_worker_count() {
    // About 90 routine alerts a second and an outage restored at 0.3 s: what is due in the first
    // second cannot be sent a lead ahead, so the source sends it while the world is built.
    let s = same_for_every_worker(
        "lead-start",
        "scenarios/alert-storm.toml",
        &[
            "--set",
            "population.premises=4000",
            "--set",
            "alert.0.per_device_per_day=2000",
            "--set",
            "scenario.duration=3s",
            "--set",
            "event.0.at=0s",
            "--set",
            "event.0.duration=300ms",
            "--set",
            "event.0.restore_spread=2s",
        ],
        &["2", "3"],
    );
    assert!(counter_sum(&s, "alert.raised{class=billing-data-log-updated}") > 100);
    assert!(counter_sum(&s, "alert.raised{class=supply-outage-restored}") > 1000);
}

// ---- One run across processes on timely (`run -n P -p I -h HOSTFILE`) ----

/// A small firmware rollout whose WAN floor is 2 s, so that a run across processes takes few
/// windows (a debug build pays some milliseconds a window between processes).
const ACROSS: &[&str] = &[
    "--set",
    "population.premises=100",
    "--set",
    "scenario.duration=12h",
    "--set",
    "csp.north.latency_floor=2s",
    "--set",
    "csp.central.latency_floor=2s",
    "--set",
    "csp.south.latency_floor=2s",
    "--set",
    "csp.north.dsp_latency_floor=2s",
    "--set",
    "csp.central.dsp_latency_floor=2s",
    "--set",
    "csp.south.dsp_latency_floor=2s",
];

/// A hostfile for `n` processes on this machine, at ports that were free a moment ago.
fn hostfile(dir: &std::path::Path, n: usize) -> std::path::PathBuf {
    let listeners: Vec<_> = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let lines: Vec<String> = listeners
        .iter()
        .map(|l| format!("127.0.0.1:{}", l.local_addr().unwrap().port()))
        .collect();
    let path = dir.join("hosts");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// Runs process `p` of `-n 2` of the firmware rollout into `out`, with `extra` arguments.
fn process(
    p: &str,
    hosts: &std::path::Path,
    out: &std::path::Path,
    extra: &[&str],
) -> std::process::Child {
    let mut args = vec![
        "run",
        "scenarios/firmware-rollout.toml",
        "-n",
        "2",
        "-p",
        p,
        "-h",
        hosts.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    args.extend_from_slice(ACROSS);
    args.extend_from_slice(extra);
    spawn(env!("CARGO_BIN_EXE_dccsim"), &args)
}

#[test]
fn two_processes_write_the_summary_of_one() {
    let one = scratch("across-1");
    run_ok("scenarios/firmware-rollout.toml", &one, ACROSS);
    for workers in ["1", "2"] {
        let dir = scratch(&format!("across-n2-w{workers}"));
        let hosts = hostfile(&dir, 2);
        let (out0, out1) = (dir.join("p0"), dir.join("p1"));
        let extra = ["--workers", workers];
        let second = process("1", &hosts, &out1, &extra);
        let first = process("0", &hosts, &out0, &extra);
        let limit = std::time::Duration::from_secs(120);
        let o0 = finish(first, limit, "process 0");
        let o1 = finish(second, limit, "process 1");
        let said = |o: &std::process::Output| {
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
        };
        assert!(o0.status.success(), "process 0: {}", said(&o0));
        assert!(o1.status.success(), "process 1: {}", said(&o1));
        for file in ["summary.json", "timeseries.csv"] {
            assert!(
                std::fs::read(out0.join(file)).unwrap() == std::fs::read(one.join(file)).unwrap(),
                "-n 2 --workers {workers} changed {file}"
            );
        }
        assert!(!out1.exists(), "process 1 wrote an output folder");
        let partitions = if workers == "1" {
            "1 to 1 of 2"
        } else {
            "2 to 3 of 4"
        };
        assert!(
            said(&o1).contains(&format!("process 1 of 2: ran partitions {partitions}")),
            "{}",
            said(&o1)
        );
    }
}

#[test]
fn a_peer_that_never_comes_stops_the_run_with_nothing_written() {
    let dir = scratch("across-alone");
    let hosts = hostfile(&dir, 2);
    let out = dir.join("p0");
    let alone = process("0", &hosts, &out, &["--connect-timeout", "1"]);
    let o = finish(alone, std::time::Duration::from_secs(60), "process 0 alone");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert_ne!(o.status.code(), Some(3), "not an internal error: {err}");
    assert!(err.contains("for process(es) 1"), "{err}");
    assert!(!out.exists(), "an output folder without a run");
}

#[test]
fn a_bad_process_index_or_hostfile_is_bad_input() {
    let dir = scratch("across-bad");
    let out = dir.join("out");
    let o = dccsim(&[
        "run",
        "scenarios/firmware-rollout.toml",
        "-n",
        "2",
        "-p",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("-p 2"));
    let hosts = dir.join("hosts");
    std::fs::write(&hosts, "127.0.0.1:2101\nmachine-b\n").unwrap();
    let o = dccsim(&[
        "run",
        "scenarios/firmware-rollout.toml",
        "-n",
        "2",
        "-h",
        hosts.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("hosts:2:1:") && err.contains("machine-b"),
        "{err}"
    );
    assert!(!out.exists());
}

// ---- The DSP ↔ CSP network: its latency and floor, and the CSPs in a partition of their own.

/// The DSP ↔ CSP crossings' flows of a summary for `region`, `(name, count, min_us)`.
fn dsp_csp_hops(s: &serde_json::Value, region: &str) -> Vec<(String, u64, u64)> {
    s["latency"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, f)| {
            name.starts_with("sr.hop{hop=dsp-csp,")
                && name.contains(&format!("region={region}"))
                && f["count"].as_u64() > Some(0)
        })
        .map(|(name, f)| {
            let (count, min) = (f["count"].as_u64().unwrap(), f["min_us"].as_u64().unwrap());
            (name.clone(), count, min)
        })
        .collect()
}

#[test]
fn every_sr_crosses_the_dsp_csp_network_both_ways_and_never_below_its_floor() {
    let (base, slow) = (scratch("dsp-csp-default"), scratch("dsp-csp-slow"));
    let normal = run_ok("scenarios/quickstart.toml", &base, SMALL);
    let mut extra = SMALL.to_vec();
    extra.extend_from_slice(&[
        "--set",
        "csp.central.dsp_latency={ dist = \"const\", value = \"1s\" }",
        "--set",
        "csp.central.dsp_latency_floor=2s",
    ]);
    let floored = run_ok("scenarios/quickstart.toml", &slow, &extra);
    // By default the crossings are tens of milliseconds, at least the 50 ms floor.
    let default = dsp_csp_hops(&normal, "central");
    assert!(!default.is_empty());
    for (name, _, min) in &default {
        assert!((50_000..1_000_000).contains(min), "{name}: min {min} us");
    }
    // Each completed central read crossed twice (command out, answer back).
    let crossings: u64 = default
        .iter()
        .filter(|(n, ..)| n.contains("sr=4.1.1"))
        .map(|(_, c, _)| c)
        .sum();
    let completed = counter(&normal, "sr.completed{region=central,sr=4.1.1}");
    assert!(
        crossings >= 2 * completed,
        "{crossings} crossings, {completed} reads"
    );
    // A 1 s draw below a 2 s floor takes the floor: every crossing is 2 s, and the central
    // reads' median end-to-end time grows by about two crossings; the other regions' do not.
    for (name, _, min) in dsp_csp_hops(&floored, "central") {
        assert_eq!(min, 2_000_000, "{name}");
    }
    let p50 = |s: &serde_json::Value, region: &str| {
        latency_us(s, &format!("sr.e2e{{region={region},sr=4.1.1}}"), "p50_us") as i64
    };
    let grew = p50(&floored, "central") - p50(&normal, "central");
    assert!(
        (3_500_000..4_500_000).contains(&grew),
        "central p50 grew {grew} us"
    );
    let south = p50(&floored, "south") - p50(&normal, "south");
    assert!(south.abs() < 1_000_000, "south p50 moved {south} us");
}

#[test]
fn a_dsp_csp_network_without_a_floor_is_refused_naming_the_parameter() {
    let out = scratch("no-dsp-floor");
    let floor = "csp.north.dsp_latency_floor=0s";
    let (code, stderr) = quickstart_on_two_workers(&out.join("run"), 500, &[floor]);
    assert_eq!(code, 2, "{stderr}");
    for words in ["DSP → CSP", "csp.north.dsp_latency_floor", "--workers 1"] {
        assert!(stderr.contains(words), "no {words:?} in {stderr}");
    }
    assert!(!out.join("run").exists(), "a refused run left an output");
    // One worker needs no lookahead: with no latency at all the DSP and CSPs talk at once.
    let s = run_ok(
        "scenarios/quickstart.toml",
        &out.join("one"),
        &[
            "--set",
            "population.premises=500",
            "--set",
            floor,
            "--set",
            "csp.north.dsp_latency={ dist = \"const\", value = \"0s\" }",
        ],
    );
    for (name, _, min) in dsp_csp_hops(&s, "north") {
        assert_eq!(min, 0, "{name}");
    }
}

/// The events each partition handled, `(in all A / B / …)` in a partitioned run's log.
fn events_by_partition(stderr: &str) -> Vec<u64> {
    let line = stderr
        .lines()
        .find(|l| l.contains("events per window by partition"))
        .unwrap_or_else(|| panic!("no partition line in {stderr}"));
    let tail = line.split("(in all ").nth(1).unwrap();
    let figures = tail.split(')').next().unwrap();
    figures
        .split(" / ")
        .map(|n| n.trim().parse().unwrap())
        .collect()
}

#[test]
fn the_csps_run_beside_the_premises_not_beside_the_dsp() {
    // Each SR visits the CSP four times (arrival and completion, both ways). With the CSPs in
    // partition 1, partition 0 (DSP and suppliers) handles less than half the events (45 % at
    // 2,000 premises); were the CSPs still beside the DSP it would handle most of them.
    let (code, stderr) = quickstart_on_two_workers(&scratch("csp-partition"), 2000, &[]);
    assert_eq!(code, 0, "{stderr}");
    let per = events_by_partition(&stderr);
    assert_eq!(per.len(), 2, "{stderr}");
    assert!(per[0] < per[1], "partition 0 handled {per:?} of the events");
}

#[test]
fn smets1_premises_do_not_leave_a_premises_partition_idle() {
    // The SMETS1 fleet's premises come after the SMETS2 premises and have no events of their own
    // (the SMETS1 service serves their meters): the premises blocks count SMETS2 premises only,
    // so the last block is as busy as the others rather than all SMETS1.
    let small = ["population.premises=3000", "smets1_fleet.0.meters=6000"];
    let one = scratch("smets1-blocks-1");
    run_ok(
        "scenarios/gb-day-sample.toml",
        &one,
        &["--set", small[0], "--set", small[1]],
    );
    let out = scratch("smets1-blocks-4");
    let (code, stderr) = run_on_workers("scenarios/gb-day-sample.toml", 4, &out, &small);
    assert_eq!(code, 0, "{stderr}");
    let per = events_by_partition(&stderr);
    assert_eq!(per.len(), 4, "{stderr}");
    let (second, last) = (per[2] as f64, per[3] as f64);
    assert!(
        last > 0.8 * second && last < 1.25 * second,
        "premises partitions 2 and 3 handled {second} and {last} events"
    );
    assert!(
        std::fs::read(out.join("summary.json")).unwrap()
            == std::fs::read(one.join("summary.json")).unwrap(),
        "four workers changed the summary"
    );
}
