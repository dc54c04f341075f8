//! `timeseries.csv`: every sampled gauge in long format `time_us,series,value`, rows ordered by
//! time then series name, so the file is deterministic and loads straight into pandas or R.

use dccsim_sim::Metrics;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The CSV text of all gauge samples. Series names containing `,` or `"` are quoted (RFC 4180).
pub fn timeseries_csv(m: &Metrics) -> String {
    let series = m.series();
    let names = m.gauge_names();
    let mut by_name: Vec<usize> = (0..names.len()).collect();
    by_name.sort_by(|&a, &b| names[a].cmp(&names[b]));
    let quoted: Vec<String> = names.iter().map(|n| csv_field(n)).collect();
    // Samples are taken in time order; a stable sort keeps that true even if they were not.
    let mut instants: Vec<usize> = (0..series.times.len()).collect();
    instants.sort_by_key(|&i| series.times[i]);

    let mut out = String::from("time_us,series,value\n");
    for i in instants {
        let t = series.times[i];
        for &g in &by_name {
            if let Some(v) = series.values[g].get(i) {
                let _ = writeln!(out, "{t},{},{v}", quoted[g]);
            }
        }
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One series read back from `timeseries.csv`: sample instants (µs) and values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeriesSamples {
    pub times: Vec<u64>,
    pub values: Vec<i64>,
}

/// Reads the text [`timeseries_csv`] writes, series by name; an error names the 1-based line.
pub fn parse_timeseries_csv(text: &str) -> Result<BTreeMap<String, SeriesSamples>, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, "time_us,series,value")) => {}
        _ => return Err("line 1: expected the header `time_us,series,value`".into()),
    }
    let mut out: BTreeMap<String, SeriesSamples> = BTreeMap::new();
    for (i, line) in lines {
        let at = i + 1;
        let bad = |what: &str| format!("line {at}: {what}, found {line:?}");
        let (time, rest) = line
            .split_once(',')
            .ok_or_else(|| bad("expected `time_us,series,value`"))?;
        let (name, value) = match rest.strip_prefix('"') {
            Some(quoted) => {
                // A quoted field ends at a `"` not doubled; `""` stands for one `"`.
                let mut name = String::new();
                let mut chars = quoted.char_indices();
                let mut end = None;
                while let Some((j, c)) = chars.next() {
                    if c == '"' {
                        if quoted[j + 1..].starts_with('"') {
                            name.push('"');
                            chars.next();
                        } else {
                            end = Some(j + 1);
                            break;
                        }
                    } else {
                        name.push(c);
                    }
                }
                let after = &quoted[end.ok_or_else(|| bad("unterminated quoted series name"))?..];
                let value = after
                    .strip_prefix(',')
                    .ok_or_else(|| bad("expected `,` after the quoted series name"))?;
                (name, value)
            }
            None => {
                let (name, value) = rest
                    .rsplit_once(',')
                    .ok_or_else(|| bad("expected `time_us,series,value`"))?;
                (name.to_string(), value)
            }
        };
        let time: u64 = time
            .parse()
            .map_err(|_| bad("time_us is not a whole number of µs"))?;
        let value: i64 = value.parse().map_err(|_| bad("value is not an integer"))?;
        let s = out.entry(name).or_default();
        if s.times.last().is_some_and(|&last| last > time) {
            return Err(bad("samples of a series must be in time order"));
        }
        s.times.push(time);
        s.values.push(value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil;

    #[test]
    fn rows_by_time_then_name() {
        let m = testutil::metrics();
        assert_eq!(
            timeseries_csv(&m),
            "time_us,series,value\n\
             0,dsp.queue,0\n\
             0,smi.status{status=Commissioned},1000\n\
             60000000,dsp.queue,5\n\
             60000000,smi.status{status=Commissioned},1000\n\
             120000000,dsp.queue,3\n\
             120000000,smi.status{status=Commissioned},1001\n"
        );
    }

    #[test]
    fn csv_reads_back() {
        let parsed = parse_timeseries_csv(&timeseries_csv(&testutil::metrics())).unwrap();
        assert_eq!(
            parsed.keys().collect::<Vec<_>>(),
            ["dsp.queue", "smi.status{status=Commissioned}"]
        );
        let q = &parsed["dsp.queue"];
        assert_eq!(q.times, [0, 60_000_000, 120_000_000]);
        assert_eq!(q.values, [0, 5, 3]);
        let mut m = Metrics::new();
        let g = m.gauge("q{a=\"x\",b=y}".into());
        m.gauge_set(g, -7);
        m.sample(dccsim_sim::SimTime(180_000_000));
        let parsed = parse_timeseries_csv(&timeseries_csv(&m)).unwrap();
        assert_eq!(parsed["q{a=\"x\",b=y}"].values, [-7]);
    }

    #[test]
    fn malformed_csv_is_located() {
        assert!(parse_timeseries_csv("t,s,v\n")
            .unwrap_err()
            .starts_with("line 1:"));
        let e = parse_timeseries_csv("time_us,series,value\n0,a,1\nx,a,2\n").unwrap_err();
        assert!(e.starts_with("line 3: time_us"), "{e}");
        let e = parse_timeseries_csv("time_us,series,value\n0,\"a,1\n").unwrap_err();
        assert!(e.contains("unterminated"), "{e}");
        let e = parse_timeseries_csv("time_us,series,value\n5,a,1\n0,a,2\n").unwrap_err();
        assert!(e.contains("time order"), "{e}");
    }

    #[test]
    fn names_with_commas_are_quoted() {
        let mut m = Metrics::new();
        let g = m.gauge("q{region=north,sr=4.1.1}".into());
        m.gauge_set(g, -2);
        m.sample(dccsim_sim::SimTime(5));
        assert_eq!(
            timeseries_csv(&m),
            "time_us,series,value\n5,\"q{region=north,sr=4.1.1}\",-2\n"
        );
    }
}
