//! The HAN radio: ZigBee channels 11–26 in the 2.4 GHz band plus the 868 MHz band of dual-band
//! hubs, how busy a channel is, and one message's crossing with its losses, retries and backoff.

use super::config::{Channel, HanRadio, CHANNELS, CHANNELS_2G4};
use crate::dist::Dist;
use dccsim_sim::{SimDuration, StreamRng};

/// Hubs of one building on each channel.
pub type Occupancy = [u16; CHANNELS];

/// Hubs on the channels next to `c` (2.4 GHz channels 5 MHz apart overlap a little; the 868 MHz
/// band has no neighbour).
#[inline]
pub fn adjacent(occupancy: &Occupancy, c: Channel) -> u32 {
    let i = c.index();
    if i >= CHANNELS_2G4 {
        return 0;
    }
    let below = if i > 0 { occupancy[i - 1] } else { 0 };
    let above = if i + 1 < CHANNELS_2G4 {
        occupancy[i + 1]
    } else {
        0
    };
    u32::from(below) + u32::from(above)
}

/// The chance that an attempt on channel `c` is lost: the channel is busy with the background
/// (Wi-Fi and anything else outside the building), or with one of `same` other hubs of the
/// building on `c`, or with one of `adjacent` hubs on a neighbouring channel, each independently.
pub fn busy(radio: &HanRadio, c: Channel, same: u32, adjacent: u32) -> f64 {
    let mut clear = 1.0 - radio.background[c.index()];
    for _ in 0..same {
        clear *= 1.0 - radio.same_channel;
    }
    for _ in 0..adjacent {
        clear *= 1.0 - radio.adjacent_channel;
    }
    let p = 1.0 - clear;
    debug_assert!((0.0..=1.0).contains(&p), "busy probability {p}");
    p
}

/// The busy probability a hub on `c` sees, with the occupancy counting the hub itself.
pub fn busy_for_member(radio: &HanRadio, occupancy: &Occupancy, c: Channel) -> f64 {
    let same = u32::from(occupancy[c.index()]);
    debug_assert!(same >= 1, "the hub itself is on channel {}", c.label());
    busy(radio, c, same - 1, adjacent(occupancy, c))
}

/// One message's way across the HAN.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Crossing {
    /// From the first send until delivery, or until the hub gives up.
    pub time: SimDuration,
    /// Sends, the first included (`1 + retries`).
    pub attempts: u32,
    pub delivered: bool,
}

/// Sends a message until it gets through or the retries run out. Each attempt takes a `latency`
/// draw (plus the relay's, through Alt HAN or Shared HAN equipment) and is lost with probability
/// `busy` (or at the relay); after a loss the sender waits `backoff`, doubled at every retry.
pub fn cross(
    radio: &HanRadio,
    latency: &Dist,
    busy: f64,
    relayed: bool,
    rng: &mut StreamRng<'_>,
) -> Crossing {
    let tries = radio.retries + 1;
    let mut time = 0u64;
    for attempt in 0..tries {
        time += latency.sample(rng).as_micros();
        let mut lost = busy > 0.0 && rng.chance(busy);
        if relayed {
            time += radio.relay_latency.sample(rng).as_micros();
            lost |= radio.relay_loss > 0.0 && rng.chance(radio.relay_loss);
        }
        if !lost {
            return Crossing {
                time: SimDuration::from_micros(time),
                attempts: attempt + 1,
                delivered: true,
            };
        }
        if attempt + 1 < tries {
            time += radio.backoff.as_micros() << attempt;
        }
    }
    Crossing {
        time: SimDuration::from_micros(time),
        attempts: tries,
        delivered: false,
    }
}

/// Joining the HAN at install: `join_exchanges` request/answer exchanges, each crossing of which
/// must get through within its retries, with the same losses as any crossing. Every send of one
/// join takes the same time (one `latency` draw, plus one relay draw if relayed): a join is a
/// burst of sends under the same conditions, and installing a million hubs stays fast. The join
/// time, or `None` if a crossing failed after its last retry.
pub fn join(
    radio: &HanRadio,
    latency: &Dist,
    busy: f64,
    relayed: bool,
    rng: &mut StreamRng<'_>,
) -> Option<SimDuration> {
    let mut send = latency.sample(rng).as_micros();
    let mut clear = 1.0 - busy;
    if relayed {
        send += radio.relay_latency.sample(rng).as_micros();
        clear *= 1.0 - radio.relay_loss;
    }
    let lost = 1.0 - clear;
    let mut time = 0u64;
    for _ in 0..radio.join_exchanges * 2 {
        let mut attempt = 0;
        loop {
            time += send;
            if !(lost > 0.0 && rng.chance(lost)) {
                break;
            }
            if attempt == radio.retries {
                return None;
            }
            time += radio.backoff.as_micros() << attempt;
            attempt += 1;
        }
    }
    Some(SimDuration::from_micros(time))
}

#[cfg(test)]
mod tests {
    use super::*;
    use dccsim_sim::RandomStreams;

    fn radio() -> HanRadio {
        HanRadio {
            background: [0.1; CHANNELS],
            same_channel: 0.2,
            adjacent_channel: 0.05,
            ..HanRadio::default()
        }
    }

    #[test]
    fn channels_are_numbered_like_zigbee() {
        assert_eq!(Channel::zigbee(11).unwrap().index(), 0);
        assert_eq!(Channel::zigbee(26).unwrap().label(), "26");
        assert_eq!(Channel::zigbee(10), None);
        assert_eq!(Channel::zigbee(27), None);
        assert_eq!(Channel::SUB_GHZ.label(), "868");
        assert_eq!(Channel::usable(false), 16);
        assert_eq!(Channel::usable(true), 17);
    }

    #[test]
    fn neighbours_are_the_channels_either_side_in_2g4_only() {
        let mut occ: Occupancy = [0; CHANNELS];
        occ[0] = 2; // 11
        occ[2] = 3; // 13
        occ[15] = 1; // 26
        occ[16] = 4; // 868
        assert_eq!(adjacent(&occ, Channel::zigbee(12).unwrap()), 5);
        assert_eq!(adjacent(&occ, Channel::zigbee(11).unwrap()), 0);
        assert_eq!(adjacent(&occ, Channel::zigbee(25).unwrap()), 1);
        // 26 and the 868 MHz band are not neighbours.
        assert_eq!(adjacent(&occ, Channel::zigbee(26).unwrap()), 0);
        assert_eq!(adjacent(&occ, Channel::SUB_GHZ), 0);
    }

    #[test]
    fn busy_grows_with_same_and_adjacent_hubs() {
        let r = radio();
        let c = Channel::zigbee(15).unwrap();
        assert!((busy(&r, c, 0, 0) - 0.1).abs() < 1e-12);
        // 1 - 0.9 · 0.8 = 0.28; an adjacent hub adds less than a same-channel one.
        assert!((busy(&r, c, 1, 0) - 0.28).abs() < 1e-12);
        assert!(busy(&r, c, 0, 1) < busy(&r, c, 1, 0));
        assert!(busy(&r, c, 5, 2) > busy(&r, c, 4, 2));
        assert!(busy(&r, c, 500, 0) <= 1.0);
    }

    #[test]
    fn crossings_retry_with_doubling_backoff_then_give_up() {
        let r = HanRadio {
            retries: 3,
            backoff: SimDuration::from_millis(100),
            ..HanRadio::default()
        };
        let mut s = RandomStreams::new(1);
        let mut draws = 0;
        let lat = Dist::Const(SimDuration::from_millis(10));
        let always_lost = cross(&r, &lat, 1.0, false, &mut s.stream(9, &mut draws));
        // 4 attempts of 10 ms and waits of 100 + 200 + 400 ms between them.
        assert_eq!(
            always_lost,
            Crossing {
                time: SimDuration::from_millis(40 + 700),
                attempts: 4,
                delivered: false
            }
        );
        let clear = cross(&r, &lat, 0.0, false, &mut s.stream(9, &mut draws));
        assert_eq!(clear.attempts, 1);
        assert!(clear.delivered);
        assert_eq!(clear.time, SimDuration::from_millis(10));
        // Half the attempts lost: the mean number of attempts is near 2 (capped at 4).
        let n = 20_000;
        let total: u32 = (0..n)
            .map(|_| cross(&r, &lat, 0.5, false, &mut s.stream(9, &mut draws)).attempts)
            .sum();
        let mean = total as f64 / n as f64;
        assert!((mean - 1.875).abs() < 0.03, "mean attempts {mean}");
    }

    #[test]
    fn a_join_needs_every_exchange_through() {
        let r = HanRadio {
            join_exchanges: 4,
            retries: 0,
            ..HanRadio::default()
        };
        let mut s = RandomStreams::new(2);
        let mut draws = 0;
        let lat = Dist::Const(SimDuration::from_millis(10));
        let t = join(&r, &lat, 0.0, false, &mut s.stream(3, &mut draws));
        assert_eq!(t, Some(SimDuration::from_millis(80)));
        // Eight crossings without retries at 10% loss: 0.9^8 ≈ 43% join.
        let n = 20_000;
        let ok = (0..n)
            .filter(|_| join(&r, &lat, 0.1, false, &mut s.stream(3, &mut draws)).is_some())
            .count();
        let share = ok as f64 / n as f64;
        assert!((share - 0.9f64.powi(8)).abs() < 0.015, "joined {share}");
    }
}
