//! What a scenario says about firmware: the Central Firmware Library's images, the rollout
//! campaigns, and the sizes and rates images move at. Every value here has passed the loader's
//! checks (`scenario::firmware`), so the runtime never re-checks.

use crate::device_model::ModelId;
use crate::sr::DeviceType;
use crate::units::{Bandwidth, Bytes};
use dccsim_sim::SimDuration;

/// A firmware image in the Central Firmware Library (SECMP0009): the Device Model a device
/// becomes when it activates it (same manufacturer, model and hardware; new firmware).
#[derive(Clone, Debug, PartialEq)]
pub struct FirmwareImage {
    /// The scenario's name for it (`[[firmware_image]] id`).
    pub id: String,
    /// The Device Model with the image's firmware.
    pub model: ModelId,
    pub size: Bytes,
}

/// How many of a campaign's devices a wave adds.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum WaveSize {
    /// A share (0..=1) of the campaign's devices.
    Share(f64),
    /// A number of devices (fewer if the campaign runs out).
    Count(u32),
}

/// One wave of a campaign: released at `at` after the campaign starts.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Wave {
    pub at: SimDuration,
    pub size: WaveSize,
}

/// The daily window in which devices activate new firmware (SR 11.3 is future-dated into it).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct ActivationWindow {
    /// Offset from midnight.
    pub start: SimDuration,
    pub length: SimDuration,
}

/// Chances that one attempt fails, by kind (each a working assumption \[U\]).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct FailureRates {
    /// The image transfer to the hub breaks off part-way (retried).
    pub transfer: f64,
    /// The device reports that activation failed (retried in the next window).
    pub activation: f64,
    /// The device cannot take the firmware at all (never retried).
    pub unrecoverable: f64,
}

/// A supplier's firmware rollout: every device of one Device Model it serves moves to the
/// firmware of one CFL image, in waves, gated by the CPL.
#[derive(Clone, Debug, PartialEq)]
pub struct Campaign {
    /// The scenario's name for it (`[[firmware_campaign]] id`; a metric label).
    pub id: String,
    /// Index of the sending supplier (`[[supplier]]` order).
    pub supplier: u16,
    /// The Device Model the devices have now.
    pub from: ModelId,
    /// Index of the image in [`FirmwareConfig::images`].
    pub image: u16,
    /// The Device Model they move to: the image's.
    pub to: ModelId,
    /// How SRs address the devices (hub, electricity or gas meter), from the model's type.
    pub device: DeviceType,
    /// When the campaign starts, from simulated time zero.
    pub start: SimDuration,
    /// In order of `at`; the last wave takes whatever is left when shares sum to 1.
    pub waves: Vec<Wave>,
    /// Most devices in transfer at once (SR 11.1 sent, receipt not yet back).
    pub max_in_transfer: u32,
    pub activation: ActivationWindow,
    /// Pause the campaign (start no more devices) when the share of finished devices that
    /// failed exceeds this, once at least `pause_min_devices` have finished.
    pub pause_above: Option<f64>,
    pub pause_min_devices: u32,
    /// Wait before retrying a failed transfer or an unanswered command.
    pub retry_after: SimDuration,
    /// Transfers tried per device before it counts as failed.
    pub max_transfer_attempts: u8,
    /// Activations tried per device before it counts as failed.
    pub max_activation_attempts: u8,
    pub failures: FailureRates,
}

/// `[firmware]`, `[[firmware_image]]` and `[[firmware_campaign]]` (all empty: no rollouts).
#[derive(Clone, Debug, PartialEq)]
pub struct FirmwareConfig {
    /// The Central Firmware Library.
    pub images: Vec<FirmwareImage>,
    pub campaigns: Vec<Campaign>,
    /// Images cross the WAN in pieces of this size, one after another to each hub \[U\].
    pub chunk: Bytes,
    /// Rate of an image from hub to device over the HAN \[U\].
    pub han_bandwidth: Bandwidth,
    /// Size of an ordinary command on the WAN (every SR's outbound message) \[U\].
    pub command_bytes: Bytes,
}

impl FirmwareConfig {
    /// Whether any rollout runs.
    pub fn is_modelled(&self) -> bool {
        !self.campaigns.is_empty()
    }

    /// The image campaign `c` distributes.
    pub fn image_of(&self, c: &Campaign) -> &FirmwareImage {
        &self.images[c.image as usize]
    }
}

impl Default for FirmwareConfig {
    fn default() -> Self {
        FirmwareConfig {
            images: Vec::new(),
            campaigns: Vec::new(),
            chunk: crate::config::defaults::FIRMWARE_CHUNK,
            han_bandwidth: crate::config::defaults::FIRMWARE_HAN_BANDWIDTH,
            command_bytes: crate::config::defaults::COMMAND_BYTES,
        }
    }
}
