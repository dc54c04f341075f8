//! `[sweep]`: one scenario becomes a campaign of runs — every combination (`grid`) or the
//! parallel lists (`zip`) of some parameters' values, each point replicated with its own seed.
//!
//! ```toml
//! [sweep]
//! combine = "grid"          # or "zip"; default "grid"
//! replications = 3          # runs per point; default 1
//!
//! [[sweep.parameter]]
//! key = "dsp.workers"       # any key a `--set` can name
//! values = [2, 4, 8]
//!
//! [[sweep.parameter]]
//! key = "traffic.2.per_premises_per_day"
//! values = { from = 0.3, to = 1.5, step = 0.3 }   # inclusive range (numbers or durations)
//! ```
//!
//! A point is a list of `KEY=VALUE` overrides applied to the scenario as `--set` would; every
//! point is checked when the scenario loads, so a misspelt key or an impossible value is refused
//! before any run starts.

use super::de::{self, Raw};
use super::reader::{list, number, suggest, Issue, Read, Seg};
use crate::config::read;
use dccsim_sim::SimDuration;
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// Most runs one sweep may expand to (points × replications): a typo in a range should not
/// make a campaign of millions.
pub const MAX_RUNS: usize = 100_000;

/// A count as people read it: whole up to a trillion, then like `about 1.2e300`.
fn count_text(n: f64) -> String {
    if n < 1e12 {
        format!("{n:.0}")
    } else {
        format!("about {n:.1e}")
    }
}

/// Sweeps with at most this many points are validated at every point when they load.
pub const CHECK_ALL_POINTS: usize = 1_000;

/// The `[sweep]` section of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    pub parameters: Vec<SweepParameter>,
    pub combine: Combine,
    /// Runs per point, each with its own seed.
    pub replications: u32,
}

/// One swept key and the values it takes, as TOML text ready for an override.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepParameter {
    /// A key path as `--set` takes it: `dsp.workers`, `trt."4.1.1"`.
    pub key: String,
    /// Each value written as TOML (`4`, `0.6`, `"30s"`).
    pub values: Vec<String>,
}

/// How the parameters' value lists combine into points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Combine {
    /// Every combination; the last parameter varies fastest.
    Grid,
    /// The i-th value of every parameter together; all lists have the same length.
    Zip,
}

/// One point of a sweep: a value for each parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepPoint {
    /// Position in expansion order, from 0.
    pub index: usize,
    /// `(key, value as TOML)` in parameter order.
    pub assignments: Vec<(String, String)>,
}

impl SweepPoint {
    /// The overrides that make this point, `KEY=VALUE` as `--set` takes them.
    pub fn sets(&self) -> Vec<String> {
        self.assignments
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }

    /// A stable name for the point: its overrides joined by spaces (`dsp.workers=4 x=0.6`).
    pub fn label(&self) -> String {
        self.sets().join(" ")
    }
}

/// One run of a sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepRun {
    /// Position in the campaign, from 0 (point-major: all replications of point 0 first).
    pub index: usize,
    pub point: usize,
    /// From 0.
    pub replication: u32,
    pub seed: u64,
}

impl Sweep {
    /// The points in expansion order.
    pub fn points(&self) -> Vec<SweepPoint> {
        let lens: Vec<usize> = self.parameters.iter().map(|p| p.values.len()).collect();
        let count = point_count(self.combine, &lens);
        (0..count)
            .map(|index| {
                let mut rest = index;
                let mut picks = vec![0; lens.len()];
                match self.combine {
                    Combine::Zip => picks.fill(index),
                    Combine::Grid => {
                        for (pick, len) in picks.iter_mut().zip(&lens).rev() {
                            *pick = rest % len;
                            rest /= len;
                        }
                    }
                }
                let assignments = self
                    .parameters
                    .iter()
                    .zip(picks)
                    .map(|(p, i)| (p.key.clone(), p.values[i].clone()))
                    .collect();
                SweepPoint { index, assignments }
            })
            .collect()
    }

    /// The points validated when the scenario loads: all of them up to [`CHECK_ALL_POINTS`];
    /// beyond, each value of each parameter once (the others at their first value).
    pub(crate) fn points_to_check(&self) -> Vec<SweepPoint> {
        let all = self.points();
        // Zip points are not combinations: they are all checked.
        if all.len() <= CHECK_ALL_POINTS || self.combine == Combine::Zip {
            return all;
        }
        let first: Vec<(String, String)> = self
            .parameters
            .iter()
            .map(|p| (p.key.clone(), p.values[0].clone()))
            .collect();
        let mut out = Vec::new();
        for (i, p) in self.parameters.iter().enumerate() {
            for v in &p.values {
                let mut assignments = first.clone();
                assignments[i].1 = v.clone();
                out.push(SweepPoint {
                    index: out.len(),
                    assignments,
                });
            }
        }
        out
    }

    /// Every run: each point × each replication, with seeds derived from `base_seed`.
    pub fn runs(&self, base_seed: u64) -> Vec<SweepRun> {
        let reps = self.replications as usize;
        self.points()
            .iter()
            .flat_map(|p| {
                let label = p.label();
                (0..self.replications).map(move |r| SweepRun {
                    index: p.index * reps + r as usize,
                    point: p.index,
                    replication: r,
                    seed: run_seed(base_seed, &label, r),
                })
            })
            .collect()
    }
}

fn point_count(combine: Combine, lens: &[usize]) -> usize {
    match combine {
        Combine::Grid => lens.iter().product(),
        Combine::Zip => lens.first().copied().unwrap_or(1),
    }
}

/// The seed of replication `replication` of the point named `label` in a scenario whose seed
/// is `base_seed`. Depends only on those three (not on the point's position, so adding a
/// value to a list keeps every other run's seed), and fits the scenario's seed range.
pub fn run_seed(base_seed: u64, label: &str, replication: u32) -> u64 {
    // FNV-1a over the label, then SplitMix64 finalisers to mix in seed and replication.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let x = mix(mix(base_seed ^ 0x5eed_5eed_5eed_5eed) ^ h);
    mix(x ^ u64::from(replication)) >> 1
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `[sweep]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SweepFile {
    #[serde(default, deserialize_with = "parameters")]
    parameter: Vec<ParameterFile>,
    #[serde(default = "grid", deserialize_with = "combine")]
    combine: Combine,
    #[serde(
        default = "one",
        deserialize_with = "read::count::<_, 1, { u32::MAX }>"
    )]
    replications: u32,
}

fn grid() -> Combine {
    Combine::Grid
}

fn one() -> u32 {
    1
}

fn combine<'de, D: Deserializer<'de>>(d: D) -> Result<Combine, D::Error> {
    read::one_of(d, "way to combine", &["grid", "zip"], |s| match s {
        "grid" => Some(Combine::Grid),
        "zip" => Some(Combine::Zip),
        _ => None,
    })
}

/// `[[sweep.parameter]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParameterFile {
    #[serde(deserialize_with = "swept_key")]
    key: String,
    values: Raw,
}

fn parameters<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ParameterFile>, D::Error> {
    struct List;
    impl<'de> Visitor<'de> for List {
        type Value = Vec<ParameterFile>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list in square brackets")
        }
        fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(read::error(
                "`parameter` in [sweep] must be written [[sweep.parameter]] (double brackets), \
                 one per swept key",
            ))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(p) = seq.next_element()? {
                out.push(p);
            }
            Ok(out)
        }
    }
    d.deserialize_any(List)
}

/// A key to sweep: anything but the sweep itself and the seed.
fn swept_key<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let key = String::deserialize(d)?.trim().to_string();
    if key.is_empty() {
        return Err(read::error(
            "`key` in [[sweep.parameter]] must not be empty",
        ));
    }
    if key == "sweep" || key.starts_with("sweep.") {
        return Err(read::error("a sweep cannot sweep its own [sweep] settings"));
    }
    if key == "scenario.seed" {
        return Err(read::error(
            "`scenario.seed` cannot be swept: each run's seed is derived from the scenario \
             seed, the point and the replication; use `replications` for more seeds",
        ));
    }
    Ok(key)
}

/// `[sweep]` as read, checked across its parameters. The parameters' keys are checked later,
/// against the scenario (see `check_points` in the module root).
pub(crate) fn check(file: Option<SweepFile>) -> Read<Option<Sweep>> {
    let Some(file) = file else {
        return Ok(None);
    };
    let here = [Seg::Key("sweep".into())];
    let (combine, replications) = (file.combine, file.replications);
    let mut parameters: Vec<SweepParameter> = Vec::new();
    for (i, p) in file.parameter.into_iter().enumerate() {
        if parameters.iter().any(|q| q.key == p.key) {
            return Err(Issue::at(
                &key_path(i),
                format!("`{}` is swept twice; give each key once", p.key),
            ));
        }
        let values = values(&p.values)?;
        parameters.push(SweepParameter { key: p.key, values });
    }
    if parameters.is_empty() && replications == 1 {
        return Err(Issue::at(
            &here,
            "[sweep] has no [[sweep.parameter]] and one replication, so it is a single run; \
             add a parameter (key and values) or `replications`",
        ));
    }
    if combine == Combine::Zip {
        if let Some((i, p)) = parameters
            .iter()
            .enumerate()
            .find(|(_, p)| p.values.len() != parameters[0].values.len())
        {
            let mut path = key_path(i);
            path.pop();
            return Err(Issue::at(
                &path,
                format!(
                    "with combine = \"zip\" every parameter needs as many values as the first \
                     (`{}` has {}, `{}` has {}); or use combine = \"grid\"",
                    parameters[0].key,
                    parameters[0].values.len(),
                    p.key,
                    p.values.len()
                ),
            ));
        }
    }
    let lens: Vec<usize> = parameters.iter().map(|p| p.values.len()).collect();
    let runs = lens
        .iter()
        .try_fold(1usize, |n, &l| n.checked_mul(l))
        .map(|_| point_count(combine, &lens))
        .and_then(|points| points.checked_mul(replications as usize))
        .filter(|&n| n <= MAX_RUNS);
    if runs.is_none() {
        return Err(Issue::at(
            &here,
            format!(
                "[sweep] expands to more than {MAX_RUNS} runs; narrow the ranges or lower \
                 `replications`"
            ),
        ));
    }
    Ok(Some(Sweep {
        parameters,
        combine,
        replications,
    }))
}

/// `values = [...]` or `values = { from, to, step }`, each value as TOML text.
fn values(v: &Raw) -> Read<Vec<String>> {
    let what = de::what_of(&v.path);
    match &v.value {
        toml::Value::Array(items) => {
            if items.is_empty() {
                return Err(Issue::at(
                    &v.path,
                    format!("{what} is empty; give at least one value"),
                ));
            }
            Ok(items
                .iter()
                .map(|i| match i {
                    toml::Value::Float(x) => float_text(*x),
                    v => v.to_string(),
                })
                .collect())
        }
        toml::Value::Table(t) => range(v, t, &what),
        _ => Err(Issue::at(
            &v.path,
            format!(
                "{what} must be a list such as [2, 4, 8] or a range such as {{ from = 0.3, to = \
                 1.5, step = 0.3 }}"
            ),
        )),
    }
}

/// A float written so TOML reads it back as a float.
fn float_text(x: f64) -> String {
    let s = number(x);
    if s.contains('.') {
        s
    } else {
        format!("{s}.0")
    }
}

/// One of a range's `from`, `to` and `step`, and its name in messages.
struct Bound {
    raw: Raw,
    what: String,
}

impl Bound {
    fn read<'r, T>(&'r self, read: impl FnOnce(de::Node<'r>) -> Result<T, de::Error>) -> Read<T> {
        de::read_raw_as(&self.raw, Some(&self.what), read)
    }

    fn issue(&self, message: String) -> Issue {
        Issue::at(&self.raw.path, message)
    }
}

/// `{ from, to, step }` (`title` names it): from `from` up to and including `to` (when a whole
/// number of steps reaches it), in whole numbers, decimals, or durations with units.
fn range(v: &Raw, t: &toml::Table, title: &str) -> Read<Vec<String>> {
    const KEYS: [&str; 3] = ["from", "to", "step"];
    if let Some(key) = t.keys().find(|k| !KEYS.contains(&k.as_str())) {
        let mut path = v.path.clone();
        path.push(Seg::Key(key.clone()));
        let message = match suggest(key, &KEYS) {
            Some(near) => format!("unknown key `{key}` in {title}; did you mean `{near}`?"),
            None => format!(
                "unknown key `{key}` in {title}; the keys it takes are {}",
                list(&KEYS, "and")
            ),
        };
        return Err(Issue {
            path,
            on_key: true,
            message,
            scope: None,
        });
    }
    let bound = |key: &str, example: &str| -> Read<Bound> {
        let value = t.get(key).ok_or_else(|| {
            Issue::at(
                &v.path,
                format!("{title} is missing `{key}`; add e.g. `{example}`"),
            )
        })?;
        let mut path = v.path.clone();
        path.push(Seg::Key(key.to_string()));
        Ok(Bound {
            raw: Raw {
                path,
                value: value.clone(),
            },
            what: format!("`{key}` in {title}"),
        })
    };
    let from = bound("from", "from = 1")?;
    let to = bound("to", "to = 10")?;
    let step = bound("step", "step = 1")?;
    let too_many = |n: f64| {
        Issue::at(
            &v.path,
            format!(
                "{title} has {} values, more than {MAX_RUNS}; use a larger `step`",
                count_text(n)
            ),
        )
    };
    if let toml::Value::String(_) = from.raw.value {
        let a = from.read(read::duration)?;
        let b = to.read(read::duration)?;
        let s = step.read(read::duration)?;
        if s == SimDuration::ZERO {
            return Err(step.issue(format!("{} must be longer than zero", step.what)));
        }
        if b < a {
            return Err(to.issue(format!("{} is below `from` ({a})", to.what)));
        }
        let n = (b.as_micros() - a.as_micros()) / s.as_micros() + 1;
        if n > MAX_RUNS as u64 {
            return Err(too_many(n as f64));
        }
        return Ok((0..n)
            .map(|i| {
                format!(
                    "\"{}\"",
                    SimDuration::from_micros(a.as_micros() + i * s.as_micros())
                )
            })
            .collect());
    }
    let whole = [&from, &to, &step]
        .iter()
        .all(|b| matches!(b.raw.value, toml::Value::Integer(_)));
    let a = from.read(read::number)?;
    let b = to.read(read::number)?;
    let s = step.read(read::number)?;
    if s <= 0.0 {
        return Err(step.issue(format!("{} must be above zero", step.what)));
    }
    if b < a {
        return Err(to.issue(format!(
            "{} is below `from` ({}); a range counts upwards",
            to.what,
            number(a)
        )));
    }
    // A tolerance of a millionth of a step, so 0.3 + 4 × 0.3 reaches 1.5 despite rounding.
    let n = ((b - a) / s + 1e-6).floor() + 1.0;
    if n > MAX_RUNS as f64 {
        return Err(too_many(n));
    }
    Ok((0..n as u64)
        .map(|i| {
            let x = a + i as f64 * s;
            if whole {
                format!("{}", x as i64)
            } else {
                // Rounded to ten decimals, as people write them, so labels stay readable.
                float_text(x)
            }
        })
        .collect())
}

/// Where a problem with sweep parameter `i` is reported: its `key`.
pub(crate) fn key_path(i: usize) -> Vec<Seg> {
    vec![
        Seg::Key("sweep".into()),
        Seg::Key("parameter".into()),
        Seg::Index(i),
        Seg::Key("key".into()),
    ]
}

/// An issue about point `point` caused by parameter `param`.
pub(crate) fn point_issue(param: usize, point: &SweepPoint, message: &str) -> Issue {
    Issue::at(
        &key_path(param),
        format!("at sweep point `{}`: {message}", point.label()),
    )
}
