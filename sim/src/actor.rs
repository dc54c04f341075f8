//! Actor identity: a kind tag and an index into that kind's `Vec`, packed into one `u32`.
//!
//! The identity is stable: adding actors of one kind never renumbers actors of another kind, and
//! appending actors to a kind never renumbers the ones already there. Random streams and event
//! tie-breaks are keyed on it, so runs stay comparable when a scenario grows.

use std::fmt;

/// Bits of an [`ActorId`] that hold the index within its kind.
pub const INDEX_BITS: u32 = 28;
/// Largest number of actors of one kind (268 million: room for every GB device of a kind).
pub const MAX_PER_KIND: u32 = 1 << INDEX_BITS;
/// Number of distinct actor kinds a world may define.
pub const MAX_KINDS: u8 = 16;

/// A world-defined actor kind, `0..MAX_KINDS`.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Kind(pub u8);

/// An actor's address: its kind and its index in that kind's `Vec`.
#[derive(
    Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct ActorId(u32);

impl ActorId {
    /// The `index`-th actor of `kind`.
    ///
    /// # Panics
    /// If `kind` or `index` is out of range: that is a world-building bug, not bad input.
    #[inline]
    pub fn new(kind: Kind, index: u32) -> Self {
        assert!(kind.0 < MAX_KINDS, "actor kind {} out of range", kind.0);
        assert!(
            index < MAX_PER_KIND,
            "actor index {index} exceeds {MAX_PER_KIND}"
        );
        ActorId(((kind.0 as u32) << INDEX_BITS) | index)
    }

    #[inline]
    pub fn kind(self) -> Kind {
        Kind((self.0 >> INDEX_BITS) as u8)
    }

    #[inline]
    pub fn index(self) -> u32 {
        self.0 & (MAX_PER_KIND - 1)
    }

    /// The packed form, used in tie-breaks and as the actor's random stream number.
    #[inline]
    pub fn raw(self) -> u32 {
        self.0
    }
}

impl fmt::Debug for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}:{}", self.kind().0, self.index())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_unpacks() {
        let id = ActorId::new(Kind(7), 123_456_789);
        assert_eq!(id.kind(), Kind(7));
        assert_eq!(id.index(), 123_456_789);
        assert!(ActorId::new(Kind(1), 0) > ActorId::new(Kind(0), MAX_PER_KIND - 1));
    }
}
