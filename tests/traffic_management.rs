//! The DCC under load, through the binary: SR throttling per User (SECMP0067) on
//! `scenarios/throttling.toml`, priority classes in the DSP's queue (SECMP0028) on
//! `scenarios/priorities.toml`, and Users' retries (`[retry]`) on both; and bad new keys.

mod common;
use common::*;
use serde_json::Value;

const THROTTLING: &str = "scenarios/throttling.toml";
const PRIORITIES: &str = "scenarios/priorities.toml";

/// The throttling scenario at a quarter of its size, the DSP four times slower (the same load,
/// and the same queueing time at the threshold).
const SMALL_THROTTLING: &[&str] = &[
    "--set",
    "throttle.queue_threshold=50",
    "--set",
    "population.premises=5000",
    "--set",
    "dsp.service_time={ dist = \"const\", value = \"200ms\" }",
    "--set",
    "dsp.response_service_time={ dist = \"const\", value = \"200ms\" }",
    "--set",
    "throttle.allocation=15",
];

/// The priorities scenario at a quarter of its size, its DSP four times slower (the same load).
const SMALL_PRIORITIES: &[&str] = &[
    "--set",
    "population.premises=5000",
    "--set",
    "dsp.service_time={ dist = \"const\", value = \"1600ms\" }",
];

fn run(scenario: &str, name: &str, small: &[&str], extra: &[&str]) -> Value {
    let out = scratch(name);
    let mut args = small.to_vec();
    args.extend_from_slice(extra);
    let s = run_ok(scenario, &out, &args);
    std::fs::remove_dir_all(&out).unwrap();
    s
}

/// Completed requests and their share within TRT over the flows whose names start with
/// `prefix` (each SR's share against its own TRT).
fn within(s: &Value, prefix: &str) -> (u64, f64) {
    let (mut n, mut w) = (0u64, 0.0);
    for (name, f) in s["latency"].as_object().unwrap() {
        if name.starts_with(prefix) {
            let count = f["count"].as_u64().unwrap();
            n += count;
            w += f["within_trt"].as_f64().unwrap_or(0.0) * count as f64;
        }
    }
    assert!(n > 0, "no completed requests in {prefix}…");
    (n, w / n as f64)
}

/// requested = completed + rejected + in flight, counting each request once.
fn assert_conserved(s: &Value) {
    let requested = counter_sum(s, "sr.requested");
    let completed = counter_sum(s, "sr.completed");
    let rejected = counter_sum(s, "sr.rejected");
    let in_flight = s["in_flight_at_end"].as_u64().unwrap();
    assert_eq!(requested, completed + rejected + in_flight);
}

#[test]
fn a_throttled_users_excess_is_refused_while_the_others_keep_their_trt() {
    let on = run(THROTTLING, "throttle-on", SMALL_THROTTLING, &[]);
    let off = run(
        THROTTLING,
        "throttle-off",
        SMALL_THROTTLING,
        &["--set", "throttle.enabled=false"],
    );
    // alpha's burst is refused, counted per User, and answered E90; beta and gamma never are.
    let alpha = counter(&on, "sr.throttled{action=refused,sr=4.1.1,user=alpha}");
    assert!(alpha > 1_000, "alpha throttled {alpha}");
    assert_eq!(counter_sum(&on, "sr.throttled"), alpha);
    assert_eq!(counter_sum(&on, "sr.rejected{code=E90"), alpha);
    assert_eq!(counter_sum(&off, "sr.throttled"), 0);
    assert_conserved(&on);
    // The others keep their TRT with throttling; without it the burst's queue makes them miss.
    for user in ["beta", "gamma"] {
        let flow = format!("sr.user_e2e{{sr=4.1.1,user={user}}}");
        let (_, with) = within(&on, &flow);
        assert!(with >= 0.99, "{user} within TRT {with} with throttling");
    }
    let (_, without) = within(&off, "sr.e2e{");
    assert!(without < 0.9, "within TRT {without} without throttling");
    assert!(off["latency"]["sr.user_e2e{sr=4.1.1,user=beta}"].is_null());
}

#[test]
fn deferred_srs_wait_for_the_next_window_instead_of_being_refused() {
    let s = run(
        THROTTLING,
        "throttle-defer",
        SMALL_THROTTLING,
        &["--set", "throttle.action=\"defer\""],
    );
    assert!(counter(&s, "sr.throttled{action=deferred,sr=4.1.1,user=alpha}") > 1_000);
    assert_eq!(counter_sum(&s, "sr.rejected{code=E90"), 0);
    assert_conserved(&s);
}

#[test]
fn a_higher_class_beats_a_lower_one_under_load_and_the_gap_closes_without_classes() {
    let on = run(PRIORITIES, "prio-on", SMALL_PRIORITIES, &[]);
    let off = run(
        PRIORITIES,
        "prio-off",
        SMALL_PRIORITIES,
        &["--set", "priority.enabled=false"],
    );
    let (_, critical) = within(&on, "sr.class_e2e{class=2,");
    let (_, on_demand) = within(&on, "sr.class_e2e{class=1,");
    let (_, scheduled) = within(&on, "sr.class_e2e{class=0,");
    assert!(
        critical >= 0.95 && on_demand >= 0.95,
        "{critical} {on_demand}"
    );
    assert!(scheduled < 0.5, "scheduled reads within TRT {scheduled}");
    // The same SRs in one FIFO: tariff updates and on-demand reads wait behind the backlog.
    assert!(off["latency"]["sr.class_e2e{class=2,sr=1.1.1}"].is_null());
    let (_, tariff_off) = within(&off, "sr.e2e{region=central,sr=1.1.1}");
    let (_, tariff_on) = within(&on, "sr.e2e{region=central,sr=1.1.1}");
    assert!(
        tariff_off + 0.15 < tariff_on,
        "tariffs {tariff_off} without classes, {tariff_on} with"
    );
    assert_conserved(&on);
}

/// Median end-to-end latency of `flow`, in microseconds.
fn p50_us(s: &Value, flow: &str) -> u64 {
    latency_us(s, flow, "p50_us")
}

/// With preemption a tariff update (class 2) no longer waits for the daily read (class 0) a DSP
/// worker has started: its every DSP visit starts at once, so its median is lower by about the
/// residual service of each visit, the interrupted reads resume where they stopped, and every
/// request is still accounted for — also when the run is cut off with reads interrupted.
#[test]
fn preemption_lets_a_higher_class_interrupt_a_lower_one_and_loses_nothing() {
    let on = run(
        PRIORITIES,
        "prio-preempt",
        SMALL_PRIORITIES,
        &["--set", "priority.preemption=true"],
    );
    let off = run(PRIORITIES, "prio-no-preempt", SMALL_PRIORITIES, &[]);
    assert!(counter(&on, "dsp.preempted") > 0);
    assert!(off["counters"].get("dsp.preempted").is_none());
    let tariffs = "sr.class_e2e{class=2,sr=1.1.1}";
    let (with, without) = (p50_us(&on, tariffs), p50_us(&off, tariffs));
    assert!(
        with + 1_000_000 < without,
        "tariff p50 {with} us with preemption, {without} us without"
    );
    // The interrupted reads do not gain from it: their median is not lower, to within the
    // histograms' resolution (three significant digits: 2 s at the reads' 38 minutes).
    let reads = "sr.class_e2e{class=0,sr=4.6.1}";
    let (reads_on, reads_off) = (p50_us(&on, reads), p50_us(&off, reads));
    assert!(
        reads_on + reads_off / 1000 >= reads_off,
        "reads p50 {reads_on} us with preemption, {reads_off} us without"
    );
    assert_conserved(&on);
    // Cut off at 03:00 with the backlog of reads queued and some interrupted.
    let cut = run(
        PRIORITIES,
        "prio-preempt-cut",
        SMALL_PRIORITIES,
        &[
            "--set",
            "priority.preemption=true",
            "--set",
            "scenario.duration=\"3h\"",
        ],
    );
    assert!(counter(&cut, "dsp.preempted") > 0);
    assert!(cut["in_flight_at_end"].as_u64().unwrap() > 100);
    assert_conserved(&cut);
}

#[test]
fn retries_count_attempts_measure_from_the_first_and_stop_at_max_attempts() {
    // Every refused read comes back after exactly 5 minutes, at most 3 attempts in all.
    let retry = [
        "--set",
        "retry.policy=\"fixed\"",
        "--set",
        "retry.delay=\"5min\"",
        "--set",
        "retry.jitter=0",
        "--set",
        "retry.max_attempts=3",
    ];
    let s = run(THROTTLING, "retry-fixed", SMALL_THROTTLING, &retry);
    let requested = counter_sum(&s, "sr.requested");
    let attempts = counter(&s, "sr.attempts{sr=4.1.1}");
    let retried = counter(&s, "sr.retried{sr=4.1.1}");
    let refused = counter_sum(&s, "sr.throttled");
    assert!(retried > 100, "{retried} retries");
    assert_eq!(attempts, requested + retried);
    // Every retry follows a refusal; a request is given up after its third attempt's refusal.
    assert!(retried <= refused);
    assert!(retried <= 2 * requested);
    let gave_up = counter_sum(&s, "sr.rejected{code=E90");
    assert_eq!(refused, retried + gave_up);
    // A read that completed on a retry waited out the backoff: alpha's latency includes it.
    let max = s["latency"]["sr.user_e2e{sr=4.1.1,user=alpha}"]["max_us"]
        .as_u64()
        .unwrap();
    assert!(max >= 300_000_000, "alpha's slowest read took {max} µs");
    assert_conserved(&s);

    let none = run(THROTTLING, "retry-none", SMALL_THROTTLING, &[]);
    assert_eq!(counter_sum(&none, "sr.attempts"), 0);
    let max = none["latency"]["sr.user_e2e{sr=4.1.1,user=alpha}"]["max_us"]
        .as_u64()
        .unwrap();
    assert!(
        max < 300_000_000,
        "without retries alpha's slowest read took {max} µs"
    );
}

#[test]
fn timed_out_attempts_are_retried_then_given_up_and_late_answers_ignored() {
    // A 2 s timeout is shorter than most reads take: attempts time out, late answers are stale.
    let s = run(
        THROTTLING,
        "retry-timeout",
        SMALL_THROTTLING,
        &[
            "--set",
            "retry.policy=\"exponential\"",
            "--set",
            "retry.delay=\"1s\"",
            "--set",
            "retry.timeout=\"2s\"",
            "--set",
            "retry.max_attempts=2",
        ],
    );
    let requested = counter_sum(&s, "sr.requested");
    let gave_up = counter_sum(&s, "sr.rejected{code=U1");
    assert!(gave_up > 100, "{gave_up} given up");
    assert!(counter_sum(&s, "sr.stale_answers") > 100);
    assert!(counter_sum(&s, "sr.attempts") <= 2 * requested);
    assert_conserved(&s);
}

#[test]
fn bad_traffic_management_keys_are_located_errors() {
    let head = "[scenario]\nname = \"t\"\nseed = 1\nduration = \"1h\"\n\n[population]\n\
                premises = 10\n\n[[supplier]]\nname = \"alpha\"\nshare = 1.0\n\n";
    assert_refused_at(
        "throttle-allocation",
        &format!("{head}[throttle]\nallocation = 0\n"),
        14,
        14,
        &["allocation", "[throttle]"],
    );
    assert_refused_at(
        "throttle-action",
        &format!("{head}[throttle]\naction = \"drop\"\n"),
        14,
        10,
        &[
            "unknown throttle action \"drop\"",
            "\"refuse\" or \"defer\"",
        ],
    );
    assert_refused_at(
        "retry-policy",
        &format!("{head}[retry]\npolicy = \"exponentail\"\n"),
        14,
        10,
        &["did you mean \"exponential\""],
    );
    assert_refused_at(
        "retry-on",
        &format!("{head}[retry]\non = [\"I0\"]\n"),
        14,
        6,
        &["\"I0\" is not a refusal code", "E90"],
    );
    assert_refused_at(
        "retry-key",
        &format!("{head}[retry]\nmax_attempt = 3\n"),
        14,
        1,
        &["did you mean `max_attempts`"],
    );
    assert_refused_at(
        "priority-sr",
        &format!("{head}[priority]\nsr = {{ \"4.1.2\" = 1 }}\n"),
        14,
        8,
        &["unknown SR \"4.1.2\"", "did you mean \"4.1.1\""],
    );
    assert_refused_at(
        "priority-class",
        &format!("{head}[priority]\ncritical = 9\n"),
        14,
        12,
        &["critical"],
    );
    assert_refused_at(
        "traffic-supplier",
        &format!(
            "{head}[[traffic]]\nsr = \"4.1.1\"\nper_premises_per_day = 1\nsupplier = \"alfa\"\n"
        ),
        16,
        12,
        &["names no [[supplier]]", "did you mean \"alpha\""],
    );
}
