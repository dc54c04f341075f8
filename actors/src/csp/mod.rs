//! A regional Communications Service Provider: a head-end with finite workers in front of a WAN
//! whose latency depends on the region's technology (long-range radio, cellular, mesh), and whose
//! downlink every command and firmware image shares ([`Downlink`]).

mod downlink;

pub use downlink::Downlink;

use crate::firmware::{Distributions, FirmwareShared};
use crate::ids::Kinds;
use crate::msg::{Alert, AlertStage, Item, Leg, Msg, Request};
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
    waiting: ClassQueue<(Item, SimTime)>,
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
        self.waiting.iter().filter_map(|(item, _)| item.request())
    }

    /// Alerts waiting for a head-end worker.
    pub fn waiting_alerts(&self) -> impl Iterator<Item = &Alert> {
        self.waiting.iter().filter_map(|(item, _)| item.alert())
    }

    pub fn handle(&mut self, msg: Msg, core: &Core, fw: &FirmwareShared, ctx: &mut Ctx<'_, Msg>) {
        let workers = core.csp.get(self.region).workers;
        match msg {
            Msg::AtCsp(req) => self.arrive(Item::Sr(req), workers, core, ctx),
            Msg::CspDone(req) => {
                self.finish(req, core, fw, ctx);
                self.next(core, ctx);
            }
            Msg::Alert(alert) => match alert.stage {
                AlertStage::AtCsp => self.arrive(Item::Alert(alert), workers, core, ctx),
                AlertStage::CspDone => {
                    let up = alert.at(AlertStage::AtDsp);
                    ctx.send(Kinds::dsp(), SimDuration::ZERO, Msg::Alert(up));
                    self.next(core, ctx);
                }
                other => unreachable!("CSP got an alert at {other:?}"),
            },
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

    /// `item` reaches the head-end: a free worker takes it, or it waits.
    fn arrive(&mut self, item: Item, workers: u32, core: &Core, ctx: &mut Ctx<'_, Msg>) {
        if self.busy < workers {
            self.start(item, ctx.now(), core, ctx);
        } else {
            self.waiting
                .push(self.classes.of_item(&item), (item, ctx.now()));
            ctx.gauge_add(core.ids.csp_queue[self.region.index()], 1);
        }
    }

    /// A worker is free: it takes the next waiting item, if any.
    fn next(&mut self, core: &Core, ctx: &mut Ctx<'_, Msg>) {
        let r = self.region.index();
        self.busy -= 1;
        ctx.gauge_add(core.ids.csp_busy[r], -1);
        if let Some((next, arrived)) = self.waiting.pop() {
            ctx.gauge_add(core.ids.csp_queue[r], -1);
            self.start(next, arrived, core, ctx);
        }
    }

    fn start(&mut self, item: Item, arrived: SimTime, core: &Core, ctx: &mut Ctx<'_, Msg>) {
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
        let req = match item {
            Item::Sr(req) => req,
            Item::Alert(alert) => {
                ctx.wake_after(service, Msg::Alert(alert.at(AlertStage::CspDone)));
                return;
            }
        };
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
