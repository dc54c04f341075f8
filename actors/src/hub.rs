//! The Communications Hub: bridges the WAN and the premises' Home Area Network.

use crate::admission::{self, Target};
use crate::han::{self, HubLink};
use crate::msg::{Leg, Msg, Request};
use crate::region::Region;
use crate::sr::DeviceType;
use crate::world::{Kinds, Shared};
use dccsim_sim::{Ctx, SimDuration};

/// A hub knows its region (to answer through the right CSP), its meters and its HAN link.
#[derive(Copy, Clone, Debug)]
pub struct Hub {
    pub region: Region,
    /// Index of the premises' gas meter, if it has one.
    pub gsme: Option<u32>,
    /// The HAN: joined or not, a house's own channel or the building whose HAN it shares.
    pub link: HubLink,
}

impl Hub {
    /// Outbound commands go to the meter over the HAN; answers (and E21 reports) go back over the
    /// WAN. A flat's HAN is its building's: both directions go through the building actor. A
    /// house's meter times both crossings at its end of the link (so the command is handed over
    /// at once and the answer arrives with the HAN time already spent).
    pub fn handle(&mut self, msg: Msg, shared: &Shared, ctx: &mut Ctx<'_, Msg>) {
        let Msg::AtHub(mut req) = msg else {
            unreachable!("hub got {msg:?}")
        };
        if req.leg == Leg::Outbound
            && (req.device == DeviceType::Hub || admission::rule(req.sr).target == Target::Hub)
        {
            // The Comms Hub Function carries it out itself (e.g. 8.11 adding a device to its
            // log) and answers over the WAN: no HAN crossing.
            han::link::back_over_wan(reply(req), self.region, SimDuration::ZERO, shared, ctx);
            return;
        }
        let device = match req.device {
            DeviceType::Esme => Kinds::esme(req.premises),
            DeviceType::Gsme => Kinds::gsme(
                self.gsme
                    .expect("DSP only routes gas SRs to premises with gas"),
            ),
            DeviceType::Hub => unreachable!("answered by the hub above"),
        };
        match (req.leg, self.link.building()) {
            (Leg::Outbound, _) if !self.link.joined() => {
                // The devices never joined the HAN: nothing reaches them.
                let d = self.link.dwelling() as usize;
                ctx.count(shared.han.not_joined[d], 1);
                req.leg = Leg::NoAnswer;
                han::link::back_over_wan(req, self.region, SimDuration::ZERO, shared, ctx);
            }
            (Leg::Outbound, None) => ctx.send(device, SimDuration::ZERO, Msg::AtDevice(req)),
            (Leg::Inbound | Leg::NoAnswer, None) => {
                han::link::back_over_wan(req, self.region, SimDuration::ZERO, shared, ctx)
            }
            (Leg::Outbound | Leg::Inbound, Some(b)) => ctx.send(
                Kinds::building(b),
                SimDuration::ZERO,
                Msg::AtBuilding { req, device },
            ),
            (leg, _) => unreachable!("{leg:?} never reaches a flat's hub"),
        }
    }
}

/// Turns a device's answer into the inbound leg.
pub fn reply(mut req: Request) -> Request {
    req.leg = Leg::Inbound;
    req
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_hub_stays_small() {
        // Region, gas meter index, HAN link: one per premises, 35 million at GB scale.
        assert!(std::mem::size_of::<super::Hub>() <= 16);
    }
}
