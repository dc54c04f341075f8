//! The report's two kinds of chart, as inline SVG: a latency flow's percentile distribution in
//! the HdrHistogram style, and a group of time series.

use super::downsample::envelope;
use super::svg::Svg;
use crate::hgrm::PercentileRow;
use crate::table::{human_duration, thousands};

/// Colours for lines of one chart, in legend order (cycled when there are more series).
pub const PALETTE: [&str; 10] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#7f7f7f", "#bcbd22",
];

/// Plot area margins, px: left, right, top, bottom.
const MARGIN: (f64, f64, f64, f64) = (72.0, 28.0, 12.0, 44.0);

/// A chart's frame: its size and the plot area inside the margins.
pub(super) struct Frame {
    pub(super) width: u32,
    pub(super) height: u32,
}

impl Frame {
    pub(super) fn left(&self) -> f64 {
        MARGIN.0
    }
    pub(super) fn right(&self) -> f64 {
        f64::from(self.width) - MARGIN.1
    }
    pub(super) fn top(&self) -> f64 {
        MARGIN.2
    }
    pub(super) fn bottom(&self) -> f64 {
        f64::from(self.height) - MARGIN.3
    }
    /// Pixel x of a fraction 0..=1 of the plot width.
    pub(super) fn x(&self, f: f64) -> f64 {
        self.left() + f * (self.right() - self.left())
    }
    /// Pixel y of a fraction 0..=1 of the plot height (0 at the bottom).
    pub(super) fn y(&self, f: f64) -> f64 {
        self.bottom() - f * (self.bottom() - self.top())
    }

    /// Background, plot border and the two axis titles.
    pub(super) fn draw(&self, svg: &mut Svg, x_title: &str, y_title: &str) {
        svg.rect(
            (self.left(), self.top()),
            (self.right() - self.left(), self.bottom() - self.top()),
            "plot",
        );
        svg.text(
            (
                (self.left() + self.right()) / 2.0,
                f64::from(self.height) - 6.0,
            ),
            "middle",
            "title",
            x_title,
        );
        svg.vertical_text((14.0, (self.top() + self.bottom()) / 2.0), "title", y_title);
    }

    /// A horizontal grid line with its label at fraction `f` of the height.
    pub(super) fn y_tick(&self, svg: &mut Svg, f: f64, label: &str) {
        let y = self.y(f);
        svg.line((self.left(), y), (self.right(), y), "grid");
        svg.text((self.left() - 6.0, y + 4.0), "end", "tick", label);
    }

    /// A vertical grid line with its label at fraction `f` of the width.
    pub(super) fn x_tick(&self, svg: &mut Svg, f: f64, label: &str) {
        let x = self.x(f);
        svg.line((x, self.top()), (x, self.bottom()), "grid");
        svg.text((x, self.bottom() + 16.0), "middle", "tick", label);
    }
}

/// A 1-2-5 step giving about `target` intervals over `range` (> 0).
pub(super) fn nice_step(range: f64, target: f64) -> f64 {
    let raw = range / target;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let m = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

/// Linear ticks covering `lo..=hi` in whole steps of at least 1 (our values are integers: µs or
/// gauge readings): the axis bounds rounded out to whole steps, and the ticks.
fn linear_ticks(lo: f64, hi: f64) -> (f64, f64, Vec<f64>) {
    let (lo, hi) = if hi > lo { (lo, hi) } else { (lo, lo + 1.0) };
    let step = nice_step(hi - lo, 5.0).max(1.0);
    let a = (lo / step).floor() * step;
    let b = (hi / step).ceil() * step;
    let n = ((b - a) / step).round() as usize;
    let ticks = (0..=n).map(|i| a + i as f64 * step).collect();
    (a, b, ticks)
}

/// The percentile label of decade `k` on the 1/(1−p) axis: 0 → `0%`, 1 → `90%`, 3 → `99.9%`.
fn percentile_label(k: u32) -> String {
    if k == 0 {
        return "0%".to_string();
    }
    let digits = k.saturating_sub(2) as usize;
    let p = 100.0 - 100.0 / 10f64.powi(k as i32);
    format!("{p:.digits$}%")
}

/// The HdrHistogram-style percentile plot of one or more flows (e.g. one SR's regions), each a
/// line in its palette colour: x is 1/(1−p) on a log axis, so 90 %, 99 %, 99.9 % and 99.99 %
/// are evenly spaced; y is latency; the TRT, if any, is a dashed line. Each line's rows come
/// from its flow's `.hgrm`; `None` when no flow has samples.
pub fn percentile_chart(
    title: &str,
    flows: &[(&str, &[PercentileRow])],
    trt_us: Option<u64>,
) -> Option<String> {
    let max_us = flows
        .iter()
        .flat_map(|(_, rows)| rows.iter())
        .map(|r| r.value_us)
        .max()?;
    let frame = Frame {
        width: 460,
        height: 260,
    };
    // Decades of 1/(1−p) shown: up to 99.99 % at least, more when the flow has the samples.
    let finite = |rows: &[PercentileRow]| -> Vec<(f64, u64)> {
        rows.iter()
            .filter(|r| r.quantile < 1.0)
            .map(|r| (1.0 / (1.0 - r.quantile), r.value_us))
            .collect()
    };
    let widest = flows
        .iter()
        .flat_map(|(_, rows)| finite(rows))
        .map(|p| p.0)
        .fold(1.0, f64::max);
    let decades = (widest.log10().ceil() as u32).clamp(4, 7);
    let xf = |x: f64| (x.max(1.0).log10() / f64::from(decades)).min(1.0);
    // At least 1 ms of axis, so a flow of near-zero waits still gets readable ticks.
    let top_us = max_us.max(trt_us.unwrap_or(0)).max(1_000) as f64;
    let (mut svg, yf) = latency_axes(
        &frame,
        top_us,
        &format!("Latency by percentile: {title}"),
        "percentile (log scale of 1/(1−p))",
    );
    for k in 0..=decades {
        frame.x_tick(
            &mut svg,
            f64::from(k) / f64::from(decades),
            &percentile_label(k),
        );
    }
    if let Some(trt) = trt_us {
        let y = frame.y(yf(trt as f64));
        svg.line((frame.left(), y), (frame.right(), y), "trt");
        svg.text(
            (frame.right() - 4.0, y - 4.0),
            "end",
            "trt-label",
            &format!("TRT {}", human_duration(trt)),
        );
    }
    for (i, (flow, rows)) in flows.iter().enumerate() {
        let Some(max_us) = rows.iter().map(|r| r.value_us).max() else {
            continue;
        };
        // Beyond the last finite row every percentile is the maximum: flat to the right edge.
        let mut points: Vec<(f64, f64)> = finite(rows)
            .iter()
            .map(|&(x, us)| (frame.x(xf(x)), frame.y(yf(us as f64))))
            .collect();
        points.push((frame.right(), frame.y(yf(max_us as f64))));
        if points.len() == 1 {
            points.insert(0, (frame.left(), points[0].1));
        }
        svg.polyline_with(
            &points,
            "data",
            PALETTE[i % PALETTE.len()],
            &[("flow", flow.to_string())],
        );
    }
    Some(svg.finish())
}

/// One line of a time-series chart.
pub struct Line<'a> {
    pub times: &'a [u64],
    pub values: &'a [i64],
}

/// Pixel columns a series is reduced to before drawing (min/max envelope per column).
const SERIES_BUCKETS: usize = 600;

/// A chart of one or more time series sharing a y axis, each in its palette colour, from
/// simulated time 0 to `end_us`; long series are drawn as min/max envelopes.
pub fn series_chart(title: &str, lines: &[Line], end_us: u64) -> String {
    let frame = Frame {
        width: 720,
        height: 260,
    };
    let reduced: Vec<Vec<(u64, i64)>> = lines
        .iter()
        .map(|l| envelope(l.times, l.values, SERIES_BUCKETS))
        .collect();
    let all = || reduced.iter().flatten();
    let vmin = all().map(|p| p.1).min().unwrap_or(0).min(0) as f64;
    let vmax = all().map(|p| p.1).max().unwrap_or(0).max(0) as f64;
    let (lo, hi, ticks) = linear_ticks(vmin, vmax);
    let yf = |v: f64| (v - lo) / (hi - lo);
    let t_end = end_us.max(all().map(|p| p.0).max().unwrap_or(0)).max(1) as f64;
    let xf = |t: u64| t as f64 / t_end;

    let mut svg = Svg::new(frame.width, frame.height, &format!("Time series: {title}"));
    frame.draw(&mut svg, "simulated time since start", title);
    for t in &ticks {
        frame.y_tick(&mut svg, yf(*t), &signed_thousands(t.round() as i64));
    }
    let step = time_step(end_us);
    let mut t = 0;
    while t <= end_us {
        frame.x_tick(&mut svg, xf(t), &clock(t));
        t += step;
    }
    for (i, line) in reduced.iter().enumerate() {
        let points: Vec<(f64, f64)> = line
            .iter()
            .map(|&(t, v)| (frame.x(xf(t)), frame.y(yf(v as f64))))
            .collect();
        svg.polyline(&points, "data", PALETTE[i % PALETTE.len()]);
    }
    svg.finish()
}

/// One line of a latency-over-time chart: a flow's percentile per interval, `(interval end µs,
/// latency µs)`, drawn solid (`dashed` false, the median) or dashed (the 99th percentile).
pub struct IntervalLine<'a> {
    pub flow: &'a str,
    pub points: Vec<(u64, u64)>,
    pub dashed: bool,
    /// Palette index (one colour per region).
    pub colour: usize,
}

/// A latency chart's canvas: the frame with `x_title`, a linear latency axis from zero to at
/// least `top_us` with duration ticks, and the function placing a latency on it (0..=1).
fn latency_axes(
    frame: &Frame,
    top_us: f64,
    title: &str,
    x_title: &str,
) -> (Svg, impl Fn(f64) -> f64) {
    let (lo, hi, ticks) = linear_ticks(0.0, top_us);
    let yf = move |us: f64| (us - lo) / (hi - lo);
    let mut svg = Svg::new(frame.width, frame.height, title);
    frame.draw(&mut svg, x_title, "latency");
    for t in &ticks {
        frame.y_tick(&mut svg, yf(*t), &human_duration(t.round() as u64));
    }
    (svg, yf)
}

/// Latency over simulated time, one point per interval of the flows' interval logs (p50 solid,
/// p99 dashed, a colour per flow), with the TRT dashed in red: the evening peak shows as a bump.
pub fn interval_chart(
    title: &str,
    lines: &[IntervalLine],
    end_us: u64,
    trt_us: Option<u64>,
) -> String {
    let frame = Frame {
        width: 720,
        height: 260,
    };
    let top = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .chain(trt_us)
        .max()
        .unwrap_or(0)
        .max(1_000) as f64;
    let xf = |t: u64| t as f64 / end_us.max(1) as f64;
    let (mut svg, yf) = latency_axes(
        &frame,
        top,
        &format!("Latency over time: {title}"),
        "simulated time since start",
    );
    let step = time_step(end_us);
    let mut t = 0;
    while t <= end_us {
        frame.x_tick(&mut svg, xf(t), &clock(t));
        t += step;
    }
    if let Some(trt) = trt_us {
        let y = frame.y(yf(trt as f64));
        svg.line((frame.left(), y), (frame.right(), y), "trt");
        svg.text(
            (frame.right() - 4.0, y - 4.0),
            "end",
            "trt-label",
            &format!("TRT {}", human_duration(trt)),
        );
    }
    for l in lines {
        let points: Vec<(f64, f64)> = l
            .points
            .iter()
            .map(|&(t, v)| (frame.x(xf(t)), frame.y(yf(v as f64))))
            .collect();
        let class = if l.dashed { "data p99" } else { "data" };
        svg.polyline_with(
            &points,
            class,
            PALETTE[l.colour % PALETTE.len()],
            &[
                ("flow", l.flow.to_string()),
                ("percentile", if l.dashed { "99" } else { "50" }.to_string()),
            ],
        );
    }
    svg.finish()
}

/// `-1234` → `-1,234`.
fn signed_thousands(v: i64) -> String {
    let s = thousands(v.unsigned_abs());
    if v < 0 {
        format!("-{s}")
    } else {
        s
    }
}

const MINUTE: u64 = 60_000_000;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// A tick interval giving at most 8 intervals over `0..end_us`.
fn time_step(end_us: u64) -> u64 {
    const STEPS: [u64; 18] = [
        1_000_000,
        5_000_000,
        15_000_000,
        30_000_000,
        MINUTE,
        5 * MINUTE,
        15 * MINUTE,
        30 * MINUTE,
        HOUR,
        2 * HOUR,
        3 * HOUR,
        6 * HOUR,
        12 * HOUR,
        DAY,
        2 * DAY,
        7 * DAY,
        14 * DAY,
        28 * DAY,
    ];
    STEPS
        .into_iter()
        .find(|s| end_us / s <= 8)
        .unwrap_or_else(|| (end_us / 8).div_ceil(DAY).max(1) * DAY)
}

/// Simulated time as a clock: `06:30`, `1d`, `2d 06:00`, `00:00:15` below a minute's resolution.
fn clock(t: u64) -> String {
    let (d, rest) = (t / DAY, t % DAY);
    let (h, m, s) = (rest / HOUR, rest % HOUR / MINUTE, rest % MINUTE / 1_000_000);
    let hm = if s > 0 {
        format!("{h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}")
    };
    match (d, rest) {
        (0, _) => hm,
        (_, 0) => format!("{d}d"),
        _ => format!("{d}d {hm}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(value_us: u64, quantile: f64) -> PercentileRow {
        PercentileRow { value_us, quantile }
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(nice_step(10.0, 5.0), 2.0);
        assert_eq!(nice_step(31_000_000.0, 5.0), 10_000_000.0);
        let (lo, hi, t) = linear_ticks(0.0, 31_000_000.0);
        assert_eq!((lo, hi), (0.0, 40_000_000.0));
        assert_eq!(t.len(), 5);
        let (lo, hi, t) = linear_ticks(-3.0, 7.0);
        assert_eq!((lo, hi), (-4.0, 8.0));
        assert_eq!(t.first(), Some(&-4.0));
        // A flat series still gets an axis; integer data gets integer ticks.
        let (lo, hi, t) = linear_ticks(0.0, 0.0);
        assert_eq!((lo, hi), (0.0, 1.0));
        assert_eq!(t, [0.0, 1.0]);
    }

    #[test]
    fn percentile_axis_labels() {
        let labels: Vec<String> = (0..=5).map(percentile_label).collect();
        assert_eq!(labels, ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"]);
    }

    #[test]
    fn time_axis() {
        assert_eq!(time_step(DAY), 3 * HOUR);
        assert_eq!(time_step(2 * HOUR), 15 * MINUTE);
        assert_eq!(time_step(7 * DAY), DAY);
        assert_eq!(clock(0), "00:00");
        assert_eq!(clock(6 * HOUR + 30 * MINUTE), "06:30");
        assert_eq!(clock(DAY), "1d");
        assert_eq!(clock(2 * DAY + 6 * HOUR), "2d 06:00");
        assert_eq!(clock(15_000_000), "00:00:15");
    }

    #[test]
    fn percentile_chart_marks_trt_and_spaces_decades_evenly() {
        let rows = [
            row(100_000, 0.0),
            row(300_000, 0.5),
            row(500_000, 0.9),
            row(900_000, 0.99),
            row(31_000_000, 1.0),
        ];
        let svg = percentile_chart("f", &[("f", &rows)], Some(30_000_000)).unwrap();
        for label in ["0%", "90%", "99%", "99.9%", "99.99%"] {
            assert!(svg.contains(&format!(">{label}</text>")), "{label}");
        }
        assert!(svg.contains("class=\"trt\""));
        assert!(svg.contains(">TRT 30.0s</text>"));
        // The 90 % and 99 % rows sit one decade apart: at 1/4 and 2/4 of the plot width.
        let left = MARGIN.0;
        let width = 460.0 - MARGIN.0 - MARGIN.1;
        let pts = svg.split("points=\"").nth(1).unwrap();
        let xs: Vec<f64> = pts
            .split('"')
            .next()
            .unwrap()
            .split(' ')
            .map(|p| p.split(',').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(xs.len(), 5, "four finite rows and the max at the edge");
        assert!((xs[2] - (left + width / 4.0)).abs() < 0.1, "{xs:?}");
        assert!((xs[3] - (left + width / 2.0)).abs() < 0.1, "{xs:?}");
        assert!((xs[4] - (left + width)).abs() < 0.1, "{xs:?}");
        assert!(percentile_chart("empty", &[], None).is_none());
        assert!(percentile_chart("empty", &[("a", &[])], None).is_none());
        // Two flows, two lines in two colours, each named.
        let svg = percentile_chart("g", &[("a", &rows), ("b", &rows)], None).unwrap();
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("data-flow=\"a\"") && svg.contains("data-flow=\"b\""));
    }

    #[test]
    fn a_spike_in_half_a_million_samples_reaches_the_chart() {
        let n = 500_000u64;
        let times: Vec<u64> = (0..n).map(|i| i * 1_000_000).collect();
        let mut values = vec![10i64; n as usize];
        values[123_457] = 5_000;
        let svg = series_chart(
            "q",
            &[Line {
                times: &times,
                values: &values,
            }],
            (n - 1) * 1_000_000,
        );
        let pts = svg
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let ys: Vec<f64> = pts
            .split(' ')
            .map(|p| p.split(',').nth(1).unwrap().parse().unwrap())
            .collect();
        assert!(ys.len() <= 4 * SERIES_BUCKETS, "{} points drawn", ys.len());
        // The axis tops out at 5,000 exactly, so the spike touches the top of the plot.
        assert!(svg.contains(">5,000</text>"));
        let top = ys.iter().copied().fold(f64::MAX, f64::min);
        assert!((top - MARGIN.2).abs() < 0.1, "highest point at y={top}");
    }

    #[test]
    fn series_chart_draws_one_line_per_series() {
        let t = [0, HOUR, 2 * HOUR];
        let a = [0, 5, 3];
        let b = [-2, 1, 1];
        let svg = series_chart(
            "q",
            &[
                Line {
                    times: &t,
                    values: &a,
                },
                Line {
                    times: &t,
                    values: &b,
                },
            ],
            2 * HOUR,
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains(PALETTE[0]) && svg.contains(PALETTE[1]));
        assert!(svg.contains(">-2</text>"), "negative values get an axis");
        assert!(svg.contains(">02:00</text>"));
    }
}
