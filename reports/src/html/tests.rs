//! The run page built from small runs: every section present, numbers where they belong.

use super::*;
use crate::testutil::written_run;

#[test]
fn page_shows_everything_the_run_saved() {
    let (root, dir) = written_run("page");
    let page = std::fs::read_to_string(dir.join(crate::REPORT_FILE)).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.ends_with("</html>\n"));
    assert!(page.contains("a &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; test"));
    assert!(!page.contains("<b>"));
    for flow in ["central", "north", "south"] {
        let name = format!("sr.e2e{{region={flow},sr=4.1.1}}");
        assert!(
            page.contains(&format!("<tr data-flow=\"{name}\"")),
            "{flow}"
        );
        assert!(page.contains(&format!("<li data-flow=\"{name}\">")));
    }
    // The three regions of 4.1.1 share one percentile chart.
    assert_eq!(
        page.matches("<figure class=\"chart\" data-chart=\"sr.e2e{sr=4.1.1}\">")
            .count(),
        1
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let north = &summary["latency"]["sr.e2e{region=north,sr=4.1.1}"];
    assert!(
        page.contains(&format!(
            "data-count=\"6\" data-p50-us=\"{}\" data-p99-us=\"{}\"",
            north["p50_us"], north["p99_us"]
        )),
        "north row"
    );
    // Three regions of one SR, two with samples: one percentile chart of two lines, plus
    // two series charts.
    assert_eq!(page.matches("<svg").count(), 3);
    for (region, drawn) in [("north", true), ("south", true), ("central", false)] {
        let line = format!("data-flow=\"sr.e2e{{region={region},sr=4.1.1}}\"/>");
        assert_eq!(page.contains(&line), drawn, "{region}");
    }
    assert!(page.contains("data-series-group=\"smi.status\""));
    assert!(page.contains("<li data-series=\"dsp.queue\" data-final=\"3\""));
    assert!(page.contains("<tr data-code=\"E5\" data-count=\"3\">"));
    assert!(page.contains("Refused: &lt;status&gt; &amp; more"));
    assert!(
        !page.contains("data-code=\"E4\""),
        "codes never used are not listed"
    );
    assert!(page.contains("<tr data-passed=\"true\"><td><code>dsp.queue &lt;= 10</code>"));
    assert!(page.contains("<tr data-scalar=\"ev.energy_delivered_kwh\" data-value=\"12.5\">"));
    assert!(page.contains("<tr data-counter=\"sr.rejected{code=E4,sr=4.1.1}\" data-value=\"0\">"));
    assert!(page.contains("data-key=\"in flight at end\" data-value=\"4\""));
    assert!(page.contains("dccsim run quickstart.toml --seed 7"));
    assert!(!page.contains("<script") && !page.contains("<img") && !page.contains("<link"));

    // Rebuilt from the files alone: the same bytes.
    let explain: fn(&str) -> Option<&'static str> =
        |c| (c == "E5").then_some("Refused: <status> & more");
    std::fs::remove_file(dir.join(crate::REPORT_FILE)).unwrap();
    let path = write_html_report(&dir, explain).unwrap();
    assert_eq!(std::fs::read_to_string(path).unwrap(), page);
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn escapes_markup_and_quotes() {
    assert_eq!(
        escape("<script>alert('x')</script> & \"y\""),
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
    );
    assert_eq!(escape("plain ✓"), "plain ✓");
}

#[test]
fn flows_in_reading_order() {
    let mut v = vec![
        "dsp.wait",
        "sr.hop{hop=wan,region=north,sr=4.1.1}",
        "sr.hop{hop=dsp,sr=4.1.1}",
        "sr.e2e{region=south,sr=4.1.1}",
        "sr.e2e{region=north,sr=4.1.1}",
        "sr.e2e{region=north,sr=1.1.1}",
    ];
    v.sort_by(|a, b| cmp_metric(a, b));
    assert_eq!(
        v,
        [
            "sr.e2e{region=north,sr=1.1.1}",
            "sr.e2e{region=north,sr=4.1.1}",
            "sr.e2e{region=south,sr=4.1.1}",
            "dsp.wait",
            "sr.hop{hop=dsp,sr=4.1.1}",
            "sr.hop{hop=wan,region=north,sr=4.1.1}",
        ]
    );
}

#[test]
fn parameters_flatten_to_paths() {
    let v = serde_json::json!({"scenario": {"name": "q", "seed": 7},
        "supplier": [{"name": "a"}, {"name": "b"}], "x": {"hourly": [1, 2]}});
    let mut out = Vec::new();
    flatten("", &v, &mut out);
    let keys: Vec<&str> = out.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(
        keys,
        [
            "scenario.name",
            "scenario.seed",
            "supplier[0].name",
            "supplier[1].name",
            "x.hourly"
        ]
    );
    assert_eq!(out[0].1, "q");
    assert_eq!(out[4].1, "[1,2]");
}
