//! The terminal table printed after a run: end-to-end latency per SR × region against its TRT,
//! SR totals and refusals by DUIS response code, in human units.

use crate::summary::LatencyStats;
use crate::RunResults;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Plain-text table of the `sr.e2e{region=…,sr=…}` flows plus SR totals and refusals.
pub fn terminal_table(r: &RunResults) -> String {
    let m = r.metrics;
    let stats: Vec<(&str, LatencyStats)> = m
        .flows()
        .into_iter()
        .map(|f| (f.name.as_str(), LatencyStats::of(f)))
        .collect();
    let mut out = table_text(
        stats.iter().map(|(n, s)| (*n, s)),
        m.counters(),
        r.in_flight_at_end,
        r.explain_code,
    );
    out.push_str(&scalar_lines(
        m.scalars().iter().map(|(k, v)| (k.as_str(), Some(*v))),
    ));
    out
}

/// The table from latency statistics and counters by name, as a run computes them or as
/// `summary.json` holds them: one function, so `dccsim report` prints what `dccsim run` printed.
pub(crate) fn table_text<'a>(
    flows: impl IntoIterator<Item = (&'a str, &'a LatencyStats)>,
    counters: impl IntoIterator<Item = (&'a str, u64)>,
    in_flight_at_end: u64,
    explain_code: fn(&str) -> Option<&'static str>,
) -> String {
    let flows: Vec<(&str, &LatencyStats)> = flows.into_iter().collect();
    let mut rows: Vec<(String, String, &LatencyStats)> = flows
        .iter()
        .filter_map(|&(name, stats)| {
            let (base, labels) = split_name(name);
            if base != "sr.e2e" || labels.len() != 2 {
                return None;
            }
            let sr = label(&labels, "sr")?;
            let region = label(&labels, "region")?;
            Some((sr.to_string(), region.to_string(), stats))
        })
        .collect();
    rows.sort_by(|a, b| cmp_sr(&a.0, &b.0).then_with(|| cmp_region(&a.1, &b.1)));

    let header = [
        "SR",
        "region",
        "count",
        "p50",
        "p99",
        "p99.9",
        "max",
        "within TRT",
    ];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|(sr, region, s)| {
            let d = |v: Option<u64>| v.map_or_else(|| "-".to_string(), human_duration);
            [
                sr.clone(),
                region.clone(),
                thousands(s.count),
                d(s.p50_us),
                d(s.p99_us),
                d(s.p999_us),
                d(s.max_us),
                s.within_trt_all.map_or_else(
                    || "-".to_string(),
                    |w| {
                        let late = if s.late_in_flight > 0 { "*" } else { "" };
                        format!("{}{late}", share_down(w))
                    },
                ),
            ]
        })
        .collect();

    let mut out = String::new();
    if cells.is_empty() {
        out.push_str("no end-to-end latency flows (sr.e2e) recorded\n");
    } else {
        let mut widths = header.map(width);
        for row in &cells {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(c));
            }
        }
        let header = header.map(str::to_string);
        for row in std::iter::once(&header).chain(&cells) {
            let mut line = String::new();
            for (i, (c, w)) in row.iter().zip(widths).enumerate() {
                let pad = " ".repeat(w - width(c));
                // Text columns left-aligned, numbers right-aligned.
                if i < 2 {
                    let _ = write!(line, "{c}{pad}  ");
                } else {
                    let _ = write!(line, "{pad}{c}  ");
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }

    let late: u64 = rows.iter().map(|(_, _, s)| s.late_in_flight).sum();
    if late > 0 {
        let _ = writeln!(
            out,
            "* counts {} request(s) still in flight at the end and already past their TRT as \
             misses (summary.json: within_trt_all; within_trt is over completed requests only)",
            thousands(late)
        );
    }

    out.push_str(&by_label(&flows, "sr.class_e2e", "class", "priority class"));
    out.push_str(&by_label(&flows, "sr.user_e2e", "user", "DCC User"));

    let counters: Vec<(&str, u64)> = counters.into_iter().collect();
    let total = |name: &str| -> u64 {
        counters
            .iter()
            .filter(|(k, _)| split_name(k).0 == name)
            .map(|(_, v)| *v)
            .sum()
    };
    let _ = writeln!(
        out,
        "\nSRs: {} requested, {} completed, {} rejected, {} still in flight at end",
        thousands(total("sr.requested")),
        thousands(total("sr.completed")),
        thousands(total("sr.rejected")),
        thousands(in_flight_at_end),
    );

    let mut refusals: BTreeMap<&str, u64> = BTreeMap::new();
    for (name, v) in &counters {
        let (base, labels) = split_name(name);
        if base == "sr.rejected" && *v > 0 {
            if let Some(code) = label(&labels, "code") {
                *refusals.entry(code).or_default() += v;
            }
        }
    }
    if !refusals.is_empty() {
        let cw = refusals.keys().map(|c| width(c)).max().unwrap_or(0);
        let counts: Vec<String> = refusals.values().map(|v| thousands(*v)).collect();
        let nw = counts.iter().map(|c| width(c)).max().unwrap_or(0);
        out.push_str("Refusals by response code:\n");
        for ((code, _), n) in refusals.iter().zip(&counts) {
            let text = explain_code(code).unwrap_or("");
            let _ = writeln!(out, "  {code:<cw$}  {n:>nw$}  {text}");
        }
    }
    out.push_str(&crate::alerts::alert_text(&flows, &counters));
    out
}

/// One line per value of `key` over the flows named `base` (one per SR of that value): completed
/// requests, their share within each SR's TRT, and the worst SR's p99. Empty if there are none.
fn by_label(flows: &[(&str, &LatencyStats)], base: &str, key: &str, what: &str) -> String {
    let mut groups: BTreeMap<&str, (u64, f64, u64)> = BTreeMap::new();
    for (name, s) in flows {
        let (b, labels) = split_name(name);
        let Some(value) = label(&labels, key).filter(|_| b == base) else {
            continue;
        };
        let g = groups.entry(value).or_default();
        g.0 += s.count;
        g.1 += s.within_trt.unwrap_or(0.0) * s.count as f64;
        g.2 = g.2.max(s.p99_us.unwrap_or(0));
    }
    let mut out = String::new();
    if groups.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\nBy {what} ({base}):");
    for (value, (count, within, p99)) in groups {
        let share = if count > 0 {
            share_down(within / count as f64)
        } else {
            "-".to_string()
        };
        let _ = writeln!(
            out,
            "  {key} {value}: {} completed, {share} within TRT, worst p99 {}",
            thousands(count),
            human_duration(p99)
        );
    }
    out
}

/// A duration in µs in human units: `420µs`, `2.5ms`, `850ms`, `3.2s`, `1m12s`, `2h05m`, `3d04h`.
pub fn human_duration(us: u64) -> String {
    if us < 1_000 {
        return format!("{us}µs");
    }
    let tenths_ms = div_round(us, 100);
    if tenths_ms < 100 {
        return format!("{}.{}ms", tenths_ms / 10, tenths_ms % 10);
    }
    let ms = div_round(us, 1_000);
    if ms < 1_000 {
        return format!("{ms}ms");
    }
    let tenths_s = div_round(us, 100_000);
    if tenths_s < 600 {
        return format!("{}.{}s", tenths_s / 10, tenths_s % 10);
    }
    let s = div_round(us, 1_000_000);
    if s < 3_600 {
        return format!("{}m{:02}s", s / 60, s % 60);
    }
    let min = div_round(us, 60_000_000);
    if min < 24 * 60 {
        return format!("{}h{:02}m", min / 60, min % 60);
    }
    let h = div_round(us, 3_600_000_000);
    format!("{}d{:02}h", h / 24, h % 24)
}

fn div_round(n: u64, d: u64) -> u64 {
    n / d + u64::from(n % d >= d - d / 2)
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let first = (digits.len() - 1) % 3 + 1;
    let mut out = digits[..first].to_string();
    for group in digits.as_bytes()[first..].chunks(3) {
        out.push(',');
        out.push_str(std::str::from_utf8(group).expect("ASCII digits"));
    }
    out
}

/// `x` with thousands separators and `decimals` decimals (`60,254.4`).
fn grouped(x: f64, decimals: usize) -> String {
    let text = format!("{:.decimals$}", x.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let sign = if x < 0.0 && text.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        "-"
    } else {
        ""
    };
    let whole = thousands(whole.parse().unwrap_or(0));
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

/// An end-of-run figure in its unit, read from its name: energy for `…_kwh`, a duration for
/// `…minutes…`, a percentage for `…share`, a multiple for `…ratio…`, whole numbers with thousands
/// separators, anything else to three decimals.
pub fn show_scalar(name: &str, v: f64) -> String {
    if !v.is_finite() {
        return "not finite".into();
    }
    let base = split_name(name).0;
    if base.ends_with("_kwh") {
        format!("{} kWh", grouped(v, 1))
    } else if base.contains("minutes") {
        match (v.max(0.0) * 60e6).round() as u64 {
            0 => "0s".into(),
            us => human_duration(us),
        }
    } else if base.ends_with("share") {
        format!("{:.2}%", v * 100.0)
    } else if base.contains("ratio") {
        format!("{v:.3}×")
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        grouped(v, 0)
    } else {
        format!("{v:.3}")
    }
}

/// The "End-of-run figures" block of the terminal: each scalar in its unit; empty without any.
pub fn scalar_lines<'a>(scalars: impl IntoIterator<Item = (&'a str, Option<f64>)>) -> String {
    let rows: Vec<(&str, String)> = scalars
        .into_iter()
        .map(|(name, v)| {
            (
                name,
                v.map_or_else(|| "not finite".into(), |v| show_scalar(name, v)),
            )
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let w = rows.iter().map(|(n, _)| width(n)).max().unwrap_or(0);
    let vw = rows.iter().map(|(_, v)| width(v)).max().unwrap_or(0);
    let mut out = String::from("\nEnd-of-run figures:\n");
    for (name, v) in rows {
        let _ = writeln!(out, "  {name:<w$}  {v:>vw$}");
    }
    out
}

/// Display width in characters (all our cells are single-width).
fn width(s: &str) -> usize {
    s.chars().count()
}

/// Splits `name{k=v,...}` into `name` and its labels.
pub(crate) fn split_name(full: &str) -> (&str, Vec<(&str, &str)>) {
    match full.split_once('{') {
        Some((base, rest)) => {
            let inner = rest.strip_suffix('}').unwrap_or(rest);
            let labels = inner
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .collect();
            (base, labels)
        }
        None => (full, Vec::new()),
    }
}

pub(crate) fn label<'a>(labels: &[(&str, &'a str)], key: &str) -> Option<&'a str> {
    labels.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// SR ids in numeric dotted order: 1.2 < 4.1.1 < 11.2.
pub(crate) fn cmp_sr(a: &str, b: &str) -> Ordering {
    let key = |s: &str| -> Vec<(u64, String)> {
        s.split('.')
            .map(|p| (p.parse().unwrap_or(u64::MAX), p.to_string()))
            .collect()
    };
    key(a).cmp(&key(b))
}

/// Regions north, central, south first (geographic order), any others after by name.
pub(crate) fn cmp_region(a: &str, b: &str) -> Ordering {
    let rank = |r: &str| ["north", "central", "south"].iter().position(|x| *x == r);
    match (rank(a), rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// A share as a percentage with one decimal, rounded down: 99.96 % reads 99.9 %, never 100.0 %.
fn share_down(share: f64) -> String {
    format!("{:.1}%", (share * 1000.0).floor() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_in_their_units() {
        assert_eq!(
            show_scalar("ev.energy_delivered_kwh", 60254.447454312256),
            "60,254.4 kWh"
        );
        assert_eq!(
            show_scalar("feeder.overload_minutes.max", 0.0501174),
            "3.0s"
        );
        assert_eq!(show_scalar("feeder.overload_minutes.total", 90.0), "1h30m");
        assert_eq!(
            show_scalar("feeders.overloaded_share", 0.09090909090909091),
            "9.09%"
        );
        assert_eq!(
            show_scalar("dno.rebound_peak_ratio.max", 1.0426788350556973),
            "1.043×"
        );
        assert_eq!(
            show_scalar("firmware.targeted{campaign=a}", 7198.0),
            "7,198"
        );
        assert_eq!(
            show_scalar("han.max_hubs_per_channel.mean", 2.8117647058823527),
            "2.812"
        );
        assert_eq!(show_scalar("x", f64::NAN), "not finite");
        assert_eq!(grouped(-1234.56, 1), "-1,234.6");
        let lines = scalar_lines([("a_kwh", Some(12.5)), ("b", None)]);
        assert!(lines.contains("End-of-run figures:") && lines.contains("12.5 kWh"));
        assert!(lines.contains("not finite"));
        assert_eq!(scalar_lines([]), "");
    }
    use crate::testutil;
    use dccsim_sim::{Metrics, SimDuration};

    #[test]
    fn human_units() {
        assert_eq!(human_duration(420), "420µs");
        assert_eq!(human_duration(2_500), "2.5ms");
        assert_eq!(human_duration(850_000), "850ms");
        assert_eq!(human_duration(999_600), "1.0s");
        assert_eq!(human_duration(3_200_000), "3.2s");
        assert_eq!(human_duration(59_960_000), "1m00s");
        assert_eq!(human_duration(72_000_000), "1m12s");
        assert_eq!(human_duration(7_500_000_000), "2h05m");
        assert_eq!(human_duration(273_600_000_000), "3d04h");
    }

    #[test]
    fn number_formatting() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn table_rows_totals_and_refusals() {
        let mut m = testutil::metrics();
        let f = m.flow(
            "sr.e2e{region=north,sr=11.2}".into(),
            Some(SimDuration::from_secs(1)),
        );
        m.record(f, SimDuration::from_millis(850));
        m.settle();
        m.flow("sr.e2e{hop=wan,region=north,sr=4.1.1}".into(), None);
        let r = RunResults {
            expectations: &[],
            explain_code: |c| (c == "E5").then_some("Refused: status"),
            scenario: "t",
            seed: 1,
            events: 0,
            sim_end_us: 0,
            in_flight_at_end: 4,
            metrics: &m,
        };
        let t = terminal_table(&r);
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("SR     region   count"), "{t}");
        assert!(lines[1].starts_with("4.1.1  north"), "{t}");
        assert!(lines[2].starts_with("4.1.1  central"), "{t}");
        assert!(lines[3].starts_with("4.1.1  south"), "{t}");
        assert!(lines[4].starts_with("11.2   north"), "{t}");
        assert!(lines[1].ends_with("83.3%"), "{t}");
        assert!(lines[3].ends_with(" -"), "{t}");
        assert!(
            lines[4].contains("850ms") && lines[4].ends_with("100.0%"),
            "{t}"
        );
        assert!(lines[3].contains("1m12s"), "{t}");
        // Columns line up: every row is as wide as the header's last column end.
        let w = width(lines[0]);
        assert!(lines[1..5].iter().all(|l| width(l) == w), "{t}");
        assert!(
            t.contains("SRs: 12 requested, 6 completed, 3 rejected, 4 still in flight at end"),
            "{t}"
        );
        assert!(
            t.contains("Refusals by response code:\n  E5  3  Refused: status\n"),
            "{t}"
        );
        assert!(!t.contains("E4"), "zero refusals are not listed: {t}");
    }

    #[test]
    fn late_requests_in_flight_count_as_misses_and_shares_never_round_up() {
        assert_eq!(share_down(0.99996), "99.9%");
        assert_eq!(share_down(1.0), "100.0%");
        let mut m = testutil::metrics();
        let f = m.flow(
            "sr.e2e{region=north,sr=11.2}".into(),
            Some(SimDuration::from_secs(1)),
        );
        m.record(f, SimDuration::from_millis(850));
        m.set_late_in_flight(f, 3);
        m.settle();
        let r = RunResults {
            expectations: &[],
            explain_code: |_| None,
            scenario: "t",
            seed: 1,
            events: 0,
            sim_end_us: 0,
            in_flight_at_end: 3,
            metrics: &m,
        };
        let t = terminal_table(&r);
        let row = t.lines().find(|l| l.starts_with("11.2")).unwrap();
        // One completed within the TRT, three still travelling past it: 25 %, not 100 %.
        assert!(row.ends_with("25.0%*"), "{t}");
        assert!(t.contains("* counts 3 request(s) still in flight"), "{t}");
    }

    #[test]
    fn no_flows_no_refusals() {
        let m = Metrics::new();
        let r = RunResults {
            expectations: &[],
            explain_code: |_| None,
            scenario: "t",
            seed: 1,
            events: 0,
            sim_end_us: 0,
            in_flight_at_end: 0,
            metrics: &m,
        };
        let t = terminal_table(&r);
        assert!(t.starts_with("no end-to-end latency flows"));
        assert!(!t.contains("Refusals"));
    }
}
