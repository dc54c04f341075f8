//! What a scenario says about the DCC under load: priority classes in the DSP and CSP queues
//! (`[priority]`, SECMP0028), SR throttling per User above an operating threshold
//! (`[throttle]`, SECMP0067), and how Users retry refused or unanswered SRs (`[retry]`). Each
//! section is optional; without it the world behaves as before (one FIFO, no throttling, no
//! retries).

use super::defaults;
use super::read::{error, on_key, one_of, WHAT};
use crate::sr::{Category, ResponseCode, SrType};
use dccsim_sim::SimDuration;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// The three sections together, as the world builder takes them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrafficManagement {
    pub priority: Option<Priority>,
    pub throttle: Option<Throttle>,
    pub retry: Option<Retry>,
}

/// The highest priority class a scenario may name (classes are 0..=`MAX_CLASS`).
pub const MAX_CLASS: u8 = 7;

/// `[priority]` (SECMP0028): the class of each SR in the DSP's and CSPs' queues. A free worker
/// takes the oldest request of the highest class waiting; with `preemption`, an arrival that finds
/// every worker busy interrupts the lowest class in service below its own.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Priority {
    /// `false` turns the section off (one FIFO again) without deleting it: `--set
    /// priority.enabled=false`.
    #[serde(deserialize_with = "crate::config::read::boolean")]
    pub enabled: bool,
    /// Class of critical SRs (transformed and signed: tariffs, load control).
    #[serde(deserialize_with = "class")]
    pub critical: u8,
    /// Class of on-demand SRs.
    #[serde(deserialize_with = "class")]
    pub on_demand: u8,
    /// Class of DCC-scheduled SRs (the overnight daily reads).
    #[serde(deserialize_with = "class")]
    pub scheduled: u8,
    /// Classes of single SRs, overriding their category's: `sr = { "4.1.1" = 2 }`.
    #[serde(deserialize_with = "sr_classes")]
    pub sr: BTreeMap<SrType, u8>,
    /// Share of premises whose customers pay in advance (SECMP0032): their on-demand and critical
    /// SRs take the class `prepayment`.
    #[serde(deserialize_with = "crate::config::read::share")]
    pub prepayment_share: f64,
    /// The class of prepayment customers' on-demand and critical SRs.
    #[serde(deserialize_with = "class")]
    pub prepayment: u8,
    /// Preemptive resume in the DSP's and CSPs' workers (off by default).
    #[serde(deserialize_with = "crate::config::read::boolean")]
    pub preemption: bool,
}

impl Default for Priority {
    fn default() -> Self {
        Priority {
            enabled: true,
            critical: defaults::PRIORITY_CRITICAL,
            on_demand: defaults::PRIORITY_ON_DEMAND,
            scheduled: defaults::PRIORITY_SCHEDULED,
            sr: BTreeMap::new(),
            prepayment_share: 0.0,
            prepayment: defaults::PRIORITY_PREPAYMENT,
            preemption: false,
        }
    }
}

impl Priority {
    /// The class of `sr`: its own if written, else its category's.
    pub fn class_of(&self, sr: SrType) -> u8 {
        self.sr.get(&sr).copied().unwrap_or(match sr.category() {
            Category::Critical => self.critical,
            Category::OnDemand => self.on_demand,
            Category::DccScheduled => self.scheduled,
        })
    }
}

/// `[throttle]` (SECMP0067): while the DSP's queue holds at least `queue_threshold` requests
/// (its operating threshold), each User may start at most `allocation` SRs per `window`; the
/// rest are refused (E90) or deferred to the User's next window.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Throttle {
    /// `false` turns throttling off without deleting the section: `--set throttle.enabled=false`.
    #[serde(deserialize_with = "crate::config::read::boolean")]
    pub enabled: bool,
    /// DSP queue length (requests waiting for a worker) at which throttling is on.
    #[serde(deserialize_with = "crate::config::read::count::<_, 0, { u32::MAX }>")]
    pub queue_threshold: u32,
    /// SRs a User may start per window while throttling is on (counting all it started in the
    /// window).
    #[serde(deserialize_with = "crate::config::read::count::<_, 1, { u32::MAX }>")]
    pub allocation: u32,
    /// The allocation's window: fixed windows from time zero.
    #[serde(deserialize_with = "crate::config::read::positive_duration")]
    pub window: SimDuration,
    /// What happens to an SR over the allocation.
    #[serde(deserialize_with = "throttle_action")]
    pub action: ThrottleAction,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            enabled: true,
            queue_threshold: defaults::THROTTLE_QUEUE_THRESHOLD,
            allocation: defaults::THROTTLE_ALLOCATION,
            window: defaults::THROTTLE_WINDOW,
            action: ThrottleAction::Refuse,
        }
    }
}

/// What the DSP does with an SR over its User's allocation.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ThrottleAction {
    /// Answer at once with E90 (the User may retry, see `[retry]`).
    Refuse,
    /// Hold it until the User's next window starts, then admit it as if it arrived then.
    Defer,
}

impl ThrottleAction {
    pub fn name(self) -> &'static str {
        match self {
            ThrottleAction::Refuse => "refused",
            ThrottleAction::Defer => "deferred",
        }
    }
}

/// `[retry]`: how every supplier retries the SRs of its traffic streams that are refused with one
/// of the codes `on`, or unanswered after `timeout`. Latency still counts from the first attempt.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Retry {
    /// How the wait between attempts grows (`none`: no retries).
    #[serde(deserialize_with = "backoff")]
    pub policy: Backoff,
    /// The fixed wait, or exponential backoff's first wait (doubling at each further retry).
    #[serde(deserialize_with = "crate::config::read::positive_duration")]
    pub delay: SimDuration,
    /// The longest wait backoff grows to.
    #[serde(deserialize_with = "crate::config::read::positive_duration")]
    pub max_delay: SimDuration,
    /// Each wait is drawn uniformly between (1 − jitter) × the wait and the wait (0: none).
    #[serde(deserialize_with = "crate::config::read::share")]
    pub jitter: f64,
    /// Attempts in all, the first included.
    #[serde(deserialize_with = "crate::config::read::count::<_, 1, 100>")]
    pub max_attempts: u32,
    /// How long the User waits for an answer before counting the attempt failed (none: it waits
    /// for ever).
    #[serde(deserialize_with = "some_timeout")]
    pub timeout: Option<SimDuration>,
    /// Response codes the User retries.
    #[serde(deserialize_with = "retried_codes")]
    pub on: Vec<ResponseCode>,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            policy: Backoff::None,
            delay: defaults::RETRY_DELAY,
            max_delay: defaults::RETRY_MAX_DELAY,
            jitter: defaults::RETRY_JITTER,
            max_attempts: defaults::RETRY_MAX_ATTEMPTS,
            timeout: None,
            on: vec![ResponseCode::E90],
        }
    }
}

impl Retry {
    /// Whether the User retries at all.
    pub fn is_on(&self) -> bool {
        self.policy != Backoff::None && self.max_attempts > 1
    }

    /// The wait before attempt `next` (2 for the first retry), before jitter.
    pub fn wait_before(&self, next: u32) -> SimDuration {
        let us = match self.policy {
            Backoff::None | Backoff::Fixed => self.delay.as_micros(),
            Backoff::Exponential => {
                let doublings = next.saturating_sub(2).min(40);
                self.delay.as_micros().saturating_mul(1u64 << doublings)
            }
        };
        SimDuration::from_micros(us.min(self.max_delay.as_micros()))
    }
}

/// How the wait between attempts grows.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Backoff {
    /// No retries.
    None,
    /// The same wait before every retry.
    Fixed,
    /// The wait doubles at every retry, up to `max_delay`.
    Exponential,
}

/// `policy = "none"`, `"fixed"` or `"exponential"`.
fn backoff<'de, D: Deserializer<'de>>(d: D) -> Result<Backoff, D::Error> {
    one_of(
        d,
        "retry policy",
        &["none", "fixed", "exponential"],
        |s| match s {
            "none" => Some(Backoff::None),
            "fixed" => Some(Backoff::Fixed),
            "exponential" => Some(Backoff::Exponential),
            _ => None,
        },
    )
}

/// A class number, 0 to [`MAX_CLASS`].
fn class<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    crate::config::read::int_in(d, 0, i64::from(MAX_CLASS)).map(|n| n as u8)
}

/// `{ "4.1.1" = 2, … }`: SR numbers (quoted) to classes.
fn sr_classes<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<SrType, u8>, D::Error> {
    let raw: BTreeMap<String, toml::Value> = BTreeMap::deserialize(d)?;
    let numbers: Vec<&str> = SrType::ALL.iter().map(|s| s.number()).collect();
    let mut out = BTreeMap::new();
    for (key, value) in raw {
        let Some(sr) = SrType::from_number(&key) else {
            let hint = crate::config::read::suggest(&key, &numbers)
                .map_or(String::new(), |n| format!("did you mean \"{n}\"? "));
            return Err(on_key(
                &key,
                format_args!(
                    "unknown SR \"{key}\"; {hint}SR numbers contain dots, so quote them: \
                     sr = {{ \"4.1.1\" = 2 }}"
                ),
            ));
        };
        let class = match value {
            toml::Value::Integer(n) if (0..=i64::from(MAX_CLASS)).contains(&n) => n as u8,
            other => {
                return Err(super::read::below(
                    &key,
                    format_args!(
                        "the class of SR {key} must be a whole number from 0 to {MAX_CLASS}, \
                         found {other}"
                    ),
                ))
            }
        };
        out.insert(sr, class);
    }
    Ok(out)
}

/// `action = "refuse"` or `"defer"`.
fn throttle_action<'de, D: Deserializer<'de>>(d: D) -> Result<ThrottleAction, D::Error> {
    one_of(d, "throttle action", &["refuse", "defer"], |s| match s {
        "refuse" => Some(ThrottleAction::Refuse),
        "defer" => Some(ThrottleAction::Defer),
        _ => None,
    })
}

/// `timeout = "2min"`: a positive duration.
fn some_timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SimDuration>, D::Error> {
    crate::config::read::positive_duration(d).map(Some)
}

/// `on = ["E90", "E21"]`: refusal codes (not I0 or I99).
fn retried_codes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ResponseCode>, D::Error> {
    let names: Vec<String> = Vec::deserialize(d)?;
    let refusals: Vec<&str> = ResponseCode::ALL
        .iter()
        .filter(|c| c.is_refusal())
        .map(|c| c.code())
        .collect();
    let mut codes = Vec::new();
    for name in names {
        match ResponseCode::from_code(&name).filter(|c| c.is_refusal()) {
            Some(code) => codes.push(code),
            None => {
                let hint = crate::config::read::suggest(&name, &refusals)
                    .map_or(String::new(), |n| format!("did you mean \"{n}\"? "));
                return Err(error(format_args!(
                    "{WHAT}: \"{name}\" is not a refusal code; {hint}the codes a User can retry \
                     are {}",
                    refusals.join(", ")
                )));
            }
        }
    }
    Ok(codes)
}
