//! Device Models (manufacturer, model, hardware version, firmware version: SEC A1) and the
//! physical device types of DOMAIN §2. Every device in the world carries the [`ModelId`] of its
//! Device Model; the Central Products List lists or removes models, never single devices.

use std::fmt;

/// A physical device type (DOMAIN §2). Two entries with the same hardware data but different
/// types are different Device Models.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PhysicalDeviceType {
    /// Communications Hub (Comms Hub Function and Gas Proxy Function).
    CommsHub,
    /// Single Element Electricity Smart Metering Equipment.
    SingleElementEsme,
    /// Twin Element ESME.
    TwinElementEsme,
    /// Polyphase ESME.
    PolyphaseEsme,
    /// Gas Smart Meter.
    Gsme,
    /// Pre-Payment Meter Interface Device.
    Ppmid,
    /// HAN Connected Auxiliary Load Control Switch.
    Hcalcs,
    /// Auxiliary Proportional Controller (an EV charger's power limit, SR 7.13).
    Apc,
    /// In-Home Display (a Type 2 device: no SMI status history).
    Ihd,
    /// Any other Type 2 device.
    Type2,
}

impl PhysicalDeviceType {
    pub const ALL: [PhysicalDeviceType; 10] = [
        PhysicalDeviceType::CommsHub,
        PhysicalDeviceType::SingleElementEsme,
        PhysicalDeviceType::TwinElementEsme,
        PhysicalDeviceType::PolyphaseEsme,
        PhysicalDeviceType::Gsme,
        PhysicalDeviceType::Ppmid,
        PhysicalDeviceType::Hcalcs,
        PhysicalDeviceType::Apc,
        PhysicalDeviceType::Ihd,
        PhysicalDeviceType::Type2,
    ];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            PhysicalDeviceType::CommsHub => "comms-hub",
            PhysicalDeviceType::SingleElementEsme => "esme-single",
            PhysicalDeviceType::TwinElementEsme => "esme-twin",
            PhysicalDeviceType::PolyphaseEsme => "esme-polyphase",
            PhysicalDeviceType::Gsme => "gsme",
            PhysicalDeviceType::Ppmid => "ppmid",
            PhysicalDeviceType::Hcalcs => "hcalcs",
            PhysicalDeviceType::Apc => "apc",
            PhysicalDeviceType::Ihd => "ihd",
            PhysicalDeviceType::Type2 => "type2",
        }
    }

    pub fn from_name(s: &str) -> Option<PhysicalDeviceType> {
        PhysicalDeviceType::ALL.into_iter().find(|t| t.name() == s)
    }

    /// A bit of its own, for sets of types in the admission table.
    pub const fn bit(self) -> u16 {
        1 << self as u16
    }

    /// Electricity meters of any element count.
    pub fn is_esme(self) -> bool {
        matches!(
            self,
            PhysicalDeviceType::SingleElementEsme
                | PhysicalDeviceType::TwinElementEsme
                | PhysicalDeviceType::PolyphaseEsme
        )
    }

    /// Meters are commissioned with SR 8.1.1; PPMIDs and HCALCSs join a meter with SR 8.7.
    pub fn is_meter(self) -> bool {
        self.is_esme() || self == PhysicalDeviceType::Gsme
    }

    /// Type 2 devices have no SMI status of their own (`NotApplicable`).
    pub fn is_type2(self) -> bool {
        matches!(self, PhysicalDeviceType::Ihd | PhysicalDeviceType::Type2)
    }

    /// The place in a premises a device of this type fills; the models of one slot share its
    /// installed base (their `share`s sum to 1).
    pub fn slot(self) -> Slot {
        match self {
            PhysicalDeviceType::CommsHub => Slot::Hub,
            t if t.is_esme() => Slot::Esme,
            PhysicalDeviceType::Gsme => Slot::Gsme,
            other => Slot::Other(other),
        }
    }
}

impl fmt::Display for PhysicalDeviceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a device sits in a premises of the world. Hubs, electricity and gas meters are actors;
/// PPMIDs, HCALCSs and Type 2 devices may be listed as models but are not installed (yet).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    Hub,
    Esme,
    Gsme,
    Other(PhysicalDeviceType),
}

/// Index of a Device Model in the scenario's model list (`[[device_model]]` order).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ModelId(pub u16);

impl ModelId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A Device Model as the CPL and the SMI know it.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceModel {
    /// The scenario's name for it (`[[device_model]] id`), used in messages and by other sections.
    pub id: String,
    pub device_type: PhysicalDeviceType,
    pub manufacturer: String,
    pub model: String,
    pub hardware: String,
    pub firmware: String,
    /// Share of its slot's installed base (hubs, electricity meters or gas meters), 0..=1.
    pub share: f64,
    /// On the CPL at time zero (default true).
    pub listed: bool,
}

impl DeviceModel {
    /// One model per physical type: what a scenario without `[[device_model]]` gets. Every
    /// electricity meter is single element and every model is listed.
    pub fn defaults() -> Vec<DeviceModel> {
        PhysicalDeviceType::ALL
            .into_iter()
            .map(|t| DeviceModel {
                id: format!("default-{}", t.name()),
                device_type: t,
                manufacturer: "Generic".into(),
                model: t.name().to_uppercase(),
                hardware: "1.0".into(),
                firmware: "1.0".into(),
                share: match t {
                    PhysicalDeviceType::TwinElementEsme | PhysicalDeviceType::PolyphaseEsme => 0.0,
                    _ => 1.0,
                },
                listed: true,
            })
            .collect()
    }
}

/// The [`ModelId`] of the model called `id` in `models` (the scenario's `[[device_model]] id`).
pub fn find(models: &[DeviceModel], id: &str) -> Option<ModelId> {
    models
        .iter()
        .position(|m| m.id == id)
        .map(|i| ModelId(i as u16))
}

/// The models that fill `slot`, with their shares, in model order (for the build-time draw).
pub fn slot_shares(models: &[DeviceModel], slot: Slot) -> Vec<(ModelId, f64)> {
    models
        .iter()
        .enumerate()
        .filter(|(_, m)| m.device_type.slot() == slot)
        .map(|(i, m)| (ModelId(i as u16), m.share))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_bits_are_distinct() {
        let mut bits = 0u16;
        for t in PhysicalDeviceType::ALL {
            assert_eq!(PhysicalDeviceType::from_name(t.name()), Some(t));
            assert_eq!(bits & t.bit(), 0);
            bits |= t.bit();
        }
    }

    #[test]
    fn default_models_fill_every_slot_with_shares_summing_to_one() {
        let models = DeviceModel::defaults();
        assert_eq!(models.len(), PhysicalDeviceType::ALL.len());
        assert_eq!(find(&models, "default-gsme"), Some(ModelId(4)));
        assert_eq!(find(&models, "nothing"), None);
        for slot in [Slot::Hub, Slot::Esme, Slot::Gsme] {
            let sum: f64 = slot_shares(&models, slot).iter().map(|(_, s)| s).sum();
            assert_eq!(sum, 1.0, "{slot:?}");
        }
    }
}
