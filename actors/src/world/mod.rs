//! The GB world: every actor kind in its own `Vec`, the read-only parts they read, dispatch of
//! each message to its actor, and the end of a run. Building it is `build`'s.

mod build;
mod cpl;
#[cfg(test)]
pub(crate) mod fixture;
mod partition;
pub use partition::PartitionEnd;
#[cfg(test)]
mod tests;

pub use crate::ids::{Kinds, UNKNOWN_REGION};
pub use crate::shared::{Core, Hop, MetricIds};
pub use cpl::{report_lines as cpl_report_lines, CplWorld};

use crate::alert::source::{AlertSource, Devices};
use crate::csp::Csp;
use crate::dsp::Dsp;
use crate::ev::EvWorld;
use crate::firmware::FirmwareShared;
use crate::han::{self, Building, HanShared};
use crate::hub::Hub;
use crate::meter::Meter;
use crate::msg::Msg;
use crate::smets1::Smets1Service;
use crate::smi::Smi;
use crate::sr::SrType;
use crate::supplier::Supplier;
use dccsim_sim::{metric_name, ActorId, Ctx, Kernel, SimTime, World};

/// The GB smart-metering world.
pub struct GbWorld {
    /// What every actor reads: premises, SR metric handles, the CSPs' networks, devices.
    pub core: Core,
    /// The HAN's configuration and handles (every scenario has a HAN).
    pub han: HanShared,
    /// The firmware path's configuration and handles (every command crosses the downlink).
    pub firmware: FirmwareShared,
    pub suppliers: Vec<Supplier>,
    pub dsp: Dsp,
    pub csps: Vec<Csp>,
    pub hubs: Vec<Hub>,
    pub esmes: Vec<Meter>,
    pub gsmes: Vec<Meter>,
    /// The Central Products List, when the scenario models it.
    pub cpl: Option<CplWorld>,
    /// DNOs and EV chargers, when the scenario has `[ev]`.
    pub ev: Option<EvWorld>,
    pub buildings: Vec<Building>,
    /// The DCC's SMETS1 service, when the scenario migrates SMETS1 meters (`[[migration]]`).
    pub smets1: Option<Smets1Service>,
    /// The device alerts' source, when the scenario models alerts.
    pub alerts: Option<AlertSource>,
}

impl World for GbWorld {
    type Msg = Msg;

    #[inline]
    fn handle(&mut self, to: ActorId, msg: Msg, ctx: &mut Ctx<'_, Msg>) {
        let i = to.index() as usize;
        let (core, han, fw) = (&self.core, &self.han, &self.firmware);
        match to.kind() {
            Kinds::SUPPLIER => self.suppliers[i].handle(msg, core, fw, ctx),
            Kinds::DSP => self.dsp.handle(msg, core, fw, ctx),
            Kinds::CSP => self.csps[i].handle(msg, core, fw, ctx),
            Kinds::HUB => self.hubs[i].handle(msg, core, han, fw, ctx),
            Kinds::ESME => self.esmes[i].handle(msg, false, core, han, fw, ctx),
            Kinds::GSME => self.gsmes[i].handle(msg, true, core, han, fw, ctx),
            Kinds::BUILDING => self.buildings[i].handle(msg, core, han, ctx),
            Kinds::CPL => {
                let Some(cpl) = &mut self.cpl else {
                    unreachable!("CPL steps exist only when the CPL is modelled")
                };
                cpl.step(msg, &mut self.dsp.smi, core, ctx)
            }
            Kinds::DNO | Kinds::CHARGER => {
                let Some(ev) = &mut self.ev else {
                    unreachable!("DNOs and chargers exist only with [ev]")
                };
                if to.kind() == Kinds::DNO {
                    ev.dnos[i].handle(msg, core, &ev.shared, fw, ctx)
                } else {
                    ev.chargers[i].handle(msg, core, &ev.shared, han, ctx)
                }
            }
            Kinds::SMETS1 => {
                let Some(service) = &mut self.smets1 else {
                    unreachable!("the SMETS1 service exists only with [[migration]]")
                };
                service.handle(msg, core, &mut self.dsp.smi, ctx)
            }
            Kinds::ALERT => {
                let Some(source) = &mut self.alerts else {
                    unreachable!("the alert source exists only when alerts are modelled")
                };
                let devices = Devices {
                    hubs: &self.hubs,
                    esmes: &self.esmes,
                    gsmes: &self.gsmes,
                };
                source.handle(msg, core, han, &devices, ctx)
            }
            other => unreachable!("no actor kind {other:?} in the GB world"),
        }
    }
}

impl GbWorld {
    /// Closes the run at `end`: each feature settles what is still open (energy integrated up to
    /// `end`, statuses held until `end`) and writes its end-of-run scalars into the metrics.
    pub fn finish(&mut self, kernel: &mut Kernel<Msg>, end: SimTime) {
        self.account_late_in_flight(kernel, end);
        self.account_alerts(kernel);
        // The DCC communicates only with devices whose Device Model is on its CPL (DOMAIN §2).
        if let Some((device, model, status)) = self.dsp.smi.off_cpl_in_service() {
            panic!("{device:?} of Device Model {model:?}, off the CPL, is {status} at the end");
        }
        self.finish_firmware(kernel);
        if let Some(ev) = &mut self.ev {
            ev.finish(kernel, end);
        }
        han::finish(&self.buildings, &mut kernel.metrics);
        if let Some(service) = &self.smets1 {
            service.finish_run(&mut kernel.metrics);
        }
    }

    /// Finds every request still in flight at `end` (in pending events and in the DSP's and
    /// CSPs' queues), checks they are exactly those the `sr.in_flight` gauge counts, and sets
    /// on each `sr.e2e` flow how many of them are already older than its TRT: misses that a
    /// share over completed requests alone would hide when the DCC is saturated.
    fn account_late_in_flight(&self, kernel: &mut Kernel<Msg>, end: SimTime) {
        let mut late = vec![[0u64; 3]; SrType::ALL.len()];
        let mut found = 0u64;
        // An interrupted request's stale completion is pending beside the request itself.
        let pending = without(
            kernel.pending_messages().filter_map(Msg::request_in_flight),
            self.stale().filter_map(|item| item.request()).collect(),
        );
        let queued = self
            .dsp
            .waiting()
            .chain(self.csps.iter().flat_map(Csp::waiting))
            .chain(self.smets1.iter().flat_map(Smets1Service::waiting));
        // Attempts a User has retried or given up on are no longer its request in flight.
        let current = |req: &&crate::msg::Request| {
            !(req.user < self.core.suppliers
                && self.suppliers[req.user as usize].retries.is_stale(req))
        };
        for req in pending.chain(queued).filter(current) {
            found += 1;
            // A request naming no premises is refused (E19) and has no end-to-end flow.
            let Some(premises) = self.core.population.get(req.premises) else {
                continue;
            };
            let region = premises.region().index();
            let flow = kernel.metrics.flow_by_id(self.core.ids.e2e(req.sr, region));
            if flow.trt.is_some_and(|trt| end.since(req.sent) > trt) {
                late[req.sr.index()][region] += 1;
            }
        }
        assert_eq!(
            found,
            self.in_flight(kernel),
            "every request in flight is in an event or a queue"
        );
        for sr in SrType::ALL {
            for (region, &n) in late[sr.index()].iter().enumerate() {
                if n > 0 {
                    let flow = self.core.ids.e2e(sr, region);
                    kernel.metrics.set_late_in_flight(flow, n);
                }
            }
        }
    }

    /// Checks that the alerts still in flight at the end (in pending events and the DSP's and
    /// CSPs' queues) are exactly those `alert.in_flight` counts: raised = delivered + shed + in
    /// flight holds however the run was cut off. Then writes `dcc.messages`, SRs requested plus
    /// alerts raised (with alerts modelled only).
    fn account_alerts(&self, kernel: &mut Kernel<Msg>) {
        let Some(shared) = &self.core.alerts else {
            return;
        };
        let pending = without(
            kernel.pending_messages().filter_map(Msg::alert_in_flight),
            self.stale().filter_map(|item| item.alert()).collect(),
        );
        let queued = self
            .dsp
            .waiting_alerts()
            .chain(self.csps.iter().flat_map(Csp::waiting_alerts));
        let found = pending.chain(queued).count() as i64;
        assert_eq!(
            found,
            kernel.metrics.gauge_value(shared.in_flight),
            "every alert in flight is in an event or a queue"
        );
        // The day's DCC messages as the calibration counts them: one per SR, one per alert.
        let messages: u64 = kernel
            .metrics
            .counters()
            .iter()
            .filter(|(name, _)| {
                name.starts_with("sr.requested{") || name.starts_with("alert.raised{")
            })
            .map(|(_, n)| n)
            .sum();
        kernel
            .metrics
            .set_scalar("dcc.messages".into(), messages as f64);
    }

    /// End-of-run scalars `firmware.targeted{campaign=…}` (devices each campaign took on) and
    /// `firmware.images_in_transfer` (distributions the run ended during), after checking that
    /// every campaign accounts for each of its devices.
    fn finish_firmware(&self, kernel: &mut Kernel<Msg>) {
        let config = &self.firmware.config;
        if !config.is_modelled() {
            return;
        }
        for run in self.suppliers.iter().flat_map(|s| &s.campaigns) {
            run.check(&kernel.metrics);
            let id = &config.campaigns[run.index as usize].id;
            let name = metric_name("firmware.targeted", &[("campaign", id)]);
            kernel.metrics.set_scalar(name, f64::from(run.targeted()));
        }
        let open: usize = self.csps.iter().map(|c| c.images.in_progress()).sum();
        kernel
            .metrics
            .set_scalar("firmware.images_in_transfer".into(), open as f64);
    }

    /// Items the DSP's and CSPs' preemption interrupted whose stale completion is still pending.
    fn stale(&self) -> impl Iterator<Item = &crate::msg::Item> {
        self.dsp
            .stale()
            .chain(self.csps.iter().flat_map(Csp::stale))
    }

    /// The Smart Metering Inventory (kept by the DSP).
    pub fn smi(&self) -> &Smi {
        &self.dsp.smi
    }

    /// Service Requests sent and not yet answered: counted, never dropped or called delivered.
    pub fn in_flight(&self, kernel: &Kernel<Msg>) -> u64 {
        kernel.metrics.gauge_value(self.core.ids.in_flight) as u64
    }
}

/// `found` less one occurrence of each of `stale` (a multiset difference, in `found`'s order).
fn without<'a, T: PartialEq + 'a>(
    found: impl Iterator<Item = &'a T>,
    mut stale: Vec<&'a T>,
) -> impl Iterator<Item = &'a T> {
    found.filter(move |x| match stale.iter().position(|s| s == x) {
        Some(i) => {
            stale.swap_remove(i);
            false
        }
        None => true,
    })
}
