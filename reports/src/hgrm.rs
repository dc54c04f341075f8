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

/// HdrHistogram's sub-bucket count: 2 × 10^digits rounded up to a power of two (2048 for 3).
fn sub_bucket_count(sigfig: u8) -> u64 {
    (2 * 10u64.pow(u32::from(sigfig))).next_power_of_two()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil;

    /// A parsed `.hgrm`: `(value_ms, percentile, total_count)` rows and the footer's total count.
    struct Parsed {
        rows: Vec<(f64, f64, u64)>,
        total_count: u64,
        max_ms: f64,
    }

    fn parse(text: &str) -> Parsed {
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
        assert_eq!(
            header,
            ["Value", "Percentile", "TotalCount", "1/(1-Percentile)"]
        );
        assert_eq!(lines.next(), Some(""));
        let mut rows = Vec::new();
        let (mut total_count, mut max_ms) = (None, None);
        for line in lines {
            if let Some(rest) = line.strip_prefix("#[") {
                let body = rest.strip_suffix(']').expect("footer ends with ]");
                for field in body.split(',') {
                    let (k, v) = field.split_once('=').expect("key = value");
                    match k.trim() {
                        "Total count" => total_count = Some(v.trim().parse().unwrap()),
                        "Max" => max_ms = Some(v.trim().parse().unwrap()),
                        _ => {}
                    }
                }
            } else {
                let cols: Vec<&str> = line.split_whitespace().collect();
                assert!(cols.len() == 3 || cols.len() == 4, "row {line:?}");
                rows.push((
                    cols[0].parse().unwrap(),
                    cols[1].parse().unwrap(),
                    cols[2].parse().unwrap(),
                ));
            }
        }
        Parsed {
            rows,
            total_count: total_count.expect("Total count footer"),
            max_ms: max_ms.expect("Max footer"),
        }
    }

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
        let text = hgrm_text(&flow.histogram);
        assert!(text.starts_with("       Value     Percentile TotalCount 1/(1-Percentile)\n\n"));
        assert!(text.contains("#[Mean    = "));
        assert!(text.ends_with("#[Buckets =           33, SubBuckets     =         2048]\n"));
        let p = parse(&text);
        assert_eq!(p.total_count, 6);
        assert!(p.rows.len() > 2);
        for w in p.rows.windows(2) {
            assert!(w[0].0 <= w[1].0, "values non-decreasing");
            assert!(w[0].1 <= w[1].1, "percentiles non-decreasing");
            assert!(w[0].2 <= w[1].2, "counts non-decreasing");
        }
        let last = p.rows.last().unwrap();
        assert_eq!(last.1, 1.0);
        assert_eq!(last.2, 6);
        assert!(
            (last.0 - 31_000.0).abs() < 31.0,
            "max row in ms: {}",
            last.0
        );
        assert!((p.max_ms - 31_000.0).abs() < 31.0);
        assert!((p.rows[0].0 - 100.0).abs() < 0.2, "first row in ms");
    }

    #[test]
    fn empty_histogram_has_header_and_footer_only() {
        let m = testutil::metrics();
        let flow = m
            .flows()
            .into_iter()
            .find(|f| f.name.contains("central"))
            .unwrap();
        let p = parse(&hgrm_text(&flow.histogram));
        assert!(p.rows.is_empty());
        assert_eq!(p.total_count, 0);
        assert_eq!(p.max_ms, 0.0);
    }
}
