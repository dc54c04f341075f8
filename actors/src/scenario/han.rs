//! `[han]`: the Home Area Network's radio, buildings, reach and channel-selection policy
//! (SECMP0012), read strictly like the rest of the scenario.

use super::reader::{Field, Read, Table};
use super::validate::dist;
use crate::han::config::{Channel, HanRadio, Policy, CHANNELS_2G4, MAX_FLATS_PER_BUILDING};
use dccsim_sim::SimDuration;

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
    use crate::config::defaults;
    use crate::dist::Dist;
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
