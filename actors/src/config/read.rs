//! serde readers for config fields whose values have a shape or a range of their own (shares,
//! bounded counts, durations with units, ZigBee channels, region shares), named by the config
//! types' `#[serde(deserialize_with = "…")]` attributes.
//!
//! They work with any `Deserializer`, but their messages are written for the scenario reader,
//! which knows where each value sits: an error made here is a [`HEAD`]-marked text in which
//! [`WHAT`] stands for the value's name (`` `workers` in [dsp] ``) and [`TABLE`] for the title of
//! the table being read (`` `population.regions` ``), optionally after a header that moves the
//! place the message points at one key below the value read ([`below`]) or onto that key
//! ([`on_key`]). The format, so the scenario reader can decode it: `HEAD`, header items each
//! ended by [`SEP`] (`k<key>` one key down, `i<n>` one index down, `/` from the document's root,
//! `K` at the key rather than its value, `S` the message's scope is the place so far, and the
//! items that follow move the scope rather than the place),
//! [`TEXT`], then the message.

mod dist;
pub mod ev;
mod units;

pub use dist::time_window;

use crate::calendar::Date;
use crate::han::config::{Channel, CHANNELS, CHANNELS_2G4};
use crate::region::RegionMap;
use dccsim_sim::SimDuration;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt::{self, Display};

/// Starts an error text made here.
pub const HEAD: char = '\u{1}';
/// Ends one header item.
pub const SEP: char = '\u{2}';
/// Ends the header.
pub const TEXT: char = '\u{3}';
/// Stands for the name of the value the message is about.
pub const WHAT: &str = "\u{4}";
/// Stands for the title of the table being read.
pub const TABLE: &str = "\u{5}";

/// An error about the value being read.
pub fn error<E: de::Error>(message: impl Display) -> E {
    E::custom(format_args!("{HEAD}{TEXT}{message}"))
}

/// An error about the value under `key` of the table being read.
pub fn below<E: de::Error>(key: &str, message: impl Display) -> E {
    E::custom(format_args!("{HEAD}k{key}{SEP}{TEXT}{message}"))
}

/// An error about the value under `key` of entry `index` of the list being read (or the entry
/// itself, without a key).
pub fn in_entry<E: de::Error>(index: usize, key: Option<&str>, message: impl Display) -> E {
    let key = key.map_or(String::new(), |k| format!("k{k}{SEP}"));
    E::custom(format_args!("{HEAD}i{index}{SEP}{key}{TEXT}{message}"))
}

/// An error about the value being read whose cause spans everything in it (a sum of shares): an
/// override that changed any part of it is mentioned.
pub fn scoped<E: de::Error>(message: impl Display) -> E {
    E::custom(format_args!("{HEAD}S{SEP}{TEXT}{message}"))
}

/// An error pointing at the key `key` of the table being read.
pub fn on_key<E: de::Error>(key: &str, message: impl Display) -> E {
    E::custom(format_args!("{HEAD}k{key}{SEP}K{SEP}{TEXT}{message}"))
}

/// A number as people write it: up to ten decimals, no trailing zeros.
pub fn number_text(x: f64) -> String {
    let s = format!("{x:.10}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A float as TOML writes it: always with a decimal point.
fn toml_float(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 {
        format!("{x}.0")
    } else {
        x.to_string()
    }
}

/// A finite number, whole or decimal.
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let x = f64::deserialize(d)?;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(error(format_args!(
            "{WHAT} must be a finite number, found {x}"
        )))
    }
}

/// A number that is 0 or more (a rate, a weight).
pub fn non_negative<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let x = number(d)?;
    if x < 0.0 {
        return Err(error(format_args!(
            "{WHAT} is negative ({}); it must be 0 or more",
            number_text(x)
        )));
    }
    Ok(x)
}

/// A share: a number from 0 to 1.
pub fn share<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let x = number(d)?;
    if x < 0.0 {
        Err(error(format_args!(
            "{WHAT} is negative ({}); a share must be between 0 and 1",
            number_text(x)
        )))
    } else if x > 1.0 {
        Err(error(format_args!(
            "{WHAT} is {}, more than 1; a share must be between 0 and 1",
            number_text(x)
        )))
    } else {
        Ok(x)
    }
}

/// A whole number in `lo..=hi`; an `hi` of `u32::MAX` or more reads as "no upper limit".
pub fn int_in<'de, D: Deserializer<'de>>(d: D, lo: i64, hi: i64) -> Result<i64, D::Error> {
    let n = i64::deserialize(d)?;
    let unbounded = hi >= i64::from(u32::MAX);
    if n < 0 && lo == 0 {
        Err(error(format_args!(
            "{WHAT} is negative ({n}); it must be 0 or more"
        )))
    } else if n < lo && unbounded {
        Err(error(format_args!(
            "{WHAT} must be at least {lo}, found {n}"
        )))
    } else if n < lo || n > hi {
        let range = if unbounded {
            format!("at most {hi}")
        } else {
            format!("between {lo} and {hi}")
        };
        Err(error(format_args!("{WHAT} must be {range}, found {n}")))
    } else {
        Ok(n)
    }
}

/// A whole number in `LO..=HI`.
pub fn count<'de, D: Deserializer<'de>, const LO: u32, const HI: u32>(
    d: D,
) -> Result<u32, D::Error> {
    int_in(d, i64::from(LO), i64::from(HI)).map(|n| n as u32)
}

/// A duration written as a string with a unit.
pub fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<SimDuration, D::Error> {
    struct DurationVisitor;
    const UNITS: &str = "us, ms, s, min, h or d";
    fn no_unit<E: de::Error>(n: &str) -> E {
        error(format_args!(
            "{WHAT}: duration {n} has no unit; write it as a string with a unit, e.g. \"{n}s\" \
             or \"{n}ms\" (units: {UNITS})"
        ))
    }
    impl Visitor<'_> for DurationVisitor {
        type Value = SimDuration;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a duration string with a unit, e.g. \"30s\"")
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<SimDuration, E> {
            let t: SimDuration = s.parse().map_err(|e| error(format_args!("{WHAT}: {e}")))?;
            let max = crate::config::defaults::MAX_DURATION;
            if t > max {
                return Err(error(format_args!(
                    "{WHAT} is \"{s}\", longer than {max} (100 years), the longest duration \
                     dccsim takes"
                )));
            }
            Ok(t)
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<SimDuration, E> {
            Err(no_unit(&n.to_string()))
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<SimDuration, E> {
            Err(no_unit(&n.to_string()))
        }
        fn visit_f64<E: de::Error>(self, x: f64) -> Result<SimDuration, E> {
            Err(no_unit(&toml_float(x)))
        }
    }
    d.deserialize_any(DurationVisitor)
}

/// A duration longer than zero.
pub fn positive_duration<'de, D: Deserializer<'de>>(d: D) -> Result<SimDuration, D::Error> {
    let t = duration(d)?;
    if t == SimDuration::ZERO {
        return Err(error(format_args!("{WHAT} must be longer than zero")));
    }
    Ok(t)
}

/// A calendar date `YYYY-MM-DD`, as a string or a TOML date (which a TOML deserializer hands
/// over as a one-entry map holding its text).
pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    struct DateVisitor;
    impl<'de> Visitor<'de> for DateVisitor {
        type Value = Date;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Date, E> {
            Date::parse(text).ok_or_else(|| {
                error(format_args!(
                    "{WHAT} must be a calendar date written YYYY-MM-DD, e.g. \"2027-03-01\"; \
                     \"{text}\" is not"
                ))
            })
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Date, A::Error> {
            let text = match map.next_entry::<String, String>()? {
                Some((_, text)) => text,
                None => return Err(error(format_args!("{WHAT} must be a calendar date"))),
            };
            if text.contains([':', 'T', 't', ' ']) {
                // A date with a time or an offset: not a calendar date.
                return Err(error(format_args!(
                    "{WHAT} must be a string in quotes, found the date/time {text}"
                )));
            }
            self.visit_str(&text)
        }
    }
    d.deserialize_any(DateVisitor)
}

/// `backoff = "250ms"`: a HAN retry's wait, at most an hour.
pub fn backoff<'de, D: Deserializer<'de>>(d: D) -> Result<SimDuration, D::Error> {
    let backoff = duration(d)?;
    if backoff > SimDuration::from_hours(1) {
        return Err(error(format_args!(
            "{WHAT} is {backoff}, longer than an hour; a HAN retry waits milliseconds to seconds"
        )));
    }
    Ok(backoff)
}

/// `fixed_channel = 11`: a ZigBee channel.
pub fn fixed_channel<'de, D: Deserializer<'de>>(d: D) -> Result<Channel, D::Error> {
    let n = i64::deserialize(d)?;
    u32::try_from(n)
        .ok()
        .and_then(Channel::zigbee)
        .ok_or_else(|| {
            error(format_args!(
                "{WHAT} must be a ZigBee channel from 11 to 26, found {n}"
            ))
        })
}

/// `flats_per_building = { min = 2, max = 20 }`.
pub fn flats_per_building<'de, D: Deserializer<'de>>(d: D) -> Result<(u32, u32), D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Flats {
        #[serde(
            deserialize_with = "count::<_, 1, { crate::han::config::MAX_FLATS_PER_BUILDING }>"
        )]
        min: u32,
        #[serde(
            deserialize_with = "count::<_, 1, { crate::han::config::MAX_FLATS_PER_BUILDING }>"
        )]
        max: u32,
    }
    let Flats { min, max } = Flats::deserialize(d)?;
    if max < min {
        return Err(below(
            "max",
            format_args!("{TABLE} has `max` {max} below `min` {min}; `min` must not exceed `max`"),
        ));
    }
    Ok((min, max))
}

/// A share read with [`share`].
struct Share(f64);

impl<'de> Deserialize<'de> for Share {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        share(d).map(Share)
    }
}

/// `background = 0.05` (every 2.4 GHz channel) or a list of 16 shares for channels 11–26; the
/// 868 MHz slot keeps its default (`background_868` sets it).
pub fn background<'de, D: Deserializer<'de>>(d: D) -> Result<[f64; CHANNELS], D::Error> {
    struct Levels;
    impl<'de> Visitor<'de> for Levels {
        type Value = [f64; CHANNELS_2G4];
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number")
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
            self.visit_f64(n as f64)
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
            self.visit_f64(n as f64)
        }
        fn visit_f64<E: de::Error>(self, x: f64) -> Result<Self::Value, E> {
            let d = de::value::F64Deserializer::<E>::new(x);
            Ok([share(d)?; CHANNELS_2G4])
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let found = seq.size_hint().unwrap_or(0);
            if found != CHANNELS_2G4 {
                return Err(error(format_args!(
                    "{WHAT} must have {CHANNELS_2G4} entries, one per ZigBee channel from 11 to \
                     26, found {found} (or one number for every channel)"
                )));
            }
            let mut levels = [0.0; CHANNELS_2G4];
            for slot in &mut levels {
                *slot = seq.next_element::<Share>()?.map_or(0.0, |s| s.0);
            }
            Ok(levels)
        }
    }
    let mut all = crate::han::config::HanRadio::default().background;
    all[..CHANNELS_2G4].copy_from_slice(&d.deserialize_any(Levels)?);
    Ok(all)
}

/// `regions = { north = …, central = …, south = … }`: missing regions get 0; the shares sum to 1.
pub fn regions<'de, D: Deserializer<'de>>(d: D) -> Result<RegionMap<f64>, D::Error> {
    struct Regions;
    impl<'de> Visitor<'de> for Regions {
        type Value = RegionMap<f64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a table")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            const NAMES: [&str; 3] = ["north", "central", "south"];
            let mut shares = RegionMap {
                north: 0.0,
                central: 0.0,
                south: 0.0,
            };
            while let Some(key) = map.next_key::<String>()? {
                let slot = match key.as_str() {
                    "north" => &mut shares.north,
                    "central" => &mut shares.central,
                    "south" => &mut shares.south,
                    _ => {
                        let hint = suggest(&key, &NAMES)
                            .map_or(String::new(), |n| format!("did you mean `{n}`? "));
                        return Err(on_key(
                            &key,
                            format_args!(
                                "unknown region `{key}` in {TABLE}; {hint}the DCC regions are \
                                 north, central and south"
                            ),
                        ));
                    }
                };
                *slot = map.next_value::<NonNegative>()?.0;
            }
            Ok(shares)
        }
    }
    let regions = d.deserialize_map(Regions)?;
    let sum = regions.north + regions.central + regions.south;
    if (sum - 1.0).abs() > super::defaults::SHARE_TOLERANCE {
        return Err(error(format_args!(
            "the region shares in {TABLE} sum to {}, not 1 (north {} + central {} + south {}); \
             make them add up to 1",
            number_text(sum),
            number_text(regions.north),
            number_text(regions.central),
            number_text(regions.south)
        )));
    }
    Ok(regions)
}

/// A string that must be one of `names`, turned into a `T` by `lookup`; `noun` says what it
/// names in messages.
pub fn one_of<'de, D: Deserializer<'de>, T>(
    d: D,
    noun: &str,
    names: &[&str],
    lookup: impl Fn(&str) -> Option<T>,
) -> Result<T, D::Error> {
    let s = String::deserialize(d)?;
    lookup(&s).ok_or_else(|| {
        let hint = match suggest(&s, names) {
            Some(near) => format!("did you mean \"{near}\"? "),
            None => String::new(),
        };
        let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        error(format_args!(
            "{WHAT}: unknown {noun} \"{s}\"; {hint}use {}",
            list(&quoted, "or")
        ))
    })
}

/// `true` or `false`, saying so to whoever wrote `"yes"`.
pub fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct Bool;
    impl Visitor<'_> for Bool {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("true or false (no quotes)")
        }
        fn visit_bool<E: de::Error>(self, b: bool) -> Result<bool, E> {
            Ok(b)
        }
    }
    d.deserialize_bool(Bool)
}

/// Exactly `N` numbers of 0 or more; `wrong_length` is the message (after the value's name)
/// when there are more or fewer, given how many there are.
pub fn non_negatives<'de, D: Deserializer<'de>, const N: usize>(
    d: D,
    wrong_length: impl Fn(usize) -> String,
) -> Result<[f64; N], D::Error> {
    let items: Vec<NonNegative> = d.deserialize_seq(Numbers {
        wanted: N,
        wrong_length: &wrong_length,
    })?;
    let mut out = [0.0; N];
    for (slot, x) in out.iter_mut().zip(items) {
        *slot = x.0;
    }
    Ok(out)
}

/// A number of 0 or more, read with [`non_negative`].
struct NonNegative(f64);

impl<'de> Deserialize<'de> for NonNegative {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        non_negative(d).map(NonNegative)
    }
}

struct Numbers<'a> {
    wanted: usize,
    wrong_length: &'a dyn Fn(usize) -> String,
}

impl<'de> Visitor<'de> for Numbers<'_> {
    type Value = Vec<NonNegative>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list in square brackets")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let found = seq.size_hint().unwrap_or(0);
        if found != self.wanted {
            return Err(error(format_args!("{WHAT}{}", (self.wrong_length)(found))));
        }
        let mut out = Vec::with_capacity(found);
        while let Some(x) = seq.next_element()? {
            out.push(x);
        }
        Ok(out)
    }
}

/// `a`, `b` and `c` (with `conj` "and" or "or"), items quoted in backticks unless already quoted.
pub fn list<S: AsRef<str>>(items: &[S], conj: &str) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| {
            let s = s.as_ref();
            if s.starts_with('"') {
                s.to_string()
            } else {
                format!("`{s}`")
            }
        })
        .collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {conj} {last}", init.join(", ")),
    }
}

/// The candidate nearest to `word` if it is a plausible misspelling (at most two edits, and fewer
/// edits than the word has characters).
pub fn suggest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = word.to_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), *c))
        .filter(|&(d, _)| d <= 2 && d < word.chars().count())
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance: insertions, deletions and substitutions of characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}
