//! `[[expect]]` and `run --expect FILE`: expectations that hold pass, those that do not fail
//! the run with exit 1 and say what was expected and what happened; bad ones are bad input.

mod common;
use common::{counter_sum, dccsim, run_ok, scratch, SMALL};
use std::path::Path;

const QUICKSTART: &str = "scenarios/quickstart.toml";

fn run_expecting(out: &Path, expect: &Path) -> std::process::Output {
    let mut a = vec![
        "run",
        QUICKSTART,
        "--quiet",
        "--out",
        out.to_str().unwrap(),
        "--expect",
        expect.to_str().unwrap(),
    ];
    a.extend_from_slice(SMALL);
    dccsim(&a)
}

fn outcomes(out: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(out.join("expectations.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn expectations_pass_and_fail_on_the_runs_figures() {
    let dir = scratch("expect");
    let summary = run_ok(QUICKSTART, &dir.join("plain"), SMALL);
    // Every E3 refusal, whatever its other labels: the sum over the pattern.
    let e3 = counter_sum(&summary, "sr.rejected{code=E3,");
    assert!(e3 > 0);
    let within = summary["latency"]["sr.e2e{region=north,sr=4.6.1}"]["within_trt"]
        .as_f64()
        .unwrap();
    let file = dir.join("pass.toml");
    std::fs::write(
        &file,
        format!(
            "[[expect]]\nmetric = \"sr.rejected{{code=E3}}\"\nop = \"==\"\nvalue = {e3}\n\n\
             [[expect]]\nmetric = \"sr.e2e{{region=north,sr=4.6.1}}\"\nfield = \"within_trt\"\n\
             op = \">=\"\nvalue = {}\n\n\
             [[expect]]\nmetric = \"sr.e2e{{sr=4.1.1}}\"\nfield = \"p99_us\"\nop = \"<=\"\n\
             value = \"30s\"\n",
            within - 1e-6
        ),
    )
    .unwrap();
    let out = dir.join("pass");
    let o = run_expecting(&out, &file);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got = outcomes(&out);
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|o| o["passed"] == true), "{got:?}");
    assert_eq!(got[0]["actual"], e3.to_string());
    assert_eq!(
        got[0]["expected"],
        format!("sr.rejected{{code=E3}} == {e3}")
    );

    // One more E3 than happened, and a p99 no real network meets: both fail, exit 1.
    let file = dir.join("fail.toml");
    std::fs::write(
        &file,
        format!(
            "[[expect]]\nmetric = \"sr.rejected{{code=E3}}\"\nop = \"==\"\nvalue = {}\n\n\
             [[expect]]\nmetric = \"sr.e2e{{sr=4.1.1}}\"\nfield = \"p99_us\"\nop = \"<\"\n\
             value = \"1ms\"\n\n\
             [[expect]]\nmetric = \"sr.completed\"\nop = \">\"\nvalue = 0\n\n\
             [[expect]]\nmetric = \"no.such.metric\"\nop = \">\"\nvalue = 0\n",
            e3 + 1
        ),
    )
    .unwrap();
    let out = dir.join("fail");
    let o = run_expecting(&out, &file);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "expectation failed: expected sr.rejected{{code=E3}} == {}, got {e3}",
            e3 + 1
        )),
        "{err}"
    );
    assert!(
        err.contains("expected sr.e2e{sr=4.1.1} p99_us < 1ms, got "),
        "{err}"
    );
    assert!(
        err.contains("expected no.such.metric > 0, got no such metric"),
        "{err}"
    );
    assert!(err.contains("3 of 4 expectations failed"), "{err}");
    let got = outcomes(&out);
    let passed: Vec<bool> = got.iter().map(|o| o["passed"].as_bool().unwrap()).collect();
    assert_eq!(passed, [false, false, true, false]);
    // The outputs are still written, as for any run.
    assert!(out.join("summary.json").exists());
}

#[test]
fn bad_expectations_are_located_bad_input() {
    let dir = scratch("expect-bad");
    let cases = [
        (
            "[[expect]]\nmetric = \"sr.e2e{sr=4.1.1}\"\nfield = \"p99_ms\"\nop = \"<=\"\nvalue = \"30s\"\n",
            ":3:9:",
            "did you mean \"p99_us\"",
        ),
        (
            "[[expect]]\nmetric = \"sr.e2e{sr=4.1.1}\"\nfield = \"p99_us\"\nop = \"<=\"\nvalue = 30\n",
            ":5:9:",
            "has no unit",
        ),
        (
            "[[expect]]\nmetric = \"sr.completed\"\nop = \"=<\"\nvalue = 1\n",
            ":3:6:",
            "unknown comparison",
        ),
        (
            "[[expect]]\nmetric = \"sr.completed\"\nop = \">\"\nvalue = \"5s\"\n",
            ":4:9:",
            "plain number",
        ),
        (
            "[[expect]]\nmetric = \"sr.e2e{sr=4.1.1\"\nop = \">\"\nvalue = 1\n",
            ":2:10:",
            "does not end with",
        ),
        (
            "[[expect]]\nmetric = \"sr.completed\"\nop = \">\"\nvalue = 1\nthreshold = 2\n",
            ":5:1:",
            "unknown key `threshold`",
        ),
        ("[expect]\nmetric = \"x\"\n", ":1:1:", "[[expect]] (double brackets)"),
    ];
    for (i, (text, place, message)) in cases.iter().enumerate() {
        let file = dir.join(format!("bad{i}.toml"));
        std::fs::write(&file, text).unwrap();
        let o = run_expecting(&dir.join(format!("out{i}")), &file);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "case {i}: {err}");
        assert!(
            err.contains(&format!("bad{i}.toml{place}")),
            "case {i}: {err}"
        );
        assert!(err.contains(message), "case {i}: {err}");
        assert!(
            !dir.join(format!("out{i}")).exists(),
            "nothing is run or written"
        );
    }
    // In a scenario file, the same rules apply, located in the scenario.
    let scenario = dir.join("with-expect.toml");
    let mut text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(QUICKSTART)).unwrap();
    let line = text.lines().count() + 2;
    text.push_str("\n[[expect]]\nmetric = \"sr.completed\"\nop = \"≥\"\nvalue = 1\n");
    std::fs::write(&scenario, text).unwrap();
    let o = dccsim(&["validate", scenario.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains(&format!("with-expect.toml:{}:6:", line + 2)),
        "{err}"
    );
}

#[test]
fn gauge_patterns_add_up_final_values() {
    let dir = scratch("expect-gauge");
    // Stopped in the middle of the overnight reads, so queues and in-flight gauges are not 0.
    let mut extra = SMALL.to_vec();
    extra.extend_from_slice(&[
        "--set",
        "scenario.duration=90min",
        "--set",
        "dsp.workers=1",
        "--set",
        "dsp.service_time.median=10s",
    ]);
    let summary = run_ok(QUICKSTART, &dir.join("plain"), &extra);
    let gauges = summary["gauges_final"].as_object().unwrap();
    let busy_and_queued: i64 = gauges
        .iter()
        .filter(|(k, _)| k.starts_with("csp.busy{") || k.starts_with("dsp.queue"))
        .map(|(_, v)| v.as_i64().unwrap())
        .sum();
    let dsp_queue = gauges["dsp.queue"].as_i64().unwrap();
    let in_flight = gauges["sr.in_flight"].as_i64().unwrap();
    assert!(in_flight > 0 && dsp_queue > 0, "{gauges:?}");
    let csp_busy = busy_and_queued - dsp_queue;
    let file = dir.join("gauges.toml");
    std::fs::write(
        &file,
        format!(
            "sets = [\"scenario.duration=90min\", \"dsp.workers=1\", \"dsp.service_time.median=10s\"]\n\n\
             [[expect]]\nmetric = \"sr.in_flight\"\nop = \"==\"\nvalue = {in_flight}\n\n\
             [[expect]]\nmetric = \"csp.busy\"\nop = \"==\"\nvalue = {csp_busy}\n\n\
             [[expect]]\nmetric = \"dsp.queue\"\nop = \"==\"\nvalue = {}\n",
            dsp_queue + 1
        ),
    )
    .unwrap();
    let out = dir.join("checked");
    let o = run_expecting(&out, &file);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let got = outcomes(&out);
    let passed: Vec<bool> = got.iter().map(|o| o["passed"].as_bool().unwrap()).collect();
    assert_eq!(passed, [true, true, false], "{got:?}");
    assert_eq!(got[2]["actual"], dsp_queue.to_string());
    // The file's `sets` were applied: the run stopped at 90min.
    assert_eq!(common::summary(&out)["sim_end_us"], 5_400_000_000u64);
}

/// A label no metric carries (`cod` for `code`) would match nothing and pass vacuously: it is
/// refused where it is written, with the label it was meant to be.
#[test]
fn a_misspelt_label_key_is_located_bad_input() {
    let text = "[scenario]\nname = \"labels\"\nseed = 1\nduration = \"1h\"\n\n\
                [population]\npremises = 100\n\n[[supplier]]\nname = \"alpha\"\nshare = 1\n\n\
                [[traffic]]\nsr = \"4.1.1\"\nrole = \"OU\"\nper_premises_per_day = 1\n\n\
                [[expect]]\nmetric = \"sr.rejected{cod=E3}\"\nop = \">\"\nvalue = 0\n";
    common::assert_refused_at(
        "label-typo",
        text,
        19,
        10,
        &["`cod`", "did you mean `code`?"],
    );
}

/// Every label key the library's runs write is one a pattern may name (`LABEL_KEYS`), so the
/// check above never refuses a real label.
#[test]
fn every_label_the_library_writes_is_known() {
    let dir = scratch("labels-known");
    let keys = dccsim_actors::scenario::LABEL_KEYS;
    for scenario in [
        "scenarios/cpl-removal.toml",
        "scenarios/firmware-not-on-cpl.toml",
        "scenarios/ev-load-control.toml",
        "scenarios/smi-install-wave.toml",
        "scenarios/shared-han-channels.toml",
    ] {
        let out = dir.join(Path::new(scenario).file_stem().unwrap());
        let s = run_ok(scenario, &out, &["--set", "population.premises=500"]);
        let names = ["counters", "latency", "gauges_final", "scalars"]
            .iter()
            .flat_map(|k| {
                s[*k]
                    .as_object()
                    .unwrap()
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
            });
        for name in names {
            let Some((_, labels)) = name.split_once('{') else {
                continue;
            };
            for pair in labels.trim_end_matches('}').split(',') {
                let key = pair.split('=').next().unwrap();
                assert!(
                    keys.contains(&key),
                    "{scenario}: `{key}` of {name} is not in LABEL_KEYS"
                );
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
