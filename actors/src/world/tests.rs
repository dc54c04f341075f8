//! The world end to end on the code-built fixture: conservation of requests, determinism, and a
//! firmware rollout through the real message path.

use super::*;
use crate::device_model::ModelId;
use crate::region::Region;
use crate::scenario::Scenario;
use crate::sr::SrType;
use dccsim_sim::SimDuration;

mod end_to_end {
    use super::*;
    use crate::world::fixture::example;
    use dccsim_sim::SimTime;

    fn sum(kernel: &Kernel<Msg>, prefix: &str) -> u64 {
        kernel
            .metrics
            .counters()
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v)
            .sum()
    }

    #[test]
    fn every_request_is_completed_rejected_or_in_flight() {
        let s = example(2_000);
        let (mut kernel, mut world) = GbWorld::build(&s);
        let stats = kernel.run(&mut world, SimTime(s.duration.as_micros()), &mut |_, _| {});
        let requested = sum(&kernel, "sr.requested");
        let completed = sum(&kernel, "sr.completed");
        let rejected = sum(&kernel, "sr.rejected");
        assert!(stats.events > 0);
        // Every premises gets its daily read (the window ends long before the day does).
        assert_eq!(
            sum(&kernel, "sr.requested{region=central,sr=4.6.1}")
                + sum(&kernel, "sr.requested{region=north,sr=4.6.1}")
                + sum(&kernel, "sr.requested{region=south,sr=4.6.1}"),
            2_000
        );
        assert_eq!(requested, completed + rejected + world.in_flight(&kernel));
        // OU may not send 1.1.1: every tariff update is refused with E3.
        let e3 = sum(&kernel, "sr.rejected{code=E3,sr=1.1.1}");
        assert!(e3 > 50, "E3 refusals: {e3}");
        assert_eq!(sum(&kernel, "sr.completed{region=central,sr=1.1.1}"), 0);
        assert!(sum(&kernel, "sr.rejected{code=E19,sr=4.1.1}") > 0);
    }

    #[test]
    fn same_seed_same_results_other_seed_other_results() {
        let run = |seed| {
            let mut s = example(500);
            s.seed = seed;
            let (mut kernel, mut world) = GbWorld::build(&s);
            kernel.run(&mut world, SimTime(s.duration.as_micros()), &mut |_, _| {});
            let f = kernel
                .metrics
                .flow_by_id(world.core.ids.e2e(SrType::RetrieveDailyReadLog, 1));
            (
                kernel.events(),
                f.histogram().mean().to_bits(),
                f.histogram().max(),
            )
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }
}

mod firmware {
    use super::*;
    use crate::device_model;
    use crate::firmware::{
        ActivationWindow, Campaign, FailureRates, FirmwareImage, Wave, WaveSize,
    };
    use crate::sr::DeviceType;
    use crate::units::Bytes;
    use crate::world::fixture::example;
    use dccsim_sim::SimTime;

    /// `example(premises)` with a second firmware of the electricity meter model (listed or
    /// not) and a campaign of supplier 0 moving its meters to it.
    fn with_rollout(premises: u32, listed: bool, failures: FailureRates) -> Scenario {
        let mut s = example(premises);
        s.duration = SimDuration::from_days(3);
        let from = device_model::find(&s.device_models, "default-esme-single").unwrap();
        let mut fw2 = s.device_models[from.index()].clone();
        fw2.id = "esme-fw2".into();
        fw2.firmware = "2.0".into();
        fw2.share = 0.0;
        fw2.listed = listed;
        s.device_models.push(fw2);
        let to = ModelId(s.device_models.len() as u16 - 1);
        s.firmware.images.push(FirmwareImage {
            id: "esme-2.0".into(),
            model: to,
            size: Bytes(64 * 1024),
        });
        s.firmware.campaigns.push(Campaign {
            id: "esme-2".into(),
            supplier: 0,
            from,
            image: 0,
            to,
            device: DeviceType::Esme,
            start: SimDuration::from_hours(1),
            waves: vec![Wave {
                at: SimDuration::ZERO,
                size: WaveSize::Share(1.0),
            }],
            max_in_transfer: 100,
            activation: ActivationWindow {
                start: SimDuration::from_hours(2),
                length: SimDuration::from_hours(3),
            },
            pause_above: None,
            pause_min_devices: 20,
            retry_after: SimDuration::from_hours(1),
            max_transfer_attempts: 3,
            max_activation_attempts: 3,
            failures,
        });
        s
    }

    const NO_FAILURES: FailureRates = FailureRates {
        transfer: 0.0,
        activation: 0.0,
        unrecoverable: 0.0,
    };

    fn gauge(kernel: &Kernel<Msg>, name: &str) -> i64 {
        kernel.metrics.gauges()[name]
    }

    #[test]
    fn a_listed_rollout_moves_every_targeted_meter_to_the_new_model() {
        let s = with_rollout(600, true, NO_FAILURES);
        let (mut kernel, mut world) = GbWorld::build(&s);
        let end = SimTime(s.duration.as_micros());
        kernel.run(&mut world, end, &mut |_, _| {});
        world.finish(&mut kernel, end);
        let targeted = kernel.metrics.scalars()["firmware.targeted{campaign=esme-2}"] as i64;
        assert!(targeted > 300, "supplier 0 serves ~60% of 600: {targeted}");
        let activated = gauge(&kernel, "firmware.devices{campaign=esme-2,state=activated}");
        let failed = gauge(&kernel, "firmware.devices{campaign=esme-2,state=failed}");
        // Flats that never joined the HAN cannot take the image.
        assert_eq!(activated + failed, targeted);
        assert!(failed < targeted / 20, "{failed} failed");
        let to = ModelId(s.device_models.len() as u16 - 1);
        assert_eq!(world.smi().devices_of(to).len() as i64, activated);
        assert!(gauge(&kernel, "csp.wan_bytes{kind=firmware,region=north}") > 0);
    }

    #[test]
    fn an_unlisted_target_is_refused_and_nothing_crosses_the_wan() {
        let s = with_rollout(300, false, NO_FAILURES);
        let (mut kernel, mut world) = GbWorld::build(&s);
        let end = SimTime(s.duration.as_micros());
        kernel.run(&mut world, end, &mut |_, _| {});
        world.finish(&mut kernel, end);
        let targeted = kernel.metrics.scalars()["firmware.targeted{campaign=esme-2}"] as i64;
        let failed = gauge(&kernel, "firmware.devices{campaign=esme-2,state=failed}");
        assert_eq!(failed, targeted);
        for r in Region::ALL {
            let name = format!("csp.wan_bytes{{kind=firmware,region={}}}", r.name());
            assert_eq!(gauge(&kernel, &name), 0);
        }
        assert_eq!(
            kernel.metrics.counters()["sr.rejected{code=E11,sr=11.1}"],
            targeted as u64
        );
    }
}
