//! The device's side of a rollout: the hub passing a received image on over the HAN, and a
//! device holding a future-dated SR 11.3 until its execution time, then trying to activate.

use super::tag::{Outcome, Tag};
use super::FirmwareShared;
use crate::han::HubLink;
use crate::msg::Receipt;
use crate::msg::{Msg, Request};
use crate::region::Region;
use crate::shared::Core;
use crate::sr::{DeviceType, SrType};
use dccsim_sim::{Ctx, SimDuration};

/// The last chunk of an image reached the hub. The hub's own firmware is in place at once; a
/// meter's crosses the HAN at `[firmware] han_bandwidth` (unless the device never joined the
/// HAN). The receipt goes back over the WAN to the User.
pub fn image_at_hub(
    req: Request,
    link: HubLink,
    region: Region,
    core: &Core,
    fw: &FirmwareShared,
    ctx: &mut Ctx<'_, Msg>,
) {
    let fw = &fw.config;
    let back = core.csp.get(region).wan_latency(&mut ctx.rng());
    let (receipt, han) = if req.device == DeviceType::Hub {
        (Receipt::Transferred, SimDuration::ZERO)
    } else if !link.joined() {
        (Receipt::NoHan, SimDuration::ZERO)
    } else {
        let size = fw
            .image_of(&fw.campaigns[Tag::decode(req.arg).campaign as usize])
            .size;
        (Receipt::Transferred, fw.han_bandwidth.transmit(size))
    };
    let delay = SimDuration::from_micros(han.as_micros() + back.as_micros());
    ctx.send(
        core.user_actor(req.user),
        delay,
        Msg::FirmwareReceipt(req, receipt),
    );
}

/// A future-dated command (SR 11.3, whose `sent` is its execution time) that reached its device
/// early is held until then: `msg` comes back to the device at that moment. Returns whether it
/// was held.
pub fn hold_until_due(req: &Request, msg: Msg, ctx: &mut Ctx<'_, Msg>) -> bool {
    let now = ctx.now();
    if req.sr == SrType::ActivateFirmware && req.sent > now {
        ctx.wake_after(req.sent.since(now), msg);
        true
    } else {
        false
    }
}

/// The device carries out SR 11.3: whether activation worked is drawn from the campaign's
/// failure rates and reported in the answer's [`Tag`].
pub fn activate(req: &mut Request, fw: &FirmwareShared, ctx: &mut Ctx<'_, Msg>) {
    debug_assert_eq!(req.sr, SrType::ActivateFirmware);
    let mut tag = Tag::decode(req.arg);
    let rates = fw.config.campaigns[tag.campaign as usize].failures;
    let mut rng = ctx.rng();
    tag.outcome = if rng.chance(rates.unrecoverable) {
        Outcome::Unrecoverable
    } else if rng.chance(rates.activation) {
        Outcome::Failed
    } else {
        Outcome::Ok
    };
    req.arg = tag.encode();
}
