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
}

/// One modelled alert class.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Class {
    /// The name scenarios use (`class = "…"`) and the `class` label of `alert.*` outputs.
    pub name: &'static str,
    /// The GBCS alert code.
    pub code: u16,
    /// The device that raises it: a meter's alert crosses the HAN to the hub first.
    pub device: DeviceType,
    pub recipient: Recipient,
}

/// Every modelled class, in the order of its index (an alert carries its class as this index).
pub const CLASSES: [Class; 7] = [
    Class {
        name: "billing-data-log-updated",
        code: 0x8F0A,
        device: DeviceType::Esme,
        recipient: Recipient::Supplier,
    },
    Class {
        name: "gas-billing-data-log-updated",
        code: 0x8F0A,
        device: DeviceType::Gsme,
        recipient: Recipient::Supplier,
    },
    Class {
        name: "credit-below-disablement",
        code: 0x8F0F,
        device: DeviceType::Esme,
        recipient: Recipient::Supplier,
    },
    Class {
        name: "firmware-verification-failed",
        code: 0x8F1C,
        device: DeviceType::Esme,
        recipient: Recipient::Supplier,
    },
    Class {
        name: "voltage-sag",
        code: 0x8099,
        device: DeviceType::Esme,
        recipient: Recipient::NetworkOperator,
    },
    Class {
        name: "supply-outage-restored",
        code: 0x8F35,
        device: DeviceType::Esme,
        recipient: Recipient::NetworkOperator,
    },
    Class {
        name: "supply-outage-restored-long",
        code: 0x8F36,
        device: DeviceType::Esme,
        recipient: Recipient::NetworkOperator,
    },
];

/// Index of 0x8F35 Supply Outage Restored (outage under 3 minutes).
pub const OUTAGE_RESTORED: u8 = 5;
/// Index of 0x8F36 Supply Outage Restored - Outage >= 3 minutes.
pub const OUTAGE_RESTORED_LONG: u8 = 6;

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
        assert!(CLASSES.iter().all(|c| c.code & 0x8000 != 0));
        assert_eq!(by_name("voltage-sag"), Some(4));
    }
}
