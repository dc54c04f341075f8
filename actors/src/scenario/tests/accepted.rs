//! What the loader accepts, and the defaults it fills in.

use super::*;

#[test]
fn minimal_scenario_takes_every_default() {
    let s = load_ok(MINIMAL, &[]);
    assert_eq!(s.name, "tiny");
    assert_eq!(s.description, "");
    assert_eq!(s.seed, 7);
    assert_eq!(s.duration, SimDuration::from_hours(1));
    assert_eq!(s.start_date, defaults::START_DATE);
    assert_eq!(s.sample_interval, SimDuration::from_secs(900));
    assert_eq!(s.population.premises, 1000);
    assert_eq!(s.population.gas_share, 0.7);
    assert_eq!(s.population.regions, defaults::REGION_SHARES);
    assert_eq!(s.suppliers.len(), 2);
    assert_eq!(s.suppliers[1].name, "beta");
    assert_eq!(s.suppliers[1].share, 0.4);
    assert_eq!(s.dsp.workers, 64);
    assert_eq!(s.dsp.service_time, defaults::DSP_SERVICE_TIME);
    assert_eq!(s.dsp.response_service_time, defaults::DSP_SERVICE_TIME);
    assert_eq!(s.csp.north.technology, Technology::LongRangeRadio);
    assert_eq!(s.csp.central.technology, Technology::Cellular);
    assert_eq!(s.csp.south.technology, Technology::Cellular);
    assert_eq!(
        s.csp.north.latency,
        Dist::LogNormal {
            median: SimDuration::from_secs(4),
            sigma: 0.6
        }
    );
    assert_eq!(
        s.csp.central.latency,
        Dist::LogNormal {
            median: SimDuration::from_millis(1500),
            sigma: 0.5
        }
    );
    assert_eq!(s.csp.south.workers, 4000);
    assert_eq!(s.csp.south.service_time, defaults::CSP_SERVICE_TIME);
    assert_eq!(s.han.latency, defaults::HAN_LATENCY);
    assert_eq!(s.devices.esme_response, defaults::ESME_RESPONSE);
    assert_eq!(s.devices.gsme_response, defaults::GSME_RESPONSE);
    assert_eq!(s.traffic.len(), 1);
    let t = &s.traffic[0];
    assert_eq!(t.sr, SrType::RetrieveDailyReadLog);
    assert_eq!(t.device, DeviceType::Esme);
    assert_eq!(t.role, Role::IS);
    assert_eq!(t.unknown_device_share, 0.0);
    assert_eq!(
        t.pattern,
        Pattern::DailyWindow {
            start: SimDuration::from_hours(1),
            length: SimDuration::from_hours(4)
        }
    );
    assert_eq!(s.trt.len(), SrType::ALL.len());
    for sr in SrType::ALL {
        assert_eq!(s.trt[&sr], sr.default_trt());
    }
    assert_eq!(s.resolved_toml, MINIMAL);
}

#[test]
fn full_scenario_reads_every_key() {
    let s = load_ok(FULL, &[]);
    assert_eq!(s.name, "full_1.0-x");
    assert_eq!(s.description, "all keys");
    assert_eq!(s.duration, SimDuration::from_days(7));
    assert_eq!(s.start_date, "2024-02-29");
    assert_eq!(s.sample_interval, SimDuration::from_secs(60));
    assert_eq!(s.population.premises, defaults::MAX_PREMISES);
    assert_eq!(s.population.gas_share, 0.5);
    assert_eq!(
        (
            s.population.regions.north,
            s.population.regions.central,
            s.population.regions.south
        ),
        (0.5, 0.0, 0.5)
    );
    assert_eq!(s.dsp.workers, 8);
    assert_eq!(
        s.dsp.service_time,
        Dist::Const(SimDuration::from_millis(10))
    );
    assert_eq!(
        s.dsp.response_service_time,
        Dist::Uniform {
            min: SimDuration::from_secs(1),
            max: SimDuration::from_secs(3)
        }
    );
    assert_eq!(s.csp.north.technology, Technology::Mesh);
    assert_eq!(s.csp.north.workers, 10);
    assert_eq!(
        s.csp.north.latency,
        defaults::wan_latency(Technology::Mesh),
        "the latency default follows the technology"
    );
    assert_eq!(
        s.csp.south.service_time,
        Dist::Exp {
            mean: SimDuration::from_millis(50)
        }
    );
    assert_eq!(
        s.csp.south.latency,
        Dist::LogNormal {
            median: SimDuration::from_millis(300),
            sigma: 0.0
        }
    );
    assert_eq!(s.han.latency, Dist::Const(SimDuration::ZERO));
    assert_eq!(
        s.devices.gsme_response,
        Dist::Exp {
            mean: SimDuration::from_secs(2)
        }
    );
    let poisson = &s.traffic[0];
    assert_eq!(poisson.sr, SrType::ReadInstantaneousImport);
    assert_eq!(poisson.device, DeviceType::Gsme);
    assert_eq!(poisson.role, Role::ED);
    assert_eq!(poisson.unknown_device_share, 0.01);
    let Pattern::Poisson {
        per_premises_per_day,
        hourly,
    } = poisson.pattern
    else {
        panic!("expected a Poisson pattern");
    };
    assert_eq!(per_premises_per_day, 0.2);
    // Weights 12×1 + 4×4 = 28 over 24 hours: each 1 becomes 24/28.
    assert!((hourly.iter().sum::<f64>() - 24.0).abs() < 1e-9);
    assert!((hourly[6] - 24.0 / 28.0).abs() < 1e-12);
    assert_eq!(hourly[0], 0.0);
    let window = &s.traffic[1];
    assert_eq!(
        window.role,
        Role::IS,
        "the default role is the device's supplier role"
    );
    assert_eq!(
        window.pattern,
        Pattern::DailyWindow {
            start: SimDuration::from_secs(23 * 3600 + 59 * 60),
            length: SimDuration::from_hours(24)
        }
    );
    assert_eq!(
        s.trt[&SrType::ReadInstantaneousImport],
        SimDuration::from_secs(45)
    );
    assert_eq!(
        s.trt[&SrType::UpdateImportTariff],
        SrType::UpdateImportTariff.default_trt()
    );
}

#[test]
fn gsme_traffic_defaults_to_the_gas_supplier_role() {
    let s = load_ok(
        &edit("sr = \"4.6.1\"", "sr = \"4.6.1\"\ndevice = \"gsme\""),
        &[],
    );
    assert_eq!(s.traffic[0].role, Role::GS);
}

#[test]
fn start_date_may_be_a_toml_date() {
    let s = load_ok(&edit("seed = 7", "seed = 7\nstart_date = 2026-03-01"), &[]);
    assert_eq!(s.start_date, "2026-03-01");
}

#[test]
fn shares_may_miss_one_by_rounding() {
    let text = edit("share = 0.6", "share = 0.1").replacen(
        "share = 0.4",
        "share = 0.2\n[[supplier]]\nname = \"c\"\nshare = 0.7",
        1,
    );
    load_ok(&text, &[]);
}
