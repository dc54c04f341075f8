//! # dccsim-actors: the GB smart-metering world
//!
//! Suppliers, the DCC's Data Service Provider (DSP) and regional Communications Service Providers
//! (CSPs), Communications Hubs and meters as actors exchanging [`msg::Msg`]s on the
//! `dccsim-sim` kernel, plus the scenario schema that describes one experiment.
//!
//! A Service Request's path: supplier → DSP (authorise the role and the device, queue for a
//! worker) → CSP of the device's region (queue, WAN latency) → hub → HAN → meter → and back the
//! same way; the supplier records the end-to-end latency against the SR's Target Response Time.
//!
//! The modules come in layers, each importing only the layers above it (`tests/layers.rs` checks):
//! 1. **vocabulary** — [`ids`], [`streams`], [`msg`], [`sr`], [`admission`], [`lifecycle`],
//!    [`units`], [`region`], [`device_model`], [`dist`], [`calendar`];
//! 2. **config** — plain validated data: [`config`] and each feature's `config` module;
//! 3. **runtime** — the actors and features, each handed only its own inputs;
//! 4. **assembly** — [`world`]: dispatch by actor kind, and the build calling each feature's.
//!
//! [`scenario`] turns TOML into config and imports the vocabulary and config layers only.

// Vocabulary.
pub mod admission;
pub mod calendar;
pub mod config;
pub mod device_model;
pub mod dist;
pub mod ids;
pub mod lifecycle;
pub mod msg;
pub mod region;
pub mod sr;
pub mod streams;
pub mod units;

// Runtime: actors and features.
pub mod alert;
pub mod build_threads;
pub mod cpl;
pub mod csp;
pub mod dsp;
pub mod ev;
pub mod firmware;
pub mod han;
pub mod hub;
pub mod install;
pub mod lookahead;
pub mod meter;
pub mod population;
pub mod preemption;
pub mod priority;
pub mod retry;
pub mod shared;
pub mod smets1;
pub mod smi;
pub mod supplier;
pub mod throttle;
pub mod traffic;
pub mod user;

// Assembly.
pub mod world;

// Scenario files.
pub mod scenario;

pub use ids::Kinds;
pub use world::GbWorld;
