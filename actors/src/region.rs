//! The DCC's three communications regions, each served by its own CSP.

use std::fmt;

/// A DCC region. North is served by Arqiva's long-range radio; Central and South by Telefónica's
/// cellular network with mesh for hard-to-reach premises (DOMAIN §1).
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Region {
    North,
    Central,
    South,
}

impl Region {
    pub const ALL: [Region; 3] = [Region::North, Region::Central, Region::South];

    /// The lower-case name used in scenario keys and metric labels.
    pub fn name(self) -> &'static str {
        match self {
            Region::North => "north",
            Region::Central => "central",
            Region::South => "south",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn from_index(i: usize) -> Region {
        Region::ALL[i]
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One value per region.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionMap<T> {
    pub north: T,
    pub central: T,
    pub south: T,
}

impl<T> RegionMap<T> {
    pub fn get(&self, r: Region) -> &T {
        match r {
            Region::North => &self.north,
            Region::Central => &self.central,
            Region::South => &self.south,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (Region, &T)> {
        Region::ALL.into_iter().map(move |r| (r, self.get(r)))
    }
}

/// How a CSP reaches the hubs of its region; each has its own default WAN latency (DOMAIN §1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Technology {
    /// Arqiva's ~400 MHz long-range radio (North): slow, narrow.
    LongRangeRadio,
    /// Telefónica 2G/3G and Vodafone 4G hubs (Central, South).
    Cellular,
    /// Mesh for hard-to-reach meters: extra hops, slower than cellular.
    Mesh,
}

impl Technology {
    pub fn name(self) -> &'static str {
        match self {
            Technology::LongRangeRadio => "long-range-radio",
            Technology::Cellular => "cellular",
            Technology::Mesh => "mesh",
        }
    }

    pub fn from_name(s: &str) -> Option<Technology> {
        [
            Technology::LongRangeRadio,
            Technology::Cellular,
            Technology::Mesh,
        ]
        .into_iter()
        .find(|t| t.name() == s)
    }
}
