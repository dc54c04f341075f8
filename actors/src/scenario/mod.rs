//! Scenario files: strict TOML in, a validated [`Scenario`] out, or a located error.

mod model;

pub use model::*;
