//! Device alerts: unsolicited messages a device raises and the DCC carries to the User whose role
//! the alert names, on the SRs' path upstream — meter → HAN → hub → WAN → CSP head-end → DSP →
//! User — sharing the CSPs' and the DSP's workers with Service Requests. Routine alerts come from
//! per-device rates ([`source`]); power outages ([`storm`]) make every affected meter alert at
//! once; SECMP0062 protection ([`protection`]) holds, samples or sheds alerts at the DSP above a
//! configured rate.
//!
//! Conservation: `alert.raised{class}` = `alert.delivered{class}` + `alert.shed{class}` +
//! `alert.in_flight` (checked at the end of every run).

pub mod config;
pub mod dcc;
pub mod lead;
pub mod protection;
pub mod source;
pub mod storm;

use crate::ids::Kinds;
use crate::msg::Msg;
pub use crate::msg::{Alert, AlertStage as Stage};
use crate::region::Region;
use crate::shared::Core;
use config::class::{Recipient, CLASSES};
use config::{AlertConfig, OnStorm};
use dccsim_sim::{metric_name, ActorId, CounterId, Ctx, FlowId, GaugeId, Metrics, SimTime};

/// One class's handles.
#[derive(Debug)]
struct ClassIds {
    /// `alert.raised{class}`.
    raised: CounterId,
    delivered: CounterId,
    shed: CounterId,
    /// `alert.held{class}`: alerts protection held for the rate (a `"hold"` class only).
    held: Option<CounterId>,
    /// `alert.e2e{class,region}`: from the device to its recipient.
    e2e: [FlowId; 3],
}

/// The alert feature's metric handles and routing facts, read by every actor on the path.
#[derive(Debug)]
pub struct AlertShared {
    /// Each class's handles, by class index (`None` for a class the scenario never raises).
    classes: Vec<Option<ClassIds>>,
    /// `alert.in_flight`: raised, not yet delivered or shed.
    pub in_flight: GaugeId,
    /// Each premises' supplier (DCC User index).
    pub supplier_of: Vec<u16>,
    /// The Network Operator User that receives Network Operator alerts: the DNO when the
    /// scenario has one (`[ev]`), else the DCC-side stand-in ([`Kinds::alert_source`]).
    pub network_operator: ActorId,
}

impl AlertShared {
    /// Registers the feature's metrics for the classes `config` raises (only when alerts are
    /// modelled: a run without them writes nothing of theirs).
    pub fn register(
        m: &mut Metrics,
        config: &AlertConfig,
        supplier_of: Vec<u16>,
        network_operator: ActorId,
    ) -> Self {
        let classes = CLASSES
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if !config.raises(i as u8) {
                    return None;
                }
                let name = |metric: &str| metric_name(metric, &[("class", c.name)]);
                Some(ClassIds {
                    raised: m.counter(name("alert.raised")),
                    delivered: m.counter(name("alert.delivered")),
                    shed: m.counter(name("alert.shed")),
                    held: (config.protection.is_some()
                        && config.on_storm(i as u8) == OnStorm::Hold)
                        .then(|| m.counter(name("alert.held"))),
                    e2e: Region::ALL.map(|r| {
                        let labels = [("class", c.name), ("region", r.name())];
                        m.flow(metric_name("alert.e2e", &labels), None)
                    }),
                })
            })
            .collect();
        AlertShared {
            classes,
            in_flight: m.gauge("alert.in_flight".into()),
            supplier_of,
            network_operator,
        }
    }

    /// Whether the run raises alerts of `class` (an `[[alert]]` or an outage names it).
    #[inline]
    pub fn raises(&self, class: u8) -> bool {
        self.classes[class as usize].is_some()
    }

    #[inline]
    fn class(&self, class: u8) -> &ClassIds {
        self.classes[class as usize]
            .as_ref()
            .expect("only the scenario's classes are raised")
    }

    /// The actor of the User `alert` is for.
    pub fn recipient(&self, alert: &Alert) -> ActorId {
        match CLASSES[alert.class as usize].recipient {
            Recipient::Supplier => Kinds::supplier(self.supplier_of[alert.premises as usize]),
            Recipient::NetworkOperator => self.network_operator,
            Recipient::Sender => {
                unreachable!("the DCC sends its own alerts to their User directly")
            }
        }
    }
}

/// A device raises `alert`: counted, and in flight until delivered or shed.
pub fn raise(alert: &Alert, shared: &AlertShared, ctx: &mut Ctx<'_, Msg>) {
    ctx.count(shared.class(alert.class).raised, 1);
    ctx.gauge_add(shared.in_flight, 1);
}

/// A device raises `alert` as of `at` (now or later: the source acts ahead, see [`lead`]):
/// counted, and in flight until delivered or shed, from `at` on.
pub fn raise_at(alert: &Alert, shared: &AlertShared, at: SimTime, ctx: &mut Ctx<'_, Msg>) {
    ctx.count_at(shared.class(alert.class).raised, 1, at);
    ctx.gauge_add_at(shared.in_flight, 1, at);
}

/// `alert` reaches its recipient User: counted and timed from the device.
pub fn deliver(alert: Alert, core: &Core, ctx: &mut Ctx<'_, Msg>) {
    let shared = core.alerts();
    let region = core.region_of(alert.premises).index();
    let ids = shared.class(alert.class);
    ctx.count(ids.delivered, 1);
    ctx.record(ids.e2e[region], ctx.now().since(alert.raised));
    ctx.gauge_add(shared.in_flight, -1);
}

/// The DSP's protection holds `alert` for the rate: still in flight, counted.
pub fn hold(alert: &Alert, shared: &AlertShared, ctx: &mut Ctx<'_, Msg>) {
    let held = shared.class(alert.class).held;
    ctx.count(held.expect("only a \"hold\" class is held"), 1);
}

/// The DSP's protection sheds `alert`.
pub fn shed(alert: &Alert, shared: &AlertShared, ctx: &mut Ctx<'_, Msg>) {
    ctx.count(shared.class(alert.class).shed, 1);
    ctx.gauge_add(shared.in_flight, -1);
}
