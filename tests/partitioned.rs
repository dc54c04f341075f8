//! `dccsim run --workers N`: the run is placed over N partitions (central actors in one, the
//! premises spread over the others) that run side by side on threads, with the results of one
//! worker; it is refused when a link between partitions has no lookahead. The WAN's
//! `latency_floor` gives the links their lookahead.
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

#[test]
fn a_wan_without_a_floor_is_refused_naming_the_parameter() {
    let out = scratch("no-floor");
    let o = dccsim(&[
        "run",
        "scenarios/quickstart.toml",
        "--workers",
        "2",
        "--out",
        out.to_str().unwrap(),
        "--set",
        "population.premises=500",
        "--set",
        "csp.south.latency_floor=0s",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
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
