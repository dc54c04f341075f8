//! The Communications Hub: bridges the WAN and the premises' Home Area Network.

use crate::han::{self, Dwelling, HubLink};
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
    /// Outbound commands cross the HAN to the meter; a meter's answer (it arrives as the meter
    /// sends it: the hub times the HAN crossing of both directions) crosses back, then the WAN.
    pub fn handle(&mut self, msg: Msg, shared: &Shared, ctx: &mut Ctx<'_, Msg>) {
        let Msg::AtHub(mut req) = msg else {
            unreachable!("hub got {msg:?}")
        };
        let device = match req.device {
            DeviceType::Esme => Kinds::esme(req.premises),
            DeviceType::Gsme => Kinds::gsme(
                self.gsme
                    .expect("DSP only routes gas SRs to premises with gas"),
            ),
        };
        match req.leg {
            Leg::Outbound | Leg::Inbound => {
                if !self.link.joined {
                    // The devices never joined the HAN: nothing reaches them.
                    debug_assert_eq!(req.leg, Leg::Outbound);
                    let d = self.dwelling() as usize;
                    ctx.count(shared.han.not_joined[d], 1);
                    req.leg = Leg::NoAnswer;
                    han::link::back_over_wan(req, self.region, SimDuration::ZERO, shared, ctx);
                } else if let Some(b) = self.link.building() {
                    ctx.send(
                        Kinds::building(b),
                        SimDuration::ZERO,
                        Msg::AtBuilding { req, device },
                    );
                } else {
                    let c = self.link.cross_house(shared, ctx);
                    han::link::carry(req, device, self.region, Dwelling::House, c, shared, ctx);
                }
            }
            Leg::Transform | Leg::NoAnswer => unreachable!("{:?} never reaches a hub", req.leg),
        }
    }

    fn dwelling(&self) -> Dwelling {
        match self.link.building() {
            Some(_) => Dwelling::Flat,
            None => Dwelling::House,
        }
    }
}

/// Turns a device's answer into the inbound leg.
pub fn reply(mut req: Request) -> Request {
    req.leg = Leg::Inbound;
    req
}
