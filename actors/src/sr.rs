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
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeviceType {
    /// Electricity smart meter.
    Esme,
    /// Gas smart meter (battery powered, reached through the hub's Gas Proxy Function).
    Gsme,
    /// HAN Connected Auxiliary Load Control Switch: switches an EV charger on or off (7.5/7.6).
    Hcalcs,
    /// Auxiliary Proportional Controller: limits an EV charger's power in steps (7.13).
    Apc,
}

impl DeviceType {
    pub fn name(self) -> &'static str {
        match self {
            DeviceType::Esme => "esme",
            DeviceType::Gsme => "gsme",
            DeviceType::Hcalcs => "hcalcs",
            DeviceType::Apc => "apc",
        }
    }

    pub fn from_name(s: &str) -> Option<DeviceType> {
        [DeviceType::Esme, DeviceType::Gsme]
            .into_iter()
            .find(|d| d.name() == s)
    }

    /// The supplier role that normally sends SRs to this device.
    pub fn supplier_role(self) -> Role {
        match self {
            DeviceType::Esme | DeviceType::Hcalcs | DeviceType::Apc => Role::IS,
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
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
}

impl SrType {
    pub const ALL: [SrType; 7] = [
        SrType::UpdateImportTariff,
        SrType::ReadInstantaneousImport,
        SrType::RetrieveDailyReadLog,
        SrType::ActivateAuxiliaryLoad,
        SrType::DeactivateAuxiliaryLoad,
        SrType::SetRandomisedOffsetLimit,
        SrType::SetApcLimit,
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
        }
    }

    pub fn from_number(s: &str) -> Option<SrType> {
        SrType::ALL.into_iter().find(|t| t.number() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn category(self) -> Category {
        match self {
            SrType::UpdateImportTariff => Category::Critical,
            SrType::ReadInstantaneousImport => Category::OnDemand,
            SrType::RetrieveDailyReadLog => Category::DccScheduled,
            SrType::ActivateAuxiliaryLoad
            | SrType::DeactivateAuxiliaryLoad
            | SrType::SetRandomisedOffsetLimit
            | SrType::SetApcLimit => Category::Critical,
        }
    }

    /// The device types this SR is addressed to: meters for the supplier traffic SRs, the EV
    /// charger's HAN device for the load-control SRs.
    pub fn addresses(self, device: DeviceType) -> bool {
        match self {
            SrType::UpdateImportTariff
            | SrType::ReadInstantaneousImport
            | SrType::RetrieveDailyReadLog => {
                matches!(device, DeviceType::Esme | DeviceType::Gsme)
            }
            SrType::ActivateAuxiliaryLoad | SrType::DeactivateAuxiliaryLoad => {
                device == DeviceType::Hcalcs
            }
            SrType::SetRandomisedOffsetLimit => {
                matches!(device, DeviceType::Hcalcs | DeviceType::Apc)
            }
            SrType::SetApcLimit => device == DeviceType::Apc,
        }
    }

    /// Roles eligible to send this SR (DUIS matrix, DOMAIN §4). 4.6.1 is requested through the
    /// DCC schedule by the same roles that may read the log; 7.13's roles are a working
    /// assumption (IS, like the other auxiliary load SRs).
    pub fn allows(self, role: Role) -> bool {
        use Role::*;
        match self {
            SrType::UpdateImportTariff => matches!(role, IS | GS),
            SrType::ReadInstantaneousImport => matches!(role, IS | GS | ED | GT),
            SrType::RetrieveDailyReadLog => matches!(role, IS | GS | ED | GT),
            // Today's DUIS: auxiliary load control is the Import Supplier's alone; SECMP0046
            // would grant ED (a scenario switch, see `ev::grants`). 7.13's roles are [U].
            SrType::ActivateAuxiliaryLoad
            | SrType::DeactivateAuxiliaryLoad
            | SrType::SetRandomisedOffsetLimit
            | SrType::SetApcLimit => role == IS,
        }
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

/// DUIS response codes this world produces, each with a plain-English text (the DCC's own users
/// asked for "errors explained in text users understand").
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResponseCode {
    /// I0: success.
    I0,
    /// E3: the sender's role may not send this SR (which E1–E4 code DUIS uses here is a working
    /// assumption, DOMAIN §3).
    E3,
    /// E19: the device is not in the Smart Metering Inventory.
    E19,
}

impl ResponseCode {
    pub const REJECTIONS: [ResponseCode; 2] = [ResponseCode::E3, ResponseCode::E19];

    pub fn code(self) -> &'static str {
        match self {
            ResponseCode::I0 => "I0",
            ResponseCode::E3 => "E3",
            ResponseCode::E19 => "E19",
        }
    }

    pub fn from_code(code: &str) -> Option<ResponseCode> {
        [ResponseCode::I0, ResponseCode::E3, ResponseCode::E19]
            .into_iter()
            .find(|c| c.code() == code)
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
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}
