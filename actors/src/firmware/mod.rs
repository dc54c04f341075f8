//! Firmware rollouts gated by the Central Products List (DOMAIN §2, §8).
//!
//! A supplier's [`campaign`] sends SR 11.1 Update Firmware for each targeted device; the DSP
//! ([`gate`]) refuses it unless the target Device Model — the device's model with the image's
//! firmware — is on the CPL it has loaded. The region's CSP then sends the image from the
//! Central Firmware Library to the hub ([`distribution`]) in chunks over a WAN link shared with
//! every ordinary command ([`wan`]), so reads slow down while a rollout fills it; the hub passes
//! it over the HAN ([`device`]). SR 11.3, future-dated into the activation window, makes the
//! device run it; SR 11.2 confirms the version. The SMI then records the new Device Model, and
//! a device Suspended because its old model left the CPL returns to service.

pub mod campaign;
pub mod config;
pub mod device;
pub mod distribution;
pub mod gate;
pub mod ids;
pub mod report;
pub mod tag;

pub use crate::msg::{FirmwareTimer, Receipt};
pub use campaign::{CampaignRun, DeviceState, FailureKind};
pub use config::{
    ActivationWindow, Campaign, FailureRates, FirmwareConfig, FirmwareImage, Wave, WaveSize,
};
pub use distribution::Distributions;
pub use ids::FirmwareIds;
pub use tag::Tag;

use crate::cpl::config::entry::CplEntry;
use crate::sr::SrType;

/// What the actors on a firmware image's path read: the rollout's configuration, its metric
/// handles, and the CPL entries' upgrade pathways the DSP's gate checks.
#[derive(Debug)]
pub struct FirmwareShared {
    pub config: FirmwareConfig,
    pub ids: FirmwareIds,
    /// The scenario's CPL entries (`upgrades_from` names each entry's upgrade pathways).
    pub cpl_entries: Vec<CplEntry>,
}

/// The SRs a rollout sends.
pub const SRS: [SrType; 3] = [
    SrType::UpdateFirmware,
    SrType::ReadFirmwareVersion,
    SrType::ActivateFirmware,
];

/// Whether the scenario's campaigns send `sr` (so that only used SRs get metrics).
pub fn sends(config: &FirmwareConfig, sr: SrType) -> bool {
    config.is_modelled() && SRS.contains(&sr)
}
