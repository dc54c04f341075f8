//! The sweep page from a small report: sections, charts and the answer first.

use super::*;

fn point(index: i64, value: usize, figures: &[(&str, &[f64])]) -> SweepPoint {
    SweepPoint {
        index,
        label: format!("dsp.service_time.median=v{index}"),
        values: vec![value],
        figures: figures
            .iter()
            .map(|(f, v)| (f.to_string(), Estimate::of(v)))
            .collect(),
    }
}

/// One parameter whose values are durations (not numbers), a failed run with markup in its
/// error, and one figure of each kind.
#[test]
fn categories_kinds_and_failures() {
    let figures: &[(&str, &[f64])] = &[
        ("sr.requested{sr=4.1.1}", &[10.0, 12.0]),
        ("ev.kwh", &[1.5, 2.5]),
        ("dsp.queue final", &[0.0, 1.0]),
        ("sr.e2e{sr=4.1.1} p99_us", &[1e6, 2e6]),
    ];
    let report = SweepReport {
        scenario: "s <1>".into(),
        store: "runs/s.sqlite".into(),
        scenario_hash: "abc".into(),
        version: "0.1.0".into(),
        runs_ok: 4,
        failed: vec![FailedRun {
            run: 4,
            point_label: "dsp.service_time.median=\"90ms\"".into(),
            replication: 0,
            seed: 9,
            error: "bad <thing> & more".into(),
        }],
        runs_missing: 0,
        replications: 2,
        parameters: vec![SweptParameter {
            key: "dsp.service_time.median".into(),
            values: ["\"10ms\"", "\"50ms\""]
                .iter()
                .map(|t| SweptValue {
                    text: t.to_string(),
                    number: None,
                })
                .collect(),
        }],
        points: vec![point(0, 0, figures), point(1, 1, figures)],
        scalars: BTreeSet::from(["ev.kwh".to_string()]),
        expectations: Vec::new(),
    };
    let page = sweep_html(&report);
    assert!(page.contains("<h1>s &lt;1&gt;</h1>"));
    // Sections in order, each figure charted once (one parameter), one line of two points.
    let at = |s: &str| page.find(s).unwrap_or_else(|| panic!("{s}"));
    assert!(at("id=\"latency\"") < at("id=\"counters\""));
    assert!(at("id=\"counters\"") < at("id=\"scalars\""));
    assert!(at("id=\"scalars\"") < at("id=\"gauges\""));
    assert_eq!(page.matches("<svg").count(), 4);
    assert_eq!(page.matches("<polyline").count(), 4);
    assert_eq!(page.matches("<circle").count(), 8);
    assert!(page.contains("data-line=\"\""));
    // Durations are categories: each value labels its own tick.
    assert!(page.contains(">&quot;10ms&quot;</text>"));
    assert!(page.contains(">&quot;50ms&quot;</text>"));
    assert!(page.contains("<details class=\"group\" data-group=\"dsp.queue\">"));
    assert!(page.contains("<details class=\"group\" data-group=\"sr.e2e\" open>"));
    assert!(page.contains("<tr data-failed-run=\"4\">"));
    assert!(page.contains("<td>bad &lt;thing&gt; &amp; more</td>"));
    assert!(!page.contains("<thing>"));
    assert!(!page.contains("<script"));
}
