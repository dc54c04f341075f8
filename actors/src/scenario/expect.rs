//! `[[expect]]`: thresholds a run's results must meet (for CI regression scenarios).
//!
//! ```toml
//! [[expect]]
//! metric = "sr.e2e{region=north,sr=4.1.1}"   # a latency flow …
//! field = "p99_us"                           # … and which of its figures
//! op = "<="
//! value = "30s"                              # a duration, since p99_us is a time
//!
//! [[expect]]
//! metric = "sr.rejected{code=E3}"            # a counter: summed over every other label
//! op = "=="
//! value = 0
//! ```
//!
//! A metric pattern `name{k=v,...}` matches every metric called `name` whose labels include
//! all the given ones (any other labels are free); `name` alone matches every label set. The
//! values of all matching metrics are combined (see the README): counters and gauges add up,
//! latency flows are merged before a figure is read.

use super::de::{self, Raw};
use super::reader::{list, number, suggest, Issue, Read};
use crate::config::read::{self, WHAT};
use dccsim_sim::SimDuration;
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// One `[[expect]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    pub metric: MetricPattern,
    /// The latency figure to read; `None` for a counter, gauge, scalar or run figure.
    pub field: Option<LatencyField>,
    pub op: Comparison,
    /// The threshold in the figure's unit (µs for times).
    pub value: f64,
    /// The threshold as written (`"30s"`, `0.99`), for messages.
    pub value_text: String,
}

impl fmt::Display for Expectation {
    /// `sr.e2e{sr=4.1.1} p99_us <= 30s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.metric)?;
        if let Some(field) = self.field {
            write!(f, " {}", field.name())?;
        }
        write!(f, " {} {}", self.op.symbol(), self.value_text)
    }
}

/// `name{k=v,...}`: a metric name and the labels a matching metric must have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricPattern {
    pub name: String,
    /// Sorted by key.
    pub labels: Vec<(String, String)>,
}

/// Every label key the world's metrics carry (`tests/expect.rs` checks that the
/// library's runs write no other): a pattern naming another can match nothing, so it is refused
/// rather than passing vacuously.
pub const LABEL_KEYS: [&str; 26] = [
    "building",
    "campaign",
    "cause",
    "certificate",
    "class",
    "change",
    "code",
    "entry",
    "expires",
    "feeder",
    "from",
    "hop",
    "hubs",
    "kind",
    "model",
    "months",
    "period",
    "policy",
    "reason",
    "region",
    "result",
    "sr",
    "state",
    "status",
    "step",
    "to",
];

impl MetricPattern {
    /// Reads `name` or `name{k=v,...}`; every label key must be one the world writes
    /// ([`LABEL_KEYS`]).
    pub fn parse(text: &str) -> Result<MetricPattern, String> {
        let text = text.trim();
        let (name, labels) = match text.split_once('{') {
            None => (text, None),
            Some((name, rest)) => {
                let inner = rest
                    .strip_suffix('}')
                    .ok_or_else(|| format!("`{text}` opens `{{` but does not end with `}}`"))?;
                (name, Some(inner))
            }
        };
        let valid = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-:/".contains(c))
        };
        if !valid(name) {
            return Err(format!(
                "`{text}` is not a metric name; write e.g. sr.completed or \
                 sr.e2e{{region=north,sr=4.1.1}}"
            ));
        }
        let mut pairs = Vec::new();
        for pair in labels.into_iter().flat_map(|l| l.split(',')) {
            let (k, v) = pair
                .split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .filter(|(k, v)| valid(k) && valid(v))
                .ok_or_else(|| {
                    format!("label `{pair}` in `{text}` must be written key=value, e.g. sr=4.1.1")
                })?;
            if pairs.iter().any(|(q, _): &(String, String)| q == k) {
                return Err(format!("label `{k}` is given twice in `{text}`"));
            }
            pairs.push((k.to_string(), v.to_string()));
        }
        for (k, _) in &pairs {
            let k = k.as_str();
            if !LABEL_KEYS.contains(&k) {
                let hint = match crate::config::read::suggest(k, &LABEL_KEYS) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("metrics carry the labels {}", LABEL_KEYS.join(", ")),
                };
                return Err(format!(
                        "no metric has the label `{k}` (in `{text}`), so it would match nothing; {hint}"
                    ));
            }
        }
        pairs.sort();
        Ok(MetricPattern {
            name: name.to_string(),
            labels: pairs,
        })
    }

    /// Whether the metric called `full` (`name{k=v,...}`) matches.
    pub fn matches(&self, full: &str) -> bool {
        let (name, labels) = match full.split_once('{') {
            Some((n, rest)) => (n, rest.strip_suffix('}').unwrap_or(rest)),
            None => (full, ""),
        };
        name == self.name
            && self.labels.iter().all(|(k, v)| {
                labels
                    .split(',')
                    .filter_map(|p| p.split_once('='))
                    .any(|(lk, lv)| lk == k && lv == v)
            })
    }
}

impl fmt::Display for MetricPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if !self.labels.is_empty() {
            let labels: Vec<String> = self
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            write!(f, "{{{}}}", labels.join(","))?;
        }
        Ok(())
    }
}

/// A figure of a latency flow, named as in `summary.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LatencyField {
    Count,
    MinUs,
    MeanUs,
    P50Us,
    P90Us,
    P99Us,
    P999Us,
    MaxUs,
    /// Share of completed requests within the flow's Target Response Time, 0..=1.
    WithinTrt,
    /// Share within the TRT counting requests still in flight at the end and already past it
    /// as misses, 0..=1: the figure that stays honest when the DCC is saturated.
    WithinTrtAll,
}

impl LatencyField {
    pub const ALL: [LatencyField; 10] = [
        LatencyField::Count,
        LatencyField::MinUs,
        LatencyField::MeanUs,
        LatencyField::P50Us,
        LatencyField::P90Us,
        LatencyField::P99Us,
        LatencyField::P999Us,
        LatencyField::MaxUs,
        LatencyField::WithinTrt,
        LatencyField::WithinTrtAll,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LatencyField::Count => "count",
            LatencyField::MinUs => "min_us",
            LatencyField::MeanUs => "mean_us",
            LatencyField::P50Us => "p50_us",
            LatencyField::P90Us => "p90_us",
            LatencyField::P99Us => "p99_us",
            LatencyField::P999Us => "p999_us",
            LatencyField::MaxUs => "max_us",
            LatencyField::WithinTrt => "within_trt",
            LatencyField::WithinTrtAll => "within_trt_all",
        }
    }

    pub fn from_name(name: &str) -> Option<LatencyField> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// A time in microseconds (thresholds are written with units).
    pub fn is_time(self) -> bool {
        self.name().ends_with("_us")
    }
}

/// How a figure is compared with the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
}

impl Comparison {
    const ALL: [Comparison; 6] = [
        Comparison::Less,
        Comparison::LessOrEqual,
        Comparison::Greater,
        Comparison::GreaterOrEqual,
        Comparison::Equal,
        Comparison::NotEqual,
    ];

    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
            Comparison::Equal => "==",
            Comparison::NotEqual => "!=",
        }
    }

    /// Whether `actual OP threshold` holds.
    pub fn holds(self, actual: f64, threshold: f64) -> bool {
        match self {
            Comparison::Less => actual < threshold,
            Comparison::LessOrEqual => actual <= threshold,
            Comparison::Greater => actual > threshold,
            Comparison::GreaterOrEqual => actual >= threshold,
            Comparison::Equal => actual == threshold,
            Comparison::NotEqual => actual != threshold,
        }
    }
}

/// `[[expect]]` as written; `value`'s reading depends on `field`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(deserialize_with = "metric")]
    metric: MetricPattern,
    #[serde(default, deserialize_with = "field")]
    field: Option<LatencyField>,
    #[serde(deserialize_with = "op")]
    op: Comparison,
    value: Raw,
}

fn metric<'de, D: Deserializer<'de>>(d: D) -> Result<MetricPattern, D::Error> {
    let text = String::deserialize(d)?;
    MetricPattern::parse(&text).map_err(|m| read::error(format_args!("{WHAT}: {m}")))
}

fn field<'de, D: Deserializer<'de>>(d: D) -> Result<Option<LatencyField>, D::Error> {
    let names: Vec<&str> = LatencyField::ALL.iter().map(|f| f.name()).collect();
    read::one_of(d, "latency figure", &names, LatencyField::from_name).map(Some)
}

fn op<'de, D: Deserializer<'de>>(d: D) -> Result<Comparison, D::Error> {
    let text = String::deserialize(d)?;
    Comparison::ALL
        .into_iter()
        .find(|c| c.symbol() == text.trim())
        .ok_or_else(|| {
            let symbols: Vec<String> = Comparison::ALL
                .iter()
                .map(|c| format!("\"{}\"", c.symbol()))
                .collect();
            read::error(format_args!(
                "{WHAT}: unknown comparison \"{text}\"; use {}",
                list(&symbols, "or")
            ))
        })
}

/// Every `[[expect]]` (none if absent), for `#[serde(deserialize_with)]`.
pub(crate) fn entries<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Expectation>, D::Error> {
    struct Entries;
    impl<'de> Visitor<'de> for Entries {
        type Value = Vec<Expectation>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list in square brackets")
        }
        fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(read::error(
                "`expect` must be written [[expect]] (double brackets), one per expectation",
            ))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = seq.next_element::<Entry>()? {
                out.push(expectation(entry).map_err(de::raise)?);
            }
            Ok(out)
        }
    }
    d.deserialize_any(Entries)
}

fn expectation(e: Entry) -> Read<Expectation> {
    let (value, value_text) = threshold(&e.value, e.field)?;
    Ok(Expectation {
        metric: e.metric,
        field: e.field,
        op: e.op,
        value,
        value_text,
    })
}

/// The threshold: a duration for time figures, a share for `within_trt`, a number otherwise.
fn threshold(v: &Raw, field: Option<LatencyField>) -> Read<(f64, String)> {
    match field {
        Some(lf) if lf.is_time() => {
            let d: SimDuration = de::read_raw(v, read::duration)?;
            Ok((d.as_micros() as f64, d.to_string()))
        }
        Some(LatencyField::WithinTrt | LatencyField::WithinTrtAll) => {
            let x = de::read_raw(v, read::share)?;
            Ok((x, number(x)))
        }
        _ => {
            if let toml::Value::String(s) = &v.value {
                if s.parse::<SimDuration>().is_ok() {
                    return Err(Issue::at(
                        &v.path,
                        format!(
                            "{} is a duration, but only latency figures (field = \"p99_us\" …) \
                             are times; a counter, gauge or scalar takes a plain number",
                            de::what_of(&v.path)
                        ),
                    ));
                }
            }
            let x = de::read_raw(v, read::number)?;
            Ok((x, number(x)))
        }
    }
}

/// An expectation file (`dccsim run --expect FILE`): `[[expect]]` entries and optional `sets`,
/// overrides applied before the command line's (to shrink a library scenario for CI).
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectationFile {
    pub sets: Vec<String>,
    pub expect: Vec<Expectation>,
}

impl<'de> Deserialize<'de> for ExpectationFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(FileVisitor)
    }
}

struct FileVisitor;

impl<'de> Visitor<'de> for FileVisitor {
    type Value = ExpectationFile;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut file = ExpectationFile {
            sets: Vec::new(),
            expect: Vec::new(),
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "sets" => file.sets = map.next_value::<Sets>()?.0,
                "expect" => file.expect = map.next_value::<Expectations>()?.0,
                _ => {
                    let message = match suggest(&key, &["sets", "expect"]) {
                        Some(near) => format!("unknown key `{key}`; did you mean `{near}`?"),
                        None => format!(
                            "unknown table or key `{key}`; an expectation file has only `sets` \
                             (a list of \"KEY=VALUE\" overrides) and [[expect]] entries"
                        ),
                    };
                    return Err(read::on_key(&key, message));
                }
            }
        }
        if file.expect.is_empty() {
            return Err(read::error(
                "the expectation file has no [[expect]]; add at least one",
            ));
        }
        Ok(file)
    }
}

/// `sets = ["KEY=VALUE", …]`.
struct Sets(Vec<String>);

impl<'de> Deserialize<'de> for Sets {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct List;
        impl<'de> Visitor<'de> for List {
            type Value = Vec<String>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list in square brackets")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element()? {
                    out.push(s);
                }
                Ok(out)
            }
        }
        d.deserialize_any(List).map(Sets)
    }
}

/// `[[expect]]` read by [`entries`].
struct Expectations(Vec<Expectation>);

impl<'de> Deserialize<'de> for Expectations {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        entries(d).map(Expectations)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_no_metric_carries_is_refused_with_the_nearest() {
        let e = MetricPattern::parse("sr.rejected{cod=E3}").unwrap_err();
        assert!(
            e.contains("`cod`") && e.contains("did you mean `code`?"),
            "{e}"
        );
        let e = MetricPattern::parse("sr.e2e{zzz=1}").unwrap_err();
        assert!(e.contains("metrics carry the labels building,"), "{e}");
    }

    #[test]
    fn patterns_match_any_other_labels() {
        let p = MetricPattern::parse("sr.rejected{code=E5}").unwrap();
        assert!(p.matches("sr.rejected{code=E5,sr=4.1.1}"));
        assert!(p.matches("sr.rejected{code=E5}"));
        assert!(!p.matches("sr.rejected{code=E19,sr=4.1.1}"));
        assert!(!p.matches("sr.rejected_x{code=E5}"));
        let all = MetricPattern::parse("sr.requested").unwrap();
        assert!(all.matches("sr.requested{region=north,sr=4.1.1}"));
        assert!(all.matches("sr.requested"));
        let two = MetricPattern::parse("sr.e2e{sr=4.1.1, region=north}").unwrap();
        assert_eq!(two.to_string(), "sr.e2e{region=north,sr=4.1.1}");
        assert!(two.matches("sr.e2e{region=north,sr=4.1.1}"));
        assert!(!two.matches("sr.e2e{region=south,sr=4.1.1}"));
    }

    #[test]
    fn malformed_patterns_are_explained() {
        assert!(MetricPattern::parse("sr.e2e{sr=4.1.1")
            .unwrap_err()
            .contains("does not end"));
        assert!(MetricPattern::parse("sr.e2e{sr}")
            .unwrap_err()
            .contains("key=value"));
        assert!(MetricPattern::parse("{sr=1}")
            .unwrap_err()
            .contains("not a metric name"));
        assert!(MetricPattern::parse("a{k=1,k=2}")
            .unwrap_err()
            .contains("twice"));
    }

    #[test]
    fn comparisons_hold_as_written() {
        assert!(Comparison::LessOrEqual.holds(1.0, 1.0));
        assert!(!Comparison::Less.holds(1.0, 1.0));
        assert!(Comparison::Greater.holds(2.0, 1.0));
        assert!(Comparison::NotEqual.holds(2.0, 1.0));
        assert!(Comparison::Equal.holds(0.0, 0.0));
        assert!(Comparison::GreaterOrEqual.holds(1.0, 1.0));
    }
}
