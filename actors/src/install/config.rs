//! What a scenario says about installation waves (`[[install]]`): who installs, how fast, and
//! how often each step fails in the field. Plain validated data; `scenario::inventory` reads it.

use dccsim_sim::SimDuration;

/// `[[install]]`: one supplier's installation wave (see [`crate::install`]).
#[derive(Clone, Debug, PartialEq)]
pub struct InstallWave {
    /// Index of the installing supplier in `[[supplier]]`.
    pub supplier: u16,
    /// New premises per day, evenly spread over the wave.
    pub premises_per_day: f64,
    /// When the wave begins and ends, from the start of the run.
    pub start: SimDuration,
    pub end: SimDuration,
    /// Share of the new premises that also get a gas meter.
    pub gas_share: f64,
    /// Share of the new premises that also get a PPMID (joined to the meter by SR 8.7).
    pub ppmid_share: f64,
    /// Share of the new premises that also get an HCALCS (joined to the meter by SR 8.7).
    pub hcalcs_share: f64,
    /// Share of devices failing in the field at each step.
    pub fail: StepFailures,
}

/// `fail = { prenotify, whitelist, join, commission, join_service }`: per-step field failure
/// shares, the same for every device a step takes.
#[derive(Copy, Clone, Debug, PartialEq, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StepFailures {
    /// Pre-notification not sent (bad device data on the installer's side).
    #[serde(deserialize_with = "crate::config::read::share")]
    pub prenotify: f64,
    /// The hub's device log not updated (8.11 not sent).
    #[serde(deserialize_with = "crate::config::read::share")]
    pub whitelist: f64,
    /// The hub, or a meter, does not join the HAN.
    #[serde(deserialize_with = "crate::config::read::share")]
    pub join: f64,
    /// The meter cannot be commissioned (8.1.1 not sent).
    #[serde(deserialize_with = "crate::config::read::share")]
    pub commission: f64,
    /// The PPMID or HCALCS cannot be joined to the meter (8.7 not sent).
    #[serde(deserialize_with = "crate::config::read::share")]
    pub join_service: f64,
}

/// How many premises `wave` installs: its rate over its span, rounded.
pub fn premises_in(wave: &InstallWave) -> u32 {
    let span = wave.end.as_micros() - wave.start.as_micros();
    let days = span as f64 / SimDuration::from_days(1).as_micros() as f64;
    (wave.premises_per_day * days).round() as u32
}
