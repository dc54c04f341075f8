//! `dccsim compare`: identical runs pass as "identical", a planted regression fails with exit 1
//! and a diff table, tolerances decide what counts as a difference.

mod common;
use common::{dccsim, run_ok, scratch, SMALL};

const QUICKSTART: &str = "scenarios/quickstart.toml";

#[test]
fn identical_runs_pass_and_a_planted_regression_fails() {
    let dir = scratch("compare");
    let (a, b) = (dir.join("a"), dir.join("b"));
    run_ok(QUICKSTART, &a, SMALL);
    run_ok(QUICKSTART, &b, SMALL);
    let o = dccsim(&[
        "compare",
        a.to_str().unwrap(),
        b.join("summary.json").to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("identical (digest "));

    // A starved DSP: the same traffic, one worker ten times slower, so slower answers.
    let slow = dir.join("slow");
    let mut extra = SMALL.to_vec();
    extra.extend_from_slice(&[
        "--set",
        "dsp.workers=1",
        "--set",
        "dsp.service_time.median=\"400ms\"",
    ]);
    run_ok(QUICKSTART, &slow, &extra);
    let o = dccsim(&["compare", a.to_str().unwrap(), slow.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(err.contains("regression:"), "{err}");
    let p50 = out
        .lines()
        .find(|l| l.starts_with("sr.e2e{region=central,sr=4.1.1} p50_us"))
        .unwrap_or_else(|| panic!("no p50 row in\n{out}"));
    assert!(p50.trim_end().ends_with('%') && p50.contains('+'), "{p50}");
    // Counters of requests do not depend on the DSP: not in the table.
    assert!(
        !out.contains("sr.requested{region=north,sr=4.6.1} "),
        "{out}"
    );
}

#[test]
fn tolerances_decide_what_differs() {
    let dir = scratch("compare-tol");
    let (a, b) = (dir.join("a"), dir.join("b"));
    run_ok(QUICKSTART, &a, SMALL);
    let mut other_seed = SMALL.to_vec();
    other_seed.extend_from_slice(&["--seed", "8"]);
    run_ok(QUICKSTART, &b, &other_seed);
    // Another seed moves small counts by more than the default 5 %.
    let o = dccsim(&["compare", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));

    let loose = dir.join("loose.toml");
    std::fs::write(&loose, "[default]\nrelative = 10.0\nabsolute = 1000\n").unwrap();
    let o = dccsim(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--tolerance",
        loose.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).contains("within tolerance"));

    // A pattern rule wins over the default: latency figures held to zero tolerance fail.
    let strict = dir.join("strict.toml");
    std::fs::write(
        &strict,
        "[default]\nrelative = 10.0\nabsolute = 1000\n\n[[metric]]\npattern = \"sr.e2e* p50_us\"\n\
         relative = 0\nabsolute = \"0us\"\n",
    )
    .unwrap();
    let o = dccsim(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--tolerance",
        strict.to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.lines().skip(1).all(|l| l.contains(" p50_us ")), "{out}");

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[default]\nrelativ = 0.1\n").unwrap();
    let o = dccsim(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--tolerance",
        bad.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("bad.toml") && err.contains("relativ"), "{err}");
    let o = dccsim(&[
        "compare",
        a.to_str().unwrap(),
        dir.join("nope").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}
