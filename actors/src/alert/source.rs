//! The alert source: one actor drawing every device's routine alerts (each device of a class's
//! type raises them as a Poisson process at the class's per-device rate; together they are one
//! Poisson process of the summed rate, each arrival at a device drawn uniformly), the outage
//! events' storms ([`storm`](super::storm)), and the DCC-side Network Operator stand-in that
//! receives Network Operator alerts when the scenario has no DNO.
//!
//! A meter's alert crosses its HAN to the hub (in a house drawn like a command's crossing, a
//! crossing lost after every retry being sent again \[U\]; a flat's building HAN is not drawn
//! for alerts \[limitation\]); a meter whose HAN never joined cannot alert (nothing is raised).

use super::config::class::{Origin, CLASSES};
use super::config::AlertConfig;
use super::raise;
use crate::han::link::DeviceLink;
use crate::han::{self, HanShared};
use crate::hub::Hub;
use crate::ids::Kinds;
use crate::meter::Meter;
use crate::msg::{Alert, AlertStage as Stage, Msg, SourceTimer};
use crate::shared::Core;
use crate::sr::DeviceType;
use dccsim_sim::{Ctx, Kernel, SimDuration, SimTime};

/// Crossings a meter tries for one alert before it is taken as through (with any loss below
/// one, practically never reached).
const MAX_CROSSINGS: u32 = 16;

/// The devices a routine or outage alert can come from, and who they are.
pub struct Devices<'a> {
    pub hubs: &'a [Hub],
    pub esmes: &'a [Meter],
    pub gsmes: &'a [Meter],
}

/// The source actor.
#[derive(Debug)]
pub struct AlertSource {
    pub config: AlertConfig,
    /// Premises at the start (alerts come from these: an install wave's premises do not alert).
    premises: u32,
    /// Each class's summed rate, alerts per microsecond (the same order as `config.classes`).
    rates: Vec<f64>,
}

impl AlertSource {
    /// The source of `config` over `premises` premises of which `gas` have a gas meter.
    pub fn new(config: AlertConfig, premises: u32, gas: u32) -> Self {
        let rates = config
            .classes
            .iter()
            .map(|c| {
                let devices = match CLASSES[c.class as usize].origin {
                    Origin::Device(DeviceType::Gsme) => gas,
                    Origin::Device(_) => premises,
                    // The DCC raises its alerts when their cause happens, not at a rate.
                    Origin::Dcc => 0,
                };
                c.per_device_per_day * f64::from(devices) / 86_400e6
            })
            .collect();
        AlertSource {
            config,
            premises,
            rates,
        }
    }

    /// Schedules the first routine alert and every outage's restoration.
    pub fn start(&self, kernel: &mut Kernel<Msg>) {
        let mut ctx = kernel.ctx_for(Kinds::alert_source());
        self.schedule_next(&mut ctx);
        for (i, o) in self.config.outages.iter().enumerate() {
            let at = SimDuration::from_micros(o.at.as_micros() + o.duration.as_micros());
            ctx.wake_after(at, Msg::AlertSource(SourceTimer::Restored(i as u16)));
        }
    }

    fn schedule_next(&self, ctx: &mut Ctx<'_, Msg>) {
        let total: f64 = self.rates.iter().sum();
        if total <= 0.0 {
            return;
        }
        let gap = ctx.rng().exp(1.0 / total).ceil() as u64;
        ctx.wake_after(
            SimDuration::from_micros(gap),
            Msg::AlertSource(SourceTimer::Next),
        );
    }

    pub fn handle(
        &mut self,
        msg: Msg,
        core: &Core,
        han: &HanShared,
        devices: &Devices<'_>,
        ctx: &mut Ctx<'_, Msg>,
    ) {
        match msg {
            Msg::AlertSource(SourceTimer::Next) => {
                self.routine(core, han, devices, ctx);
                self.schedule_next(ctx);
            }
            Msg::AlertSource(SourceTimer::Restored(n)) => {
                let outage = self.config.outages[n as usize].clone();
                super::storm::restored(&outage, self.premises, core, han, devices, ctx);
            }
            // The Network Operator stand-in receives its alerts.
            Msg::Alert(alert) => super::deliver(alert, core, ctx),
            other => unreachable!("alert source got {other:?}"),
        }
    }

    /// Draws the class and device of one routine alert and sends it.
    fn routine(&self, core: &Core, han: &HanShared, devices: &Devices<'_>, ctx: &mut Ctx<'_, Msg>) {
        let total: f64 = self.rates.iter().sum();
        let mut pick = ctx.rng().uniform() * total;
        // Rounding may leave `pick` past the sum: it falls to the last class with a rate (a DCC
        // class has none).
        let mut c = self
            .rates
            .iter()
            .rposition(|r| *r > 0.0)
            .expect("routine alerts are scheduled only when a class has a rate");
        for (i, r) in self.rates.iter().enumerate() {
            if pick < *r {
                c = i;
                break;
            }
            pick -= r;
        }
        let class = self.config.classes[c].class;
        let gas = CLASSES[class as usize].origin == Origin::Device(DeviceType::Gsme);
        let premises = loop {
            let p = ctx.rng().below(u64::from(self.premises)) as u32;
            if !gas || devices.hubs[p as usize].gsme.is_some() {
                break p;
            }
        };
        send(class, premises, SimDuration::ZERO, core, han, devices, ctx);
    }
}

/// The device of `class` at `premises` sends an alert `after` from now: raised, then across its
/// HAN (meter classes) to the hub. A meter off the HAN raises nothing.
pub fn send(
    class: u8,
    premises: u32,
    after: SimDuration,
    core: &Core,
    han: &HanShared,
    devices: &Devices<'_>,
    ctx: &mut Ctx<'_, Msg>,
) {
    let hub = &devices.hubs[premises as usize];
    let Origin::Device(device) = CLASSES[class as usize].origin else {
        unreachable!("the DCC's own alerts are raised by `alert::dcc`")
    };
    let link = match device {
        DeviceType::Hub => None,
        DeviceType::Gsme => {
            let g = hub
                .gsme
                .expect("gas classes are drawn at premises with gas");
            Some(devices.gsmes[g as usize].link)
        }
        _ => Some(devices.esmes[premises as usize].link),
    };
    if link.is_some() && !hub.link.joined() {
        return;
    }
    let alert = Alert {
        raised: SimTime(ctx.now().0 + after.as_micros()),
        premises,
        class,
        stage: Stage::AtHub,
    };
    raise(&alert, core.alerts(), ctx);
    let crossing = match link {
        Some(DeviceLink::House { dual_band }) => {
            let mut t = 0;
            for _ in 0..MAX_CROSSINGS {
                let c = han::link::cross_house(dual_band, han, ctx);
                t += c.time.as_micros();
                if c.delivered {
                    break;
                }
            }
            t
        }
        Some(DeviceLink::Building) | None => 0,
    };
    let delay = SimDuration::from_micros(after.as_micros() + crossing);
    ctx.send(Kinds::hub(premises), delay, Msg::Alert(alert));
}
