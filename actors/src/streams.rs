//! Every random-stream purpose of the GB world, in one table.
//!
//! The kernel keys a random stream by a number: an actor's own stream by its [`ActorId`], a
//! builder stream (draws the world builder makes outside every actor) by a [`Builder`] purpose,
//! and an actor's side stream (one concern's draws kept apart from its main stream) by a [`Side`]
//! purpose. The numbers are frozen: changing one changes every result drawn from it, and two
//! purposes sharing a number would silently correlate two features' draws — the tests below
//! check that every number is distinct.
//!
//! [`ActorId`]: dccsim_sim::ActorId

/// Purposes of builder streams ([`dccsim_sim::Kernel::builder_rng`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Builder {
    /// Each premises' region, gas meter and supplier.
    Population = 0,
    /// Each LV feeder's size and rating (EV load control).
    EvFeeders = 40,
    /// Each premises' EV charger, car and household demand.
    EvPremises = 41,
    /// Each hub's and meter's Device Model.
    DeviceModels = 0x0300,
    /// The premises installation waves create.
    InstallPremises = 0x0301,
    /// Each EV charger's (or fitted HCALCS's) Device Model.
    ChargerModels = 0x0302,
    /// Each fitted PPMID's Device Model.
    PpmidModels = 0x0303,
    /// The PPMIDs and HCALCSs installation waves fit.
    InstallJoiners = 0x0304,
    /// SECAS's signing key for CPL extracts.
    CplSigningKey = 0x0C91,
    /// The regions of the SMETS1 premises `[[migration]]` cohorts bring in.
    Smets1Premises = 0x5301,
    /// The region (and supplier) of each SMETS1 premises `[[smets1_fleet]]` brings.
    Smets1Fleet = 0x5302,
    /// Which premises are flats, and their buildings.
    HanLayout = 0x4841_0001,
    /// Each building's channel plan.
    HanPlan = 0x4841_0002,
    /// Whether a house's devices join its hub's HAN.
    HanHouseJoin = 0x4841_0003,
    /// Whether a flat's devices join their building's HAN.
    HanFlatJoin = 0x4841_0004,
}

impl Builder {
    /// Every builder purpose.
    pub const ALL: [Builder; 14] = [
        Builder::Population,
        Builder::EvFeeders,
        Builder::EvPremises,
        Builder::DeviceModels,
        Builder::InstallPremises,
        Builder::ChargerModels,
        Builder::PpmidModels,
        Builder::InstallJoiners,
        Builder::CplSigningKey,
        Builder::Smets1Premises,
        Builder::HanLayout,
        Builder::HanPlan,
        Builder::HanHouseJoin,
        Builder::HanFlatJoin,
    ];

    /// The number the kernel keys the stream by.
    #[inline]
    pub const fn purpose(self) -> u32 {
        self as u32
    }
}

/// Purposes of actors' side streams ([`dccsim_sim::Ctx::side_rng`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u16)]
pub enum Side {
    /// A building's HAN rescans (a channel change's side of its draws).
    HanRescan = 1,
    /// The SMETS1 service's migration failures (kept apart from its service-time draws).
    Smets1Migration = 2,
    /// A User's retry backoff jitter (`[retry] jitter`).
    RetryJitter = 3,
}

impl Side {
    /// Every side purpose.
    pub const ALL: [Side; 3] = [Side::HanRescan, Side::Smets1Migration, Side::RetryJitter];

    /// The number the kernel keys the stream by.
    #[inline]
    pub const fn purpose(self) -> u16 {
        self as u16
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn builder_purposes_are_distinct() {
        let numbers: BTreeSet<u32> = Builder::ALL.iter().map(|b| b.purpose()).collect();
        assert_eq!(numbers.len(), Builder::ALL.len());
    }

    #[test]
    fn side_purposes_are_distinct() {
        let numbers: BTreeSet<u16> = Side::ALL.iter().map(|s| s.purpose()).collect();
        assert_eq!(numbers.len(), Side::ALL.len());
    }
}
