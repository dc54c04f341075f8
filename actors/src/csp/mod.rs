//! A regional Communications Service Provider: a head-end with finite workers in front of a WAN
//! whose latency depends on the region's technology (long-range radio, cellular, mesh), and whose
//! downlink every command and firmware image shares ([`Downlink`]).

mod downlink;

pub use downlink::Downlink;

use crate::firmware::{Distributions, FirmwareShared};
use crate::ids::Kinds;
use crate::msg::{Leg, Msg, Request};
use crate::priority::{ClassQueue, Classes};
use crate::region::Region;
use crate::shared::{Core, Hop};
use dccsim_sim::{Ctx, SimDuration, SimTime};

/// CSP state: busy head-end workers and the queue of messages waiting for one (FIFO within each
/// priority class).
#[derive(Debug)]
pub struct Csp {
    pub region: Region,
    busy: u32,
    waiting: ClassQueue<(Request, SimTime)>,
    /// `[priority]` (SECMP0028): each SR's class in the queue (all 0 without it).
    classes: Classes,
    /// The region's WAN downlink, shared by every command and image chunk.
    downlink: Downlink,
    /// Firmware images on their way to hubs.
    pub images: Distributions,
}

impl Csp {
    pub fn new(region: Region) -> Self {
        Csp {
            region,
            busy: 0,
            waiting: ClassQueue::default(),
            classes: Classes::default(),
            downlink: Downlink::default(),
            images: Distributions::default(),
        }
    }

    /// The same CSP with priority classes `classes` in its queue.
    pub fn with_classes(mut self, classes: Classes) -> Self {
        self.classes = classes;
        self
    }

    /// Messages waiting for a head-end worker.
    pub fn waiting(&self) -> impl Iterator<Item = &Request> {
        self.waiting.iter().map(|(req, _)| req)
    }

    pub fn handle(&mut self, msg: Msg, core: &Core, fw: &FirmwareShared, ctx: &mut Ctx<'_, Msg>) {
        let r = self.region.index();
        let workers = core.csp.get(self.region).workers;
        match msg {
            Msg::AtCsp(req) => {
                if self.busy < workers {
                    self.start(req, ctx.now(), core, ctx);
                } else {
                    self.waiting.push(self.classes.of(&req), (req, ctx.now()));
                    ctx.gauge_add(core.ids.csp_queue[r], 1);
                }
            }
            Msg::CspDone(req) => {
                self.finish(req, core, fw, ctx);
                self.busy -= 1;
                ctx.gauge_add(core.ids.csp_busy[r], -1);
                if let Some((next, arrived)) = self.waiting.pop() {
                    ctx.gauge_add(core.ids.csp_queue[r], -1);
                    self.start(next, arrived, core, ctx);
                }
            }
            Msg::Distribute(req) => {
                self.images
                    .start(req, self.region, &mut self.downlink, core, fw, ctx)
            }
            Msg::ImageChunk { premises, device } => self.images.chunk_arrived(
                (premises, device),
                self.region,
                &mut self.downlink,
                core,
                fw,
                ctx,
            ),
            other => unreachable!("CSP got {other:?}"),
        }
        debug_assert!(self.busy <= workers);
    }

    fn start(&mut self, req: Request, arrived: SimTime, core: &Core, ctx: &mut Ctx<'_, Msg>) {
        let r = self.region.index();
        self.busy += 1;
        ctx.gauge_add(core.ids.csp_busy[r], 1);
        let wait = ctx.now().since(arrived);
        ctx.record(core.ids.csp_wait[r], wait);
        let service = core
            .csp
            .get(self.region)
            .service_time
            .sample(&mut ctx.rng());
        let hop = core.ids.hop(req.sr, self.region, Hop::Csp);
        ctx.record(
            hop,
            SimDuration::from_micros(wait.as_micros() + service.as_micros()),
        );
        ctx.wake_after(service, Msg::CspDone(req));
    }

    /// Outbound commands cross the WAN to the hub; inbound responses go on to the DSP.
    fn finish(&mut self, req: Request, core: &Core, fw: &FirmwareShared, ctx: &mut Ctx<'_, Msg>) {
        match req.leg {
            Leg::Outbound => {
                // The command takes its turn on the region's downlink, then crosses the WAN.
                let bytes = fw.config.command_bytes;
                ctx.gauge_add(fw.ids.command_bytes[self.region.index()], bytes.0 as i64);
                let capacity = core.csp.get(self.region).wan_capacity;
                let queued = self.downlink.send(ctx.now(), bytes, capacity);
                let wan = core.wan_crossing(req.sr, self.region, queued, ctx);
                ctx.send(Kinds::hub(req.premises), wan, Msg::AtHub(req));
            }
            Leg::Inbound | Leg::NoAnswer => {
                ctx.send(Kinds::dsp(), SimDuration::ZERO, Msg::AtDsp(req))
            }
            Leg::Transform => unreachable!("transforms never leave the DSP"),
        }
    }
}
