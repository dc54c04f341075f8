//! Building the inventory: each device's Device Model drawn by its slot's shares, from the
//! builder's own streams so a device's model never depends on how many others there are.

use super::{Smi, SmiRecord};
use crate::build_threads::{per_premises, BuildThreads};
use crate::device_model::{slot_shares, DeviceModel, ModelId, PhysicalDeviceType, Slot};
use crate::dist::{pick, Picker};
use crate::msg::Msg;
use crate::population::Premises;
use crate::streams::Builder as Stream;
use dccsim_sim::{BuilderStreams, Kernel};

/// Draws each premises takes from the model stream (hub, electricity meter, gas meter), so
/// premises `i`'s models never depend on how many premises there are.
const MODEL_DRAWS_PER_PREMISES: u64 = 3;

/// Each premises' Device Models (hub, electricity meter, gas meter) drawn by their slots'
/// shares, for the first `n` premises, on `threads` threads (see `build_threads`): a pure
/// function of the builder streams, so the world builder may run it beside other work.
pub fn draw_models(
    models: &[DeviceModel],
    n: u32,
    threads: BuildThreads,
    streams: &BuilderStreams,
) -> Vec<[ModelId; 3]> {
    let pickers = [Slot::Hub, Slot::Esme, Slot::Gsme].map(|slot| {
        let list = slot_shares(models, slot);
        assert!(!list.is_empty(), "the scenario has a model for {slot:?}");
        let weights: Vec<f64> = list.iter().map(|(_, s)| *s).collect();
        (list, Picker::new(&weights))
    });
    let draw = |slot: usize, u: f64| pickers[slot].0[pickers[slot].1.pick(u)].0;
    per_premises(n, threads, streams, |i, streams| {
        let mut draws = u64::from(i) * MODEL_DRAWS_PER_PREMISES;
        let mut rng = streams.rng(Stream::DeviceModels.purpose(), &mut draws);
        [
            draw(0, rng.uniform()),
            draw(1, rng.uniform()),
            draw(2, rng.uniform()),
        ]
    })
}

/// An empty inventory for `premises` premises, its status gauges registered.
pub fn inventory(models: &[DeviceModel], premises: u32, kernel: &mut Kernel<Msg>) -> Smi {
    let states: Vec<(PhysicalDeviceType, bool)> =
        models.iter().map(|m| (m.device_type, m.listed)).collect();
    Smi::new(&states, kernel, premises)
}

/// Puts the world's `premises` on the inventory `smi` (in premises order) with the Device Models
/// `drawn` for them ([`draw_models`]): the first `installed` premises are Commissioned since time
/// zero (no SRs) — Suspended if their model is off the CPL from the start — and the rest
/// (premises an installation wave will create) are not on the SMI yet.
pub fn add_premises(
    smi: &mut Smi,
    models: &[DeviceModel],
    premises: &[Premises],
    installed: u32,
    drawn: Vec<[ModelId; 3]>,
    kernel: &mut Kernel<Msg>,
) {
    assert_eq!(
        drawn.len(),
        premises.len(),
        "models drawn for every premises"
    );
    for (i, (p, [hub, esme, gsme])) in premises.iter().zip(drawn).enumerate() {
        let record = |model: ModelId| {
            if (i as u32) >= installed {
                SmiRecord::unknown(model)
            } else if models[model.index()].listed {
                SmiRecord::commissioned(model)
            } else {
                SmiRecord::suspended(model)
            }
        };
        smi.add_premises(
            record(hub),
            record(esme),
            p.has_gas().then(|| record(gsme)),
            kernel,
        );
    }
}

/// Builds the inventory of the world's `premises` in one go: [`inventory`], [`draw_models`]
/// on `threads` threads and [`add_premises`].
pub fn build(
    models: &[DeviceModel],
    premises: &[Premises],
    installed: u32,
    threads: BuildThreads,
    kernel: &mut Kernel<Msg>,
) -> Smi {
    let mut smi = inventory(models, premises.len() as u32, kernel);
    let n = premises.len() as u32;
    let drawn = draw_models(models, n, threads, &kernel.builder_streams());
    add_premises(&mut smi, models, premises, installed, drawn, kernel);
    smi
}

/// Puts HAN devices that are no actors of their own on the inventory: EV chargers'
/// load-control devices (HCALCS or APC) and the PPMIDs and HCALCSs installation waves fit, given
/// as (premises, type) in ascending order. Each gets a Device Model of its type drawn by share:
/// like the meters, devices at the first `installed` premises are Commissioned since time zero
/// (Suspended if their model is off the CPL), and devices at premises an installation wave will
/// create are not on the SMI yet.
pub fn add_han_devices(
    smi: &mut Smi,
    models: &[DeviceModel],
    devices: &[(u32, PhysicalDeviceType)],
    installed: u32,
    kernel: &mut Kernel<Msg>,
) {
    // Each type's models and their weights, worked out once.
    let by_type = PhysicalDeviceType::ALL.map(|ty| {
        let shares = slot_shares(models, ty.slot());
        let weights: Vec<f64> = shares.iter().map(|(_, s)| *s).collect();
        (shares, weights)
    });
    let records = devices
        .iter()
        .map(|&(p, ty)| {
            let (shares, weights) = &by_type[ty as usize];
            assert!(!shares.is_empty(), "the scenario has a model for {ty}");
            // One draw per premises from its type's stream, so a device's model never depends
            // on the others'.
            let model = if shares.len() == 1 {
                shares[0].0
            } else {
                let stream = match ty {
                    PhysicalDeviceType::Ppmid => Stream::PpmidModels,
                    _ => Stream::ChargerModels,
                };
                let mut draws = u64::from(p);
                let u = kernel.builder_rng(stream.purpose(), &mut draws).uniform();
                shares[pick(weights, u)].0
            };
            let record = if p >= installed {
                SmiRecord::unknown(model)
            } else if models[model.index()].listed {
                SmiRecord::commissioned(model)
            } else {
                SmiRecord::suspended(model)
            };
            (p, record)
        })
        .collect();
    smi.add_han_devices(records, kernel);
}
