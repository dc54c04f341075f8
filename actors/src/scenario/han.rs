//! `[han]`: the Home Area Network's radio, buildings, reach and channel-selection policy
//! (SECMP0012), read strictly like the rest of the scenario.

use super::de::{self, Raw};
use crate::config::defaults;
use crate::han::config::{Channel, Han, HanRadio};
use serde::{Deserialize, Deserializer};

/// Keys of `[han]` that are not fields of [`HanRadio`]: the latency of one send, and the 868 MHz
/// band's background loss (a slot of `HanRadio::background`, which `background` fills for the
/// 2.4 GHz channels).
const OWN_KEYS: &[&str] = &["latency", "background_868"];

/// `[han]`: the latency and the radio, with every default.
impl<'de> Deserialize<'de> for Han {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Raw::deserialize(d)?;
        let toml::Value::Table(mut table) = raw.value.clone() else {
            let what = de::what_of(&raw.path);
            return Err(de::raise(de::wrong_type(
                &raw.path, &what, &raw.value, "a table",
            )));
        };
        let mut own = OWN_KEYS.iter().map(|k| {
            let value = table.remove(*k)?;
            let mut path = raw.path.clone();
            path.push(super::reader::Seg::Key(k.to_string()));
            Some(Raw { path, value })
        });
        let (latency, background_868) = (own.next().flatten(), own.next().flatten());
        let mut radio: HanRadio =
            de::from_table_with(&toml::Value::Table(table), &raw.path, OWN_KEYS)
                .map_err(de::raise)?;
        if let Some(b) = background_868 {
            radio.background[Channel::SUB_GHZ.index()] =
                de::read_raw(&b, crate::config::read::share).map_err(de::raise)?;
        }
        let latency = match latency {
            Some(l) => de::read_raw(&l, crate::dist::Dist::deserialize).map_err(de::raise)?,
            None => defaults::HAN_LATENCY,
        };
        Ok(Han { latency, radio })
    }
}

impl Default for Han {
    fn default() -> Self {
        Han {
            latency: defaults::HAN_LATENCY,
            radio: HanRadio::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::han::config::{Policy, CHANNELS_2G4};
    use crate::scenario::parse;
    use dccsim_sim::SimDuration;

    use crate::scenario::tests::ONE_SUPPLIER as BASE;

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
