//! report.html: every `run` writes it; it shows every flow and series with the numbers of
//! summary.json; `dccsim report RUN_DIR [--html]` rebuilds it (byte for byte) and the terminal
//! tables from the saved outputs; user text is escaped; a damaged run directory is bad input.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

/// Text as the page escapes it.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The attributes of the first tag that starts with `start`, as `(name, value)` pairs.
fn tag_attrs(page: &str, start: &str) -> Vec<(String, String)> {
    let at = page
        .find(start)
        .unwrap_or_else(|| panic!("the page has no {start}"));
    let tag = &page[at..at + page[at..].find('>').unwrap()];
    tag.split(" data-")
        .skip(1)
        .filter_map(|kv| kv.split_once("=\""))
        .map(|(k, v)| (k.to_string(), v.trim_end_matches('"').to_string()))
        .collect()
}

fn attr(attrs: &[(String, String)], key: &str) -> String {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("no data-{key} in {attrs:?}"))
        .1
        .clone()
}

/// A data attribute holds the summary's number exactly (`""` for null).
fn same_number(attr: &str, v: &Value) -> bool {
    match v.as_f64() {
        None => v.is_null() && attr.is_empty(),
        Some(want) => attr.parse::<f64>() == Ok(want),
    }
}

fn page(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("report.html")).expect("run writes report.html")
}

#[test]
fn quickstart_report_shows_every_flow_and_series_with_the_summary_numbers() {
    let out = scratch("html-quickstart");
    let s = run_ok("scenarios/quickstart.toml", &out, SMALL);
    let page = page(&out);

    let latency = s["latency"].as_object().unwrap();
    assert!(latency.len() > 20, "quickstart records per-hop flows too");
    let mut plots = 0;
    for (name, stats) in latency {
        let row = tag_attrs(&page, &format!("<tr data-flow=\"{}\"", esc(name)));
        for (key, field) in [
            ("count", "count"),
            ("p50-us", "p50_us"),
            ("p99-us", "p99_us"),
            ("p999-us", "p999_us"),
            ("max-us", "max_us"),
            ("trt-us", "trt_us"),
            ("within-trt", "within_trt"),
        ] {
            let shown = attr(&row, key);
            assert!(
                same_number(&shown, &stats[field]),
                "{name} {field}: page {shown}, summary {}",
                stats[field]
            );
        }
        // Each flow is a line of its SR's percentile chart (regions overlaid), drawn when it
        // has samples, and named in that chart's legend.
        let line_at = page.find(&format!("data-flow=\"{}\"/>", esc(name)));
        assert!(
            page.contains(&format!("<li data-flow=\"{}\">", esc(name))),
            "{name} not in a legend"
        );
        if stats["count"].as_u64().unwrap() > 0 {
            let line_at = line_at.unwrap_or_else(|| panic!("no percentile line for {name}"));
            let fig_at = page[..line_at]
                .rfind("<figure class=\"chart\" data-chart=")
                .unwrap();
            let fig = &page[fig_at..line_at];
            assert_eq!(
                fig.contains("class=\"trt\""),
                !stats["trt_us"].is_null(),
                "TRT marked exactly where the flow has one: {name}"
            );
            plots += 1;
        }
    }
    assert!(plots > 20);
    // One chart per SR (and per hop and SR), not one per flow: the regions share it.
    let charts = page.matches("<figure class=\"chart\" data-chart=").count();
    assert!(charts * 2 < plots, "{charts} charts for {plots} flows");
    assert!(page.contains("<figure class=\"chart\" data-chart=\"sr.e2e{sr=4.1.1}\">"));

    let series = s["series"].as_array().unwrap();
    assert!(series.iter().any(|x| x == "csp.queue{region=north}"));
    for name in series {
        let name = name.as_str().unwrap();
        let group = name.split('{').next().unwrap();
        assert!(
            page.contains(&format!("data-series-group=\"{}\"", esc(group))),
            "{group}"
        );
        let li = tag_attrs(&page, &format!("<li data-series=\"{}\"", esc(name)));
        assert_eq!(attr(&li, "final"), s["gauges_final"][name].to_string());
    }
    // One chart per metric name: csp.queue's three regions share one.
    assert_eq!(page.matches("data-series-group=\"csp.queue\"").count(), 1);

    for (key, prefix) in [
        ("SRs requested", "sr.requested"),
        ("SRs rejected", "sr.rejected"),
    ] {
        let card = tag_attrs(&page, &format!("<div class=\"card\" data-key=\"{key}\""));
        assert_eq!(attr(&card, "value"), counter_sum(&s, prefix).to_string());
    }
    assert!(
        counter_sum(&s, "sr.rejected{code=E3,") > 0,
        "quickstart refuses with E3"
    );
    for code in ["E3", "E19"] {
        let want = counter_sum(&s, &format!("sr.rejected{{code={code},"));
        let start = format!("<tr data-code=\"{code}\"");
        if want == 0 {
            assert!(
                !page.contains(&start),
                "{code} never refused, so not listed"
            );
        } else {
            assert_eq!(attr(&tag_attrs(&page, &start), "count"), want.to_string());
        }
    }
    assert!(
        page.contains("Refused: your DCC User role is not allowed to send this Service Request.")
    );
    assert!(page.contains(s["digest"].as_str().unwrap()));
    assert!(page.contains("dccsim run quickstart.toml --seed 7"));
    assert!(page.contains("--set population.premises=3000"));
    assert!(page.contains("The scenario has no <code>[[expect]]</code> checks."));

    // Self-contained: no script, no external resource, links only within the page.
    for banned in ["<script", "<link", "<img", "<iframe", "@import", "url("] {
        assert!(!page.contains(banned), "{banned}");
    }
    assert!(!page.contains(" src="));
    for href in page.split("href=\"").skip(1) {
        assert!(
            href.starts_with('#'),
            "link out of the page: {}",
            &href[..40.min(href.len())]
        );
    }
}

#[test]
fn report_rebuilds_the_page_and_the_tables_from_the_saved_outputs() {
    let out = scratch("html-rebuild");
    let out_s = out.to_str().unwrap();
    let mut args = vec!["run", "scenarios/quickstart.toml", "--out", out_s];
    args.extend_from_slice(SMALL);
    let run = dccsim(&args);
    assert!(run.status.success());
    let written = std::fs::read(out.join("report.html")).unwrap();

    std::fs::remove_file(out.join("report.html")).unwrap();
    let o = dccsim(&["report", out_s, "--html"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        format!("report {}", out.join("report.html").display())
    );
    let rebuilt = std::fs::read(out.join("report.html")).unwrap();
    assert!(
        rebuilt == written,
        "rebuilt report.html differs from the one run wrote"
    );

    // Without --html: the tables `run` printed, then the digest.
    let o = dccsim(&["report", out_s]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let shown = String::from_utf8(o.stdout).unwrap();
    let run_out = String::from_utf8(run.stdout).unwrap();
    let tables = |text: &str, stop: &dyn Fn(&str) -> bool| -> String {
        text.lines()
            .take_while(|l| !stop(l))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let from_run = tables(&run_out, &|l| l.contains(" events in "));
    let from_report = tables(&shown, &|l| l.starts_with("digest "));
    assert!(from_run.contains("Refusals by response code:"), "{run_out}");
    assert_eq!(from_report, from_run);
    let digest = summary(&out)["digest"].as_str().unwrap().to_string();
    assert_eq!(
        shown.lines().last(),
        Some(format!("digest {digest}").as_str())
    );
}

#[test]
fn reruns_give_the_same_page_but_for_the_wall_clock_section() {
    let (a, b) = (scratch("html-rerun-a"), scratch("html-rerun-b"));
    let small = ["--set", "population.premises=500"];
    run_ok("scenarios/quickstart.toml", &a, &small);
    run_ok("scenarios/quickstart.toml", &b, &small);
    let simulated = |dir: &Path| {
        let p = page(dir);
        let cut = p
            .find("<section id=\"manifest\">")
            .expect("manifest section");
        p[..cut].to_string()
    };
    let (pa, pb) = (simulated(&a), simulated(&b));
    assert!(
        pa.contains("<section id=\"reproduce\">"),
        "the cut keeps all but the last section"
    );
    assert!(
        pa == pb,
        "report.html differs between reruns outside the manifest section"
    );
}

#[test]
fn scenario_text_is_escaped() {
    let out = scratch("html-escape");
    let desc = "<script>alert('x')</script> & <b>bold</b> \"quoted\"";
    let set = format!("scenario.description=\"{}\"", desc.replace('"', "\\\""));
    run_ok(
        "scenarios/quickstart.toml",
        &out,
        &["--set", "population.premises=300", "--set", &set],
    );
    let page = page(&out);
    assert!(page.contains(&format!("<p class=\"description\">{}</p>", esc(desc))));
    assert!(!page.contains("<script"));
    assert!(!page.contains("<b>bold"));
}

#[test]
fn a_damaged_or_wrong_path_is_bad_input_and_keeps_the_old_page() {
    let out = scratch("html-bad");
    run_ok(
        "scenarios/quickstart.toml",
        &out,
        &["--set", "population.premises=300"],
    );
    let out_s = out.to_str().unwrap();
    let before = page(&out);
    let bad = |args: &[&str], needle: &str| {
        let o = dccsim(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    };

    // --csv is a results-store option.
    bad(&["report", out_s, "--csv", "x.csv"], "is a run directory");
    // A path that does not exist, or is a file.
    let missing = out.join("absent");
    bad(
        &["report", missing.to_str().unwrap()],
        "no such run directory",
    );
    let file = out.join("summary.json");
    // A file is read as a results store, and summary.json is not one.
    bad(
        &["report", file.to_str().unwrap()],
        "is not a results store",
    );

    // A damaged summary.json: located error, and the old report.html is left as it was.
    let summary_path = out.join("summary.json");
    let good = std::fs::read_to_string(&summary_path).unwrap();
    std::fs::write(
        &summary_path,
        good.replacen("\"seed\": 7", "\"seed\": \"seven\"", 1),
    )
    .unwrap();
    bad(&["report", out_s, "--html"], "summary.json:3:");
    assert_eq!(page(&out), before);
    bad(&["report", out_s], "summary.json:3:");

    // A missing latency file is named.
    std::fs::write(&summary_path, good).unwrap();
    let hgrm = out
        .join("latency")
        .join("sr.e2e_region=north_sr=4.1.1.hgrm");
    std::fs::remove_file(&hgrm).unwrap();
    bad(
        &["report", out_s, "--html"],
        "sr.e2e_region=north_sr=4.1.1.hgrm: cannot read it",
    );
    assert_eq!(page(&out), before);
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
