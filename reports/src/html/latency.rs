//! The run page's latency sections: the table of every flow, one percentile chart per SR with
//! its regions overlaid, and latency over time from the interval logs.

use super::*;

/// Flow names in reading order: end-to-end first, then by metric name, SR, hop along the path,
/// region, and the full name.
pub(super) fn ordered_flows(run: &RunDir) -> Vec<(&str, &LatencyStats)> {
    let mut v: Vec<(&str, &LatencyStats)> = run
        .summary
        .latency
        .iter()
        .map(|(k, s)| (k.as_str(), s))
        .collect();
    v.sort_by(|a, b| cmp_metric(a.0, b.0));
    v
}

pub(super) fn cmp_metric(a: &str, b: &str) -> Ordering {
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

pub(super) fn dur(v: Option<u64>) -> String {
    v.map_or_else(|| "–".to_string(), human_duration)
}

pub(super) fn opt(v: Option<u64>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

pub(super) fn flows_table(page: &mut String, run: &RunDir) {
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
pub(super) fn without_region(name: &str) -> String {
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

pub(super) fn percentile_plots(page: &mut String, run: &RunDir) {
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
pub(super) fn latency_over_time(page: &mut String, run: &RunDir) {
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
