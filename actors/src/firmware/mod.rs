//! Firmware rollouts gated by the Central Products List (DOMAIN §2, §8).

pub mod config;

pub use config::{
    ActivationWindow, Bandwidth, Bytes, Campaign, FailureRates, FirmwareConfig, FirmwareImage,
    Wave, WaveSize,
};
