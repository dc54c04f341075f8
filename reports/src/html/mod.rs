//! `report.html`: one self-contained page per run — no scripts, fonts, images or network, so it
//! reads offline and travels as an email attachment. Built only from a [`RunDir`] (the saved
//! outputs), so `dccsim report RUN_DIR --html` rebuilds the page `dccsim run` wrote, byte for byte.

mod chart;
mod downsample;
mod latency;
mod svg;
mod sweep;
mod sweep_answer;
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

use latency::{cmp_metric, flows_table, latency_over_time, percentile_plots};

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
    // Device alerts, when the run models them: raised = delivered + shed + in flight.
    if s.counters.keys().any(|k| split_name(k).0 == "alert.raised") {
        for (key, base) in [
            ("alerts raised", "alert.raised"),
            ("alerts delivered", "alert.delivered"),
            ("alerts shed", "alert.shed"),
        ] {
            let n = counter_total(run, base);
            card(page, key, &thousands(n), &n.to_string());
        }
    }
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
mod tests;
