//! The premises table: which region each premises is in and whether it has gas. Built once from
//! the scenario and read by the DSP (its Smart Metering Inventory view) and the suppliers.

use crate::region::Region;

/// Bit set in [`Premises`] when a gas meter is installed.
const GAS: u8 = 0b100;

/// Bit set in [`Premises`] for a SMETS1 premises: its meter is served through the DCC's SMETS1
/// service (`smets1`), not a SMETS2 Communications Hub.
const SMETS1: u8 = 0b1000;

/// One premises, packed in a byte: region in the low two bits, gas in bit 2, SMETS1 in bit 3.
/// (The default, a first-region premises without gas, only fills tables before they are built.)
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Premises(u8);

impl Premises {
    pub fn new(region: Region, gas: bool) -> Self {
        Premises(region.index() as u8 | if gas { GAS } else { 0 })
    }

    /// A SMETS1 premises (an electricity meter only) that a `[[migration]]` cohort brings in.
    pub fn smets1(region: Region) -> Self {
        Premises(region.index() as u8 | SMETS1)
    }

    /// Whether its meter is SMETS1, served through the DCC's SMETS1 service.
    pub fn is_smets1(self) -> bool {
        self.0 & SMETS1 != 0
    }

    pub fn region(self) -> Region {
        Region::from_index((self.0 & 0b11) as usize)
    }

    pub fn has_gas(self) -> bool {
        self.0 & GAS != 0
    }
}

/// All premises, indexed by premises number (which is also its hub's and meters' actor index).
#[derive(Clone, Debug, Default)]
pub struct PopulationTable {
    premises: Vec<Premises>,
}

impl PopulationTable {
    pub fn new(premises: Vec<Premises>) -> Self {
        PopulationTable { premises }
    }

    pub fn len(&self) -> u32 {
        self.premises.len() as u32
    }

    pub fn is_empty(&self) -> bool {
        self.premises.is_empty()
    }

    /// The premises `index`, or `None` if no such premises exists.
    #[inline]
    pub fn get(&self, index: u32) -> Option<Premises> {
        self.premises.get(index as usize).copied()
    }
}

/// The premises of each charger, ascending (charger `i` is at the `i`-th).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChargerIndex(pub Vec<u32>);

impl ChargerIndex {
    /// The charger at `premises`, if it has one.
    #[inline]
    pub fn charger_at(&self, premises: u32) -> Option<u32> {
        self.0.binary_search(&premises).ok().map(|i| i as u32)
    }

    /// Premises of every charger, ascending (charger `i` is at index `i`).
    pub fn premises(&self) -> &[u32] {
        &self.0
    }

    pub fn premises_of(&self, charger: u32) -> u32 {
        self.0[charger as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chargers_are_found_by_premises() {
        let index = ChargerIndex(vec![3, 7, 40]);
        assert_eq!(index.charger_at(7), Some(1));
        assert_eq!(index.charger_at(8), None);
        assert_eq!(index.premises_of(2), 40);
        assert_eq!(ChargerIndex::default().charger_at(0), None);
    }
}
