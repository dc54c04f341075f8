//! The SMI inside a whole world: delisting suspends a model's devices and the DSP refuses them,
//! relisting and firmware restore them.

use super::*;
use crate::population::Premises;
use crate::world::{fixture::example, GbWorld, Kinds};

fn counter(kernel: &Kernel<Msg>, name: &str) -> u64 {
    kernel.metrics.counters().get(name).copied().unwrap_or(0)
}

#[test]
fn delisting_suspends_a_models_devices_and_the_dsp_refuses_them_with_e5() {
    let s = example(1_000);
    let (mut kernel, mut world) = GbWorld::build(&s);
    let esme_model = ModelId(1);
    assert_eq!(
        world.smi().device_type(SmiDevice {
            premises: 0,
            device: DeviceType::Esme
        }),
        Some(PhysicalDeviceType::SingleElementEsme)
    );
    assert!(world.dsp.smi.is_listed(esme_model));
    let commissioned = world.smi().count_status(SmiStatus::Commissioned);
    let gsmes = commissioned - 2_000;
    assert!(gsmes > 600 && gsmes < 800, "{gsmes} gas meters");

    let mut ctx = kernel.ctx_for(Kinds::dsp());
    assert_eq!(
        world.dsp.smi.set_model_listed(esme_model, false, &mut ctx),
        1_000
    );
    assert_eq!(
        world.dsp.smi.set_model_listed(esme_model, false, &mut ctx),
        0
    );
    assert!(!world.dsp.smi.is_listed(esme_model));
    assert_eq!(world.smi().count_status(SmiStatus::Suspended), 1_000);
    kernel.run(&mut world, SimTime(s.duration.as_micros()), &mut |_, _| {});
    // Every daily read of an electricity meter is refused, gas reads are not.
    assert_eq!(counter(&kernel, "sr.rejected{code=E5,sr=4.6.1}"), 1_000);
    assert!(counter(&kernel, "sr.completed{region=central,sr=4.1.1}") > 0);
    assert_eq!(
        counter(&kernel, "smi.transition{from=Commissioned,to=Suspended}"),
        1_000
    );
    assert_eq!(
        kernel.metrics.gauges()["smi.status{status=Suspended}"],
        1_000
    );

    let mut ctx = kernel.ctx_for(Kinds::dsp());
    let one = SmiDevice {
        premises: 7,
        device: DeviceType::Esme,
    };
    // While its model is off the CPL no device returns to service, not even one at a time.
    assert_eq!(
        world.dsp.smi.restore_device(one, &mut ctx),
        Err(ResponseCode::E5)
    );
    assert_eq!(
        world.dsp.smi.set_model_listed(esme_model, true, &mut ctx),
        1_000
    );
    assert_eq!(
        world.dsp.smi.restore_device(one, &mut ctx),
        Err(ResponseCode::E5)
    );
    assert_eq!(world.smi().count_status(SmiStatus::Suspended), 0);
    assert_eq!(
        kernel.metrics.gauges()["smi.status{status=Commissioned}"] as u64,
        commissioned
    );
}

/// A PPMID and an HCALCS at one premises are separate records, walk the install triggers to
/// InstalledNotCommissioned, and 8.7 is admitted only once the electricity meter there is
/// Commissioned.
#[test]
fn ppmids_and_hcalcs_join_with_8_7_after_their_meter() {
    use crate::msg::{Leg, Request};
    use crate::region::Region;
    use crate::sr::{Role, SrType};
    let mut kernel: Kernel<Msg> = Kernel::new(1, None);
    kernel.ensure_actors(Kinds::DSP, 1);
    let models = crate::device_model::DeviceModel::defaults();
    let premises = vec![Premises::new(Region::North, false); 6];
    let threads = crate::build_threads::BuildThreads::new(1);
    let mut smi = build(&models, &premises, 3, threads, &mut kernel);
    let joiners = [
        (3, PhysicalDeviceType::Ppmid),
        (3, PhysicalDeviceType::Hcalcs),
        (5, PhysicalDeviceType::Ppmid),
    ];
    add_han_devices(&mut smi, &models, &joiners, 3, &mut kernel);
    let at = |premises, device| SmiDevice { premises, device };
    let (ppmid, hcalcs, esme) = (
        at(3, DeviceType::Ppmid),
        at(3, DeviceType::Hcalcs),
        at(3, DeviceType::Esme),
    );
    assert_eq!(smi.device_type(ppmid), Some(PhysicalDeviceType::Ppmid));
    assert_eq!(smi.device_type(hcalcs), Some(PhysicalDeviceType::Hcalcs));
    assert_eq!(smi.device_type(at(4, DeviceType::Ppmid)), None);
    assert_eq!(smi.status(at(5, DeviceType::Ppmid)), None);
    let join = |smi: &Smi| {
        let req = Request {
            sent: SimTime::ZERO,
            premises: 3,
            user: 0,
            sr: SrType::JoinService,
            device: DeviceType::Ppmid,
            role: Role::IS,
            leg: Leg::Outbound,
            arg: 0,
            attempt: 0,
        };
        admit(&req, smi, false)
    };
    let mut ctx = kernel.ctx_for(Kinds::dsp());
    for d in [ppmid, hcalcs, esme] {
        for t in [Trigger::PreNotify, Trigger::Whitelist, Trigger::HanJoin] {
            smi.apply(d, t, &mut ctx).unwrap();
        }
    }
    assert_eq!(smi.status(ppmid), Some(SmiStatus::InstalledNotCommissioned));
    // The meter is not in service yet: 8.7 is refused with E5.
    assert_eq!(join(&smi), Err(ResponseCode::E5));
    smi.apply(esme, Trigger::Commission, &mut ctx).unwrap();
    assert_eq!(join(&smi), Ok(()));
    assert_eq!(
        smi.apply(ppmid, Trigger::JoinService, &mut ctx),
        Ok(SmiStatus::Commissioned)
    );
    assert_eq!(
        smi.status(hcalcs),
        Some(SmiStatus::InstalledNotCommissioned)
    );
    assert_eq!(
        smi.apply(hcalcs, Trigger::JoinService, &mut ctx),
        Ok(SmiStatus::Commissioned)
    );
    assert_eq!(smi.devices_of(ModelId(5)).len(), 2, "the two PPMIDs");
}

#[test]
fn devices_draw_their_models_by_share() {
    let mut s = example(4_000);
    let mut models = crate::device_model::DeviceModel::defaults();
    models[1].share = 0.7;
    models[2].share = 0.3;
    s.device_models = models;
    let (_, world) = GbWorld::build(&s);
    let twin = world.smi().devices_of(ModelId(2)).len();
    let single = world.smi().devices_of(ModelId(1)).len();
    assert_eq!(twin + single, 4_000);
    assert!((1_100..1_300).contains(&twin), "{twin} twin-element meters");
    let (_, again) = GbWorld::build(&s);
    assert_eq!(
        again.smi().devices_of(ModelId(2)),
        world.smi().devices_of(ModelId(2))
    );
}
