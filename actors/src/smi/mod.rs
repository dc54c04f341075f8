//! The Smart Metering Inventory (SMI): the DCC's record of every device, its Device Model and its
//! SMI status, which decides whether the DCC will talk to it (DOMAIN §3).
//!
//! A status changes only through [`Smi::apply`], driven by a [`Trigger`] (an SR the DSP accepted,
//! a HAN join, a CPL removal or restoration); the rules are the pure function [`transition`] of
//! the lifecycle. The DSP owns the SMI (`Dsp::smi`) and admits requests against it ([`admit`]);
//! the CPL reaches it through [`Smi::set_model_listed`], [`Smi::is_listed`] and
//! [`Smi::restore_device`], which `GbWorld` also offers.

mod build;

pub use crate::lifecycle::{transition, SmiStatus, Trigger};
pub use build::{add_han_devices, add_premises, build, draw_models, inventory};

use crate::admission::{rule, Admits};
use crate::device_model::{ModelId, PhysicalDeviceType};
use crate::msg::{Msg, Request};
use crate::sr::{DeviceType, ResponseCode, SrType};
use dccsim_sim::{metric_name, CounterId, Ctx, GaugeId, Kernel, SimTime};

/// A device as the SMI addresses it: the premises and which of its devices.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SmiDevice {
    pub premises: u32,
    pub device: DeviceType,
}

/// One device's inventory entry: 16 bytes (checked by a test).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SmiRecord {
    /// When the current status took effect.
    pub since: SimTime,
    pub model: ModelId,
    /// `None`: not (yet) on the SMI.
    pub status: Option<SmiStatus>,
    /// The status to return to when a Suspended device is restored.
    pub resume: Option<SmiStatus>,
}

impl SmiRecord {
    /// A device the DCC does not know yet (a premises an installation wave will create).
    pub fn unknown(model: ModelId) -> Self {
        SmiRecord {
            since: SimTime::ZERO,
            model,
            status: None,
            resume: None,
        }
    }

    /// A device of a model off the CPL since time zero: Suspended, back to Commissioned if its
    /// model is listed again.
    pub fn suspended(model: ModelId) -> Self {
        SmiRecord {
            status: Some(SmiStatus::Suspended),
            resume: Some(SmiStatus::Commissioned),
            ..SmiRecord::unknown(model)
        }
    }

    /// A device in service since time zero (the installed population).
    pub fn commissioned(model: ModelId) -> Self {
        SmiRecord {
            status: Some(SmiStatus::Commissioned),
            ..SmiRecord::unknown(model)
        }
    }
}

/// A Device Model as the SMI needs it: its type and whether it is on the CPL.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct ModelState {
    device_type: PhysicalDeviceType,
    listed: bool,
    /// A SMETS1 model: the DCC serves its devices only the SMETS1 subset of SRs (`smets1`).
    smets1: bool,
}

/// `smi.transition{from,to}` counters (registered on first use, so only transitions that
/// happen appear) and the `smi.status{status}` gauges.
#[derive(Debug, Default)]
struct SmiMetrics {
    status: Vec<GaugeId>,
    /// `[from][to]`, from index `SmiStatus::ALL.len()` = not on the SMI (`from=new`).
    transitions: Vec<Option<CounterId>>,
}

/// The inventory: one record per hub, electricity meter and gas meter of the world.
#[derive(Debug, Default)]
pub struct Smi {
    hubs: Vec<SmiRecord>,
    esmes: Vec<SmiRecord>,
    gsmes: Vec<SmiRecord>,
    /// Index of each premises' gas meter in `gsmes`, `NO_GAS` where it has none.
    gsme_of: Vec<u32>,
    models: Vec<ModelState>,
    metrics: SmiMetrics,
    /// Each EV charger's load-control device (HCALCS or APC), in charger order.
    chargers: Vec<SmiRecord>,
    /// The premises of each charger's device, ascending (as `EvShared` numbers chargers; an
    /// HCALCS an installation wave fits sits among them).
    charger_premises: Vec<u32>,
    /// PPMIDs installation waves fit, and their premises (ascending).
    ppmids: Vec<SmiRecord>,
    ppmid_premises: Vec<u32>,
    /// First SMETS1 premises (`[[migration]]` cohorts, numbered last): they have no SMETS2 hub.
    smets1_from: u32,
}

const NO_GAS: u32 = u32::MAX;

impl Smi {
    /// An inventory over `models`, registering the `smi.status` gauges. Devices are added with
    /// [`Smi::add_premises`] in premises order.
    pub fn new(
        models: &[(PhysicalDeviceType, bool)],
        kernel: &mut Kernel<Msg>,
        premises: u32,
    ) -> Self {
        let status = SmiStatus::ALL
            .iter()
            .map(|s| {
                kernel
                    .metrics
                    .gauge(metric_name("smi.status", &[("status", s.name())]))
            })
            .collect();
        Smi {
            hubs: Vec::with_capacity(premises as usize),
            esmes: Vec::with_capacity(premises as usize),
            gsmes: Vec::new(),
            gsme_of: Vec::with_capacity(premises as usize),
            models: models
                .iter()
                .map(|&(device_type, listed)| ModelState {
                    device_type,
                    listed,
                    smets1: false,
                })
                .collect(),
            metrics: SmiMetrics {
                status,
                transitions: vec![None; (SmiStatus::ALL.len() + 1) * SmiStatus::ALL.len()],
            },
            chargers: Vec::new(),
            charger_premises: Vec::new(),
            ppmids: Vec::new(),
            ppmid_premises: Vec::new(),
            smets1_from: u32::MAX,
        }
    }

    /// **SMETS1 hook.** Premises from `first` on are SMETS1 premises: a meter served through the
    /// DCC's SMETS1 service and no SMETS2 hub (their hub records are no device).
    pub fn set_smets1_premises(&mut self, first: u32) {
        self.smets1_from = first;
    }

    /// **SMETS1 hook.** Marks `model` as a SMETS1 Device Model.
    pub fn mark_smets1(&mut self, model: ModelId) {
        self.models[model.index()].smets1 = true;
    }

    /// Whether `model` is a SMETS1 Device Model.
    pub fn is_smets1(&self, model: ModelId) -> bool {
        self.models[model.index()].smets1
    }

    /// **SMETS1 hook.** The electricity meter at SMETS1 premises `premises`, not yet known to the
    /// DCC, is of Device Model `model`.
    pub fn place_smets1_meter(&mut self, premises: u32, model: ModelId) {
        let record = &mut self.esmes[premises as usize];
        debug_assert!(record.status.is_none(), "a SMETS1 meter starts off the SMI");
        record.model = model;
    }

    /// Adds the next premises' hub, electricity meter and (optional) gas meter, counting their
    /// statuses in the `smi.status` gauges.
    pub fn add_premises(
        &mut self,
        hub: SmiRecord,
        esme: SmiRecord,
        gsme: Option<SmiRecord>,
        kernel: &mut Kernel<Msg>,
    ) {
        for r in [Some(hub), Some(esme), gsme].into_iter().flatten() {
            debug_assert!(r.model.index() < self.models.len());
            if let Some(s) = r.status {
                kernel.metrics.gauge_add(self.metrics.status[s.index()], 1);
            }
        }
        self.hubs.push(hub);
        self.esmes.push(esme);
        match gsme {
            Some(g) => {
                self.gsme_of.push(self.gsmes.len() as u32);
                self.gsmes.push(g);
            }
            None => self.gsme_of.push(NO_GAS),
        }
    }

    /// Adds the HAN devices that are no actors of their own (EV chargers' load-control devices;
    /// PPMIDs and HCALCSs of installation waves), at most one charger device and one PPMID per
    /// premises, in ascending premises order, counting their statuses in the `smi.status` gauges.
    pub fn add_han_devices(&mut self, records: Vec<(u32, SmiRecord)>, kernel: &mut Kernel<Msg>) {
        for (p, r) in records {
            let (premises, table) = match self.models[r.model.index()].device_type {
                PhysicalDeviceType::Ppmid => (&mut self.ppmid_premises, &mut self.ppmids),
                PhysicalDeviceType::Hcalcs | PhysicalDeviceType::Apc => {
                    (&mut self.charger_premises, &mut self.chargers)
                }
                other => unreachable!("{other} devices are added with their premises"),
            };
            assert!(
                premises.last().is_none_or(|&last| last < p),
                "one device of a kind per premises, in premises order"
            );
            if let Some(s) = r.status {
                kernel.metrics.gauge_add(self.metrics.status[s.index()], 1);
            }
            premises.push(p);
            table.push(r);
        }
    }

    /// Where in `chargers` the device `d` is: a charger at its premises whose model is of the
    /// type `d` names (an HCALCS is no APC).
    fn charger_index(&self, d: SmiDevice) -> Option<usize> {
        let i = self.charger_premises.binary_search(&d.premises).ok()?;
        let ty = self.models[self.chargers[i].model.index()].device_type;
        (crate::admission::physical_types(d.device) & ty.bit() != 0).then_some(i)
    }

    /// The record of `d`, or `None` if the world has no such device (no premises, or no gas
    /// meter or charger of that type there). A record whose `status` is `None` is a device the
    /// DCC does not know yet.
    pub fn get(&self, d: SmiDevice) -> Option<&SmiRecord> {
        let p = d.premises as usize;
        match d.device {
            DeviceType::Hub => self.hubs.get(p),
            DeviceType::Esme => self.esmes.get(p),
            DeviceType::Gsme => match self.gsme_of.get(p) {
                Some(&g) if g != NO_GAS => self.gsmes.get(g as usize),
                _ => None,
            },
            DeviceType::Hcalcs | DeviceType::Apc => {
                self.charger_index(d).map(|i| &self.chargers[i])
            }
            DeviceType::Ppmid => self
                .ppmid_premises
                .binary_search(&d.premises)
                .ok()
                .map(|i| &self.ppmids[i]),
        }
    }

    fn get_mut(&mut self, d: SmiDevice) -> Option<&mut SmiRecord> {
        let p = d.premises as usize;
        match d.device {
            DeviceType::Hub => self.hubs.get_mut(p),
            DeviceType::Esme => self.esmes.get_mut(p),
            DeviceType::Gsme => match self.gsme_of.get(p) {
                Some(&g) if g != NO_GAS => self.gsmes.get_mut(g as usize),
                _ => None,
            },
            DeviceType::Hcalcs | DeviceType::Apc => {
                let i = self.charger_index(d)?;
                self.chargers.get_mut(i)
            }
            DeviceType::Ppmid => {
                let i = self.ppmid_premises.binary_search(&d.premises).ok()?;
                self.ppmids.get_mut(i)
            }
        }
    }

    /// `d`'s SMI status; `None` if the DCC does not know it.
    pub fn status(&self, d: SmiDevice) -> Option<SmiStatus> {
        self.get(d).and_then(|r| r.status)
    }

    /// The physical type of `d` (from its Device Model), if the world has it.
    pub fn device_type(&self, d: SmiDevice) -> Option<PhysicalDeviceType> {
        self.get(d)
            .map(|r| self.models[r.model.index()].device_type)
    }

    /// Whether Device Model `model` is on the CPL the DCC has in force.
    pub fn is_listed(&self, model: ModelId) -> bool {
        self.models[model.index()].listed
    }

    /// The one way to change a status: applies `trigger` to `d` at `ctx.now()`, counting the
    /// transition and moving the status gauges, or returns the refusal's response code and
    /// leaves the record as it was. Suspension remembers the status to return to. While `d`'s
    /// Device Model is off the CPL only suspension and decommissioning apply (else E5): no
    /// transition returns a device of an unlisted model to service.
    pub fn apply(
        &mut self,
        d: SmiDevice,
        trigger: Trigger,
        ctx: &mut Ctx<'_, Msg>,
    ) -> Result<SmiStatus, ResponseCode> {
        let ty = self.device_type(d).ok_or(ResponseCode::E19)?;
        let now = ctx.now();
        let listed = self.is_listed(self.get(d).expect("device_type found it").model);
        let record = self.get_mut(d).expect("device_type found it");
        let from = record.status;
        let to = transition(ty, from, record.resume, trigger)?;
        if !listed && !to.allowed_off_cpl() {
            return Err(ResponseCode::E5);
        }
        record.resume = match trigger {
            Trigger::CplSuspend => from,
            _ => None,
        };
        record.status = Some(to);
        record.since = now;
        self.count(from, to, ctx);
        Ok(to)
    }

    fn count(&mut self, from: Option<SmiStatus>, to: SmiStatus, ctx: &mut Ctx<'_, Msg>) {
        let row = from.map_or(SmiStatus::ALL.len(), SmiStatus::index);
        let slot = &mut self.metrics.transitions[row * SmiStatus::ALL.len() + to.index()];
        let id = *slot.get_or_insert_with(|| {
            let from = from.map_or("new", SmiStatus::name);
            ctx.metrics().counter(metric_name(
                "smi.transition",
                &[("from", from), ("to", to.name())],
            ))
        });
        ctx.count(id, 1);
        if let Some(from) = from {
            ctx.gauge_add(self.metrics.status[from.index()], -1);
        }
        ctx.gauge_add(self.metrics.status[to.index()], 1);
    }

    /// **CPL hook.** Puts Device Model `model` on the CPL in force
    /// (`listed = true`) or takes it off. Taking it off suspends every device of that model
    /// whatever its status ([`SmiStatus::suspended_by_removal`]: all but Decommissioned and Type
    /// 2's NotApplicable), remembering each one's status; putting it back restores
    /// every Suspended device of that model to its remembered status. Each change is an
    /// `smi.transition` and takes effect at `ctx.now()`. Returns how many devices changed.
    /// Setting the state a model already has changes nothing.
    pub fn set_model_listed(
        &mut self,
        model: ModelId,
        listed: bool,
        ctx: &mut Ctx<'_, Msg>,
    ) -> u32 {
        let state = &mut self.models[model.index()];
        if state.listed == listed {
            return 0;
        }
        state.listed = listed;
        let trigger = if listed {
            Trigger::CplRestore
        } else {
            Trigger::CplSuspend
        };
        let mut changed = 0;
        for device in self.devices_of(model) {
            let status = self.status(device);
            let eligible = match trigger {
                Trigger::CplSuspend => status.is_some_and(SmiStatus::suspended_by_removal),
                _ => status == Some(SmiStatus::Suspended),
            };
            if eligible {
                self.apply(device, trigger, ctx)
                    .expect("eligible devices accept the trigger");
                changed += 1;
            }
        }
        changed
    }

    /// **CPL and firmware hook.** Returns one Suspended device to the
    /// status it had before suspension (DOMAIN §3: after its firmware moved to a listed model).
    /// Refused with E5 if it is not Suspended or its Device Model is off the CPL, E19 if unknown.
    pub fn restore_device(
        &mut self,
        device: SmiDevice,
        ctx: &mut Ctx<'_, Msg>,
    ) -> Result<SmiStatus, ResponseCode> {
        self.apply(device, Trigger::CplRestore, ctx)
    }

    /// Every device of `model` the world has, known to the DCC or not, in a fixed order (hubs,
    /// then electricity meters, then gas meters, then EV chargers' devices and HCALCSs, then
    /// PPMIDs, each by premises).
    pub fn devices_of(&self, model: ModelId) -> Vec<SmiDevice> {
        let mut out = Vec::new();
        let pick = |records: &[SmiRecord], device: DeviceType, out: &mut Vec<SmiDevice>| {
            for (p, r) in records.iter().enumerate() {
                if r.model == model {
                    out.push(SmiDevice {
                        premises: p as u32,
                        device,
                    });
                }
            }
        };
        let hubs = &self.hubs[..self.hubs.len().min(self.smets1_from as usize)];
        pick(hubs, DeviceType::Hub, &mut out);
        pick(&self.esmes, DeviceType::Esme, &mut out);
        for (p, &g) in self.gsme_of.iter().enumerate() {
            if g != NO_GAS && self.gsmes[g as usize].model == model {
                out.push(SmiDevice {
                    premises: p as u32,
                    device: DeviceType::Gsme,
                });
            }
        }
        let charger = match self.models[model.index()].device_type {
            PhysicalDeviceType::Apc => DeviceType::Apc,
            _ => DeviceType::Hcalcs,
        };
        for (&p, r) in self.charger_premises.iter().zip(&self.chargers) {
            if r.model == model {
                out.push(SmiDevice {
                    premises: p,
                    device: charger,
                });
            }
        }
        for (&p, r) in self.ppmid_premises.iter().zip(&self.ppmids) {
            if r.model == model {
                out.push(SmiDevice {
                    premises: p,
                    device: DeviceType::Ppmid,
                });
            }
        }
        out
    }

    /// Records that `d` now runs the firmware of Device Model `model` (SR 11.3 succeeded). The
    /// new model has the same physical type (a firmware change never changes the hardware).
    pub fn set_model(&mut self, d: SmiDevice, model: ModelId) {
        let ty = self.models[model.index()].device_type;
        let old = self.get(d).expect("the device exists").model;
        assert_eq!(
            self.models[old.index()].device_type,
            ty,
            "firmware keeps the physical device type"
        );
        self.get_mut(d).expect("the device exists").model = model;
    }

    /// The first device (if any) that breaks the CPL rule — of a Device Model off the CPL yet
    /// in a status other than Suspended, Decommissioned or NotApplicable — with its model and
    /// status. `None` always: checked at the end of every run (O(devices)).
    pub fn off_cpl_in_service(&self) -> Option<(SmiDevice, ModelId, SmiStatus)> {
        (0..self.models.len() as u16)
            .map(ModelId)
            .filter(|&m| !self.is_listed(m))
            .flat_map(|m| self.devices_of(m).into_iter().map(move |d| (d, m)))
            .find_map(|(d, m)| {
                let status = self.status(d)?;
                (!status.allowed_off_cpl()).then_some((d, m, status))
            })
    }

    /// Devices with status `status`, counted now (tests and reports; O(devices)).
    pub fn count_status(&self, status: SmiStatus) -> u64 {
        [
            &self.hubs,
            &self.esmes,
            &self.gsmes,
            &self.chargers,
            &self.ppmids,
        ]
        .iter()
        .flat_map(|v| v.iter())
        .filter(|r| r.status == Some(status))
        .count() as u64
    }
}

/// The DSP's checks of a request against the SMI, in DUIS order; `Err` is the refusal's code.
/// `granted`: the scenario lets `req.role` send `req.sr` beyond the table's roles (SECMP0046
/// grants ED the load-control SRs, see `ev::grants`).
pub fn admit(req: &Request, smi: &Smi, granted: bool) -> Result<(), ResponseCode> {
    let rule = rule(req.sr);
    if !rule.roles.contains(&req.role) && !granted {
        return Err(ResponseCode::E3);
    }
    let device = SmiDevice {
        premises: req.premises,
        device: req.device,
    };
    // A device the world does not have is unknown to every SR, pre-notification included.
    let record = smi.get(device).ok_or(ResponseCode::E19)?;
    let ty = smi.device_type(device).expect("the record exists");
    // A SMETS1 meter takes only the SMETS1 subset of SRs: the rest do not apply to it (E11).
    let outside_smets1 = |r: &SmiRecord| smi.is_smets1(r.model) && !crate::smets1::supports(req.sr);
    match rule.admits {
        Admits::Unknown => {
            if !rule.applies_to(ty) || !smi.is_listed(record.model) || outside_smets1(record) {
                return Err(ResponseCode::E11);
            }
            if record.status.is_some() {
                return Err(ResponseCode::E5);
            }
        }
        Admits::Statuses(admitted) => {
            let status = record.status.ok_or(ResponseCode::E19)?;
            if !rule.applies_to(ty) || outside_smets1(record) {
                return Err(ResponseCode::E11);
            }
            if !admitted.contains(&status) {
                return Err(ResponseCode::E5);
            }
            if req.sr == SrType::JoinService && !joins_a_commissioned_meter(req.premises, smi) {
                return Err(ResponseCode::E5);
            }
            if rule.crosses_the_hub()
                && req.device != DeviceType::Hub
                && behind_a_suspended_hub(req.premises, smi)
            {
                return Err(ResponseCode::E5);
            }
        }
    }
    Ok(())
}

/// The premises' hub is Suspended (its Device Model is off the CPL): it carries only its own
/// firmware, nothing for the devices behind it.
fn behind_a_suspended_hub(premises: u32, smi: &Smi) -> bool {
    let hub = SmiDevice {
        premises,
        device: DeviceType::Hub,
    };
    smi.status(hub) == Some(SmiStatus::Suspended)
}

/// SR 8.7 joins the PPMID or HCALCS to its premises' electricity meter, which carries it out:
/// the meter must be in service (else E5, the meter's status does not admit it \[U\]).
fn joins_a_commissioned_meter(premises: u32, smi: &Smi) -> bool {
    let esme = SmiDevice {
        premises,
        device: DeviceType::Esme,
    };
    smi.status(esme) == Some(SmiStatus::Commissioned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_sixteen_bytes() {
        assert!(std::mem::size_of::<SmiRecord>() <= 16);
    }

    #[test]
    fn the_dsp_checks_role_then_device_then_type_then_status() {
        use crate::msg::Leg;
        use crate::sr::Role::{IS, OU, RSA};
        use crate::world::{fixture::example, GbWorld};
        let (_, world) = GbWorld::build(&example(10));
        let req = |sr, device, role, premises| Request {
            sent: dccsim_sim::SimTime::ZERO,
            premises,
            user: 0,
            sr,
            device,
            role,
            leg: Leg::Outbound,
            arg: 0,
            attempt: 0,
        };
        let smi = world.smi();
        let esme = DeviceType::Esme;
        let read = SrType::ReadInstantaneousImport;
        assert_eq!(admit(&req(read, esme, IS, 3), smi, false), Ok(()));
        assert_eq!(
            admit(&req(read, esme, OU, 3), smi, false),
            Err(ResponseCode::E3)
        );
        assert_eq!(
            admit(&req(read, esme, IS, 10), smi, false),
            Err(ResponseCode::E19)
        );
        let hub = DeviceType::Hub;
        assert_eq!(
            admit(&req(read, hub, IS, 3), smi, false),
            Err(ResponseCode::E11)
        );
        let commission = SrType::CommissionDevice;
        assert_eq!(
            admit(&req(commission, esme, IS, 3), smi, false),
            Err(ResponseCode::E5)
        );
        let prenotify = SrType::DevicePreNotification;
        assert_eq!(
            admit(&req(prenotify, esme, IS, 3), smi, false),
            Err(ResponseCode::E5)
        );
        assert_eq!(
            admit(&req(SrType::ReadInventory, hub, RSA, 3), smi, false),
            Ok(())
        );
    }
}

#[cfg(test)]
mod world_tests;
