//! The DSP's admission rules: one row per Service Request, to be read against DUIS (DOMAIN §3,
//! §4). A row says how the DCC processes the SR, where it ends, which DCC User roles may send
//! it, which physical device types it applies to, which SMI statuses admit it, and which SMI
//! [`Trigger`] its success fires.
//!
//! The DSP checks in this order (DUIS order): role (E3 — which of E1–E4 DUIS uses for an
//! ineligible role is a working assumption; E1, E2 and E4 are not produced), device known to the
//! SMI (E19), device type (E11; for 12.2 also: Device Model on the CPL), SMI status (E5).
//! Suspended admits only firmware (11.x) and inventory (8.2, 8.3) SRs. SR 8.7 Join Service also
//! needs the premises' electricity meter Commissioned (E5 otherwise). An SR that crosses the
//! premises' hub ([`Rule::crosses_the_hub`]) to another device is refused E5 while the hub is
//! Suspended: the hub carries every command to its meters, and the DCC does not talk to a hub
//! whose model is off the CPL except to update its own firmware. Which statuses admit which
//! SR is itself a working assumption (the DUIS table was not retrieved): a status list here is
//! exactly the `from` statuses of the row's trigger, or Commissioned for ordinary device SRs.

use crate::device_model::PhysicalDeviceType as T;
use crate::lifecycle::{SmiStatus, Trigger};
use crate::sr::{Category, DeviceType, Role, SrType};

/// Where an SR ends.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A non-device SR: the DSP answers it itself.
    NonDevice,
    /// Carried out by the Communications Hub (Comms Hub Function), whichever device it names.
    Hub,
    /// Carried out by the device it names.
    Device,
}

/// Which SMI statuses admit an SR.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Admits {
    /// Only a device the SMI does not know yet (pre-notification).
    Unknown,
    /// Only devices in one of these statuses.
    Statuses(&'static [SmiStatus]),
}

/// One SR's admission rule.
#[derive(Copy, Clone, Debug)]
pub struct Rule {
    pub sr: SrType,
    pub category: Category,
    pub target: Target,
    /// DCC User roles eligible to send it (DUIS matrix).
    pub roles: &'static [Role],
    /// Physical device types it applies to, as a set of [`T::bit`]s.
    pub devices: u16,
    pub admits: Admits,
    /// The SMI transition its success fires, if any.
    pub trigger: Option<Trigger>,
}

impl Rule {
    /// Whether the SR travels through the premises' Communications Hub: every SR that does not
    /// end at the DSP, and SR 11.1, whose image the hub carries to the device.
    pub fn crosses_the_hub(&self) -> bool {
        self.target != Target::NonDevice || self.sr == SrType::UpdateFirmware
    }

    /// Whether the rule applies to devices of type `ty`.
    pub fn applies_to(&self, ty: T) -> bool {
        self.devices & ty.bit() != 0
    }
}

const fn types(list: &[T]) -> u16 {
    let mut bits = 0;
    let mut i = 0;
    while i < list.len() {
        bits |= list[i].bit();
        i += 1;
    }
    bits
}

use Role::{ED, ES, GS, GT, IS, OU, RSA};
use SmiStatus::*;

const SUPPLIERS: &[Role] = &[IS, GS];
const READERS: &[Role] = &[IS, GS, ED, GT];
const EVERY_ROLE: &[Role] = &[IS, ES, GS, ED, GT, OU, RSA];

const METERS: u16 = types(&[
    T::SingleElementEsme,
    T::TwinElementEsme,
    T::PolyphaseEsme,
    T::Gsme,
]);
const HUB_AND_METERS: u16 = METERS | T::CommsHub.bit();
const HAN_DEVICES: u16 = types(&[
    T::SingleElementEsme,
    T::TwinElementEsme,
    T::PolyphaseEsme,
    T::Gsme,
    T::Ppmid,
    T::Hcalcs,
    T::Apc,
]);
/// The HAN devices that join a meter with SR 8.7.
const JOINERS: u16 = types(&[T::Ppmid, T::Hcalcs, T::Apc]);
/// An EV charger's load-control devices: on/off switch and proportional controller.
const HCALCS: u16 = T::Hcalcs.bit();
const APC: u16 = T::Apc.bit();
const EVERY_TYPE: u16 = types(&T::ALL);

const IN_SERVICE: &[SmiStatus] = &[Commissioned];
const ON_SMI: &[SmiStatus] = &SmiStatus::ALL;
const NOT_DECOMMISSIONED: &[SmiStatus] = &[
    Pending,
    Whitelisted,
    InstalledNotCommissioned,
    Commissioned,
    Withdrawn,
    Suspended,
    Recovery,
    Recovered,
    NotApplicable,
];
const FIRMWARE: &[SmiStatus] = &[Commissioned, Suspended];

/// The Import Supplier alone: today's DUIS for auxiliary load control (SECMP0046 would add ED,
/// a scenario switch: see [`check`]'s `granted`). 7.13's roles are a working assumption.
const IMPORT_SUPPLIER: &[Role] = &[IS];

/// The table, one row per [`SrType`], in `SrType::ALL` order.
#[rustfmt::skip]
pub const RULES: [Rule; 19] = [
    //     SR                                 category               target             roles        device types    admitted statuses                                   SMI trigger
    row(SrType::UpdateImportTariff,      Category::Critical,     Target::Device,    SUPPLIERS,   METERS,         Admits::Statuses(IN_SERVICE),                        None),
    row(SrType::ReadInstantaneousImport, Category::OnDemand,     Target::Device,    READERS,     METERS,         Admits::Statuses(IN_SERVICE),                        None),
    row(SrType::RetrieveDailyReadLog,    Category::DccScheduled, Target::Device,    READERS,     METERS,         Admits::Statuses(IN_SERVICE),                        None),
    row(SrType::ActivateAuxiliaryLoad,   Category::Critical,     Target::Device,    IMPORT_SUPPLIER, HCALCS,     Admits::Statuses(IN_SERVICE),                        None),
    row(SrType::DeactivateAuxiliaryLoad, Category::Critical,     Target::Device,    IMPORT_SUPPLIER, HCALCS,     Admits::Statuses(IN_SERVICE),                        None),
    row(SrType::SetRandomisedOffsetLimit, Category::Critical,    Target::Device,    IMPORT_SUPPLIER, HCALCS | APC, Admits::Statuses(IN_SERVICE),                      None),
    row(SrType::SetApcLimit,             Category::Critical,     Target::Device,    IMPORT_SUPPLIER, APC,        Admits::Statuses(IN_SERVICE),                        None),
    row(SrType::CommissionDevice,        Category::Critical,     Target::Device,    SUPPLIERS,   METERS,         Admits::Statuses(&[InstalledNotCommissioned]),       Some(Trigger::Commission)),
    row(SrType::ReadInventory,           Category::OnDemand,     Target::NonDevice, EVERY_ROLE,  EVERY_TYPE,     Admits::Statuses(ON_SMI),                            None),
    row(SrType::DecommissionDevice,      Category::OnDemand,     Target::NonDevice, SUPPLIERS,   EVERY_TYPE,     Admits::Statuses(NOT_DECOMMISSIONED),                Some(Trigger::Decommission)),
    row(SrType::ServiceOptOut,           Category::OnDemand,     Target::NonDevice, SUPPLIERS,   METERS,         Admits::Statuses(&[Commissioned]),                   Some(Trigger::OptOut)),
    row(SrType::ServiceOptIn,            Category::OnDemand,     Target::NonDevice, SUPPLIERS,   METERS,         Admits::Statuses(&[Withdrawn]),                      Some(Trigger::OptIn)),
    row(SrType::JoinService,             Category::OnDemand,     Target::Device,    SUPPLIERS,   JOINERS,        Admits::Statuses(&[InstalledNotCommissioned]), Some(Trigger::JoinService)),
    row(SrType::UpdateHanDeviceLog,      Category::OnDemand,     Target::Hub,       SUPPLIERS,   HAN_DEVICES,    Admits::Statuses(&[Pending]),                        Some(Trigger::Whitelist)),
    row(SrType::ChInstallSuccess,        Category::OnDemand,     Target::NonDevice, SUPPLIERS,   HUB_AND_METERS | JOINERS, Admits::Statuses(&[Pending, Whitelisted]), Some(Trigger::HanJoin)),
    row(SrType::UpdateFirmware,          Category::OnDemand,     Target::NonDevice, SUPPLIERS,   HUB_AND_METERS, Admits::Statuses(&[InstalledNotCommissioned, Commissioned, Suspended]), None),
    row(SrType::ReadFirmwareVersion,     Category::OnDemand,     Target::Device,    EVERY_ROLE,  HUB_AND_METERS, Admits::Statuses(FIRMWARE),                          None),
    row(SrType::ActivateFirmware,        Category::Critical,     Target::Device,    SUPPLIERS,   HUB_AND_METERS, Admits::Statuses(FIRMWARE),                          None),
    row(SrType::DevicePreNotification,   Category::OnDemand,     Target::NonDevice, SUPPLIERS,   EVERY_TYPE,     Admits::Unknown,                                     Some(Trigger::PreNotify)),
];

const fn row(
    sr: SrType,
    category: Category,
    target: Target,
    roles: &'static [Role],
    devices: u16,
    admits: Admits,
    trigger: Option<Trigger>,
) -> Rule {
    Rule {
        sr,
        category,
        target,
        roles,
        devices,
        admits,
        trigger,
    }
}

/// The admission rule of `sr`.
#[inline]
pub fn rule(sr: SrType) -> &'static Rule {
    let r = &RULES[sr.index()];
    debug_assert_eq!(r.sr, sr);
    r
}

/// The physical device types a logical [`DeviceType`] (as an SR addresses it) stands for, as a
/// set of [`T::bit`]s.
pub const fn physical_types(device: DeviceType) -> u16 {
    match device {
        DeviceType::Esme => types(&[T::SingleElementEsme, T::TwinElementEsme, T::PolyphaseEsme]),
        DeviceType::Gsme => T::Gsme.bit(),
        DeviceType::Hub => T::CommsHub.bit(),
        DeviceType::Hcalcs => HCALCS,
        DeviceType::Apc => APC,
        DeviceType::Ppmid => T::Ppmid.bit(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::transition;

    #[test]
    fn one_row_per_sr_in_order() {
        for (i, sr) in SrType::ALL.into_iter().enumerate() {
            assert_eq!(RULES[i].sr, sr);
            assert!(!RULES[i].roles.is_empty(), "{sr}");
            assert_ne!(RULES[i].devices, 0, "{sr}");
        }
    }

    #[test]
    fn suspended_admits_only_firmware_and_inventory_srs() {
        let admitted: Vec<&str> = RULES
            .iter()
            .filter(|r| matches!(r.admits, Admits::Statuses(s) if s.contains(&Suspended)))
            .map(|r| r.sr.number())
            .collect();
        assert_eq!(admitted, ["8.2", "8.3", "11.1", "11.2", "11.3"]);
    }

    #[test]
    fn every_admitted_status_can_fire_the_rows_trigger() {
        for r in &RULES {
            let Some(trigger) = r.trigger else { continue };
            for ty in T::ALL.into_iter().filter(|&t| r.applies_to(t)) {
                assert!(trigger.applies_to(ty), "{} {ty}", r.sr);
            }
            let froms: Vec<Option<SmiStatus>> = match r.admits {
                Admits::Unknown => vec![None],
                Admits::Statuses(s) => s.iter().copied().map(Some).collect(),
            };
            // Each admitted status moves some device type the row applies to.
            for from in froms {
                let moves = T::ALL
                    .into_iter()
                    .filter(|&t| r.applies_to(t))
                    .any(|t| transition(t, from, Some(Commissioned), trigger).is_ok());
                assert!(
                    moves,
                    "{} admits {from:?} but {trigger:?} cannot move it",
                    r.sr
                );
            }
        }
    }

    #[test]
    fn the_original_role_table_is_kept() {
        assert!(SrType::UpdateImportTariff.allows(IS));
        assert!(!SrType::UpdateImportTariff.allows(OU));
        assert!(SrType::ReadInstantaneousImport.allows(ED));
        assert!(!SrType::RetrieveDailyReadLog.allows(ES));
        assert_eq!(SrType::CommissionDevice.category(), Category::Critical);
    }
}
