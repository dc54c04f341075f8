//! A regional Communications Service Provider: a head-end with finite workers in front of a WAN
//! whose latency depends on the region's technology (long-range radio, cellular, mesh), and whose
//! downlink every command and firmware image shares ([`Downlink`]).

mod downlink;

pub use downlink::Downlink;

use crate::firmware::{Distributions, FirmwareShared};
use crate::ids::Kinds;
use crate::msg::{Alert, AlertStage, Item, Leg, Msg, Request};
use crate::preemption::{Preemption, Waiting};
use crate::priority::{ClassQueue, Classes};
use crate::region::Region;
use crate::shared::{Core, Hop};
use dccsim_sim::{Ctx, SimDuration};

/// CSP state: busy head-end workers and the queue of messages waiting for one (FIFO within each
/// priority class).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Csp {
    pub region: Region,
    busy: u32,
    waiting: ClassQueue<Waiting>,
    /// `[priority]` (SECMP0028): each SR's class in the queue (all 0 without it).
    classes: Classes,
    /// `[priority] preemption`: interrupting lower classes in service (inert without it).
    preemption: Preemption,
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
            preemption: Preemption::default(),
            downlink: Downlink::default(),
            images: Distributions::default(),
        }
    }

    /// The same CSP with priority classes `classes` in its queue (interrupting lower classes in
    /// service with `preemption`).
    pub fn with_classes(mut self, classes: Classes, preemption: Preemption) -> Self {
        self.classes = classes;
        self.preemption = preemption;
        self
    }

    /// Messages waiting for a head-end worker (interrupted ones too).
    pub fn waiting(&self) -> impl Iterator<Item = &Request> {
        self.waiting.iter().filter_map(|(item, ..)| item.request())
    }

    /// Alerts waiting for a head-end worker (interrupted ones too).
    pub fn waiting_alerts(&self) -> impl Iterator<Item = &Alert> {
        self.waiting.iter().filter_map(|(item, ..)| item.alert())
    }

    /// Interrupted items whose stale completion event is still pending (see [`Preemption`]).
    pub fn stale(&self) -> impl Iterator<Item = &Item> {
        self.preemption.stale()
    }

    pub fn handle(&mut self, msg: Msg, core: &Core, fw: &FirmwareShared, ctx: &mut Ctx<'_, Msg>) {
        let workers = core.csp.get(self.region).workers;
        match msg {
            Msg::AtCsp(req) => self.arrive(Item::Sr(req), workers, core, ctx),
            Msg::CspDone(req) => {
                if self.completes(Item::Sr(req), core, ctx) {
                    self.finish(req, core, fw, ctx);
                    self.next(core, ctx);
                }
            }
            Msg::Alert(alert) => match alert.stage {
                AlertStage::AtCsp => self.arrive(Item::Alert(alert), workers, core, ctx),
                AlertStage::CspDone if !self.completes(Item::Alert(alert), core, ctx) => {}
                AlertStage::CspDone => {
                    let up = alert.at(AlertStage::AtDsp);
                    let crossing = core.csp.get(self.region).dsp_crossing(&mut ctx.rng());
                    ctx.send(Kinds::dsp(), crossing, Msg::Alert(up));
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
        let r = self.region.index();
        if self.busy < workers {
            self.start((item, ctx.now(), None), core, ctx);
            return;
        }
        let class = self.classes.of_item(&item);
        ctx.gauge_add(core.ids.csp_queue[r], 1);
        if let Some(item) = self.preemption.arrive(&mut self.waiting, item, class, ctx) {
            // It takes the worker of the item it interrupted.
            self.busy -= 1;
            ctx.gauge_add(core.ids.csp_busy[r], -1);
            self.start((item, ctx.now(), None), core, ctx);
        }
    }

    /// A worker is free: it takes the next waiting item, if any.
    fn next(&mut self, core: &Core, ctx: &mut Ctx<'_, Msg>) {
        let r = self.region.index();
        self.busy -= 1;
        ctx.gauge_add(core.ids.csp_busy[r], -1);
        if let Some(next) = self.waiting.pop() {
            ctx.gauge_add(core.ids.csp_queue[r], -1);
            self.start(next, core, ctx);
        }
    }

    /// A worker takes `item`, arrived at `arrived`, for a fresh service or (`remaining`) the rest
    /// of an interrupted one.
    fn start(&mut self, waiting: Waiting, core: &Core, ctx: &mut Ctx<'_, Msg>) {
        let (item, arrived, remaining) = waiting;
        // Held as its completion event will carry it, so that preemption can recognise it.
        let item = match item {
            Item::Alert(alert) => Item::Alert(alert.at(AlertStage::CspDone)),
            sr => sr,
        };
        let r = self.region.index();
        self.busy += 1;
        ctx.gauge_add(core.ids.csp_busy[r], 1);
        let wait = ctx.now().since(arrived);
        if remaining.is_none() {
            ctx.record(core.ids.csp_wait[r], wait);
        }
        let service = remaining.unwrap_or_else(|| {
            core.csp
                .get(self.region)
                .service_time
                .sample(&mut ctx.rng())
        });
        if self.preemption.is_on() {
            let class = self.classes.of_item(&item);
            self.preemption
                .started(item, class, arrived, ctx.now().after(service));
        }
        match item {
            Item::Alert(alert) => {
                ctx.wake_after(service, Msg::Alert(alert));
            }
            Item::Sr(req) => {
                if !self.preemption.is_on() {
                    let hop = core.ids.hop(req.sr, self.region, Hop::Csp);
                    let visit = SimDuration::from_micros(wait.as_micros() + service.as_micros());
                    ctx.record(hop, visit);
                }
                ctx.wake_after(service, Msg::CspDone(req));
            }
        }
    }

    /// Whether `item`'s completion event ends its service (false: an interrupted service's
    /// stale event). With preemption an SR's visit is timed here, interruptions included.
    fn completes(&mut self, item: Item, core: &Core, ctx: &mut Ctx<'_, Msg>) -> bool {
        let Some(arrived) = self.preemption.completed(&item, ctx.now()) else {
            return false;
        };
        if let (true, Item::Sr(req)) = (self.preemption.is_on(), item) {
            let hop = core.ids.hop(req.sr, self.region, Hop::Csp);
            ctx.record(hop, ctx.now().since(arrived));
        }
        true
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
                let crossing = core.dsp_crossing(req.sr, self.region, ctx);
                ctx.send(Kinds::dsp(), crossing, Msg::AtDsp(req))
            }
            Leg::Transform => unreachable!("transforms never leave the DSP"),
        }
    }
}
