//! Same scenario + seed ⇒ byte-identical summary; another seed ⇒ another digest.

mod common;
use common::*;

#[test]
fn same_seed_gives_byte_identical_summary() {
    let (a, b) = (scratch("det-a"), scratch("det-b"));
    run_ok("scenarios/quickstart.toml", &a, SMALL);
    run_ok("scenarios/quickstart.toml", &b, SMALL);
    let (sa, sb) = (
        std::fs::read(a.join("summary.json")).unwrap(),
        std::fs::read(b.join("summary.json")).unwrap(),
    );
    assert_eq!(
        sa, sb,
        "summary.json differs between two runs of the same seed"
    );
    assert_eq!(
        std::fs::read(a.join("timeseries.csv")).unwrap(),
        std::fs::read(b.join("timeseries.csv")).unwrap()
    );
}

#[test]
fn another_seed_gives_another_digest() {
    let (a, b) = (scratch("seed-a"), scratch("seed-b"));
    let sa = run_ok("scenarios/quickstart.toml", &a, SMALL);
    let mut extra = SMALL.to_vec();
    extra.extend_from_slice(&["--seed", "8"]);
    let sb = run_ok("scenarios/quickstart.toml", &b, &extra);
    assert_eq!(sb["seed"], 8);
    assert_ne!(sa["digest"], sb["digest"]);
}

#[test]
fn setting_a_value_to_what_it_already_is_changes_nothing() {
    let (a, b) = (scratch("same-a"), scratch("same-b"));
    let sa = run_ok("scenarios/quickstart.toml", &a, SMALL);
    let mut extra = SMALL.to_vec();
    extra.extend_from_slice(&["--set", "dsp.workers=8", "--set", "scenario.seed=7"]);
    let sb = run_ok("scenarios/quickstart.toml", &b, &extra);
    assert_eq!(sa["digest"], sb["digest"]);
}

#[test]
fn the_printed_digest_is_the_summary_digest() {
    let out = scratch("printed");
    let o = dccsim(&[
        "run",
        "scenarios/quickstart.toml",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--set",
        "population.premises=500",
    ]);
    assert!(o.status.success());
    let stdout = String::from_utf8(o.stdout).unwrap();
    let s = summary(&out);
    assert_eq!(
        stdout.trim(),
        format!("digest {}", s["digest"].as_str().unwrap()),
        "--quiet prints only the digest"
    );
}

#[test]
fn the_world_built_on_several_threads_is_the_serial_world() {
    // Enough premises for three chunks of the per-premises tables (`build_threads`).
    let base = [
        "--set",
        "population.premises=200000",
        "--set",
        "scenario.duration=5min",
    ];
    let digests: Vec<serde_json::Value> = ["1", "3"]
        .iter()
        .map(|threads| {
            let out = scratch(&format!("build-threads-{threads}"));
            let mut extra = base.to_vec();
            extra.extend_from_slice(&["--build-threads", threads]);
            let s = run_ok("scenarios/gb-day-sample.toml", &out, &extra);
            assert!(gauge_final(&s, "smi.status{status=Commissioned}") > 0);
            s["digest"].clone()
        })
        .collect();
    assert_eq!(digests[0], digests[1]);
    let o = dccsim(&["run", "scenarios/quickstart.toml", "--build-threads", "0"]);
    assert_eq!(o.status.code(), Some(2));
}
