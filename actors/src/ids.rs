//! Actor kinds of the GB world and their addresses.
//!
//! A kind's number is part of every actor's [`ActorId`], which keys the actor's random stream:
//! the numbers are frozen, since changing one changes every result drawn by actors of that kind.

use crate::region::Region;
use dccsim_sim::{ActorId, Kind};

/// Actor kinds of the GB world and their ids. The numbers are frozen (they feed random streams);
/// a new kind takes an unused number.
pub struct Kinds;

impl Kinds {
    /// An energy supplier (a DCC User).
    pub const SUPPLIER: Kind = Kind(0);
    /// The DCC's Data Service Provider.
    pub const DSP: Kind = Kind(1);
    /// A regional Communications Service Provider.
    pub const CSP: Kind = Kind(2);
    /// A premises' Communications Hub.
    pub const HUB: Kind = Kind(3);
    /// A premises' electricity meter.
    pub const ESME: Kind = Kind(4);
    /// A gas meter.
    pub const GSME: Kind = Kind(5);
    /// SECAS and the DSP's CPL function (one actor).
    pub const CPL: Kind = Kind(10);
    /// An Electricity Distributor running LV feeders (EV load control, `ev::dno`).
    pub const DNO: Kind = Kind(8);
    /// An EV charger's HAN device (HCALCS or APC, `ev::charger`).
    pub const CHARGER: Kind = Kind(9);
    /// A multi-dwelling building's shared HAN.
    pub const BUILDING: Kind = Kind(11);
    /// The device alerts' source and Network Operator stand-in (`alert::source`).
    pub const ALERT: Kind = Kind(12);
    /// The DCC's SMETS1 service (SMETS1 Service Provider and DCO, `smets1`): serves enrolled
    /// SMETS1 meters and migrates them into the DCC.
    pub const SMETS1: Kind = Kind(13);

    #[inline]
    pub fn supplier(i: u16) -> ActorId {
        ActorId::new(Self::SUPPLIER, i as u32)
    }
    #[inline]
    pub fn dsp() -> ActorId {
        ActorId::new(Self::DSP, 0)
    }
    #[inline]
    pub fn csp(r: Region) -> ActorId {
        ActorId::new(Self::CSP, r.index() as u32)
    }
    #[inline]
    pub fn hub(premises: u32) -> ActorId {
        ActorId::new(Self::HUB, premises)
    }
    #[inline]
    pub fn esme(premises: u32) -> ActorId {
        ActorId::new(Self::ESME, premises)
    }
    #[inline]
    pub fn gsme(index: u32) -> ActorId {
        ActorId::new(Self::GSME, index)
    }
    #[inline]
    pub fn cpl() -> ActorId {
        ActorId::new(Self::CPL, 0)
    }
    #[inline]
    pub fn dno(i: u16) -> ActorId {
        ActorId::new(Self::DNO, i as u32)
    }
    #[inline]
    pub fn charger(index: u32) -> ActorId {
        ActorId::new(Self::CHARGER, index)
    }
    #[inline]
    pub fn building(index: u32) -> ActorId {
        ActorId::new(Self::BUILDING, index)
    }
    #[inline]
    pub fn alert_source() -> ActorId {
        ActorId::new(Self::ALERT, 0)
    }
    #[inline]
    pub fn smets1() -> ActorId {
        ActorId::new(Self::SMETS1, 0)
    }
}

/// Label value for requests naming no known premises.
pub const UNKNOWN_REGION: &str = "unknown";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_numbers_are_distinct() {
        let kinds = [
            Kinds::SUPPLIER,
            Kinds::DSP,
            Kinds::CSP,
            Kinds::HUB,
            Kinds::ESME,
            Kinds::GSME,
            Kinds::CPL,
            Kinds::DNO,
            Kinds::CHARGER,
            Kinds::BUILDING,
            Kinds::SMETS1,
            Kinds::ALERT,
        ];
        let numbers: std::collections::BTreeSet<u8> = kinds.iter().map(|k| k.0).collect();
        assert_eq!(numbers.len(), kinds.len());
    }
}
