//! What every actor of the world reads: the premises, the Service Request path's metric handles
//! and the network the path crosses. Built once by `world`, never changed during a run.

use crate::config;
use crate::ids::{Kinds, UNKNOWN_REGION};
use crate::msg::Msg;
use crate::population::{ChargerIndex, PopulationTable};
use crate::region::{Region, RegionMap};
use crate::sr::SrType;
use dccsim_sim::{metric_name, ActorId, CounterId, Ctx, FlowId, GaugeId, Kernel, SimDuration};
use std::collections::BTreeMap;

/// A regional stage of a Service Request's path, for the per-hop flows
/// `sr.hop{hop,region,sr}`; the DSP's own flow `sr.hop{hop=dsp,sr}` is national.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Hop {
    /// One crossing of the network between the DSP and the region's CSP (each way).
    DspCsp,
    /// Time at the region's CSP head-end: queueing plus service (each visit).
    Csp,
    /// One WAN crossing between CSP and hub.
    Wan,
    /// One HAN crossing between hub and meter.
    Han,
    /// The meter's time to act and answer.
    Device,
}

impl Hop {
    const ALL: [Hop; 5] = [Hop::DspCsp, Hop::Csp, Hop::Wan, Hop::Han, Hop::Device];

    pub fn name(self) -> &'static str {
        match self {
            Hop::DspCsp => "dsp-csp",
            Hop::Csp => "csp",
            Hop::Wan => "wan",
            Hop::Han => "han",
            Hop::Device => "device",
        }
    }
}

/// Per-SR metric handles, registered for the SR types the scenario's traffic uses.
struct SrIds {
    /// `sr.requested{region,sr}`, region index 3 = unknown device.
    requested: [CounterId; 4],
    completed: [CounterId; 3],
    e2e: [FlowId; 3],
    dsp_hop: FlowId,
    /// `[region][hop]`, hops in [`Hop::ALL`] order.
    regional_hops: [[FlowId; 5]; 3],
}

/// Metric handles registered at build time.
pub struct MetricIds {
    by_sr: Vec<Option<SrIds>>,
    pub dsp_wait: FlowId,
    pub csp_wait: [FlowId; 3],
    pub dsp_queue: GaugeId,
    pub dsp_busy: GaugeId,
    pub csp_queue: [GaugeId; 3],
    pub csp_busy: [GaugeId; 3],
    pub in_flight: GaugeId,
    /// `smets1.e2e{sr}`: end-to-end latency of requests to SMETS1 meters, by SR (empty without
    /// `[[migration]]`; see [`MetricIds::register_smets1`]).
    smets1_e2e: Vec<Option<FlowId>>,
}

impl MetricIds {
    #[inline]
    fn sr(&self, sr: SrType) -> &SrIds {
        self.by_sr[sr.index()]
            .as_ref()
            .expect("only SR types in the scenario's traffic are sent")
    }
    #[inline]
    pub fn requested(&self, sr: SrType, region: usize) -> CounterId {
        self.sr(sr).requested[region]
    }
    #[inline]
    pub fn completed(&self, sr: SrType, region: usize) -> CounterId {
        self.sr(sr).completed[region]
    }
    #[inline]
    pub fn e2e(&self, sr: SrType, region: usize) -> FlowId {
        self.sr(sr).e2e[region]
    }
    /// The DSP's per-visit flow for `sr`: queueing plus service.
    #[inline]
    pub fn dsp_hop(&self, sr: SrType) -> FlowId {
        self.sr(sr).dsp_hop
    }
    /// The flow of `hop` for `sr` in `region`.
    #[inline]
    pub fn hop(&self, sr: SrType, region: Region, hop: Hop) -> FlowId {
        self.sr(sr).regional_hops[region.index()][hop as usize]
    }

    /// The `smets1.e2e{sr}` flow of a request to `premises`, if that is a SMETS1 premises.
    #[inline]
    pub fn smets1_e2e(
        &self,
        sr: SrType,
        premises: u32,
        population: &PopulationTable,
    ) -> Option<FlowId> {
        let flow = (*self.smets1_e2e.get(sr.index())?)?;
        population
            .get(premises)
            .is_some_and(|p| p.is_smets1())
            .then_some(flow)
    }

    /// Registers `smets1.e2e{sr}` with its TRT for every SR type the world may send that the DCC
    /// serves for SMETS1 meters (`supports`).
    pub fn register_smets1(
        &mut self,
        kernel: &mut Kernel<Msg>,
        supports: impl Fn(SrType) -> bool,
        trt: &BTreeMap<SrType, SimDuration>,
    ) {
        self.smets1_e2e = SrType::ALL
            .map(|sr| {
                (self.by_sr[sr.index()].is_some() && supports(sr)).then(|| {
                    let name = metric_name("smets1.e2e", &[("sr", sr.number())]);
                    kernel.metrics.flow(name, Some(trt[&sr]))
                })
            })
            .into();
    }

    /// Registers the handles of every SR type `sends` says the world may send, with the SRs'
    /// Target Response Times `trt`.
    pub fn register(
        kernel: &mut Kernel<Msg>,
        sends: impl Fn(SrType) -> bool,
        trt: &BTreeMap<SrType, SimDuration>,
    ) -> Self {
        let m = &mut kernel.metrics;
        let per_region = |m: &mut dccsim_sim::Metrics, name: &str| {
            Region::ALL.map(|r| m.gauge(metric_name(name, &[("region", r.name())])))
        };
        let by_sr = SrType::ALL
            .map(|sr| {
                if !sends(sr) {
                    return None;
                }
                let labels =
                    |region: &str| metric_name("", &[("region", region), ("sr", sr.number())]);
                let regions = [
                    Region::North.name(),
                    Region::Central.name(),
                    Region::South.name(),
                    UNKNOWN_REGION,
                ];
                Some(SrIds {
                    requested: regions.map(|r| m.counter(format!("sr.requested{}", labels(r)))),
                    completed: Region::ALL
                        .map(|r| m.counter(format!("sr.completed{}", labels(r.name())))),
                    e2e: Region::ALL
                        .map(|r| m.flow(format!("sr.e2e{}", labels(r.name())), Some(trt[&sr]))),
                    dsp_hop: m.flow(
                        metric_name("sr.hop", &[("hop", "dsp"), ("sr", sr.number())]),
                        None,
                    ),
                    regional_hops: Region::ALL.map(|r| {
                        Hop::ALL.map(|h| {
                            m.flow(
                                metric_name(
                                    "sr.hop",
                                    &[("hop", h.name()), ("region", r.name()), ("sr", sr.number())],
                                ),
                                None,
                            )
                        })
                    }),
                })
            })
            .into();
        MetricIds {
            by_sr,
            dsp_wait: m.flow("dsp.wait".into(), None),
            csp_wait: Region::ALL
                .map(|r| m.flow(metric_name("csp.wait", &[("region", r.name())]), None)),
            dsp_queue: m.gauge("dsp.queue".into()),
            dsp_busy: m.gauge("dsp.busy".into()),
            csp_queue: per_region(m, "csp.queue"),
            csp_busy: per_region(m, "csp.busy"),
            in_flight: m.gauge("sr.in_flight".into()),
            smets1_e2e: Vec::new(),
        }
    }
}

/// What every actor may read but none may change: the premises, the SR path's metric handles,
/// the CSPs' networks (every WAN crossing draws its region's latency) and the devices' response
/// times. Each feature's own read-only part travels beside it (`HanShared`, `EvShared`,
/// `FirmwareShared`); an actor's own settings live in the actor.
pub struct Core {
    pub population: PopulationTable,
    pub ids: MetricIds,
    /// `[csp.<region>]`: each region's CSP and WAN.
    pub csp: RegionMap<config::Csp>,
    /// `[devices]`: how long meters take to act and answer.
    pub devices: config::Devices,
    /// How many suppliers there are: DCC User numbers after theirs are DNOs'.
    pub suppliers: u16,
    /// Which premises have an EV charger (none without `[ev]`).
    pub chargers: ChargerIndex,
    /// `sr.class_e2e{class,sr}` (with `[priority]` only).
    pub class_flows: crate::priority::ClassFlows,
    /// `sr.user_e2e{sr,user}` (with `[throttle]` only).
    pub user_flows: crate::throttle::UserFlows,
    /// Device alerts' handles and routing, when the scenario models alerts.
    pub alerts: Option<crate::alert::AlertShared>,
}

impl Core {
    /// The alert feature's shared part (only alerts' own messages ask, and they exist only when
    /// alerts are modelled).
    #[inline]
    pub fn alerts(&self) -> &crate::alert::AlertShared {
        self.alerts
            .as_ref()
            .expect("alerts travel only when alerts are modelled")
    }

    /// The actor of DCC User `user`: suppliers come first, then DNOs.
    #[inline]
    pub fn user_actor(&self, user: u16) -> ActorId {
        if user < self.suppliers {
            Kinds::supplier(user)
        } else {
            Kinds::dno(user - self.suppliers)
        }
    }

    /// The region of a device's premises (which must exist: the DSP has authorised it).
    #[inline]
    pub fn region_of(&self, premises: u32) -> Region {
        self.population
            .get(premises)
            .expect("a device's premises exists")
            .region()
    }

    /// Draws one crossing of the WAN (this region's CSP technology) for `sr`, after `queued` on
    /// the region's shared downlink (zero for the uplink), and records it in the WAN hop's flow.
    /// (HAN crossings, with their losses and retries, are `han`'s.)
    pub fn wan_crossing(
        &self,
        sr: SrType,
        region: Region,
        queued: SimDuration,
        ctx: &mut Ctx<'_, Msg>,
    ) -> SimDuration {
        let latency = self.csp.get(region).wan_latency(&mut ctx.rng());
        let d = SimDuration::from_micros(latency.as_micros() + queued.as_micros());
        ctx.record(self.ids.hop(sr, region, Hop::Wan), d);
        d
    }

    /// Draws one crossing of the network between the DSP and `region`'s CSP for `sr` (either
    /// way), and records it in that hop's flow.
    pub fn dsp_crossing(&self, sr: SrType, region: Region, ctx: &mut Ctx<'_, Msg>) -> SimDuration {
        let d = self.csp.get(region).dsp_crossing(&mut ctx.rng());
        ctx.record(self.ids.hop(sr, region, Hop::DspCsp), d);
        d
    }
}
