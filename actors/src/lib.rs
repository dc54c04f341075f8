//! # dccsim-actors: the GB smart-metering world
//!
//! Suppliers, the DCC's Data Service Provider (DSP) and regional Communications Service Providers
//! (CSPs), Communications Hubs and meters as actors exchanging [`msg::Msg`]s on the
//! `dccsim-sim` kernel, plus the scenario schema that describes one experiment.

pub mod dist;
pub mod region;
pub mod scenario;
pub mod sr;
