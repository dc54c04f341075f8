//! The DCC's Data Service Provider: authorises every request, routes it to the CSP of the
//! device's region, and processes responses on their way back. Its workers are finite, so load
//! shows as queueing delay (`dsp.wait`).

use crate::admission::{self, Target};
use crate::alert::protection::{Admission, Guard};
use crate::config;
use crate::firmware;
use crate::firmware::FirmwareShared;
use crate::ids::Kinds;
use crate::msg::{Alert, AlertStage, Item, Leg, Msg, Request};
use crate::preemption::{Preemption, Waiting};
use crate::priority::{ClassQueue, Classes};
use crate::shared::Core;
use crate::smi::{Smi, SmiDevice};
use crate::sr::{Category, ResponseCode, SrType};
use crate::throttle::{Throttle, Verdict};
use dccsim_sim::{Ctx, SimDuration};

/// DSP state: busy workers, the queue of requests waiting for one (FIFO within each priority
/// class), SR throttling, and the Smart Metering Inventory it keeps.
#[derive(Debug)]
pub struct Dsp {
    /// `[dsp]`: workers and service times.
    cfg: config::Dsp,
    /// `[dno] secmp0046`: the ED role may send the EV load-control SRs.
    grants_load_control: bool,
    busy: u32,
    waiting: ClassQueue<Waiting>,
    /// `[priority]` (SECMP0028): each SR's class in the queue (all 0 without it).
    classes: Classes,
    /// `[priority] preemption`: interrupting lower classes in service (inert without it).
    preemption: Preemption,
    /// `[throttle]` (SECMP0067), if the DCC throttles.
    throttle: Option<Throttle>,
    /// SECMP0062 alert storm protection (inert unless configured).
    pub storm: Guard,
    /// The SMI: every device's status, checked by every request (see [`admission`]).
    pub smi: Smi,
}

impl Dsp {
    /// A DSP of configuration `cfg` keeping the inventory `smi`; `grants_load_control`: SECMP0046
    /// lets the ED role send the EV load-control SRs.
    pub fn new(cfg: config::Dsp, grants_load_control: bool, smi: Smi) -> Self {
        Dsp {
            cfg,
            grants_load_control,
            busy: 0,
            waiting: ClassQueue::default(),
            classes: Classes::default(),
            preemption: Preemption::default(),
            throttle: None,
            storm: Guard::default(),
            smi,
        }
    }

    /// The same DSP with priority classes `classes` in its queue (interrupting lower classes in
    /// service with `preemption`) and throttling `throttle`.
    pub fn with_traffic_management(
        mut self,
        classes: Classes,
        preemption: Preemption,
        throttle: Option<Throttle>,
    ) -> Self {
        self.classes = classes;
        self.preemption = preemption;
        self.throttle = throttle;
        self
    }

    /// Requests waiting for a worker (interrupted ones too).
    pub fn waiting(&self) -> impl Iterator<Item = &Request> {
        self.waiting.iter().filter_map(|(item, ..)| item.request())
    }

    /// Alerts waiting for a worker (interrupted ones too).
    pub fn waiting_alerts(&self) -> impl Iterator<Item = &Alert> {
        self.waiting.iter().filter_map(|(item, ..)| item.alert())
    }

    /// Interrupted items whose stale completion event is still pending (see [`Preemption`]).
    pub fn stale(&self) -> impl Iterator<Item = &Item> {
        self.preemption.stale()
    }

    pub fn handle(&mut self, msg: Msg, core: &Core, fw: &FirmwareShared, ctx: &mut Ctx<'_, Msg>) {
        match msg {
            Msg::AtDsp(req) => {
                if self.admit(req, core, ctx) {
                    self.arrive(Item::Sr(req), core, ctx);
                }
            }
            Msg::DspDone(req) => {
                if self.completes(Item::Sr(req), core, ctx) {
                    self.finish(req, core, fw, ctx);
                    self.next(core, ctx);
                }
            }
            Msg::Alert(alert) => match alert.stage {
                AlertStage::AtDsp => match self.storm.admit(alert.class, ctx.now()) {
                    Admission::Now => self.arrive(Item::Alert(alert), core, ctx),
                    Admission::After(wait) => {
                        crate::alert::hold(&alert, core.alerts(), ctx);
                        ctx.wake_after(wait, Msg::Alert(alert.at(AlertStage::Held)));
                    }
                    Admission::Shed => crate::alert::shed(&alert, core.alerts(), ctx),
                },
                AlertStage::Held => {
                    self.storm.release();
                    self.arrive(Item::Alert(alert), core, ctx);
                }
                AlertStage::DspDone if !self.completes(Item::Alert(alert), core, ctx) => {}
                AlertStage::DspDone => {
                    let to = core.alerts().recipient(&alert);
                    ctx.send(
                        to,
                        SimDuration::ZERO,
                        Msg::Alert(alert.at(AlertStage::ToUser)),
                    );
                    self.next(core, ctx);
                }
                other => unreachable!("DSP got an alert at {other:?}"),
            },
            other => unreachable!("DSP got {other:?}"),
        }
        debug_assert!(self.busy <= self.cfg.workers);
        debug_assert!(
            self.waiting.is_empty() || self.busy == self.cfg.workers,
            "a worker idles while requests wait"
        );
    }

    /// SR throttling at the front door: whether `req` goes on to a worker (a fresh SR over its
    /// User's allocation is refused E90 or comes back when the User's next window starts).
    fn admit(&mut self, req: Request, core: &Core, ctx: &mut Ctx<'_, Msg>) -> bool {
        let Some(throttle) = &mut self.throttle else {
            return true;
        };
        if req.leg != first_leg(req.sr.category()) {
            return true; // a response, or a signed pre-command coming back
        }
        match throttle.check(&req, self.waiting.len(), ctx.now(), ctx.metrics()) {
            Verdict::Admit => true,
            Verdict::Refuse => {
                let user = core.user_actor(req.user);
                ctx.send(
                    user,
                    SimDuration::ZERO,
                    Msg::Response(req, ResponseCode::E90),
                );
                false
            }
            Verdict::Defer(wait) => {
                let me = ctx.me();
                ctx.send(me, wait, Msg::AtDsp(req));
                false
            }
        }
    }

    /// `item` reaches the DSP: a free worker takes it, or it waits.
    fn arrive(&mut self, item: Item, core: &Core, ctx: &mut Ctx<'_, Msg>) {
        if self.busy < self.cfg.workers {
            self.start((item, ctx.now(), None), core, ctx);
            return;
        }
        let class = self.classes.of_item(&item);
        ctx.gauge_add(core.ids.dsp_queue, 1);
        if let Some(item) = self.preemption.arrive(&mut self.waiting, item, class, ctx) {
            // It takes the worker of the item it interrupted.
            self.busy -= 1;
            ctx.gauge_add(core.ids.dsp_busy, -1);
            self.start((item, ctx.now(), None), core, ctx);
        }
    }

    /// A worker is free: it takes the next waiting item, if any.
    fn next(&mut self, core: &Core, ctx: &mut Ctx<'_, Msg>) {
        self.busy -= 1;
        ctx.gauge_add(core.ids.dsp_busy, -1);
        if let Some(next) = self.waiting.pop() {
            ctx.gauge_add(core.ids.dsp_queue, -1);
            self.start(next, core, ctx);
        }
    }

    /// A worker takes `item`, arrived at `arrived`, for a fresh service or (`remaining`) the rest
    /// of an interrupted one.
    fn start(&mut self, waiting: Waiting, core: &Core, ctx: &mut Ctx<'_, Msg>) {
        let (item, arrived, remaining) = waiting;
        // Held as its completion event will carry it, so that preemption can recognise it.
        let item = match item {
            Item::Alert(alert) => Item::Alert(alert.at(AlertStage::DspDone)),
            sr => sr,
        };
        self.busy += 1;
        ctx.gauge_add(core.ids.dsp_busy, 1);
        let wait = ctx.now().since(arrived);
        if remaining.is_none() {
            ctx.record(core.ids.dsp_wait, wait);
        }
        let dist = match item {
            // An alert is processed like a response on its way to a User \[U\].
            Item::Alert(_) => &self.cfg.response_service_time,
            Item::Sr(req) => match req.leg {
                Leg::Inbound | Leg::NoAnswer => &self.cfg.response_service_time,
                Leg::Transform | Leg::Outbound => &self.cfg.service_time,
            },
        };
        let service = remaining.unwrap_or_else(|| dist.sample(&mut ctx.rng()));
        if self.preemption.is_on() {
            let class = self.classes.of_item(&item);
            self.preemption
                .started(item, class, arrived, ctx.now().after(service));
        }
        match item {
            Item::Alert(alert) => {
                ctx.wake_after(service, Msg::Alert(alert));
            }
            Item::Sr(req) => {
                if !self.preemption.is_on() {
                    let visit = SimDuration::from_micros(wait.as_micros() + service.as_micros());
                    ctx.record(core.ids.dsp_hop(req.sr), visit);
                }
                ctx.wake_after(service, Msg::DspDone(req));
            }
        }
    }

    /// Whether `item`'s completion event ends its service (false: an interrupted service's
    /// stale event). With preemption an SR's visit is timed here, interruptions included.
    fn completes(&mut self, item: Item, core: &Core, ctx: &mut Ctx<'_, Msg>) -> bool {
        let Some(arrived) = self.preemption.completed(&item, ctx.now()) else {
            return false;
        };
        if let (true, Item::Sr(req)) = (self.preemption.is_on(), item) {
            ctx.record(core.ids.dsp_hop(req.sr), ctx.now().since(arrived));
        }
        true
    }

    /// A worker has processed `req`: refuse it, send it on, or answer the User. A successful
    /// response fires its SR's SMI trigger (if any) before the User hears of it.
    fn finish(
        &mut self,
        mut req: Request,
        core: &Core,
        fw: &FirmwareShared,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        let user = core.user_actor(req.user);
        match req.leg {
            Leg::Inbound => {
                if req.sr == SrType::ActivateFirmware {
                    firmware::gate::activated(&req, &mut self.smi, fw, ctx);
                }
                let code = self.fire(&req, ctx);
                ctx.send(user, SimDuration::ZERO, Msg::Response(req, code))
            }
            // The hub could not reach the device over the HAN: no trigger fires.
            Leg::NoAnswer => {
                ctx.send(
                    user,
                    SimDuration::ZERO,
                    Msg::Response(req, ResponseCode::E21),
                );
                crate::alert::dcc::no_response(&req, core, ctx);
            }
            Leg::Transform | Leg::Outbound => {
                let granted = crate::ev::grants(self.grants_load_control, req.sr, req.role);
                if let Err(code) = crate::smi::admit(&req, &self.smi, granted) {
                    ctx.send(user, SimDuration::ZERO, Msg::Response(req, code));
                    return;
                }
                if req.sr == SrType::UpdateFirmware {
                    // Acknowledged, then distributed by the region's CSP: the User hears how
                    // it went from the receipt.
                    if let Err(code) = firmware::gate::admit_update(&req, &self.smi, fw, ctx) {
                        ctx.send(user, SimDuration::ZERO, Msg::Response(req, code));
                        return;
                    }
                    ctx.send(
                        user,
                        SimDuration::ZERO,
                        Msg::Response(req, ResponseCode::I0),
                    );
                    let region = core.region_of(req.premises);
                    let crossing = core.dsp_crossing(req.sr, region, ctx);
                    ctx.send(Kinds::csp(region), crossing, Msg::Distribute(req));
                    return;
                }
                if admission::rule(req.sr).target == Target::NonDevice {
                    // Non-device SRs end here.
                    let code = self.fire(&req, ctx);
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
                // The region's CSP across the DSP ↔ CSP network, or the SMETS1 service for a
                // SMETS1 meter.
                let to = crate::smets1::route(core, req.premises);
                let crossing = if to.kind() == Kinds::CSP {
                    core.dsp_crossing(req.sr, core.region_of(req.premises), ctx)
                } else {
                    SimDuration::ZERO
                };
                ctx.send(to, crossing, Msg::AtCsp(req));
            }
        }
    }

    /// Applies the SMI trigger of `req`'s SR to its device: I0, or the refusal if the status
    /// changed meanwhile (a CPL removal while the command was out).
    fn fire(&mut self, req: &Request, ctx: &mut Ctx<'_, Msg>) -> ResponseCode {
        let Some(trigger) = admission::rule(req.sr).trigger else {
            return ResponseCode::I0;
        };
        let device = SmiDevice {
            premises: req.premises,
            device: req.device,
        };
        match self.smi.apply(device, trigger, ctx) {
            Ok(_) => ResponseCode::I0,
            Err(code) => code,
        }
    }
}

/// The first DSP leg a fresh request takes.
pub fn first_leg(req_category: Category) -> Leg {
    match req_category {
        Category::Critical => Leg::Transform,
        Category::OnDemand | Category::DccScheduled => Leg::Outbound,
    }
}
