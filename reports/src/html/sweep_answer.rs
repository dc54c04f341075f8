//! The sweep page's first section, and `dccsim report STORE`'s first lines: the sweep's question
//! answered — per expectation, each point passed, failed or mixed, and where along each parameter
//! the threshold is crossed.

use super::escape;
use super::sweep::*;
use super::sweep_chart::{sweep_chart, XAxis};
use crate::estimate::show_figure;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Whether a point passed in every replication, in none, or in some.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    Passed,
    Failed,
    Mixed,
}

pub(super) fn verdict(o: &PointOutcome) -> Verdict {
    if o.passed == o.runs {
        Verdict::Passed
    } else if o.passed == 0 {
        Verdict::Failed
    } else {
        Verdict::Mixed
    }
}

/// Where an expectation's outcome changes along each swept parameter, the others held fixed:
/// `passes at traffic.0.per_premises_per_day=24.0, fails from 30.0 (dsp.workers=1)`. A line
/// that never changes says so once.
pub fn crossings(r: &SweepReport, e: &SweepExpectation) -> Vec<String> {
    let outcomes: Vec<(&SweepPoint, &PointOutcome)> = r
        .points
        .iter()
        .filter_map(|p| e.points.get(&p.index).map(|o| (p, o)))
        .collect();
    if outcomes.is_empty() {
        return vec!["no completed run recorded it".into()];
    }
    if outcomes.iter().all(|(_, o)| verdict(o) == Verdict::Passed) {
        return vec![format!("passes at every point ({})", outcomes.len())];
    }
    if outcomes.iter().all(|(_, o)| verdict(o) == Verdict::Failed) {
        return vec![format!("fails at every point ({})", outcomes.len())];
    }
    let mut out = Vec::new();
    for (i, param) in r.parameters.iter().enumerate() {
        let mut lines: BTreeMap<Vec<usize>, Vec<(&SweepPoint, &PointOutcome)>> = BTreeMap::new();
        for (p, o) in &outcomes {
            let others = (0..p.values.len())
                .filter(|k| *k != i)
                .map(|k| p.values[k])
                .collect();
            lines.entry(others).or_default().push((p, o));
        }
        for (others, mut line) in lines {
            line.sort_by_key(|(p, _)| p.values[i]);
            let fixed: Vec<String> = (0..r.parameters.len())
                .filter(|k| *k != i)
                .zip(&others)
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        r.parameters[k].key, r.parameters[k].values[*v].text
                    )
                })
                .collect();
            let fixed = if fixed.is_empty() {
                String::new()
            } else {
                format!(" ({})", fixed.join(" "))
            };
            for pair in line.windows(2) {
                let ((a, oa), (b, ob)) = (pair[0], pair[1]);
                let (va, vb) = (verdict(oa), verdict(ob));
                if va == vb {
                    continue;
                }
                let word = |v: Verdict, o: &PointOutcome| match v {
                    Verdict::Passed => "passes".to_string(),
                    Verdict::Failed => "fails".to_string(),
                    Verdict::Mixed => format!("passes in {} of {} runs", o.passed, o.runs),
                };
                out.push(format!(
                    "{} {} at {}, {} at {}{fixed}",
                    param.key,
                    word(va, oa),
                    param.values[a.values[i]].text,
                    word(vb, ob),
                    param.values[b.values[i]].text,
                ));
            }
        }
    }
    out
}

/// The sweep's question answered first: each expectation, where it starts to fail, each point's
/// outcome, and the figure against each parameter with the threshold drawn.
pub(super) fn answer(page: &mut String, r: &SweepReport) {
    page.push_str("<section id=\"answer\">\n<h2>The sweep's answer</h2>\n");
    if r.expectations.is_empty() {
        page.push_str(
            "<p class=\"note\">The scenario has no <code>[[expect]]</code>: add one to have the \
             sweep say where a threshold is crossed. Every figure is charted below.</p>\n\
             </section>\n",
        );
        return;
    }
    let axes: Vec<XAxis> = r.parameters.iter().map(axis).collect();
    for (n, e) in r.expectations.iter().enumerate() {
        let _ = writeln!(
            page,
            "<div class=\"expectation\" data-expectation=\"{n}\"><h3><code>{}</code></h3>\n<ul>",
            escape(&e.expected)
        );
        for line in crossings(r, e) {
            let _ = writeln!(page, "<li data-crossing>{}</li>", escape(&line));
        }
        page.push_str(
            "</ul>\n<table><tr><th class=\"n\">point</th><th>parameters</th>\
             <th>outcome</th><th class=\"n\">value (mean ± 95% CI)</th></tr>\n",
        );
        for p in &r.points {
            let Some(o) = e.points.get(&p.index) else {
                continue;
            };
            let v = verdict(o);
            let word = match v {
                Verdict::Passed => "passed",
                Verdict::Failed => "failed",
                Verdict::Mixed => "mixed",
            };
            let value = match (&o.actual, &e.figure) {
                (Some(a), Some(f)) => {
                    let ci = a
                        .half_width
                        .map(|h| format!(" ± {}", show_figure(f, h)))
                        .unwrap_or_default();
                    format!("{}{ci}", show_figure(f, a.mean))
                }
                _ => String::new(),
            };
            let _ = writeln!(
                page,
                "<tr data-point=\"{}\" data-outcome=\"{word}\"><td class=\"n\">{}</td>\
                 <td><code>{}</code></td><td class=\"{word}\">{word} in {} of {} runs</td>\
                 <td class=\"n\">{}</td></tr>",
                p.index,
                p.index,
                escape(&p.label),
                o.passed,
                o.runs,
                escape(&value)
            );
        }
        page.push_str("</table>\n");
        if let Some(figure) = &e.figure {
            page.push_str("<div class=\"charts\">\n");
            for (i, param) in r.parameters.iter().enumerate() {
                let lines = lines_by(r, i, |p| e.points.get(&p.index)?.actual.as_ref());
                if lines.is_empty() {
                    continue;
                }
                let svg = sweep_chart(figure, &param.key, &axes[i], &lines, e.threshold);
                let _ = writeln!(
                    page,
                    "<figure class=\"chart\" data-answer=\"{n}\" data-parameter=\"{}\">\
                     <figcaption>{} <span class=\"p\">against {}</span></figcaption>{svg}\
                     </figure>",
                    escape(&param.key),
                    escape(figure),
                    escape(&param.key)
                );
            }
            page.push_str("</div>\n");
        }
        page.push_str("</div>\n");
    }
    page.push_str("</section>\n");
}
