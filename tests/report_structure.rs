//! report.html and the sweep page, checked structurally without a browser (the default suite
//! needs nothing but the Rust toolchain; `report_browser.rs` loads the same pages in headless
//! Chromium when `.ci/run` asks for it):
//! - the page parses as HTML5 with no parse error (html5ever, through `scraper`);
//! - every section a reader expects is there, with its heading;
//! - every `<svg>` is well-formed XML on its own (so any SVG viewer or XML tool can lift it out);
//! - the page is self-contained: no script, no external resource.

mod common;
use common::*;
use scraper::{Html, Selector};
use std::path::Path;

fn select(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// The checks every page gets; returns the parsed document for page-specific ones.
fn well_formed(path: &Path, sections: &[&str]) -> Html {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = Html::parse_document(&text);
    assert!(
        doc.errors.is_empty(),
        "{}: HTML parse errors: {:?}",
        path.display(),
        doc.errors
    );
    assert!(text.starts_with("<!DOCTYPE html>"), "{}", path.display());
    for id in sections {
        let sel = select(&format!("section#{id}"));
        let section = doc.select(&sel).next();
        let section = section.unwrap_or_else(|| panic!("{}: no section #{id}", path.display()));
        assert!(
            section.select(&select("h2")).next().is_some(),
            "{}: section #{id} has no heading",
            path.display()
        );
    }
    assert!(doc.select(&select("script")).next().is_none(), "a script");
    for (tag, attr) in [("img", "src"), ("link", "href"), ("iframe", "src")] {
        assert!(
            doc.select(&select(&format!("{tag}[{attr}]")))
                .next()
                .is_none(),
            "{}: an external {tag}",
            path.display()
        );
    }
    // Each SVG as the parser saw it, and as text: the same number, and each one parses as XML.
    let parsed = doc.select(&select("svg")).count();
    let mut rest = text.as_str();
    let mut svgs = 0;
    while let Some(start) = rest.find("<svg") {
        let end = start + rest[start..].find("</svg>").expect("an <svg> is closed") + 6;
        let svg = &rest[start..end];
        assert!(
            !svg.contains("NaN") && !svg.contains("inf"),
            "{}: SVG #{svgs} has a non-finite coordinate\n{svg}",
            path.display()
        );
        if let Err(e) = roxmltree::Document::parse(svg) {
            panic!(
                "{}: SVG #{svgs} is not well-formed XML: {e}\n{svg}",
                path.display()
            );
        }
        svgs += 1;
        rest = &rest[end..];
    }
    assert_eq!(svgs, parsed, "{}: SVGs in text vs parsed", path.display());
    doc
}

#[test]
fn run_report_is_well_formed_html_with_every_section_and_xml_svgs() {
    let dir = scratch("structure-run");
    let out = dir.join("run");
    run_ok("scenarios/quickstart.toml", &out, SMALL);
    let doc = well_formed(
        &out.join("report.html"),
        &[
            "headline",
            "expectations",
            "flows",
            "percentiles",
            "over-time",
            "series",
            "refusals",
            "figures",
            "reproduce",
            "manifest",
        ],
    );
    let charts = doc.select(&select("section#percentiles svg")).count();
    assert!(charts >= 1, "no percentile chart");
    assert!(doc.select(&select("section#series svg")).count() >= 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sweep_page_is_well_formed_html_with_every_section_and_xml_svgs() {
    let dir = scratch("structure-sweep");
    let store = dir.join("tiny.sqlite");
    let o = tiny_sweep(&store, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = dccsim(&["report", store.to_str().unwrap(), "--html"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc = well_formed(
        &dir.join("tiny.html"),
        &["answer", "parameters", "latency", "counters", "runs"],
    );
    assert!(doc.select(&select("section#latency svg")).count() >= 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_checks_catch_a_broken_svg_and_a_missing_section() {
    let dir = scratch("structure-control");
    let page = dir.join("bad.html");
    let head = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>t</title>\
                </head><body>";
    std::fs::write(
        &page,
        format!("{head}<section id=\"a\"><h2>A</h2><svg><g><rect/></svg></section></body></html>"),
    )
    .unwrap();
    let bad_svg = std::panic::catch_unwind(|| well_formed(&page, &["a"]));
    assert!(bad_svg.is_err(), "an unclosed <g> passed");
    std::fs::write(
        &page,
        format!("{head}<section id=\"a\"><h2>A</h2><svg><g/></svg></section></body></html>"),
    )
    .unwrap();
    well_formed(&page, &["a"]);
    let missing = std::panic::catch_unwind(|| well_formed(&page, &["a", "b"]));
    assert!(missing.is_err(), "a missing section passed");
    std::fs::remove_dir_all(&dir).unwrap();
}
