//! The DSP's firmware rules: SR 11.1 only for a target Device Model on the CPL in force (DOMAIN
//! §2, §8), with a warning for devices not Commissioned (DOMAIN §4); and the SMI after a
//! successful SR 11.3: the device now has the target Device Model, and a device Suspended
//! because its old model left the CPL returns to service when the new one is listed.

use super::tag::{Outcome, Tag};
use super::FirmwareShared;
use crate::cpl::CplEntry;
use crate::device_model::ModelId;
use crate::msg::{Msg, Request};
use crate::smi::{Smi, SmiDevice, SmiStatus, Trigger};
use crate::sr::ResponseCode;
use dccsim_sim::Ctx;

fn device(req: &Request) -> SmiDevice {
    SmiDevice {
        premises: req.premises,
        device: req.device,
    }
}

/// Checks an SR 11.1 the admission table has let through: refused with E11 when the campaign's
/// target Device Model is not on the CPL the DCC has loaded, or when its CPL entries name
/// upgrade pathways (MP231) and none starts from the device's current model.
pub fn admit_update(
    req: &Request,
    smi: &Smi,
    fw: &FirmwareShared,
    ctx: &mut Ctx<'_, Msg>,
) -> Result<(), ResponseCode> {
    let c = Tag::decode(req.arg).campaign as usize;
    let campaign = &fw.config.campaigns[c];
    if !smi.is_listed(campaign.to) {
        return Err(ResponseCode::E11);
    }
    let current = smi.get(device(req)).expect("admitted devices exist").model;
    if !upgrade_allowed(current, campaign.to, &fw.cpl_entries) {
        ctx.count(fw.ids.rollout().no_pathway[c], 1);
        return Err(ResponseCode::E11);
    }
    if smi.status(device(req)) != Some(SmiStatus::Commissioned) {
        ctx.count(fw.ids.rollout().warned[c], 1);
    }
    Ok(())
}

/// Whether a device of Device Model `from` may be upgraded to `to`: `to`'s CPL entries list no
/// upgrade pathways at all, or one of them is an entry of `from`.
pub fn upgrade_allowed(from: ModelId, to: ModelId, entries: &[CplEntry]) -> bool {
    let mut pathways = entries
        .iter()
        .filter(|e| e.model == to.0)
        .flat_map(|e| e.upgrades_from.iter())
        .map(|&source| entries[source as usize].model)
        .peekable();
    pathways.peek().is_none() || pathways.any(|m| m == from.0)
}

/// A device answered SR 11.3. If it activated, the SMI records its new Device Model; its status
/// then follows the CPL: a Suspended device whose new model is listed is restored, an active
/// device whose new model is not listed is suspended.
pub fn activated(req: &Request, smi: &mut Smi, fw: &FirmwareShared, ctx: &mut Ctx<'_, Msg>) {
    let tag = Tag::decode(req.arg);
    if tag.outcome != Outcome::Ok {
        return;
    }
    let c = tag.campaign as usize;
    let to = fw.config.campaigns[c].to;
    let d = device(req);
    smi.set_model(d, to);
    let listed = smi.is_listed(to);
    match smi.status(d) {
        Some(SmiStatus::Suspended) if listed => {
            smi.restore_device(d, ctx)
                .expect("a Suspended device can be restored");
            ctx.count(fw.ids.rollout().restored[c], 1);
        }
        Some(s) if s.is_active() && !listed => {
            smi.apply(d, Trigger::CplSuspend, ctx)
                .expect("an active device can be suspended");
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpl::config::entry::tests::esme;

    #[test]
    fn upgrade_pathways_bind_only_when_the_target_names_some() {
        // Entries 0, 1, 2 list models 0 (fw 1.0), 1 (fw 2.0) and 2 (fw 3.0).
        let mut entries = vec![
            esme("a", 0, "1.0"),
            esme("b", 1, "2.0"),
            esme("c", 2, "3.0"),
        ];
        // No pathways named: any model may move to 1.
        assert!(upgrade_allowed(ModelId(0), ModelId(1), &entries));
        assert!(upgrade_allowed(ModelId(2), ModelId(1), &entries));
        // 2.0 may be reached from 1.0 only.
        entries[1].upgrades_from = vec![0];
        assert!(upgrade_allowed(ModelId(0), ModelId(1), &entries));
        assert!(!upgrade_allowed(ModelId(2), ModelId(1), &entries));
    }
}
