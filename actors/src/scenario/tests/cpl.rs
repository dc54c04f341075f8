//! The CPL sections: entries, defaults, the timeline, and overrides reaching them.

use crate::cpl::config::entry::Required;
use crate::cpl::config::{Event, Signing};
use crate::scenario::{defaults, parse};
use dccsim_sim::SimDuration;

const BASE: &str = r#"[scenario]
name = "cpl"
seed = 1
duration = "2d"
start_date = "2026-01-05"

[population]
premises = 10

[[supplier]]
name = "alpha"
share = 1.0

[[device_model]]
id = "e1"
type = "esme-single"
manufacturer = "Acme"
model = "E1"
hardware = "1.0"
firmware = "1.0"
share = 0.5

[[device_model]]
id = "e2"
type = "esme-single"
manufacturer = "Acme"
model = "E2"
hardware = "1.0"
firmware = "1.0"
share = 0.5

[[device_model]]
id = "p1"
type = "ppmid"
manufacturer = "Acme"
model = "P1"
hardware = "1.0"
firmware = "1.0"
share = 1.0

[[cpl_entry]]
id = "e1-a"
model = "e1"
gbcs_version = "2.0"
zigbee_certificate = "ZB-1"
dlms_certificate = "DL-1"
cpa_certificate = { id = "CPA-1", expires = "2030-01-01" }

[[cpl_entry]]
id = "e2-a"
model = "e2"
in_force = false
gbcs_version = "9.9"

[[cpl_entry]]
id = "p1-a"
model = "p1"
zigbee_certificate = "ZB-P"

[[timeline]]
at = "2026-01-06"
event = "publish_extract"
add = ["e2-a"]
signature = "tampered"

[[timeline]]
at = "1h"
event = "dsp_learns_gbcs"
version = "9.9"
"#;

#[test]
fn reads_entries_defaults_and_a_sorted_timeline() {
    let s = parse(BASE, "cpl.toml", &[]).unwrap();
    let cpl = &s.cpl;
    assert_eq!(cpl.entries.len(), 3);
    assert_eq!(cpl.apply_delay, defaults::CPL_APPLY_DELAY);
    // The DSP knows the GBCS versions of the entries in force at the start.
    assert_eq!(cpl.known_gbcs, ["2.0", defaults::CPL_GBCS_VERSION]);
    assert_eq!(
        cpl.entries[2].required,
        Required {
            zigbee: true,
            cpa: false,
            dlms: false
        }
    );
    assert_eq!(cpl.entries[0].certified_firmware, "1.0");
    // Models with entries are listed exactly when one is in force.
    let listed: Vec<bool> = s.device_models.iter().map(|m| m.listed).collect();
    assert_eq!(&listed[..3], [true, false, true]);
    // Events in time order, dates turned into offsets from the start.
    assert_eq!(cpl.timeline[0].at, SimDuration::from_hours(1));
    assert_eq!(cpl.timeline[1].at, SimDuration::from_days(1));
    assert_eq!(
        cpl.timeline[1].event,
        Event::PublishExtract {
            add: vec![1],
            remove: vec![],
            signing: Signing::Tampered
        }
    );
}

#[test]
fn overrides_reach_the_cpl_sections() {
    let sets = [
        "cpl.apply_delay={ dist = \"const\", value = \"2h\" }".to_string(),
        "timeline.0.signature=missing".to_string(),
    ];
    let s = parse(BASE, "cpl.toml", &sets).unwrap();
    assert_eq!(
        s.cpl.apply_delay,
        crate::dist::Dist::Const(SimDuration::from_hours(2))
    );
    assert!(matches!(
        s.cpl.timeline[1].event,
        Event::PublishExtract {
            signing: Signing::Missing,
            ..
        }
    ));
}
