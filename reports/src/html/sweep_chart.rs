//! The sweep page's chart: one figure against one swept parameter, a marker at each point's
//! mean across replications with its 95 % confidence bar, one line per value (or combination of
//! values) of the other swept parameters, and an expectation's threshold as a dashed line.
//!
//! Shares within TRT are drawn on a "nines" scale, −log10(1 − share): 90 %, 99 %, 99.9 % and
//! 99.99 % are evenly spaced, so the difference between 99 % and 99.9 % (ten times fewer misses)
//! is as visible as the one between 90 % and 99 %.

use super::chart::{nice_step, Frame, PALETTE};
use super::svg::Svg;
use crate::estimate::{show_figure, Estimate};
use crate::table::human_duration;

/// The x axis: the swept parameter's domain (its values, or category positions 0..n−1 when a
/// value is not a number) and the labelled ticks.
pub struct XAxis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<(f64, String)>,
}

/// One point on a line: its position, the point's index and parameter text, and the estimate.
pub struct ChartPoint<'a> {
    pub x: f64,
    /// The point's index in the sweep.
    pub point: i64,
    /// The whole point, for the tooltip (`dsp.workers=1 traffic.0.per_premises_per_day=6.0`).
    pub label: &'a str,
    pub estimate: &'a Estimate,
}

/// One line: the points sharing the values of the other swept parameters, sorted by x.
pub struct ChartLine<'a> {
    /// What the line holds fixed (`traffic.0.per_premises_per_day=6.0`), empty for the only line.
    pub label: String,
    pub points: Vec<ChartPoint<'a>>,
}

/// Size of a sweep chart, px (two fit side by side on the page).
const WIDTH: u32 = 440;
const HEIGHT: u32 = 240;
/// Share of the plot width kept free at each end, so edge points and their bars stay visible.
const X_PAD: f64 = 0.06;

/// The most nines a share is drawn with (99.999 %); a share of 1 sits there.
const MAX_NINES: f64 = 5.0;

/// Whether `figure` is a share within TRT, drawn on the nines scale.
fn is_share(figure: &str) -> bool {
    figure.ends_with("within_trt") || figure.ends_with("within_trt_all")
}

/// A share as nines: 0.9 → 1, 0.99 → 2, 0.999 → 3 (capped at [`MAX_NINES`]).
pub fn nines(share: f64) -> f64 {
    (-(1.0 - share.min(1.0)).max(10f64.powf(-MAX_NINES)).log10()).max(0.0)
}

/// The chart of `figure` against `parameter`, with `threshold` (an expectation's) drawn.
pub fn sweep_chart(
    figure: &str,
    parameter: &str,
    axis: &XAxis,
    lines: &[ChartLine],
    threshold: Option<f64>,
) -> String {
    let frame = Frame {
        width: WIDTH,
        height: HEIGHT,
    };
    let share = is_share(figure);
    let scale = |v: f64| if share { nines(v) } else { v };
    let ends = lines.iter().flat_map(|l| &l.points).flat_map(|p| {
        let h = p.estimate.half_width.unwrap_or(0.0);
        [scale(p.estimate.mean - h), scale(p.estimate.mean + h)]
    });
    let (lo, hi) = ends
        .chain(threshold.map(scale))
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let (lo, hi, step) = if share {
        // At least one decade, within 0..MAX_NINES (all shares at 100 % sit at the top).
        let lo = if lo.is_finite() {
            lo.floor().clamp(0.0, MAX_NINES - 1.0)
        } else {
            0.0
        };
        let hi = if hi.is_finite() { hi.ceil() } else { 1.0 };
        (lo, hi.max(lo + 1.0).min(MAX_NINES), 1.0)
    } else {
        y_range(lo, hi, figure.ends_with("_us"))
    };
    let yf = |v: f64| (scale(v) - lo) / (hi - lo);
    let span = axis.hi - axis.lo;
    let xf = |x: f64| {
        if span > 0.0 {
            X_PAD + (1.0 - 2.0 * X_PAD) * (x - axis.lo) / span
        } else {
            0.5
        }
    };

    let mut svg = Svg::new(
        frame.width,
        frame.height,
        &format!("{figure} against {parameter}"),
    );
    frame.draw(&mut svg, parameter, y_title(figure));
    let n = ((hi - lo) / step).round() as usize;
    for i in 0..=n {
        let t = lo + i as f64 * step;
        let (at, label) = if share {
            ((t - lo) / (hi - lo), nines_label(t))
        } else {
            (yf(t), tick_label(figure, t, step))
        };
        frame.y_tick(&mut svg, at, &label);
    }
    if let Some(t) = threshold {
        let y = frame.y(yf(t));
        svg.line((frame.left(), y), (frame.right(), y), "trt");
        svg.text(
            (frame.right() - 4.0, y - 4.0),
            "end",
            "trt-label",
            &format!("expected {}", show_figure(figure, t)),
        );
    }
    for (x, label) in &axis.ticks {
        frame.x_tick(&mut svg, xf(*x), label);
    }
    // Lines sharing x positions are spread a few px apart so their bars do not hide each other.
    let dodge = if lines.len() > 1 {
        (24.0 / lines.len() as f64).min(3.0)
    } else {
        0.0
    };
    for (k, line) in lines.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let shift = (k as f64 - (lines.len() - 1) as f64 / 2.0) * dodge;
        let at = |p: &ChartPoint| (frame.x(xf(p.x)) + shift, frame.y(yf(p.estimate.mean)));
        let points: Vec<(f64, f64)> = line.points.iter().map(at).collect();
        if points.len() > 1 {
            svg.polyline_with(&points, "data", colour, &[("line", line.label.clone())]);
        }
        for (p, &(x, y)) in line.points.iter().zip(&points) {
            let e = p.estimate;
            // Attributes are few on purpose: a big sweep has thousands of markers.
            let data = [("point", p.point.to_string()), ("mean", e.mean.to_string())];
            let ci = match e.half_width {
                Some(h) => {
                    svg.error_bar(
                        x,
                        (frame.y(yf(e.mean - h)), frame.y(yf(e.mean + h))),
                        3.0,
                        colour,
                    );
                    format!(" ± {}", show_figure(figure, h))
                }
                None => String::new(),
            };
            let title = format!(
                "{}: {}{ci}, {} runs",
                p.label,
                show_figure(figure, e.mean),
                e.n
            );
            svg.marker((x, y), 3.0, colour, &data, &title);
        }
    }
    svg.finish()
}

/// The y axis bounds and tick step covering `lo..=hi` (no finite value: 0..1); anchored at zero
/// when the values sit near it, so small changes do not look like large ones.
fn y_range(lo: f64, hi: f64, micros: bool) -> (f64, f64, f64) {
    let (mut lo, mut hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    if lo >= 0.0 && lo <= 0.25 * hi {
        lo = 0.0;
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let pad = if hi == 0.0 { 1.0 } else { hi.abs() * 0.1 };
        (lo, hi) = (lo - pad * f64::from(u8::from(lo != 0.0)), hi + pad);
    }
    let step = if micros {
        duration_step(hi - lo)
    } else {
        nice_step(hi - lo, 5.0)
    };
    ((lo / step).floor() * step, (hi / step).ceil() * step, step)
}

/// A tick step for a range of microseconds: 1-2-5 below a second, clock steps (15 s, 1 min,
/// 30 min, 6 h, …) above, giving at most about five intervals.
fn duration_step(range_us: f64) -> f64 {
    const SECONDS: [f64; 18] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
        10800.0, 21600.0, 43200.0, 86400.0,
    ];
    let step = nice_step(range_us, 5.0);
    if step < 1e6 {
        return step;
    }
    SECONDS
        .iter()
        .map(|s| s * 1e6)
        .find(|s| range_us / s <= 6.0)
        .unwrap_or_else(|| (range_us / 5.0 / 86_400e6).ceil() * 86_400e6)
}

/// A tick on the nines scale: 1 → 90%, 2 → 99%, 3 → 99.9%.
fn nines_label(t: f64) -> String {
    let d = (t - 2.0).max(0.0).round() as usize;
    format!("{:.d$}%", (1.0 - 10f64.powf(-t)) * 100.0)
}

/// The y axis title: the latency field or share, else "value".
fn y_title(figure: &str) -> &str {
    match figure.rsplit_once(' ') {
        Some((_, "within_trt")) => "share within TRT (nines)",
        Some((_, "within_trt_all")) => "share within TRT, late in flight as misses (nines)",
        Some((_, "final")) => "final value",
        Some((_, field)) => field,
        None => "value",
    }
}

/// A tick's label in the figure's unit, with as many decimals as the step needs.
fn tick_label(figure: &str, t: f64, step: f64) -> String {
    let decimals = |step: f64| (-step.log10()).ceil().max(0.0) as usize;
    if figure.ends_with("_us") {
        let d = human_duration(t.abs().round() as u64);
        if t < 0.0 {
            format!("-{d}")
        } else {
            d
        }
    } else if figure.ends_with("within_trt") || figure.ends_with("within_trt_all") {
        let d = decimals(step * 100.0);
        format!("{:.d$}%", t * 100.0)
    } else {
        let d = decimals(step);
        format!("{t:.d$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn y_axis_is_round_and_anchored_near_zero() {
        assert_eq!(y_range(3.0, 40.0, false), (0.0, 40.0, 10.0));
        let (lo, hi, step) = y_range(0.642, 0.9991, false);
        assert!(lo <= 0.642 && hi >= 0.9991 && step > 0.0);
        // A constant figure still gets an axis.
        assert_eq!(y_range(0.0, 0.0, false), (0.0, 1.0, 0.2));
        let (lo, hi, _) = y_range(5.0, 5.0, false);
        assert!(lo < 5.0 && hi > 5.0);
        assert_eq!(
            y_range(f64::INFINITY, f64::NEG_INFINITY, false),
            (0.0, 1.0, 0.2)
        );
        // Latencies of hours step in clock units, not in powers of ten of microseconds.
        assert_eq!(
            y_range(0.0, 3.0 * 3600e6, true),
            (0.0, 3.0 * 3600e6, 1800e6)
        );
        assert_eq!(duration_step(200_000.0), 50_000.0);
        assert_eq!(duration_step(100e6), 30e6);
    }

    #[test]
    fn shares_sit_on_a_nines_scale_with_the_threshold() {
        assert!((nines(0.9) - 1.0).abs() < 1e-9 && (nines(0.999) - 3.0).abs() < 1e-9);
        assert_eq!(nines(1.0), MAX_NINES);
        assert_eq!(nines(0.0), 0.0);
        // Every share at 100 %: still a proper axis, no NaN anywhere.
        let full = Estimate::of(&[1.0, 1.0]);
        let axis1 = XAxis {
            lo: 1.0,
            hi: 1.0,
            ticks: vec![(1.0, "1".into())],
        };
        let only = ChartLine {
            label: String::new(),
            points: vec![ChartPoint {
                x: 1.0,
                point: 0,
                label: "w=1",
                estimate: &full,
            }],
        };
        let svg = sweep_chart("f within_trt", "w", &axis1, &[only], Some(0.99));
        assert!(!svg.contains("NaN"), "{svg}");
        assert_eq!(nines_label(2.0), "99%");
        assert_eq!(nines_label(3.0), "99.9%");
        assert_eq!(nines_label(1.0), "90%");
        let (a, b) = (Estimate::of(&[0.99, 0.99]), Estimate::of(&[0.999, 0.999]));
        let axis = XAxis {
            lo: 1.0,
            hi: 2.0,
            ticks: vec![(1.0, "1".into()), (2.0, "2".into())],
        };
        let line = ChartLine {
            label: String::new(),
            points: vec![
                ChartPoint {
                    x: 1.0,
                    point: 0,
                    label: "w=1",
                    estimate: &a,
                },
                ChartPoint {
                    x: 2.0,
                    point: 1,
                    label: "w=2",
                    estimate: &b,
                },
            ],
        };
        let svg = sweep_chart("f within_trt", "w", &axis, &[line], Some(0.995));
        assert!(svg.contains(">99%<") && svg.contains(">99.9%<"), "{svg}");
        assert!(
            svg.contains("class=\"trt\"") && svg.contains("expected 99.50%"),
            "{svg}"
        );
        // 99 % and 99.9 % sit one decade apart: markers at 2 and 3 nines on a 2..3 axis are
        // at the bottom and the top of the plot.
        let cy: Vec<f64> = svg
            .split("<circle cx=\"")
            .skip(1)
            .map(|c| {
                c.split("cy=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect();
        assert!(cy[0] > cy[1] + 80.0, "{cy:?}");
    }

    #[test]
    fn tick_labels_in_units() {
        assert_eq!(tick_label("f p99_us", 2_000_000.0, 1_000_000.0), "2.0s");
        assert_eq!(tick_label("f within_trt", 0.995, 0.005), "99.5%");
        assert_eq!(tick_label("c", 1200.0, 200.0), "1200");
        assert_eq!(tick_label("c", 0.25, 0.05), "0.25");
    }

    #[test]
    fn bars_centre_on_the_means() {
        let (a, b) = (
            Estimate::of(&[10.0, 12.0]),
            Estimate::of(&[20.0, 26.0, 23.0]),
        );
        let axis = XAxis {
            lo: 1.0,
            hi: 2.0,
            ticks: vec![(1.0, "1".into()), (2.0, "2".into())],
        };
        let line = ChartLine {
            label: "k=v".into(),
            points: vec![
                ChartPoint {
                    x: 1.0,
                    point: 0,
                    label: "w=1 k=v",
                    estimate: &a,
                },
                ChartPoint {
                    x: 2.0,
                    point: 1,
                    label: "w=2 k=v",
                    estimate: &b,
                },
            ],
        };
        let svg = sweep_chart("c", "w", &axis, &[line], None);
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(svg.matches("class=\"ci\"").count(), 2);
        assert!(svg.contains("data-line=\"k=v\""));
        assert!(svg.contains("data-mean=\"23\""));
        assert!(svg.contains("<title>w=1 k=v: 11 ± 12.706, 2 runs</title>"));
        for (cy, bar) in svg
            .split("<circle cx=\"")
            .skip(1)
            .map(|c| c.split("cy=\"").nth(1).unwrap())
            .map(|c| c.split('"').next().unwrap().parse::<f64>().unwrap())
            .zip(svg.split("<path d=\"M").skip(1))
        {
            let ys: Vec<f64> = bar
                .split(['M', 'H'])
                .next()
                .unwrap()
                .split([' ', 'V'])
                .skip(1)
                .map(|v| v.parse().unwrap())
                .collect();
            assert!(((ys[0] + ys[1]) / 2.0 - cy).abs() <= 0.1, "{ys:?} vs {cy}");
        }
    }
}
