//! The GB world's partitioning: the DCC side (DSP, Users, CPL, SMETS1 service, alert source) in
//! partition 0, the CSPs in partition 1, the premises cut into contiguous blocks over partitions
//! 1 and up, a flat's building and every actor of a premises kept with it, and the lookahead of
//! the links between them (`lookahead`).

use super::GbWorld;
use crate::csp::Csp;
use crate::ev::Charger;
use crate::han::Building;
use crate::hub::Hub;
use crate::ids::Kinds;
use crate::lookahead::{self, Feature, Side};
use crate::meter::Meter;
use dccsim_sim::{ActorId, Kind, Partitioning};

/// One partition's actors outside the DCC side (its CSPs, hubs, meters, buildings, chargers)
/// at the end of a partitioned run, each with its index: what another process ships to process
/// 0 so that it can hold every actor's end state.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PartitionEnd {
    csps: Vec<(u32, Csp)>,
    hubs: Vec<(u32, Hub)>,
    esmes: Vec<(u32, Meter)>,
    gsmes: Vec<(u32, Meter)>,
    buildings: Vec<(u32, Building)>,
    chargers: Vec<(u32, Charger)>,
}

impl GbWorld {
    /// Places this world's actors over `workers` partitions (deterministic from the premises'
    /// indices and `workers`), with the scenario's lookahead; refused with a plain message when a
    /// link between the sides has no lookahead and the run would need one (`workers` ≥ 2).
    pub fn partitioning(&self, workers: u32) -> Result<Partitioning, String> {
        assert!(workers >= 1, "at least one worker");
        let lookahead = if workers == 1 {
            dccsim_sim::SimDuration::ZERO
        } else {
            let ev_report = self
                .ev
                .as_ref()
                .map_or(dccsim_sim::SimDuration::ZERO, |ev| {
                    ev.shared.config.chargers.report_latency
                });
            lookahead::lookahead(
                &self.core.csp,
                |f| match f {
                    Feature::Always => true,
                    Feature::Alerts => self.alerts.is_some(),
                    Feature::Firmware => self.firmware.config.is_modelled(),
                    Feature::Ev => self.ev.is_some(),
                },
                ev_report,
            )?
        };
        let mut p = Partitioning::new(workers, lookahead);
        p.place(
            Kinds::CSP,
            Side::Csp.partition().expect("the CSPs have a partition"),
        );
        let bounds = self.premises_bounds(workers);
        let first_from = |indices: &[u32]| -> Vec<u32> {
            bounds
                .iter()
                .map(|&b| indices.partition_point(|&p| p < b) as u32)
                .collect()
        };
        p.spread(Kinds::HUB, bounds.clone());
        p.spread(Kinds::ESME, bounds.clone());
        let gas: Vec<u32> = self.gsmes.iter().map(|m| m.premises).collect();
        p.spread(Kinds::GSME, first_from(&gas));
        let buildings: Vec<u32> = self.buildings.iter().map(|b| b.first).collect();
        p.spread(Kinds::BUILDING, first_from(&buildings));
        p.spread(Kinds::CHARGER, first_from(self.core.chargers.premises()));
        self.check_premises_together(&p);
        Ok(p)
    }

    /// Takes partition `part`'s actors outside the DCC side from `other`, the world that ran it,
    /// at the end of a partitioned run (this world ran partition 0): afterwards this world holds
    /// every actor's end state, as the sequential run's would.
    pub fn take_partition(&mut self, other: &mut GbWorld, p: &Partitioning, part: u32) {
        fn take<T>(mine: &mut [T], theirs: &mut [T], kind: Kind, p: &Partitioning, part: u32) {
            for (i, (m, t)) in mine.iter_mut().zip(theirs).enumerate() {
                if p.of(ActorId::new(kind, i as u32)) == part {
                    std::mem::swap(m, t);
                }
            }
        }
        take(&mut self.csps, &mut other.csps, Kinds::CSP, p, part);
        take(&mut self.hubs, &mut other.hubs, Kinds::HUB, p, part);
        take(&mut self.esmes, &mut other.esmes, Kinds::ESME, p, part);
        take(&mut self.gsmes, &mut other.gsmes, Kinds::GSME, p, part);
        take(
            &mut self.buildings,
            &mut other.buildings,
            Kinds::BUILDING,
            p,
            part,
        );
        if let (Some(mine), Some(theirs)) = (&mut self.ev, &mut other.ev) {
            take(
                &mut mine.chargers,
                &mut theirs.chargers,
                Kinds::CHARGER,
                p,
                part,
            );
        }
    }

    /// Partition `part`'s actors outside the DCC side in this world (which ran it): what
    /// [`GbWorld::put_partition`] puts into the world that ran partition 0.
    pub fn partition_end(&self, p: &Partitioning, part: u32) -> PartitionEnd {
        fn mine<T: Clone>(all: &[T], kind: Kind, p: &Partitioning, part: u32) -> Vec<(u32, T)> {
            (0..all.len() as u32)
                .filter(|&i| p.of(ActorId::new(kind, i)) == part)
                .map(|i| (i, all[i as usize].clone()))
                .collect()
        }
        PartitionEnd {
            csps: mine(&self.csps, Kinds::CSP, p, part),
            hubs: mine(&self.hubs, Kinds::HUB, p, part),
            esmes: mine(&self.esmes, Kinds::ESME, p, part),
            gsmes: mine(&self.gsmes, Kinds::GSME, p, part),
            buildings: mine(&self.buildings, Kinds::BUILDING, p, part),
            chargers: match &self.ev {
                Some(ev) => mine(&ev.chargers, Kinds::CHARGER, p, part),
                None => Vec::new(),
            },
        }
    }

    /// Puts another partition's actors outside the DCC side (see [`GbWorld::partition_end`]) in place of
    /// this world's: afterwards this world holds their end state, as [`GbWorld::take_partition`]
    /// would.
    pub fn put_partition(&mut self, end: PartitionEnd) {
        fn put<T>(all: &mut [T], theirs: Vec<(u32, T)>) {
            for (i, actor) in theirs {
                all[i as usize] = actor;
            }
        }
        put(&mut self.csps, end.csps);
        put(&mut self.hubs, end.hubs);
        put(&mut self.esmes, end.esmes);
        put(&mut self.gsmes, end.gsmes);
        put(&mut self.buildings, end.buildings);
        if let Some(ev) = &mut self.ev {
            put(&mut ev.chargers, end.chargers);
        }
    }

    /// The first premises of each premises partition after the first: blocks with equal numbers
    /// of SMETS2 premises (a SMETS1 premises has no actor events: the SMETS1 service in
    /// partition 0 serves its meter, so counting it would leave the last blocks idle), each moved
    /// on to the end of the building it would cut.
    fn premises_bounds(&self, workers: u32) -> Vec<u32> {
        let blocks = u64::from(workers.saturating_sub(1).max(1));
        let smets2 = |i: usize| {
            self.core
                .population
                .get(i as u32)
                .is_some_and(|p| !p.is_smets1())
        };
        let total = (0..self.hubs.len()).filter(|&i| smets2(i)).count() as u64;
        // The index of SMETS2 premises number `k × total / blocks` (from 0), for each block after
        // the first.
        let mut targets = (1..blocks).map(|k| k * total / blocks).peekable();
        let mut starts = Vec::with_capacity(blocks as usize - 1);
        let mut seen = 0u64;
        for i in 0..self.hubs.len() {
            if !smets2(i) {
                continue;
            }
            while targets.next_if_eq(&seen).is_some() {
                starts.push(i as u32);
            }
            seen += 1;
        }
        starts.extend(targets.map(|_| self.hubs.len() as u32));
        starts
            .into_iter()
            .map(
                |b| match self.hubs.get(b as usize).and_then(|h| h.link.building()) {
                    Some(i) => {
                        let building = &self.buildings[i as usize];
                        if building.first == b {
                            b
                        } else {
                            building.first + building.flats.len() as u32
                        }
                    }
                    None => b,
                },
            )
            .collect()
    }

    /// Every actor of a premises (and a flat's building) is in its hub's partition, and every
    /// kind is on its side: a broken placement is a bug, caught once when the run is built.
    fn check_premises_together(&self, p: &Partitioning) {
        let hub = |premises: u32| p.of(Kinds::hub(premises));
        let with_hub = |id: ActorId, premises: u32| {
            assert_eq!(p.of(id), hub(premises), "{id:?} is apart from its premises");
        };
        for (g, m) in self.gsmes.iter().enumerate() {
            with_hub(Kinds::gsme(g as u32), m.premises);
        }
        for (i, b) in self.buildings.iter().enumerate() {
            for k in 0..b.flats.len() as u32 {
                with_hub(Kinds::building(i as u32), b.first + k);
            }
        }
        for (c, &premises) in self.core.chargers.premises().iter().enumerate() {
            with_hub(Kinds::charger(c as u32), premises);
        }
        for kind in 0..dccsim_sim::actor::MAX_KINDS {
            let id = ActorId::new(Kind(kind), 0);
            if let Some(part) = lookahead::side(Kind(kind)).partition() {
                let part = part.min(p.parts() - 1);
                assert_eq!(p.of(id), part, "{id:?} outside partition {part}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;
    use crate::world::GbWorld;

    #[test]
    fn premises_spread_evenly_and_central_actors_stay_together() {
        let (_, world) = GbWorld::build(&fixture::example(1_000));
        let p = world.partitioning(3).expect("the example has a WAN floor");
        assert_eq!(p.lookahead(), dccsim_sim::SimDuration::from_millis(50));
        assert_eq!(p.of(Kinds::dsp()), 0);
        let second = (0..1_000).filter(|&i| p.of(Kinds::hub(i)) == 2).count();
        assert!(
            (400..=600).contains(&second),
            "{second} premises in partition 2"
        );
        assert_eq!(p.of(Kinds::hub(0)), 1);
        assert_eq!(p.of(Kinds::esme(999)), 2);
        assert_eq!(world.partitioning(1).unwrap().of(Kinds::hub(999)), 0);
    }

    #[test]
    fn events_between_processes_survive_the_wire() {
        use crate::msg::{Leg, Msg, Request};
        use crate::sr::{DeviceType, Role, SrType};
        for role in Role::ALL {
            let req = Request {
                sent: dccsim_sim::SimTime(123_456),
                premises: 77,
                user: 3,
                sr: SrType::ReadInstantaneousImport,
                device: DeviceType::Gsme,
                role,
                leg: Leg::Inbound,
                arg: 999,
                attempt: 2,
            };
            let ev = dccsim_sim::queue::Event {
                time: 5_000_000,
                tie: (7 << 32) | 9,
                to: Kinds::hub(77).raw(),
                msg: Msg::AtCsp(req),
            };
            let bytes = bincode::serialize(&ev).unwrap();
            let back: dccsim_sim::queue::Event<Msg> = bincode::deserialize(&bytes).unwrap();
            assert_eq!((back.time, back.tie, back.to), (ev.time, ev.tie, ev.to));
            assert_eq!(back.msg, ev.msg);
        }
    }

    #[test]
    fn a_partitions_actors_survive_the_wire_into_the_central_world() {
        let (_, mut ran) = GbWorld::build(&fixture::example(300));
        let p = ran.partitioning(3).unwrap();
        for (i, m) in ran.esmes.iter_mut().enumerate() {
            m.reads = i as u32 + 1;
        }
        let bytes = bincode::serialize(&ran.partition_end(&p, 2)).unwrap();
        let (_, mut central) = GbWorld::build(&fixture::example(300));
        central.put_partition(bincode::deserialize(&bytes).unwrap());
        for (i, m) in central.esmes.iter().enumerate() {
            let theirs = p.of(Kinds::esme(i as u32)) == 2;
            assert_eq!(m.reads, if theirs { i as u32 + 1 } else { 0 }, "meter {i}");
        }
        let hubs = |w: &GbWorld| format!("{:?}", w.hubs);
        let buildings = |w: &GbWorld| format!("{:?}", w.buildings);
        assert_eq!(hubs(&central), hubs(&ran));
        assert_eq!(buildings(&central), buildings(&ran));
    }
}
