//! `timeseries.csv`: every sampled gauge in long format `time_us,series,value`, rows ordered by
//! time then series name, so the file is deterministic and loads straight into pandas or R.

use dccsim_sim::Metrics;
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
