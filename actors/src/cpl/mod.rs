//! The Central Products List (DOMAIN §2): SECAS keeps the published list and signs each extract;
//! the DSP verifies an extract on receipt and applies it to the CPL in force within its apply
//! window; a Device Model whose last listed entry is removed has its devices Suspended (through
//! the world's `set_model_listed`).
//!
//! One actor plays both sides, since both are driven by the same timeline: SECAS's changes
//! (extracts published, certificates revoked, CPA certificates expiring or lapsing, expiry notices)
//! and the DSP's (extract receipt and verification, apply, GBCS versions learned). The scenario
//! sections are `[cpl]`, `[[cpl_entry]]` and `[[timeline]]`; without any `[[cpl_entry]]` the CPL is
//! not modelled and every Device Model stays listed.

pub mod config;
pub mod extract;
pub mod in_force;

pub use config::entry::{
    required_certificates, Certificates, Cpa, CplEntry, HardwareData, Refusal, Required,
};
pub use extract::{Extract, Published, Rejection, Secas};
pub use in_force::{Applied, InForce, Loaded};

use crate::calendar::Date;
use crate::msg::{CplMsg, Msg};
pub use config::{CplConfig, Event, Signing, TimedEvent};
use dccsim_sim::{metric_name, CounterId, Ctx, FlowId, GaugeId, Metrics, SimDuration, SimTime};
use ed25519_dalek::VerifyingKey;
use std::collections::BTreeMap;

/// The DCC's window to update the SMI after receiving an accepted extract (DOMAIN §2): the TRT
/// of `cpl.apply`. A scenario may model a late DCC (`[cpl] apply_delay` beyond it): such applies
/// are counted in `cpl.apply_late` and reported after the run.
pub const APPLY_WINDOW: SimDuration = SimDuration::from_hours(24);

/// Metric handles of the CPL.
struct Ids {
    entries: [GaugeId; 3],
    published: [GaugeId; 2],
    apply: FlowId,
    /// `cpl.apply_late`: extracts applied after the DCC's 24-hour window.
    late: CounterId,
    accepted: CounterId,
    superseded: CounterId,
    notice: [CounterId; 2],
}

/// Why SECAS removed an entry: label of `cpl.removal{cause=…}`.
#[derive(Copy, Clone, Debug)]
enum Cause {
    Extract,
    Revoked,
    CpaExpired,
    ConditionLapsed,
}

impl Cause {
    fn name(self) -> &'static str {
        match self {
            Cause::Extract => "extract",
            Cause::Revoked => "certificate_revoked",
            Cause::CpaExpired => "cpa_expired",
            Cause::ConditionLapsed => "condition_lapsed",
        }
    }
}

/// SECAS and the DSP's CPL function.
pub struct CplActor {
    secas: Secas,
    dsp_key: VerifyingKey,
    /// SECAS's published state of each entry (`None`: never published).
    published: Vec<Option<Published>>,
    /// Current condition date of each conditional CPA (moved by extensions).
    condition_at: Vec<Option<SimTime>>,
    next_seq: u32,
    /// Accepted extracts waiting for their apply time: entries and receipt time, by number.
    pending: BTreeMap<u32, (Vec<(u16, Published)>, SimTime)>,
    last_applied: Option<u32>,
    in_force: InForce,
    /// Listing of each Device Model as last told to the world.
    model_listed: Vec<bool>,
    start: Date,
    ids: Ids,
}

impl CplActor {
    /// The CPL at the start of the run; registers its metrics. `key_seed` comes from the run's
    /// builder stream, so the signatures are the same in every run of the scenario and seed.
    pub fn new(
        cfg: &CplConfig,
        start: Date,
        legacy_duplicate_check: bool,
        key_seed: [u8; 32],
        m: &mut Metrics,
    ) -> CplActor {
        let secas = Secas::new(key_seed);
        let dsp_key = secas.verifying_key();
        let in_force = InForce::new(&cfg.entries, cfg.known_gbcs.clone(), legacy_duplicate_check);
        let models = cfg.entries.iter().map(|e| e.model + 1).max().unwrap_or(0);
        let model_listed = (0..models)
            .map(|model| in_force.model_listed(model, &cfg.entries))
            .collect();
        let ids = Ids {
            entries: Loaded::ALL
                .map(|s| m.gauge(metric_name("cpl.entries", &[("state", s.name())]))),
            published: ["listed", "removed"]
                .map(|s| m.gauge(metric_name("cpl.published", &[("state", s)]))),
            apply: m.flow("cpl.apply".into(), Some(APPLY_WINDOW)),
            late: m.counter("cpl.apply_late".into()),
            accepted: m.counter(metric_name("cpl.extract", &[("result", "accepted")])),
            superseded: m.counter(metric_name("cpl.extract", &[("result", "superseded")])),
            notice: ["12", "6"].map(|n| m.counter(metric_name("cpl.notice", &[("months", n)]))),
        };
        let actor = CplActor {
            secas,
            dsp_key,
            published: cfg
                .entries
                .iter()
                .map(|e| e.in_force_at_start.then_some(Published::Listed))
                .collect(),
            condition_at: cfg
                .entries
                .iter()
                .map(|e| {
                    let cpa = e.certificates.cpa.as_ref()?;
                    cpa.condition?.since(start)
                })
                .collect(),
            next_seq: 1,
            pending: BTreeMap::new(),
            last_applied: None,
            in_force,
            model_listed,
            start,
            ids,
        };
        actor.update_gauges(m);
        actor
    }

    /// Whether Device Model `model` is listed on the CPL in force at the start.
    pub fn listed_at_start(&self, model: u16) -> bool {
        self.model_listed
            .get(model as usize)
            .copied()
            .unwrap_or(true)
    }

    /// Device Models the CPL knows of (those with at least one entry have an index below this).
    pub fn models(&self) -> u16 {
        self.model_listed.len() as u16
    }

    /// The CPL in force (the DSP's).
    pub fn in_force(&self) -> &InForce {
        &self.in_force
    }

    /// Schedules the timeline, CPA expiries, condition dates and expiry notices up to `end`.
    pub fn schedule(&self, cfg: &CplConfig, end: SimTime, ctx: &mut Ctx<'_, Msg>) {
        let now = ctx.now();
        let at = |t: SimTime, msg: CplMsg, ctx: &mut Ctx<'_, Msg>| {
            if t <= end {
                ctx.wake_after(t.since(now), Msg::Cpl(msg));
            }
        };
        for (n, ev) in cfg.timeline.iter().enumerate() {
            at(SimTime(ev.at.as_micros()), CplMsg::Timeline(n as u16), ctx);
        }
        for (i, e) in cfg.entries.iter().enumerate() {
            let i = i as u16;
            let Some(cpa) = &e.certificates.cpa else {
                continue;
            };
            if let Some(t) = cpa.expires.since(self.start) {
                at(t, CplMsg::CpaExpires(i), ctx);
            }
            if let Some(t) = self.condition_at[i as usize] {
                at(t, CplMsg::ConditionDate(i), ctx);
            }
            for months in [12u8, 6] {
                if let Some(t) = cpa.expires.months_before(months.into()).since(self.start) {
                    at(t, CplMsg::Notice { entry: i, months }, ctx);
                }
            }
        }
    }

    /// Handles one CPL step; returns the Device Models whose listing changed, for the world to
    /// suspend or restore their devices.
    pub fn handle(
        &mut self,
        msg: CplMsg,
        cfg: &CplConfig,
        ctx: &mut Ctx<'_, Msg>,
    ) -> Vec<(u16, bool)> {
        let entries = &cfg.entries;
        match msg {
            CplMsg::Timeline(n) => match &cfg.timeline[n as usize].event {
                Event::PublishExtract {
                    add,
                    remove,
                    signing,
                } => {
                    for &i in add {
                        self.published[i as usize] = Some(Published::Listed);
                    }
                    for &i in remove {
                        self.remove(i, Cause::Extract, ctx);
                    }
                    self.publish(*signing, cfg, ctx);
                    Vec::new()
                }
                Event::RevokeCertificate { certificate } => {
                    let hit: Vec<u16> = (0..entries.len() as u16)
                        .filter(|&i| entries[i as usize].certificates.carries(certificate))
                        .collect();
                    if self.remove_all(&hit, Cause::Revoked, ctx) {
                        self.publish(Signing::Valid, cfg, ctx);
                    }
                    Vec::new()
                }
                Event::ExtendCondition { certificate, until } => {
                    let t = until
                        .since(self.start)
                        .expect("validated: not before the start");
                    for (i, e) in entries.iter().enumerate() {
                        if e.certificates
                            .cpa
                            .as_ref()
                            .is_some_and(|c| &c.id == certificate)
                        {
                            self.condition_at[i] = Some(t);
                            ctx.wake_after(
                                t.since(ctx.now()),
                                Msg::Cpl(CplMsg::ConditionDate(i as u16)),
                            );
                        }
                    }
                    Vec::new()
                }
                Event::DspLearnsGbcs { version } => {
                    let applied = self.in_force.learn_gbcs(version, entries);
                    self.after_change(&applied, entries, ctx)
                }
            },
            CplMsg::CpaExpires(i) => {
                if self.remove_all(&[i], Cause::CpaExpired, ctx) {
                    self.publish(Signing::Valid, cfg, ctx);
                }
                Vec::new()
            }
            CplMsg::ConditionDate(i) => {
                if self.condition_at[i as usize] == Some(ctx.now())
                    && self.remove_all(&[i], Cause::ConditionLapsed, ctx)
                {
                    self.publish(Signing::Valid, cfg, ctx);
                }
                Vec::new()
            }
            CplMsg::Notice { entry, months } => {
                if self.published[entry as usize] == Some(Published::Listed) {
                    let e = &entries[entry as usize];
                    let cpa = e
                        .certificates
                        .cpa
                        .as_ref()
                        .expect("notices are for CPA certificates");
                    let c = self.ids.notice[usize::from(months == 6)];
                    ctx.count(c, 1);
                    let name = metric_name(
                        "cpl.notice",
                        &[
                            ("certificate", &cpa.id),
                            ("entry", &e.id),
                            ("expires", &cpa.expires.to_string()),
                            ("months", &months.to_string()),
                        ],
                    );
                    let day = ctx.now().as_micros() as f64 / 86_400e6;
                    ctx.metrics().set_scalar(name, day);
                }
                Vec::new()
            }
            CplMsg::Apply(seq) => {
                let (list, received) = self
                    .pending
                    .remove(&seq)
                    .expect("an accepted extract waits");
                if self.last_applied.is_some_and(|last| last > seq) {
                    ctx.count(self.ids.superseded, 1);
                    return Vec::new();
                }
                self.last_applied = Some(seq);
                let applied = self.in_force.apply(&list, entries);
                let took = ctx.now().since(received);
                ctx.record(self.ids.apply, took);
                if took > APPLY_WINDOW {
                    ctx.count(self.ids.late, 1);
                }
                self.after_change(&applied, entries, ctx)
            }
        }
    }

    /// SECAS marks the entries removed; true if any was listed.
    fn remove_all(&mut self, entries: &[u16], cause: Cause, ctx: &mut Ctx<'_, Msg>) -> bool {
        let mut any = false;
        for &i in entries {
            any |= self.remove(i, cause, ctx);
        }
        any
    }

    fn remove(&mut self, i: u16, cause: Cause, ctx: &mut Ctx<'_, Msg>) -> bool {
        if self.published[i as usize] != Some(Published::Listed) {
            return false;
        }
        self.published[i as usize] = Some(Published::Removed);
        let c = ctx
            .metrics()
            .counter(metric_name("cpl.removal", &[("cause", cause.name())]));
        ctx.count(c, 1);
        true
    }

    /// SECAS publishes the whole list as a new extract; the DSP receives it at once, verifies it,
    /// and (if accepted) schedules its application after a draw of the apply delay.
    fn publish(&mut self, signing: Signing, cfg: &CplConfig, ctx: &mut Ctx<'_, Msg>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let list: Vec<(u16, Published)> = self
            .published
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.map(|p| (i as u16, p)))
            .collect();
        let mut extract = self.secas.publish(seq, &list, &cfg.entries);
        match signing {
            Signing::Valid => {}
            Signing::Missing => extract.unsign(),
            Signing::Tampered => extract.tamper(),
        }
        self.update_gauges(ctx.metrics());
        match extract.verify(&self.dsp_key, &cfg.entries) {
            Ok(list) => {
                ctx.count(self.ids.accepted, 1);
                let delay = cfg.apply_delay.sample(&mut ctx.rng());
                self.pending.insert(seq, (list, ctx.now()));
                ctx.wake_after(delay, Msg::Cpl(CplMsg::Apply(seq)));
            }
            Err(rejection) => {
                let c = ctx.metrics().counter(metric_name(
                    "cpl.extract",
                    &[("result", rejection.result())],
                ));
                ctx.count(c, 1);
            }
        }
    }

    /// Counts what a change to the CPL in force did and returns the models whose listing changed.
    fn after_change(
        &mut self,
        applied: &Applied,
        entries: &[CplEntry],
        ctx: &mut Ctx<'_, Msg>,
    ) -> Vec<(u16, bool)> {
        for &(_, reason) in &applied.refused {
            let c = ctx.metrics().counter(metric_name(
                "cpl.entry_refused",
                &[("reason", reason.name())],
            ));
            ctx.count(c, 1);
        }
        self.update_gauges(ctx.metrics());
        let mut changes = Vec::new();
        for &i in applied.listed.iter().chain(&applied.removed) {
            let model = entries[i as usize].model;
            let now = self.in_force.model_listed(model, entries);
            if self.model_listed[model as usize] != now {
                self.model_listed[model as usize] = now;
                changes.push((model, now));
            }
        }
        changes
    }

    fn update_gauges(&self, m: &mut Metrics) {
        for (g, n) in self.ids.entries.iter().zip(self.in_force.counts()) {
            m.gauge_set(*g, n);
        }
        for (g, state) in self
            .ids
            .published
            .iter()
            .zip([Published::Listed, Published::Removed])
        {
            let n = self.published.iter().filter(|&&p| p == Some(state)).count();
            m.gauge_set(*g, n as i64);
        }
    }
}

/// One line for a finished run whose DCC applied extracts late (`cpl.apply_late` > 0), else
/// `None`: the scenario's apply delay goes beyond the DCC's 24-hour window.
pub fn late_apply_line(m: &Metrics) -> Option<String> {
    let counters = m.counters();
    let late = *counters.get("cpl.apply_late").filter(|&&n| n > 0)?;
    let applied = counters
        .get("cpl.extract{result=accepted}")
        .copied()
        .unwrap_or(0);
    Some(format!(
        "CPL: {late} of {applied} accepted extracts reached the SMI after the DCC's 24-hour \
         window ([cpl] apply_delay models a late DCC; counted in cpl.apply_late)"
    ))
}

/// The Panel's CPA expiry notices of a finished run, one plain-English line each (read back from
/// the `cpl.notice{…}` scalars, whose value is the day of the run the notice went out).
pub fn notice_lines(m: &Metrics) -> Vec<String> {
    m.scalars()
        .iter()
        .filter_map(|(name, day)| {
            let labels = name.strip_prefix("cpl.notice{")?.strip_suffix('}')?;
            let label = |key: &str| {
                labels
                    .split(',')
                    .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                    .unwrap_or("?")
            };
            Some(format!(
                "day {day:.0}: {}-month notice: CPA certificate {} of CPL entry {} expires {}",
                label("months"),
                label("certificate"),
                label("entry"),
                label("expires")
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpl::config::entry::tests::esme;
    use crate::dist::Dist;
    use crate::world::Kinds;
    use dccsim_sim::{ActorId, Kernel, World};

    /// The CPL actor alone on a kernel, recording the listing changes it asks the world for.
    struct Alone {
        cpl: CplActor,
        cfg: CplConfig,
        changes: Vec<(SimTime, u16, bool)>,
    }

    impl World for Alone {
        type Msg = Msg;
        fn handle(&mut self, _: ActorId, msg: Msg, ctx: &mut Ctx<'_, Msg>) {
            let Msg::Cpl(step) = msg else { unreachable!() };
            for (model, listed) in self.cpl.handle(step, &self.cfg, ctx) {
                self.changes.push((ctx.now(), model, listed));
            }
        }
    }

    fn run(entries: Vec<CplEntry>, timeline: Vec<TimedEvent>) -> (Alone, Kernel<Msg>) {
        let cfg = CplConfig {
            entries,
            apply_delay: Dist::Const(SimDuration::from_hours(2)),
            known_gbcs: vec!["3.2".into()],
            timeline,
        };
        let mut kernel = Kernel::new(1, None);
        kernel.ensure_actors(Kinds::CPL, 1);
        let start = Date::parse("2026-01-05").unwrap();
        let cpl = CplActor::new(&cfg, start, false, [1; 32], &mut kernel.metrics);
        let end = SimTime(SimDuration::from_days(2).as_micros());
        cpl.schedule(&cfg, end, &mut kernel.ctx_for(Kinds::cpl()));
        let mut world = Alone {
            cpl,
            cfg,
            changes: Vec::new(),
        };
        kernel.run(&mut world, end, &mut |_, _| {});
        (world, kernel)
    }

    fn at_hours(h: u64, event: Event) -> TimedEvent {
        TimedEvent {
            at: SimDuration::from_hours(h),
            event,
        }
    }

    #[test]
    fn a_revoked_certificate_removes_its_entries_after_the_apply_delay() {
        let (w, kernel) = run(
            vec![esme("a", 0, "1.0"), esme("b", 1, "1.0")],
            vec![at_hours(
                1,
                Event::RevokeCertificate {
                    certificate: "ZB-a".into(),
                },
            )],
        );
        let hours = |h| SimTime(SimDuration::from_hours(h).as_micros());
        assert_eq!(w.changes, vec![(hours(3), 0, false)]);
        assert_eq!(w.cpl.in_force().state(0), Some(Loaded::Removed));
        assert_eq!(w.cpl.in_force().state(1), Some(Loaded::Listed));
        let counters = kernel.metrics.counters();
        assert_eq!(counters["cpl.removal{cause=certificate_revoked}"], 1);
        assert_eq!(counters["cpl.extract{result=accepted}"], 1);
    }

    #[test]
    fn a_tampered_extract_changes_nothing_in_force() {
        let mut later = esme("b", 1, "1.0");
        later.in_force_at_start = false;
        let entries = vec![esme("a", 0, "1.0"), later];
        let publish = |signing| {
            vec![at_hours(
                1,
                Event::PublishExtract {
                    add: vec![1],
                    remove: vec![0],
                    signing,
                },
            )]
        };
        let (untouched, _) = run(entries.clone(), Vec::new());
        for signing in [Signing::Tampered, Signing::Missing] {
            let (w, kernel) = run(entries.clone(), publish(signing));
            assert_eq!(w.cpl.in_force(), untouched.cpl.in_force(), "{signing:?}");
            assert!(w.changes.is_empty());
            assert_eq!(
                kernel.metrics.counters()["cpl.extract{result=rejected_signature}"],
                1
            );
        }
        let (w, _) = run(entries, publish(Signing::Valid));
        let hours = |h| SimTime(SimDuration::from_hours(h).as_micros());
        assert_eq!(w.changes, vec![(hours(3), 1, true), (hours(3), 0, false)]);
    }
}
