//! The Home Area Network (DOMAIN §7, SECMP0012): houses and multi-dwelling buildings, ZigBee
//! channels and their interference, lost sends with retries and E21, Alt HAN and Shared HAN
//! reach, joining at install, and the channel-selection policy of buildings' hubs.
//!
//! [`install`] lays out the buildings, plans their channels by the scenario's policy and joins
//! every hub's devices; at run time a house's meter draws its HAN crossings at its end of the
//! link ([`link`]) and a flat's hub hands its messages to its [`building`] actor, which holds the
//! channels its hubs share and carries their messages.

pub mod building;
pub mod channel;
pub mod config;
pub mod link;
pub mod policy;

pub use building::{Building, Flat, Reach};
pub use channel::Crossing;
pub use config::{Channel, Han, HanRadio, Policy, CHANNELS, CHANNELS_2G4, MAX_FLATS_PER_BUILDING};
pub use link::{DeviceLink, Dwelling, HubLink};

use crate::hub::Hub;
use crate::meter::Meter;
use crate::msg::Msg;
use crate::streams::Builder;
use dccsim_sim::{metric_name, CounterId, FlowId, Kernel, Metrics};

/// What every HAN actor reads: the `[han]` configuration, metric handles (by [`Dwelling`]) and the
/// houses' loss chance.
#[derive(Clone, Debug)]
pub struct HanShared {
    pub config: Han,
    /// `han.hop{building}`: one delivered crossing, retries included.
    pub hop: [FlowId; 2],
    /// `han.retries{building}`: sends after the first.
    pub retries: [CounterId; 2],
    /// `han.gave_up{building}`: crossings lost after the last retry (each one an E21).
    pub gave_up: [CounterId; 2],
    /// `han.not_joined{building}`: requests for devices that never joined (each one an E21).
    pub not_joined: [CounterId; 2],
    /// `han.channel_changes`: moves of flats' hubs by the re-scan rule.
    pub channel_changes: CounterId,
    /// A house's loss chance per send on its quietest channel (single-band, dual-band hub).
    pub house_busy: [f64; 2],
}

impl HanShared {
    fn new(m: &mut Metrics, config: &Han) -> Self {
        let radio = &config.radio;
        let by = |m: &mut Metrics, name: &str| {
            Dwelling::ALL.map(|d| m.counter(metric_name(name, &[("building", d.name())])))
        };
        HanShared {
            config: config.clone(),
            hop: Dwelling::ALL
                .map(|d| m.flow(metric_name("han.hop", &[("building", d.name())]), None)),
            retries: by(m, "han.retries"),
            gave_up: by(m, "han.gave_up"),
            not_joined: by(m, "han.not_joined"),
            channel_changes: m.counter("han.channel_changes".into()),
            house_busy: [false, true]
                .map(|dual| channel::busy(radio, policy::quietest(radio, dual), 0, 0)),
        }
    }
}

/// The HAN as installed: the buildings and the metric handles.
pub struct Installed {
    pub buildings: Vec<Building>,
    pub shared: HanShared,
}

/// Lays out houses and buildings for every premises with a hub (the population's, then those the
/// installation waves will create), plans each building's channels by
/// the policy, joins every hub's devices to its HAN and sets each hub's link; counts
/// `han.join{building,policy,result}` and records `han.join_time{building=flat}`.
///
/// A flat's join is simulated exchange by exchange (its time depends on the channel); a house's
/// is decided by one draw with the same probability (a house's channel hears only the
/// background), which keeps install fast at GB scale.
pub fn build(
    config: &Han,
    kernel: &mut Kernel<Msg>,
    hubs: &mut [Hub],
    esmes: &mut [Meter],
    gsmes: &mut [Meter],
) -> Installed {
    let radio = &config.radio;
    let latency = &config.latency;
    let n = u32::try_from(hubs.len()).expect("premises fit in 32 bits");
    let ids = HanShared::new(&mut kernel.metrics, config);
    let policy = radio.policy.name();
    let join_ids = Dwelling::ALL.map(|d| {
        ["ok", "failed"].map(|result| {
            kernel.metrics.counter(metric_name(
                "han.join",
                &[
                    ("building", d.name()),
                    ("policy", policy),
                    ("result", result),
                ],
            ))
        })
    });
    let flat_join_time = kernel.metrics.flow(
        metric_name("han.join_time", &[("building", Dwelling::Flat.name())]),
        None,
    );
    let mut joined = [0u64; 2];
    let mut count_join = |kernel: &mut Kernel<Msg>, d: Dwelling, ok: bool| {
        kernel
            .metrics
            .add(join_ids[d as usize][usize::from(!ok)], 1);
        joined[d as usize] += u64::from(ok);
    };

    // Layout: walk the premises; a building takes a run of consecutive premises, a house one.
    let (lo, hi) = radio.flats_per_building;
    let mean_flats = f64::from(lo + hi) / 2.0;
    let s = radio.flat_share;
    // A run starts a building with chance q, so that flats are `s` of premises on average.
    let q = if s >= 1.0 {
        1.0
    } else {
        s / (s + mean_flats * (1.0 - s))
    };
    let house_join = house_join_chance(radio);
    let (mut layout_draws, mut house_draws) = (0, 0);
    let mut buildings: Vec<Building> = Vec::new();
    let mut i = 0u32;
    while i < n {
        let mut rng = kernel.builder_rng(Builder::HanLayout.purpose(), &mut layout_draws);
        if rng.chance(q) {
            let size = (lo + rng.below(u64::from(hi - lo + 1)) as u32).min(n - i);
            let shared_han = rng.chance(radio.shared_han_share);
            let flats = (0..size)
                .map(|_| {
                    let dual = rng.chance(radio.dual_band_share);
                    let needs = rng.chance(radio.needs_alt_han);
                    let alt = rng.chance(radio.alt_han_share);
                    let reach = match (needs, shared_han, alt) {
                        (false, _, _) => Reach::Direct,
                        (true, true, _) => Reach::SharedHan,
                        (true, false, true) => Reach::AltHan,
                        (true, false, false) => Reach::Unreachable,
                    };
                    Flat::new(dual, reach)
                })
                .collect();
            buildings.push(Building::new(i, flats, shared_han));
            i += size;
        } else {
            // A house: the quietest channel, whatever the buildings' policy.
            let dual = rng.chance(radio.dual_band_share);
            let ok = kernel
                .builder_rng(Builder::HanHouseJoin.purpose(), &mut house_draws)
                .chance(house_join[usize::from(dual)]);
            count_join(kernel, Dwelling::House, ok);
            let hub = &mut hubs[i as usize];
            hub.link = HubLink::house(ok);
            let link = DeviceLink::House { dual_band: dual };
            esmes[i as usize].link = link;
            if let Some(g) = hub.gsme {
                gsmes[g as usize].link = link;
            }
            i += 1;
        }
    }

    // Channel plans and joins, building by building in install order. A failed join makes the
    // hub re-scan (the re-scan rule) and try once more on the channel it moves to.
    let (mut plan_draws, mut join_draws) = (0, 0);
    let mut needs_reach = 0u64;
    let mut flats = 0u64;
    for (index, b) in buildings.iter_mut().enumerate() {
        let on_air: Vec<usize> = (0..b.flats.len())
            .filter(|&k| b.flats[k].on_air())
            .collect();
        let dual: Vec<bool> = on_air.iter().map(|&k| b.flats[k].dual_band).collect();
        let mut rng = kernel.builder_rng(Builder::HanPlan.purpose(), &mut plan_draws);
        let plan = b.policy(radio.policy);
        let (channels, occupancy) = policy::plan(plan, radio, &dual, &mut rng);
        for (&k, c) in on_air.iter().zip(channels) {
            b.flats[k].channel = c;
        }
        b.occupancy = occupancy;
        for k in 0..b.flats.len() {
            let f = b.flats[k];
            flats += 1;
            needs_reach += u64::from(f.reach != Reach::Direct);
            let mut t = None;
            if f.on_air() {
                let relayed = f.reach.relayed();
                let busy = channel::busy_for_member(radio, &b.occupancy, f.channel);
                let mut rng = kernel.builder_rng(Builder::HanFlatJoin.purpose(), &mut join_draws);
                t = channel::join(radio, latency, busy, relayed, &mut rng);
                if t.is_none() {
                    b.occupancy[f.channel.index()] -= 1;
                    let mut rng = kernel.builder_rng(Builder::HanPlan.purpose(), &mut plan_draws);
                    let c = policy::rescan(plan, radio, &b.occupancy, f.dual_band, &mut rng);
                    b.occupancy[c.index()] += 1;
                    if c != f.channel {
                        b.flats[k].channel = c;
                        kernel.metrics.add(ids.channel_changes, 1);
                    }
                    let busy = channel::busy_for_member(radio, &b.occupancy, c);
                    let mut rng =
                        kernel.builder_rng(Builder::HanFlatJoin.purpose(), &mut join_draws);
                    t = channel::join(radio, latency, busy, relayed, &mut rng);
                }
            }
            if let Some(t) = t {
                kernel.metrics.record(flat_join_time, t);
            }
            count_join(kernel, Dwelling::Flat, t.is_some());
            hubs[(b.first + k as u32) as usize].link = HubLink::flat(index as u32, t.is_some());
        }
    }

    let all = f64::from(n);
    let m = &mut kernel.metrics;
    m.set_scalar("han.flat_share".into(), flats as f64 / all);
    m.set_scalar("han.buildings".into(), buildings.len() as f64);
    // Premises the standard HAN cannot reach: unreachable without Alt HAN (or a Shared HAN).
    m.set_scalar(
        "han.unreachable_without_alt_han_share".into(),
        needs_reach as f64 / all,
    );
    // Premises whose devices did not join, after Alt HAN, Shared HAN and join failures.
    let joined = joined[0] + joined[1];
    m.set_scalar(
        "han.unreachable_share".into(),
        (u64::from(n) - joined) as f64 / all,
    );
    Installed {
        buildings,
        shared: ids,
    }
}

/// The chance that a house's hub joins (single-band, dual-band): every crossing of every
/// exchange through within its retries, on its quietest channel, with one more try after a
/// failed one (the re-scan finds the same channel: a house has no neighbours).
fn house_join_chance(radio: &HanRadio) -> [f64; 2] {
    [false, true].map(|dual| {
        let lost = channel::busy(radio, policy::quietest(radio, dual), 0, 0);
        let mut all_lost = 1.0;
        for _ in 0..=radio.retries {
            all_lost *= lost;
        }
        let mut once = 1.0;
        for _ in 0..radio.join_exchanges * 2 {
            once *= 1.0 - all_lost;
        }
        1.0 - (1.0 - once) * (1.0 - once)
    })
}

/// End of run: how many hubs share a channel in each building, after every re-scan:
/// `han.hubs_per_channel{hubs=k}` counts (building, channel) pairs with `k` hubs on the air, and
/// the scalars `han.max_hubs_per_channel` (worst building) and `han.max_hubs_per_channel.mean`
/// (mean over buildings of each one's most shared channel).
pub fn finish(buildings: &[Building], metrics: &mut Metrics) {
    let mut pairs: std::collections::BTreeMap<u16, u64> = Default::default();
    let (mut worst, mut sum_max, mut counted) = (0u16, 0u64, 0u64);
    for b in buildings {
        for &n in b.occupancy.iter().filter(|&&n| n > 0) {
            *pairs.entry(n).or_default() += 1;
        }
        let max = b.occupancy.iter().copied().max().unwrap_or(0);
        if max > 0 {
            worst = worst.max(max);
            sum_max += u64::from(max);
            counted += 1;
        }
    }
    for (hubs, count) in pairs {
        let id = metrics.counter(metric_name(
            "han.hubs_per_channel",
            &[("hubs", &hubs.to_string())],
        ));
        metrics.add(id, count);
    }
    metrics.set_scalar("han.max_hubs_per_channel".into(), f64::from(worst));
    let mean = if counted == 0 {
        0.0
    } else {
        sum_max as f64 / counted as f64
    };
    metrics.set_scalar("han.max_hubs_per_channel.mean".into(), mean);
}
