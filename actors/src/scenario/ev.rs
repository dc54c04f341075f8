//! The EV load-control sections of a scenario (SECMP0046): `[ev]` (chargers and sessions),
//! `[feeders]` (LV feeders and their ratings), `[demand]` (household load) and `[dno]` (the
//! Electricity Distributor's control policy). The feature is on when `[ev]` is present.

use super::reader::{number, Field, Issue, Read, Table};
use super::values::{dist, optional_field};
use crate::config::defaults;
use crate::dist::Dist;
pub use crate::ev::config::*;
use crate::sr::DeviceType;
use dccsim_sim::SimDuration;

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
