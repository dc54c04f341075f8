//! `timeseries.csv`: every sampled gauge in long format `time_us,series,value`, rows ordered by
//! time then series name, so the file is deterministic and loads straight into pandas or R.

use dccsim_sim::Metrics;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The CSV text of all gauge samples. Series names containing `,` or `"` are quoted (RFC 4180,
/// by the `csv` crate: a field is quoted only when it must be).
pub fn timeseries_csv(m: &Metrics) -> String {
    let series = m.series();
    let names = m.gauge_names();
    let mut by_name: Vec<usize> = (0..names.len()).collect();
    by_name.sort_by(|&a, &b| names[a].cmp(&names[b]));
    // Samples are taken in time order; a stable sort keeps that true even if they were not.
    let mut instants: Vec<usize> = (0..series.times.len()).collect();
    instants.sort_by_key(|&i| series.times[i]);

    const IN_MEMORY: &str = "writing CSV to memory cannot fail";
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["time_us", "series", "value"])
        .expect(IN_MEMORY);
    let (mut time, mut value) = (String::new(), String::new());
    for i in instants {
        time.clear();
        let _ = write!(time, "{}", series.times[i]);
        for &g in &by_name {
            if let Some(v) = series.values[g].get(i) {
                value.clear();
                let _ = write!(value, "{v}");
                w.write_record([time.as_str(), names[g].as_str(), value.as_str()])
                    .expect(IN_MEMORY);
            }
        }
    }
    let bytes = w.into_inner().expect(IN_MEMORY);
    String::from_utf8(bytes).expect("CSV of UTF-8 names and numbers is UTF-8")
}

/// One series read back from `timeseries.csv`: sample instants (µs) and values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeriesSamples {
    pub times: Vec<u64>,
    pub values: Vec<i64>,
}

/// Reads the text [`timeseries_csv`] writes, series by name; an error names the 1-based line.
pub fn parse_timeseries_csv(text: &str) -> Result<BTreeMap<String, SeriesSamples>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out: BTreeMap<String, SeriesSamples> = BTreeMap::new();
    let mut record = csv::StringRecord::new();
    let mut header = true;
    loop {
        let start = reader.position().clone();
        let more = reader
            .read_record(&mut record)
            .map_err(|e| match e.position() {
                Some(p) => format!("line {}: {e}", p.line()),
                None => format!("line {}: {e}", start.line()),
            })?;
        if !more {
            break;
        }
        let at = record.position().map_or(start.line(), |p| p.line());
        // The record's own text, for the message (a quoted field may span lines).
        let raw = text
            .get(start.byte() as usize..reader.position().byte() as usize)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r']);
        let bad = |what: &str| format!("line {at}: {what}, found {raw:?}");
        if std::mem::take(&mut header) {
            if at != 1 || record.iter().ne(["time_us", "series", "value"]) {
                return Err("line 1: expected the header `time_us,series,value`".into());
            }
            continue;
        }
        if record.len() != 3 {
            // An opening quote never closed runs to the end of the text as one field.
            return Err(if raw.matches('"').count() % 2 == 1 {
                bad("unterminated quoted series name")
            } else {
                bad("expected `time_us,series,value`")
            });
        }
        let time: u64 = record[0]
            .parse()
            .map_err(|_| bad("time_us is not a whole number of µs"))?;
        let value: i64 = record[2]
            .parse()
            .map_err(|_| bad("value is not an integer"))?;
        let s = out.entry(record[1].to_string()).or_default();
        if s.times.last().is_some_and(|&last| last > time) {
            return Err(bad("samples of a series must be in time order"));
        }
        s.times.push(time);
        s.values.push(value);
    }
    if header {
        return Err("line 1: expected the header `time_us,series,value`".into());
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
