//! Smart meters: the electricity meter (ESME) and the battery-powered gas meter (GSME).

use crate::firmware;
use crate::firmware::FirmwareShared;
use crate::han::link::DeviceLink;
use crate::han::HanShared;
use crate::hub;
use crate::msg::Msg;
use crate::shared::Core;
use crate::sr::SrType;
use dccsim_sim::Ctx;

/// A meter's own state: what it has been asked to do, and its end of the HAN.
#[derive(Copy, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
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
    pub fn handle(
        &mut self,
        msg: Msg,
        gas: bool,
        core: &Core,
        han: &HanShared,
        fw: &FirmwareShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let Msg::AtDevice(mut req) = msg else {
            unreachable!("meter got {msg:?}")
        };
        // A future-dated activation waits for its execution time \[U: before its HAN crossing\].
        if firmware::device::hold_until_due(&req, msg, ctx) {
            return;
        }
        let Some(there) = hub::receive(req, self.premises, self.link, core, han, ctx) else {
            return;
        };
        match req.sr {
            SrType::UpdateImportTariff => self.tariff_version = self.tariff_version.wrapping_add(1),
            SrType::ReadInstantaneousImport | SrType::RetrieveDailyReadLog => {
                self.reads = self.reads.wrapping_add(1)
            }
            SrType::ActivateAuxiliaryLoad
            | SrType::DeactivateAuxiliaryLoad
            | SrType::SetRandomisedOffsetLimit
            | SrType::SetApcLimit => unreachable!("the DSP routes {} to chargers", req.sr),
            SrType::ActivateFirmware => firmware::device::activate(&mut req, fw, ctx),
            // Commissioning and other firmware commands: the meter only answers (its SMI status
            // is the DSP's business).
            _ => {}
        }
        let respond = if gas {
            &core.devices.gsme_response
        } else {
            &core.devices.esme_response
        };
        hub::answer(req, self.link, there, respond, core, han, ctx);
    }
}
