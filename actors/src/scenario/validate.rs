//! From the parsed TOML tree to a validated [`Scenario`]: the schema, its defaults and its rules.

use super::han::{read_radio, HAN_KEYS};
use super::model::*;
use super::reader::{list, number, suggest, Field, Issue, Read, Table};
use crate::calendar::Date;
use crate::config::defaults;
use crate::config::*;
use crate::dist::Dist;
use crate::han::config::Han;
use crate::region::{Region, RegionMap, Technology};
use crate::sr::{DeviceType, Role, SrType};
use dccsim_sim::SimDuration;
use std::collections::BTreeMap;

const TOP_LEVEL: [&str; 23] = [
    "scenario",
    "population",
    "supplier",
    "dsp",
    "csp",
    "han",
    "devices",
    "traffic",
    "trt",
    "sweep",
    "expect",
    "device_model",
    "install",
    "cpl",
    "cpl_entry",
    "timeline",
    "ev",
    "feeders",
    "demand",
    "dno",
    "firmware",
    "firmware_image",
    "firmware_campaign",
];

/// What a scenario needs at the very least, for messages about empty or incomplete files.
pub(crate) const MINIMUM: &str = "a scenario needs [scenario] with name, seed and duration, \
     [population] with premises, and at least one [[supplier]] with name and share";

/// Reads the whole document. `resolved_toml` is its text, kept in the result.
pub(crate) fn scenario(doc: &toml::Table, resolved_toml: String) -> Read<Scenario> {
    let root = Table::root(doc);
    root.check_keys_with(&TOP_LEVEL, |key, near| match near {
        Some(near) => format!("unknown table or key `{key}`; did you mean `{near}`?"),
        None => format!(
            "unknown table or key `{key}`; a scenario has {}",
            list(&TOP_LEVEL, "and")
        ),
    })?;

    let section = |name: &str| -> Read<Option<Table<'_>>> {
        root.get(name)
            .map(|f| {
                if matches!(f.value, toml::Value::Array(_)) {
                    Err(f.issue(format!(
                        "`{name}` must be a single table written [{name}], not a list"
                    )))
                } else {
                    f.table_titled(format!("[{name}]"))
                }
            })
            .transpose()
    };

    let head = section("scenario")?
        .ok_or_else(|| root.issue(format!("the file has no [scenario] table; {MINIMUM}")))?;
    let population = section("population")?
        .ok_or_else(|| root.issue(format!("the file has no [population] table; {MINIMUM}")))?;
    let dsp = section("dsp")?;
    let csp = section("csp")?;
    let han = section("han")?;
    let devices = section("devices")?;
    let trt = section("trt")?;
    let cpl = section("cpl")?;

    head.check_keys(&[
        "name",
        "description",
        "seed",
        "duration",
        "start_date",
        "sample_interval",
    ])?;
    let name = scenario_name(&head.require("name", "name = \"quickstart\"")?)?;
    let description = match head.get("description") {
        Some(f) => f.str()?.to_string(),
        None => String::new(),
    };
    let seed = head.require("seed", "seed = 7")?.int_in(0, i64::MAX)? as u64;
    let duration = head
        .require("duration", "duration = \"1d\"")?
        .positive_duration()?;
    let start_date = match head.get("start_date") {
        Some(f) => calendar_date(&f)?,
        None => defaults::START_DATE.to_string(),
    };
    let sample_interval = match head.get("sample_interval") {
        Some(f) => f.positive_duration()?,
        None => defaults::SAMPLE_INTERVAL,
    };

    let population = read_population(&population)?;
    let suppliers = read_suppliers(&root)?;
    let dsp = read_dsp(dsp.as_ref())?;
    let csp = read_csps(csp.as_ref())?;
    let han = Han {
        latency: optional_dist(han.as_ref(), &HAN_KEYS, "latency", defaults::HAN_LATENCY)?,
        radio: read_radio(han.as_ref())?,
    };
    let devices = Devices {
        esme_response: optional_dist(
            devices.as_ref(),
            &["esme_response", "gsme_response"],
            "esme_response",
            defaults::ESME_RESPONSE,
        )?,
        gsme_response: optional_dist(
            devices.as_ref(),
            &["esme_response", "gsme_response"],
            "gsme_response",
            defaults::GSME_RESPONSE,
        )?,
    };
    let traffic = read_traffic(&root)?;
    let trt = read_trt(trt.as_ref())?;
    let sweep = super::sweep::read(&root)?;
    let expect = super::expect::read_all(&root)?;
    let installs = super::inventory::installs(
        &table_list(&root, "install")?,
        &suppliers,
        &population,
        duration,
    )?;
    let mut device_models = super::inventory::device_models(
        &table_list(&root, "device_model")?,
        &root.get("device_model").map_or(Vec::new(), |f| f.path),
    )?;
    let start = Date::parse(&start_date).expect("a checked calendar date");
    let cpl = super::cpl::read(
        &root,
        cpl.as_ref(),
        &table_list(&root, "cpl_entry")?,
        &table_list(&root, "timeline")?,
        &super::cpl::model_facts(&device_models),
        start,
    )?;
    super::cpl::list_models(&mut device_models, &cpl);
    super::cpl_coverage::every_described_model_has_an_entry(
        &table_list(&root, "device_model")?,
        &device_models,
        &cpl,
    )?;
    let ev = super::ev::read(
        section("ev")?,
        section("feeders")?,
        section("demand")?,
        section("dno")?,
    )?;
    if let Some(ev) = &ev {
        // Every charger's load-control device is a Device Model on the SMI.
        super::inventory::ensure_model(&mut device_models, ev.device_model_type());
    }
    // So is every PPMID and HCALCS an installation wave fits.
    super::inventory::ensure_joiner_models(&mut device_models, &installs);
    let firmware = super::firmware::read(
        &root,
        section("firmware")?.as_ref(),
        &suppliers,
        &device_models,
        duration,
        start,
    )?;

    Ok(Scenario {
        name,
        description,
        seed,
        duration,
        start_date,
        sample_interval,
        population,
        suppliers,
        dsp,
        csp,
        han,
        devices,
        traffic,
        trt,
        device_models,
        installs,
        cpl,
        ev,
        resolved_toml,
        sweep,
        expect,
        firmware,
    })
}

/// `[scenario] name`: it names output directories, so only a safe set of characters.
fn scenario_name(f: &Field<'_>) -> Read<String> {
    let name = f.str()?;
    if name.is_empty() {
        return Err(f.issue(format!("{} is empty; give the scenario a name", f.what)));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(f.issue(format!(
            "{} may only contain letters, digits, `.`, `_` and `-` (it names the output \
             directory), but \"{name}\" contains {c:?}",
            f.what
        )));
    }
    Ok(name.to_string())
}

/// A real calendar date `YYYY-MM-DD`, written as a string or as a TOML date.
fn calendar_date(f: &Field<'_>) -> Read<String> {
    let text = match f.value {
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
        _ => f.str()?.to_string(),
    };
    let bad = || {
        f.issue(format!(
            "{} must be a calendar date written YYYY-MM-DD, e.g. \"2026-01-05\"; \"{text}\" is not",
            f.what
        ))
    };
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>())
    else {
        return Err(bad());
    };
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if day == 0 || day > days_in_month {
        return Err(bad());
    }
    Ok(text)
}

fn read_population(t: &Table<'_>) -> Read<Population> {
    t.check_keys(&["premises", "gas_share", "regions"])?;
    let premises = t
        .require("premises", "premises = 10000")?
        .int_in(1, i64::from(defaults::MAX_PREMISES))? as u32;
    let gas_share = match t.get("gas_share") {
        Some(f) => f.share()?,
        None => defaults::GAS_SHARE,
    };
    let regions = match t.get("regions") {
        Some(f) => region_shares(&f)?,
        None => defaults::REGION_SHARES,
    };
    Ok(Population {
        premises,
        gas_share,
        regions,
    })
}

const REGION_NAMES: [&str; 3] = ["north", "central", "south"];

fn unknown_region(key: &str, near: Option<&str>, title: &str) -> String {
    let hint = near.map_or(String::new(), |n| format!("did you mean `{n}`? "));
    format!("unknown region `{key}` in {title}; {hint}the DCC regions are north, central and south")
}

/// `regions = { north = …, central = …, south = … }`: missing regions get 0; the shares sum to 1.
fn region_shares(f: &Field<'_>) -> Read<RegionMap<f64>> {
    let t = f.table()?;
    t.check_keys_with(&REGION_NAMES, |k, near| unknown_region(k, near, &t.title))?;
    let share = |name: &str| t.get(name).map_or(Ok(0.0), |f| f.non_negative());
    let regions = RegionMap {
        north: share("north")?,
        central: share("central")?,
        south: share("south")?,
    };
    let sum = regions.north + regions.central + regions.south;
    if (sum - 1.0).abs() > defaults::SHARE_TOLERANCE {
        return Err(f.issue(format!(
            "the region shares in {} sum to {}, not 1 (north {} + central {} + south {}); \
             make them add up to 1",
            t.title,
            number(sum),
            number(regions.north),
            number(regions.central),
            number(regions.south)
        )));
    }
    Ok(regions)
}

/// A list of tables written `[[name]]`; absent means empty.
pub(super) fn table_list<'a>(root: &Table<'a>, name: &str) -> Read<Vec<Table<'a>>> {
    let Some(f) = root.get(name) else {
        return Ok(Vec::new());
    };
    if matches!(f.value, toml::Value::Table(_)) {
        return Err(f.issue(format!(
            "`{name}` must be written [[{name}]] (double brackets), one per entry, \
             not [{name}]"
        )));
    }
    f.array()?
        .iter()
        .map(|entry| entry.table_titled(format!("[[{name}]]")))
        .collect()
}

fn read_suppliers(root: &Table<'_>) -> Read<Vec<Supplier>> {
    let tables = table_list(root, "supplier")?;
    if tables.is_empty() {
        let path = root.get("supplier").map_or(Vec::new(), |f| f.path);
        return Err(Issue::at(
            &path,
            "the scenario has no [[supplier]]; add at least one, e.g. \
             [[supplier]] name = \"alpha\" share = 1.0",
        ));
    }
    let mut suppliers: Vec<Supplier> = Vec::new();
    for t in &tables {
        t.check_keys(&["name", "share"])?;
        let name_field = t.require("name", "name = \"alpha\"")?;
        let name = name_field.str()?;
        if name.trim().is_empty() {
            return Err(name_field.issue("a supplier's `name` must not be empty"));
        }
        if suppliers.iter().any(|s| s.name == name) {
            return Err(name_field.issue(format!(
                "there are two suppliers called \"{name}\"; each [[supplier]] needs its own name"
            )));
        }
        let share = t.require("share", "share = 0.5")?.share()?;
        suppliers.push(Supplier {
            name: name.to_string(),
            share,
        });
    }
    let sum: f64 = suppliers.iter().map(|s| s.share).sum();
    if (sum - 1.0).abs() > defaults::SHARE_TOLERANCE {
        let terms: Vec<String> = suppliers
            .iter()
            .map(|s| format!("{} {}", s.name, number(s.share)))
            .collect();
        return Err(tables[0]
            .issue(format!(
                "the supplier shares sum to {}, not 1 ({}); make them add up to 1",
                number(sum),
                terms.join(" + ")
            ))
            .scoped(&root.get("supplier").expect("suppliers were read").path));
    }
    Ok(suppliers)
}

fn read_dsp(t: Option<&Table<'_>>) -> Read<Dsp> {
    let keys = [
        "workers",
        "service_time",
        "response_service_time",
        "legacy_duplicate_check",
    ];
    let workers = workers(t, &keys, defaults::DSP_WORKERS)?;
    let service_time = optional_dist(t, &keys, "service_time", defaults::DSP_SERVICE_TIME)?;
    let response_service_time = optional_dist(t, &keys, "response_service_time", service_time)?;
    let legacy_duplicate_check = match t.and_then(|t| t.get("legacy_duplicate_check")) {
        Some(f) => super::inventory::boolean(&f)?,
        None => false,
    };
    Ok(Dsp {
        workers,
        service_time,
        response_service_time,
        legacy_duplicate_check,
    })
}

fn workers(t: Option<&Table<'_>>, keys: &[&str], default: u32) -> Read<u32> {
    let Some(t) = t else {
        return Ok(default);
    };
    t.check_keys(keys)?;
    match t.get("workers") {
        Some(f) => Ok(f.int_in(1, i64::from(u32::MAX))? as u32),
        None => Ok(default),
    }
}

fn read_csps(t: Option<&Table<'_>>) -> Read<RegionMap<Csp>> {
    if let Some(t) = t {
        t.check_keys_with(&REGION_NAMES, |k, near| unknown_region(k, near, "[csp]"))?;
    }
    let read = |region: Region| -> Read<Csp> {
        let table = match t.and_then(|t| t.get(region.name())) {
            Some(f) => Some(f.table_titled(format!("[csp.{}]", region.name()))?),
            None => None,
        };
        let keys = [
            "technology",
            "workers",
            "service_time",
            "latency",
            "hub_bandwidth",
            "wan_capacity",
        ];
        if let Some(t) = &table {
            t.check_keys(&keys)?;
        }
        let technology = match table.as_ref().and_then(|t| t.get("technology")) {
            Some(f) => {
                let names = ["long-range-radio", "cellular", "mesh"];
                f.one_of("technology", &names, Technology::from_name)?
            }
            None => defaults::csp_technology(region),
        };
        let workers = workers(table.as_ref(), &keys, defaults::CSP_WORKERS)?;
        let service_time = optional_dist(
            table.as_ref(),
            &keys,
            "service_time",
            defaults::CSP_SERVICE_TIME,
        )?;
        let latency = optional_dist(
            table.as_ref(),
            &keys,
            "latency",
            defaults::wan_latency(technology),
        )?;
        let rate = |key: &str, default| match table.as_ref().and_then(|t| t.get(key)) {
            Some(f) => f.bandwidth(),
            None => Ok(default),
        };
        Ok(Csp {
            technology,
            workers,
            service_time,
            latency,
            hub_bandwidth: rate("hub_bandwidth", defaults::hub_bandwidth(technology))?,
            wan_capacity: rate("wan_capacity", defaults::wan_capacity(technology))?,
        })
    };
    Ok(RegionMap {
        north: read(Region::North)?,
        central: read(Region::Central)?,
        south: read(Region::South)?,
    })
}

/// The distribution under `key` of an optional table whose keys are `keys`, or `default`.
fn optional_dist(t: Option<&Table<'_>>, keys: &[&str], key: &str, default: Dist) -> Read<Dist> {
    let Some(t) = t else {
        return Ok(default);
    };
    t.check_keys(keys)?;
    t.get(key).map_or(Ok(default), |f| dist(&f))
}

/// The kinds of distribution and the parameters each takes.
const DISTS: [(&str, &[&str]); 4] = [
    ("const", &["value"]),
    ("exp", &["mean"]),
    ("lognormal", &["median", "sigma"]),
    ("uniform", &["min", "max"]),
];

const DIST_EXAMPLE: &str = "{ dist = \"lognormal\", median = \"300ms\", sigma = 0.5 }";

/// The value under `key` of `t` read by `read`, or `default` when absent.
pub(super) fn optional_field<T>(
    t: &Table<'_>,
    key: &str,
    default: T,
    read: impl FnOnce(&Field<'_>) -> Read<T>,
) -> Read<T> {
    t.get(key).map_or(Ok(default), |f| read(&f))
}

/// `{ dist = "…", … }`.
pub(super) fn dist(f: &Field<'_>) -> Read<Dist> {
    if !matches!(f.value, toml::Value::Table(_)) {
        return Err(f.issue(format!(
            "{} must be a distribution such as {DIST_EXAMPLE} or {{ dist = \"const\", value = \
             \"40ms\" }}, found {}",
            f.what,
            super::reader::describe(f.value)
        )));
    }
    let t = f.table()?;
    let kinds: Vec<&str> = DISTS.iter().map(|(k, _)| *k).collect();
    let Some(kind_field) = t.get("dist") else {
        return Err(f.issue(format!(
            "{} needs `dist`, the kind of distribution: {}; e.g. {DIST_EXAMPLE}",
            t.title,
            list(&kinds, "or")
        )));
    };
    let kind = kind_field.one_of("distribution", &kinds, |s| {
        DISTS.iter().find(|(k, _)| *k == s).copied()
    })?;
    let (name, params) = kind;
    let mut known = vec!["dist"];
    known.extend_from_slice(params);
    let takes = format!("{name} takes {}", list(params, "and"));
    let owner = |key: &str| {
        DISTS
            .iter()
            .find(|(_, ps)| ps.contains(&key))
            .map(|(k, _)| *k)
    };
    t.check_keys_with(&known, |key, near| match (owner(key), near) {
        (Some(other), _) => format!(
            "`{key}` is not a parameter of a {name} distribution ({}) but of {other}; {takes}",
            t.title
        ),
        (None, Some(near)) => format!(
            "unknown parameter `{key}` for the {name} distribution {}; did you mean `{near}`? \
             ({takes})",
            t.title
        ),
        (None, None) => format!(
            "`{key}` is not a parameter of a {name} distribution ({}); {takes}",
            t.title
        ),
    })?;
    let param = |p: &str| {
        t.get(p).ok_or_else(|| {
            f.issue(format!(
                "{} is a {name} distribution and needs `{p}` ({takes})",
                t.title
            ))
        })
    };
    Ok(match name {
        "const" => Dist::Const(param("value")?.duration()?),
        "exp" => Dist::Exp {
            mean: param("mean")?.positive_duration()?,
        },
        "lognormal" => Dist::LogNormal {
            median: param("median")?.positive_duration()?,
            sigma: param("sigma")?.non_negative()?,
        },
        _ => {
            let min = param("min")?.duration()?;
            let max_field = param("max")?;
            let max = max_field.duration()?;
            if min > max {
                return Err(max_field.issue(format!(
                    "{} has `max` {max} below `min` {min}; `min` must not exceed `max`",
                    t.title
                )));
            }
            Dist::Uniform { min, max }
        }
    })
}

fn sr_list() -> String {
    let srs: Vec<String> = SrType::ALL
        .iter()
        .map(|s| format!("\"{}\" ({})", s.number(), s.title()))
        .collect();
    list(&srs, "and")
}

fn read_traffic(root: &Table<'_>) -> Read<Vec<Traffic>> {
    table_list(root, "traffic")?
        .iter()
        .map(traffic_stream)
        .collect()
}

fn traffic_stream(t: &Table<'_>) -> Read<Traffic> {
    t.check_keys(&[
        "sr",
        "device",
        "role",
        "window",
        "per_premises_per_day",
        "hourly",
        "unknown_device_share",
    ])?;
    let sr_field = t.require("sr", "sr = \"4.6.1\"")?;
    let sr_text = sr_field.str()?;
    let sr = SrType::from_number(sr_text).ok_or_else(|| {
        sr_field.issue(format!(
            "unknown SR number \"{sr_text}\" in {}; the Service Requests modelled are {}",
            t.title,
            sr_list()
        ))
    })?;
    if !sr.addresses(DeviceType::Esme) && !sr.addresses(DeviceType::Gsme) {
        return Err(sr_field.issue(format!(
            "{} is sent by the DNO to EV chargers (see [dno] policy), not by supplier traffic; \
             [[traffic]] takes the SRs addressed to meters",
            sr.number()
        )));
    }
    let device = match t.get("device") {
        Some(f) => f.one_of("device", &["esme", "gsme"], DeviceType::from_name)?,
        None => DeviceType::Esme,
    };
    let role = match t.get("role") {
        Some(f) => {
            let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
            f.one_of("DCC User role", &names, Role::from_name)?
        }
        None => device.supplier_role(),
    };
    let pattern = match (t.get("window"), t.get("per_premises_per_day")) {
        (Some(_), Some(_)) => {
            return Err(t.issue(format!(
                "{} has both `window` and `per_premises_per_day`; give exactly one: a daily \
                 window or a Poisson rate",
                t.title
            )))
        }
        (None, None) => {
            return Err(t.issue(format!(
                "{} needs either `window = {{ start = \"01:00\", length = \"4h\" }}` (each \
                 premises once a day, spread over the window) or `per_premises_per_day = 0.2` \
                 (a Poisson rate)",
                t.title
            )))
        }
        (Some(window), None) => {
            if let Some(hourly) = t.get("hourly") {
                return Err(hourly.issue(format!(
                    "{} only applies with `per_premises_per_day`, not with `window`",
                    hourly.what
                )));
            }
            daily_window(&window)?
        }
        (None, Some(rate)) => Pattern::Poisson {
            per_premises_per_day: rate.non_negative()?,
            hourly: match t.get("hourly") {
                Some(f) => hourly_profile(&f)?,
                None => defaults::HOURLY,
            },
        },
    };
    let unknown_device_share = match t.get("unknown_device_share") {
        Some(f) => f.share()?,
        None => defaults::UNKNOWN_DEVICE_SHARE,
    };
    Ok(Traffic {
        sr,
        device,
        role,
        pattern,
        unknown_device_share,
    })
}

/// `window = { start = "HH:MM", length = "4h" }`.
fn daily_window(f: &Field<'_>) -> Read<Pattern> {
    let (start, length) = time_window(f)?;
    Ok(Pattern::DailyWindow { start, length })
}

/// `{ start = "HH:MM", length = "4h" }`: a daily window's start from midnight and its length
/// (longer than zero, at most a day).
pub(super) fn time_window(f: &Field<'_>) -> Read<(SimDuration, SimDuration)> {
    let t = f.table()?;
    t.check_keys(&["start", "length"])?;
    let start_field = t.require("start", "start = \"01:00\"")?;
    let start = time_of_day(&start_field)?;
    let length_field = t.require("length", "length = \"4h\"")?;
    let length = length_field.positive_duration()?;
    if length > SimDuration::from_hours(24) {
        return Err(length_field.issue(format!(
            "{} is {length}, longer than a day; a daily window lasts at most \"24h\"",
            length_field.what
        )));
    }
    Ok((start, length))
}

/// `"HH:MM"` from 00:00 to 23:59, as an offset from midnight.
fn time_of_day(f: &Field<'_>) -> Read<SimDuration> {
    let s = f.str()?;
    let parsed = s.split_once(':').and_then(|(h, m)| {
        let ok = (1..=2).contains(&h.len())
            && m.len() == 2
            && h.chars().chain(m.chars()).all(|c| c.is_ascii_digit());
        let (h, m): (u64, u64) = (h.parse().ok()?, m.parse().ok()?);
        (ok && h < 24 && m < 60).then(|| SimDuration::from_secs(h * 3600 + m * 60))
    });
    parsed.ok_or_else(|| {
        f.issue(format!(
            "{} must be a time of day \"HH:MM\" from \"00:00\" to \"23:59\", found \"{s}\"",
            f.what
        ))
    })
}

/// 24 hourly weights, normalised so that their mean is 1.
fn hourly_profile(f: &Field<'_>) -> Read<[f64; 24]> {
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

/// `[trt]`: Target Response Time overrides by SR number; every SR gets its default first.
fn read_trt(t: Option<&Table<'_>>) -> Read<BTreeMap<SrType, SimDuration>> {
    let mut trt: BTreeMap<SrType, SimDuration> =
        SrType::ALL.iter().map(|&s| (s, s.default_trt())).collect();
    let Some(t) = t else {
        return Ok(trt);
    };
    let numbers: Vec<&str> = SrType::ALL.iter().map(|s| s.number()).collect();
    for key in t.keys() {
        let f = t.get(key).expect("key listed by the table");
        if let toml::Value::Table(_) = f.value {
            // `4.1.1 = "30s"` unquoted is the dotted key 4 → 1 → 1: rebuild what was meant.
            let mut number = key.to_string();
            let mut value = f.value;
            while let toml::Value::Table(inner) = value {
                let Some((k, v)) = inner.iter().next().filter(|_| inner.len() == 1) else {
                    break;
                };
                number = format!("{number}.{k}");
                value = v;
            }
            let value = match value {
                toml::Value::String(s) => s.clone(),
                _ => "30s".to_string(),
            };
            return Err(Issue {
                path: f.path.clone(),
                on_key: true,
                scope: None,
                message: format!(
                    "SR numbers in [trt] contain dots, so they must be quoted: write \
                     \"{number}\" = \"{value}\" (on the command line: \
                     --set 'trt.\"{number}\"={value}')"
                ),
            });
        }
        let Some(sr) = SrType::from_number(key) else {
            let hint =
                suggest(key, &numbers).map_or(String::new(), |n| format!("did you mean \"{n}\"? "));
            return Err(Issue {
                path: f.path.clone(),
                on_key: true,
                scope: None,
                message: format!(
                    "unknown SR number \"{key}\" in [trt]; {hint}the Service Requests modelled \
                     are {}",
                    sr_list()
                ),
            });
        };
        trt.insert(sr, f.positive_duration()?);
    }
    Ok(trt)
}
