//! Event-driven alert storms: a `[[event]] kind = "power-outage"`. SMETS2 Communications Hubs
//! draw their power from the electricity meter and send nothing at the loss \[U: no last-gasp
//! alert modelled\]; when power returns each affected electricity meter sends 0x8F35 Supply Outage
//! Restored (0x8F36 after an outage of 3 minutes or more) to the Network Operator, after a
//! uniform random delay up to the event's `restore_spread` — the storm the DCC must survive.
//! Routine alerts and SRs of the affected premises during the outage are not changed
//! \[limitation\].

use super::config::Outage;
use super::source::{send, Devices};
use crate::han::HanShared;
use crate::msg::Msg;
use crate::shared::Core;
use dccsim_sim::{Ctx, SimDuration, SimTime};

/// Power returns after `outage`, at `at` (now or, with the source's lead, later): every affected
/// premises (a share of the first `premises`, in the outage's region) alerts after its random
/// delay, each raised as of `at`.
pub fn restored(
    outage: &Outage,
    premises: u32,
    at: SimTime,
    core: &Core,
    han: &HanShared,
    devices: &Devices<'_>,
    ctx: &mut Ctx<'_, Msg>,
) {
    let class = outage.class();
    let spread = outage.restore_spread.as_micros() as f64;
    let ahead = at.since(ctx.now()).as_micros();
    for p in 0..premises {
        if outage.region.is_some_and(|r| core.region_of(p) != r) {
            continue;
        }
        if outage.share < 1.0 && !ctx.rng().chance(outage.share) {
            continue;
        }
        let delay = (ctx.rng().uniform() * spread) as u64;
        let after = SimDuration::from_micros(ahead + delay);
        send(class, p, at, after, core, han, devices, ctx);
    }
}
