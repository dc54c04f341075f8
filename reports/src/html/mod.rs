//! `report.html`: one self-contained page per run — no scripts, fonts, images or network, so it
//! reads offline and travels as an email attachment. Built only from a [`RunDir`] (the saved
//! outputs), so `dccsim report RUN_DIR --html` rebuilds the page `dccsim run` wrote, byte for byte.

mod chart;
mod downsample;
mod svg;
mod sweep;
mod sweep_chart;

pub use downsample::envelope;
pub use sweep::{
    crossings, sweep_html, FailedRun, PointOutcome, SweepExpectation, SweepPoint, SweepReport,
    SweptParameter, SweptValue,
};

use crate::run_dir::{RunDir, RunDirError};
use crate::summary::LatencyStats;
use crate::table::{cmp_region, cmp_sr, human_duration, label, show_scalar, split_name, thousands};
use chart::{interval_chart, percentile_chart, series_chart, IntervalLine, Line, PALETTE};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Text made safe for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Reads the run directory `dir` and (re)writes its `report.html` (via a temporary file renamed
/// into place, so a reader never sees half a page). Returns the page's path.
pub fn write_html_report(
    dir: &Path,
    explain_code: fn(&str) -> Option<&'static str>,
) -> Result<PathBuf, RunDirError> {
    let run = RunDir::read(dir)?;
    let page = html_report(&run, explain_code);
    let path = dir.join(crate::REPORT_FILE);
    let tmp = dir.join(format!("{}.tmp-{}", crate::REPORT_FILE, std::process::id()));
    let fail = |e: std::io::Error| RunDirError(format!("{}: cannot write it: {e}", path.display()));
    std::fs::write(&tmp, page.as_bytes()).map_err(fail)?;
    std::fs::rename(&tmp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })?;
    Ok(path)
}

/// The page's style: system fonts only, readable on screen and in print.
const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;\
max-width:1200px;padding:0 1.5em 3em;color:#222;line-height:1.4}\
h1{margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.8em}\
nav a{margin-right:1em}table{border-collapse:collapse;margin:.5em 0}\
th,td{padding:.25em .7em;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
.cards{display:flex;flex-wrap:wrap;gap:.8em}.card{border:1px solid #ddd;border-radius:6px;\
padding:.6em 1em;min-width:10em}.card .v{font-size:1.5em;font-weight:600}.card .k{color:#555}\
.charts{display:flex;flex-wrap:wrap;gap:1em}figure.chart{margin:0;border:1px solid #e4e4e4;\
border-radius:6px;padding:.4em}figcaption{font-size:.9em;font-family:ui-monospace,monospace;\
word-break:break-all;max-width:720px}\
svg .plot{fill:#fcfcfc;stroke:#999}svg .grid{stroke:#e6e6e6}svg .tick{font-size:11px;fill:#444}\
svg .title{font-size:12px;fill:#222}svg .data{fill:none;stroke-width:1.6}\
svg .trt{stroke:#c00;stroke-dasharray:6 4;stroke-width:1.4}svg .p99{stroke-dasharray:5 3}svg .trt-label{font-size:11px;fill:#c00}\
.legend{list-style:none;padding:0;margin:.3em 0;max-height:12em;overflow:auto;font-size:.85em}\
.legend li{font-family:ui-monospace,monospace}.sw{display:inline-block;width:1.4em;height:.35em;\
vertical-align:middle;margin-right:.5em}\
.pass{color:#176f2c;font-weight:600}.fail{color:#b00020;font-weight:600}\
pre{background:#f6f6f6;padding:.8em;overflow:auto}code{font-family:ui-monospace,monospace}\
.note{color:#555;font-size:.9em}";

/// The page's start up to `<body>`: a Content-Security-Policy that allows nothing from outside
/// (no script, font, image or fetch), the title (escaped here) and the style plus `extra_style`.
fn head(page: &mut String, title: &str, extra_style: &str) {
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}{extra_style}</style>\n</head>\n<body>\n",
        escape(title)
    );
}

/// The whole page for a run.
pub fn html_report(run: &RunDir, explain_code: fn(&str) -> Option<&'static str>) -> String {
    let s = &run.summary;
    let mut page = String::new();
    head(
        &mut page,
        &format!("dccsim report: {} (seed {})", s.scenario, s.seed),
        "",
    );
    header(&mut page, run);
    page.push_str(
        "<nav><a href=\"#headline\">Headline</a><a href=\"#expectations\">Expectations</a>\
         <a href=\"#flows\">Latency flows</a><a href=\"#percentiles\">Percentile plots</a>\
         <a href=\"#over-time\">Latency over time</a><a href=\"#series\">Time series</a><a href=\"#refusals\">Refusals</a>\
         <a href=\"#figures\">Counters and figures</a><a href=\"#reproduce\">Reproduce</a>\
         <a href=\"#manifest\">How it was made</a></nav>\n",
    );
    headline(&mut page, run);
    expectations(&mut page, run);
    flows_table(&mut page, run);
    percentile_plots(&mut page, run);
    latency_over_time(&mut page, run);
    series_charts(&mut page, run);
    refusals(&mut page, run, explain_code);
    figures(&mut page, run);
    reproduce(&mut page, run);
    manifest(&mut page, run);
    page.push_str("</body>\n</html>\n");
    page
}

fn header(page: &mut String, run: &RunDir) {
    let (s, m) = (&run.summary, &run.manifest);
    let _ = write!(
        page,
        "<header>\n<h1>{}</h1>\n<p class=\"description\">{}</p>\n\
         <p>Seed <strong data-seed=\"{}\">{}</strong> · digest <code data-digest>{}</code> · \
         dccsim {} · simulated {} from {}</p>\n</header>\n",
        escape(&s.scenario),
        escape(&m.description),
        s.seed,
        s.seed,
        escape(&s.digest),
        escape(&m.version),
        human_duration(s.sim_end_us),
        escape(&start_date(run)),
    );
}

/// The scenario's calendar date of time zero, as its resolved parameters say.
fn start_date(run: &RunDir) -> String {
    match &run.manifest.resolved_parameters["scenario"]["start_date"] {
        serde_json::Value::String(d) => format!("{d} 00:00"),
        _ => "the scenario's start date (default)".to_string(),
    }
}

/// Sum of the counters whose metric name (before `{`) is `base`.
fn counter_total(run: &RunDir, base: &str) -> u64 {
    run.summary
        .counters
        .iter()
        .filter(|(k, _)| split_name(k).0 == base)
        .map(|(_, v)| *v)
        .sum()
}

fn card(page: &mut String, key: &str, value: &str, data: &str) {
    let _ = write!(
        page,
        "<div class=\"card\" data-key=\"{}\" data-value=\"{}\"><div class=\"v\">{}</div>\
         <div class=\"k\">{}</div></div>",
        escape(key),
        escape(data),
        escape(value),
        escape(key)
    );
}

fn headline(page: &mut String, run: &RunDir) {
    let s = &run.summary;
    page.push_str("<section id=\"headline\">\n<h2>Headline</h2>\n<div class=\"cards\">");
    card(
        page,
        "simulated time",
        &human_duration(s.sim_end_us),
        &s.sim_end_us.to_string(),
    );
    card(page, "events", &thousands(s.events), &s.events.to_string());
    for (key, base) in [
        ("SRs requested", "sr.requested"),
        ("SRs completed", "sr.completed"),
        ("SRs rejected", "sr.rejected"),
    ] {
        let n = counter_total(run, base);
        card(page, key, &thousands(n), &n.to_string());
    }
    card(
        page,
        "in flight at end",
        &thousands(s.in_flight_at_end),
        &s.in_flight_at_end.to_string(),
    );
    // Share within TRT over all end-to-end flows that have a TRT: completed requests within it,
    // over completed requests plus those still in flight and already past it.
    let (mut within, mut count) = (0.0, 0u64);
    for (name, st) in &s.latency {
        if split_name(name).0 == "sr.e2e" && st.trt_us.is_some() {
            within += st.within_trt.unwrap_or(0.0) * st.count as f64;
            count += st.count + st.late_in_flight;
        }
    }
    if count > 0 {
        let share = within / count as f64;
        card(
            page,
            "end-to-end within TRT",
            &format!("{:.2}%", (share * 10000.0).floor() / 100.0),
            &format!("{share:.6}"),
        );
    }
    // The slowest end-to-end flow at p99: where a capacity planner looks first.
    let slowest = s
        .latency
        .iter()
        .filter(|(name, _)| split_name(name).0 == "sr.e2e")
        .filter_map(|(name, st)| Some((st.p99_us?, name)))
        .max();
    if let Some((p99, name)) = slowest {
        card(
            page,
            &format!("slowest end-to-end p99: {name}"),
            &human_duration(p99),
            &p99.to_string(),
        );
    }
    page.push_str("</div>\n");
    // A scenario may model a late DCC on purpose; the page says so where it is read first.
    let late = counter_total(run, "cpl.apply_late");
    if late > 0 {
        let _ = writeln!(
            page,
            "<p class=\"note\" data-warning=\"cpl.apply_late\">{late} CPL extract(s) reached \
             the SMI after the DCC's 24-hour apply window (<code>cpl.apply_late</code>): the \
             scenario's <code>[cpl] apply_delay</code> models a late DCC.</p>"
        );
    }
    page.push_str("</section>\n");
}

fn expectations(page: &mut String, run: &RunDir) {
    page.push_str("<section id=\"expectations\">\n<h2>Expectations</h2>\n");
    match &run.expectations {
        None => {
            page.push_str("<p class=\"note\">This run directory has no expectations.json.</p>\n")
        }
        Some(e) if e.is_empty() => page.push_str(
            "<p class=\"note\">The scenario has no <code>[[expect]]</code> checks.</p>\n",
        ),
        Some(list) => {
            let failed = list.iter().filter(|e| !e.passed).count();
            let _ = write!(
                page,
                "<p>{} of {} passed.</p>\n<table><tr><th>expected</th><th>the run gave</th>\
                 <th>outcome</th></tr>\n",
                list.len() - failed,
                list.len()
            );
            for e in list {
                let (class, word) = if e.passed {
                    ("pass", "passed")
                } else {
                    ("fail", "FAILED")
                };
                let _ = writeln!(
                    page,
                    "<tr data-passed=\"{}\"><td><code>{}</code></td><td>{}</td>\
                     <td class=\"{class}\">{word}</td></tr>",
                    e.passed,
                    escape(&e.expected),
                    escape(&e.actual)
                );
            }
            page.push_str("</table>\n");
        }
    }
    page.push_str("</section>\n");
}

/// Flow names in reading order: end-to-end first, then by metric name, SR, hop along the path,
/// region, and the full name.
fn ordered_flows(run: &RunDir) -> Vec<(&str, &LatencyStats)> {
    let mut v: Vec<(&str, &LatencyStats)> = run
        .summary
        .latency
        .iter()
        .map(|(k, s)| (k.as_str(), s))
        .collect();
    v.sort_by(|a, b| cmp_metric(a.0, b.0));
    v
}

fn cmp_metric(a: &str, b: &str) -> Ordering {
    let (ba, la) = split_name(a);
    let (bb, lb) = split_name(b);
    let hop_rank = |h: Option<&str>| {
        let order = ["dsp", "csp", "wan", "han", "device"];
        h.map(|h| order.iter().position(|x| *x == h).unwrap_or(order.len()))
    };
    (ba != "sr.e2e")
        .cmp(&(bb != "sr.e2e"))
        .then_with(|| ba.cmp(bb))
        .then_with(|| match (label(&la, "sr"), label(&lb, "sr")) {
            (Some(x), Some(y)) => cmp_sr(x, y),
            (x, y) => x.cmp(&y),
        })
        .then_with(|| hop_rank(label(&la, "hop")).cmp(&hop_rank(label(&lb, "hop"))))
        .then_with(|| match (label(&la, "region"), label(&lb, "region")) {
            (Some(x), Some(y)) => cmp_region(x, y),
            (x, y) => x.cmp(&y),
        })
        .then_with(|| a.cmp(b))
}

fn dur(v: Option<u64>) -> String {
    v.map_or_else(|| "–".to_string(), human_duration)
}

fn opt(v: Option<u64>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

fn flows_table(page: &mut String, run: &RunDir) {
    page.push_str(
        "<section id=\"flows\">\n<h2>Latency flows</h2>\n<p class=\"note\">Every latency flow \
         the run recorded; <code>sr.e2e</code> is end to end, <code>sr.hop</code> one hop of the \
         path. Percentiles as HdrHistogram reports them (3 significant digits); min and max \
         are exact. <em>Within TRT</em> counts requests still in flight at the end and already \
         past their TRT as misses (marked *).</p>\n\
         <table><tr><th>flow</th><th class=\"n\">count</th><th class=\"n\">p50</th>\
         <th class=\"n\">p99</th><th class=\"n\">p99.9</th><th class=\"n\">max</th>\
         <th class=\"n\">TRT</th><th class=\"n\">within TRT</th></tr>\n",
    );
    for (name, s) in ordered_flows(run) {
        let within = s.within_trt_all.map_or_else(
            || "–".to_string(),
            |w| {
                let late = if s.late_in_flight > 0 { "*" } else { "" };
                format!("{:.1}%{late}", (w * 1000.0).floor() / 10.0)
            },
        );
        let _ = writeln!(
            page,
            "<tr data-flow=\"{}\" data-count=\"{}\" data-p50-us=\"{}\" data-p99-us=\"{}\" \
             data-p999-us=\"{}\" data-max-us=\"{}\" data-trt-us=\"{}\" data-within-trt=\"{}\">\
             <td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(name),
            s.count,
            opt(s.p50_us),
            opt(s.p99_us),
            opt(s.p999_us),
            opt(s.max_us),
            opt(s.trt_us),
            s.within_trt.map_or_else(String::new, |w| w.to_string()),
            escape(name),
            thousands(s.count),
            dur(s.p50_us),
            dur(s.p99_us),
            dur(s.p999_us),
            dur(s.max_us),
            dur(s.trt_us),
            within,
        );
    }
    page.push_str("</table>\n</section>\n");
}

/// A flow's name without its `region` label: the chart its regions share
/// (`sr.e2e{region=north,sr=4.1.1}` → `sr.e2e{sr=4.1.1}`).
fn without_region(name: &str) -> String {
    let (base, labels) = split_name(name);
    let rest: Vec<String> = labels
        .iter()
        .filter(|(k, _)| *k != "region")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}{{{}}}", rest.join(","))
    }
}

fn percentile_plots(page: &mut String, run: &RunDir) {
    page.push_str(
        "<section id=\"percentiles\">\n<h2>Percentile plots</h2>\n<p class=\"note\">Latency \
         against percentile, with 1/(1−p) on a log axis so that 90%, 99%, 99.9% and 99.99% are \
         evenly spaced (HdrHistogram style); the dashed red line is the Target Response Time. \
         One chart per SR (and hop), its regions overlaid in the colours of the legend. \
         Drawn from <code>latency/*.hgrm</code>.</p>\n",
    );
    // Charts in reading order: end to end first, then each kind of hop or wait.
    let mut charts: Vec<(String, Vec<(&str, &LatencyStats)>)> = Vec::new();
    for (name, s) in ordered_flows(run) {
        let key = without_region(name);
        match charts.iter_mut().find(|(k, _)| *k == key) {
            Some((_, flows)) => flows.push((name, s)),
            None => charts.push((key, vec![(name, s)])),
        }
    }
    let mut group = None;
    for (key, mut flows) in charts {
        let base = split_name(&key).0.to_string();
        if group.as_deref() != Some(base.as_str()) {
            if group.is_some() {
                page.push_str("</div>\n");
            }
            let _ = writeln!(
                page,
                "<h3><code>{}</code></h3>\n<div class=\"charts\">",
                escape(&base)
            );
            group = Some(base);
        }
        let region = |n: &str| label(&split_name(n).1, "region").unwrap_or("").to_string();
        flows.sort_by(|a, b| cmp_region(&region(a.0), &region(b.0)));
        let lines: Vec<(&str, &[crate::PercentileRow])> = flows
            .iter()
            .map(|(n, _)| (*n, run.distributions.get(*n).map_or(&[][..], Vec::as_slice)))
            .collect();
        let trt = flows.iter().find_map(|(_, s)| s.trt_us);
        let body = percentile_chart(&key, &lines, trt)
            .unwrap_or_else(|| "<p class=\"note\">no samples</p>".to_string());
        let _ = write!(
            page,
            "<figure class=\"chart\" data-chart=\"{}\"><figcaption>{}</figcaption>{body}\
             <ul class=\"legend\">",
            escape(&key),
            escape(&key)
        );
        for (i, (name, s)) in flows.iter().enumerate() {
            let r = region(name);
            let what = if s.count == 0 {
                "no samples".to_string()
            } else {
                let p99 = s.p99_us.map_or_else(|| "–".into(), human_duration);
                match s.within_trt {
                    Some(w) => format!("p99 {p99}, {:.2}% within TRT", w * 100.0),
                    None => format!("p99 {p99}"),
                }
            };
            let _ = write!(
                page,
                "<li data-flow=\"{}\"><span class=\"sw\" style=\"background:{}\"></span>{} — {}</li>",
                escape(name),
                PALETTE[i % PALETTE.len()],
                escape(if r.is_empty() { name } else { &r }),
                escape(&what)
            );
        }
        page.push_str("</ul></figure>\n");
    }
    if group.is_some() {
        page.push_str("</div>\n");
    }
    page.push_str("</section>\n");
}

/// Latency over time: per SR, each region's median (solid) and 99th percentile (dashed) per
/// interval, from the run's interval logs (`latency/*.hlog`).
fn latency_over_time(page: &mut String, run: &RunDir) {
    if run.intervals.is_empty() {
        return;
    }
    page.push_str(
        "<section id=\"over-time\">\n<h2>Latency over time</h2>\n<p class=\"note\">Each SR's \
         end-to-end latency per interval (between gauge samples) from the HdrHistogram interval \
         logs <code>latency/*.hlog</code>: the median solid, the 99th percentile dashed, a colour \
         per region; the TRT dashed in red. Peaks in the day show as bumps.</p>\n\
         <div class=\"charts\">\n",
    );
    let mut charts: Vec<(String, Vec<&str>)> = Vec::new();
    for (name, _) in ordered_flows(run) {
        if !run.intervals.contains_key(name) {
            continue;
        }
        let key = without_region(name);
        match charts.iter_mut().find(|(k, _)| *k == key) {
            Some((_, flows)) => flows.push(name),
            None => charts.push((key, vec![name])),
        }
    }
    let region = |n: &str| label(&split_name(n).1, "region").unwrap_or("").to_string();
    for (key, mut flows) in charts {
        flows.sort_by(|a, b| cmp_region(&region(a), &region(b)));
        let mut lines = Vec::new();
        for (i, flow) in flows.iter().enumerate() {
            for dashed in [false, true] {
                let points = run.intervals[*flow]
                    .iter()
                    .filter_map(|iv| {
                        let v = if dashed { iv.p99_us } else { iv.p50_us };
                        v.map(|v| (iv.end_us, v))
                    })
                    .collect();
                lines.push(IntervalLine {
                    flow,
                    points,
                    dashed,
                    colour: i,
                });
            }
        }
        let trt = flows
            .iter()
            .find_map(|f| run.summary.latency.get(*f).and_then(|s| s.trt_us));
        let svg = interval_chart(&key, &lines, run.summary.sim_end_us, trt);
        let _ = write!(
            page,
            "<figure class=\"chart\" data-over-time=\"{}\"><figcaption>{}</figcaption>{svg}\
             <ul class=\"legend\">",
            escape(&key),
            escape(&key)
        );
        for (i, flow) in flows.iter().enumerate() {
            let r = region(flow);
            let _ = write!(
                page,
                "<li><span class=\"sw\" style=\"background:{}\"></span>{}</li>",
                PALETTE[i % PALETTE.len()],
                escape(if r.is_empty() { flow } else { &r })
            );
        }
        page.push_str("</ul></figure>\n");
    }
    page.push_str("</div>\n</section>\n");
}

/// Series grouped by metric name (the part before `{`), each group in reading order.
fn series_groups(run: &RunDir) -> BTreeMap<&str, Vec<&str>> {
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for name in &run.summary.series {
        groups.entry(split_name(name).0).or_default().push(name);
    }
    for names in groups.values_mut() {
        names.sort_by(|a, b| cmp_metric(a, b));
    }
    groups
}

fn series_charts(page: &mut String, run: &RunDir) {
    page.push_str(
        "<section id=\"series\">\n<h2>Time series</h2>\n<p class=\"note\">Gauges sampled every \
         sample interval (<code>timeseries.csv</code>), one chart per metric name; long series \
         are drawn as min/max envelopes, so no peak is lost. Time runs from the start of the \
         simulated period.</p>\n<div class=\"charts\">\n",
    );
    let empty = Default::default();
    for (group, names) in series_groups(run) {
        let lines: Vec<Line> = names
            .iter()
            .map(|n| {
                let s = run.series.get(*n).unwrap_or(&empty);
                Line {
                    times: &s.times,
                    values: &s.values,
                }
            })
            .collect();
        let svg = series_chart(group, &lines, run.summary.sim_end_us);
        let _ = write!(
            page,
            "<figure class=\"chart\" data-series-group=\"{}\"><figcaption>{}</figcaption>{svg}\
             <ul class=\"legend\">",
            escape(group),
            escape(group)
        );
        for (i, n) in names.iter().enumerate() {
            let last = run.summary.gauges_final.get(*n);
            let _ = write!(
                page,
                "<li data-series=\"{}\" data-final=\"{}\"><span class=\"sw\" \
                 style=\"background:{}\"></span>{} — final {}</li>",
                escape(n),
                last.map_or_else(String::new, i64::to_string),
                PALETTE[i % PALETTE.len()],
                escape(n),
                last.map_or_else(|| "–".to_string(), |v| v.to_string()),
            );
        }
        page.push_str("</ul></figure>\n");
    }
    if run.summary.series.is_empty() {
        page.push_str("<p class=\"note\">The run recorded no time series.</p>\n");
    }
    page.push_str("</div>\n</section>\n");
}

fn refusals(page: &mut String, run: &RunDir, explain_code: fn(&str) -> Option<&'static str>) {
    page.push_str("<section id=\"refusals\">\n<h2>Refusals by response code</h2>\n");
    // code → (total, SR → count)
    let mut by_code: BTreeMap<&str, (u64, BTreeMap<&str, u64>)> = BTreeMap::new();
    for (name, v) in &run.summary.counters {
        let (base, labels) = split_name(name);
        if base != "sr.rejected" || *v == 0 {
            continue;
        }
        if let Some(code) = label(&labels, "code") {
            let e = by_code.entry(code).or_default();
            e.0 += v;
            *e.1.entry(label(&labels, "sr").unwrap_or("-")).or_default() += v;
        }
    }
    if by_code.is_empty() {
        page.push_str("<p class=\"note\">No request was refused.</p>\n</section>\n");
        return;
    }
    page.push_str(
        "<table><tr><th>code</th><th class=\"n\">refused</th><th>meaning</th><th>by SR</th></tr>\n",
    );
    for (code, (total, by_sr)) in &by_code {
        let mut srs: Vec<(&&str, &u64)> = by_sr.iter().collect();
        srs.sort_by(|a, b| cmp_sr(a.0, b.0));
        let srs: Vec<String> = srs
            .iter()
            .map(|(sr, n)| format!("{}: {}", escape(sr), thousands(**n)))
            .collect();
        let _ = writeln!(
            page,
            "<tr data-code=\"{}\" data-count=\"{total}\"><td><strong>{}</strong></td>\
             <td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(code),
            escape(code),
            thousands(*total),
            escape(explain_code(code).unwrap_or("(no description of this code is known)")),
            srs.join(", ")
        );
    }
    page.push_str("</table>\n</section>\n");
}

/// A two-column table of named figures: `(name, raw value for data-value, value as shown)`.
fn named_values<'a>(
    page: &mut String,
    what: &str,
    rows: impl Iterator<Item = (&'a str, String, String)>,
) {
    let _ = writeln!(
        page,
        "<table><tr><th>{what}</th><th class=\"n\">value</th></tr>"
    );
    for (name, raw, shown) in rows {
        let _ = writeln!(
            page,
            "<tr data-{what}=\"{}\" data-value=\"{}\"><td><code>{}</code></td>\
             <td class=\"n\">{}</td></tr>",
            escape(name),
            escape(&raw),
            escape(name),
            escape(&shown)
        );
    }
    page.push_str("</table>\n");
}

/// Counters, final gauges and end-of-run scalars: everything else the summary holds.
fn figures(page: &mut String, run: &RunDir) {
    let s = &run.summary;
    page.push_str(
        "<section id=\"figures\">\n<h2>Counters and figures</h2>\n<h3>End-of-run figures</h3>\n",
    );
    if s.scalars.is_empty() {
        page.push_str("<p class=\"note\">The run recorded no end-of-run figures.</p>\n");
    } else {
        let raw = |v: &Option<f64>| v.map_or_else(|| "not finite".to_string(), |v| v.to_string());
        let shown = |k: &str, v: &Option<f64>| {
            v.map_or_else(|| "not finite".to_string(), |v| show_scalar(k, v))
        };
        named_values(
            page,
            "scalar",
            s.scalars
                .iter()
                .map(|(k, v)| (k.as_str(), raw(v), shown(k, v))),
        );
    }
    let _ = writeln!(
        page,
        "<details><summary>All {} counters</summary>",
        s.counters.len()
    );
    named_values(
        page,
        "counter",
        s.counters
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_string(), thousands(*v))),
    );
    let _ = writeln!(
        page,
        "</details>\n<details><summary>All {} gauges at the end</summary>",
        s.gauges_final.len()
    );
    named_values(
        page,
        "gauge",
        s.gauges_final
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_string(), v.to_string())),
    );
    page.push_str("</details>\n</section>\n");
}

/// `a.b[0].c = value` lines for every leaf of the resolved parameters.
fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::Array(a) if a.iter().any(|x| x.is_object()) => {
            for (i, v) in a.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), v, out);
            }
        }
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

fn reproduce(page: &mut String, run: &RunDir) {
    let (s, m) = (&run.summary, &run.manifest);
    let file = format!("{}.toml", s.scenario);
    let _ = write!(
        page,
        "<section id=\"reproduce\">\n<h2>Reproduce this run</h2>\n<p>Save the resolved scenario \
         below as <code>{}</code> and run:</p>\n<pre data-command>dccsim run {} --seed {}</pre>\n\
         <p>With dccsim {} the run prints <code>digest {}</code>: the same scenario and seed give \
         the same digest on any machine.</p>\n",
        escape(&file),
        escape(&file),
        s.seed,
        escape(&m.version),
        escape(&s.digest)
    );
    if !m.sets.is_empty() {
        let sets: Vec<String> = m
            .sets
            .iter()
            .map(|x| format!("--set {}", escape(x)))
            .collect();
        let _ = writeln!(
            page,
            "<p>The run was made with <code>{}</code>; the resolved scenario already includes \
             these overrides.</p>",
            sets.join(" ")
        );
    }
    let mut params = Vec::new();
    flatten("", &m.resolved_parameters, &mut params);
    page.push_str(
        "<h3>Resolved parameters</h3>\n<p class=\"note\">The scenario after overrides, as the \
         run read it (values the file leaves out take the documented defaults).</p>\n\
         <table><tr><th>parameter</th><th>value</th></tr>\n",
    );
    for (k, v) in &params {
        let _ = writeln!(
            page,
            "<tr><td><code>{}</code></td><td><code>{}</code></td></tr>",
            escape(k),
            escape(v)
        );
    }
    let _ = write!(
        page,
        "</table>\n<details><summary>The resolved scenario (TOML, scenario hash <code>{}</code>)\
         </summary>\n<pre data-resolved-toml>{}</pre></details>\n</section>\n",
        escape(&m.scenario_hash),
        escape(&m.resolved_toml)
    );
}

fn manifest(page: &mut String, run: &RunDir) {
    let m = &run.manifest;
    let rows = [
        ("dccsim version", escape(&m.version)),
        ("events", thousands(m.events)),
        ("wall-clock seconds", format!("{:.3}", m.wall_seconds)),
        (
            "events per wall-clock second",
            m.events_per_second
                .map_or_else(|| "–".to_string(), |e| thousands(e.max(0.0).round() as u64)),
        ),
        (
            "peak memory (RSS)",
            m.peak_rss_bytes.map_or_else(
                || "not measured".to_string(),
                |b| format!("{:.1} MiB", b as f64 / 1_048_576.0),
            ),
        ),
        (
            "scenario hash",
            format!("<code>{}</code>", escape(&m.scenario_hash)),
        ),
    ];
    page.push_str(
        "<section id=\"manifest\">\n<h2>How this run was made</h2>\n<p class=\"note\">From \
         <code>manifest.json</code>. Wall-clock time, speed and memory describe the machine that \
         made the run and vary from run to run; nothing else on this page does.</p>\n<table>\n",
    );
    for (k, v) in rows {
        let _ = writeln!(page, "<tr><th>{k}</th><td>{v}</td></tr>");
    }
    page.push_str("</table>\n</section>\n");
}

#[cfg(test)]
mod tests {
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
            serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap())
                .unwrap();
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
        assert!(
            page.contains("<tr data-counter=\"sr.rejected{code=E4,sr=4.1.1}\" data-value=\"0\">")
        );
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
}
