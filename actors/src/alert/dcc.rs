//! DCC alerts: the DCC's own alerts, raised on its side of a failure the model already produces,
//! and sent from the DSP straight to the User (no device, no WAN, no storm protection). Each is
//! modelled only when the scenario names its class in an `[[alert]]`:
//! - `dcc-no-response`: with every E21 (the device did not answer), to the User that sent the SR;
//! - `dcc-device-suspended`: for every device a CPL removal Suspends, to the premises' supplier.
//!
//! They are counted like device alerts (`alert.raised`/`alert.delivered{class}`, `alert.e2e`,
//! conserved through `alert.in_flight`).

use super::config::class::{DCC_DEVICE_SUSPENDED, DCC_NO_RESPONSE};
use super::{raise, Alert, Stage};
use crate::ids::Kinds;
use crate::msg::{Msg, Request};
use crate::shared::Core;
use crate::smi::SmiDevice;
use dccsim_sim::{ActorId, Ctx, SimDuration};

/// The DSP answers `req` E21: the DCC alerts the User that sent it.
pub fn no_response(req: &Request, core: &Core, ctx: &mut Ctx<'_, Msg>) {
    if !raises(DCC_NO_RESPONSE, core) || core.population.get(req.premises).is_none() {
        return; // no premises, no device to have been silent
    }
    send(
        DCC_NO_RESPONSE,
        req.premises,
        core.user_actor(req.user),
        core,
        ctx,
    );
}

/// A CPL removal has Suspended `device`: the DCC alerts the premises' supplier.
pub fn device_suspended(device: SmiDevice, core: &Core, ctx: &mut Ctx<'_, Msg>) {
    let Some(shared) = &core.alerts else { return };
    let Some(&supplier) = shared.supplier_of.get(device.premises as usize) else {
        return; // a premises outside the alert feature's population (a SMETS1 meter)
    };
    let to = Kinds::supplier(supplier);
    send(DCC_DEVICE_SUSPENDED, device.premises, to, core, ctx);
}

/// Whether the run raises DCC alerts of `class`.
pub fn raises(class: u8, core: &Core) -> bool {
    core.alerts.as_ref().is_some_and(|a| a.raises(class))
}

fn send(class: u8, premises: u32, to: ActorId, core: &Core, ctx: &mut Ctx<'_, Msg>) {
    let Some(shared) = &core.alerts else { return };
    if !shared.raises(class) {
        return;
    }
    let alert = Alert {
        raised: ctx.now(),
        premises,
        class,
        stage: Stage::ToUser,
    };
    raise(&alert, shared, ctx);
    ctx.send(to, SimDuration::ZERO, Msg::Alert(alert));
}
