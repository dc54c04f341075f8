//! `latency/<flow>.hgrm`: HdrHistogram percentile-distribution text, as Java HdrHistogram's
//! `outputPercentileDistribution(out, 5, 1000.0)` writes it, so existing plotters read it.

use hdrhistogram::Histogram;
use std::fmt::Write;

/// Percentile ticks per half distance to 100 %, HdrHistogram's customary 5.
const TICKS_PER_HALF_DISTANCE: u32 = 5;
/// Values are recorded in µs and written in ms.
const VALUE_UNIT_SCALING: f64 = 1000.0;

/// File name for a flow's `.hgrm`: characters outside `[A-Za-z0-9._=-]` become `_`, trailing
/// `_` are dropped, e.g. `sr.e2e{region=north,sr=4.1.1}` → `sr.e2e_region=north_sr=4.1.1.hgrm`.
pub fn hgrm_file_name(flow: &str) -> String {
    format!("{}.hgrm", safe_stem(flow))
}

/// An HdrHistogram interval log (`.hlog`, V2 compressed histograms) of one flow: one line per
/// interval, timestamps in simulated seconds from the start of the run (StartTime and BaseTime 0,
/// so the file is the same on every machine), values in microseconds (max column in ms). Any
/// HdrHistogram log tool (HistogramLogProcessor, hdrhistogram-py, HdrHistogramVisualizer) reads it.
pub fn hlog_text(flow: &str, intervals: &[dccsim_sim::Interval]) -> Vec<u8> {
    use hdrhistogram::serialization::interval_log::IntervalLogWriterBuilder;
    use hdrhistogram::serialization::V2DeflateSerializer;
    use std::time::{Duration, UNIX_EPOCH};
    let mut out = Vec::new();
    let mut serializer = V2DeflateSerializer::new();
    let mut log = IntervalLogWriterBuilder::new()
        .add_comment(&format!(
            "dccsim interval log of {flow}: latency in µs per interval"
        ))
        .with_start_time(UNIX_EPOCH)
        .with_base_time(UNIX_EPOCH)
        .with_max_value_divisor(1000.0)
        .begin_log_with(&mut out, &mut serializer)
        .expect("writing to memory cannot fail");
    let mut h = Histogram::<u64>::new_with_bounds(
        1,
        dccsim_sim::metrics::MAX_TRACKABLE_US,
        dccsim_sim::metrics::SIGNIFICANT_DIGITS,
    )
    .expect("valid histogram bounds");
    for i in intervals {
        h.reset();
        for &(value, count) in &i.buckets {
            h.saturating_record_n(value, count);
        }
        log.write_histogram(
            &h,
            Duration::from_micros(i.start_us),
            Duration::from_micros(i.end_us - i.start_us),
            None,
        )
        .expect("writing to memory cannot fail");
    }
    out
}

/// One interval of an interval log, summarised: its span (µs from the start of the run), its
/// sample count and its median and 99th percentile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntervalStats {
    pub start_us: u64,
    pub end_us: u64,
    pub count: u64,
    pub p50_us: Option<u64>,
    pub p99_us: Option<u64>,
}

/// Reads an interval log as [`hlog_text`] writes it; an error names the 1-based line.
pub fn parse_hlog(text: &[u8]) -> Result<Vec<IntervalStats>, String> {
    use base64::Engine;
    use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
    use hdrhistogram::serialization::Deserializer;
    let mut out = Vec::new();
    let mut deserializer = Deserializer::new();
    for (i, entry) in IntervalLogIterator::new(text).enumerate() {
        let at = |what: String| format!("interval {}: {what}", i + 1);
        let interval = match entry.map_err(|e| at(format!("not an interval log line ({e:?})")))? {
            LogEntry::Interval(h) => h,
            LogEntry::StartTime(_) | LogEntry::BaseTime(_) => continue,
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(interval.encoded_histogram())
            .map_err(|e| at(format!("histogram is not base64 ({e})")))?;
        let h: Histogram<u64> = deserializer
            .deserialize(&mut &bytes[..])
            .map_err(|e| at(format!("histogram does not decode ({e:?})")))?;
        let start_us = interval.start_timestamp().as_micros() as u64;
        let count = h.len();
        out.push(IntervalStats {
            start_us,
            end_us: start_us + interval.duration().as_micros() as u64,
            count,
            p50_us: (count > 0).then(|| h.value_at_quantile(0.5)),
            p99_us: (count > 0).then(|| h.value_at_quantile(0.99)),
        });
    }
    Ok(out)
}

/// The filesystem-safe stem of a flow name (never empty).
pub(crate) fn safe_stem(flow: &str) -> String {
    let mapped: String = flow
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '=' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let stem = mapped.trim_end_matches('_');
    if stem.is_empty() {
        "flow".to_string()
    } else {
        stem.to_string()
    }
}

/// The percentile-distribution text of a latency histogram recorded in µs (values in ms).
pub fn hgrm_text(h: &Histogram<u64>) -> String {
    let digits = usize::from(h.sigfig());
    let mut out = String::new();
    let _ = write!(
        out,
        "{:>12} {:>14} {:>10} {:>14}\n\n",
        "Value", "Percentile", "TotalCount", "1/(1-Percentile)"
    );
    let mut total = 0u64;
    if !h.is_empty() {
        for v in h.iter_quantiles(TICKS_PER_HALF_DISTANCE) {
            total += v.count_since_last_iteration();
            let value = v.value_iterated_to() as f64 / VALUE_UNIT_SCALING;
            let q = v.quantile_iterated_to();
            if q < 1.0 {
                let _ = writeln!(
                    out,
                    "{value:12.digits$} {q:2.12} {total:10} {:14.2}",
                    1.0 / (1.0 - q)
                );
            } else {
                let _ = writeln!(out, "{value:12.digits$} {q:2.12} {total:10}");
            }
        }
    }
    let max = if h.is_empty() { 0 } else { h.max() };
    let _ = writeln!(
        out,
        "#[Mean    = {:12.digits$}, StdDeviation   = {:12.digits$}]",
        h.mean() / VALUE_UNIT_SCALING,
        h.stdev() / VALUE_UNIT_SCALING
    );
    let _ = writeln!(
        out,
        "#[Max     = {:12.digits$}, Total count    = {:12}]",
        max as f64 / VALUE_UNIT_SCALING,
        h.len()
    );
    let _ = writeln!(
        out,
        "#[Buckets = {:12}, SubBuckets     = {:12}]",
        h.buckets(),
        sub_bucket_count(h.sigfig())
    );
    out
}

/// The file stems of flows' `.hgrm` files, for flow names in name order: [`safe_stem`], with
/// `_2`, `_3`, … added where distinct names map to one stem (the later names in order).
pub(crate) fn flow_file_stems(names_in_order: &[&str]) -> Vec<String> {
    debug_assert!(
        names_in_order.windows(2).all(|w| w[0] < w[1]),
        "sorted, distinct"
    );
    let mut used = std::collections::BTreeSet::new();
    names_in_order
        .iter()
        .map(|flow| {
            let stem = safe_stem(flow);
            let mut name = stem.clone();
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = format!("{stem}_{n}");
                n += 1;
            }
            name
        })
        .collect()
}

/// One row of a `.hgrm` percentile distribution, read back from the text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PercentileRow {
    /// Latency at this percentile, µs (the file holds ms to the histogram's precision).
    pub value_us: u64,
    /// The percentile as a fraction, 0..=1.
    pub quantile: f64,
}

/// A `.hgrm` text read back: its rows and the footer's total count.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedHgrm {
    pub rows: Vec<PercentileRow>,
    pub total_count: u64,
}

/// Reads the text [`hgrm_text`] writes; an error names the 1-based line and what is wrong.
pub fn parse_hgrm(text: &str) -> Result<ParsedHgrm, String> {
    let mut rows = Vec::new();
    let mut total_count = None;
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, l))
            if l.split_whitespace().eq([
                "Value",
                "Percentile",
                "TotalCount",
                "1/(1-Percentile)",
            ]) => {}
        _ => {
            return Err(
                "line 1: expected the header `Value Percentile TotalCount 1/(1-Percentile)`".into(),
            )
        }
    }
    for (i, line) in lines {
        let at = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("#[") {
            let body = rest
                .strip_suffix(']')
                .ok_or_else(|| format!("line {at}: a footer line ends with `]`"))?;
            for field in body.split(',') {
                if let Some((k, v)) = field.split_once('=') {
                    if k.trim() == "Total count" {
                        let n = v.trim().parse().map_err(|_| {
                            format!(
                                "line {at}: total count {:?} is not a whole number",
                                v.trim()
                            )
                        })?;
                        total_count = Some(n);
                    }
                }
            }
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        let (value_ms, quantile) = match cols.as_slice() {
            [v, q, _, _] | [v, q, _] => (v.parse::<f64>(), q.parse::<f64>()),
            _ => {
                return Err(format!(
                    "line {at}: expected 3 or 4 columns, found {}",
                    cols.len()
                ))
            }
        };
        match (value_ms, quantile) {
            (Ok(v), Ok(q)) if v >= 0.0 && v.is_finite() && (0.0..=1.0).contains(&q) => {
                rows.push(PercentileRow {
                    value_us: (v * VALUE_UNIT_SCALING).round() as u64,
                    quantile: q,
                });
            }
            _ => {
                return Err(format!(
                    "line {at}: expected a value in ms and a percentile between 0 and 1, found {line:?}"
                ))
            }
        }
    }
    let total_count =
        total_count.ok_or_else(|| "no `#[... Total count = N]` footer line".to_string())?;
    Ok(ParsedHgrm { rows, total_count })
}

/// HdrHistogram's sub-bucket count: 2 × 10^digits rounded up to a power of two (2048 for 3).
fn sub_bucket_count(sigfig: u8) -> u64 {
    (2 * 10u64.pow(u32::from(sigfig))).next_power_of_two()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil;

    #[test]
    fn file_names_are_filesystem_safe() {
        assert_eq!(
            hgrm_file_name("sr.e2e{region=north,sr=4.1.1}"),
            "sr.e2e_region=north_sr=4.1.1.hgrm"
        );
        assert_eq!(hgrm_file_name("a/b c"), "a_b_c.hgrm");
        assert_eq!(hgrm_file_name("x{y=é}"), "x_y=.hgrm");
        assert_eq!(hgrm_file_name("{}"), "flow.hgrm");
    }

    #[test]
    fn written_hgrm_reads_back() {
        let m = testutil::metrics();
        let flow = m
            .flows()
            .into_iter()
            .find(|f| f.name == "sr.e2e{region=north,sr=4.1.1}")
            .unwrap();
        let text = hgrm_text(flow.histogram());
        assert!(text.starts_with("       Value     Percentile TotalCount 1/(1-Percentile)\n\n"));
        assert!(text.contains("#[Mean    = "));
        assert!(text.ends_with("#[Buckets =           33, SubBuckets     =         2048]\n"));
        let p = parse_hgrm(&text).unwrap();
        assert_eq!(p.total_count, 6);
        assert!(p.rows.len() > 2);
        for w in p.rows.windows(2) {
            assert!(w[0].value_us <= w[1].value_us, "values non-decreasing");
            assert!(w[0].quantile <= w[1].quantile, "percentiles non-decreasing");
        }
        let last = p.rows.last().unwrap();
        assert_eq!(last.quantile, 1.0);
        assert!(
            last.value_us.abs_diff(31_000_000) < 31_000,
            "max row: {last:?}"
        );
        assert!(p.rows[0].value_us.abs_diff(100_000) < 200, "first row");
    }

    #[test]
    fn empty_histogram_has_header_and_footer_only() {
        let m = testutil::metrics();
        let flow = m
            .flows()
            .into_iter()
            .find(|f| f.name.contains("central"))
            .unwrap();
        let p = parse_hgrm(&hgrm_text(flow.histogram())).unwrap();
        assert!(p.rows.is_empty());
        assert_eq!(p.total_count, 0);
    }

    #[test]
    fn malformed_hgrm_is_located() {
        assert!(parse_hgrm("").unwrap_err().starts_with("line 1:"));
        let head = "Value Percentile TotalCount 1/(1-Percentile)\n\n";
        let e = parse_hgrm(&format!("{head}1.0 abc 3\n")).unwrap_err();
        assert!(e.starts_with("line 3:"), "{e}");
        let e = parse_hgrm(&format!("{head}1.0 0.5 3 2.0 9\n")).unwrap_err();
        assert!(e.contains("3 or 4 columns"), "{e}");
        assert!(parse_hgrm(head).unwrap_err().contains("footer"));
    }
}
