//! serde over the parsed TOML tree, knowing where every value sits.
//!
//! The scenario's sections are plain structs with `#[derive(Deserialize)]` and
//! `#[serde(deny_unknown_fields)]`: each key is written once, as a field, with its default and
//! its reader beside it. This module supplies the deserializer those derives run against, a
//! [`Node`] of the `toml::Value` tree that knows its [`Path`], so that every error comes out as
//! an [`Issue`] at the right place, in the loader's words:
//! unknown keys with a did-you-mean (on the key), missing keys with an example (on the table),
//! wrong types as "`x` in [t] must be …, found …" (on the value).
//!
//! Values with a shape of their own are read by the readers of
//! [`config::read`](crate::config::read), which the config types name. Their errors travel
//! through serde as text in `config::read`'s format, which says where below the value being read
//! the problem is and leaves the value's name to be filled in; [`Error::locate`] decodes it at the
//! first node the error passes (that node's path is the place). [`Raw`] is the private protocol
//! that delivers a node's path and value to generic code, like `toml::Spanned` delivers a span:
//! a value whose reading depends on another (a threshold on its figure, a time against the start
//! date) is kept as `Raw` or [`At`] and read later with [`read_raw`], and an [`Issue`] made there
//! goes back through serde with [`raise`].

use super::reader::{describe, list, show_path, suggest, Issue, Path, Read, Seg};
mod node;

pub(crate) use node::Node;
use serde::de::{self, DeserializeOwned, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use toml::Value;

/// A deserialization error: an [`Issue`] once the node it arose at has said where it is.
#[derive(Debug)]
pub(crate) struct Error(Kind);

#[derive(Debug)]
enum Kind {
    Located(Issue),
    /// Plain text from a visitor.
    Message(String),
    /// The value has the wrong type; what was wanted, in serde's words.
    Type(String),
    Unknown {
        key: String,
        expected: &'static [&'static str],
    },
    Missing(&'static str),
}

impl Error {
    /// The issue this error is, placed at the node `path` (`value` is the node's value, `also`
    /// keys its table takes besides the struct's fields) unless it already has a place.
    fn locate(self, path: &[Seg], value: Option<&Value>, also: &[&str]) -> Error {
        self.locate_as(path, value, also, None)
    }

    /// [`locate`](Self::locate), calling the value `what` rather than by its path.
    fn locate_as(
        self,
        path: &[Seg],
        value: Option<&Value>,
        also: &[&str],
        what: Option<&str>,
    ) -> Error {
        let name = || what.map_or_else(|| what_of(path), str::to_string);
        let issue = match self.0 {
            Kind::Located(issue) => issue,
            Kind::Message(m) => decode(&m, path, what)
                .unwrap_or_else(|| Issue::at(path, format!("{}: {m}", name()))),
            Kind::Type(wanted) => match value {
                Some(value) => wrong_type(path, &name(), value, plain(&wanted)),
                None => Issue::at(path, format!("{} must be {}", name(), plain(&wanted))),
            },
            Kind::Unknown { key, expected } => unknown_key(path, &key, expected, also),
            Kind::Missing(key) => missing_key(path, key),
        };
        Error(Kind::Located(issue))
    }

    /// The issue, placed at `path` if no node placed it.
    pub(crate) fn into_issue(self, path: &[Seg]) -> Issue {
        match self.locate(path, None, &[]).0 {
            Kind::Located(issue) => issue,
            _ => unreachable!("locate always places the issue"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::Located(issue) => f.write_str(&issue.message),
            Kind::Message(m) => f.write_str(m),
            Kind::Type(wanted) => write!(f, "expected {wanted}"),
            Kind::Unknown { key, .. } => write!(f, "unknown key `{key}`"),
            Kind::Missing(key) => write!(f, "missing `{key}`"),
        }
    }
}

impl std::error::Error for Error {}

/// An error for generic serde code that is exactly `issue` (place and all) when it reaches this
/// module's deserializer: the issue is written in the format of [`config::read`](crate::config::read),
/// its path from the root.
pub(crate) fn raise<E: de::Error>(issue: Issue) -> E {
    use crate::config::read::{HEAD, SEP, TEXT};
    let mut header = format!("/{SEP}");
    let segs = |header: &mut String, path: &[Seg]| {
        for seg in path {
            match seg {
                Seg::Key(k) => header.push_str(&format!("k{k}{SEP}")),
                Seg::Index(i) => header.push_str(&format!("i{i}{SEP}")),
            }
        }
    };
    segs(&mut header, &issue.path);
    if issue.on_key {
        header.push_str(&format!("K{SEP}"));
    }
    if let Some(scope) = &issue.scope {
        header.push_str(&format!("S{SEP}/{SEP}"));
        segs(&mut header, scope);
    }
    E::custom(format_args!("{HEAD}{header}{TEXT}{}", issue.message))
}

/// The issue an error text in the format of [`config::read`](crate::config::read) describes, read at
/// the node `path`; `None` for any other text.
fn decode(text: &str, path: &[Seg], what: Option<&str>) -> Option<Issue> {
    use crate::config::read::{HEAD, SEP, TABLE, TEXT, WHAT};
    let (header, message) = text.strip_prefix(HEAD)?.split_once(TEXT)?;
    let mut at = path.to_vec();
    let mut on_key = false;
    let mut scope: Option<Path> = None;
    for item in header.split(SEP).filter(|i| !i.is_empty()) {
        let target = scope.as_mut().unwrap_or(&mut at);
        match item.split_at(1) {
            ("/", _) => target.clear(),
            ("k", k) => target.push(Seg::Key(k.to_string())),
            ("i", i) => target.push(Seg::Index(i.parse().ok()?)),
            ("K", _) => on_key = true,
            ("S", _) => scope = Some(at.clone()),
            _ => return None,
        }
    }
    let message = message
        .replace(
            WHAT,
            &what
                .filter(|_| at == path)
                .map_or_else(|| what_of(&at), str::to_string),
        )
        .replace(TABLE, &title_of(path));
    Some(Issue {
        path: at,
        on_key,
        message,
        scope,
    })
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(Kind::Message(msg.to_string()))
    }

    fn invalid_type(_: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Error(Kind::Type(expected.to_string()))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Error(Kind::Unknown {
            key: field.to_string(),
            expected,
        })
    }

    fn missing_field(field: &'static str) -> Self {
        Error(Kind::Missing(field))
    }
}

/// serde's name for a wanted type, in the reader's words.
fn plain(wanted: &str) -> &str {
    match wanted {
        "a string" => "a string in quotes",
        "a boolean" => "true or false",
        "a sequence" => "a list in square brackets",
        "f32" | "f64" => "a number",
        "u8" | "u16" | "u32" | "u64" | "u128" | "i8" | "i16" | "i32" | "i64" | "i128" => {
            "a whole number"
        }
        w if w.starts_with("struct ") || w == "a map" => "a table",
        w => w,
    }
}

/// How messages name the value at `path`: `` `seed` ``, `` `workers` in [dsp] ``,
/// `entry 4 of `hourly` in [[traffic]]`.
pub(crate) fn what_of(path: &[Seg]) -> String {
    match path.split_last() {
        None => "the file".to_string(),
        Some((Seg::Index(i), parent)) => format!("entry {} of {}", i + 1, what_of(parent)),
        Some((Seg::Key(k), [])) => format!("`{k}`"),
        Some((Seg::Key(k), parent)) => format!("`{k}` in {}", title_of(parent)),
    }
}

/// How messages name the table at `path`: `[dsp]`, `[[supplier]]`, `[csp.north]`,
/// `` `dsp.service_time` ``.
pub(crate) fn title_of(path: &[Seg]) -> String {
    match path {
        [] => "the top level of the file".to_string(),
        [Seg::Key(k)] => format!("[{k}]"),
        [Seg::Key(k), Seg::Index(_)] => format!("[[{k}]]"),
        [Seg::Key(c), Seg::Key(r)] if c == "csp" => format!("[csp.{r}]"),
        [Seg::Key(a), Seg::Key(b), Seg::Index(_)] => format!("[[{a}.{b}]]"),
        [.., Seg::Index(_)] => what_of(path),
        _ => format!("`{}`", show_path(path)),
    }
}

/// "`x` in [t] must be …, found …" (with a hint to drop the quotes round a number).
pub(crate) fn wrong_type(path: &[Seg], what: &str, value: &Value, wanted: &str) -> Issue {
    let mut message = format!("{what} must be {wanted}, found {}", describe(value));
    if let Value::String(s) = value {
        if wanted.contains("number") && s.trim().parse::<f64>().is_ok() {
            message.push_str("; remove the quotes");
        }
    }
    Issue::at(path, message)
}

/// What a scenario needs at the very least, for messages about empty or incomplete files.
pub(crate) const MINIMUM: &str = "a scenario needs [scenario] with name, seed and duration, \
     [population] with premises, and at least one [[supplier]] with name and share";

fn unknown_key(table: &[Seg], key: &str, expected: &[&str], also: &[&str]) -> Issue {
    let mut known: Vec<&str> = expected.to_vec();
    known.extend_from_slice(also);
    let near = suggest(key, &known);
    let message = match (table.is_empty(), near) {
        (true, Some(near)) => format!("unknown table or key `{key}`; did you mean `{near}`?"),
        (true, None) => format!(
            "unknown table or key `{key}`; a scenario has {}",
            list(&known, "and")
        ),
        (false, Some(near)) => format!(
            "unknown key `{key}` in {}; did you mean `{near}`?",
            title_of(table)
        ),
        (false, None) => format!(
            "unknown key `{key}` in {}; the keys it takes are {}",
            title_of(table),
            list(&known, "and")
        ),
    };
    let mut path = table.to_vec();
    path.push(Seg::Key(key.to_string()));
    Issue {
        path,
        on_key: true,
        message,
        scope: None,
    }
}

/// Examples of required keys, by the table's path (list indices left out) and the key.
const EXAMPLES: [(&str, &str, &str); 40] = [
    ("scenario", "name", "name = \"quickstart\""),
    ("scenario", "seed", "seed = 7"),
    ("scenario", "duration", "duration = \"1d\""),
    ("population", "premises", "premises = 10000"),
    ("supplier", "name", "name = \"alpha\""),
    ("supplier", "share", "share = 0.5"),
    ("traffic", "sr", "sr = \"4.6.1\""),
    ("traffic.window", "start", "start = \"01:00\""),
    ("traffic.window", "length", "length = \"4h\""),
    ("device_model", "id", "id = \"acme-e1\""),
    ("device_model", "type", "type = \"esme-single\""),
    ("device_model", "manufacturer", "manufacturer = \"Acme\""),
    ("device_model", "model", "model = \"E1\""),
    ("device_model", "hardware", "hardware = \"1.0\""),
    ("device_model", "firmware", "firmware = \"2.1\""),
    ("device_model", "share", "share = 0.5"),
    ("install", "supplier", "supplier = \"alpha\""),
    ("install", "premises_per_day", "premises_per_day = 200"),
    ("expect", "metric", "metric = \"sr.e2e{sr=4.1.1}\""),
    ("expect", "op", "op = \"<=\""),
    ("expect", "value", "value = \"30s\""),
    ("cpl_entry", "id", "id = \"acme-e1-v1\""),
    ("cpl_entry", "model", "model = \"acme-e1\""),
    ("cpl_entry.cpa_certificate", "id", "id = \"CPA-1\""),
    (
        "cpl_entry.cpa_certificate",
        "expires",
        "expires = \"2027-03-01\"",
    ),
    ("firmware_image", "id", "id = \"acme-e1-2.0\""),
    ("firmware_image", "model", "model = \"acme-e1-fw2\""),
    ("firmware_image", "size", "size = \"256KiB\""),
    ("firmware_campaign", "id", "id = \"acme-e1-to-2.0\""),
    ("firmware_campaign", "supplier", "supplier = \"alpha\""),
    (
        "firmware_campaign",
        "device_model",
        "device_model = \"acme-e1-fw1\"",
    ),
    ("firmware_campaign", "image", "image = \"acme-e1-2.0\""),
    (
        "firmware_campaign",
        "start",
        "start = \"6h\" (or a date, start = \"2026-01-06\")",
    ),
    ("firmware_campaign.waves", "at", "at = \"12h\""),
    (
        "firmware_campaign.activation_window",
        "start",
        "start = \"01:00\"",
    ),
    (
        "firmware_campaign.activation_window",
        "length",
        "length = \"4h\"",
    ),
    ("sweep.parameter", "key", "key = \"dsp.workers\""),
    ("sweep.parameter", "values", "values = [2, 4, 8]"),
    ("han.flats_per_building", "min", "min = 2"),
    ("han.flats_per_building", "max", "max = 20"),
];

fn missing_key(table: &[Seg], key: &str) -> Issue {
    if table.is_empty() {
        return Issue::at(table, format!("the file has no [{key}] table; {MINIMUM}"));
    }
    let pattern: Vec<&str> = table
        .iter()
        .filter_map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        })
        .collect();
    let pattern = pattern.join(".");
    let message = match EXAMPLES.iter().find(|(t, k, _)| *t == pattern && *k == key) {
        Some((_, _, example)) => format!(
            "{} is missing `{key}`; add e.g. `{example}`",
            title_of(table)
        ),
        None => format!("{} is missing `{key}`", title_of(table)),
    };
    Issue::at(table, message)
}

/// Reads `T` from the value at `path`.
pub(crate) fn from_value<T: DeserializeOwned>(value: &Value, path: &[Seg]) -> Read<T> {
    from_node(Node::new(value, path.to_vec()))
}

/// Reads `T` from a table that also takes the keys `also` (read by the caller, left out of
/// `value`): they count as known when a misspelt key looks for its nearest.
pub(crate) fn from_table_with<T: DeserializeOwned>(
    value: &Value,
    path: &[Seg],
    also: &'static [&'static str],
) -> Read<T> {
    from_node(Node {
        also,
        ..Node::new(value, path.to_vec())
    })
}

/// Reads `raw` (a value read as [`Raw`] because its reading depends on others) with `read`, one
/// of the readers of [`config::read`](crate::config::read).
pub(crate) fn read_raw<'r, T>(
    raw: &'r Raw,
    read: impl FnOnce(Node<'r>) -> Result<T, Error>,
) -> Read<T> {
    read_raw_as(raw, None, read)
}

/// [`read_raw`], messages calling the value `what` (where its path would not name it as the
/// file's readers always have).
pub(crate) fn read_raw_as<'r, T>(
    raw: &'r Raw,
    what: Option<&'r str>,
    read: impl FnOnce(Node<'r>) -> Result<T, Error>,
) -> Read<T> {
    let node = Node {
        what,
        ..Node::new(&raw.value, raw.path.clone())
    };
    read(node).map_err(
        |e| match e.locate_as(&raw.path, Some(&raw.value), &[], what).0 {
            Kind::Located(issue) => issue,
            _ => unreachable!("locate always places the issue"),
        },
    )
}

fn from_node<T: DeserializeOwned>(node: Node<'_>) -> Read<T> {
    let path = node.path.clone();
    T::deserialize(node).map_err(|e| e.into_issue(&path))
}

// Readers for `#[serde(deserialize_with = "…")]`, for the scenario's own file structs.
pub(crate) use crate::config::read::{positive_duration, share};

/// A value with the path it was read at.
pub(crate) struct Raw {
    pub path: Path,
    pub value: Value,
}

/// A value read as `T`, with the path it was read at (for checks that need other sections:
/// references, dates against the start).
#[derive(Clone, Debug)]
pub(crate) struct At<T> {
    pub path: Path,
    pub value: T,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for At<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Raw::deserialize(d)?;
        let value = read_raw(&raw, T::deserialize).map_err(raise)?;
        Ok(At {
            path: raw.path,
            value,
        })
    }
}

/// The newtype-struct name under which [`Node`] delivers its path and value.
const RAW: &str = "$dccsim::scenario::Raw";

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct RawVisitor;
        impl<'de> Visitor<'de> for RawVisitor {
            type Value = Raw;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scenario value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
                let path: Vec<Seg> = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::custom("no path"))?;
                let value = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::custom("no value"))?;
                Ok(Raw { path, value })
            }
        }
        d.deserialize_newtype_struct(RAW, RawVisitor)
    }
}

impl<'de> Deserialize<'de> for Seg {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SegVisitor;
        impl Visitor<'_> for SegVisitor {
            type Value = Seg;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key or an index")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Seg, E> {
                Ok(Seg::Key(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Seg, E> {
                Ok(Seg::Index(v as usize))
            }
        }
        d.deserialize_any(SegVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_names_follow_the_path() {
        let k = |s: &str| Seg::Key(s.to_string());
        assert_eq!(what_of(&[k("scenario"), k("seed")]), "`seed` in [scenario]");
        assert_eq!(
            what_of(&[k("traffic"), Seg::Index(0), k("hourly"), Seg::Index(3)]),
            "entry 4 of `hourly` in [[traffic]]"
        );
        assert_eq!(title_of(&[k("csp"), k("north")]), "[csp.north]");
        assert_eq!(
            title_of(&[k("dsp"), k("service_time")]),
            "`dsp.service_time`"
        );
    }

    #[test]
    fn raw_delivers_path_and_value() {
        let value: Value = toml::from_str::<toml::Table>("a = [1, { b = \"x\" }]")
            .map(Value::Table)
            .unwrap();
        let path = vec![Seg::Key("root".into())];
        let raw: Raw = from_value(&value, &path).unwrap();
        assert_eq!(raw.path, path);
        assert_eq!(raw.value, value);
    }
}
