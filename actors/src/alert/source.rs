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
use super::lead::{Due, Lead};
use super::raise_at;
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
    /// What is due next and when to wake for it, acting ahead ([`lead`](super::lead)).
    lead: Lead,
}

impl AlertSource {
    /// The source of `config` over `premises` premises of which `gas` have a gas meter, acting
    /// `lead` ahead of each alert in a run that ends at `end`.
    pub fn new(
        config: AlertConfig,
        premises: u32,
        gas: u32,
        lead: SimDuration,
        end: SimTime,
    ) -> Self {
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
        let restorations: Vec<SimTime> = config
            .outages
            .iter()
            .map(|o| SimTime(o.at.as_micros() + o.duration.as_micros()))
            .collect();
        AlertSource {
            lead: Lead::new(lead, end, &restorations),
            config,
            premises,
            rates,
        }
    }

    /// Schedules the first routine alert and every outage's restoration (each `lead` ahead),
    /// and sends at once what is due within the lead (see [`lead`](super::lead)).
    pub fn start(
        &mut self,
        kernel: &mut Kernel<Msg>,
        core: &Core,
        han: &HanShared,
        devices: &Devices<'_>,
    ) {
        let mut ctx = kernel.ctx_for(Kinds::alert_source());
        let now = ctx.now();
        self.schedule_next(now, true, &mut ctx);
        for (i, o) in self.config.outages.iter().enumerate() {
            let restore = SimTime(o.at.as_micros() + o.duration.as_micros());
            let wake = self.lead.wake(restore, now);
            ctx.wake_after(
                wake.since(now),
                Msg::AlertSource(SourceTimer::Restored(i as u16)),
            );
        }
        while self.lead.early(now) {
            self.act(core, han, devices, &mut ctx);
        }
    }

    /// Does what is due first: a routine alert (and draws the next), or an outage's restoration.
    fn act(&mut self, core: &Core, han: &HanShared, devices: &Devices<'_>, ctx: &mut Ctx<'_, Msg>) {
        match self.lead.take() {
            Due::Routine(at) => {
                self.routine(at, core, han, devices, ctx);
                self.schedule_next(at, false, ctx);
            }
            Due::Restored(n, at) => {
                let outage = &self.config.outages[n as usize];
                super::storm::restored(outage, self.premises, at, core, han, devices, ctx);
            }
        }
    }

    /// Draws the gap to the routine alert after the one at `after` and wakes ahead of it.
    fn schedule_next(&mut self, after: SimTime, first: bool, ctx: &mut Ctx<'_, Msg>) {
        let total: f64 = self.rates.iter().sum();
        if total <= 0.0 {
            return;
        }
        let gap = ctx.rng().exp(1.0 / total).ceil() as u64;
        let at = SimTime(after.as_micros().saturating_add(gap));
        self.lead.set_next(at, first);
        let now = ctx.now();
        ctx.wake_after(
            self.lead.wake(at, now).since(now),
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
            // A timer whose item was done at the start does nothing; any other is for what is
            // due first, whichever timer it is (see `lead`).
            Msg::AlertSource(_) if self.lead.done_early() => {}
            Msg::AlertSource(_) => self.act(core, han, devices, ctx),
            // The Network Operator stand-in receives its alerts.
            Msg::Alert(alert) => super::deliver(alert, core, ctx),
            other => unreachable!("alert source got {other:?}"),
        }
    }

    /// Draws the class and device of the routine alert arriving `at` and sends it.
    fn routine(
        &self,
        at: SimTime,
        core: &Core,
        han: &HanShared,
        devices: &Devices<'_>,
        ctx: &mut Ctx<'_, Msg>,
    ) {
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
        let ahead = at.since(ctx.now());
        send(class, premises, at, ahead, core, han, devices, ctx);
    }
}

/// The device of `class` at `premises` sends an alert `after` from now: raised (counted as of
/// `counted`, an instant not after the alert's own), then across its HAN (meter classes) to the
/// hub. A meter off the HAN raises nothing.
///
/// The source reads the hubs' and meters' HAN links and gas meters from its own copy of the
/// world (in a partitioned run, the central partition's, which the run never updates): they are
/// set when the world is built and never change during a run (checked by
/// `alert::source::tests::premises_links_are_fixed_after_the_build`).
#[allow(clippy::too_many_arguments)]
pub fn send(
    class: u8,
    premises: u32,
    counted: SimTime,
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
    raise_at(&alert, core.alerts(), counted, ctx);
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

#[cfg(test)]
mod tests {
    use crate::world::GbWorld;
    use dccsim_sim::SimTime;

    /// What the source reads of the premises: each hub's HAN link and gas meter, each meter's
    /// end of the HAN.
    fn premises_links(w: &GbWorld) -> Vec<String> {
        let hubs = w.hubs.iter().map(|h| format!("{:?} {:?}", h.link, h.gsme));
        let meters = w
            .esmes
            .iter()
            .chain(&w.gsmes)
            .map(|m| format!("{:?}", m.link));
        hubs.chain(meters).collect()
    }

    #[test]
    fn premises_links_are_fixed_after_the_build() {
        // The GB day at a small size: installs, SMETS1 migration, CPL, alerts, a full day.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/gb-day-sample.toml"
        );
        let sets = ["population.premises=3000", "smets1_fleet.0.meters=2000"].map(String::from);
        let s = crate::scenario::load(std::path::Path::new(path), &sets).expect("loads");
        let (mut kernel, mut world) = GbWorld::build(&s);
        let before = premises_links(&world);
        let stats = kernel.run(&mut world, SimTime(s.duration.as_micros()), &mut |_, _| {});
        assert!(stats.events > 0);
        assert_eq!(premises_links(&world), before);
    }
}
