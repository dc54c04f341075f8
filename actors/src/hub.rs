//! The Communications Hub: bridges the WAN and the premises' Home Area Network.

use crate::admission::{self, Target};
use crate::dist::Dist;
use crate::firmware;
use crate::firmware::FirmwareShared;
use crate::han::link::{DeviceLink, Dwelling};
use crate::han::HanShared;
use crate::han::{self, HubLink};
use crate::ids::Kinds;
use crate::msg::{AlertStage, Leg, Msg, Request};
use crate::region::Region;
use crate::shared::{Core, Hop};
use crate::sr::{DeviceType, SrType};
use dccsim_sim::{Ctx, SimDuration};

/// A hub knows its region (to answer through the right CSP), its meters and its HAN link.
#[derive(Copy, Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Hub {
    pub region: Region,
    /// Index of the premises' gas meter, if it has one.
    pub gsme: Option<u32>,
    /// The HAN: joined or not, a house's own channel or the building whose HAN it shares.
    pub link: HubLink,
}

impl Hub {
    /// Outbound commands go to the meter or EV charger over the HAN; answers (and E21 reports) go
    /// back over the WAN. A flat's HAN is its building's: both directions go through the building
    /// actor. A house's device times both crossings at its end of the link ([`receive`],
    /// [`answer`]), so the command is handed over at once and the answer arrives with the HAN
    /// time already spent.
    pub fn handle(
        &mut self,
        msg: Msg,
        core: &Core,
        han: &HanShared,
        fw: &FirmwareShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let mut req = match msg {
            Msg::AtHub(req) => req,
            Msg::ImageAtHub(req) => {
                firmware::device::image_at_hub(req, self.link, self.region, core, fw, ctx);
                return;
            }
            Msg::Alert(alert) => {
                // Up over the WAN to the region's CSP head-end.
                let wan = core.csp.get(self.region).wan_latency(&mut ctx.rng());
                let up = alert.at(AlertStage::AtCsp);
                ctx.send(Kinds::csp(self.region), wan, Msg::Alert(up));
                return;
            }
            other => unreachable!("hub got {other:?}"),
        };
        if req.leg == Leg::Outbound
            && (req.device == DeviceType::Hub || admission::rule(req.sr).target == Target::Hub)
        {
            if req.sr == SrType::ActivateFirmware {
                // The hub's own firmware: held until the execution time, then activated.
                if firmware::device::hold_until_due(&req, Msg::AtHub(req), ctx) {
                    return;
                }
                firmware::device::activate(&mut req, fw, ctx);
            }
            // The Comms Hub Function carries it out itself (e.g. 8.11 adding a device to its
            // log) and answers over the WAN: no HAN crossing.
            han::link::back_over_wan(reply(req), self.region, SimDuration::ZERO, core, ctx);
            return;
        }
        let device = match req.device {
            // 8.7 Join Service is carried out by the electricity meter the PPMID or HCALCS
            // joins \[U\]: the command crosses the HAN to the meter.
            _ if req.sr == SrType::JoinService => Kinds::esme(req.premises),
            DeviceType::Esme => Kinds::esme(req.premises),
            DeviceType::Gsme => Kinds::gsme(
                self.gsme
                    .expect("DSP only routes gas SRs to premises with gas"),
            ),
            DeviceType::Hub => unreachable!("answered by the hub above"),
            DeviceType::Ppmid => unreachable!("only 8.7 reaches a PPMID, through its meter"),
            DeviceType::Hcalcs | DeviceType::Apc => Kinds::charger(
                core.chargers
                    .charger_at(req.premises)
                    .expect("DSP only routes charger SRs to premises with a charger"),
            ),
        };
        match (req.leg, self.link.building()) {
            (Leg::Outbound, _) if !self.link.joined() => {
                // The devices never joined the HAN: nothing reaches them.
                let d = self.link.dwelling() as usize;
                ctx.count(han.not_joined[d], 1);
                req.leg = Leg::NoAnswer;
                han::link::back_over_wan(req, self.region, SimDuration::ZERO, core, ctx);
            }
            (Leg::Outbound, None) => ctx.send(device, SimDuration::ZERO, Msg::AtDevice(req)),
            (Leg::Inbound | Leg::NoAnswer, None) => {
                han::link::back_over_wan(req, self.region, SimDuration::ZERO, core, ctx)
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

/// A command reaches a HAN device (meter or EV charger) at `premises` whose end of the link is
/// `link`. In a house the device draws the command's crossing: `Some(time)` when it arrives after
/// `time` on the HAN, `None` when every retry was lost (the hub hears an E21 report after that
/// time and the device does not act). In a flat the building has already carried it:
/// `Some(ZERO)`.
pub fn receive(
    req: Request,
    premises: u32,
    link: DeviceLink,
    core: &Core,
    han: &HanShared,
    ctx: &mut Ctx<'_, Msg>,
) -> Option<SimDuration> {
    match link {
        DeviceLink::Building => Some(SimDuration::ZERO),
        DeviceLink::House { dual_band } => {
            let c = han::link::cross_house(dual_band, han, ctx);
            let region = core.region_of(premises);
            han::link::record(&c, Dwelling::House, req.sr, region, core, han, ctx);
            if c.delivered {
                return Some(c.time);
            }
            let mut report = req;
            report.leg = Leg::NoAnswer;
            ctx.send(Kinds::hub(premises), c.time, Msg::AtHub(report));
            None
        }
    }
}

/// A HAN device at `req`'s premises answers `req` it received `there` ago on the HAN: after its
/// response time (`respond`, recorded as the device hop) and, in a house, the answer's own HAN
/// crossing (drawn here; lost after every retry, it reaches the hub as an E21 report), the
/// answer reaches the hub on its inbound leg. In a flat the hub hands it to the building.
#[allow(clippy::too_many_arguments)] // the answer's facts and the three contexts it reads
pub fn answer(
    req: Request,
    link: DeviceLink,
    there: SimDuration,
    respond: &Dist,
    core: &Core,
    han: &HanShared,
    ctx: &mut Ctx<'_, Msg>,
) {
    let region = core.region_of(req.premises);
    let response = respond.sample(&mut ctx.rng());
    ctx.record(core.ids.hop(req.sr, region, Hop::Device), response);
    let mut answer = reply(req);
    let back = match link {
        DeviceLink::Building => SimDuration::ZERO,
        DeviceLink::House { dual_band } => {
            let c = han::link::cross_house(dual_band, han, ctx);
            han::link::record(&c, Dwelling::House, req.sr, region, core, han, ctx);
            if !c.delivered {
                answer.leg = Leg::NoAnswer;
            }
            c.time
        }
    };
    let delay = there.as_micros() + response.as_micros() + back.as_micros();
    ctx.send(
        Kinds::hub(req.premises),
        SimDuration::from_micros(delay),
        Msg::AtHub(answer),
    );
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
