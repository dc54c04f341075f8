//! The EV load-control sections of a scenario (SECMP0046): `[ev]` (chargers and sessions),
//! `[feeders]` (LV feeders and their ratings), `[demand]` (household load) and `[dno]` (the
//! Electricity Distributor's control policy). The feature is on when `[ev]` is present.

use super::defaults;
use super::reader::{number, Field, Issue, Read, Table};
use super::validate::{dist, optional_field};
use crate::dist::Dist;
use crate::sr::{DeviceType, SrType};
use dccsim_sim::SimDuration;

/// Half-hours in a day: the household profile's resolution.
pub const HALF_HOURS: usize = 48;

/// The EV load-control experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct Ev {
    pub chargers: Chargers,
    pub feeders: Feeders,
    pub demand: Demand,
    pub dno: Dno,
}

/// A closed range `min..=max` drawn uniformly.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Uniform {
    pub min: f64,
    pub max: f64,
}

/// `[ev]`: which premises have a charger and how their sessions go.
#[derive(Clone, Debug, PartialEq)]
pub struct Chargers {
    /// Share of premises with an EV charger (the EV uptake), 0..=1.
    pub uptake: f64,
    /// Share of chargers rated 7.4 kW (32 A × 230 V); the rest 3.7 kW.
    pub fast_share: f64,
    /// The charger's HAN device: `Hcalcs` (switched, 7.5/7.6) or `Apc` (proportional, 7.13).
    pub device: DeviceType,
    /// Plug-in time, measured from simulated time zero (midnight of the start date).
    pub arrival: Dist,
    /// How long the car stays plugged in.
    pub dwell: Dist,
    /// Energy the car wants in this session, kWh.
    pub energy_kwh: Uniform,
    /// Most a charger delays a session's start at random (Smart Charge Points Regulations 2021).
    pub start_delay: SimDuration,
    /// Default off-peak charging: a session plugged in during the weekday peaks (08–11, 16–22)
    /// waits for the peak to end.
    pub off_peak: bool,
    /// The charger's time to act on a command and answer.
    pub response: Dist,
}

/// `[feeders]`: premises are split, in order, into LV feeders of these sizes.
#[derive(Clone, Debug, PartialEq)]
pub struct Feeders {
    /// Premises per feeder, uniform whole numbers `min..=max`.
    pub customers: (u32, u32),
    /// Feeder rating, kW, uniform.
    pub rating_kw: Uniform,
    /// Feeders whose load is written as a series `feeder.load_kw{feeder=…}`: the most stressed
    /// by (household peak + charger ratings) / rating.
    pub series: u32,
}

/// `[demand]`: household load, after diversity.
#[derive(Clone, Debug, PartialEq)]
pub struct Demand {
    /// Mean household draw per half-hour from midnight, kW.
    pub profile_kw: [f64; HALF_HOURS],
    /// Per-premises variation: each premises scales the profile by a log-normal factor with
    /// mean 1 and this sigma.
    pub variation: f64,
}

/// What the DNO does when a feeder nears its rating.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Watch only: the baseline.
    None,
    /// Switch chargers off (7.6) when load passes `curtail_at`, all back on (7.5) once it is
    /// below `restore_below` and `hold` has passed.
    Threshold,
    /// Lower every charger's power limit in steps (7.13), raise it a step at a time.
    Proportional,
}

impl Policy {
    pub const NAMES: [&'static str; 3] = ["none", "threshold", "proportional"];

    pub fn from_name(s: &str) -> Option<Policy> {
        match s {
            "none" => Some(Policy::None),
            "threshold" => Some(Policy::Threshold),
            "proportional" => Some(Policy::Proportional),
            _ => None,
        }
    }
}

/// How the DNO learns its feeders' loads.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Monitoring {
    /// Substation monitoring: every change of load (and which chargers draw) at once.
    Substation,
    /// Meter reads through the DCC: every `interval`, SR 4.1.1 to every premises' ESME; the DNO
    /// sees a premises' import (household and charger) when its read is answered.
    MeterReads { interval: SimDuration },
}

/// `[dno]`: the Electricity Distributor and how it runs its feeders.
#[derive(Clone, Debug, PartialEq)]
pub struct Dno {
    pub policy: Policy,
    pub monitoring: Monitoring,
    /// Models SECMP0046: the DSP admits the ED role for the load-control SRs. Off, ED is not
    /// eligible for them (today's DUIS) and every command is refused.
    pub secmp0046: bool,
    /// Act when load passes this share of the feeder's rating.
    pub curtail_at: f64,
    /// Curtail down to, and restore only below, this share of the rating.
    pub restore_below: f64,
    /// Least time between a curtailment and the next restoration on a feeder.
    pub hold: SimDuration,
    /// Randomised offset limit set on every charger with 7.12 at the start (zero: none sent):
    /// each charger raises its load after a uniform random delay up to this.
    pub restore_offset: SimDuration,
    /// Proportional policy: a limit step, as a share of the charger's rating.
    pub step: f64,
    /// How long after a restoration the feeder's load counts towards the rebound peak.
    pub rebound_window: SimDuration,
}

impl Ev {
    /// The physical type of every charger's load-control device, as the SMI records it.
    pub fn device_model_type(&self) -> crate::device_model::PhysicalDeviceType {
        use crate::device_model::PhysicalDeviceType as T;
        match self.chargers.device {
            DeviceType::Apc => T::Apc,
            DeviceType::Hcalcs => T::Hcalcs,
            other => unreachable!("the loader accepts only hcalcs or apc, not {other:?}"),
        }
    }

    /// The SRs the DNO sends, by policy.
    pub fn srs(&self) -> Vec<SrType> {
        let mut srs = match self.dno.policy {
            Policy::None => return Vec::new(),
            Policy::Threshold => vec![
                SrType::DeactivateAuxiliaryLoad,
                SrType::ActivateAuxiliaryLoad,
            ],
            Policy::Proportional => vec![SrType::SetApcLimit],
        };
        if let Monitoring::MeterReads { .. } = self.dno.monitoring {
            srs.push(SrType::ReadInstantaneousImport);
        }
        if self.dno.restore_offset > SimDuration::ZERO {
            srs.push(SrType::SetRandomisedOffsetLimit);
        }
        srs
    }

    /// The SR that curtails load under this policy (its TRT is the `dno.control` flow's).
    pub fn control_sr(&self) -> SrType {
        match self.dno.policy {
            Policy::Proportional => SrType::SetApcLimit,
            Policy::None | Policy::Threshold => SrType::DeactivateAuxiliaryLoad,
        }
    }
}

/// Reads the four sections; `None` when the scenario has no `[ev]`.
pub(crate) fn read(
    ev: Option<Table<'_>>,
    feeders: Option<Table<'_>>,
    demand: Option<Table<'_>>,
    dno: Option<Table<'_>>,
) -> Read<Option<Ev>> {
    let Some(ev) = ev else {
        if let Some(t) = feeders.as_ref().or(demand.as_ref()).or(dno.as_ref()) {
            return Err(t.issue(format!(
                "{} describes the EV load-control experiment, which needs an [ev] table \
                 (e.g. [ev] uptake = 0.5); add [ev] or remove {}",
                t.title, t.title
            )));
        }
        return Ok(None);
    };
    let chargers = read_chargers(&ev)?;
    let feeders = read_feeders(feeders.as_ref())?;
    let demand = read_demand(demand.as_ref())?;
    let dno = read_dno(dno.as_ref(), chargers.device)?;
    Ok(Some(Ev {
        chargers,
        feeders,
        demand,
        dno,
    }))
}

fn read_chargers(t: &Table<'_>) -> Read<Chargers> {
    t.check_keys(&[
        "uptake",
        "fast_share",
        "device",
        "arrival",
        "dwell",
        "energy_kwh",
        "start_delay",
        "off_peak",
        "response",
    ])?;
    let share = |key: &str, default: f64| t.get(key).map_or(Ok(default), |f| f.share());
    let d = |key: &str, default: Dist| t.get(key).map_or(Ok(default), |f| dist(&f));
    Ok(Chargers {
        uptake: share("uptake", defaults::EV_UPTAKE)?,
        fast_share: share("fast_share", defaults::EV_FAST_SHARE)?,
        device: match t.get("device") {
            Some(f) => f.one_of("charger device", &["hcalcs", "apc"], |s| match s {
                "hcalcs" => Some(DeviceType::Hcalcs),
                "apc" => Some(DeviceType::Apc),
                _ => None,
            })?,
            None => DeviceType::Hcalcs,
        },
        arrival: d("arrival", defaults::EV_ARRIVAL)?,
        dwell: d("dwell", defaults::EV_DWELL)?,
        energy_kwh: match t.get("energy_kwh") {
            Some(f) => uniform(&f, 0.0, 1000.0)?,
            None => defaults::EV_ENERGY_KWH,
        },
        start_delay: optional_field(t, "start_delay", defaults::EV_START_DELAY, |f| f.duration())?,
        off_peak: optional_field(t, "off_peak", false, boolean)?,
        response: d("response", defaults::CHARGER_RESPONSE)?,
    })
}

fn read_feeders(t: Option<&Table<'_>>) -> Read<Feeders> {
    let Some(t) = t else {
        return Ok(Feeders {
            customers: defaults::FEEDER_CUSTOMERS,
            rating_kw: defaults::FEEDER_RATING_KW,
            series: defaults::FEEDER_SERIES,
        });
    };
    t.check_keys(&["customers", "rating_kw", "series"])?;
    let customers = match t.get("customers") {
        Some(f) => {
            let r = uniform(&f, 1.0, 10_000.0)?;
            let whole = |x: f64| x.fract() == 0.0;
            if !whole(r.min) || !whole(r.max) {
                return Err(f.issue(format!(
                    "{} counts premises: `min` and `max` must be whole numbers",
                    f.what
                )));
            }
            (r.min as u32, r.max as u32)
        }
        None => defaults::FEEDER_CUSTOMERS,
    };
    let rating_kw = match t.get("rating_kw") {
        Some(f) => uniform(&f, f64::MIN_POSITIVE, 100_000.0)?,
        None => defaults::FEEDER_RATING_KW,
    };
    let series = optional_field(t, "series", defaults::FEEDER_SERIES, |f| {
        Ok(f.int_in(0, 1000)? as u32)
    })?;
    Ok(Feeders {
        customers,
        rating_kw,
        series,
    })
}

fn read_demand(t: Option<&Table<'_>>) -> Read<Demand> {
    let Some(t) = t else {
        return Ok(Demand {
            profile_kw: defaults::HOUSEHOLD_PROFILE_KW,
            variation: defaults::HOUSEHOLD_VARIATION,
        });
    };
    t.check_keys(&["profile_kw", "variation"])?;
    let profile_kw = match t.get("profile_kw") {
        Some(f) => {
            let items = f.array()?;
            if items.len() != HALF_HOURS {
                return Err(f.issue(format!(
                    "{} needs {HALF_HOURS} numbers, one kW figure per half-hour from midnight; \
                     found {}",
                    f.what,
                    items.len()
                )));
            }
            let mut profile = [0.0; HALF_HOURS];
            for (slot, item) in profile.iter_mut().zip(&items) {
                *slot = item.non_negative()?;
            }
            profile
        }
        None => defaults::HOUSEHOLD_PROFILE_KW,
    };
    let variation = optional_field(t, "variation", defaults::HOUSEHOLD_VARIATION, |f| {
        let x = f.non_negative()?;
        if x > 3.0 {
            return Err(f.issue(format!(
                "{} is a log-normal sigma; {} would make a few premises draw absurd loads, \
                 keep it at 3 or below",
                f.what,
                number(x)
            )));
        }
        Ok(x)
    })?;
    Ok(Demand {
        profile_kw,
        variation,
    })
}

fn read_dno(t: Option<&Table<'_>>, device: DeviceType) -> Read<Dno> {
    let mut dno = Dno {
        policy: Policy::None,
        monitoring: Monitoring::Substation,
        secmp0046: false,
        curtail_at: defaults::DNO_CURTAIL_AT,
        restore_below: defaults::DNO_RESTORE_BELOW,
        hold: defaults::DNO_HOLD,
        restore_offset: defaults::DNO_RESTORE_OFFSET,
        step: defaults::DNO_STEP,
        rebound_window: defaults::DNO_REBOUND_WINDOW,
    };
    let Some(t) = t else {
        return Ok(dno);
    };
    t.check_keys(&[
        "policy",
        "monitoring",
        "read_interval",
        "secmp0046",
        "curtail_at",
        "restore_below",
        "hold",
        "restore_offset",
        "step",
        "rebound_window",
    ])?;
    if let Some(f) = t.get("policy") {
        dno.policy = f.one_of("policy", &Policy::NAMES, Policy::from_name)?;
        let needs = match dno.policy {
            Policy::None => None,
            Policy::Threshold => Some((DeviceType::Hcalcs, "hcalcs", "7.5 and 7.6")),
            Policy::Proportional => Some((DeviceType::Apc, "apc", "7.13")),
        };
        if let Some((wanted, name, srs)) = needs.filter(|(d, _, _)| *d != device) {
            debug_assert_ne!(wanted, device);
            return Err(f.issue(format!(
                "{} sends {srs}, which only a charger behind an {} can obey, but \
                 `device` in [ev] is \"{}\"; set [ev] device = \"{name}\"",
                f.what,
                name.to_uppercase(),
                device.name()
            )));
        }
    }
    let meter_reads = optional_field(t, "monitoring", false, |f| {
        f.one_of("monitoring", &["substation", "meter-reads"], |s| match s {
            "substation" => Some(false),
            "meter-reads" => Some(true),
            _ => None,
        })
    })?;
    let interval = optional_field(t, "read_interval", defaults::DNO_READ_INTERVAL, |f| {
        let d = f.duration()?;
        if d < SimDuration::from_secs(60) {
            return Err(f.issue(format!(
                "{} must be at least \"1min\" (every premises is read each time), found {d}",
                f.what
            )));
        }
        Ok(d)
    })?;
    if meter_reads {
        dno.monitoring = Monitoring::MeterReads { interval };
    } else if let Some(f) = t.get("read_interval") {
        return Err(f.issue(format!(
            "{} applies only with monitoring = \"meter-reads\"",
            f.what
        )));
    }
    dno.secmp0046 = optional_field(t, "secmp0046", false, boolean)?;
    let ratio = |key: &str, default: f64| {
        optional_field(t, key, default, |f| {
            let x = f.number()?;
            if x <= 0.0 || x > 2.0 {
                return Err(f.issue(format!(
                    "{} is a share of the feeder's rating: more than 0 and at most 2, found {}",
                    f.what,
                    number(x)
                )));
            }
            Ok(x)
        })
    };
    dno.curtail_at = ratio("curtail_at", dno.curtail_at)?;
    dno.restore_below = ratio("restore_below", dno.restore_below)?;
    if dno.restore_below >= dno.curtail_at {
        let f = t
            .get("restore_below")
            .or_else(|| t.get("curtail_at"))
            .expect("one of them differs from its default");
        return Err(f.issue(format!(
            "`restore_below` ({}) must be below `curtail_at` ({}) in [dno], or the DNO would \
             restore chargers into an overload",
            number(dno.restore_below),
            number(dno.curtail_at)
        )));
    }
    dno.hold = optional_field(t, "hold", dno.hold, |f| f.duration())?;
    dno.restore_offset = optional_field(t, "restore_offset", dno.restore_offset, |f| {
        let d = f.duration()?;
        if d.as_micros() > SimDuration::from_hours(24).as_micros() {
            return Err(f.issue(format!("{} is at most \"24h\", found {d}", f.what)));
        }
        Ok(d)
    })?;
    dno.step = optional_field(t, "step", dno.step, |f| {
        let x = f.share()?;
        if x < 0.001 {
            return Err(f.issue(format!(
                "{} must be at least 0.001 (a thousandth of the rating), found {}",
                f.what,
                number(x)
            )));
        }
        Ok(x)
    })?;
    dno.rebound_window = optional_field(t, "rebound_window", dno.rebound_window, |f| {
        f.positive_duration()
    })?;
    Ok(dno)
}

/// `{ min = …, max = … }` with `lo ≤ min ≤ max ≤ hi`.
fn uniform(f: &Field<'_>, lo: f64, hi: f64) -> Read<Uniform> {
    let t = f.table()?;
    t.check_keys(&["min", "max"])?;
    let get = |key: &str| -> Read<f64> {
        let g = t.get(key).ok_or_else(|| {
            f.issue(format!(
                "{} needs `{key}`: write {{ min = …, max = … }} (a uniform range)",
                f.what
            ))
        })?;
        let x = g.number()?;
        if x < lo || x > hi {
            return Err(g.issue(format!(
                "{} must be between {} and {}, found {}",
                g.what,
                number(lo),
                number(hi),
                number(x)
            )));
        }
        Ok(x)
    };
    let (min, max) = (get("min")?, get("max")?);
    if min > max {
        return Err(f.issue(format!(
            "{} has `max` {} below `min` {}; `min` must not exceed `max`",
            f.what,
            number(max),
            number(min)
        )));
    }
    Ok(Uniform { min, max })
}

fn boolean(f: &Field<'_>) -> Read<bool> {
    match f.value {
        toml::Value::Boolean(b) => Ok(*b),
        _ => Err(Issue::at(
            &f.path,
            format!(
                "{} must be true or false (no quotes), found {}",
                f.what,
                super::reader::describe(f.value)
            ),
        )),
    }
}
