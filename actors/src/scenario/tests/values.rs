//! Values: types, units, ranges, sums of shares, names from lists.

use super::*;

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
