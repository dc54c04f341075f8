//! Smart meters: the electricity meter (ESME) and the battery-powered gas meter (GSME).

use crate::hub;
use crate::msg::Msg;
use crate::sr::SrType;
use crate::world::{Hop, Kinds, Shared};
use dccsim_sim::Ctx;

/// A meter's own state: what it has been asked to do.
#[derive(Copy, Clone, Debug, Default)]
pub struct Meter {
    /// Premises (and hub) this meter belongs to.
    pub premises: u32,
    /// Reads answered (instantaneous and daily log).
    pub reads: u32,
    /// Tariff updates applied.
    pub tariff_version: u16,
}

impl Meter {
    /// Acts on a command and answers through the hub after its response time (the hub times the
    /// HAN crossing back).
    pub fn handle(&mut self, msg: Msg, gas: bool, shared: &Shared, ctx: &mut Ctx<'_, Msg>) {
        let Msg::AtDevice(req) = msg else {
            unreachable!("meter got {msg:?}")
        };
        match req.sr {
            SrType::UpdateImportTariff => self.tariff_version = self.tariff_version.wrapping_add(1),
            SrType::ReadInstantaneousImport | SrType::RetrieveDailyReadLog => {
                self.reads = self.reads.wrapping_add(1)
            }
        }
        let respond = if gas {
            &shared.config.devices.gsme_response
        } else {
            &shared.config.devices.esme_response
        };
        let region = shared
            .population
            .get(self.premises)
            .expect("a meter's premises exists")
            .region();
        let response = respond.sample(&mut ctx.rng());
        ctx.record(shared.ids.hop(req.sr, region, Hop::Device), response);
        ctx.send(
            Kinds::hub(self.premises),
            response,
            Msg::AtHub(hub::reply(req)),
        );
    }
}
