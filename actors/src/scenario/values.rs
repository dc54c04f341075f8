//! Readers of the values with a shape of their own that several sections use: distributions,
//! names from a list (technologies, roles), daily windows and hourly profiles. Each is reached
//! through serde (`impl Deserialize` or a `deserialize_with` reader) and reads with the strict
//! [`Field`] methods, so its messages are the same wherever the value appears.

use super::de;
use super::reader::{Field, Read};
use crate::region::Technology;
use crate::sr::Role;
use serde::{Deserialize, Deserializer};

impl<'de> Deserialize<'de> for Technology {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = ["long-range-radio", "cellular", "mesh"];
        de::read(d, |f| f.one_of("technology", &names, Technology::from_name))
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
        de::read(d, |f| f.one_of("DCC User role", &names, Role::from_name))
    }
}

/// 24 hourly weights, normalised so that their mean is 1.
pub(super) fn hourly_profile(f: &Field<'_>) -> Read<[f64; 24]> {
    let entries = f.array()?;
    if entries.len() != 24 {
        return Err(f.issue(format!(
            "{} must have 24 entries, one per hour from 00:00, found {}",
            f.what,
            entries.len()
        )));
    }
    let mut hourly = [0.0; 24];
    for (slot, entry) in hourly.iter_mut().zip(&entries) {
        *slot = entry.non_negative()?;
    }
    let sum: f64 = hourly.iter().sum();
    if sum <= 0.0 {
        return Err(f.issue(format!(
            "{} are all zero; at least one hour needs a weight above 0",
            f.what
        )));
    }
    for h in &mut hourly {
        *h *= 24.0 / sum;
    }
    Ok(hourly)
}
