//! # dccsim-actors: the GB smart-metering world
//!
//! Suppliers, the DCC's Data Service Provider (DSP) and regional Communications Service Providers
//! (CSPs), Communications Hubs and meters as actors exchanging [`msg::Msg`]s on the
//! `dccsim-sim` kernel, plus the scenario schema that describes one experiment.
//!
//! A Service Request's path: supplier → DSP (authorise the role and the device, queue for a
//! worker) → CSP of the device's region (queue, WAN latency) → hub → HAN → meter → and back the
//! same way; the supplier records the end-to-end latency against the SR's Target Response Time.

pub mod admission;
pub mod cpl;
pub mod csp;
pub mod device_model;
pub mod dist;
pub mod dsp;
pub mod ev;
pub mod firmware;
pub mod han;
pub mod hub;
pub mod install;
pub mod meter;
pub mod msg;
pub mod population;
pub mod region;
pub mod scenario;
pub mod smi;
pub mod sr;
pub mod supplier;
pub mod timeline;
pub mod traffic;
pub mod user;
pub mod world;

pub use world::{GbWorld, Kinds};
