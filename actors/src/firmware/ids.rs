//! The firmware feature's metric handles that several actors use (CSPs, the DSP, Users),
//! registered once while the world is built.

use super::config::FirmwareConfig;
use crate::region::Region;
use crate::sr::SrType;
use dccsim_sim::{metric_name, CounterId, FlowId, GaugeId, Metrics, SimDuration, SimTime};
use std::collections::BTreeMap;

/// Reads whose end-to-end latency is also recorded by rollout period.
pub const READS: [SrType; 2] = [
    SrType::ReadInstantaneousImport,
    SrType::RetrieveDailyReadLog,
];

/// Where a moment stands against the scenario's rollouts, for `firmware.read_e2e{period}`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Period {
    /// Before the first campaign starts.
    Before,
    /// Some device's image is crossing the WAN.
    During,
    /// After the first start, with no image in transfer (between waves, or after the rollout).
    After,
}

impl Period {
    const ALL: [Period; 3] = [Period::Before, Period::During, Period::After];

    fn name(self) -> &'static str {
        match self {
            Period::Before => "before",
            Period::During => "during",
            Period::After => "after",
        }
    }
}

/// Handles shared by the actors the firmware path crosses.
#[derive(Debug)]
pub struct FirmwareIds {
    /// `csp.wan_bytes{kind=command,region}`: bytes of ordinary commands on each region's WAN.
    pub command_bytes: [GaugeId; 3],
    /// The rest exist only when the scenario has campaigns.
    rollout: Option<RolloutIds>,
}

/// Handles of a scenario with firmware campaigns.
#[derive(Debug)]
pub struct RolloutIds {
    /// `csp.wan_bytes{kind=firmware,region}`.
    pub image_bytes: [GaugeId; 3],
    /// `firmware.in_transfer`: devices of every campaign whose image is on its way.
    pub in_transfer: GaugeId,
    /// Per campaign: `firmware.restored{campaign}`, Suspended devices back in service.
    pub restored: Vec<CounterId>,
    /// Per campaign: `firmware.warned{campaign}`, 11.1 accepted for a device not Commissioned.
    pub warned: Vec<CounterId>,
    /// Per campaign: `firmware.no_upgrade_pathway{campaign}`, 11.1 refused (E11) because the
    /// target's CPL entries allow no upgrade from the device's current model.
    pub no_pathway: Vec<CounterId>,
    /// `firmware.read_e2e{period,region,sr}`, `[read][region][period]`.
    reads: [Option<[[FlowId; 3]; 3]>; 2],
    /// When the first campaign starts.
    first_start: SimTime,
}

impl FirmwareIds {
    /// Registers the handles; `sent` says which SR types the world's traffic sends (the reads it
    /// watches by rollout period), `trt` their Target Response Times.
    pub fn register(
        m: &mut Metrics,
        fw: &FirmwareConfig,
        sent: impl Fn(SrType) -> bool,
        trt: &BTreeMap<SrType, SimDuration>,
    ) -> FirmwareIds {
        let per_region = |m: &mut Metrics, kind: &str| {
            Region::ALL.map(|r| {
                m.gauge(metric_name(
                    "csp.wan_bytes",
                    &[("kind", kind), ("region", r.name())],
                ))
            })
        };
        let command_bytes = per_region(m, "command");
        if !fw.is_modelled() {
            return FirmwareIds {
                command_bytes,
                rollout: None,
            };
        }
        let per_campaign = |m: &mut Metrics, name: &str| -> Vec<CounterId> {
            fw.campaigns
                .iter()
                .map(|c| m.counter(metric_name(name, &[("campaign", &c.id)])))
                .collect()
        };
        let reads = READS.map(|sr| {
            sent(sr).then(|| {
                Region::ALL.map(|r| {
                    Period::ALL.map(|p| {
                        m.flow(
                            metric_name(
                                "firmware.read_e2e",
                                &[
                                    ("period", p.name()),
                                    ("region", r.name()),
                                    ("sr", sr.number()),
                                ],
                            ),
                            Some(trt[&sr]),
                        )
                    })
                })
            })
        });
        let rollout = RolloutIds {
            image_bytes: per_region(m, "firmware"),
            in_transfer: m.gauge("firmware.in_transfer".into()),
            restored: per_campaign(m, "firmware.restored"),
            warned: per_campaign(m, "firmware.warned"),
            no_pathway: per_campaign(m, "firmware.no_upgrade_pathway"),
            reads,
            first_start: fw
                .campaigns
                .iter()
                .map(|c| SimTime(c.start.as_micros()))
                .min()
                .expect("a modelled rollout has campaigns"),
        };
        FirmwareIds {
            command_bytes,
            rollout: Some(rollout),
        }
    }

    /// The rollout's handles: only the firmware path, which runs only when there are campaigns,
    /// asks for them.
    pub fn rollout(&self) -> &RolloutIds {
        self.rollout
            .as_ref()
            .expect("firmware handles are used only by a scenario with campaigns")
    }

    /// The flow recording `sr`'s end-to-end latency in `region` at `now` by rollout period, if
    /// the scenario has rollouts and `sr` is one of the reads it watches.
    pub fn read_flow(
        &self,
        sr: SrType,
        region: Region,
        now: SimTime,
        metrics: &Metrics,
    ) -> Option<FlowId> {
        let r = self.rollout.as_ref()?;
        let read = READS.iter().position(|&x| x == sr)?;
        let flows = r.reads[read].as_ref()?;
        let period = if now < r.first_start {
            Period::Before
        } else if metrics.gauge_value(r.in_transfer) > 0 {
            Period::During
        } else {
            Period::After
        };
        Some(flows[region.index()][period as usize])
    }
}
