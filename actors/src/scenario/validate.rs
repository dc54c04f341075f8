//! From the parsed TOML tree to a validated [`Scenario`]: the schema, its defaults and its rules.

use super::de::{self, Raw};
use super::inventory::{InstallFile, ModelFile};
use super::model::*;
use super::reader::{list, number, suggest, Issue, Read, Seg};
use super::values::hourly_profile;
use crate::calendar::Date;
use crate::config::defaults;
use crate::config::read::{self, WHAT};
use crate::config::*;
use crate::dist::Dist;
use crate::han::config::Han;
use crate::region::{Region, RegionMap, Technology};
use crate::sr::{DeviceType, Role, SrType};
use crate::units::Bandwidth;
use dccsim_sim::SimDuration;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::fmt;

/// A scenario file as written: each section read through serde by the type it becomes (or, where
/// the file's shape differs, by a reader named beside it). Sections marked `IgnoredAny` are still
/// read from the tree by their own modules (hence `dead_code`: serde only checks they are there).
#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    scenario: Head,
    population: Population,
    #[serde(default)]
    supplier: Vec<Supplier>,
    #[serde(default = "Dsp::default", deserialize_with = "dsp")]
    dsp: Dsp,
    #[serde(default = "default_csps", deserialize_with = "csps")]
    csp: RegionMap<Csp>,
    #[serde(default)]
    han: Han,
    #[serde(default)]
    devices: Devices,
    #[serde(default)]
    traffic: Vec<TrafficFile>,
    #[serde(default = "default_trt", deserialize_with = "trt")]
    trt: BTreeMap<SrType, SimDuration>,
    sweep: Option<super::sweep::SweepFile>,
    #[serde(default, deserialize_with = "super::expect::entries")]
    expect: Vec<super::expect::Expectation>,
    #[serde(default)]
    device_model: Vec<ModelFile>,
    #[serde(default)]
    install: Vec<InstallFile>,
    cpl: Option<super::cpl::CplFile>,
    #[serde(default)]
    cpl_entry: Vec<super::cpl::EntryFile>,
    #[serde(default)]
    timeline: Vec<super::cpl::EventFile>,
    ev: Option<super::ev::Chargers>,
    feeders: Option<super::ev::Feeders>,
    demand: Option<super::ev::Demand>,
    dno: Option<super::ev::DnoFile>,
    firmware: Option<super::firmware::SectionFile>,
    #[serde(default)]
    firmware_image: Vec<super::firmware::ImageFile>,
    #[serde(default)]
    firmware_campaign: Vec<super::firmware::CampaignFile>,
    smets1: Option<crate::smets1::config::Service>,
    #[serde(default)]
    migration: Vec<super::smets1::MigrationFile>,
    #[serde(default)]
    smets1_fleet: Vec<super::smets1::FleetFile>,
    priority: Option<crate::config::traffic_management::Priority>,
    throttle: Option<crate::config::traffic_management::Throttle>,
    retry: Option<crate::config::traffic_management::Retry>,
    alerts: Option<super::alert::AlertsFile>,
    #[serde(default)]
    alert: Vec<super::alert::ClassFile>,
    #[serde(default)]
    event: Vec<super::alert::EventFile>,
}

/// `[scenario]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Head {
    #[serde(deserialize_with = "scenario_name")]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(deserialize_with = "seed")]
    seed: u64,
    #[serde(deserialize_with = "run_duration")]
    duration: SimDuration,
    #[serde(default = "start_date", deserialize_with = "calendar_date")]
    start_date: String,
    #[serde(default = "sample_interval", deserialize_with = "sampling")]
    sample_interval: SimDuration,
}

/// `duration`: longer than zero, at most [`defaults::MAX_RUN_DURATION`].
fn run_duration<'de, D: Deserializer<'de>>(d: D) -> Result<SimDuration, D::Error> {
    let t = de::positive_duration(d)?;
    let max = defaults::MAX_RUN_DURATION;
    if t > max {
        return Err(read::error(format_args!(
            "{WHAT} is {t}, longer than {max} (ten years), the longest run dccsim takes"
        )));
    }
    Ok(t)
}

/// `sample_interval`: at least [`defaults::MIN_SAMPLE_INTERVAL`].
fn sampling<'de, D: Deserializer<'de>>(d: D) -> Result<SimDuration, D::Error> {
    let t = de::positive_duration(d)?;
    let min = defaults::MIN_SAMPLE_INTERVAL;
    if t < min {
        return Err(read::error(format_args!(
            "{WHAT} is {t}, shorter than {min}; gauges are sampled at most once a second"
        )));
    }
    Ok(t)
}

fn start_date() -> String {
    defaults::START_DATE.to_string()
}

fn sample_interval() -> SimDuration {
    defaults::SAMPLE_INTERVAL
}

fn seed<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    read::int_in(d, 0, i64::MAX).map(|n| n as u64)
}

/// Reads the whole document. `resolved_toml` is its text, kept in the result.
pub(crate) fn scenario(doc: &toml::Table, resolved_toml: String) -> Read<Scenario> {
    let file: File = de::from_value(&toml::Value::Table(doc.clone()), &[])?;

    let Head {
        name,
        description,
        seed,
        duration,
        start_date,
        sample_interval,
    } = file.scenario;
    let population = file.population;
    let suppliers = check_suppliers(file.supplier, doc.contains_key("supplier"))?;
    let traffic = file
        .traffic
        .into_iter()
        .enumerate()
        .map(|(i, t)| traffic_stream(t, i, &suppliers))
        .collect::<Read<Vec<_>>>()?;
    let sweep = super::sweep::check(file.sweep)?;
    let installs = super::inventory::installs(file.install, &suppliers, &population, duration)?;
    let written_models = file.device_model.len();
    let mut device_models = super::inventory::device_models(file.device_model)?;
    let start = Date::parse(&start_date).expect("a checked calendar date");
    let cpl = super::cpl::check(
        file.cpl,
        file.cpl_entry,
        file.timeline,
        &super::cpl::model_facts(&device_models),
        start,
    )?;
    super::cpl::list_models(&mut device_models, &cpl);
    super::cpl_coverage::every_described_model_has_an_entry(written_models, &device_models, &cpl)?;
    let ev = super::ev::check(file.ev, file.feeders, file.demand, file.dno)?;
    if let Some(ev) = &ev {
        // Every charger's load-control device is a Device Model on the SMI.
        super::inventory::ensure_model(&mut device_models, ev.device_model_type());
    }
    // So is every PPMID and HCALCS an installation wave fits.
    super::inventory::ensure_joiner_models(&mut device_models, &installs);
    let firmware = super::firmware::check(
        file.firmware,
        file.firmware_image,
        file.firmware_campaign,
        &suppliers,
        &device_models,
        duration,
        start,
    )?;
    let existing = u64::from(population.premises)
        + installs
            .iter()
            .map(|w| u64::from(crate::install::config::premises_in(w)))
            .sum::<u64>();
    let smets1 = super::smets1::check(
        file.smets1,
        file.migration,
        file.smets1_fleet,
        &suppliers,
        &device_models,
        &cpl,
        duration,
        start,
        existing,
    )?;
    let alerts = super::alert::check(file.alerts, file.alert, file.event, duration)?;

    Ok(Scenario {
        name,
        description,
        seed,
        duration,
        start_date,
        sample_interval,
        population,
        suppliers,
        dsp: file.dsp,
        csp: file.csp,
        han: file.han,
        devices: file.devices,
        traffic,
        trt: file.trt,
        device_models,
        installs,
        cpl,
        ev,
        resolved_toml,
        sweep,
        expect: file.expect,
        firmware,
        smets1,
        traffic_management: crate::config::traffic_management::TrafficManagement {
            priority: file.priority.filter(|p| p.enabled),
            throttle: file.throttle.filter(|t| t.enabled),
            retry: file.retry,
        },
        alerts,
    })
}

/// `[scenario] name`: it names output directories, so only a safe set of characters.
fn scenario_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let name = String::deserialize(d)?;
    if name.is_empty() {
        return Err(read::error(format_args!(
            "{WHAT} is empty; give the scenario a name"
        )));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(read::error(format_args!(
            "{WHAT} may only contain letters, digits, `.`, `_` and `-` (it names the output \
             directory), but \"{name}\" contains {c:?}"
        )));
    }
    Ok(name)
}

/// A real calendar date `YYYY-MM-DD`, written as a string or as a TOML date.
fn calendar_date<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    // A TOML date arrives as its text.
    let text = String::deserialize(d)?;
    let bad = || {
        read::error(format_args!(
            "{WHAT} must be a calendar date written YYYY-MM-DD, e.g. \"2026-01-05\"; \"{text}\" \
             is not"
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

const REGION_NAMES: [&str; 3] = ["north", "central", "south"];

fn unknown_region(key: &str, near: Option<&str>, title: &str) -> String {
    let hint = near.map_or(String::new(), |n| format!("did you mean `{n}`? "));
    format!("unknown region `{key}` in {title}; {hint}the DCC regions are north, central and south")
}

/// `[[supplier]]`: at least one, each with its own non-empty name, the shares summing to 1.
/// `written` says whether the file has a `supplier` key at all (an empty list is blamed on it).
fn check_suppliers(suppliers: Vec<Supplier>, written: bool) -> Read<Vec<Supplier>> {
    let list_path = vec![Seg::Key("supplier".into())];
    if suppliers.is_empty() {
        let path = if written {
            list_path.clone()
        } else {
            Vec::new()
        };
        return Err(Issue::at(
            &path,
            "the scenario has no [[supplier]]; add at least one, e.g. \
             [[supplier]] name = \"alpha\" share = 1.0",
        ));
    }
    for (i, s) in suppliers.iter().enumerate() {
        let name_path = [
            list_path.clone(),
            vec![Seg::Index(i), Seg::Key("name".into())],
        ]
        .concat();
        if s.name.trim().is_empty() {
            return Err(Issue::at(
                &name_path,
                "a supplier's `name` must not be empty",
            ));
        }
        if suppliers[..i].iter().any(|o| o.name == s.name) {
            return Err(Issue::at(
                &name_path,
                format!(
                    "there are two suppliers called \"{}\"; each [[supplier]] needs its own name",
                    s.name
                ),
            ));
        }
    }
    let sum: f64 = suppliers.iter().map(|s| s.share).sum();
    if (sum - 1.0).abs() > defaults::SHARE_TOLERANCE {
        let terms: Vec<String> = suppliers
            .iter()
            .map(|s| format!("{} {}", s.name, number(s.share)))
            .collect();
        let first = [list_path.clone(), vec![Seg::Index(0)]].concat();
        return Err(Issue::at(
            &first,
            format!(
                "the supplier shares sum to {}, not 1 ({}); make them add up to 1",
                number(sum),
                terms.join(" + ")
            ),
        )
        .scoped(&list_path));
    }
    Ok(suppliers)
}

/// `[dsp]`: `response_service_time` defaults to whatever `service_time` is.
fn dsp<'de, D: Deserializer<'de>>(d: D) -> Result<Dsp, D::Error> {
    let raw = Raw::deserialize(d)?;
    let mut dsp: Dsp = de::from_value(&raw.value, &raw.path).map_err(de::raise)?;
    if raw.value.get("response_service_time").is_none() {
        dsp.response_service_time = dsp.service_time;
    }
    Ok(dsp)
}

/// `[csp.<region>]` as written: what is left out takes the region's or the technology's default.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CspFile {
    technology: Option<Technology>,
    #[serde(default, deserialize_with = "some_workers")]
    workers: Option<u32>,
    service_time: Option<Dist>,
    latency: Option<Dist>,
    #[serde(default, deserialize_with = "some_duration")]
    latency_floor: Option<SimDuration>,
    dsp_latency: Option<Dist>,
    #[serde(default, deserialize_with = "some_duration")]
    dsp_latency_floor: Option<SimDuration>,
    hub_bandwidth: Option<Bandwidth>,
    wan_capacity: Option<Bandwidth>,
}

fn some_workers<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    read::count::<D, 1, { u32::MAX }>(d).map(Some)
}

fn some_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SimDuration>, D::Error> {
    read::duration(d).map(Some)
}

impl CspFile {
    fn csp(self, region: Region) -> Csp {
        let technology = self
            .technology
            .unwrap_or_else(|| defaults::csp_technology(region));
        Csp {
            technology,
            workers: self.workers.unwrap_or(defaults::CSP_WORKERS),
            service_time: self.service_time.unwrap_or(defaults::CSP_SERVICE_TIME),
            latency: self
                .latency
                .unwrap_or_else(|| defaults::wan_latency(technology)),
            latency_floor: self.latency_floor.unwrap_or(defaults::WAN_LATENCY_FLOOR),
            dsp_latency: self.dsp_latency.unwrap_or(defaults::DSP_CSP_LATENCY),
            dsp_latency_floor: self
                .dsp_latency_floor
                .unwrap_or(defaults::DSP_CSP_LATENCY_FLOOR),
            hub_bandwidth: self
                .hub_bandwidth
                .unwrap_or_else(|| defaults::hub_bandwidth(technology)),
            wan_capacity: self
                .wan_capacity
                .unwrap_or_else(|| defaults::wan_capacity(technology)),
        }
    }
}

fn default_csps() -> RegionMap<Csp> {
    RegionMap {
        north: CspFile::default().csp(Region::North),
        central: CspFile::default().csp(Region::Central),
        south: CspFile::default().csp(Region::South),
    }
}

/// `[csp]`: a table per region, each optional.
fn csps<'de, D: Deserializer<'de>>(d: D) -> Result<RegionMap<Csp>, D::Error> {
    struct Regions;
    impl<'de> Visitor<'de> for Regions {
        type Value = RegionMap<Csp>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a table")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut csps = default_csps();
            while let Some(key) = map.next_key::<String>()? {
                let Some(region) = Region::ALL.into_iter().find(|r| r.name() == key) else {
                    let near = suggest(&key, &REGION_NAMES);
                    return Err(read::on_key(&key, unknown_region(&key, near, "[csp]")));
                };
                let csp = map.next_value::<CspFile>()?.csp(region);
                match region {
                    Region::North => csps.north = csp,
                    Region::Central => csps.central = csp,
                    Region::South => csps.south = csp,
                }
            }
            Ok(csps)
        }
    }
    d.deserialize_map(Regions)
}

fn sr_list() -> String {
    let srs: Vec<String> = SrType::ALL
        .iter()
        .map(|s| format!("\"{}\" ({})", s.number(), s.title()))
        .collect();
    list(&srs, "and")
}

/// `[[traffic]]` as written: a daily window or a Poisson rate becomes the stream's [`Pattern`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrafficFile {
    #[serde(deserialize_with = "traffic_sr")]
    sr: SrType,
    #[serde(default = "esme", deserialize_with = "meter")]
    device: DeviceType,
    role: Option<Role>,
    #[serde(default, deserialize_with = "window")]
    window: Option<(SimDuration, SimDuration)>,
    #[serde(default, deserialize_with = "rate")]
    per_premises_per_day: Option<f64>,
    /// Read once the pattern is known: it only applies to a Poisson stream.
    hourly: Option<Raw>,
    #[serde(default = "unknown_device_share", deserialize_with = "de::share")]
    unknown_device_share: f64,
    /// The one supplier that sends the stream (every supplier without it).
    supplier: Option<de::At<String>>,
}

fn esme() -> DeviceType {
    DeviceType::Esme
}

fn unknown_device_share() -> f64 {
    defaults::UNKNOWN_DEVICE_SHARE
}

/// `window = { start, length }`.
fn window<'de, D: Deserializer<'de>>(d: D) -> Result<Option<(SimDuration, SimDuration)>, D::Error> {
    crate::config::read::time_window(d).map(Some)
}
/// `per_premises_per_day`: from 0 to [`defaults::MAX_PER_PREMISES_PER_DAY`].
fn rate<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let x = read::non_negative(d)?;
    let max = defaults::MAX_PER_PREMISES_PER_DAY;
    if x > max {
        return Err(read::error(format_args!(
            "{WHAT} is {}, more than {} (one request a second per premises)",
            read::number_text(x),
            read::number_text(max)
        )));
    }
    Ok(Some(x))
}

fn meter<'de, D: Deserializer<'de>>(d: D) -> Result<DeviceType, D::Error> {
    read::one_of(d, "device", &["esme", "gsme"], DeviceType::from_name)
}
/// An SR sent to meters, by number.
fn traffic_sr<'de, D: Deserializer<'de>>(d: D) -> Result<SrType, D::Error> {
    let text = String::deserialize(d)?;
    let sr = SrType::from_number(&text).ok_or_else(|| {
        read::error(format_args!(
            "unknown SR number \"{text}\" in [[traffic]]; the Service Requests modelled are {}",
            sr_list()
        ))
    })?;
    if !sr.addresses(DeviceType::Esme) && !sr.addresses(DeviceType::Gsme) {
        return Err(read::error(format_args!(
            "{} is sent by the DNO to EV chargers (see [dno] policy), not by supplier traffic; \
             [[traffic]] takes the SRs addressed to meters",
            sr.number()
        )));
    }
    Ok(sr)
}

/// The `i`-th `[[traffic]]` stream: exactly one of `window` and `per_premises_per_day`.
fn traffic_stream(t: TrafficFile, i: usize, suppliers: &[Supplier]) -> Read<Traffic> {
    let path = vec![Seg::Key("traffic".into()), Seg::Index(i)];
    let title = "[[traffic]]";
    let pattern = match (t.window, t.per_premises_per_day) {
        (Some(_), Some(_)) => {
            return Err(Issue::at(
                &path,
                format!(
                    "{title} has both `window` and `per_premises_per_day`; give exactly one: a \
                     daily window or a Poisson rate"
                ),
            ))
        }
        (None, None) => {
            return Err(Issue::at(
                &path,
                format!(
                    "{title} needs either `window = {{ start = \"01:00\", length = \"4h\" }}` \
                     (each premises once a day, spread over the window) or \
                     `per_premises_per_day = 0.2` (a Poisson rate)"
                ),
            ))
        }
        (Some((start, length)), None) => {
            if let Some(hourly) = &t.hourly {
                return Err(Issue::at(
                    &hourly.path,
                    format!(
                        "{} only applies with `per_premises_per_day`, not with `window`",
                        de::what_of(&hourly.path)
                    ),
                ));
            }
            Pattern::DailyWindow { start, length }
        }
        (None, Some(per_premises_per_day)) => Pattern::Poisson {
            per_premises_per_day,
            hourly: match &t.hourly {
                Some(raw) => de::read_raw(raw, hourly_profile)?,
                None => defaults::HOURLY,
            },
        },
    };
    let supplier = match t.supplier {
        None => None,
        Some(name) => {
            let names: Vec<&str> = suppliers.iter().map(|s| s.name.as_str()).collect();
            let Some(index) = names.iter().position(|n| *n == name.value) else {
                let hint = suggest(&name.value, &names)
                    .map_or(String::new(), |n| format!("did you mean \"{n}\"? "));
                return Err(Issue::at(
                    &name.path,
                    format!(
                        "`supplier` in {title} names no [[supplier]]: \"{}\"; {hint}the \
                         suppliers are {}",
                        name.value,
                        list(&names, "and")
                    ),
                ));
            };
            Some(index as u16)
        }
    };
    Ok(Traffic {
        sr: t.sr,
        device: t.device,
        role: t.role.unwrap_or_else(|| t.device.supplier_role()),
        pattern,
        unknown_device_share: t.unknown_device_share,
        supplier,
    })
}

fn default_trt() -> BTreeMap<SrType, SimDuration> {
    SrType::ALL.iter().map(|&s| (s, s.default_trt())).collect()
}

/// `[trt]`: Target Response Time overrides by SR number; every SR gets its default first.
fn trt<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<SrType, SimDuration>, D::Error> {
    let raw = Raw::deserialize(d)?;
    read_trt(&raw).map_err(de::raise)
}

fn read_trt(raw: &Raw) -> Read<BTreeMap<SrType, SimDuration>> {
    let toml::Value::Table(table) = &raw.value else {
        let what = de::what_of(&raw.path);
        return Err(de::wrong_type(&raw.path, &what, &raw.value, "a table"));
    };
    let mut trt = default_trt();
    let numbers: Vec<&str> = SrType::ALL.iter().map(|s| s.number()).collect();
    for (key, value) in table {
        let mut path = raw.path.clone();
        path.push(Seg::Key(key.clone()));
        if let toml::Value::Table(_) = value {
            // `4.1.1 = "30s"` unquoted is the dotted key 4 → 1 → 1: rebuild what was meant.
            let mut number = key.to_string();
            let mut value = value;
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
                path,
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
                path,
                on_key: true,
                scope: None,
                message: format!(
                    "unknown SR number \"{key}\" in [trt]; {hint}the Service Requests modelled \
                     are {}",
                    sr_list()
                ),
            });
        };
        let value = Raw {
            path,
            value: value.clone(),
        };
        trt.insert(sr, de::read_raw(&value, read::positive_duration)?);
    }
    Ok(trt)
}
