//! A DCC User's side of a Service Request, shared by suppliers and DNOs: submitting it to the DSP
//! (counted and in flight) and accounting for the answer (completed with its end-to-end latency,
//! or refused with its response code).

use crate::dsp;
use crate::firmware::FirmwareShared;
use crate::ids::Kinds;
use crate::msg::{Msg, Request};
use crate::shared::Core;
use crate::sr::{DeviceType, ResponseCode, Role, SrType};
use dccsim_sim::{metric_name, CounterId, Ctx, SimDuration, SimTime};

/// A fresh request from User `user`, sent at `now`, on its SR's first DSP leg.
pub fn request(
    user: u16,
    premises: u32,
    sr: SrType,
    device: DeviceType,
    role: Role,
    arg: u16,
    now: SimTime,
) -> Request {
    Request {
        sent: now,
        premises,
        user,
        sr,
        device,
        role,
        leg: dsp::first_leg(sr.category()),
        arg,
        attempt: 0,
    }
}

/// Sends `req` to the DSP now: `sr.requested{region,sr}` and `sr.in_flight` count it.
pub fn submit(req: Request, core: &Core, ctx: &mut Ctx<'_, Msg>) {
    let region = core
        .population
        .get(req.premises)
        .map(|p| p.region().index())
        .unwrap_or(3);
    ctx.count(core.ids.requested(req.sr, region), 1);
    ctx.gauge_add(core.ids.in_flight, 1);
    ctx.send(Kinds::dsp(), SimDuration::ZERO, Msg::AtDsp(req));
}

/// One User's `sr.rejected{code,sr}` handles, registered on first refusal so unused codes stay
/// out of reports.
#[derive(Debug, Default)]
pub struct Answers {
    rejected: [[Option<CounterId>; SrType::ALL.len()]; ResponseCode::ALL.len()],
}

impl Answers {
    /// Accounts for the DSP's answer to `req`: no longer in flight; completed (with its
    /// end-to-end latency against the TRT) or refused (counted by code).
    pub fn account(
        &mut self,
        req: Request,
        code: ResponseCode,
        core: &Core,
        fw: &FirmwareShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        ctx.gauge_add(core.ids.in_flight, -1);
        if code == ResponseCode::I0 {
            let region = core
                .population
                .get(req.premises)
                .expect("completed SRs name real premises")
                .region()
                .index();
            ctx.count(core.ids.completed(req.sr, region), 1);
            let e2e = ctx.now().since(req.sent);
            ctx.record(core.ids.e2e(req.sr, region), e2e);
            if let Some(f) = core.ids.smets1_e2e(req.sr, req.premises, &core.population) {
                ctx.record(f, e2e);
            }
            if let Some(f) = core.class_flows.get(&req) {
                ctx.record(f, e2e);
            }
            if let Some(f) = core.user_flows.get(req.user, req.sr) {
                ctx.record(f, e2e);
            }
            let r = crate::region::Region::from_index(region);
            if let Some(f) = fw.ids.read_flow(req.sr, r, ctx.now(), ctx.metrics()) {
                ctx.record(f, e2e);
            }
        } else {
            let slot = &mut self.rejected[code.index()][req.sr.index()];
            let id = *slot.get_or_insert_with(|| {
                ctx.metrics().counter(metric_name(
                    "sr.rejected",
                    &[("code", code.code()), ("sr", req.sr.number())],
                ))
            });
            ctx.count(id, 1);
        }
    }
}
