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

    // Shares within TRT keep their own tolerance in percentage points (0.5 pp) under a loose
    // [default]; a pattern with "pp" (or --within-trt-pp) loosens them too.
    let loose = dir.join("loose.toml");
    std::fs::write(&loose, "[default]\nrelative = 10.0\nabsolute = 1000\n").unwrap();
    let o = dccsim(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--tolerance",
        loose.to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.lines().skip(1).all(|l| l.contains(" within_trt ")),
        "{out}"
    );
    std::fs::write(
        &loose,
        "[default]\nrelative = 10.0\nabsolute = 1000\n\n[[metric]]\npattern = \"* within_trt\"\n\
         absolute = \"5pp\"\n",
    )
    .unwrap();
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
        "--within-trt-pp",
        "5",
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

#[test]
fn a_within_trt_regression_comes_first_in_percentage_points_with_human_durations() {
    let dir = scratch("compare-trt");
    let (a, slow) = (dir.join("a"), dir.join("north-slow"));
    run_ok(QUICKSTART, &a, SMALL);
    let mut extra = SMALL.to_vec();
    extra.extend_from_slice(&[
        "--set",
        "csp.north.latency={ dist = \"lognormal\", median = \"8s\", sigma = 0.6 }",
    ]);
    run_ok(QUICKSTART, &slow, &extra);
    let o = dccsim(&["compare", a.to_str().unwrap(), slow.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let first = out.lines().nth(1).unwrap();
    assert!(
        first.starts_with("sr.e2e{region=north,") && first.contains(" within_trt "),
        "first row is not North's share within TRT: {first}\n{out}"
    );
    assert!(
        first.ends_with(" pp") && first.contains("% ") && first.contains('-'),
        "{first}"
    );
    // Durations read as durations, not microsecond counts.
    let p50 = out
        .lines()
        .find(|l| l.contains(" p50_us "))
        .unwrap_or_else(|| panic!("no p50 row in\n{out}"));
    assert!(p50.contains("s "), "{p50}");
    assert!(
        !p50.split_whitespace()
            .any(|w| w.len() > 6 && w.chars().all(|c| c.is_ascii_digit())),
        "{p50}"
    );
    // A share that moved less than the tolerance is not a row: with 100 pp allowed, no share is.
    let o = dccsim(&[
        "compare",
        a.to_str().unwrap(),
        slow.to_str().unwrap(),
        "--within-trt-pp",
        "100",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains(" within_trt "), "{out}");
}

#[test]
fn an_edited_figure_never_compares_identical() {
    let dir = scratch("compare-edited");
    let a = dir.join("a");
    run_ok(QUICKSTART, &a, SMALL);
    let edited = dir.join("edited.json");
    let text = std::fs::read_to_string(a.join("summary.json")).unwrap();
    let key = "\"sr.requested{region=north,sr=4.1.1}\": ";
    let at = text.find(key).unwrap() + key.len();
    // Put a 9 in front of the count: the digest written in the file stays as it was.
    let changed = format!("{}9{}", &text[..at], &text[at..]);
    std::fs::write(&edited, changed).unwrap();
    let o = dccsim(&["compare", a.to_str().unwrap(), edited.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(!out.contains("identical"), "{out}");
    assert!(out.contains("sr.requested{region=north,sr=4.1.1}"), "{out}");
    assert!(
        err.contains("edited.json") && err.contains("digest"),
        "{err}"
    );
}

#[test]
fn replications_are_compared_with_confidence_intervals() {
    let dir = scratch("compare-stats");
    let store = dir.join("s.sqlite");
    let o = common::tiny_sweep(&store, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = store.to_str().unwrap();

    // Ten times the on-demand traffic (point 0 → point 1): requests differ, significantly.
    let o = dccsim(&["compare", s, "--points", "0,1"]);
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    let row = out
        .lines()
        .find(|l| {
            l.trim_start()
                .starts_with("sr.completed{region=central,sr=4.1.1} ")
        })
        .unwrap_or_else(|| panic!("no row in\n{out}"));
    assert!(row.contains(" ± ") && row.contains('['), "{row}");
    assert!(err.contains("differ significantly"), "{err}");

    // A store against itself: nothing significant.
    let o = dccsim(&["compare", s, s]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("no significant difference"), "{out}");

    // Another seed: replications vary, yet few figures come out significant.
    let other = dir.join("seed8.sqlite");
    let o = common::tiny_sweep(&other, &["--set", "scenario.seed=8"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = dccsim(&["compare", s, other.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    let flagged: usize = out
        .lines()
        .filter(|l| l.contains("figures differ significantly and beyond tolerance"))
        .map(|l| {
            l.split_whitespace()
                .next()
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    let compared: usize = out
        .lines()
        .filter(|l| l.contains("figures differ significantly and beyond tolerance"))
        .map(|l| {
            l.split_whitespace()
                .nth(2)
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert!(
        compared > 100 && flagged * 10 < compared,
        "{flagged} of {compared}\n{out}"
    );

    // One replication a side cannot give an interval.
    let single = dir.join("single.sqlite");
    let o = common::tiny_sweep(&single, &["--set", "sweep.replications=1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = dccsim(&["compare", single.to_str().unwrap(), "--points", "0,1"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("at least 2 replications"), "{err}");
    let o = dccsim(&["compare", s, "--points", "0,9"]);
    assert_eq!(o.status.code(), Some(2));
}
