//! Every rule of the scenario loader: what it accepts, and the message and place of what it refuses.

use super::*;
use crate::dist::Dist;
use crate::region::Technology;
use crate::sr::{DeviceType, Role, SrType};
use dccsim_sim::SimDuration;

/// The smallest useful scenario.
const MINIMAL: &str = r#"[scenario]
name = "tiny"
seed = 7
duration = "1h"

[population]
premises = 1000

[[supplier]]
name = "alpha"
share = 0.6

[[supplier]]
name = "beta"
share = 0.4

[[traffic]]
sr = "4.6.1"
window = { start = "01:00", length = "4h" }
"#;

/// Every key of the schema, set to something other than its default.
const FULL: &str = r#"# A scenario that sets everything.
[scenario]
name = "full_1.0-x"
description = "all keys"
seed = 42
duration = "7d"
start_date = "2024-02-29"
sample_interval = "1min"

[population]
premises = 268435455
gas_share = 0.5
regions = { north = 0.5, south = 0.5 }

[[supplier]]
name = "alpha"
share = 1

[dsp]
workers = 8
service_time = { dist = "const", value = "10ms" }
response_service_time = { dist = "uniform", min = "1s", max = "3s" }

[csp.north]
technology = "mesh"
workers = 10

[csp.south]
service_time = { dist = "exp", mean = "50ms" }
latency = { dist = "lognormal", median = "300ms", sigma = 0 }

[han]
latency = { dist = "const", value = "0s" }

[devices]
esme_response = { dist = "exp", mean = "1s" }
gsme_response = { dist = "exp", mean = "2s" }

[[traffic]]
sr = "4.1.1"
device = "gsme"
role = "ED"
per_premises_per_day = 0.2
hourly = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 4, 4, 4, 0, 0]
unknown_device_share = 0.01

[[traffic]]
sr = "1.1.1"
window = { start = "23:59", length = "24h" }

[trt]
"4.1.1" = "45s"
"#;

fn load_ok(text: &str, sets: &[&str]) -> Scenario {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    match parse(text, "t.toml", &sets) {
        Ok(s) => s,
        Err(e) => panic!("expected a valid scenario, got:\n{e}"),
    }
}

fn err_with(text: &str, sets: &[&str]) -> ScenarioError {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    match parse(text, "t.toml", &sets) {
        Ok(_) => panic!("expected an error for:\n{text}\nwith {sets:?}"),
        Err(e) => e,
    }
}

fn err(text: &str) -> ScenarioError {
    err_with(text, &[])
}

/// `MINIMAL` with `from` replaced by `to` (which must occur).
fn edit(from: &str, to: &str) -> String {
    assert!(MINIMAL.contains(from), "{from:?} is not in MINIMAL");
    MINIMAL.replacen(from, to, 1)
}

/// 1-based line and column of the first `needle` in `text`.
fn pos(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found"));
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

/// The error is at `at`, its Display starts with `t.toml:LINE:COL: ` and contains every word.
fn check(e: &ScenarioError, at: (usize, usize), words: &[&str]) {
    let shown = e.to_string();
    assert_eq!(e.location(), Some(at), "wrong place for:\n{shown}");
    let prefix = format!("t.toml:{}:{}: ", at.0, at.1);
    assert!(shown.starts_with(&prefix), "{shown:?} lacks {prefix:?}");
    for w in words {
        assert!(e.message().contains(w), "{:?} lacks {w:?}", e.message());
    }
}

/// The error names the override and contains every word.
fn check_set(e: &ScenarioError, set: &str, words: &[&str]) {
    let shown = e.to_string();
    assert_eq!(e.set(), Some(set), "{shown}");
    assert!(shown.starts_with(&format!("--set {set}: ")), "{shown}");
    assert_eq!(e.location(), None);
    for w in words {
        assert!(e.message().contains(w), "{:?} lacks {w:?}", e.message());
    }
}

// ---- what is accepted ----

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

// ---- syntax and structure ----

#[test]
fn toml_syntax_error_is_located() {
    let text = edit("name = \"tiny\"", "name = \"tiny");
    let e = err(&text);
    assert!(e.message().starts_with("TOML syntax error"), "{e}");
    assert_eq!(e.location().map(|l| l.0), Some(2), "{e}");
}

#[test]
fn unquoted_duration_is_a_syntax_error_with_a_hint() {
    let text = edit("duration = \"1h\"", "duration = 1h");
    let e = err(&text);
    check(
        &e,
        pos(&text, "1h"),
        &[
            "TOML syntax error",
            "`1h` of `duration` needs quotes",
            "duration = \"1h\"",
        ],
    );
    let text = edit("duration = \"1h\"", "duration =   # soon");
    check(&err(&text), (4, 14), &["`duration` has no value"]);
    let text = edit("[population]", "[population");
    check(
        &err(&text),
        (6, 12),
        &["TOML syntax error", "expected `.` or `]`"],
    );
}

#[test]
fn duplicate_keys_are_a_syntax_error() {
    let text = edit("seed = 7", "seed = 7\nseed = 8");
    let e = err(&text);
    check(&e, (4, 1), &["TOML syntax error", "duplicate key `seed`"]);
}

#[test]
fn display_shows_the_line_and_a_caret() {
    let text = edit("duration = \"1h\"", "duration = 30");
    let shown = err(&text).to_string();
    assert!(
        shown.ends_with("\n  |\n4 | duration = 30\n  |            ^^"),
        "{shown}"
    );
}

#[test]
fn empty_file_says_what_a_scenario_needs() {
    for text in ["", "  \n\n"] {
        let e = err(text);
        check(
            &e,
            (1, 1),
            &[
                "empty",
                "[scenario]",
                "name, seed and duration",
                "[[supplier]]",
            ],
        );
    }
    let e = err("# nothing but a comment\n");
    check(&e, (1, 1), &["only comments", "[population]"]);
}

#[test]
fn unknown_key_lists_the_valid_keys() {
    let text = edit("seed = 7", "seed = 7\ncolour = \"blue\"");
    let e = err(&text);
    check(
        &e,
        pos(&text, "colour"),
        &[
            "unknown key `colour` in [scenario]",
            "`name`",
            "`sample_interval`",
        ],
    );
}

#[test]
fn misspelt_key_gets_a_suggestion() {
    let text = edit("premises = 1000", "premisses = 1000");
    let e = err(&text);
    check(
        &e,
        pos(&text, "premisses"),
        &["unknown key `premisses` in [population]; did you mean `premises`?"],
    );
}

#[test]
fn misspelt_table_gets_a_suggestion() {
    let text = format!("{MINIMAL}\n[dps]\nworkers = 3\n");
    let e = err(&text);
    check(&e, pos(&text, "dps"), &["`dps`", "did you mean `dsp`?"]);
}

#[test]
fn misspelt_key_in_a_list_entry_gets_a_suggestion() {
    let text = edit("share = 0.4", "shrae = 0.4");
    let e = err(&text);
    check(
        &e,
        pos(&text, "shrae"),
        &["in [[supplier]]", "did you mean `share`?"],
    );
}

#[test]
fn missing_required_key_points_at_its_table() {
    let text = edit("seed = 7\n", "");
    let e = err(&text);
    check(&e, (1, 1), &["[scenario] is missing `seed`", "seed = 7"]);
}

#[test]
fn missing_table_says_what_a_scenario_needs() {
    let text = MINIMAL.replacen("[population]\npremises = 1000\n", "", 1);
    let e = err(&text);
    check(&e, (1, 1), &["no [population] table", "premises"]);
}

#[test]
fn supplier_must_be_a_list_of_tables() {
    let text = MINIMAL.replacen("[[supplier]]\nname = \"beta\"\nshare = 0.4\n", "", 1);
    let text = text.replacen("[[supplier]]", "[supplier]", 1);
    let e = err(&text);
    check(
        &e,
        pos(&text, "[supplier]"),
        &["[[supplier]] (double brackets)"],
    );
}

#[test]
fn a_scenario_needs_a_supplier() {
    let text = MINIMAL.replace("[[supplier]]\nname = \"alpha\"\nshare = 0.6\n\n", "");
    let text = text.replace("[[supplier]]\nname = \"beta\"\nshare = 0.4\n\n", "");
    let e = err(&text);
    check(&e, (1, 1), &["no [[supplier]]"]);
}

// ---- values ----

#[test]
fn duration_without_unit_is_located_at_the_value() {
    let text = edit("duration = \"1h\"", "duration = 30");
    let e = err(&text);
    check(
        &e,
        pos(&text, "30"),
        &[
            "`duration` in [scenario]",
            "duration 30 has no unit",
            "\"30s\"",
        ],
    );
    let text = edit("duration = \"1h\"", "duration = \"30\"");
    let e = err(&text);
    check(
        &e,
        pos(&text, "\"30\""),
        &["duration \"30\" has no unit", "\"30s\""],
    );
}

#[test]
fn bad_duration_strings_are_explained() {
    let text = edit("duration = \"1h\"", "duration = \"3 weeks\"");
    check(&err(&text), pos(&text, "\"3 weeks\""), &["unknown unit"]);
    let text = edit("duration = \"1h\"", "duration = \"0s\"");
    check(&err(&text), pos(&text, "\"0s\""), &["longer than zero"]);
    let text = edit("seed = 7", "seed = 7\nsample_interval = \"0min\"");
    check(
        &err(&text),
        pos(&text, "\"0min\""),
        &["`sample_interval`", "longer than zero"],
    );
}

#[test]
fn wrong_type_says_what_was_expected_and_found() {
    let text = edit("premises = 1000", "premises = \"1000\"");
    let e = err(&text);
    check(
        &e,
        pos(&text, "\"1000\""),
        &[
            "`premises` in [population] must be a whole number",
            "the string \"1000\"",
            "remove the quotes",
        ],
    );
    let text = edit("seed = 7", "seed = 7.5");
    check(&err(&text), pos(&text, "7.5"), &["`seed`", "whole number"]);
    let text = edit("name = \"tiny\"", "name = 3");
    check(
        &err(&text),
        pos(&text, "3"),
        &["`name` in [scenario] must be a string"],
    );
}

#[test]
fn negative_rate_is_refused() {
    let text = edit(
        "window = { start = \"01:00\", length = \"4h\" }",
        "per_premises_per_day = -1",
    );
    let e = err(&text);
    check(
        &e,
        pos(&text, "-1"),
        &["`per_premises_per_day` in [[traffic]] is negative (-1)"],
    );
}

#[test]
fn negative_and_oversized_shares_are_refused() {
    let text = edit("premises = 1000", "premises = 1000\ngas_share = -0.1");
    check(
        &err(&text),
        pos(&text, "-0.1"),
        &["`gas_share`", "negative (-0.1)"],
    );
    let text = edit("share = 0.6", "share = -0.6");
    check(
        &err(&text),
        pos(&text, "-0.6"),
        &["`share` in [[supplier]]", "negative"],
    );
    let text = edit(
        "sr = \"4.6.1\"",
        "sr = \"4.6.1\"\nunknown_device_share = 1.5",
    );
    check(
        &err(&text),
        pos(&text, "1.5"),
        &["more than 1", "between 0 and 1"],
    );
}

#[test]
fn non_finite_numbers_are_refused() {
    let text = edit("premises = 1000", "premises = 1000\ngas_share = nan");
    check(&err(&text), pos(&text, "nan"), &["finite"]);
}

#[test]
fn supplier_shares_must_sum_to_one() {
    let text = edit("share = 0.4", "share = 0.3");
    let e = err(&text);
    check(
        &e,
        pos(&text, "[[supplier]]"),
        &["supplier shares sum to 0.9, not 1", "alpha 0.6 + beta 0.3"],
    );
}

#[test]
fn region_shares_must_sum_to_one() {
    let text = edit(
        "premises = 1000",
        "premises = 1000\nregions = { north = 0.5, central = 0.4 }",
    );
    let e = err(&text);
    check(
        &e,
        pos(&text, "{ north"),
        &["region shares", "sum to 0.9, not 1"],
    );
    let text = edit(
        "premises = 1000",
        "premises = 1000\nregions = { north = -0.5, central = 1.5 }",
    );
    check(&err(&text), pos(&text, "-0.5"), &["`north`", "negative"]);
}

#[test]
fn unknown_region_names_the_regions() {
    let text = edit(
        "premises = 1000",
        "premises = 1000\nregions = { north = 0.5, east = 0.5 }",
    );
    let e = err(&text);
    check(
        &e,
        pos(&text, "east"),
        &["unknown region `east`", "north, central and south"],
    );
    let text = format!("{MINIMAL}\n[csp.east]\nworkers = 3\n");
    let e = err(&text);
    check(
        &e,
        pos(&text, "east"),
        &["unknown region `east` in [csp]", "north, central and south"],
    );
    let text = format!("{MINIMAL}\n[csp.nort]\nworkers = 3\n");
    check(&err(&text), pos(&text, "nort"), &["did you mean `north`?"]);
}

#[test]
fn unknown_sr_number_lists_the_known_ones() {
    let text = edit("sr = \"4.6.1\"", "sr = \"4.1.2\"");
    let e = err(&text);
    check(
        &e,
        pos(&text, "\"4.1.2\""),
        &[
            "unknown SR number \"4.1.2\"",
            "\"1.1.1\" (Update Import Tariff)",
            "\"4.6.1\"",
        ],
    );
    let text = format!("{MINIMAL}\n[trt]\n\"9.9.9\" = \"30s\"\n");
    check(
        &err(&text),
        pos(&text, "\"9.9.9\""),
        &["unknown SR number \"9.9.9\" in [trt]", "\"4.1.1\""],
    );
    let text = format!("{MINIMAL}\n[trt]\n4.1.1 = \"45s\"\n");
    check(
        &err(&text),
        pos(&text, "4.1.1 ="),
        &["must be quoted", "\"4.1.1\" = \"45s\""],
    );
    let e = err_with(MINIMAL, &["trt.4.6.1=45s"]);
    check_set(&e, "trt.4.6.1=45s", &["--set 'trt.\"4.6.1\"=45s'"]);
    let text = format!("{MINIMAL}\n[trt]\n\"4.1.1\" = \"0s\"\n");
    check(&err(&text), pos(&text, "\"0s\""), &["longer than zero"]);
}

#[test]
fn scenario_name_is_safe_for_a_directory() {
    let text = edit("name = \"tiny\"", "name = \"my run\"");
    check(
        &err(&text),
        pos(&text, "\"my run\""),
        &["letters, digits", "' '"],
    );
    let text = edit("name = \"tiny\"", "name = \"\"");
    check(&err(&text), pos(&text, "\"\""), &["is empty"]);
}

#[test]
fn start_date_must_be_a_real_date() {
    for bad in [
        "\"2026-02-29\"",
        "\"2026-13-01\"",
        "\"5 Jan 2026\"",
        "\"2026-1-5\"",
    ] {
        let text = edit("seed = 7", &format!("seed = 7\nstart_date = {bad}"));
        check(
            &err(&text),
            pos(&text, bad),
            &["calendar date written YYYY-MM-DD"],
        );
    }
}

#[test]
fn counts_are_range_checked() {
    let text = edit("premises = 1000", "premises = 0");
    check(
        &err(&text),
        pos(&text, "0"),
        &["between 1 and 268435455, found 0"],
    );
    let text = edit("premises = 1000", "premises = 268435456");
    check(
        &err(&text),
        pos(&text, "268435456"),
        &["between 1 and 268435455"],
    );
    let text = edit("seed = 7", "seed = -7");
    check(&err(&text), pos(&text, "-7"), &["`seed`", "negative"]);
    let text = format!("{MINIMAL}\n[dsp]\nworkers = 0\n");
    let (line, _) = pos(&text, "workers = 0");
    check(
        &err(&text),
        (line, 11),
        &["`workers` in [dsp] must be at least 1, found 0"],
    );
}

#[test]
fn supplier_names_are_unique_and_present() {
    let text = edit("name = \"beta\"", "name = \"alpha\"");
    let at = (text.find("name = \"alpha\"\nshare = 0.4").unwrap(), 0);
    let line = text[..at.0].matches('\n').count() + 1;
    check(&err(&text), (line, 8), &["two suppliers called \"alpha\""]);
    let text = edit("name = \"beta\"", "name = \" \"");
    check(&err(&text), pos(&text, "\" \""), &["must not be empty"]);
    let text = edit("name = \"beta\"\n", "");
    check(
        &err(&text),
        pos(&text, "[[supplier]]\nshare = 0.4"),
        &["[[supplier]] is missing `name`"],
    );
}

#[test]
fn distributions_are_checked() {
    let dsp = |dist: &str| format!("{MINIMAL}\n[dsp]\nservice_time = {dist}\n");
    let text = dsp("{ dist = \"gauss\", mean = \"1s\" }");
    check(
        &err(&text),
        pos(&text, "\"gauss\""),
        &[
            "unknown distribution \"gauss\"",
            "\"const\", \"exp\", \"lognormal\" or \"uniform\"",
        ],
    );
    let text = dsp("{ dist = \"lognormal\", mean = \"1s\", sigma = 0.5 }");
    check(
        &err(&text),
        pos(&text, "mean"),
        &[
            "`mean` is not a parameter of a lognormal distribution",
            "but of exp",
            "lognormal takes `median` and `sigma`",
        ],
    );
    let text = dsp("{ dist = \"lognormal\", meadian = \"1s\", sigma = 0.5 }");
    check(
        &err(&text),
        pos(&text, "meadian"),
        &["did you mean `median`?"],
    );
    let text = dsp("{ dist = \"lognormal\", median = \"1s\" }");
    check(
        &err(&text),
        pos(&text, "{ dist"),
        &["`dsp.service_time` is a lognormal distribution and needs `sigma`"],
    );
    let text = dsp("{ dist = \"lognormal\", median = \"1s\", sigma = -1 }");
    check(&err(&text), pos(&text, "-1"), &["`sigma`", "negative"]);
    let text = dsp("{ dist = \"exp\", mean = 50 }");
    check(&err(&text), pos(&text, "50"), &["duration 50 has no unit"]);
    let text = dsp("{ dist = \"exp\", mean = \"0ms\" }");
    check(&err(&text), pos(&text, "\"0ms\""), &["longer than zero"]);
    let text = dsp("{ dist = \"uniform\", min = \"3s\", max = \"1s\" }");
    check(
        &err(&text),
        pos(&text, "\"1s\""),
        &["`min` must not exceed `max`"],
    );
    let text = dsp("{ value = \"1s\" }");
    check(&err(&text), pos(&text, "{ value"), &["needs `dist`"]);
    let text = dsp("\"40ms\"");
    check(
        &err(&text),
        pos(&text, "\"40ms\""),
        &["must be a distribution such as"],
    );
    let text = format!(
        "{MINIMAL}\n[han]\nlatency = {{ dist = \"const\", value = \"1s\" }}\nlatencey = 1\n"
    );
    check(
        &err(&text),
        pos(&text, "latencey"),
        &["in [han]; did you mean `latency`?"],
    );
}

#[test]
fn csp_technology_is_one_of_three() {
    let text = format!("{MINIMAL}\n[csp.central]\ntechnology = \"satellite\"\n");
    check(
        &err(&text),
        pos(&text, "\"satellite\""),
        &[
            "unknown technology \"satellite\"",
            "\"long-range-radio\", \"cellular\" or \"mesh\"",
        ],
    );
    let text = format!("{MINIMAL}\n[csp.central]\ntechnology = \"celular\"\n");
    check(
        &err(&text),
        pos(&text, "\"celular\""),
        &["did you mean \"cellular\"?"],
    );
}

#[test]
fn traffic_patterns_are_checked() {
    let window = "window = { start = \"01:00\", length = \"4h\" }";
    let text = edit(window, &format!("{window}\nper_premises_per_day = 1"));
    check(
        &err(&text),
        pos(&text, "[[traffic]]"),
        &["both `window` and `per_premises_per_day`"],
    );
    let text = edit(window, "");
    check(
        &err(&text),
        pos(&text, "[[traffic]]"),
        &["needs either `window"],
    );
    let text = edit(window, &format!("{window}\nhourly = [1]"));
    check(
        &err(&text),
        pos(&text, "[1]"),
        &["only applies with `per_premises_per_day`"],
    );
    let text = edit(window, "per_premises_per_day = 1\nhourly = [1, 2]");
    check(
        &err(&text),
        pos(&text, "[1, 2]"),
        &["must have 24 entries", "found 2"],
    );
    let zeros = format!("[{}]", vec!["0"; 24].join(", "));
    let text = edit(
        window,
        &format!("per_premises_per_day = 1\nhourly = {zeros}"),
    );
    check(&err(&text), pos(&text, "[0"), &["all zero"]);
    let mut weights = vec!["1"; 24];
    weights[3] = "-1";
    let text = edit(
        window,
        &format!(
            "per_premises_per_day = 1\nhourly = [{}]",
            weights.join(", ")
        ),
    );
    check(
        &err(&text),
        pos(&text, "-1"),
        &["entry 4 of `hourly`", "negative"],
    );
    let text = edit("\"01:00\"", "\"24:00\"");
    check(
        &err(&text),
        pos(&text, "\"24:00\""),
        &["time of day \"HH:MM\"", "\"23:59\""],
    );
    let text = edit("\"4h\"", "\"25h\"");
    check(&err(&text), pos(&text, "\"25h\""), &["longer than a day"]);
    let text = edit(", length = \"4h\"", "");
    check(&err(&text), pos(&text, "{ start"), &["is missing `length`"]);
    let text = edit("sr = \"4.6.1\"", "sr = \"4.6.1\"\ndevice = \"water\"");
    check(
        &err(&text),
        pos(&text, "\"water\""),
        &["unknown device \"water\"", "\"esme\" or \"gsme\""],
    );
    let text = edit("sr = \"4.6.1\"", "sr = \"4.6.1\"\nrole = \"XX\"");
    check(
        &err(&text),
        pos(&text, "\"XX\""),
        &["unknown DCC User role \"XX\"", "\"RSA\""],
    );
    let text = edit("sr = \"4.6.1\"", "sr = 4.6");
    check(
        &err(&text),
        pos(&text, "4.6"),
        &["`sr` in [[traffic]] must be a string"],
    );
}

// ---- --set overrides ----

#[test]
fn overrides_change_values_and_the_resolved_text() {
    let s = load_ok(
        MINIMAL,
        &[
            "scenario.duration=2h",
            "dsp.workers=3",
            "csp.north.workers=10",
            "trt.\"4.1.1\"=45s",
            "supplier.0.share=0.5",
            "supplier.1.share=0.5",
            "traffic.0.window.start=\"02:30\"",
            "han.latency={ dist = \"exp\", mean = \"1s\" }",
        ],
    );
    assert_eq!(s.duration, SimDuration::from_hours(2));
    assert_eq!(s.dsp.workers, 3);
    assert_eq!(s.csp.north.workers, 10);
    assert_eq!(
        s.trt[&SrType::ReadInstantaneousImport],
        SimDuration::from_secs(45)
    );
    assert_eq!(s.suppliers[0].share, 0.5);
    assert_eq!(
        s.han.latency,
        Dist::Exp {
            mean: SimDuration::from_secs(1)
        }
    );
    assert!(matches!(
        s.traffic[0].pattern,
        Pattern::DailyWindow { start, .. } if start == SimDuration::from_secs(9000)
    ));
    assert!(s.resolved_toml.contains("duration = \"2h\""));
    assert!(s.resolved_toml.contains("[csp.north]"));
    let again = load_ok(&s.resolved_toml, &[]);
    assert_eq!(again.dsp, s.dsp);
}

#[test]
fn a_bad_value_from_an_override_names_the_override() {
    let e = err_with(MINIMAL, &["dsp.workers=-3"]);
    check_set(
        &e,
        "dsp.workers=-3",
        &["`workers` in [dsp] must be at least 1, found -3"],
    );
    let e = err_with(MINIMAL, &["scenario.duration=30"]);
    check_set(&e, "scenario.duration=30", &["duration 30 has no unit"]);
    let e = err_with(MINIMAL, &["traffic.0.window.length=25"]);
    check_set(
        &e,
        "traffic.0.window.length=25",
        &["duration 25 has no unit"],
    );
}

#[test]
fn an_unknown_key_from_an_override_gets_a_suggestion() {
    let e = err_with(MINIMAL, &["dsp.workrs=5"]);
    check_set(
        &e,
        "dsp.workrs=5",
        &["unknown key `workrs` in [dsp]; did you mean `workers`?"],
    );
    let e = err_with(MINIMAL, &["scenario.sed=5"]);
    check_set(&e, "scenario.sed=5", &["did you mean `seed`?"]);
    let e = err_with(MINIMAL, &["csp.east.workers=5"]);
    check_set(
        &e,
        "csp.east.workers=5",
        &["unknown region `east` in [csp]"],
    );
}

#[test]
fn malformed_overrides_are_named() {
    let e = err_with(MINIMAL, &["dsp.workers"]);
    check_set(&e, "dsp.workers", &["KEY=VALUE", "no `=`"]);
    let e = err_with(MINIMAL, &["=3"]);
    check_set(&e, "=3", &["needs a key"]);
    let e = err_with(MINIMAL, &["supplier.2.share=0.1"]);
    check_set(
        &e,
        "supplier.2.share=0.1",
        &["no `supplier.2`", "has 2 entries"],
    );
    let e = err_with(MINIMAL, &["scenario.seed.x=1"]);
    check_set(
        &e,
        "scenario.seed.x=1",
        &["`scenario.seed` is a whole number, not a table"],
    );
}

#[test]
fn an_aggregate_error_after_an_override_mentions_it() {
    let e = err_with(MINIMAL, &["supplier.1.share=0.3"]);
    check(
        &e,
        pos(MINIMAL, "[[supplier]]"),
        &["sum to 0.9, not 1", "(after --set supplier.1.share=0.3)"],
    );
}

#[test]
fn a_conflict_made_by_an_override_is_located_and_mentions_it() {
    let e = err_with(MINIMAL, &["traffic.0.per_premises_per_day=2"]);
    check(
        &e,
        pos(MINIMAL, "[[traffic]]"),
        &[
            "both `window` and `per_premises_per_day`",
            "(after --set traffic.0.per_premises_per_day=2)",
        ],
    );
}

#[test]
fn errors_elsewhere_keep_their_place_in_the_file() {
    let text = edit("premises = 1000", "premises = 0");
    let e = err_with(&text, &["csp.north.workers=10", "dsp.workers=5"]);
    check(&e, pos(&text, "0\n"), &["between 1 and"]);
}

// ---- files ----

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dccsim-scenario-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn load_reads_files_and_explains_what_it_cannot_read() {
    let dir = scratch("load");
    let good = dir.join("good.toml");
    std::fs::write(&good, MINIMAL).unwrap();
    assert_eq!(load(&good, &[]).unwrap().name, "tiny");

    let missing = dir.join("missing.toml");
    let e = load(&missing, &[]).unwrap_err();
    assert_eq!(e.location(), None);
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!("{}: ", missing.display())),
        "{shown}"
    );
    assert!(
        shown.contains("cannot read") && shown.contains("No such file"),
        "{shown}"
    );

    let e = load(&dir, &[]).unwrap_err();
    assert!(e.to_string().starts_with(&format!("{}: ", dir.display())));
    assert!(e.message().contains("is a directory"), "{e}");

    let latin1 = dir.join("latin1.toml");
    std::fs::write(&latin1, b"[scenario]\nname = \"caf\xe9\"\n").unwrap();
    let e = load(&latin1, &[]).unwrap_err();
    assert_eq!(e.location(), Some((2, 12)), "{e}");
    assert!(e.message().contains("not UTF-8"), "{e}");

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, edit("duration = \"1h\"", "duration = 30")).unwrap();
    let shown = load(&bad, &[]).unwrap_err().to_string();
    assert!(
        shown.starts_with(&format!("{}:4:12: ", bad.display())),
        "{shown}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn never_panics_on_damaged_files() {
    // Every truncation and every deleted line of a full scenario: an answer, never a panic.
    let mut damaged: Vec<String> = FULL
        .char_indices()
        .map(|(i, _)| FULL[..i].to_string())
        .collect();
    let lines: Vec<&str> = FULL.lines().collect();
    for skip in 0..lines.len() {
        let kept: Vec<&str> = (0..lines.len())
            .filter(|&i| i != skip)
            .map(|i| lines[i])
            .collect();
        damaged.push(kept.join("\n"));
    }
    for text in &damaged {
        if let Err(e) = parse(text, "t.toml", &[]) {
            assert!(!e.message().is_empty());
            let _ = e.to_string();
        }
    }
}
