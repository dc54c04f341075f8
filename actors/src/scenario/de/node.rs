//! The serde `Deserializer` of [`super`]: a [`Node`] of the `toml::Value` tree with its path,
//! the [`MapAccess`] of a table (whose keys are where unknown-key messages point), the
//! [`SeqAccess`] of an array, and the parts [`Raw`](super::Raw) is delivered in.

use super::{Error, Kind, RAW};
use crate::scenario::reader::{Issue, Path, Seg};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::Value;

/// A node of the tree being read: its value and where it sits.
pub(crate) struct Node<'a> {
    pub(super) value: &'a Value,
    pub(super) path: Path,
    /// Keys the table takes besides the fields of the struct read from it.
    pub(super) also: &'static [&'static str],
    /// What messages call the value, if not what its path says.
    pub(super) what: Option<&'a str>,
}

impl<'a> Node<'a> {
    pub(crate) fn new(value: &'a Value, path: Path) -> Node<'a> {
        Node {
            value,
            path,
            also: &[],
            what: None,
        }
    }

    fn locate(&self, e: Error) -> Error {
        e.locate_as(&self.path, Some(self.value), self.also, self.what)
    }

    fn wrong(&self, wanted: &str) -> Error {
        self.locate(Error(Kind::Type(wanted.to_string())))
    }

    /// A message about the whole node.
    fn issue(&self, message: String) -> Error {
        Error(Kind::Located(Issue::at(&self.path, message)))
    }

    /// The name of a top-level section this node is, if it is one.
    fn section(&self) -> Option<&str> {
        match self.path.as_slice() {
            [Seg::Key(k)] => Some(k),
            _ => None,
        }
    }

    fn map<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let Value::Table(table) = self.value else {
            if let (Value::Array(_), Some(name)) = (self.value, self.section()) {
                return Err(self.issue(format!(
                    "`{name}` must be a single table written [{name}], not a list"
                )));
            }
            return Err(self.wrong("a table"));
        };
        let entries = Entries {
            iter: table.iter(),
            table: &self.path,
            also: self.also,
            value: None,
        };
        visitor.visit_map(entries).map_err(|e| self.locate(e))
    }

    fn seq<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let Value::Array(items) = self.value else {
            if let (Value::Table(_), Some(name)) = (self.value, self.section()) {
                return Err(self.issue(format!(
                    "`{name}` must be written [[{name}]] (double brackets), one per entry, \
                     not [{name}]"
                )));
            }
            return Err(self.wrong("a list in square brackets"));
        };
        let items = Items {
            iter: items.iter().enumerate(),
            path: &self.path,
        };
        visitor.visit_seq(items).map_err(|e| self.locate(e))
    }
}

impl<'de> Deserializer<'de> for Node<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.value {
            Value::String(s) => visitor.visit_str(s),
            Value::Integer(i) => visitor.visit_i64(*i),
            Value::Float(x) => visitor.visit_f64(*x),
            Value::Boolean(b) => visitor.visit_bool(*b),
            Value::Datetime(_) => self
                .value
                .clone()
                .deserialize_any(visitor)
                .map_err(|e| Error(Kind::Message(e.message().to_string()))),
            Value::Array(_) => return self.seq(visitor),
            Value::Table(_) => return self.map(visitor),
        };
        result.map_err(|e| self.locate(e))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == RAW {
            let parts = RawParts {
                node: Some(&self),
                step: 0,
            };
            return visitor.visit_seq(parts).map_err(|e| self.locate(e));
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.map(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.seq(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Error> {
        self.seq(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct tuple_struct enum identifier ignored_any
    }
}

/// The entries of a table, each value a [`Node`] one key deeper.
struct Entries<'a> {
    iter: toml::map::Iter<'a>,
    table: &'a [Seg],
    pub(super) also: &'static [&'static str],
    value: Option<(&'a String, &'a Value)>,
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.iter.next() else {
            return Ok(None);
        };
        self.value = Some((key, value));
        seed.deserialize(Key {
            key,
            table: self.table,
            also: self.also,
        })
        .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some((key, value)) = self.value.take() else {
            return Err(Error(Kind::Message(
                "a value was read before its key".into(),
            )));
        };
        let mut path = self.table.to_vec();
        path.push(Seg::Key(key.clone()));
        // Errors made after the value's node returned (a range check in a `deserialize_with`
        // reader) are about that value too.
        seed.deserialize(Node::new(value, path.clone()))
            .map_err(|e| e.locate(&path, Some(value), &[]))
    }
}

/// A key of a table: what an unknown key's message points at.
struct Key<'a> {
    key: &'a str,
    table: &'a [Seg],
    pub(super) also: &'static [&'static str],
}

impl<'de> Deserializer<'de> for Key<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str(self.key).map_err(|e: Error| match e.0 {
            Kind::Unknown { .. } => e.locate(self.table, None, self.also),
            _ => {
                let mut path = self.table.to_vec();
                path.push(Seg::Key(self.key.to_string()));
                let mut issue = e.into_issue(&path);
                issue.on_key = true;
                Error(Kind::Located(issue))
            }
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// The elements of an array, each a [`Node`] one index deeper.
struct Items<'a> {
    iter: std::iter::Enumerate<std::slice::Iter<'a, Value>>,
    path: &'a [Seg],
}

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some((i, value)) = self.iter.next() else {
            return Ok(None);
        };
        let mut path = self.path.to_vec();
        path.push(Seg::Index(i));
        seed.deserialize(Node::new(value, path.clone()))
            .map(Some)
            .map_err(|e| e.locate(&path, Some(value), &[]))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// A node's path, then its value: what [`Raw`] reads.
struct RawParts<'n, 'a> {
    node: Option<&'n Node<'a>>,
    step: u8,
}

impl<'de> SeqAccess<'de> for RawParts<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(node) = self.node else {
            return Ok(None);
        };
        self.step += 1;
        match self.step {
            1 => seed.deserialize(PathParts(&node.path)).map(Some),
            _ => {
                self.node = None;
                seed.deserialize(Node::new(node.value, node.path.clone()))
                    .map(Some)
            }
        }
    }
}

/// A path as a list of keys (strings) and indices (numbers).
struct PathParts<'a>(&'a [Seg]);

impl<'de> Deserializer<'de> for PathParts<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        struct Segs<'a>(std::slice::Iter<'a, Seg>);
        impl<'de> SeqAccess<'de> for Segs<'_> {
            type Error = Error;
            fn next_element_seed<T: DeserializeSeed<'de>>(
                &mut self,
                seed: T,
            ) -> Result<Option<T::Value>, Error> {
                match self.0.next() {
                    None => Ok(None),
                    Some(Seg::Key(k)) => seed
                        .deserialize(de::value::StrDeserializer::<Error>::new(k))
                        .map(Some),
                    Some(Seg::Index(i)) => seed
                        .deserialize(de::value::U64Deserializer::<Error>::new(*i as u64))
                        .map(Some),
                }
            }
        }
        visitor.visit_seq(Segs(self.0.iter()))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}
