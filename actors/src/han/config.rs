//! What a scenario says about the Home Area Network (`[han]`): the latency of one send, and the
//! radio — buildings, channels, losses, reach and channel selection (SECMP0012). Plain validated
//! data: `scenario::han` reads it, the rest of `han` runs it.

use crate::config::defaults;
use crate::dist::Dist;
use dccsim_sim::SimDuration;

/// The Home Area Network hop between hub and device.
#[derive(Clone, Debug, PartialEq)]
pub struct Han {
    /// One-way latency hub ↔ device of one send (a crossing with retries takes several).
    pub latency: Dist,
    /// Buildings, channels, losses, reach and channel selection.
    pub radio: HanRadio,
}

/// The HAN beyond one latency draw: who lives in flats, the radio channels and how busy they
/// are, retries, joining, re-scanning, and the Alt HAN / Shared HAN reach solutions. Read from
/// `[han]` (with `latency` and `background_868`, see `scenario::han`).
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HanRadio {
    /// Channel selection for the hubs of a multi-dwelling building (houses always take the
    /// quietest channel).
    pub policy: Policy,
    /// The channel of the `fixed` policy.
    #[serde(deserialize_with = "crate::config::read::fixed_channel")]
    pub fixed_channel: Channel,
    /// Share of premises in multi-dwelling buildings.
    #[serde(deserialize_with = "crate::config::read::share")]
    pub flat_share: f64,
    /// Flats in a building: uniform between these whole numbers, inclusive.
    #[serde(deserialize_with = "crate::config::read::flats_per_building")]
    pub flats_per_building: (u32, u32),
    /// Share of hubs with the 868 MHz band as well as 2.4 GHz.
    #[serde(deserialize_with = "crate::config::read::share")]
    pub dual_band_share: f64,
    /// Loss chance per channel from outside the building (Wi-Fi): ZigBee 11–26, then 868 MHz.
    #[serde(deserialize_with = "crate::config::read::background")]
    pub background: [f64; CHANNELS],
    /// Loss chance each other hub of the building on the same channel adds.
    #[serde(deserialize_with = "crate::config::read::share")]
    pub same_channel: f64,
    /// Loss chance each hub of the building on a neighbouring channel adds.
    #[serde(deserialize_with = "crate::config::read::share")]
    pub adjacent_channel: f64,
    /// Sends after the first before the hub gives up.
    #[serde(deserialize_with = "crate::config::read::count::<_, 0, 15>")]
    pub retries: u32,
    /// Wait before the first retry; doubled at each further retry.
    #[serde(deserialize_with = "crate::config::read::backoff")]
    pub backoff: SimDuration,
    /// Request/answer exchanges needed to join the HAN at install.
    #[serde(deserialize_with = "crate::config::read::count::<_, 1, 32>")]
    pub join_exchanges: u32,
    /// Chance that an energy scan notices a given hub of the building.
    #[serde(deserialize_with = "crate::config::read::share")]
    pub scan_sees_neighbour: f64,
    /// Sends over which a hub judges its loss rate.
    #[serde(deserialize_with = "crate::config::read::count::<_, 1, 1000>")]
    pub rescan_window: u32,
    /// Loss share over a window that makes a hub re-scan (1 = never).
    #[serde(deserialize_with = "crate::config::read::share")]
    pub rescan_loss: f64,
    /// Share of flats the standard HAN cannot reach.
    #[serde(deserialize_with = "crate::config::read::share")]
    pub needs_alt_han: f64,
    /// Share of those flats with Alt HAN equipment.
    #[serde(deserialize_with = "crate::config::read::share")]
    pub alt_han_share: f64,
    /// Share of buildings with a Shared HAN (reaches every flat through its relay).
    #[serde(deserialize_with = "crate::config::read::share")]
    pub shared_han_share: f64,
    /// Time the Alt HAN / Shared HAN relay adds to each send.
    pub relay_latency: Dist,
    /// Chance the relay loses a send.
    #[serde(deserialize_with = "crate::config::read::share")]
    pub relay_loss: f64,
}

impl Default for HanRadio {
    fn default() -> Self {
        let mut background = [defaults::HAN_BACKGROUND_868; CHANNELS];
        background[..CHANNELS_2G4].copy_from_slice(&defaults::HAN_BACKGROUND);
        HanRadio {
            policy: defaults::HAN_POLICY,
            fixed_channel: Channel::zigbee(defaults::HAN_FIXED_CHANNEL).expect("11–26"),
            flat_share: defaults::HAN_FLAT_SHARE,
            flats_per_building: defaults::HAN_FLATS_PER_BUILDING,
            dual_band_share: defaults::HAN_DUAL_BAND_SHARE,
            background,
            same_channel: defaults::HAN_SAME_CHANNEL,
            adjacent_channel: defaults::HAN_ADJACENT_CHANNEL,
            retries: defaults::HAN_RETRIES,
            backoff: defaults::HAN_BACKOFF,
            join_exchanges: defaults::HAN_JOIN_EXCHANGES,
            scan_sees_neighbour: defaults::HAN_SCAN_SEES_NEIGHBOUR,
            rescan_window: defaults::HAN_RESCAN_WINDOW,
            rescan_loss: defaults::HAN_RESCAN_LOSS,
            needs_alt_han: defaults::HAN_NEEDS_ALT_HAN,
            alt_han_share: defaults::HAN_ALT_HAN_SHARE,
            shared_han_share: defaults::HAN_SHARED_HAN_SHARE,
            relay_latency: defaults::HAN_RELAY_LATENCY,
            relay_loss: defaults::HAN_RELAY_LOSS,
        }
    }
}

/// Largest `flats_per_building`: an energy scan costs a draw per neighbour.
pub const MAX_FLATS_PER_BUILDING: u32 = 1000;

/// Channels a hub can be on: the sixteen 2.4 GHz channels, then the 868 MHz band.
pub const CHANNELS: usize = 17;
/// Channels of the 2.4 GHz band (every hub has them).
pub const CHANNELS_2G4: usize = 16;

/// A HAN channel: IEEE 802.15.4 channel 11–26 in the 2.4 GHz band, or the 868 MHz band that
/// dual-band hubs add (one channel here: DOMAIN §7 names no channel plan for it).
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Channel(u8);

impl Channel {
    /// The 868 MHz band.
    pub const SUB_GHZ: Channel = Channel(CHANNELS_2G4 as u8);

    /// ZigBee channel `number` (11–26), if there is one.
    pub fn zigbee(number: u32) -> Option<Channel> {
        (11..=26)
            .contains(&number)
            .then(|| Channel((number - 11) as u8))
    }

    /// The `i`-th channel, `0..CHANNELS`.
    pub fn from_index(i: usize) -> Channel {
        assert!(i < CHANNELS, "channel index {i} out of range");
        Channel(i as u8)
    }

    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The label outputs use: `"11"` … `"26"` or `"868"`.
    pub fn label(self) -> String {
        if self == Channel::SUB_GHZ {
            "868".to_string()
        } else {
            (self.0 as u32 + 11).to_string()
        }
    }

    /// The channels a hub can use: the 2.4 GHz band, and 868 MHz if it is dual-band.
    #[inline]
    pub fn usable(dual_band: bool) -> usize {
        if dual_band {
            CHANNELS
        } else {
            CHANNELS_2G4
        }
    }
}

/// How the hubs of a building choose their HAN channel at install.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Every hub on one channel (`fixed_channel`): no selection at all.
    Fixed,
    /// Each hub on a channel drawn at random from those it can use.
    Random,
    /// Each hub, as it is installed, scans and takes the channel that looks least busy: it sees
    /// the background but notices each hub already installed only with `scan_sees_neighbour`.
    EnergyScan,
    /// A building-wide plan (what a Shared HAN enables): each hub in turn takes the channel with
    /// the least busy probability given every hub already planned, so sharing of the same and
    /// adjacent channels is as low as the channels allow, and never refused.
    Coordinated,
}

impl Policy {
    pub const ALL: [Policy; 4] = [
        Policy::Fixed,
        Policy::Random,
        Policy::EnergyScan,
        Policy::Coordinated,
    ];

    /// The name used in scenarios and in the `policy` label.
    pub fn name(self) -> &'static str {
        match self {
            Policy::Fixed => "fixed",
            Policy::Random => "random",
            Policy::EnergyScan => "energy-scan",
            Policy::Coordinated => "coordinated",
        }
    }

    pub fn from_name(s: &str) -> Option<Policy> {
        Policy::ALL.into_iter().find(|p| p.name() == s)
    }
}
