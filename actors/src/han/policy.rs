//! Channel-selection policies for the hubs of one multi-dwelling building (SECMP0012), and the
//! energy scan a hub runs when it re-scans.

use super::channel::{adjacent, busy, Occupancy};
use super::config::{Channel, Policy, CHANNELS};
use crate::han::config::HanRadio;
use dccsim_sim::StreamRng;

/// Channels for a building's hubs in install order (`dual_band[i]` says whether hub `i` has the
/// 868 MHz band), and the building's occupancy.
pub fn plan(
    policy: Policy,
    radio: &HanRadio,
    dual_band: &[bool],
    rng: &mut StreamRng<'_>,
) -> (Vec<Channel>, Occupancy) {
    let mut occupancy: Occupancy = [0; CHANNELS];
    let mut channels = Vec::with_capacity(dual_band.len());
    for &dual in dual_band {
        let c = match policy {
            Policy::Fixed => radio.fixed_channel,
            Policy::Random => Channel::from_index(rng.below(Channel::usable(dual) as u64) as usize),
            Policy::EnergyScan => energy_scan(radio, &occupancy, dual, rng),
            Policy::Coordinated => least_busy(radio, &occupancy, dual),
        };
        occupancy[c.index()] += 1;
        channels.push(c);
    }
    (channels, occupancy)
}

/// The usable channel that a newcomer would find least busy given `occupancy` (hubs other than
/// itself); ties go to the lowest channel.
pub fn least_busy(radio: &HanRadio, occupancy: &Occupancy, dual_band: bool) -> Channel {
    let mut best = (f64::INFINITY, Channel::from_index(0));
    for i in 0..Channel::usable(dual_band) {
        let c = Channel::from_index(i);
        let p = busy(radio, c, u32::from(occupancy[i]), adjacent(occupancy, c));
        if p < best.0 {
            best = (p, c);
        }
    }
    best.1
}

/// An energy scan by a hub of a building whose other hubs are `occupancy`: it notices each of
/// them with `scan_sees_neighbour`, takes the channel that then looks least busy, and breaks ties
/// at random.
pub fn energy_scan(
    radio: &HanRadio,
    occupancy: &Occupancy,
    dual_band: bool,
    rng: &mut StreamRng<'_>,
) -> Channel {
    let mut seen: Occupancy = [0; CHANNELS];
    for (s, &n) in seen.iter_mut().zip(occupancy) {
        for _ in 0..n {
            if rng.chance(radio.scan_sees_neighbour) {
                *s += 1;
            }
        }
    }
    let usable = Channel::usable(dual_band);
    let mut looks = [0.0; CHANNELS];
    for (i, look) in looks.iter_mut().enumerate().take(usable) {
        let c = Channel::from_index(i);
        *look = busy(radio, c, u32::from(seen[i]), adjacent(&seen, c));
    }
    let looks = &looks[..usable];
    let min = looks.iter().copied().fold(f64::INFINITY, f64::min);
    let ties = looks.iter().filter(|&&p| p == min).count();
    let mut pick = if ties == 1 {
        0
    } else {
        rng.below(ties as u64) as usize
    };
    for (i, &p) in looks.iter().enumerate() {
        if p == min {
            if pick == 0 {
                return Channel::from_index(i);
            }
            pick -= 1;
        }
    }
    unreachable!("the least busy channel is among the usable ones")
}

/// Where a hub of a building goes when it re-scans (its own hub not counted in `occupancy`):
/// under a coordinated plan the building re-plans it with full knowledge; otherwise the hub runs
/// an energy scan of its own.
pub fn rescan(
    policy: Policy,
    radio: &HanRadio,
    occupancy: &Occupancy,
    dual_band: bool,
    rng: &mut StreamRng<'_>,
) -> Channel {
    match policy {
        Policy::Coordinated => least_busy(radio, occupancy, dual_band),
        Policy::Fixed | Policy::Random | Policy::EnergyScan => {
            energy_scan(radio, occupancy, dual_band, rng)
        }
    }
}

/// The quietest channel by background alone: where a house's hub goes (it has no neighbours in
/// the building sense), whatever the buildings' policy.
pub fn quietest(radio: &HanRadio, dual_band: bool) -> Channel {
    least_busy(radio, &[0; CHANNELS], dual_band)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dccsim_sim::RandomStreams;

    fn uniform() -> HanRadio {
        HanRadio {
            background: [0.05; CHANNELS],
            same_channel: 0.1,
            adjacent_channel: 0.02,
            ..HanRadio::default()
        }
    }

    fn max_sharing(occ: &Occupancy) -> u16 {
        *occ.iter().max().unwrap()
    }

    #[test]
    fn names_round_trip() {
        for p in Policy::ALL {
            assert_eq!(Policy::from_name(p.name()), Some(p));
        }
        assert_eq!(Policy::from_name("scan"), None);
    }

    #[test]
    fn fixed_stacks_everyone_coordinated_spreads_them() {
        let r = uniform();
        let mut s = RandomStreams::new(1);
        let mut d = 0;
        let hubs = vec![false; 40];
        let (_, fixed) = plan(Policy::Fixed, &r, &hubs, &mut s.stream(1, &mut d));
        assert_eq!(fixed[r.fixed_channel.index()], 40);
        let (channels, coord) = plan(Policy::Coordinated, &r, &hubs, &mut s.stream(1, &mut d));
        // 40 hubs on 16 channels: never more than three to a channel, and every hub has one.
        assert_eq!(channels.len(), 40);
        assert_eq!(coord.iter().map(|&n| n as usize).sum::<usize>(), 40);
        assert_eq!(max_sharing(&coord), 3);
        assert_eq!(
            coord[Channel::SUB_GHZ.index()],
            0,
            "single-band hubs stay in 2.4 GHz"
        );
        // A few hubs get a channel each, with no two neighbours while there is room.
        let (_, few) = plan(
            Policy::Coordinated,
            &r,
            &[false; 6],
            &mut s.stream(1, &mut d),
        );
        assert_eq!(max_sharing(&few), 1);
        for c in 0..CHANNELS {
            if few[c] > 0 {
                assert_eq!(adjacent(&few, Channel::from_index(c)), 0, "{few:?}");
            }
        }
    }

    #[test]
    fn coordinated_avoids_wifi_channels() {
        let mut r = uniform();
        for c in 0..16 {
            r.background[c] = if [4, 9, 14, 15].contains(&c) {
                0.01
            } else {
                0.3
            };
        }
        let (channels, _) = plan(
            Policy::Coordinated,
            &r,
            &[false; 4],
            &mut RandomStreams::new(1).stream(1, &mut 0),
        );
        let mut got: Vec<String> = channels.iter().map(|c| c.label()).collect();
        got.sort();
        assert_eq!(got, ["15", "20", "25", "26"]);
    }

    #[test]
    fn energy_scan_that_sees_everything_spreads_like_a_plan() {
        let mut r = uniform();
        r.scan_sees_neighbour = 1.0;
        let mut s = RandomStreams::new(4);
        let mut d = 0;
        let (_, occ) = plan(
            Policy::EnergyScan,
            &r,
            &[false; 32],
            &mut s.stream(1, &mut d),
        );
        assert_eq!(max_sharing(&occ), 2);
        // Blind scans clump: hubs that see nobody pick among all channels at random.
        r.scan_sees_neighbour = 0.0;
        let (_, blind) = plan(
            Policy::EnergyScan,
            &r,
            &[false; 32],
            &mut s.stream(1, &mut d),
        );
        assert!(max_sharing(&blind) > 2, "{blind:?}");
    }

    #[test]
    fn houses_take_the_quietest_channel() {
        let mut r = uniform();
        r.background[Channel::SUB_GHZ.index()] = 0.001;
        r.background[9] = 0.002;
        assert_eq!(quietest(&r, false).label(), "20");
        assert_eq!(quietest(&r, true), Channel::SUB_GHZ);
    }
}
