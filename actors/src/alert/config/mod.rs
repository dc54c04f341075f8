//! What a scenario says about alerts (`[alerts]`, `[[alert]]`, `[[event]]`), validated.

pub mod class;

use crate::region::Region;
use dccsim_sim::SimDuration;

/// Default randomised delay before a restored meter sends its outage alert, upper bound of a
/// uniform draw \[U: assumed; GBCS leaves the spread to the device\].
pub const RESTORE_SPREAD: SimDuration = SimDuration::from_secs(300);
/// Default alert rate above which SECMP0062 protection sheds alerts, per second at the DSP
/// \[U: assumed\].
pub const STORM_RATE: f64 = 500.0;
/// Default burst the DSP admits above `storm_rate` before protecting \[U: assumed\].
pub const STORM_BURST: f64 = 5_000.0;
/// Default: a sampled class keeps one alert in this many during a storm \[U: assumed\].
pub const SAMPLE_ONE_IN: u32 = 10;
/// Default: at most this many alerts of `"hold"` classes wait for the rate at once; a storm
/// beyond it is dropped \[U: assumed; the DSP's buffer is not published\].
pub const HOLD_LIMIT: u32 = 100_000;
/// An outage of at least this long makes meters send 0x8F36 rather than 0x8F35 (GBCS).
pub const LONG_OUTAGE: SimDuration = SimDuration::from_secs(180);

/// What SECMP0062 protection does with a class's alerts over the storm rate.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OnStorm {
    /// Deliver them all (they still take a DSP worker).
    Keep,
    /// Drop them (`alert.shed`).
    Drop,
    /// Keep one in `sample_one_in`, drop the rest.
    Sample,
    /// Hold them until the rate has room (first come, first admitted), up to `hold_limit`
    /// held at once; beyond that, drop.
    Hold,
}

impl OnStorm {
    pub const NAMES: [&'static str; 4] = ["keep", "drop", "sample", "hold"];

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "keep" => Some(OnStorm::Keep),
            "drop" => Some(OnStorm::Drop),
            "sample" => Some(OnStorm::Sample),
            "hold" => Some(OnStorm::Hold),
            _ => None,
        }
    }
}

/// One `[[alert]]` class's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassConfig {
    /// Index into [`CLASSES`](class::CLASSES).
    pub class: u8,
    /// Routine alerts each device of the class's type raises a day (a Poisson process).
    pub per_device_per_day: f64,
    /// What protection does with this class in a storm.
    pub on_storm: OnStorm,
}

/// SECMP0062 alert storm protection at the DSP: a token bucket of `rate` alerts a second and
/// `burst` deep; an alert finding it empty is handled by its class's [`OnStorm`].
#[derive(Clone, Debug, PartialEq)]
pub struct Protection {
    pub rate: f64,
    pub burst: f64,
    pub sample_one_in: u32,
    /// Most `"hold"` alerts waiting for the rate at once.
    pub hold_limit: u32,
}

/// A `[[event]]` power outage: a share of a region's premises (every region's without one) lose
/// power at `at` and regain it `duration` later; every affected electricity meter then sends its
/// outage-restored alert after a uniform random delay up to `restore_spread`.
#[derive(Clone, Debug, PartialEq)]
pub struct Outage {
    pub at: SimDuration,
    pub duration: SimDuration,
    pub region: Option<Region>,
    pub share: f64,
    pub restore_spread: SimDuration,
}

impl Outage {
    /// The class the outage's alerts are: 0x8F36 for outages of 3 minutes or more.
    pub fn class(&self) -> u8 {
        if self.duration >= LONG_OUTAGE {
            class::OUTAGE_RESTORED_LONG
        } else {
            class::OUTAGE_RESTORED
        }
    }
}

/// Every alert setting; [`AlertConfig::is_modelled`] is false (the default) when the scenario
/// has no `[alerts]`, `[[alert]]` or `[[event]]`: then nothing of this feature exists in the run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlertConfig {
    pub modelled: bool,
    pub classes: Vec<ClassConfig>,
    /// `None`: protection off (the default).
    pub protection: Option<Protection>,
    pub outages: Vec<Outage>,
}

impl AlertConfig {
    pub fn is_modelled(&self) -> bool {
        self.modelled
    }

    /// Whether the run can raise alerts of `class`: an `[[alert]]` names it or an outage sends it.
    pub fn raises(&self, class: u8) -> bool {
        self.classes.iter().any(|c| c.class == class)
            || self.outages.iter().any(|o| o.class() == class)
    }

    /// What protection does with class `class` (`Drop` for a class with no `[[alert]]`, e.g. an
    /// outage event's).
    pub fn on_storm(&self, class: u8) -> OnStorm {
        self.classes
            .iter()
            .find(|c| c.class == class)
            .map_or(OnStorm::Drop, |c| c.on_storm)
    }
}
