//! The sweep page (`dccsim report STORE --html`): a tiny 2 × 2 sweep with 2 replications is
//! drawn with every swept parameter, a chart of a figure against each parameter with one marker
//! per point on one line per value of the other parameter, and confidence bars centred on the
//! store's own mean; the page is the same bytes for the same results; bad input is exit 2 with
//! nothing written.

mod common;
use common::{dccsim, scratch, tiny_sweep};
use rusqlite::Connection;
use std::path::Path;

/// A figure whose value differs between replications (seeded arrivals).
const FIGURE: &str = "sr.requested{region=north,sr=4.1.1}";
const PARAMETERS: [&str; 2] = ["dsp.workers", "traffic.0.per_premises_per_day"];

fn report_html(store: &Path, extra: &[&str]) -> std::process::Output {
    let mut a = vec!["report", store.to_str().unwrap(), "--html"];
    a.extend_from_slice(extra);
    dccsim(&a)
}

/// The value of attribute `name` in the start tag `tag`.
fn attr<'a>(tag: &'a str, name: &str) -> &'a str {
    let key = format!(" {name}=\"");
    let at = tag
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {tag}"));
    let rest = &tag[at + key.len()..];
    &rest[..rest.find('"').unwrap()]
}

/// The `<figure>` of `figure` against `parameter`.
fn chart<'a>(page: &'a str, figure: &str, parameter: &str) -> &'a str {
    let start =
        format!("<figure class=\"chart\" data-figure=\"{figure}\" data-parameter=\"{parameter}\">");
    let at = page
        .find(&start)
        .unwrap_or_else(|| panic!("no chart of {figure} against {parameter}"));
    let rest = &page[at..];
    &rest[..rest.find("</figure>").unwrap()]
}

#[test]
fn sweep_page_draws_each_parameter_with_bars_on_the_stores_means() {
    let dir = scratch("sweep-html");
    let store = dir.join("tiny.sqlite");
    let o = tiny_sweep(&store, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Default page path: the store's, with .html.
    let o = report_html(&store, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page_path = dir.join("tiny.html");
    assert!(String::from_utf8_lossy(&o.stdout).contains(&page_path.display().to_string()));
    let page = std::fs::read_to_string(&page_path).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
    assert!(!page.contains("<script") && !page.contains("<img") && !page.contains("<link"));
    assert!(page.contains("<h1>capacity-sweep</h1>"));
    assert!(page.contains(&format!("<code data-store>{}</code>", store.display())));
    assert!(page.contains("data-key=\"runs ok\" data-value=\"8\""));
    assert!(page.contains("data-key=\"runs failed\" data-value=\"0\""));
    assert!(page.contains("data-key=\"replications per point\" data-value=\"2\""));
    let conn =
        Connection::open_with_flags(&store, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let hash: String = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'scenario_hash'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(page.contains(&format!("<code data-scenario-hash>{hash}</code>")));

    // Every swept parameter, with its values.
    assert!(page.contains(
        "<tr data-parameter=\"dsp.workers\"><td><code>dsp.workers</code></td><td><code>1, 2</code>"
    ));
    assert!(page.contains("<code>3.0, 30.0</code>"));

    // Each point's parameter values, and the store's mean of FIGURE there.
    let value_of = |point: i64, key: &str| -> String {
        conn.query_row(
            "SELECT p.value FROM parameters p JOIN runs USING (run) WHERE point = ?1 AND key = ?2 \
             LIMIT 1",
            rusqlite::params![point, key],
            |r| r.get(0),
        )
        .unwrap()
    };
    let mean_of = |point: i64| -> f64 {
        conn.query_row(
            "SELECT avg(c.value) FROM counters c JOIN runs USING (run) \
             WHERE point = ?1 AND status = 'ok' AND name = ?2",
            rusqlite::params![point, FIGURE],
            |r| r.get(0),
        )
        .unwrap()
    };
    let mut replicated_spread = 0.0;
    for (i, parameter) in PARAMETERS.iter().enumerate() {
        let other = PARAMETERS[1 - i];
        let svg = chart(&page, FIGURE, parameter);
        // One line per value of the other parameter.
        let lines: Vec<&str> = svg.split("<polyline").skip(1).collect();
        assert_eq!(lines.len(), 2, "{parameter}");
        let mut seen_points = Vec::new();
        for line in lines {
            let colour = attr(line, "stroke");
            let held = attr(line, "data-line").to_string();
            assert!(held.starts_with(&format!("{other}=")), "{held}");
            // Its markers: one per value of the swept parameter, each a point holding `held`.
            let markers: Vec<&str> = svg
                .split("<circle")
                .skip(1)
                .filter(|m| attr(m, "fill") == colour)
                .collect();
            let mut xs: Vec<String> = markers
                .iter()
                .map(|m| {
                    let point: i64 = attr(m, "data-point").parse().unwrap();
                    seen_points.push(point);
                    assert_eq!(format!("{other}={}", value_of(point, other)), held);
                    value_of(point, parameter)
                })
                .collect();
            xs.sort();
            let mut expected: Vec<String> = if i == 0 {
                vec!["1".into(), "2".into()]
            } else {
                vec!["3.0".into(), "30.0".into()]
            };
            expected.sort();
            assert_eq!(xs, expected, "{parameter} line {held}");
        }
        seen_points.sort();
        assert_eq!(
            seen_points,
            [0, 1, 2, 3],
            "every point once against {parameter}"
        );

        // Each bar (drawn just before its marker) is centred on the marker, and the marker
        // carries the store's mean.
        for piece in svg.split("<path d=\"M").skip(1) {
            let bar = &piece[..piece.find('"').unwrap()];
            let ys: Vec<f64> = bar
                .split(['M', 'H'])
                .next()
                .unwrap()
                .split([' ', 'V'])
                .skip(1)
                .map(|v| v.parse().unwrap())
                .collect();
            let marker = &piece[piece.find("<circle").unwrap()..];
            let cy: f64 = attr(marker, "cy").parse().unwrap();
            assert!(((ys[0] + ys[1]) / 2.0 - cy).abs() <= 0.1, "{bar} vs {cy}");
            replicated_spread += (ys[0] - ys[1]).abs();
            let point: i64 = attr(marker, "data-point").parse().unwrap();
            let mean: f64 = attr(marker, "data-mean").parse().unwrap();
            let stored = mean_of(point);
            assert!(
                (mean - stored).abs() <= 1e-9 * stored.abs().max(1.0),
                "point {point}: page {mean}, store {stored}"
            );
        }
        assert_eq!(svg.matches("class=\"ci\"").count(), 4, "one bar per point");
    }
    assert!(
        replicated_spread > 0.0,
        "replications differ, so bars have length"
    );

    // Latency flows are charted too: compliance of each end-to-end flow against each parameter.
    for parameter in PARAMETERS {
        chart(&page, "sr.e2e{region=north,sr=4.1.1} within_trt", parameter);
        chart(&page, "dsp.queue final", parameter);
    }

    // The same store gives the same bytes; so does an independent rerun of the same sweep (with
    // other --jobs), apart from the store's path: nothing on the page depends on the wall clock.
    let again = dir.join("again.html");
    let o = report_html(&store, &["--out", again.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_to_string(&again).unwrap(), page);
    let other_store = dir.join("other.sqlite");
    assert!(tiny_sweep(&other_store, &["--jobs", "1"]).status.success());
    let other_page = dir.join("other-page.html");
    let o = report_html(&other_store, &["--out", other_page.to_str().unwrap()]);
    assert!(o.status.success());
    assert_eq!(
        std::fs::read_to_string(&other_page)
            .unwrap()
            .replace(&other_store.display().to_string(), "STORE"),
        page.replace(&store.display().to_string(), "STORE")
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// Refused with exit 2, a message containing `why`, and no page written.
fn refused(path: &Path, extra: &[&str], why: &str) {
    let o = report_html(path, extra);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}: {err}", path.display());
    assert!(err.contains(why), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!path.with_extension("html").exists(), "a page was written");
}

#[test]
fn bad_stores_are_refused_and_no_page_is_written() {
    let dir = scratch("sweep-html-bad");
    let text = dir.join("notes.sqlite");
    std::fs::write(&text, "not a database\n".repeat(10)).unwrap();
    refused(&text, &[], "is not a results store");

    let foreign = dir.join("foreign.sqlite");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
        .unwrap();
    refused(&foreign, &[], "not a dccsim results store");

    // A store whose runs were all removed: nothing to draw.
    let empty = dir.join("empty.sqlite");
    assert!(tiny_sweep(&empty, &["--shard", "0/8"]).status.success());
    let conn = Connection::open(&empty).unwrap();
    for table in [
        "expectations",
        "series",
        "scalars",
        "gauges_final",
        "latency",
        "counters",
        "parameters",
        "runs",
    ] {
        conn.execute(&format!("DELETE FROM {table}"), []).unwrap();
    }
    drop(conn);
    refused(&empty, &[], "no completed runs");

    refused(
        &dir.join("missing.sqlite"),
        &[],
        "no such run directory or results store",
    );

    // A page that cannot be written: exit 2, and no temporary file left.
    let store = dir.join("ok.sqlite");
    assert!(tiny_sweep(&store, &["--shard", "1/8"]).status.success());
    let nowhere = dir.join("no-such-folder").join("page.html");
    refused(
        &store,
        &["--out", nowhere.to_str().unwrap()],
        "cannot write the page",
    );
    assert!(!dir.join("no-such-folder").exists());

    // That shard's store holds run 1 alone: the page counts run 0 as not in this store.
    let shard_page = dir.join("shard.html");
    let o = report_html(&store, &["--out", shard_page.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = std::fs::read_to_string(&shard_page).unwrap();
    assert!(page.contains("data-key=\"runs ok\" data-value=\"1\""));
    assert!(page.contains("data-key=\"runs not in this store\" data-value=\"1\""));

    // --out belongs to a store's page.
    let o = dccsim(&["report", dir.to_str().unwrap(), "--html", "--out", "x.html"]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_sweep_answers_its_question_first_on_the_page_and_the_terminal() {
    let dir = scratch("sweep-answer");
    let store = dir.join("answer.sqlite");
    // A threshold inside the spread of the tiny sweep, so some points pass and some fail; at
    // seed 9 both runs of point 0 (1 DSP worker, 3 reads a day) miss it.
    let o = tiny_sweep(
        &store,
        &["--set", "expect.0.value=0.999", "--set", "scenario.seed=9"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let o = dccsim(&["report", store.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success());
    assert!(
        out.starts_with("Expectations (the sweep's question):"),
        "{out}"
    );
    let answer = out.split("\npoint 0:").next().unwrap();
    assert!(
        answer.contains("sr.e2e{sr=4.1.1} within_trt >= 0.999"),
        "{answer}"
    );
    assert!(answer.contains("point 0 FAILED 0/2 runs"), "{answer}");
    assert!(
        answer.contains("traffic.0.per_premises_per_day fails at 3.0,"),
        "{answer}"
    );

    let o = dccsim(&["report", store.to_str().unwrap(), "--html"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = std::fs::read_to_string(dir.join("answer.html")).unwrap();
    let answer_at = page
        .find("<section id=\"answer\">")
        .expect("an answer section");
    assert!(answer_at < page.find("<section id=\"parameters\">").unwrap());
    let section = &page[answer_at..page[answer_at..].find("</section>").unwrap() + answer_at];
    assert!(section.contains("<li data-crossing>traffic.0.per_premises_per_day fails at 3.0"));
    assert!(
        section.contains("data-point=\"0\" data-outcome=\"failed\""),
        "{section}"
    );
    assert_eq!(section.matches("data-outcome=").count(), 4);
    // One chart per parameter, shares on the nines scale, the threshold drawn.
    assert_eq!(
        section
            .matches("<figure class=\"chart\" data-answer=\"0\"")
            .count(),
        2
    );
    assert!(section.contains("share within TRT (nines)"));
    assert!(
        section.contains(">99%<") && section.contains(">99.9%<"),
        "{section}"
    );
    assert_eq!(section.matches("class=\"trt\"").count(), 2);
    assert!(section.contains("expected 99.90%"));
    // The latency section's shares are on the nines scale too.
    assert!(page[answer_at + section.len()..].contains("share within TRT (nines)"));
}
