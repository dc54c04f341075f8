//! Where a problem is and how messages say things: an [`Issue`] names the place in the document
//! (a [`Path`] of [`Seg`]s) and says in plain English what is wrong; [`describe`], [`list`],
//! [`number`] and [`suggest`] are the wording every message shares.

pub(crate) use crate::config::read::{list, number_text as number, suggest};
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
