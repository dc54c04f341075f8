//! The CPL in the world: SECAS and the DSP's CPL function (one actor), with what it needs to
//! turn a listing change into suspensions or restorations on the SMI.

use crate::cpl::{CplActor, CplConfig};
use crate::device_model::ModelId;
use crate::msg::Msg;
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
    pub fn step(&mut self, msg: Msg, smi: &mut Smi, ctx: &mut Ctx<'_, Msg>) {
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
        }
    }

    /// End-of-run scalars `cpl.model_devices{model=…}`: the world's devices of each Device Model
    /// that has CPL entries.
    pub fn finish(&self, smi: &Smi, kernel: &mut Kernel<Msg>) {
        for (i, id) in self.model_ids.iter().enumerate() {
            if self
                .config
                .entries
                .iter()
                .any(|e| usize::from(e.model) == i)
            {
                let n = smi.devices_of(ModelId(i as u16)).len();
                let name = metric_name("cpl.model_devices", &[("model", id)]);
                kernel.metrics.set_scalar(name, n as f64);
            }
        }
    }
}
