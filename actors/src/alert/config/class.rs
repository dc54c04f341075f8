//! The alert classes dccsim models: each a GBCS alert code (16-bit, 0x8xxx), the device that
//! raises it and the remote party role that receives it (DOMAIN §4a; codes and roles from SMETS2
//! meters' event tables, e.g. Aclara SGM1400 series Appendix A).

use crate::sr::DeviceType;

/// Who receives an alert of a class.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Recipient {
    /// The premises' (import or gas) supplier.
    Supplier,
    /// The Network Operator (the DNO of the premises).
    NetworkOperator,
    /// The User whose Service Request the alert is about (DCC alerts on a failed request).
    Sender,
}

/// Who raises an alert of a class.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A device, unsolicited, at a per-device rate or in a storm: a meter's alert crosses the HAN
    /// to the hub first, then takes the WAN, the CSP and the DSP up.
    Device(DeviceType),
    /// The DCC itself, on its side of a failure it has just seen: sent from the DSP to the User
    /// at once (no device, no WAN).
    Dcc,
}

/// One modelled alert class.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Class {
    /// The name scenarios use (`class = "…"`) and the `class` label of `alert.*` outputs.
    pub name: &'static str,
    /// The GBCS alert code of a device alert; 0 for a DCC alert (DUIS numbers those in its own
    /// scheme, which dccsim does not model \[U\]).
    pub code: u16,
    /// Who raises it.
    pub origin: Origin,
    pub recipient: Recipient,
}

/// Every modelled class, in the order of its index (an alert carries its class as this index).
pub const CLASSES: [Class; 9] = [
    Class {
        name: "billing-data-log-updated",
        code: 0x8F0A,
        origin: Origin::Device(DeviceType::Esme),
        recipient: Recipient::Supplier,
    },
    Class {
        name: "gas-billing-data-log-updated",
        code: 0x8F0A,
        origin: Origin::Device(DeviceType::Gsme),
        recipient: Recipient::Supplier,
    },
    Class {
        name: "credit-below-disablement",
        code: 0x8F0F,
        origin: Origin::Device(DeviceType::Esme),
        recipient: Recipient::Supplier,
    },
    Class {
        name: "firmware-verification-failed",
        code: 0x8F1C,
        origin: Origin::Device(DeviceType::Esme),
        recipient: Recipient::Supplier,
    },
    Class {
        name: "voltage-sag",
        code: 0x8099,
        origin: Origin::Device(DeviceType::Esme),
        recipient: Recipient::NetworkOperator,
    },
    Class {
        name: "supply-outage-restored",
        code: 0x8F35,
        origin: Origin::Device(DeviceType::Esme),
        recipient: Recipient::NetworkOperator,
    },
    Class {
        name: "supply-outage-restored-long",
        code: 0x8F36,
        origin: Origin::Device(DeviceType::Esme),
        recipient: Recipient::NetworkOperator,
    },
    Class {
        name: "dcc-no-response",
        code: 0,
        origin: Origin::Dcc,
        recipient: Recipient::Sender,
    },
    Class {
        name: "dcc-device-suspended",
        code: 0,
        origin: Origin::Dcc,
        recipient: Recipient::Supplier,
    },
];

/// Index of 0x8F35 Supply Outage Restored (outage under 3 minutes).
pub const OUTAGE_RESTORED: u8 = 5;
/// Index of 0x8F36 Supply Outage Restored - Outage >= 3 minutes.
pub const OUTAGE_RESTORED_LONG: u8 = 6;

/// Index of the DCC's alert that a device gave no response (raised with every E21).
pub const DCC_NO_RESPONSE: u8 = 7;
/// Index of the DCC's alert that a device was Suspended because its Device Model left the CPL.
pub const DCC_DEVICE_SUSPENDED: u8 = 8;

/// The class names, for did-you-mean messages.
pub fn names() -> Vec<&'static str> {
    CLASSES.iter().map(|c| c.name).collect()
}

/// The index of the class called `name`.
pub fn by_name(name: &str) -> Option<u8> {
    CLASSES.iter().position(|c| c.name == name).map(|i| i as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outage_indices_name_the_outage_codes() {
        assert_eq!(CLASSES[OUTAGE_RESTORED as usize].code, 0x8F35);
        assert_eq!(CLASSES[OUTAGE_RESTORED_LONG as usize].code, 0x8F36);
        assert!(CLASSES
            .iter()
            .filter(|c| c.origin != Origin::Dcc)
            .all(|c| c.code & 0x8000 != 0));
        assert_eq!(CLASSES[DCC_NO_RESPONSE as usize].name, "dcc-no-response");
        assert_eq!(CLASSES[DCC_DEVICE_SUSPENDED as usize].origin, Origin::Dcc);
        assert_eq!(by_name("voltage-sag"), Some(4));
    }
}
