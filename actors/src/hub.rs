//! The Communications Hub: bridges the WAN and the premises' Home Area Network.

use crate::admission::{self, Target};
use crate::dist::Dist;
use crate::msg::{Leg, Msg, Request};
use crate::region::Region;
use crate::sr::DeviceType;
use crate::world::{Hop, Kinds, Shared};
use dccsim_sim::{Ctx, SimDuration};

/// A hub knows its region (to answer through the right CSP) and its meters.
#[derive(Copy, Clone, Debug)]
pub struct Hub {
    pub region: Region,
    /// Index of the premises' gas meter, if it has one.
    pub gsme: Option<u32>,
}

impl Hub {
    pub fn handle(&mut self, msg: Msg, shared: &Shared, ctx: &mut Ctx<'_, Msg>) {
        let Msg::AtHub(req) = msg else {
            unreachable!("hub got {msg:?}")
        };
        match req.leg {
            Leg::Outbound
                if req.device == DeviceType::Hub
                    || admission::rule(req.sr).target == Target::Hub =>
            {
                // The Comms Hub Function carries it out itself (e.g. 8.11 adding a device to
                // its log) and answers over the WAN.
                let wan = shared.crossing(Hop::Wan, req.sr, self.region, ctx);
                ctx.send(Kinds::csp(self.region), wan, Msg::AtCsp(reply(req)));
            }
            Leg::Outbound => {
                let device = match req.device {
                    DeviceType::Esme => Kinds::esme(req.premises),
                    DeviceType::Gsme => Kinds::gsme(
                        self.gsme
                            .expect("DSP only routes gas SRs to premises with gas"),
                    ),
                    DeviceType::Hub => unreachable!("answered by the hub above"),
                    DeviceType::Hcalcs | DeviceType::Apc => Kinds::charger(
                        shared
                            .ev
                            .charger_at(req.premises)
                            .expect("DSP only routes charger SRs to premises with a charger"),
                    ),
                };
                let han = shared.crossing(Hop::Han, req.sr, self.region, ctx);
                ctx.send(device, han, Msg::AtDevice(req));
            }
            Leg::Inbound => {
                let wan = shared.crossing(Hop::Wan, req.sr, self.region, ctx);
                ctx.send(Kinds::csp(self.region), wan, Msg::AtCsp(req));
            }
            Leg::Transform => unreachable!("transforms never leave the DSP"),
        }
    }
}

/// A HAN device at `premises` answers `req`: after its response time (`respond`, recorded as the
/// device hop) and a HAN crossing, the answer reaches the hub on its inbound leg.
pub fn answer(
    req: Request,
    premises: u32,
    respond: &Dist,
    shared: &Shared,
    ctx: &mut Ctx<'_, Msg>,
) {
    let region = shared
        .population
        .get(premises)
        .expect("a device's premises exists")
        .region();
    let response = respond.sample(&mut ctx.rng());
    ctx.record(shared.ids.hop(req.sr, region, Hop::Device), response);
    let han = shared.crossing(Hop::Han, req.sr, region, ctx);
    let delay = SimDuration::from_micros(response.as_micros() + han.as_micros());
    ctx.send(Kinds::hub(premises), delay, Msg::AtHub(reply(req)));
}

/// Turns a device's answer into the inbound leg.
pub fn reply(mut req: Request) -> Request {
    req.leg = Leg::Inbound;
    req
}
