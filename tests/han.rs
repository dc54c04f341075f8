//! The HAN channel-selection model (SECMP0012: Alt/Shared HAN buildings), checked through the binary on
//! `scenarios/shared-han-channels.toml`: policies against each other in flats, houses untouched
//! by the policy, one hub per building, more hubs than channels, determinism and bad `[han]` input.

mod common;
use common::*;
use serde_json::Value;
use std::sync::OnceLock;

const SCENARIO: &str = "scenarios/shared-han-channels.toml";
const POLICIES: [&str; 4] = ["fixed", "random", "energy-scan", "coordinated"];

/// The scenario at test size with the given policy and overrides.
fn run(policy: &str, extra: &[&str]) -> Value {
    let out = scratch(&format!("han-{policy}"));
    let set = format!("han.policy={policy}");
    let mut args = vec!["--set", "population.premises=3000", "--set", &set];
    args.extend_from_slice(extra);
    run_ok(SCENARIO, &out, &args)
}

/// One run per policy of the scenario as it is, shared by the tests that compare them.
fn by_policy() -> &'static Vec<Value> {
    static RUNS: OnceLock<Vec<Value>> = OnceLock::new();
    RUNS.get_or_init(|| {
        std::thread::scope(|s| {
            let handles: Vec<_> = POLICIES
                .iter()
                .map(|p| s.spawn(move || run(p, &[])))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        })
    })
}

fn flow(s: &Value, name: &str, field: &str) -> u64 {
    s["latency"][name][field]
        .as_u64()
        .unwrap_or_else(|| panic!("{name}.{field} missing"))
}

fn e21(s: &Value) -> u64 {
    counter_sum(s, "sr.rejected{code=E21")
}

/// What a flow says, for exact comparisons.
fn flow_figures(s: &Value, name: &str) -> Vec<u64> {
    [
        "count", "min_us", "p50_us", "p90_us", "p99_us", "p999_us", "max_us",
    ]
    .iter()
    .map(|f| flow(s, name, f))
    .collect()
}

#[test]
fn in_flats_fixed_is_worst_and_coordinated_best() {
    let runs = by_policy();
    let e21s: Vec<u64> = runs.iter().map(e21).collect();
    let p99s: Vec<u64> = runs
        .iter()
        .map(|s| flow(s, "han.hop{building=flat}", "p99_us"))
        .collect();
    let (fixed, coordinated) = (0, 3);
    for i in 1..4 {
        assert!(
            e21s[fixed] > e21s[i],
            "E21 by policy {POLICIES:?}: {e21s:?}"
        );
        assert!(
            p99s[fixed] > p99s[i],
            "flat HAN p99 by policy {POLICIES:?}: {p99s:?}"
        );
    }
    for i in 0..3 {
        assert!(
            e21s[coordinated] < e21s[i],
            "E21 by policy {POLICIES:?}: {e21s:?}"
        );
        assert!(
            p99s[coordinated] < p99s[i],
            "flat HAN p99 by policy {POLICIES:?}: {p99s:?}"
        );
    }
    // The mechanism: fixed stacks a building's hubs on one channel, coordinated spreads them.
    let stacked = |s: &Value| scalar(s, "han.max_hubs_per_channel.mean");
    assert!(stacked(&runs[fixed]) > stacked(&runs[coordinated]));
    assert!(
        counter_sum(&runs[fixed], "han.retries{building=flat}")
            > counter_sum(&runs[coordinated], "han.retries{building=flat}")
    );
    // The join counters carry the policy.
    for (s, p) in runs.iter().zip(POLICIES) {
        assert!(
            counter_sum(
                s,
                &format!("han.join{{building=flat,policy={p},result=ok}}")
            ) > 0
        );
    }
}

#[test]
fn houses_are_the_same_under_every_policy() {
    let runs = by_policy();
    let house = flow_figures(&runs[0], "han.hop{building=house}");
    assert!(house[0] > 500, "houses' crossings: {}", house[0]);
    for (s, p) in runs.iter().zip(POLICIES).skip(1) {
        assert_eq!(
            flow_figures(s, "han.hop{building=house}"),
            house,
            "houses under {p}"
        );
        for name in ["han.retries{building=house}", "han.gave_up{building=house}"] {
            assert_eq!(
                counter_sum(s, name),
                counter_sum(&runs[0], name),
                "{name} under {p}"
            );
        }
        // … while the flats' HAN differs.
        assert_ne!(
            flow_figures(s, "han.hop{building=flat}"),
            flow_figures(&runs[0], "han.hop{building=flat}")
        );
    }
}

#[test]
fn with_one_hub_per_building_every_policy_gives_the_same_result() {
    // One flat per building and the same background on every channel: there is nothing for a
    // policy to choose between.
    let extra = [
        "--set",
        "han.flats_per_building={ min = 1, max = 1 }",
        "--set",
        "han.background=0.2",
        "--set",
        "han.background_868=0.2",
    ];
    let runs: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = POLICIES
            .iter()
            .map(|p| s.spawn(move || run(p, &extra)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let flat = flow_figures(&runs[0], "han.hop{building=flat}");
    assert!(flat[0] > 500, "flats' crossings: {}", flat[0]);
    assert!(counter_sum(&runs[0], "han.retries{building=flat}") > 0);
    for (s, p) in runs.iter().zip(POLICIES).skip(1) {
        assert_eq!(
            flow_figures(s, "han.hop{building=flat}"),
            flat,
            "flats under {p}"
        );
        assert_eq!(e21(s), e21(&runs[0]), "E21 under {p}");
        assert_eq!(
            counter_sum(s, "han.retries{building=flat}"),
            counter_sum(&runs[0], "han.retries{building=flat}"),
            "retries under {p}"
        );
    }
}

#[test]
fn a_building_with_more_hubs_than_channels_still_works() {
    // 60 flats a building, every one reachable: more hubs than the 16 (or 17) channels.
    let extra = [
        "--set",
        "han.flat_share=1",
        "--set",
        "han.flats_per_building={ min = 60, max = 60 }",
        "--set",
        "han.needs_alt_han=0",
        "--set",
        "han.background=0.05",
        "--set",
        "han.background_868=0.05",
    ];
    let s = run("coordinated", &extra);
    // Every hub has a channel: the channel-sharing distribution counts all 3000 hubs.
    let hubs: u64 = s["counters"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(k, v)| {
            let k = k.strip_prefix("han.hubs_per_channel{hubs=")?;
            Some(k.trim_end_matches('}').parse::<u64>().unwrap() * v.as_u64().unwrap())
        })
        .sum();
    assert_eq!(hubs, 3000);
    // Sharing is minimised: 60 hubs over 16 channels (17 for dual-band hubs) is 4 a channel;
    // the edge channels 11 and 26 have one neighbour instead of two, so they may take a fifth.
    let most = scalar(&s, "han.max_hubs_per_channel");
    assert!(
        (4.0..=5.0).contains(&most),
        "most hubs on one channel: {most}"
    );
    // … and never refused: (nearly) every hub joins and flats' requests complete.
    let ok = counter_sum(&s, "han.join{building=flat,policy=coordinated,result=ok}");
    assert!(ok >= 2900, "joined: {ok}");
    let completed = counter_sum(&s, "sr.completed");
    assert!(
        completed > 10 * e21(&s),
        "completed {completed}, E21 {}",
        e21(&s)
    );
    // The same buildings under `fixed` start with all 60 on one channel: even after the re-scan
    // rule has moved most of them, more share a channel, at the cost of many channel changes.
    let fixed = run("fixed", &extra[..]);
    assert!(scalar(&fixed, "han.max_hubs_per_channel") > most);
    let changes = |s: &Value| counter_sum(s, "han.channel_changes");
    assert!(changes(&fixed) > 1000 && changes(&fixed) > 10 * changes(&s));
}

#[test]
fn a_shared_han_plans_its_building_whatever_the_policy() {
    // Every building has a Shared HAN: its hubs follow a coordinated plan, so `fixed` gives what
    // `coordinated` gives, and unlike `fixed` without one.
    let shared = ["--set", "han.shared_han_share=1"];
    let (fixed, coordinated) = std::thread::scope(|s| {
        let a = s.spawn(|| run("fixed", &shared));
        let b = s.spawn(|| run("coordinated", &shared));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(
        flow_figures(&fixed, "han.hop{building=flat}"),
        flow_figures(&coordinated, "han.hop{building=flat}")
    );
    assert_eq!(e21(&fixed), e21(&coordinated));
    assert_ne!(
        flow_figures(&fixed, "han.hop{building=flat}"),
        flow_figures(&by_policy()[0], "han.hop{building=flat}")
    );
    // Its relay reaches every flat the standard HAN cannot: only join failures are left.
    assert!(scalar(&fixed, "han.unreachable_without_alt_han_share") > 0.05);
    assert!(scalar(&fixed, "han.unreachable_share") < 0.01);
}

#[test]
fn the_han_scenario_is_deterministic() {
    let (a, b) = (scratch("han-det-a"), scratch("han-det-b"));
    let small = ["--set", "population.premises=1500"];
    run_ok(SCENARIO, &a, &small);
    run_ok(SCENARIO, &b, &small);
    assert_eq!(
        std::fs::read(a.join("summary.json")).unwrap(),
        std::fs::read(b.join("summary.json")).unwrap(),
        "summary.json differs between two runs of the same seed"
    );
}

/// Runs the scenario with `--set KEY=VALUE` and expects exit 2 with every `words` on stderr.
fn refused(set: &str, words: &[&str]) {
    let out = scratch("han-bad");
    let target = out.join("run");
    let o = dccsim(&[
        "run",
        SCENARIO,
        "--out",
        target.to_str().unwrap(),
        "--set",
        set,
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "--set {set}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for w in words {
        assert!(
            stderr.contains(w),
            "--set {set}: expected {w:?} in:\n{stderr}"
        );
    }
    assert!(!target.exists(), "nothing is written for bad input");
}

#[test]
fn bad_han_settings_are_refused_plainly() {
    refused(
        "han.policy=\"scan\"",
        &[
            "unknown channel-selection policy \"scan\"",
            "\"energy-scan\"",
        ],
    );
    refused("han.policy=\"fixd\"", &["did you mean \"fixed\"?"]);
    refused(
        "han.fixed_channel=27",
        &["ZigBee channel from 11 to 26, found 27"],
    );
    refused(
        "han.flats_per_building={ min = 10, max = 2 }",
        &["`max` 2 below `min` 10"],
    );
    refused(
        "han.flats_per_building={ min = 0, max = 2 }",
        &["between 1 and 1000"],
    );
    refused(
        "han.flats_per_building={ min = 2, most = 4 }",
        &["unknown key `most`"],
    );
    refused("han.background=[0.1, 0.2]", &["16 entries", "found 2"]);
    refused("han.background=1.5", &["more than 1"]);
    refused("han.same_channel=-0.1", &["negative"]);
    refused("han.backoff=250", &["has no unit"]);
    refused("han.retries=99", &["between 0 and 15"]);
    refused("han.relay_latency=\"150ms\"", &["must be a distribution"]);
    refused("han.rescan_los=0.2", &["did you mean `rescan_loss`?"]);
}

#[test]
fn a_bad_han_key_in_the_file_is_located() {
    let dir = scratch("han-bad-file");
    let text = std::fs::read_to_string(SCENARIO).unwrap().replacen(
        "policy = \"energy-scan\"",
        "policy = \"least-busy\"",
        1,
    );
    let line = text.lines().position(|l| l.contains("least-busy")).unwrap() + 1;
    let path = dir.join("bad.toml");
    std::fs::write(&path, &text).unwrap();
    let o = dccsim(&["validate", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("bad.toml:{line}:10")),
        "expected the location bad.toml:{line}:10 in:\n{stderr}"
    );
    assert!(
        stderr.contains("unknown channel-selection policy"),
        "{stderr}"
    );
}
