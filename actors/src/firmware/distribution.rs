//! The DCC's side of SR 11.1 after the DSP accepted it: the region's CSP sends the image to the
//! device's hub in chunks, one after another, each as fast as the hub's WAN link allows
//! (`hub_bandwidth`) and no faster than the region's shared downlink lets it through
//! ([`Downlink`] at `wan_capacity`). The hub then passes the image over the
//! HAN and the device's receipt reaches the User ([`Msg::FirmwareReceipt`]).

use super::tag::Tag;
use super::FirmwareShared;
use crate::csp::Downlink;
use crate::ids::Kinds;
use crate::msg::{Msg, Receipt, Request};
use crate::region::Region;
use crate::shared::Core;
use crate::sr::DeviceType;
use crate::units::Bytes;
use dccsim_sim::Ctx;
use std::collections::BTreeMap;

/// One image on its way to one hub.
#[derive(Copy, Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Transfer {
    req: Request,
    /// Bytes still to send.
    left: u64,
    /// Chunks sent so far.
    sent: u32,
    /// The chunk after which the transfer breaks off, if it does.
    breaks_after: Option<u32>,
}

/// A CSP's image distributions in progress.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Distributions {
    in_progress: BTreeMap<(u32, DeviceType), Transfer>,
}

impl Distributions {
    /// Starts sending the image of `req`'s campaign to the device's hub. Whether (and where) the
    /// transfer breaks off is drawn now.
    pub fn start(
        &mut self,
        req: Request,
        region: Region,
        link: &mut Downlink,
        core: &Core,
        fw: &FirmwareShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let campaign = &fw.config.campaigns[Tag::decode(req.arg).campaign as usize];
        let size = fw.config.image_of(campaign).size;
        let chunks = size.chunks(fw.config.chunk);
        let mut rng = ctx.rng();
        let breaks_after = rng
            .chance(campaign.failures.transfer)
            .then(|| 1 + rng.below(chunks as u64) as u32);
        let key = (req.premises, req.device);
        let t = Transfer {
            req,
            left: size.0,
            sent: 0,
            breaks_after,
        };
        let previous = self.in_progress.insert(key, t);
        assert!(
            previous.is_none(),
            "one image at a time per device: {key:?}"
        );
        self.next_chunk(key, region, link, core, fw, ctx);
    }

    /// A chunk of the transfer to `(premises, device)` has reached the hub: send the next, or
    /// finish.
    #[allow(clippy::too_many_arguments)] // the transfer's key and the contexts it reads
    pub fn chunk_arrived(
        &mut self,
        key: (u32, DeviceType),
        region: Region,
        link: &mut Downlink,
        core: &Core,
        fw: &FirmwareShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let (premises, _) = key;
        let t = self
            .in_progress
            .get(&key)
            .copied()
            .expect("a transfer in progress");
        if t.breaks_after == Some(t.sent) {
            self.in_progress.remove(&key);
            let back = core.csp.get(region).wan_latency(&mut ctx.rng());
            let user = core.user_actor(t.req.user);
            ctx.send(
                user,
                back,
                Msg::FirmwareReceipt(t.req, Receipt::TransferFailed),
            );
        } else if t.left == 0 {
            self.in_progress.remove(&key);
            // The last chunk's propagation across the WAN; earlier chunks' overlap the sending.
            let latency = core.csp.get(region).wan_latency(&mut ctx.rng());
            ctx.send(Kinds::hub(premises), latency, Msg::ImageAtHub(t.req));
        } else {
            self.next_chunk(key, region, link, core, fw, ctx);
        }
    }

    fn next_chunk(
        &mut self,
        key: (u32, DeviceType),
        region: Region,
        link: &mut Downlink,
        core: &Core,
        fw: &FirmwareShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let t = self
            .in_progress
            .get_mut(&key)
            .expect("a transfer in progress");
        let bytes = Bytes(t.left.min(fw.config.chunk.0));
        t.left -= bytes.0;
        t.sent += 1;
        let csp = core.csp.get(region);
        let through_link = link.send(ctx.now(), bytes, csp.wan_capacity);
        let to_hub = csp.hub_bandwidth.transmit(bytes);
        let image_bytes = fw.ids.rollout().image_bytes[region.index()];
        ctx.gauge_add(image_bytes, bytes.0 as i64);
        let (premises, device) = key;
        ctx.wake_after(
            through_link.max(to_hub),
            Msg::ImageChunk { premises, device },
        );
    }

    /// Images still on their way (at the end of a run).
    pub fn in_progress(&self) -> usize {
        self.in_progress.len()
    }
}
