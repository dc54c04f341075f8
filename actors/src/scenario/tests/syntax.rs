//! TOML syntax and the file's structure: located syntax errors, unknown and missing keys and tables.

use super::*;

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
