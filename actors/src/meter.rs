//! Smart meters: the electricity meter (ESME) and the battery-powered gas meter (GSME).

use crate::han::link::{self, DeviceLink, Dwelling};
use crate::hub;
use crate::msg::{Leg, Msg};
use crate::sr::SrType;
use crate::world::{Hop, Kinds, Shared};
use dccsim_sim::{Ctx, SimDuration};

/// A meter's own state: what it has been asked to do, and its end of the HAN.
#[derive(Copy, Clone, Debug, Default)]
pub struct Meter {
    /// Premises (and hub) this meter belongs to.
    pub premises: u32,
    /// Reads answered (instantaneous and daily log).
    pub reads: u32,
    /// Tariff updates applied.
    pub tariff_version: u16,
    /// In a house, this meter draws the HAN crossings of its visits; in a flat, the building does.
    pub link: DeviceLink,
}

impl Meter {
    /// Acts on a command and answers through the hub after its response time. In a house the
    /// meter also draws the command's HAN crossing and the answer's (a command lost after every
    /// retry is not acted on; the hub hears of it as an E21 when it gives up); in a flat the
    /// building carries both.
    pub fn handle(&mut self, msg: Msg, gas: bool, shared: &Shared, ctx: &mut Ctx<'_, Msg>) {
        let Msg::AtDevice(req) = msg else {
            unreachable!("meter got {msg:?}")
        };
        let region = shared
            .population
            .get(self.premises)
            .expect("a meter's premises exists")
            .region();
        let hub = Kinds::hub(self.premises);
        let there = match self.link {
            DeviceLink::Building => SimDuration::ZERO,
            DeviceLink::House { dual_band } => {
                let c = link::cross_house(dual_band, shared, ctx);
                link::record(&c, Dwelling::House, req.sr, region, shared, ctx);
                if !c.delivered {
                    let mut report = req;
                    report.leg = Leg::NoAnswer;
                    ctx.send(hub, c.time, Msg::AtHub(report));
                    return;
                }
                c.time
            }
        };
        match req.sr {
            SrType::UpdateImportTariff => self.tariff_version = self.tariff_version.wrapping_add(1),
            SrType::ReadInstantaneousImport | SrType::RetrieveDailyReadLog => {
                self.reads = self.reads.wrapping_add(1)
            }
            // Commissioning and firmware commands: the meter only answers (its SMI status is
            // the DSP's business).
            _ => {}
        }
        let respond = if gas {
            &shared.config.devices.gsme_response
        } else {
            &shared.config.devices.esme_response
        };
        let response = respond.sample(&mut ctx.rng());
        ctx.record(shared.ids.hop(req.sr, region, Hop::Device), response);
        let mut answer = hub::reply(req);
        let back = match self.link {
            DeviceLink::Building => SimDuration::ZERO,
            DeviceLink::House { dual_band } => {
                let c = link::cross_house(dual_band, shared, ctx);
                link::record(&c, Dwelling::House, req.sr, region, shared, ctx);
                if !c.delivered {
                    answer.leg = Leg::NoAnswer;
                }
                c.time
            }
        };
        let delay = there.as_micros() + response.as_micros() + back.as_micros();
        ctx.send(hub, SimDuration::from_micros(delay), Msg::AtHub(answer));
    }
}
