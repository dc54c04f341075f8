//! The CPL in the world: SECAS and the DSP's CPL function (one actor), with what it needs to
//! turn a listing change into suspensions or restorations on the SMI.

use crate::alert::config::class::DCC_DEVICE_SUSPENDED;
use crate::alert::dcc;
use crate::cpl::{CplActor, CplConfig};
use crate::device_model::ModelId;
use crate::lifecycle::SmiStatus;
use crate::msg::Msg;
use crate::shared::Core;
use crate::smi::Smi;
use dccsim_sim::{metric_name, Ctx, Kernel};

/// The CPL actor, its configuration, and the Device Models' ids for its metric labels.
pub struct CplWorld {
    pub actor: CplActor,
    pub config: CplConfig,
    /// Each Device Model's `id`, by [`ModelId`].
    pub model_ids: Vec<String>,
}

impl CplWorld {
    /// One CPL step; a Device Model whose listing changed has its devices suspended or restored.
    /// Every device a removal Suspends raises the DCC alert `dcc-device-suspended` to its
    /// supplier when the scenario models it.
    pub fn step(&mut self, msg: Msg, smi: &mut Smi, core: &Core, ctx: &mut Ctx<'_, Msg>) {
        let Msg::Cpl(step) = msg else {
            unreachable!("the CPL got {msg:?}")
        };
        for (model, listed) in self.actor.handle(step, &self.config, ctx) {
            let changed = smi.set_model_listed(ModelId(model), listed, ctx);
            let what = if listed { "restored" } else { "suspended" };
            let c = ctx.metrics().counter(metric_name(
                "cpl.devices",
                &[("change", what), ("model", &self.model_ids[model as usize])],
            ));
            ctx.count(c, u64::from(changed));
            if !listed && changed > 0 && dcc::raises(DCC_DEVICE_SUSPENDED, core) {
                let suspended: Vec<_> = smi
                    .devices_of(ModelId(model))
                    .into_iter()
                    .filter(|&d| smi.status(d) == Some(SmiStatus::Suspended))
                    .collect();
                debug_assert_eq!(suspended.len(), changed as usize);
                for device in suspended {
                    dcc::device_suspended(device, core, ctx);
                }
            }
        }
    }

    /// Scalars counted when the run starts: `cpl.model_devices{model=…}`, the world's devices of
    /// each Device Model with CPL entries (installed or planned by an installation wave) — what
    /// a removal of that model at the start would suspend at most; and
    /// `cpl.no_entry_devices{model=…}`, the devices of each built-in default model, which has no
    /// entry and is served as listed (see `scenario::cpl_coverage`).
    pub fn count_models(&self, smi: &Smi, kernel: &mut Kernel<Msg>) {
        for (i, id) in self.model_ids.iter().enumerate() {
            let n = smi.devices_of(ModelId(i as u16)).len();
            let has_entry = self
                .config
                .entries
                .iter()
                .any(|e| usize::from(e.model) == i);
            let name = match (has_entry, n) {
                (true, _) => "cpl.model_devices",
                (false, 0) => continue,
                (false, _) => "cpl.no_entry_devices",
            };
            let name = metric_name(name, &[("model", id)]);
            kernel.metrics.set_scalar(name, n as f64);
        }
    }
}

/// Lines for the terminal after a run's table: the built-in Device Models served as listed for
/// want of a CPL entry, and extracts the DCC applied after its 24-hour window.
pub fn report_lines(m: &dccsim_sim::Metrics) -> Vec<String> {
    let mut lines: Vec<String> = m
        .scalars()
        .iter()
        .filter_map(|(name, n)| {
            let model = name
                .strip_prefix("cpl.no_entry_devices{model=")?
                .strip_suffix('}')?;
            Some(format!(
                "CPL: built-in Device Model {model} has no CPL entry: its {n} devices are served \
                 as listed (cpl.no_entry_devices)"
            ))
        })
        .collect();
    lines.extend(crate::cpl::late_apply_line(m));
    lines
}
