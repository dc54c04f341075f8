//! Admission: a run starts only if its estimated memory fits what the machine has available (or
//! the `--max-memory` the user gives). The estimate itself is the scenario's
//! [`footprint`]; this module reads the machine and decides.

use crate::error::CliError;
use dccsim_actors::scenario::footprint::{self, bytes_text, count_text, Footprint};
use dccsim_actors::scenario::Scenario;

/// Memory the kernel says can be used without swapping: `MemAvailable` of `/proc/meminfo`
/// (`MemFree` on kernels too old to have it); `None` where there is no `/proc/meminfo`, and then
/// only `--max-memory` limits a run.
pub fn available_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .map(|kb| kb * 1024.0)
    };
    field("MemAvailable:").or_else(|| field("MemFree:"))
}

/// `--max-memory`: a number of bytes with an optional unit (`k`, `M`, `G`, `T`, decimal, or
/// `KiB`, `MiB`, `GiB`, `TiB`, binary; a trailing `B` is optional), e.g. `512M`, `4GiB`.
pub fn parse_size(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = (&t[..split], t[split..].trim());
    let bad = || {
        format!(
            "--max-memory {text}: write a size such as 512M, 4G or 2GiB (units k, M, G, T, or \
             KiB, MiB, GiB, TiB)"
        )
    };
    let n: f64 = number.parse().map_err(|_| bad())?;
    let unit = unit.strip_suffix(['B', 'b']).unwrap_or(unit);
    let scale = match unit {
        "" => 1.0,
        "k" | "K" => 1e3,
        "M" | "m" => 1e6,
        "G" | "g" => 1e9,
        "T" | "t" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(bad()),
    };
    let bytes = n * scale;
    if !bytes.is_finite() || bytes <= 0.0 {
        return Err(bad());
    }
    Ok(bytes)
}

/// The memory a run may use: `--max-memory` if given, else what the machine has available.
pub fn limit(max_memory: Option<&str>) -> Result<Option<(f64, &'static str)>, CliError> {
    match max_memory {
        Some(text) => parse_size(text)
            .map(|b| Some((b, "--max-memory")))
            .map_err(CliError::BadInput),
        None => Ok(available_memory().map(|b| (b, "available memory"))),
    }
}

/// One line saying what a run will cost: `estimate: 1.2 GB memory (…), 3.4 M events`.
pub fn describe(f: &Footprint, runs_at_once: usize) -> String {
    let at_once = if runs_at_once > 1 {
        format!(" per run, {runs_at_once} runs at once")
    } else {
        String::new()
    };
    format!(
        "estimate: {} memory{at_once} (premises {}, queue peak {} requests, {} samples, \
         histograms {}), {} events",
        bytes_text(f.bytes()),
        bytes_text(f.actors_bytes),
        count_text(f.queue_peak),
        count_text(f.samples),
        bytes_text(f.histogram_bytes),
        count_text(f.events),
    )
}

/// Refuses (bad input, exit 2) a run whose estimate, times the runs held at once, exceeds the
/// limit; returns the estimate otherwise.
pub fn admit(
    scenario: &Scenario,
    runs_at_once: usize,
    limit: Option<(f64, &'static str)>,
) -> Result<Footprint, CliError> {
    let f = footprint::estimate(scenario);
    let need = f.bytes() * runs_at_once.max(1) as f64;
    if let Some((have, what)) = limit {
        // A NaN estimate is refused too: it fits nothing.
        if need.is_nan() || need > have {
            let fewer = if runs_at_once > 1 {
                " or fewer --jobs"
            } else {
                ""
            };
            return Err(CliError::BadInput(format!(
                "scenario \"{}\" needs about {} of memory ({}), more than the {} {what}; \
                 refusing to start it. Make it smaller (premises, duration, traffic, a longer \
                 sample_interval{fewer}), or give --max-memory if the estimate is too cautious",
                scenario.name,
                bytes_text(need),
                describe(&f, runs_at_once),
                bytes_text(have),
            )));
        }
    }
    Ok(f)
}

/// Refuses (bad input) `what` when `need` bytes exceed the limit.
pub fn fits(need: f64, limit: Option<(f64, &'static str)>, what: &str) -> Result<(), CliError> {
    match limit {
        Some((have, whose)) if need.is_nan() || need > have => Err(CliError::BadInput(format!(
            "{what} needs about {} of memory, more than the {} {whose}; refusing to start it",
            bytes_text(need),
            bytes_text(have)
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("512M"), Ok(512e6));
        assert_eq!(parse_size("2GiB"), Ok(2.0 * 1024.0 * 1024.0 * 1024.0));
        assert_eq!(parse_size("1000"), Ok(1000.0));
        assert_eq!(parse_size("1.5GB"), Ok(1.5e9));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("3 weeks").is_err());
    }

    #[test]
    fn this_machine_reports_memory() {
        if std::path::Path::new("/proc/meminfo").exists() {
            assert!(available_memory().is_some_and(|b| b > 0.0));
        }
    }
}
