//! Readers of values with a shape of their own that the scenario's own file structs use: names
//! from a list (technologies, roles, physical device types, the HAN's channel policy) and hourly
//! profiles. Each reads through serde with the readers of [`config::read`](crate::config::read),
//! so its messages are the same wherever the value appears.

use crate::config::read::{self, error, WHAT};
use crate::device_model::PhysicalDeviceType;
use crate::han::config::Policy;
use crate::region::Technology;
use crate::sr::Role;
use serde::{Deserialize, Deserializer};

impl<'de> Deserialize<'de> for Technology {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = ["long-range-radio", "cellular", "mesh"];
        read::one_of(d, "technology", &names, Technology::from_name)
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
        read::one_of(d, "DCC User role", &names, Role::from_name)
    }
}

impl<'de> Deserialize<'de> for PhysicalDeviceType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = PhysicalDeviceType::ALL.map(PhysicalDeviceType::name);
        read::one_of(
            d,
            "physical device type",
            &names,
            PhysicalDeviceType::from_name,
        )
    }
}

impl<'de> Deserialize<'de> for Policy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = Policy::ALL.map(Policy::name);
        read::one_of(d, "channel-selection policy", &names, Policy::from_name)
    }
}

/// 24 hourly weights, normalised so that their mean is 1.
pub(super) fn hourly_profile<'de, D: Deserializer<'de>>(d: D) -> Result<[f64; 24], D::Error> {
    let mut hourly = read::non_negatives::<D, 24>(d, |found| {
        format!(" must have 24 entries, one per hour from 00:00, found {found}")
    })?;
    let sum: f64 = hourly.iter().sum();
    if sum <= 0.0 {
        return Err(error(format_args!(
            "{WHAT} are all zero; at least one hour needs a weight above 0"
        )));
    }
    for h in &mut hourly {
        *h *= 24.0 / sum;
    }
    Ok(hourly)
}
