//! `--set` overrides: what they change, and the blame when they break something.

use super::*;

#[test]
fn overrides_change_values_and_the_resolved_text() {
    let s = load_ok(
        MINIMAL,
        &[
            "scenario.duration=2h",
            "dsp.workers=3",
            "csp.north.workers=10",
            "trt.\"4.1.1\"=45s",
            "supplier.0.share=0.5",
            "supplier.1.share=0.5",
            "traffic.0.window.start=\"02:30\"",
            "han.latency={ dist = \"exp\", mean = \"1s\" }",
        ],
    );
    assert_eq!(s.duration, SimDuration::from_hours(2));
    assert_eq!(s.dsp.workers, 3);
    assert_eq!(s.csp.north.workers, 10);
    assert_eq!(
        s.trt[&SrType::ReadInstantaneousImport],
        SimDuration::from_secs(45)
    );
    assert_eq!(s.suppliers[0].share, 0.5);
    assert_eq!(
        s.han.latency,
        Dist::Exp {
            mean: SimDuration::from_secs(1)
        }
    );
    assert!(matches!(
        s.traffic[0].pattern,
        Pattern::DailyWindow { start, .. } if start == SimDuration::from_secs(9000)
    ));
    assert!(s.resolved_toml.contains("duration = \"2h\""));
    assert!(s.resolved_toml.contains("[csp.north]"));
    let again = load_ok(&s.resolved_toml, &[]);
    assert_eq!(again.dsp, s.dsp);
}

#[test]
fn a_bad_value_from_an_override_names_the_override() {
    let e = err_with(MINIMAL, &["dsp.workers=-3"]);
    check_set(
        &e,
        "dsp.workers=-3",
        &["`workers` in [dsp] must be at least 1, found -3"],
    );
    let e = err_with(MINIMAL, &["scenario.duration=30"]);
    check_set(&e, "scenario.duration=30", &["duration 30 has no unit"]);
    let e = err_with(MINIMAL, &["traffic.0.window.length=25"]);
    check_set(
        &e,
        "traffic.0.window.length=25",
        &["duration 25 has no unit"],
    );
}

#[test]
fn an_unknown_key_from_an_override_gets_a_suggestion() {
    let e = err_with(MINIMAL, &["dsp.workrs=5"]);
    check_set(
        &e,
        "dsp.workrs=5",
        &["unknown key `workrs` in [dsp]; did you mean `workers`?"],
    );
    let e = err_with(MINIMAL, &["scenario.sed=5"]);
    check_set(&e, "scenario.sed=5", &["did you mean `seed`?"]);
    let e = err_with(MINIMAL, &["csp.east.workers=5"]);
    check_set(
        &e,
        "csp.east.workers=5",
        &["unknown region `east` in [csp]"],
    );
}

#[test]
fn malformed_overrides_are_named() {
    let e = err_with(MINIMAL, &["dsp.workers"]);
    check_set(&e, "dsp.workers", &["KEY=VALUE", "no `=`"]);
    let e = err_with(MINIMAL, &["=3"]);
    check_set(&e, "=3", &["needs a key"]);
    let e = err_with(MINIMAL, &["supplier.2.share=0.1"]);
    check_set(
        &e,
        "supplier.2.share=0.1",
        &["no `supplier.2`", "has 2 entries"],
    );
    let e = err_with(MINIMAL, &["scenario.seed.x=1"]);
    check_set(
        &e,
        "scenario.seed.x=1",
        &["`scenario.seed` is a whole number, not a table"],
    );
}

#[test]
fn an_aggregate_error_after_an_override_mentions_it() {
    let e = err_with(MINIMAL, &["supplier.1.share=0.3"]);
    check(
        &e,
        pos(MINIMAL, "[[supplier]]"),
        &["sum to 0.9, not 1", "(after --set supplier.1.share=0.3)"],
    );
}

#[test]
fn a_conflict_made_by_an_override_is_located_and_mentions_it() {
    let e = err_with(MINIMAL, &["traffic.0.per_premises_per_day=2"]);
    check(
        &e,
        pos(MINIMAL, "[[traffic]]"),
        &[
            "both `window` and `per_premises_per_day`",
            "(after --set traffic.0.per_premises_per_day=2)",
        ],
    );
}

#[test]
fn errors_elsewhere_keep_their_place_in_the_file() {
    let text = edit("premises = 1000", "premises = 0");
    let e = err_with(&text, &["csp.north.workers=10", "dsp.workers=5"]);
    check(&e, pos(&text, "0\n"), &["between 1 and"]);
}
