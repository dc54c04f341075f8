//! When a scenario models the CPL, every Device Model it describes must have a CPL entry:
//! the DCC communicates only with devices whose model is on the CPL it has loaded (DOMAIN §2),
//! so a described model with no entry would be served as if listed — silently.
//!
//! The built-in default models (types the scenario describes no `[[device_model]]` for, with
//! ids `default-…`) stand for "the rest of the estate, certified": they are served as listed,
//! and a run says so (`cpl.no_entry_devices{model}` and a line after the run's table).

use super::reader::{Issue, Read, Seg};
use crate::cpl::config::CplConfig;
use crate::device_model::DeviceModel;

/// Refuses, at its `id`, the first of the scenario's `written` `[[device_model]]`s (which come
/// first in `models`) that no `[[cpl_entry]]` names, when the scenario has CPL entries.
pub(crate) fn every_described_model_has_an_entry(
    written: usize,
    models: &[DeviceModel],
    cpl: &CplConfig,
) -> Read<()> {
    if cpl.entries.is_empty() {
        return Ok(());
    }
    for (i, m) in models.iter().enumerate().take(written) {
        if cpl.entries.iter().any(|e| usize::from(e.model) == i) {
            continue;
        }
        let message = format!(
            "Device Model \"{}\" has no [[cpl_entry]]; this scenario models the CPL, and the DCC \
             communicates only with devices whose Device Model is on it, so every \
             [[device_model]] needs an entry: add one with `model = \"{}\"` (with \
             `in_force = false` if the model is off the CPL from the start)",
            m.id, m.id
        );
        let at = [
            Seg::Key("device_model".into()),
            Seg::Index(i),
            Seg::Key("id".into()),
        ];
        return Err(Issue::at(&at, message));
    }
    Ok(())
}
