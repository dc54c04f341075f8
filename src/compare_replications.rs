//! `dccsim compare` on results stores: two sets of replications, figure by figure, with
//! confidence intervals. Two stores are compared point by point (points with the same
//! parameters); `--points I,J` compares point I of the baseline with point J of the current store
//! (or of the baseline store itself).
//!
//! Each figure's difference of means gets a 95 % confidence interval by Welch's t (unequal
//! variances, fractional degrees of freedom). A difference is *significant* when that interval
//! excludes 0; it is a regression (exit 1) when it is significant and also beyond the tolerance
//! that `compare` applies to single runs. At 95 % per figure, about one figure in twenty that did
//! not really change is still called significant: read a lone significant figure with that in
//! mind, and add replications to narrow the intervals.

use crate::cli::CompareArgs;
use crate::compare::{change, is_share, order_key, print_table, show, Rules};
use crate::error::CliError;
use crate::report_store::Point;
use dccsim_reports::{show_figure, t975, Estimate};
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::ExitCode;

fn read_store(path: &Path) -> Result<BTreeMap<i64, Point>, CliError> {
    crate::store::inspect(path)?;
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| CliError::BadInput(format!("{}: {e}", path.display())))?;
    crate::report_store::read(&conn)
        .map_err(|e| CliError::Internal(format!("reading {}: {e}", path.display())))
}

/// `I,J` of `--points`.
fn parse_points(text: &str) -> Result<(i64, i64), CliError> {
    let bad = || CliError::BadInput(format!("--points {text}: write I,J, e.g. --points 0,3"));
    let (i, j) = text.split_once(',').ok_or_else(bad)?;
    Ok((
        i.trim().parse().map_err(|_| bad())?,
        j.trim().parse().map_err(|_| bad())?,
    ))
}

/// The difference of two samples' means (current − baseline) with its 95 % Welch interval.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Welch {
    pub diff: f64,
    pub low: f64,
    pub high: f64,
}

impl Welch {
    /// `None` unless both samples have at least two values.
    pub(crate) fn of(a: &[f64], b: &[f64]) -> Option<Welch> {
        if a.len() < 2 || b.len() < 2 {
            return None;
        }
        let stats = |x: &[f64]| {
            let n = x.len() as f64;
            let mean = x.iter().sum::<f64>() / n;
            let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
            (n, mean, var / n)
        };
        let ((na, ma, sa), (nb, mb, sb)) = (stats(a), stats(b));
        let diff = mb - ma;
        let se2 = sa + sb;
        if se2 == 0.0 {
            // No spread on either side: the difference is exact.
            return Some(Welch {
                diff,
                low: diff,
                high: diff,
            });
        }
        let df = se2 * se2 / (sa * sa / (na - 1.0) + sb * sb / (nb - 1.0));
        let half = t975(df) * se2.sqrt();
        Some(Welch {
            diff,
            low: diff - half,
            high: diff + half,
        })
    }

    pub(crate) fn significant(&self) -> bool {
        self.low > 0.0 || self.high < 0.0
    }
}

/// A mean with its 95 % interval, in the figure's unit.
fn mean_ci(figure: &str, values: &[f64]) -> String {
    let e = Estimate::of(values);
    match e.half_width {
        Some(h) if h > 0.0 => format!("{} ± {}", show(figure, Some(e.mean)), unit(figure, h)),
        _ => show(figure, Some(e.mean)),
    }
}

/// A difference or a half-width in the figure's unit (shares in percentage points).
fn unit(figure: &str, x: f64) -> String {
    if is_share(figure) {
        format!("{:.2} pp", x * 100.0)
    } else if figure.ends_with("_us") {
        let sign = if x < 0.0 { "-" } else { "" };
        format!("{sign}{}", show_figure(figure, x.abs()))
    } else if x.fract() == 0.0 {
        format!("{x}")
    } else {
        format!("{x:.3}")
    }
}

struct Outcome {
    figures: usize,
    regressions: usize,
    significant_within_tolerance: usize,
    too_few: bool,
}

/// Compares one pair of points and prints the figures that differ significantly.
fn compare_pair(rules: &Rules, title: &str, a: &Point, b: &Point) -> Outcome {
    let names: BTreeSet<&String> = a.figures.keys().chain(b.figures.keys()).collect();
    let zeros = |p: &Point| vec![0.0; p.runs];
    let mut flagged = Vec::new();
    let mut within = 0;
    let mut compared = 0;
    for name in &names {
        // A counter or scalar a point never recorded was zero in its runs; a latency figure or
        // a gauge missing on one side cannot be compared.
        let plain = !name.contains(' ');
        let (va, vb) = match (a.figures.get(*name), b.figures.get(*name)) {
            (Some(x), Some(y)) => (x.clone(), y.clone()),
            (Some(x), None) if plain => (x.clone(), zeros(b)),
            (None, Some(y)) if plain => (zeros(a), y.clone()),
            _ => continue,
        };
        let Some(w) = Welch::of(&va, &vb) else {
            continue;
        };
        compared += 1;
        if !w.significant() {
            continue;
        }
        let (ma, mb) = (Estimate::of(&va).mean, Estimate::of(&vb).mean);
        if rules.allows(name, ma, mb) {
            within += 1;
            continue;
        }
        flagged.push((name.to_string(), va, vb, w, ma, mb));
    }
    println!("{title}: {} vs {} replications", a.runs, b.runs);
    let too_few = a.runs < 2 || b.runs < 2;
    if too_few {
        println!("  not compared: each side needs at least 2 replications");
    }
    flagged.sort_by(|x, y| {
        order_key(&x.0, Some(x.4), Some(x.5))
            .partial_cmp(&order_key(&y.0, Some(y.4), Some(y.5)))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| x.0.cmp(&y.0))
    });
    if !flagged.is_empty() {
        let rows: Vec<[String; 5]> = flagged
            .iter()
            .map(|(name, va, vb, w, ma, mb)| {
                [
                    name.clone(),
                    mean_ci(name, va),
                    mean_ci(name, vb),
                    change(name, Some(*ma), Some(*mb)),
                    format!(
                        "{} [{}, {}]",
                        unit(name, w.diff),
                        unit(name, w.low),
                        unit(name, w.high)
                    ),
                ]
            })
            .collect();
        print_table(
            [
                "  significant and beyond tolerance",
                "baseline (95% CI)",
                "current (95% CI)",
                "change",
                "difference [95% CI]",
            ],
            &rows
                .into_iter()
                .map(|mut r| {
                    r[0] = format!("  {}", r[0]);
                    r
                })
                .collect::<Vec<_>>(),
        );
    }
    if !too_few {
        println!(
            "  {} of {compared} figures differ significantly and beyond tolerance; {within} more \
             differ significantly but within tolerance; the rest are not significant",
            flagged.len()
        );
    }
    Outcome {
        figures: compared,
        regressions: flagged.len(),
        significant_within_tolerance: within,
        too_few,
    }
}

pub fn compare(args: &CompareArgs, rules: &Rules) -> Result<ExitCode, CliError> {
    let base = read_store(&args.baseline)?;
    let current = match &args.current {
        Some(path) => read_store(path)?,
        None => base.clone(),
    };
    let pairs: Vec<(String, &Point, &Point)> =
        match &args.points {
            Some(text) => {
                let (i, j) = parse_points(text)?;
                fn get<'s>(
                    store: &'s BTreeMap<i64, Point>,
                    k: i64,
                    which: &str,
                    text: &str,
                ) -> Result<&'s Point, CliError> {
                    store.get(&k).ok_or_else(|| {
                        CliError::BadInput(format!(
                        "--points {text}: the {which} store has no completed point {k} (it has \
                         {})",
                        store.keys().map(i64::to_string).collect::<Vec<_>>().join(", ")
                    ))
                    })
                }
                let (a, b) = (
                    get(&base, i, "baseline", text)?,
                    get(&current, j, "current", text)?,
                );
                vec![(
                    format!("point {i} ({}) → point {j} ({})", a.label, b.label),
                    a,
                    b,
                )]
            }
            None => {
                let by_label: BTreeMap<&str, &Point> =
                    current.values().map(|p| (p.label.as_str(), p)).collect();
                let pairs: Vec<_> = base
                    .iter()
                    .filter_map(|(i, a)| {
                        by_label
                            .get(a.label.as_str())
                            .map(|b| (format!("point {i} ({})", a.label), a, *b))
                    })
                    .collect();
                if pairs.is_empty() {
                    return Err(CliError::BadInput(
                        "the two stores have no point with the same parameters; name the points \
                     to compare with --points I,J"
                            .into(),
                    ));
                }
                pairs
            }
        };
    let mut total = Outcome {
        figures: 0,
        regressions: 0,
        significant_within_tolerance: 0,
        too_few: false,
    };
    for (title, a, b) in &pairs {
        let o = compare_pair(rules, title, a, b);
        total.figures += o.figures;
        total.regressions += o.regressions;
        total.significant_within_tolerance += o.significant_within_tolerance;
        total.too_few |= o.too_few;
    }
    if total.too_few && total.figures == 0 {
        return Err(CliError::BadInput(
            "no figure could be compared: each side needs at least 2 replications (raise \
             sweep.replications)"
                .into(),
        ));
    }
    if total.regressions > 0 {
        Err(CliError::Failed(format!(
            "regression: {} of {} figures differ significantly (95% Welch CI of the difference \
             excludes 0) and beyond tolerance",
            total.regressions, total.figures
        )))
    } else {
        println!(
            "no significant difference beyond tolerance: {} figures compared ({} significant \
             but within tolerance)",
            total.figures, total.significant_within_tolerance
        );
        Ok(ExitCode::SUCCESS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welch_interval_matches_a_hand_computation() {
        // a: mean 2, var 1 (n 3); b: mean 5, var 4 (n 3). se² = 1/3 + 4/3 = 5/3;
        // df = (5/3)² / ((1/3)²/2 + (4/3)²/2) = 25/9 / (17/18) = 2.941...
        let w = Welch::of(&[1.0, 2.0, 3.0], &[3.0, 5.0, 7.0]).unwrap();
        let df = 50.0 / 17.0;
        let half = t975(df) * (5.0f64 / 3.0).sqrt();
        assert!((w.diff - 3.0).abs() < 1e-12);
        assert!((w.low - (3.0 - half)).abs() < 1e-9 && (w.high - (3.0 + half)).abs() < 1e-9);
        assert!(w.significant() == (3.0 - half > 0.0));
        assert!(Welch::of(&[1.0], &[1.0, 2.0]).is_none());
        let exact = Welch::of(&[4.0, 4.0], &[5.0, 5.0]).unwrap();
        assert!(exact.significant());
        assert!(!Welch::of(&[4.0, 4.0], &[4.0, 4.0]).unwrap().significant());
        assert!(!Welch::of(&[1.0, 3.0], &[2.0, 2.5]).unwrap().significant());
    }

    #[test]
    fn points_are_parsed() {
        assert_eq!(parse_points("0,3").unwrap(), (0, 3));
        assert_eq!(parse_points(" 2 , 1 ").unwrap(), (2, 1));
        assert!(parse_points("0").is_err());
        assert!(parse_points("a,b").is_err());
    }
}
