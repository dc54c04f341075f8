//! The DCC's Data Service Provider: authorises every request, routes it to the CSP of the
//! device's region, and processes responses on their way back. Its workers are finite, so load
//! shows as queueing delay (`dsp.wait`).

use crate::msg::{Leg, Msg, Request};
use crate::sr::{Category, DeviceType, ResponseCode};
use crate::world::{Kinds, Shared};
use dccsim_sim::{Ctx, SimDuration, SimTime};
use std::collections::VecDeque;

/// DSP state: busy workers and the FIFO of requests waiting for one.
#[derive(Debug, Default)]
pub struct Dsp {
    busy: u32,
    waiting: VecDeque<(Request, SimTime)>,
}

impl Dsp {
    pub fn handle(&mut self, msg: Msg, shared: &Shared, ctx: &mut Ctx<'_, Msg>) {
        match msg {
            Msg::AtDsp(req) => {
                if self.busy < shared.config.dsp.workers {
                    self.start(req, ctx.now(), shared, ctx);
                } else {
                    self.waiting.push_back((req, ctx.now()));
                    ctx.gauge_add(shared.ids.dsp_queue, 1);
                }
            }
            Msg::DspDone(req) => {
                self.finish(req, shared, ctx);
                self.busy -= 1;
                ctx.gauge_add(shared.ids.dsp_busy, -1);
                if let Some((next, arrived)) = self.waiting.pop_front() {
                    ctx.gauge_add(shared.ids.dsp_queue, -1);
                    self.start(next, arrived, shared, ctx);
                }
            }
            other => unreachable!("DSP got {other:?}"),
        }
        debug_assert!(self.busy <= shared.config.dsp.workers);
        debug_assert!(
            self.waiting.is_empty() || self.busy == shared.config.dsp.workers,
            "a worker idles while requests wait"
        );
    }

    fn start(&mut self, req: Request, arrived: SimTime, shared: &Shared, ctx: &mut Ctx<'_, Msg>) {
        self.busy += 1;
        ctx.gauge_add(shared.ids.dsp_busy, 1);
        let wait = ctx.now().since(arrived);
        ctx.record(shared.ids.dsp_wait, wait);
        let dist = match req.leg {
            Leg::Inbound | Leg::NoAnswer => &shared.config.dsp.response_service_time,
            Leg::Transform | Leg::Outbound => &shared.config.dsp.service_time,
        };
        let service = dist.sample(&mut ctx.rng());
        let visit = SimDuration::from_micros(wait.as_micros() + service.as_micros());
        ctx.record(shared.ids.dsp_hop(req.sr), visit);
        ctx.wake_after(service, Msg::DspDone(req));
    }

    /// A worker has processed `req`: refuse it, send it on, or answer the User.
    fn finish(&mut self, mut req: Request, shared: &Shared, ctx: &mut Ctx<'_, Msg>) {
        let user = Kinds::supplier(req.user);
        match req.leg {
            Leg::Inbound => ctx.send(
                user,
                SimDuration::ZERO,
                Msg::Response(req, ResponseCode::I0),
            ),
            Leg::NoAnswer => ctx.send(
                user,
                SimDuration::ZERO,
                Msg::Response(req, ResponseCode::E21),
            ),
            Leg::Transform | Leg::Outbound => {
                if let Some(code) = authorise(&req, shared) {
                    ctx.send(user, SimDuration::ZERO, Msg::Response(req, code));
                    return;
                }
                if req.leg == Leg::Transform {
                    // The signed pre-command comes back through the DSP's queue as an outbound command.
                    req.leg = Leg::Outbound;
                    let me = ctx.me();
                    ctx.send(me, SimDuration::ZERO, Msg::AtDsp(req));
                    return;
                }
                let region = shared
                    .population
                    .get(req.premises)
                    .expect("authorised device exists")
                    .region();
                ctx.send(Kinds::csp(region), SimDuration::ZERO, Msg::AtCsp(req));
            }
        }
    }
}

/// The DSP's checks, in DUIS order: the sender's role, then the device in the inventory.
pub fn authorise(req: &Request, shared: &Shared) -> Option<ResponseCode> {
    if !req.sr.allows(req.role) {
        return Some(ResponseCode::E3);
    }
    let known = match shared.population.get(req.premises) {
        None => false,
        Some(p) => req.device == DeviceType::Esme || p.has_gas(),
    };
    if !known {
        return Some(ResponseCode::E19);
    }
    None
}

/// The first DSP leg a fresh request takes.
pub fn first_leg(req_category: Category) -> Leg {
    match req_category {
        Category::Critical => Leg::Transform,
        Category::OnDemand | Category::DccScheduled => Leg::Outbound,
    }
}
