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
}

impl DeviceType {
    pub fn name(self) -> &'static str {
        match self {
            DeviceType::Esme => "esme",
            DeviceType::Gsme => "gsme",
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
            DeviceType::Esme => Role::IS,
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
}

impl SrType {
    pub const ALL: [SrType; 3] = [
        SrType::UpdateImportTariff,
        SrType::ReadInstantaneousImport,
        SrType::RetrieveDailyReadLog,
    ];

    /// The DUIS number, as written in scenarios and metric labels.
    pub fn number(self) -> &'static str {
        match self {
            SrType::UpdateImportTariff => "1.1.1",
            SrType::ReadInstantaneousImport => "4.1.1",
            SrType::RetrieveDailyReadLog => "4.6.1",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            SrType::UpdateImportTariff => "Update Import Tariff",
            SrType::ReadInstantaneousImport => "Read Instantaneous Import Registers",
            SrType::RetrieveDailyReadLog => "Retrieve Daily Read Log",
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
        }
    }

    /// Roles eligible to send this SR (DUIS matrix, DOMAIN §4). 4.6.1 is requested through the
    /// DCC schedule by the same roles that may read the log.
    pub fn allows(self, role: Role) -> bool {
        use Role::*;
        match self {
            SrType::UpdateImportTariff => matches!(role, IS | GS),
            SrType::ReadInstantaneousImport => matches!(role, IS | GS | ED | GT),
            SrType::RetrieveDailyReadLog => matches!(role, IS | GS | ED | GT),
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
    /// E21: no response from the device (the hub gave up after its last HAN retry, or the device
    /// never joined the HAN).
    E21,
}

impl ResponseCode {
    pub const REJECTIONS: [ResponseCode; 3] =
        [ResponseCode::E3, ResponseCode::E19, ResponseCode::E21];

    pub fn code(self) -> &'static str {
        match self {
            ResponseCode::I0 => "I0",
            ResponseCode::E3 => "E3",
            ResponseCode::E19 => "E19",
            ResponseCode::E21 => "E21",
        }
    }

    pub fn from_code(code: &str) -> Option<ResponseCode> {
        [
            ResponseCode::I0,
            ResponseCode::E3,
            ResponseCode::E19,
            ResponseCode::E21,
        ]
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
            ResponseCode::E21 => {
                "Failed: no response from the device; the hub could not reach it over the Home \
                 Area Network."
            }
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}
