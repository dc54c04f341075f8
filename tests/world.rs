//! Behaviour of the first world slice, checked through the binary on the quickstart scenario.

mod common;
use common::*;

fn p(s: &serde_json::Value, flow: &str, field: &str) -> u64 {
    s["latency"][flow][field]
        .as_u64()
        .unwrap_or_else(|| panic!("{flow}.{field} missing"))
}

#[test]
fn the_dsp_refuses_ineligible_roles_and_unknown_devices() {
    let out = scratch("refusals");
    let s = run_ok("scenarios/quickstart.toml", &out, SMALL);
    // Every Other User read is refused E3 (about 0.005 × 3000 = 15 a day).
    assert!(counter_sum(&s, "sr.rejected{code=E3,sr=4.1.1}") >= 5);
    // Reads naming unknown devices are refused E19 and counted under region=unknown.
    let unknown = counter_sum(&s, "sr.requested{region=unknown");
    assert_eq!(counter_sum(&s, "sr.rejected{code=E19"), unknown);
    // Nothing an eligible role sends to a known device is refused.
    assert_eq!(counter_sum(&s, "sr.rejected{code=E3,sr=4.6.1}"), 0);
}

#[test]
fn daily_reads_reach_every_meter_once() {
    let out = scratch("daily");
    let s = run_ok("scenarios/quickstart.toml", &out, SMALL);
    let esme_and_gsme = counter_sum(&s, "sr.requested{region=north,sr=4.6.1}")
        + counter_sum(&s, "sr.requested{region=central,sr=4.6.1}")
        + counter_sum(&s, "sr.requested{region=south,sr=4.6.1}");
    // 3000 electricity meters + about 70% as many gas meters.
    assert!(
        (3000 + 1900..=3000 + 2300).contains(&esme_and_gsme),
        "{esme_and_gsme}"
    );
}

#[test]
fn north_long_range_radio_is_slower_than_cellular() {
    let out = scratch("regions");
    let s = run_ok("scenarios/quickstart.toml", &out, SMALL);
    let north = p(&s, "sr.e2e{region=north,sr=4.6.1}", "p50_us");
    let central = p(&s, "sr.e2e{region=central,sr=4.6.1}", "p50_us");
    assert!(
        north > central + 2_000_000,
        "north p50 {north} µs vs central {central} µs"
    );
}

#[test]
fn a_starved_dsp_queues_and_misses_trt() {
    let (a, b) = (scratch("dsp-ok"), scratch("dsp-starved"));
    let ok = run_ok("scenarios/quickstart.toml", &a, SMALL);
    let mut extra = SMALL.to_vec();
    extra.extend_from_slice(&[
        "--set",
        "dsp.workers=1",
        "--set",
        "dsp.service_time={ dist = \"const\", value = \"3s\" }",
    ]);
    let starved = run_ok("scenarios/quickstart.toml", &b, &extra);
    assert!(p(&starved, "dsp.wait", "p99_us") > 10 * p(&ok, "dsp.wait", "p99_us").max(1_000));
    let within = |s: &serde_json::Value| {
        s["latency"]["sr.e2e{region=central,sr=4.6.1}"]["within_trt"]
            .as_f64()
            .unwrap()
    };
    assert!(within(&ok) > 0.95, "healthy DSP: {}", within(&ok));
    assert!(
        within(&starved) < within(&ok) - 0.2,
        "starved {} vs healthy {}",
        within(&starved),
        within(&ok)
    );
}

#[test]
fn per_hop_flows_account_for_every_visit() {
    let out = scratch("hops");
    // A HAN that never loses a message (houses only, a silent band), so that no request ends
    // early with E21 and every completed SR made every visit.
    let mut extra = SMALL.to_vec();
    extra.extend_from_slice(LOSSLESS_HAN);
    let s = run_ok("scenarios/quickstart.toml", &out, &extra);
    assert_eq!(s["in_flight_at_end"], 0, "the quickstart day ends quiet");
    assert_eq!(counter_sum(&s, "sr.rejected{code=E21"), 0);
    let count = |flow: &str| p(&s, flow, "count");
    let completed = |sr: &str| {
        counter_sum(&s, &format!("sr.completed{{region=north,sr={sr}}}"))
            + counter_sum(&s, &format!("sr.completed{{region=central,sr={sr}}}"))
            + counter_sum(&s, &format!("sr.completed{{region=south,sr={sr}}}"))
    };
    for region in ["north", "central", "south"] {
        let done = counter_sum(&s, &format!("sr.completed{{region={region},sr=4.6.1}}"));
        // One device visit, and two crossings of each network and the CSP, per completed SR.
        assert_eq!(
            count(&format!("sr.hop{{hop=device,region={region},sr=4.6.1}}")),
            done
        );
        for hop in ["han", "wan", "csp"] {
            assert_eq!(
                count(&format!("sr.hop{{hop={hop},region={region},sr=4.6.1}}")),
                2 * done,
                "{hop} in {region}"
            );
        }
    }
    // The DSP sees a read twice (request, response) and a critical tariff update three times
    // (transform, signed command, response).
    assert_eq!(count("sr.hop{hop=dsp,sr=4.6.1}"), 2 * completed("4.6.1"));
    assert_eq!(count("sr.hop{hop=dsp,sr=1.1.1}"), 3 * completed("1.1.1"));
    // North's long-range radio is the slow WAN.
    assert!(
        p(&s, "sr.hop{hop=wan,region=north,sr=4.6.1}", "p50_us")
            > 2 * p(&s, "sr.hop{hop=wan,region=central,sr=4.6.1}", "p50_us")
    );
}
