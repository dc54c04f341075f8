//! Each campaign's outcome, read back from a finished run's metrics, for the terminal.

use super::campaign::DeviceState;
use super::config::FirmwareConfig;
use crate::device_model::DeviceModel;
use dccsim_sim::{metric_name, Metrics};

/// Where a campaign's devices ended.
#[derive(Clone, Debug, PartialEq)]
pub struct CampaignOutcome {
    pub id: String,
    /// Manufacturer, model and firmware before (`Acme E1 1.0`).
    pub from: String,
    /// Firmware after.
    pub to_firmware: String,
    /// Devices in each state at the end, in [`DeviceState::ALL`] order.
    pub states: Vec<(DeviceState, u64)>,
    /// The pause rule stopped the campaign.
    pub paused: bool,
}

/// The outcome of every campaign of `fw`, in `[[firmware_campaign]]` order.
pub fn outcomes(m: &Metrics, fw: &FirmwareConfig, models: &[DeviceModel]) -> Vec<CampaignOutcome> {
    let gauges = m.gauges();
    let counters = m.counters();
    fw.campaigns
        .iter()
        .map(|c| {
            let states = DeviceState::ALL
                .iter()
                .map(|&s| {
                    let name = metric_name(
                        "firmware.devices",
                        &[("campaign", &c.id), ("state", s.name())],
                    );
                    (s, gauges.get(name.as_str()).map_or(0, |&n| n.max(0) as u64))
                })
                .collect();
            let paused = metric_name("firmware.paused", &[("campaign", &c.id)]);
            let from = &models[c.from.index()];
            CampaignOutcome {
                id: c.id.clone(),
                from: format!("{} {} {}", from.manufacturer, from.model, from.firmware),
                to_firmware: models[c.to.index()].firmware.clone(),
                states,
                paused: counters.get(paused.as_str()).is_some_and(|&n| n > 0),
            }
        })
        .collect()
}
