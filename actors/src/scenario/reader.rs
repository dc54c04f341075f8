//! Reading the parsed TOML tree strictly: every value is checked for its type and range, every
//! table for unknown keys, and every problem comes back as an [`Issue`] that names the place in
//! the document (a [`Path`]) and says in plain English what is wrong.

pub(crate) use crate::config::read::{list, number_text as number, suggest};
use dccsim_sim::SimDuration;
use std::fmt::Write as _;
use toml::Value;

/// One step into the document: a key of a table or an index into an array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// Where a value sits in the document, from the root.
pub(crate) type Path = Vec<Seg>;

/// Writes a path the way `--set` takes it: `dsp.service_time`, `supplier.1.share`, `trt."4.1.1"`.
pub(crate) fn show_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for (i, seg) in path.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        match seg {
            Seg::Key(k) if is_bare_key(k) => out.push_str(k),
            Seg::Key(k) => {
                let _ = write!(out, "{k:?}");
            }
            Seg::Index(n) => {
                let _ = write!(out, "{n}");
            }
        }
    }
    out
}

/// A key that TOML accepts without quotes.
pub(crate) fn is_bare_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A problem found while reading.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Issue {
    /// The value (or, with `on_key`, the key) the message is about.
    pub path: Path,
    /// Point at the key rather than its value (unknown keys).
    pub on_key: bool,
    /// One plain-English sentence, without location.
    pub message: String,
    /// The part of the document the problem depends on, if wider than `path` (a sum of shares
    /// depends on every share): an override that changed something in it is mentioned.
    pub scope: Option<Path>,
}

impl Issue {
    pub fn at(path: &[Seg], message: impl Into<String>) -> Issue {
        Issue {
            path: path.to_vec(),
            on_key: false,
            message: message.into(),
            scope: None,
        }
    }

    /// The same issue, depending on everything under `scope`.
    pub fn scoped(self, scope: &[Seg]) -> Issue {
        Issue {
            scope: Some(scope.to_vec()),
            ..self
        }
    }
}

pub(crate) type Read<T> = Result<T, Issue>;

/// One value being read, with what messages call it (`` `workers` in [dsp] ``).
pub(crate) struct Field<'a> {
    pub value: &'a Value,
    pub path: Path,
    pub what: String,
}

impl<'a> Field<'a> {
    pub fn issue(&self, message: impl Into<String>) -> Issue {
        Issue::at(&self.path, message)
    }

    pub(crate) fn wrong_type(&self, wanted: &str) -> Issue {
        super::de::wrong_type(&self.path, &self.what, self.value, wanted)
    }

    pub fn str(&self) -> Read<&'a str> {
        match self.value {
            Value::String(s) => Ok(s),
            _ => Err(self.wrong_type("a string in quotes")),
        }
    }

    pub fn int(&self) -> Read<i64> {
        match self.value {
            Value::Integer(i) => Ok(*i),
            _ => Err(self.wrong_type("a whole number")),
        }
    }

    /// A whole number in `lo..=hi`; an `hi` of `u32::MAX` or more reads as "no upper limit".
    pub fn int_in(&self, lo: i64, hi: i64) -> Read<i64> {
        let n = self.int()?;
        let unbounded = hi >= i64::from(u32::MAX);
        if n < 0 && lo == 0 {
            Err(self.issue(format!(
                "{} is negative ({n}); it must be 0 or more",
                self.what
            )))
        } else if n < lo && unbounded {
            Err(self.issue(format!("{} must be at least {lo}, found {n}", self.what)))
        } else if n < lo || n > hi {
            let range = if unbounded {
                format!("at most {hi}")
            } else {
                format!("between {lo} and {hi}")
            };
            Err(self.issue(format!("{} must be {range}, found {n}", self.what)))
        } else {
            Ok(n)
        }
    }

    /// A finite number, whole or decimal.
    pub fn number(&self) -> Read<f64> {
        let x = match self.value {
            Value::Integer(i) => *i as f64,
            Value::Float(f) => *f,
            _ => return Err(self.wrong_type("a number")),
        };
        if x.is_finite() {
            Ok(x)
        } else {
            Err(self.issue(format!("{} must be a finite number, found {x}", self.what)))
        }
    }

    /// A number that is 0 or more (a rate, a weight).
    pub fn non_negative(&self) -> Read<f64> {
        let x = self.number()?;
        if x < 0.0 {
            Err(self.issue(format!(
                "{} is negative ({}); it must be 0 or more",
                self.what,
                number(x)
            )))
        } else {
            Ok(x)
        }
    }

    /// A share: a number from 0 to 1.
    pub fn share(&self) -> Read<f64> {
        let x = self.number()?;
        if x < 0.0 {
            Err(self.issue(format!(
                "{} is negative ({}); a share must be between 0 and 1",
                self.what,
                number(x)
            )))
        } else if x > 1.0 {
            Err(self.issue(format!(
                "{} is {}, more than 1; a share must be between 0 and 1",
                self.what,
                number(x)
            )))
        } else {
            Ok(x)
        }
    }

    /// A duration written as a string with a unit.
    pub fn duration(&self) -> Read<SimDuration> {
        const UNITS: &str = "us, ms, s, min, h or d";
        match self.value {
            Value::String(s) => s
                .parse()
                .map_err(|e| self.issue(format!("{}: {e}", self.what))),
            Value::Integer(_) | Value::Float(_) => {
                let n = self.value.to_string();
                Err(self.issue(format!(
                    "{}: duration {n} has no unit; write it as a string with a unit, \
                     e.g. \"{n}s\" or \"{n}ms\" (units: {UNITS})",
                    self.what
                )))
            }
            _ => Err(self.wrong_type("a duration string with a unit, e.g. \"30s\"")),
        }
    }

    /// The elements of an array.
    pub fn array(&self) -> Read<Vec<Field<'a>>> {
        match self.value {
            Value::Array(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, value)| {
                    let mut path = self.path.clone();
                    path.push(Seg::Index(i));
                    Field {
                        value,
                        path,
                        what: format!("entry {} of {}", i + 1, self.what),
                    }
                })
                .collect()),
            _ => Err(self.wrong_type("a list in square brackets")),
        }
    }

    /// A string that must be one of `names`; `noun` says what it names in messages.
    pub fn one_of<T>(
        &self,
        noun: &str,
        names: &[&str],
        lookup: impl Fn(&str) -> Option<T>,
    ) -> Read<T> {
        let s = self.str()?;
        lookup(s).ok_or_else(|| {
            let hint = match suggest(s, names) {
                Some(near) => format!("did you mean \"{near}\"? "),
                None => String::new(),
            };
            self.issue(format!(
                "{}: unknown {noun} \"{s}\"; {hint}use {}",
                self.what,
                list(
                    &names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>(),
                    "or"
                )
            ))
        })
    }
}

/// What a value is, for "found …" in messages.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => format!("the string {s:?}"),
        Value::Integer(i) => format!("the whole number {i}"),
        Value::Float(f) => format!("the number {f}"),
        Value::Boolean(b) => format!("`{b}`"),
        Value::Datetime(d) => format!("the date/time {d}"),
        Value::Array(_) => "a list".to_string(),
        Value::Table(_) => "a table".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::read::edit_distance;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("workers", "workers"), 0);
        assert_eq!(edit_distance("workrs", "workers"), 1);
        assert_eq!(edit_distance("wokrers", "workers"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggests_only_close_words() {
        let keys = ["workers", "service_time", "response_service_time"];
        assert_eq!(suggest("workrs", &keys), Some("workers"));
        assert_eq!(suggest("Workers", &keys), Some("workers"));
        assert_eq!(suggest("servce_time", &keys), Some("service_time"));
        assert_eq!(suggest("colour", &keys), None);
    }

    #[test]
    fn paths_read_like_set_keys() {
        let path = vec![
            Seg::Key("trt".into()),
            Seg::Key("4.1.1".into()),
            Seg::Key("supplier".into()),
            Seg::Index(1),
        ];
        assert_eq!(show_path(&path), "trt.\"4.1.1\".supplier.1");
    }

    #[test]
    fn numbers_print_plainly() {
        assert_eq!(number(0.9000000000000001), "0.9");
        assert_eq!(number(1.0), "1");
        assert_eq!(number(-0.25), "-0.25");
        assert_eq!(number(1.0000000011), "1.0000000011");
    }
}
