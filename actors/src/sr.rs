//! DCC User roles, Service Requests (DUIS) and response codes.
//!
//! The role table is DCC's DUIS matrix as summarised in DOMAIN §4; Target Response Time defaults
//! are the commonly cited values marked \[U\] there and can be overridden in `[trt]`.

use dccsim_sim::SimDuration;
use std::fmt;

/// A DCC User role (SEC). Each SR admits only some roles.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Import Supplier.
    IS,
    /// Export Supplier.
    ES,
    /// Gas Supplier.
    GS,
    /// Electricity Distributor (DNO).
    ED,
    /// Gas Transporter.
    GT,
    /// Other User.
    OU,
    /// Registered Supplier Agent.
    RSA,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::IS,
        Role::ES,
        Role::GS,
        Role::ED,
        Role::GT,
        Role::OU,
        Role::RSA,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::IS => "IS",
            Role::ES => "ES",
            Role::GS => "GS",
            Role::ED => "ED",
            Role::GT => "GT",
            Role::OU => "OU",
            Role::RSA => "RSA",
        }
    }

    pub fn from_name(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == s)
    }
}

/// What kind of device an SR is addressed to.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum DeviceType {
    /// Electricity smart meter.
    Esme,
    /// Gas smart meter (battery powered, reached through the hub's Gas Proxy Function).
    Gsme,
    /// The Communications Hub itself (its Comms Hub Function): installation and firmware SRs.
    Hub,
    /// HAN Connected Auxiliary Load Control Switch: switches an EV charger on or off (7.5/7.6).
    Hcalcs,
    /// Auxiliary Proportional Controller: limits an EV charger's power in steps (7.13).
    Apc,
    /// Pre-Payment Meter Interface Device: joins the electricity meter with SR 8.7.
    Ppmid,
}

impl DeviceType {
    pub fn name(self) -> &'static str {
        match self {
            DeviceType::Esme => "esme",
            DeviceType::Gsme => "gsme",
            DeviceType::Hub => "hub",
            DeviceType::Hcalcs => "hcalcs",
            DeviceType::Apc => "apc",
            DeviceType::Ppmid => "ppmid",
        }
    }

    /// A meter named in a scenario's traffic (`esme` or `gsme`; hubs take no traffic).
    pub fn from_name(s: &str) -> Option<DeviceType> {
        [DeviceType::Esme, DeviceType::Gsme]
            .into_iter()
            .find(|d| d.name() == s)
    }

    /// The supplier role that normally sends SRs to this device.
    pub fn supplier_role(self) -> Role {
        match self {
            DeviceType::Esme
            | DeviceType::Hub
            | DeviceType::Hcalcs
            | DeviceType::Apc
            | DeviceType::Ppmid => Role::IS,
            DeviceType::Gsme => Role::GS,
        }
    }
}

/// How the DCC processes an SR (DUIS processing categories).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Category {
    /// Sent now, answered by the device now.
    OnDemand,
    /// Run by the DCC on the User's schedule.
    DccScheduled,
    /// Critical: the DSP first transforms it into a pre-command the User must sign and return.
    Critical,
}

/// The Service Requests this world models.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum SrType {
    /// 1.1.1 Update Import Tariff (critical).
    UpdateImportTariff,
    /// 4.1.1 Read Instantaneous Import Registers.
    ReadInstantaneousImport,
    /// 4.6.1 Retrieve Daily Read Log (DCC-scheduled; the bulk of traffic).
    RetrieveDailyReadLog,
    /// 7.5 Activate Auxiliary Load (critical): an HCALCS switches its load (an EV charger) on.
    ActivateAuxiliaryLoad,
    /// 7.6 Deactivate Auxiliary Load (critical): an HCALCS switches its load off.
    DeactivateAuxiliaryLoad,
    /// 7.12 Set Randomised Offset Limit (critical): the most a device delays acting on a
    /// command that raises its load.
    SetRandomisedOffsetLimit,
    /// 7.13 Auxiliary Proportional Controller: set the power limit (critical \[U\]).
    SetApcLimit,
    /// 8.1.1 Commission Device (critical): a meter's InstalledNotCommissioned → Commissioned.
    CommissionDevice,
    /// 8.2 Read Inventory (non-device).
    ReadInventory,
    /// 8.3 Decommission Device (non-device).
    DecommissionDevice,
    /// 8.5 Service Opt Out (non-device): Commissioned → Withdrawn.
    ServiceOptOut,
    /// 8.6 Service Opt In (non-device): Withdrawn → Commissioned.
    ServiceOptIn,
    /// 8.7 Join Service: a PPMID or HCALCS is commissioned by joining it to a meter.
    JoinService,
    /// 8.11 Update HAN Device Log: whitelists a device in its hub's device log.
    UpdateHanDeviceLog,
    /// 8.14.1 CH Status Update – Install Success (non-device): reports a HAN join.
    ChInstallSuccess,
    /// 11.1 Update Firmware (non-device; named so the admission table is complete).
    UpdateFirmware,
    /// 11.2 Read Firmware Version.
    ReadFirmwareVersion,
    /// 11.3 Activate Firmware (critical).
    ActivateFirmware,
    /// 12.2 Device Pre-notification (non-device): puts a device on the SMI as Pending.
    DevicePreNotification,
}

impl SrType {
    pub const ALL: [SrType; 19] = [
        SrType::UpdateImportTariff,
        SrType::ReadInstantaneousImport,
        SrType::RetrieveDailyReadLog,
        SrType::ActivateAuxiliaryLoad,
        SrType::DeactivateAuxiliaryLoad,
        SrType::SetRandomisedOffsetLimit,
        SrType::SetApcLimit,
        SrType::CommissionDevice,
        SrType::ReadInventory,
        SrType::DecommissionDevice,
        SrType::ServiceOptOut,
        SrType::ServiceOptIn,
        SrType::JoinService,
        SrType::UpdateHanDeviceLog,
        SrType::ChInstallSuccess,
        SrType::UpdateFirmware,
        SrType::ReadFirmwareVersion,
        SrType::ActivateFirmware,
        SrType::DevicePreNotification,
    ];

    /// The DUIS number, as written in scenarios and metric labels.
    pub fn number(self) -> &'static str {
        match self {
            SrType::UpdateImportTariff => "1.1.1",
            SrType::ReadInstantaneousImport => "4.1.1",
            SrType::RetrieveDailyReadLog => "4.6.1",
            SrType::ActivateAuxiliaryLoad => "7.5",
            SrType::DeactivateAuxiliaryLoad => "7.6",
            SrType::SetRandomisedOffsetLimit => "7.12",
            SrType::SetApcLimit => "7.13",
            SrType::CommissionDevice => "8.1.1",
            SrType::ReadInventory => "8.2",
            SrType::DecommissionDevice => "8.3",
            SrType::ServiceOptOut => "8.5",
            SrType::ServiceOptIn => "8.6",
            SrType::JoinService => "8.7",
            SrType::UpdateHanDeviceLog => "8.11",
            SrType::ChInstallSuccess => "8.14.1",
            SrType::UpdateFirmware => "11.1",
            SrType::ReadFirmwareVersion => "11.2",
            SrType::ActivateFirmware => "11.3",
            SrType::DevicePreNotification => "12.2",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            SrType::UpdateImportTariff => "Update Import Tariff",
            SrType::ReadInstantaneousImport => "Read Instantaneous Import Registers",
            SrType::RetrieveDailyReadLog => "Retrieve Daily Read Log",
            SrType::ActivateAuxiliaryLoad => "Activate Auxiliary Load",
            SrType::DeactivateAuxiliaryLoad => "Deactivate Auxiliary Load",
            SrType::SetRandomisedOffsetLimit => "Set Randomised Offset Limit",
            SrType::SetApcLimit => "Set Auxiliary Proportional Controller Limit",
            SrType::CommissionDevice => "Commission Device",
            SrType::ReadInventory => "Read Inventory",
            SrType::DecommissionDevice => "Decommission Device",
            SrType::ServiceOptOut => "Service Opt Out",
            SrType::ServiceOptIn => "Service Opt In",
            SrType::JoinService => "Join Service",
            SrType::UpdateHanDeviceLog => "Update HAN Device Log",
            SrType::ChInstallSuccess => "CH Status Update - Install Success",
            SrType::UpdateFirmware => "Update Firmware",
            SrType::ReadFirmwareVersion => "Read Firmware Version",
            SrType::ActivateFirmware => "Activate Firmware",
            SrType::DevicePreNotification => "Device Pre-notification",
        }
    }

    pub fn from_number(s: &str) -> Option<SrType> {
        SrType::ALL.into_iter().find(|t| t.number() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// How the DCC processes it: the admission table's row ([`crate::admission::rule`]).
    pub fn category(self) -> Category {
        crate::admission::rule(self).category
    }

    /// Roles eligible to send this SR (DUIS matrix, DOMAIN §4): the admission table's row. 4.6.1
    /// is requested through the DCC schedule by the same roles that may read the log.
    pub fn allows(self, role: Role) -> bool {
        crate::admission::rule(self).roles.contains(&role)
    }

    /// Whether this SR can be addressed to a `device` (the admission table's device types): the
    /// meter SRs to meters, the load-control SRs to an EV charger's HCALCS or APC.
    pub fn addresses(self, device: DeviceType) -> bool {
        crate::admission::rule(self).devices & crate::admission::physical_types(device) != 0
    }

    /// Default end-to-end Target Response Time \[U\]: on-demand and scheduled device SRs 30 s;
    /// critical SRs add the 3 s transform.
    pub fn default_trt(self) -> SimDuration {
        match self.category() {
            Category::Critical => SimDuration::from_secs(33),
            Category::OnDemand | Category::DccScheduled => SimDuration::from_secs(30),
        }
    }
}

impl fmt::Display for SrType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.number())
    }
}

/// DUIS response codes, each with a plain-English text (the DCC's own users asked for "errors
/// explained in text users understand").
///
/// E1–E4 are the authorisation failures. Which one DUIS returns when a role may not send an SR
/// is a working assumption (DOMAIN §3): this world answers E3 and never produces E1, E2 or E4,
/// which are listed so that reports and scenarios can name them.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum ResponseCode {
    /// I0: success.
    I0,
    /// E3: the sender's role may not send this SR (working assumption, see above).
    E3,
    /// E19: the device is not in the Smart Metering Inventory.
    E19,
    /// I99: acknowledged (accepted for sending to the device; or a non-device SR done).
    I99,
    /// E1: the User / role combination is not a valid SEC Party role.
    E1,
    /// E2: the role is not permitted this Service Request.
    E2,
    /// E4: the role is not authorised for this device at this time.
    E4,
    /// E5: the device's SMI status does not admit this Service Request.
    E5,
    /// E11: the Service Request does not apply to this type (or model) of device — including an
    /// SR outside the SMETS1 subset sent to a SMETS1 meter (`smets1::SUPPORTED`).
    E11,
    /// E20: the DCC cannot establish communications with the device.
    E20,
    /// E21: no response from the device (the hub gave up after its last HAN retry, or the device
    /// never joined the HAN).
    E21,
    /// E30: a future-dated command timed out.
    E30,
    /// E90 \[U\]: refused by SR throttling (SECMP0067): the DSP is over its operating threshold
    /// and the User's allocation for this window is used up. dccsim's code: the published DUIS
    /// code for this refusal was not found (DOMAIN §4b).
    E90,
    /// U1: not a DCC answer but the User's own verdict: no answer came within its retry
    /// timeout after its last attempt, so it gave the request up (`[retry] timeout`).
    U1,
}

impl ResponseCode {
    /// Every code, in declaration order.
    pub const ALL: [ResponseCode; 14] = [
        ResponseCode::I0,
        ResponseCode::E3,
        ResponseCode::E19,
        ResponseCode::I99,
        ResponseCode::E1,
        ResponseCode::E2,
        ResponseCode::E4,
        ResponseCode::E5,
        ResponseCode::E11,
        ResponseCode::E20,
        ResponseCode::E21,
        ResponseCode::E30,
        ResponseCode::E90,
        ResponseCode::U1,
    ];

    /// Whether the code refuses the request (every code but I0 success and I99 acknowledged).
    pub fn is_refusal(self) -> bool {
        !matches!(self, ResponseCode::I0 | ResponseCode::I99)
    }

    pub fn code(self) -> &'static str {
        match self {
            ResponseCode::I0 => "I0",
            ResponseCode::E3 => "E3",
            ResponseCode::E19 => "E19",
            ResponseCode::I99 => "I99",
            ResponseCode::E1 => "E1",
            ResponseCode::E2 => "E2",
            ResponseCode::E4 => "E4",
            ResponseCode::E5 => "E5",
            ResponseCode::E11 => "E11",
            ResponseCode::E20 => "E20",
            ResponseCode::E21 => "E21",
            ResponseCode::E30 => "E30",
            ResponseCode::E90 => "E90",
            ResponseCode::U1 => "U1",
        }
    }

    pub fn from_code(code: &str) -> Option<ResponseCode> {
        ResponseCode::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn text(self) -> &'static str {
        match self {
            ResponseCode::I0 => "Success: the device carried out the request.",
            ResponseCode::E3 => {
                "Refused: your DCC User role is not allowed to send this Service Request."
            }
            ResponseCode::E19 => {
                "Refused: the device is not known to the DCC's Smart Metering Inventory."
            }
            ResponseCode::I99 => "Acknowledged: the DCC accepted the request.",
            ResponseCode::E1 => "Refused: this User and role are not a valid SEC Party role.",
            ResponseCode::E2 => "Refused: this role is not permitted this Service Request.",
            ResponseCode::E4 => {
                "Refused: your role is not authorised for this device at this time."
            }
            ResponseCode::E5 => {
                "Refused: the device's status in the Smart Metering Inventory does not allow \
                 this request (e.g. not yet commissioned, or suspended because its Device \
                 Model left the CPL)."
            }
            ResponseCode::E11 => {
                "Refused: this request does not apply to this type of device (a SMETS1 meter \
                 takes fewer Service Requests than a SMETS2 one), or its Device Model is not on \
                 the Central Products List."
            }
            ResponseCode::E20 => "Failed: the DCC could not communicate with the device.",
            ResponseCode::E21 => {
                "Failed: no response from the device; the hub could not reach it over the Home \
                 Area Network."
            }
            ResponseCode::E30 => "Failed: the future-dated command timed out.",
            ResponseCode::E90 => {
                "Refused: the DCC is busy and throttling Service Requests; your allocation for \
                 this period is used up. Send it again later."
            }
            ResponseCode::U1 => {
                "Failed: no answer came within the User's timeout after its last attempt, so the \
                 User gave up (its own verdict, not a DCC response)."
            }
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_every_refusal_has_its_own_text() {
        for (i, c) in ResponseCode::ALL.into_iter().enumerate() {
            assert_eq!(c.index(), i);
            assert_eq!(ResponseCode::from_code(c.code()), Some(c));
            assert!(!c.text().is_empty());
        }
        for c in ResponseCode::ALL.into_iter().filter(|c| c.is_refusal()) {
            assert!(c.text().starts_with("Refused") || c.text().starts_with("Failed"));
        }
        assert_eq!(
            ResponseCode::ALL.iter().filter(|c| c.is_refusal()).count(),
            12
        );
    }

    #[test]
    fn sr_numbers_round_trip() {
        for (i, sr) in SrType::ALL.into_iter().enumerate() {
            assert_eq!(sr.index(), i);
            assert_eq!(SrType::from_number(sr.number()), Some(sr));
        }
    }
}
