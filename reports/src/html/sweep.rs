//! The sweep page (`dccsim report STORE --html`): every figure of a results store against each
//! swept parameter, the mean across replications with 95 % confidence bars. Self-contained like
//! `report.html` (same style, SVG writer and escaping; no script, no network).
//!
//! Figures come in sections: latency flows (end to end first, open), counters, end-of-run
//! figures, and final gauges; each metric name is a collapsible group, so a big world's hundreds
//! of figures stay navigable.

use super::sweep_answer::answer;
pub use super::sweep_answer::crossings;
use super::sweep_chart::{sweep_chart, ChartLine, ChartPoint, XAxis};
use super::{cmp_metric, escape, head, PALETTE};
use crate::estimate::Estimate;
use crate::table::{split_name, thousands};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// A swept parameter and its values in sweep order.
pub struct SweptParameter {
    /// The key path as in `[[sweep.parameter]]` (`dsp.workers`).
    pub key: String,
    pub values: Vec<SweptValue>,
}

/// One value of a swept parameter: as TOML text, and as a number where it is one.
#[derive(Clone, Debug, PartialEq)]
pub struct SweptValue {
    pub text: String,
    pub number: Option<f64>,
}

/// One sweep point with the aggregates of its completed runs.
pub struct SweepPoint {
    /// The point's index in the sweep.
    pub index: i64,
    /// Its overrides (`dsp.workers=1 traffic.0.per_premises_per_day=6.0`).
    pub label: String,
    /// Per swept parameter (same order), the index of this point's value in its `values`.
    pub values: Vec<usize>,
    /// Figure name (as in `dccsim report STORE --csv`) → estimate across replications.
    pub figures: BTreeMap<String, Estimate>,
}

/// A run recorded as failed, with its error.
pub struct FailedRun {
    pub run: i64,
    pub point_label: String,
    pub replication: i64,
    pub seed: u64,
    pub error: String,
}

/// How one point fared on one expectation, across its completed replications.
#[derive(Clone, Debug, PartialEq)]
pub struct PointOutcome {
    pub passed: usize,
    pub runs: usize,
    /// The figure's value in each run, aggregated (absent when it was not a number).
    pub actual: Option<Estimate>,
}

/// One `[[expect]]` of the swept scenario, and how each point fared on it.
pub struct SweepExpectation {
    /// As recorded: `sr.e2e{sr=4.1.1} within_trt >= 0.99`.
    pub expected: String,
    /// The figure it reads (`sr.e2e{sr=4.1.1} within_trt`), when the text has the usual form.
    pub figure: Option<String>,
    /// The threshold, when the text ends in a number.
    pub threshold: Option<f64>,
    /// By point index.
    pub points: BTreeMap<i64, PointOutcome>,
}

impl SweepExpectation {
    /// Splits `FIGURE OP VALUE` into the figure and the threshold.
    pub fn parse(expected: &str) -> (Option<String>, Option<f64>) {
        let mut words = expected.rsplitn(3, ' ');
        let (value, op, figure) = (words.next(), words.next(), words.next());
        match (figure, op, value.and_then(|v| v.parse::<f64>().ok())) {
            (Some(f), Some(op), Some(v)) if ["<", "<=", ">", ">=", "==", "!="].contains(&op) => {
                (Some(f.to_string()), Some(v))
            }
            _ => (None, None),
        }
    }
}

/// Everything the sweep page shows, as read from a results store.
pub struct SweepReport {
    pub scenario: String,
    /// The store's path as given on the command line.
    pub store: String,
    pub scenario_hash: String,
    /// The dccsim version that made the store.
    pub version: String,
    pub runs_ok: usize,
    pub failed: Vec<FailedRun>,
    /// Runs of the sweep missing from the store (gaps in run numbers: a shard's store or an
    /// unfinished sweep); runs after the last recorded one cannot be seen.
    pub runs_missing: usize,
    /// Replications per point (the largest number recorded).
    pub replications: usize,
    pub parameters: Vec<SweptParameter>,
    pub points: Vec<SweepPoint>,
    /// Figures that are end-of-run scalars (the others are told apart by their names).
    pub scalars: BTreeSet<String>,
    /// The scenario's `[[expect]]` entries, in order, with each point's outcome.
    pub expectations: Vec<SweepExpectation>,
}

/// Kinds of figure, in page order, with their section id and heading.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Latency,
    Counter,
    Scalar,
    Gauge,
}

impl Kind {
    fn section(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kind::Latency => (
                "latency",
                "Latency flows",
                "Per flow: the share answered within the TRT, percentiles, mean, extremes and \
                 count of each run, averaged over the replications.",
            ),
            Kind::Counter => ("counters", "Counters", "Totals at the end of each run."),
            Kind::Scalar => (
                "scalars",
                "End-of-run figures",
                "Figures the world computes when a run ends.",
            ),
            Kind::Gauge => (
                "gauges",
                "Gauges at the end",
                "Each gauge's last value in each run.",
            ),
        }
    }
}

/// Latency fields in reading order: compliance and the percentiles a planner looks at first.
const LATENCY_FIELDS: [&str; 10] = [
    "within_trt_all",
    "within_trt",
    "p50_us",
    "p99_us",
    "p999_us",
    "p90_us",
    "mean_us",
    "max_us",
    "min_us",
    "count",
];

/// A figure's kind, metric (the name before a field or `final`) and field rank.
fn classify<'a>(figure: &'a str, scalars: &BTreeSet<String>) -> (Kind, &'a str, usize) {
    if let Some((metric, field)) = figure.rsplit_once(' ') {
        if field == "final" {
            return (Kind::Gauge, metric, 0);
        }
        if let Some(rank) = LATENCY_FIELDS.iter().position(|f| *f == field) {
            return (Kind::Latency, metric, rank);
        }
    }
    let kind = if scalars.contains(figure) {
        Kind::Scalar
    } else {
        Kind::Counter
    };
    (kind, figure, 0)
}

/// A metric base name's figures: metric → `(field rank, figure)` in reading order.
type Metrics<'a> = BTreeMap<&'a str, BTreeMap<&'a str, Vec<(usize, &'a str)>>>;
/// The figures of every point, grouped: kind → metric base name → metric → figures in order.
type Groups<'a> = BTreeMap<Kind, Metrics<'a>>;

fn groups(report: &SweepReport) -> Groups<'_> {
    let mut g: Groups = BTreeMap::new();
    for p in &report.points {
        for figure in p.figures.keys() {
            let (kind, metric, rank) = classify(figure, &report.scalars);
            let figures = g
                .entry(kind)
                .or_default()
                .entry(split_name(metric).0)
                .or_default()
                .entry(metric)
                .or_default();
            if !figures.iter().any(|(_, f)| *f == figure) {
                figures.push((rank, figure));
            }
        }
    }
    for metrics in g.values_mut().flat_map(|b| b.values_mut()) {
        for figures in metrics.values_mut() {
            figures.sort();
        }
    }
    g
}

/// The whole sweep page.
pub fn sweep_html(report: &SweepReport) -> String {
    let mut page = String::new();
    head(
        &mut page,
        &format!("dccsim sweep: {}", report.scenario),
        SWEEP_STYLE,
    );
    header(&mut page, report);
    let groups = groups(report);
    page.push_str(
        "<nav><a href=\"#answer\">Answer</a><a href=\"#parameters\">Swept parameters</a>",
    );
    for kind in groups.keys() {
        let (id, title, _) = kind.section();
        let _ = write!(page, "<a href=\"#{id}\">{title}</a>");
    }
    page.push_str("<a href=\"#runs\">Runs</a></nav>\n");
    answer(&mut page, report);
    parameters(&mut page, report);
    for (kind, bases) in &groups {
        section(&mut page, report, *kind, bases);
    }
    runs(&mut page, report);
    page.push_str("</body>\n</html>\n");
    page
}

/// Extra style of the sweep page (on top of the run page's).
const SWEEP_STYLE: &str = "svg .ci{fill:none;stroke-width:1.2}details.group{margin:.6em 0}\
details.group>summary{cursor:pointer;font-size:1.15em;font-weight:600}\
.keys{font-size:.85em;margin:.2em 0}.keys span.k{margin-right:.9em;white-space:nowrap}\
figure.chart figcaption{max-width:440px}figure.chart figcaption .p{color:#555}\
td.passed{color:#070}td.failed{color:#c00;font-weight:600}td.mixed{color:#a60}";

fn header(page: &mut String, r: &SweepReport) {
    let _ = write!(
        page,
        "<header>\n<h1>{}</h1>\n<p>Sweep results store <code data-store>{}</code> · scenario hash \
         <code data-scenario-hash>{}</code> · made by dccsim {}</p>\n</header>\n\
         <div class=\"cards\">",
        escape(&r.scenario),
        escape(&r.store),
        escape(&r.scenario_hash),
        escape(&r.version)
    );
    let card = |page: &mut String, key: &str, n: usize| {
        let _ = write!(
            page,
            "<div class=\"card\" data-key=\"{key}\" data-value=\"{n}\"><div class=\"v\">{}</div>\
             <div class=\"k\">{key}</div></div>",
            thousands(n as u64)
        );
    };
    card(page, "runs ok", r.runs_ok);
    card(page, "runs failed", r.failed.len());
    card(page, "runs not in this store", r.runs_missing);
    card(page, "sweep points", r.points.len());
    card(page, "replications per point", r.replications);
    page.push_str(
        "</div>\n<p class=\"note\">Each marker is the mean of a point's completed replications; \
         its bar is the 95 % confidence interval (Student's t; none with a single replication). \
         One chart per figure and swept parameter; where other parameters are swept too, one \
         line per value of them (lines are spread a few pixels apart so bars stay visible). \
         Hover a marker for its point and numbers. <code>dccsim report STORE --csv FILE</code> \
         writes the same aggregates as CSV. \"Not in this store\" counts gaps in the run numbers \
         (a shard's store, or a sweep still under way).</p>\n",
    );
}

fn parameters(page: &mut String, r: &SweepReport) {
    page.push_str(
        "<section id=\"parameters\">\n<h2>Swept parameters</h2>\n<table><tr><th>parameter</th>\
         <th>values</th></tr>\n",
    );
    for p in &r.parameters {
        let values: Vec<String> = p.values.iter().map(|v| escape(&v.text)).collect();
        let _ = writeln!(
            page,
            "<tr data-parameter=\"{}\"><td><code>{}</code></td><td><code>{}</code></td></tr>",
            escape(&p.key),
            escape(&p.key),
            values.join(", ")
        );
    }
    let _ = writeln!(
        page,
        "</table>\n<p>{} replications per point, {} points.</p>\n</section>",
        r.replications,
        r.points.len()
    );
}

/// One line per combination of the other parameters' values; a zipped sweep (every such
/// combination holds one point) is one line through all points.
pub(super) fn lines_against<'a>(
    r: &'a SweepReport,
    param: usize,
    figure: &str,
) -> Vec<ChartLine<'a>> {
    lines_by(r, param, |p| p.figures.get(figure))
}

/// Lines against parameter `param` of the estimate `get` finds at each point.
pub(super) fn lines_by<'a>(
    r: &'a SweepReport,
    param: usize,
    get: impl Fn(&'a SweepPoint) -> Option<&'a Estimate>,
) -> Vec<ChartLine<'a>> {
    let numeric = r.parameters[param]
        .values
        .iter()
        .all(|v| v.number.is_some());
    let mut by_others: BTreeMap<Vec<usize>, Vec<&SweepPoint>> = BTreeMap::new();
    for p in &r.points {
        let others: Vec<usize> = (0..p.values.len())
            .filter(|i| *i != param)
            .map(|i| p.values[i])
            .collect();
        by_others.entry(others).or_default().push(p);
    }
    if by_others.len() > 1 && by_others.values().all(|v| v.len() == 1) {
        let all = by_others.into_values().flatten().collect();
        by_others = BTreeMap::from([(Vec::new(), all)]);
    }
    let lines = by_others.into_iter().map(|(others, points)| {
        let label: Vec<String> = (0..r.parameters.len())
            .filter(|i| *i != param)
            .zip(&others)
            .map(|(i, v)| {
                format!(
                    "{}={}",
                    r.parameters[i].key, r.parameters[i].values[*v].text
                )
            })
            .collect();
        let mut points: Vec<ChartPoint> = points
            .into_iter()
            .filter_map(|p| {
                let value = &r.parameters[param].values[p.values[param]];
                Some(ChartPoint {
                    x: match value.number {
                        Some(x) if numeric => x,
                        _ => p.values[param] as f64,
                    },
                    point: p.index,
                    label: &p.label,
                    estimate: get(p)?,
                })
            })
            .collect();
        points.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.point.cmp(&b.point)));
        ChartLine {
            label: label.join(" "),
            points,
        }
    });
    lines.filter(|l| !l.points.is_empty()).collect()
}

/// The x axis of a parameter: its values (every one labelled when there are few), or
/// categories in sweep order when a value is not a number.
pub(super) fn axis(p: &SweptParameter) -> XAxis {
    let numbers: Option<Vec<f64>> = p.values.iter().map(|v| v.number).collect();
    match numbers {
        Some(xs) => {
            let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let every = xs.len().div_ceil(12);
            let ticks = p
                .values
                .iter()
                .zip(&xs)
                .step_by(every.max(1))
                .map(|(v, x)| (*x, v.text.clone()))
                .collect();
            XAxis { lo, hi, ticks }
        }
        None => XAxis {
            lo: 0.0,
            hi: p.values.len().saturating_sub(1) as f64,
            ticks: p
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| (i as f64, v.text.clone()))
                .collect(),
        },
    }
}

/// The colour key of the lines against each parameter (the same for every chart in a group).
pub(super) fn keys(page: &mut String, r: &SweepReport, figure: &str) {
    for (i, p) in r.parameters.iter().enumerate() {
        let lines = lines_against(r, i, figure);
        if lines.len() < 2 {
            continue;
        }
        let _ = write!(
            page,
            "<p class=\"keys\" data-keys-for=\"{}\">Against <code>{}</code>, one line per: ",
            escape(&p.key),
            escape(&p.key)
        );
        for (k, l) in lines.iter().enumerate() {
            let _ = write!(
                page,
                "<span class=\"k\"><span class=\"sw\" style=\"background:{}\"></span>{}</span>",
                PALETTE[k % PALETTE.len()],
                escape(&l.label)
            );
        }
        page.push_str("</p>\n");
    }
}

fn section(page: &mut String, r: &SweepReport, kind: Kind, bases: &Metrics) {
    let (id, title, note) = kind.section();
    let _ = writeln!(
        page,
        "<section id=\"{id}\">\n<h2>{title}</h2>\n<p class=\"note\">{note}</p>"
    );
    let axes: Vec<XAxis> = r.parameters.iter().map(axis).collect();
    let mut bases: Vec<(&&str, _)> = bases.iter().collect();
    // End to end first, as on the run page.
    bases.sort_by(|a, b| cmp_metric(a.0, b.0));
    for (base, metrics) in bases {
        let figures: usize = metrics.values().map(Vec::len).sum();
        // The end-to-end flows, counters and scalars are open; hops, waits and gauges folded.
        let open = match kind {
            Kind::Latency => *base == "sr.e2e",
            Kind::Gauge => false,
            Kind::Counter | Kind::Scalar => true,
        };
        let _ =
            writeln!(
            page,
            "<details class=\"group\" data-group=\"{}\"{}><summary><code>{}</code> — {} {}, {} \
             charts</summary>",
            escape(base),
            if open { " open" } else { "" },
            escape(base),
            metrics.len(),
            if metrics.len() == 1 { "metric" } else { "metrics" },
            figures * r.parameters.len()
        );
        let mut metrics: Vec<(&&str, &Vec<(usize, &str)>)> = metrics.iter().collect();
        metrics.sort_by(|a, b| cmp_metric(a.0, b.0));
        if let Some((_, figs)) = metrics.first() {
            keys(page, r, figs[0].1);
        }
        for (metric, figs) in metrics {
            if kind == Kind::Latency {
                let _ = writeln!(page, "<h3><code>{}</code></h3>", escape(metric));
            }
            page.push_str("<div class=\"charts\">\n");
            for (_, figure) in figs {
                for (i, p) in r.parameters.iter().enumerate() {
                    let lines = lines_against(r, i, figure);
                    let svg = sweep_chart(figure, &p.key, &axes[i], &lines, None);
                    let _ = writeln!(
                        page,
                        "<figure class=\"chart\" data-figure=\"{}\" data-parameter=\"{}\">\
                         <figcaption>{} <span class=\"p\">against {}</span></figcaption>{svg}\
                         </figure>",
                        escape(figure),
                        escape(&p.key),
                        escape(figure),
                        escape(&p.key)
                    );
                }
            }
            page.push_str("</div>\n");
        }
        page.push_str("</details>\n");
    }
    page.push_str("</section>\n");
}

fn runs(page: &mut String, r: &SweepReport) {
    page.push_str(
        "<section id=\"runs\">\n<h2>Runs</h2>\n<table><tr><th class=\"n\">point</th>\
         <th>parameters</th><th class=\"n\">completed runs</th></tr>\n",
    );
    for p in &r.points {
        let n = p.figures.values().map(|e| e.n).max().unwrap_or(0);
        let _ = writeln!(
            page,
            "<tr data-point=\"{}\"><td class=\"n\">{}</td><td><code>{}</code></td>\
             <td class=\"n\">{n}</td></tr>",
            p.index,
            p.index,
            escape(&p.label)
        );
    }
    page.push_str("</table>\n");
    if r.failed.is_empty() {
        page.push_str("<p class=\"note\">No run failed.</p>\n");
    } else {
        page.push_str(
            "<h3>Failed runs</h3>\n<p class=\"note\">Rerunning the sweep into this store retries \
             them.</p>\n<table><tr><th class=\"n\">run</th><th>parameters</th>\
             <th class=\"n\">replication</th><th class=\"n\">seed</th><th>error</th></tr>\n",
        );
        for f in &r.failed {
            let _ = writeln!(
                page,
                "<tr data-failed-run=\"{}\"><td class=\"n\">{}</td><td><code>{}</code></td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                f.run,
                f.run,
                escape(&f.point_label),
                f.replication,
                f.seed,
                escape(&f.error)
            );
        }
        page.push_str("</table>\n");
    }
    page.push_str("</section>\n");
}

#[cfg(test)]
#[path = "sweep_tests.rs"]
mod tests;
