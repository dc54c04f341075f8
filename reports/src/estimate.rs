//! Aggregates across a sweep point's replications: the mean with a 95 % confidence interval
//! (Student's t), and how a figure's value reads (durations for `*_us`, percent for `within_trt`).
//! Shared by `dccsim report STORE` on the terminal, its CSV, and the sweep page.

use crate::table::human_duration;

/// Mean and 95 % confidence half-width of a sample (half-width `None` with fewer than two).
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub n: usize,
    pub mean: f64,
    pub half_width: Option<f64>,
}

impl Estimate {
    /// Values are summed in the order given (run order), so the result is reproducible.
    pub fn of(values: &[f64]) -> Estimate {
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n as f64;
        let half_width = (n >= 2).then(|| {
            let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            t975((n - 1) as f64) * (var / n as f64).sqrt()
        });
        Estimate {
            n,
            mean,
            half_width,
        }
    }
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom (two-sided 95 %), from
/// `statrs`' inverse CDF; `NAN` for `df = 0` (no spread can be estimated from one value).
/// `df` may be fractional (Welch's test gives such degrees of freedom).
pub fn t975(df: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) if df > 0.0 => t.inverse_cdf(0.975),
        _ => f64::NAN,
    }
}

/// A figure's value in its unit: durations for `*_us`, percent for `within_trt`.
pub fn show_figure(figure: &str, x: f64) -> String {
    if figure.ends_with("_us") {
        human_duration(x.max(0.0).round() as u64)
    } else if figure.ends_with("within_trt") || figure.ends_with("within_trt_all") {
        format!("{:.2}%", x * 100.0)
    } else if x.fract() == 0.0 {
        format!("{x}")
    } else {
        format!("{x:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_use_students_t() {
        let e = Estimate::of(&[1.0, 2.0, 3.0]);
        assert_eq!(e.n, 3);
        assert!((e.mean - 2.0).abs() < 1e-12);
        // s = 1, half-width = t(2) · 1/√3.
        assert!((e.half_width.unwrap() - t975(2.0) / 3f64.sqrt()).abs() < 1e-12);
        assert_eq!(Estimate::of(&[5.0]).half_width, None);
        assert_eq!(Estimate::of(&[4.0, 4.0]).half_width, Some(0.0));
    }

    #[test]
    fn t_quantiles_match_the_printed_tables() {
        for (df, table) in [
            (1, 12.706),
            (2, 4.303),
            (10, 2.228),
            (30, 2.042),
            (120, 1.980),
        ] {
            let t = t975(df as f64);
            assert!((t - table).abs() < 5e-4, "df {df}: {t} vs {table}");
        }
        // Beyond any table: approaches the normal quantile 1.95996 from above.
        assert!(t975(100_000.0) > 1.9599 && t975(100_000.0) < 1.9601);
        assert!(t975(0.0).is_nan());
    }

    #[test]
    fn figures_read_in_their_units() {
        assert_eq!(show_figure("sr.e2e{sr=4.1.1} p99_us", 1_500_000.0), "1.5s");
        assert_eq!(show_figure("sr.e2e{sr=4.1.1} within_trt", 0.995), "99.50%");
        assert_eq!(show_figure("sr.requested", 12.0), "12");
        assert_eq!(show_figure("x", 1.23456), "1.235");
    }
}
