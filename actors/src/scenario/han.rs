//! `[han]`: the Home Area Network's radio, buildings, reach and channel-selection policy
//! (SECMP0012), read strictly like the rest of the scenario.

use super::defaults;
use super::reader::{Field, Read, Table};
use super::validate::dist;
use crate::dist::Dist;
use crate::han::{Channel, Policy, CHANNELS, CHANNELS_2G4};
use dccsim_sim::SimDuration;

/// The HAN beyond one latency draw: who lives in flats, the radio channels and how busy they
/// are, retries, joining, re-scanning, and the Alt HAN / Shared HAN reach solutions.
#[derive(Clone, Debug, PartialEq)]
pub struct HanRadio {
    /// Channel selection for the hubs of a multi-dwelling building (houses always take the
    /// quietest channel).
    pub policy: Policy,
    /// The channel of the `fixed` policy.
    pub fixed_channel: Channel,
    /// Share of premises in multi-dwelling buildings.
    pub flat_share: f64,
    /// Flats in a building: uniform between these whole numbers, inclusive.
    pub flats_per_building: (u32, u32),
    /// Share of hubs with the 868 MHz band as well as 2.4 GHz.
    pub dual_band_share: f64,
    /// Loss chance per channel from outside the building (Wi-Fi): ZigBee 11–26, then 868 MHz.
    pub background: [f64; CHANNELS],
    /// Loss chance each other hub of the building on the same channel adds.
    pub same_channel: f64,
    /// Loss chance each hub of the building on a neighbouring channel adds.
    pub adjacent_channel: f64,
    /// Sends after the first before the hub gives up.
    pub retries: u32,
    /// Wait before the first retry; doubled at each further retry.
    pub backoff: SimDuration,
    /// Request/answer exchanges needed to join the HAN at install.
    pub join_exchanges: u32,
    /// Chance that an energy scan notices a given hub of the building.
    pub scan_sees_neighbour: f64,
    /// Sends over which a hub judges its loss rate.
    pub rescan_window: u32,
    /// Loss share over a window that makes a hub re-scan (1 = never).
    pub rescan_loss: f64,
    /// Share of flats the standard HAN cannot reach.
    pub needs_alt_han: f64,
    /// Share of those flats with Alt HAN equipment.
    pub alt_han_share: f64,
    /// Share of buildings with a Shared HAN (reaches every flat through its relay).
    pub shared_han_share: f64,
    /// Time the Alt HAN / Shared HAN relay adds to each send.
    pub relay_latency: Dist,
    /// Chance the relay loses a send.
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

/// Every key `[han]` takes.
pub(crate) const HAN_KEYS: [&str; 21] = [
    "latency",
    "policy",
    "fixed_channel",
    "flat_share",
    "flats_per_building",
    "dual_band_share",
    "background",
    "background_868",
    "same_channel",
    "adjacent_channel",
    "retries",
    "backoff",
    "join_exchanges",
    "scan_sees_neighbour",
    "rescan_window",
    "rescan_loss",
    "needs_alt_han",
    "alt_han_share",
    "shared_han_share",
    "relay_latency",
    "relay_loss",
];

/// Largest `flats_per_building`: an energy scan costs a draw per neighbour.
pub const MAX_FLATS_PER_BUILDING: u32 = 1000;

/// Reads `[han]` (absent: every default); the keys were checked by the caller.
pub(crate) fn read_radio(t: Option<&Table<'_>>) -> Read<HanRadio> {
    let mut r = HanRadio::default();
    let Some(t) = t else {
        return Ok(r);
    };
    let share = |key: &str, default: f64| t.get(key).map_or(Ok(default), |f| f.share());
    if let Some(f) = t.get("policy") {
        let names = Policy::ALL.map(Policy::name);
        r.policy = f.one_of("channel-selection policy", &names, Policy::from_name)?;
    }
    if let Some(f) = t.get("fixed_channel") {
        let n = f.int()?;
        r.fixed_channel = u32::try_from(n)
            .ok()
            .and_then(Channel::zigbee)
            .ok_or_else(|| {
                f.issue(format!(
                    "{} must be a ZigBee channel from 11 to 26, found {n}",
                    f.what
                ))
            })?;
    }
    r.flat_share = share("flat_share", r.flat_share)?;
    if let Some(f) = t.get("flats_per_building") {
        r.flats_per_building = flats_per_building(&f)?;
    }
    r.dual_band_share = share("dual_band_share", r.dual_band_share)?;
    if let Some(f) = t.get("background") {
        let levels = background(&f)?;
        r.background[..CHANNELS_2G4].copy_from_slice(&levels);
    }
    r.background[Channel::SUB_GHZ.index()] =
        share("background_868", r.background[Channel::SUB_GHZ.index()])?;
    r.same_channel = share("same_channel", r.same_channel)?;
    r.adjacent_channel = share("adjacent_channel", r.adjacent_channel)?;
    if let Some(f) = t.get("retries") {
        r.retries = f.int_in(0, 15)? as u32;
    }
    if let Some(f) = t.get("backoff") {
        r.backoff = f.duration()?;
        if r.backoff > SimDuration::from_hours(1) {
            return Err(f.issue(format!(
                "{} is {}, longer than an hour; a HAN retry waits milliseconds to seconds",
                f.what, r.backoff
            )));
        }
    }
    if let Some(f) = t.get("join_exchanges") {
        r.join_exchanges = f.int_in(1, 32)? as u32;
    }
    r.scan_sees_neighbour = share("scan_sees_neighbour", r.scan_sees_neighbour)?;
    if let Some(f) = t.get("rescan_window") {
        r.rescan_window = f.int_in(1, 1000)? as u32;
    }
    r.rescan_loss = share("rescan_loss", r.rescan_loss)?;
    r.needs_alt_han = share("needs_alt_han", r.needs_alt_han)?;
    r.alt_han_share = share("alt_han_share", r.alt_han_share)?;
    r.shared_han_share = share("shared_han_share", r.shared_han_share)?;
    if let Some(f) = t.get("relay_latency") {
        r.relay_latency = dist(&f)?;
    }
    r.relay_loss = share("relay_loss", r.relay_loss)?;
    Ok(r)
}

/// `flats_per_building = { min = 2, max = 20 }`.
fn flats_per_building(f: &Field<'_>) -> Read<(u32, u32)> {
    let t = f.table()?;
    t.check_keys(&["min", "max"])?;
    let limit = i64::from(MAX_FLATS_PER_BUILDING);
    let min = t.require("min", "min = 2")?.int_in(1, limit)? as u32;
    let max_field = t.require("max", "max = 20")?;
    let max = max_field.int_in(1, limit)? as u32;
    if max < min {
        return Err(max_field.issue(format!(
            "{} has `max` {max} below `min` {min}; `min` must not exceed `max`",
            t.title
        )));
    }
    Ok((min, max))
}

/// `background = 0.05` (every 2.4 GHz channel) or a list of 16 shares for channels 11–26.
fn background(f: &Field<'_>) -> Read<[f64; CHANNELS_2G4]> {
    if !matches!(f.value, toml::Value::Array(_)) {
        return Ok([f.share()?; CHANNELS_2G4]);
    }
    let entries = f.array()?;
    if entries.len() != CHANNELS_2G4 {
        return Err(f.issue(format!(
            "{} must have {CHANNELS_2G4} entries, one per ZigBee channel from 11 to 26, found {} \
             (or one number for every channel)",
            f.what,
            entries.len()
        )));
    }
    let mut levels = [0.0; CHANNELS_2G4];
    for (slot, entry) in levels.iter_mut().zip(&entries) {
        *slot = entry.share()?;
    }
    Ok(levels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse;

    const BASE: &str = r#"[scenario]
name = "han"
seed = 1
duration = "1h"

[population]
premises = 100

[[supplier]]
name = "alpha"
share = 1
"#;

    #[test]
    fn no_han_table_means_every_default() {
        let s = parse(BASE, "han.toml", &[]).unwrap();
        assert_eq!(s.han.radio, HanRadio::default());
        assert_eq!(s.han.radio.policy, Policy::EnergyScan);
        assert_eq!(
            s.han.radio.background[4], 0.01,
            "channel 15 lies between Wi-Fi channels"
        );
        assert_eq!(
            s.han.radio.background[0], 0.05,
            "channel 11 overlaps Wi-Fi channel 1"
        );
    }

    #[test]
    fn every_key_is_read() {
        let text = format!(
            "{BASE}\n[han]\nlatency = {{ dist = \"const\", value = \"20ms\" }}\n\
             policy = \"coordinated\"\nfixed_channel = 25\nflat_share = 0.5\n\
             flats_per_building = {{ min = 3, max = 9 }}\ndual_band_share = 1\n\
             background = [0.1, 0.1, 0.1, 0.1, 0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.3]\n\
             background_868 = 0.04\nsame_channel = 0.2\nadjacent_channel = 0.05\nretries = 0\n\
             backoff = \"1s\"\njoin_exchanges = 2\nscan_sees_neighbour = 1\nrescan_window = 4\n\
             rescan_loss = 1\nneeds_alt_han = 0.5\nalt_han_share = 0\nshared_han_share = 1\n\
             relay_latency = {{ dist = \"exp\", mean = \"1s\" }}\nrelay_loss = 0.5\n"
        );
        let r = parse(&text, "han.toml", &[]).unwrap().han.radio;
        assert_eq!(r.policy, Policy::Coordinated);
        assert_eq!(r.fixed_channel.label(), "25");
        assert_eq!((r.flat_share, r.flats_per_building), (0.5, (3, 9)));
        assert_eq!(r.dual_band_share, 1.0);
        assert_eq!(r.background[15], 0.3);
        assert_eq!(r.background[Channel::SUB_GHZ.index()], 0.04);
        assert_eq!((r.same_channel, r.adjacent_channel), (0.2, 0.05));
        assert_eq!((r.retries, r.backoff), (0, SimDuration::from_secs(1)));
        assert_eq!(
            (r.join_exchanges, r.rescan_window, r.rescan_loss),
            (2, 4, 1.0)
        );
        assert_eq!(r.scan_sees_neighbour, 1.0);
        assert_eq!(
            (r.needs_alt_han, r.alt_han_share, r.shared_han_share),
            (0.5, 0.0, 1.0)
        );
        assert_eq!(
            r.relay_latency,
            Dist::Exp {
                mean: SimDuration::from_secs(1)
            }
        );
        assert_eq!(r.relay_loss, 0.5);
        // One number sets every 2.4 GHz channel and leaves 868 MHz alone.
        let one = parse(BASE, "han.toml", &["han.background=0.2".into()])
            .unwrap()
            .han
            .radio;
        assert!(one.background[..CHANNELS_2G4].iter().all(|&b| b == 0.2));
        assert_eq!(
            one.background[Channel::SUB_GHZ.index()],
            defaults::HAN_BACKGROUND_868
        );
    }
}
