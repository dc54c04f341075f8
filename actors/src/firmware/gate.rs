//! The DSP's firmware rules: SR 11.1 only for a target Device Model on the CPL in force (DOMAIN
//! §2, §8), with a warning for devices not Commissioned (DOMAIN §4); and the SMI after a
//! successful SR 11.3: the device now has the target Device Model, and a device Suspended
//! because its old model left the CPL returns to service when the new one is listed.

use super::tag::{Outcome, Tag};
use crate::msg::{Msg, Request};
use crate::smi::{Smi, SmiDevice, SmiStatus, Trigger};
use crate::sr::ResponseCode;
use crate::world::Shared;
use dccsim_sim::Ctx;

fn device(req: &Request) -> SmiDevice {
    SmiDevice {
        premises: req.premises,
        device: req.device,
    }
}

/// Checks an SR 11.1 the admission table has let through: refused with E11 when the campaign's
/// target Device Model is not on the CPL the DCC has loaded.
pub fn admit_update(
    req: &Request,
    smi: &Smi,
    shared: &Shared,
    ctx: &mut Ctx<'_, Msg>,
) -> Result<(), ResponseCode> {
    let c = Tag::decode(req.arg).campaign as usize;
    let campaign = &shared.config.firmware.campaigns[c];
    if !smi.is_listed(campaign.to) {
        return Err(ResponseCode::E11);
    }
    if smi.status(device(req)) != Some(SmiStatus::Commissioned) {
        ctx.count(shared.firmware.warned[c], 1);
    }
    Ok(())
}

/// A device answered SR 11.3. If it activated, the SMI records its new Device Model; its status
/// then follows the CPL: a Suspended device whose new model is listed is restored, an active
/// device whose new model is not listed is suspended.
pub fn activated(req: &Request, smi: &mut Smi, shared: &Shared, ctx: &mut Ctx<'_, Msg>) {
    let tag = Tag::decode(req.arg);
    if tag.outcome != Outcome::Ok {
        return;
    }
    let c = tag.campaign as usize;
    let to = shared.config.firmware.campaigns[c].to;
    let d = device(req);
    smi.set_model(d, to);
    let listed = smi.is_listed(to);
    match smi.status(d) {
        Some(SmiStatus::Suspended) if listed => {
            smi.restore_device(d, ctx)
                .expect("a Suspended device can be restored");
            ctx.count(shared.firmware.restored[c], 1);
        }
        Some(s) if s.is_active() && !listed => {
            smi.apply(d, Trigger::CplSuspend, ctx)
                .expect("an active device can be suspended");
        }
        _ => {}
    }
}
