//! The scenario library's own claims, checked against the binary (issue 14, items 9 and 10):
//! the index's premises counts and durations against `dccsim validate`, and quickstart's starved
//! DSP against a run of the `--set` combination its comment gives.

mod common;
use common::{dccsim, run_ok, scratch, series};

/// A number written with thousands separators ("1,500") as a number.
fn number(text: &str) -> u64 {
    text.replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("{text:?}"))
}

/// `(existing, new)` premises in an index row's "Scale and time" cell: "20,000 premises",
/// "5,000 premises + 2,550 installed", "1,500 new premises".
fn index_premises(cell: &str) -> (Option<u64>, u64) {
    let words: Vec<&str> = cell.split_whitespace().collect();
    let at = |w: &str| {
        words
            .iter()
            .position(|x| x.trim_end_matches([',', ')']) == w)
    };
    match (at("new"), at("installed")) {
        (Some(i), _) => (None, number(words[i - 1])),
        (None, Some(i)) => (Some(number(words[0])), number(words[i - 1])),
        (None, None) => (Some(number(words[0])), 0),
    }
}

/// `(existing, new, duration)` from validate's line
/// `ok FILE (NAME: 1 premises + 1500 new by installation waves, 5d)`.
fn validated(line: &str) -> (u64, u64, String) {
    let inner = line.split_once(": ").unwrap().1.trim_end_matches(')');
    let (premises, duration) = inner.rsplit_once(", ").unwrap();
    let words: Vec<&str> = premises.split_whitespace().collect();
    let new = if words.len() > 2 { number(words[3]) } else { 0 };
    (number(words[0]), new, duration.to_string())
}

/// "1 day", "34 h", "12 hours", "3 days" → "1d", "34h", "12h", "3d" (validate's form).
fn index_duration(cell: &str) -> Option<String> {
    let words: Vec<&str> = cell.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    words.windows(2).find_map(|w| {
        let n: u64 = w[0].parse().ok()?;
        match w[1] {
            "day" | "days" => Some(format!("{n}d")),
            "h" | "hours" => Some(format!("{n}h")),
            _ => None,
        }
    })
}

#[test]
fn the_scenario_index_states_what_validate_reads() {
    let index = std::fs::read_to_string("scenarios/README.md").unwrap();
    let mut checked = 0;
    for row in index.lines().filter(|l| l.starts_with("| [`")) {
        let cells: Vec<&str> = row.split(" | ").collect();
        let file = cells[0]
            .split("](")
            .nth(1)
            .and_then(|r| r.split(')').next())
            .unwrap();
        let scale = cells.last().unwrap().trim_end_matches(" |");
        let path = format!("scenarios/{file}");
        let o = dccsim(&["validate", &path]);
        assert!(
            o.status.success(),
            "{path}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let stdout = String::from_utf8_lossy(&o.stdout);
        // The first line; the second is the run's estimated memory and events.
        let (existing, new, duration) = validated(stdout.lines().next().unwrap_or("").trim());
        let (claimed_existing, claimed_new) = index_premises(scale);
        assert_eq!(claimed_new, new, "{file}: index says {scale:?}");
        if let Some(e) = claimed_existing {
            assert_eq!(e, existing, "{file}: index says {scale:?}");
        }
        assert_eq!(
            index_duration(scale).as_deref(),
            Some(duration.as_str()),
            "{file}: index says {scale:?}"
        );
        checked += 1;
    }
    let files = std::fs::read_dir("scenarios")
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "toml")
        })
        .count();
    assert_eq!(checked, files, "one index row per library scenario");
}

/// The combination quickstart.toml gives for a starved DSP: one worker at 400 ms a request.
const STARVED: [&str; 4] = [
    "--set",
    "dsp.workers=1",
    "--set",
    "dsp.service_time={ dist = \"const\", value = \"400ms\" }",
];

/// Item 9: the comment's starved DSP visibly queues and misses TRT; as written, nothing queues.
/// (Before, the comment claimed `--set dsp.workers=2` starved it: nothing queued.)
#[test]
fn quickstarts_starved_dsp_queues_and_misses_its_trt() {
    let text = std::fs::read_to_string("scenarios/quickstart.toml").unwrap();
    assert!(
        text.contains("--set dsp.workers=1 \\\n#       --set 'dsp.service_time={ dist = \"const\", value = \"400ms\" }'"),
        "the comment gives the combination this test runs"
    );
    let dir = scratch("quickstart-starved");
    let starved = run_ok("scenarios/quickstart.toml", &dir.join("starved"), &STARVED);
    let written = run_ok("scenarios/quickstart.toml", &dir.join("written"), &[]);
    let wait_p99 = |s: &serde_json::Value| s["latency"]["dsp.wait"]["p99_us"].as_u64().unwrap();
    assert_eq!(wait_p99(&written), 0);
    assert!(
        wait_p99(&starved) > 30 * 60_000_000,
        "{}",
        wait_p99(&starved)
    );
    let peak = series(&dir.join("starved"), "dsp.queue")
        .into_iter()
        .map(|(_, v)| v)
        .max()
        .unwrap();
    assert!(peak > 5_000, "dsp.queue peaks at {peak}");
    // Daily reads: almost none within their TRT.
    let (mut n, mut within) = (0.0, 0.0);
    for (name, flow) in starved["latency"].as_object().unwrap() {
        if name.starts_with("sr.e2e{") && name.ends_with("sr=4.6.1}") {
            let count = flow["count"].as_f64().unwrap();
            n += count;
            within += count * flow["within_trt"].as_f64().unwrap();
        }
    }
    assert!(within / n < 0.05, "{}", within / n);
    std::fs::remove_dir_all(&dir).unwrap();
}
