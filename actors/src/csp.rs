//! A regional Communications Service Provider: a head-end with finite workers in front of a WAN
//! whose latency depends on the region's technology (long-range radio, cellular, mesh).

use crate::firmware::Distributions;
use crate::msg::{Leg, Msg, Request};
use crate::region::Region;
use crate::world::{Hop, Kinds, Shared};
use dccsim_sim::{Ctx, SimDuration, SimTime};
use std::collections::VecDeque;

/// CSP state: busy head-end workers and the FIFO of messages waiting for one.
#[derive(Debug)]
pub struct Csp {
    pub region: Region,
    busy: u32,
    waiting: VecDeque<(Request, SimTime)>,
    /// The region's WAN downlink and the firmware images crossing it.
    pub images: Distributions,
}

impl Csp {
    pub fn new(region: Region) -> Self {
        Csp {
            region,
            busy: 0,
            waiting: VecDeque::new(),
            images: Distributions::default(),
        }
    }

    pub fn handle(&mut self, msg: Msg, shared: &Shared, ctx: &mut Ctx<'_, Msg>) {
        let r = self.region.index();
        let workers = shared.config.csp.get(self.region).workers;
        match msg {
            Msg::AtCsp(req) => {
                if self.busy < workers {
                    self.start(req, ctx.now(), shared, ctx);
                } else {
                    self.waiting.push_back((req, ctx.now()));
                    ctx.gauge_add(shared.ids.csp_queue[r], 1);
                }
            }
            Msg::CspDone(req) => {
                self.finish(req, shared, ctx);
                self.busy -= 1;
                ctx.gauge_add(shared.ids.csp_busy[r], -1);
                if let Some((next, arrived)) = self.waiting.pop_front() {
                    ctx.gauge_add(shared.ids.csp_queue[r], -1);
                    self.start(next, arrived, shared, ctx);
                }
            }
            Msg::Distribute(req) => self.images.start(req, self.region, shared, ctx),
            Msg::ImageChunk { premises, device } => {
                self.images
                    .chunk_arrived(premises, device, self.region, shared, ctx)
            }
            other => unreachable!("CSP got {other:?}"),
        }
        debug_assert!(self.busy <= workers);
    }

    fn start(&mut self, req: Request, arrived: SimTime, shared: &Shared, ctx: &mut Ctx<'_, Msg>) {
        let r = self.region.index();
        self.busy += 1;
        ctx.gauge_add(shared.ids.csp_busy[r], 1);
        let wait = ctx.now().since(arrived);
        ctx.record(shared.ids.csp_wait[r], wait);
        let service = shared
            .config
            .csp
            .get(self.region)
            .service_time
            .sample(&mut ctx.rng());
        let hop = shared.ids.hop(req.sr, self.region, Hop::Csp);
        ctx.record(
            hop,
            SimDuration::from_micros(wait.as_micros() + service.as_micros()),
        );
        ctx.wake_after(service, Msg::CspDone(req));
    }

    /// Outbound commands cross the WAN to the hub; inbound responses go on to the DSP.
    fn finish(&mut self, req: Request, shared: &Shared, ctx: &mut Ctx<'_, Msg>) {
        match req.leg {
            Leg::Outbound => {
                // The command takes its turn on the region's downlink, then crosses the WAN.
                let link = self.images.command(self.region, shared, ctx);
                let wan = shared.crossing(Hop::Wan, req.sr, self.region, link, ctx);
                ctx.send(Kinds::hub(req.premises), wan, Msg::AtHub(req));
            }
            Leg::Inbound | Leg::NoAnswer => {
                ctx.send(Kinds::dsp(), SimDuration::ZERO, Msg::AtDsp(req))
            }
            Leg::Transform => unreachable!("transforms never leave the DSP"),
        }
    }
}
