//! The HAN radio model meets the installation waves: meters whose HAN the radio could not join
//! fail the HAN-join step (no 8.14.1) and stay Whitelisted in the SMI.

mod common;

use common::{counter, run_ok, scratch};
use serde_json::Value;

const WAVE: &str = "scenarios/smi-install-wave.toml";

fn step(s: &Value, step: &str, result: &str) -> u64 {
    counter(s, &format!("install.step{{result={result},step={step}}}"))
}

fn whitelisted(s: &Value) -> u64 {
    s["gauges_final"]["smi.status{status=Whitelisted}"]
        .as_u64()
        .unwrap()
}

fn run(name: &str, han: &[&str]) -> Value {
    let mut args = vec!["--set", "population.premises=1000"];
    args.extend_from_slice(han);
    run_ok(WAVE, &scratch(name), &args)
}

#[test]
fn meters_that_cannot_join_the_han_stay_whitelisted() {
    // Every premises a flat out of the HAN's reach, with no Alt HAN: nothing joins.
    let none = run(
        "han-install-none",
        &[
            "--set",
            "han.flat_share=1",
            "--set",
            "han.needs_alt_han=1",
            "--set",
            "han.alt_han_share=0",
        ],
    );
    let whitelist = step(&none, "whitelist", "ok");
    assert!(whitelist > 1_000, "{whitelist} meters whitelisted");
    assert_eq!(step(&none, "join", "no_han"), whitelist);
    assert_eq!(step(&none, "join", "ok"), 0);
    assert_eq!(
        step(&none, "join", "failed"),
        0,
        "no field draw without a HAN"
    );
    assert_eq!(step(&none, "commission", "ok"), 0);
    assert_eq!(whitelisted(&none), whitelist);

    // Every premises reachable (flats within reach): the radio join decides almost nothing and
    // meters go on to be commissioned.
    let all = run(
        "han-install-all",
        &["--set", "han.flat_share=1", "--set", "han.needs_alt_han=0"],
    );
    let no_han = step(&all, "join", "no_han");
    let ok = step(&all, "join", "ok");
    assert!(no_han * 10 < ok, "{no_han} not joined, {ok} joined");
    assert!(step(&all, "commission", "ok") > 0);
    assert_eq!(
        whitelisted(&all),
        step(&all, "whitelist", "ok") - ok,
        "every whitelisted meter that did not join stays Whitelisted"
    );
}
