//! DNO control of EV chargers over LV feeders (SECMP0046).
//!
//! Premises are split, in order, into LV feeders ([`feeder`]); a share of them has an EV charger
//! ([`charger`]) behind its Communications Hub; household load follows a half-hourly profile
//! ([`demand`]). The DNO ([`dno`]) watches every feeder's load and, by policy, sends load-control
//! SRs to chargers through the DCC. Loads are piecewise constant between events, so energy and
//! overload time are integrated exactly: energy in whole watt-microseconds, with
//! `delivered + unmet at departure + still wanted at the end = requested` checked at the end.

pub mod charger;
pub mod config;
pub mod demand;
pub mod dno;
pub mod feeder;

pub use crate::msg::{ChargerTimer, DnoTimer};
pub use charger::Charger;
pub use dno::Dno;

use crate::ev::config::Ev;
use crate::ids::Kinds;
use crate::msg::Msg;
use crate::population::ChargerIndex;
use crate::sr::{DeviceType, Role, SrType};
use crate::streams::Builder;
use charger::WUS_PER_KWH;
use dccsim_sim::{metric_name, CounterId, FlowId, GaugeId, Kernel, SimDuration, SimTime};
use feeder::Feeder;
use rand_distr::{Distribution, StandardNormal};

/// Whether the scenario lets `role` send `sr` beyond DUIS's own table: SECMP0046 grants the ED
/// role the load-control SRs when `[dno] secmp0046 = true`.
pub fn grants(secmp0046: bool, sr: SrType, role: Role) -> bool {
    secmp0046
        && role == Role::ED
        && (sr.addresses(DeviceType::Hcalcs) || sr.addresses(DeviceType::Apc))
}

/// What a DNO command does, for `dno.commands{kind}` and `dno.refused{kind}`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// 7.6: switch a charger off.
    Curtail,
    /// 7.5: switch it back on.
    Restore,
    /// 7.13: set its power limit.
    Limit,
    /// 7.12: set its randomised offset limit.
    Offset,
    /// 4.1.1: read a premises' meter (meter-read monitoring).
    Read,
}

impl Command {
    const ALL: [Command; 5] = [
        Command::Curtail,
        Command::Restore,
        Command::Limit,
        Command::Offset,
        Command::Read,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Command::Curtail => "curtail",
            Command::Restore => "restore",
            Command::Limit => "limit",
            Command::Offset => "offset",
            Command::Read => "read",
        }
    }

    pub fn of(sr: SrType) -> Command {
        match sr {
            SrType::DeactivateAuxiliaryLoad => Command::Curtail,
            SrType::ActivateAuxiliaryLoad => Command::Restore,
            SrType::SetApcLimit => Command::Limit,
            SrType::SetRandomisedOffsetLimit => Command::Offset,
            SrType::ReadInstantaneousImport => Command::Read,
            other => unreachable!("the DNO does not send {other}"),
        }
    }
}

/// Metric handles of the EV feature.
#[derive(Debug)]
pub struct EvIds {
    pub sessions: CounterId,
    pub unmet_sessions: CounterId,
    pub commands: [CounterId; 5],
    pub refused: [CounterId; 5],
    /// `dno.control`: from the DNO's decision to the charger acting on it.
    pub control: FlowId,
    /// `feeders.overloaded`: feeders above their rating now.
    pub overloaded: GaugeId,
}

/// What the EV feature's actors read: its configuration, where the chargers are, and its
/// metric handles. Exists only when the scenario has `[ev]`.
#[derive(Debug)]
pub struct EvShared {
    pub config: Ev,
    /// `[scenario] start_date`: off-peak hours are wall-clock hours.
    pub start_date: String,
    ids: EvIds,
}

impl EvShared {
    pub fn ids(&self) -> &EvIds {
        &self.ids
    }
}

/// The EV feature: its read-only part and its actors.
#[derive(Debug)]
pub struct EvWorld {
    pub shared: EvShared,
    pub dnos: Vec<Dno>,
    pub chargers: Vec<Charger>,
}

/// Draws reserved per premises and per feeder, so one's draws never depend on another's.
const DRAWS_PER_PREMISES: u64 = 16;
const DRAWS_PER_FEEDER: u64 = 2;

impl EvWorld {
    /// Splits the population's `n` premises into feeders, places chargers and registers the
    /// metrics. `suppliers`: DCC User numbers up to it are suppliers' (the DNO's comes after);
    /// `control_trt`: the Target Response Time of the control SR.
    pub fn build(
        ev: &Ev,
        n: u32,
        suppliers: u16,
        control_trt: SimDuration,
        start_date: &str,
        kernel: &mut Kernel<Msg>,
    ) -> (EvWorld, ChargerIndex) {
        let (lo, hi) = ev.feeders.customers;
        let sigma = ev.demand.variation;
        let mut feeders = Vec::new();
        let mut chargers = Vec::new();
        let mut charger_premises = Vec::new();
        let mut charger_feeder = Vec::new();
        let mut scales = Vec::with_capacity(n as usize);
        let mut first = 0u32;
        while first < n {
            let f = feeders.len() as u32;
            let mut draws = f as u64 * DRAWS_PER_FEEDER;
            let mut rng = kernel.builder_rng(Builder::EvFeeders.purpose(), &mut draws);
            let customers = lo + rng.below((hi - lo + 1) as u64) as u32;
            let r = &ev.feeders.rating_kw;
            let rating_w = ((r.min + rng.uniform() * (r.max - r.min)) * 1000.0).round() as u64;
            let end = first.saturating_add(customers).min(n);
            let first_charger = chargers.len() as u32;
            let mut scale_sum = 0.0;
            for p in first..end {
                let mut draws = p as u64 * DRAWS_PER_PREMISES;
                let mut rng = kernel.builder_rng(Builder::EvPremises.purpose(), &mut draws);
                let has_ev = rng.chance(ev.chargers.uptake);
                let fast = rng.chance(ev.chargers.fast_share);
                let z: f64 = StandardNormal.sample(&mut rng);
                // Log-normal with mean 1: exp(σZ − σ²/2).
                let scale = libm::exp(sigma * z - sigma * sigma / 2.0);
                scale_sum += scale;
                scales.push(scale);
                if has_ev {
                    chargers.push(Charger::new(p, f, if fast { 7400 } else { 3700 }));
                    charger_premises.push(p);
                    charger_feeder.push(f);
                }
            }
            feeders.push(Feeder::new(
                rating_w,
                scale_sum,
                first..end,
                first_charger..chargers.len() as u32,
            ));
            first = end;
        }

        let m = &mut kernel.metrics;
        // The most stressed feeders (household peak plus every charger at full power, over the
        // rating) get a load series; ties go to the lower index.
        let peak_kw = ev.demand.profile_kw.iter().copied().fold(0.0, f64::max);
        let mut stress: Vec<(f64, usize)> = feeders
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let ev_w: u64 = f
                    .chargers
                    .clone()
                    .map(|c| chargers[c as usize].rated_w as u64)
                    .sum();
                let load = peak_kw * 1000.0 * f.scale_sum + ev_w as f64;
                (load / f.rating_w as f64, i)
            })
            .collect();
        stress.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, i) in stress.iter().take(ev.feeders.series as usize) {
            feeders[i].series =
                Some(m.gauge(metric_name("feeder.load_kw", &[("feeder", &i.to_string())])));
        }
        let per_kind = |m: &mut dccsim_sim::Metrics, name: &str| {
            Command::ALL.map(|k| m.counter(metric_name(name, &[("kind", k.name())])))
        };
        let ids = EvIds {
            sessions: m.counter("ev.sessions".into()),
            unmet_sessions: m.counter("ev.unmet_sessions".into()),
            commands: per_kind(m, "dno.commands"),
            refused: per_kind(m, "dno.refused"),
            control: m.flow("dno.control".into(), Some(control_trt)),
            overloaded: m.gauge("feeders.overloaded".into()),
        };
        kernel.ensure_actors(Kinds::DNO, 1);
        kernel.ensure_actors(Kinds::CHARGER, chargers.len() as u32);
        let shared = EvShared {
            config: ev.clone(),
            start_date: start_date.to_string(),
            ids,
        };
        let dno = Dno::new(suppliers, feeders, charger_feeder, scales);
        let world = EvWorld {
            shared,
            dnos: vec![dno],
            chargers,
        };
        (world, ChargerIndex(charger_premises))
    }

    /// Seeds the first events: every charger's plug-in, the DNO's set-up and demand steps.
    pub fn start(&mut self, kernel: &mut Kernel<Msg>) {
        let ev = &self.shared.config;
        for (i, charger) in self.chargers.iter_mut().enumerate() {
            charger.start(ev, &mut kernel.ctx_for(Kinds::charger(i as u32)));
        }
        for i in 0..self.dnos.len() {
            let mut ctx = kernel.ctx_for(Kinds::dno(i as u16));
            ctx.wake_after(dccsim_sim::SimDuration::ZERO, Msg::Dno(DnoTimer::Setup));
            ctx.wake_after(dccsim_sim::SimDuration::ZERO, Msg::Dno(DnoTimer::HalfHour));
            if ev.srs().contains(&SrType::ReadInstantaneousImport) {
                ctx.wake_after(dccsim_sim::SimDuration::ZERO, Msg::Dno(DnoTimer::ReadRound));
            }
        }
    }

    /// Settles energy and overload time up to `end` and writes the end-of-run scalars.
    pub fn finish(&mut self, kernel: &mut Kernel<Msg>, end: SimTime) {
        let (mut requested, mut delivered, mut unmet, mut pending) = (0u128, 0u128, 0u128, 0u128);
        for c in &mut self.chargers {
            if c.session_open() {
                c.settle(end);
            }
            requested += c.requested as u128;
            delivered += c.delivered as u128;
            unmet += c.unmet as u128;
            pending += c.pending() as u128;
        }
        assert_eq!(
            requested,
            delivered + unmet + pending,
            "EV energy is conserved: requested = delivered + unmet at departure + still wanted"
        );
        let kwh = |wus: u128| wus as f64 / WUS_PER_KWH;
        let m = &mut kernel.metrics;
        m.set_scalar("ev.energy_requested_kwh".into(), kwh(requested));
        m.set_scalar("ev.energy_delivered_kwh".into(), kwh(delivered));
        m.set_scalar("ev.energy_unmet_kwh".into(), kwh(unmet));
        m.set_scalar("ev.energy_still_wanted_kwh".into(), kwh(pending));

        let feeders: Vec<&Feeder> = self.dnos.iter().flat_map(|d| &d.feeders).collect();
        let mut minutes: Vec<f64> = feeders
            .iter()
            .map(|f| f.overload_until(end) as f64 / 60e6)
            .collect();
        minutes.sort_by(f64::total_cmp);
        let n = minutes.len();
        let rank = |q: f64| minutes[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
        m.set_scalar("feeder.overload_minutes.total".into(), minutes.iter().sum());
        m.set_scalar("feeder.overload_minutes.p50".into(), rank(0.5));
        m.set_scalar("feeder.overload_minutes.p90".into(), rank(0.9));
        m.set_scalar("feeder.overload_minutes.max".into(), minutes[n - 1]);
        let overloaded = minutes.iter().filter(|&&x| x > 0.0).count();
        m.set_scalar("feeders.count".into(), n as f64);
        m.set_scalar(
            "feeders.overloaded_share".into(),
            overloaded as f64 / n as f64,
        );
        let ratio = |w: u64, f: &Feeder| w as f64 / f.rating_w as f64;
        let peak = feeders
            .iter()
            .map(|f| ratio(f.peak_w, f))
            .fold(0.0, f64::max);
        let rebound = feeders
            .iter()
            .map(|f| ratio(f.rebound_peak_w, f))
            .fold(0.0, f64::max);
        m.set_scalar("feeder.peak_load_ratio.max".into(), peak);
        m.set_scalar("dno.rebound_peak_ratio.max".into(), rebound);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_control_srs_are_the_import_suppliers_alone_in_todays_duis() {
        let control = [
            SrType::ActivateAuxiliaryLoad,
            SrType::DeactivateAuxiliaryLoad,
            SrType::SetRandomisedOffsetLimit,
            SrType::SetApcLimit,
        ];
        for sr in control {
            assert!(sr.allows(Role::IS), "{sr}");
            assert!(!sr.allows(Role::ED), "{sr}: ED needs SECMP0046");
            assert!(!sr.addresses(DeviceType::Esme), "{sr} is not a meter SR");
            assert_eq!(
                Command::of(sr).name(),
                Command::ALL[Command::of(sr) as usize].name()
            );
        }
        assert!(SrType::DeactivateAuxiliaryLoad.addresses(DeviceType::Hcalcs));
        assert!(!SrType::DeactivateAuxiliaryLoad.addresses(DeviceType::Apc));
        assert!(SrType::SetApcLimit.addresses(DeviceType::Apc));
        assert!(SrType::SetRandomisedOffsetLimit.addresses(DeviceType::Apc));
        assert!(SrType::ReadInstantaneousImport.allows(Role::ED));
    }
}
