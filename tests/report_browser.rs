//! report.html in a real browser: headless Chromium (Debian's `chromium`, installed by `.ci/run`)
//! loads the quickstart report with no console message, every chart's SVG lays out with a
//! non-zero size, and a screenshot is left in the target directory for people to look at.
//!
//! Console messages are read from Chromium's own log (`--enable-logging=stderr --v=0` prints each
//! as a `CONSOLE` line): the page has no script and must not need one, and its
//! Content-Security-Policy makes any attempt to load something from outside a logged error, so a
//! clean log also means a self-contained page. A control page with a deliberate error proves the
//! log is being read. Sizes are measured by a script injected into a test-only copy of the page
//! (the page itself has none), which writes each SVG's `getBoundingClientRect` into the DOM that
//! `--dump-dom` prints.
//!
//! The sweep page of a tiny results store gets the same checks (its collapsed groups opened
//! before measuring).
//!
//! These tests need `/usr/bin/chromium`, so they are `#[ignore]`d: `cargo test --workspace` reports
//! them as ignored (never as passed), and `.ci/run` installs Chromium and runs them explicitly
//! with `cargo test --test report_browser -- --ignored`, where a missing browser is a failure.
//! Without a browser, `report_structure.rs` checks the same pages structurally.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Chromium's path; a test asked to run without it fails.
fn chromium() -> PathBuf {
    let path = PathBuf::from(CHROMIUM);
    assert!(
        path.exists(),
        "{CHROMIUM} not found: the browser tests need headless Chromium. Install it with \
         `apt-get install -y chromium` (Debian; .ci/run does this)"
    );
    path
}

/// Runs headless Chromium on `page` with `extra` flags (at most 90 s) and returns its output.
/// Output goes through files beside the profile (a full pipe would stall the browser while we
/// wait with a deadline).
fn headless(chrome: &Path, profile: &Path, page: &Path, extra: &[&str]) -> Output {
    let (out_path, err_path) = (
        profile.with_extension("stdout"),
        profile.with_extension("stderr"),
    );
    let mut child = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(page)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = Output {
        status,
        stdout: std::fs::read(&out_path).unwrap(),
        stderr: std::fs::read(&err_path).unwrap(),
    };
    assert!(
        out.status.success(),
        "chromium failed on {}: {}",
        page.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The console messages in Chromium's log (`…:INFO:CONSOLE:1] "text", source: …`).
fn console_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect()
}

/// The page at `page_path` loads with no console message at all, every chart is in the DOM,
/// and (measured in a test-only copy with a probe script, every collapsed group opened first)
/// every chart's SVG lays out larger than 100×100 px.
fn loads_cleanly_with_sized_charts(chrome: &Path, profile: &Path, dir: &Path, page_path: &Path) {
    let page = std::fs::read_to_string(page_path).unwrap();
    let charts = page.matches("<svg").count();
    let o = headless(chrome, profile, page_path, &["--dump-dom"]);
    let messages = console_lines(&o);
    assert!(messages.is_empty(), "console messages: {messages:#?}");
    let dom = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        dom.matches("<svg").count(),
        charts,
        "every chart is in the DOM"
    );

    let probe = "<script>window.onerror=function(m){document.body.setAttribute('data-js-error',m)};\
        document.querySelectorAll('details').forEach(function(d){d.open=true});\
        var s=[];document.querySelectorAll('svg').forEach(function(e){var r=e.getBoundingClientRect();\
        s.push(r.width+'x'+r.height)});var p=document.createElement('pre');p.id='svg-sizes';\
        p.textContent=s.join(' ');document.body.appendChild(p);</script></body>";
    let csp = "style-src 'unsafe-inline'";
    assert!(page.contains(csp));
    let measured = page
        .replacen(csp, &format!("{csp}; script-src 'unsafe-inline'"), 1)
        .replacen("</body>", probe, 1);
    let measured_path = dir.join("measured.html");
    std::fs::write(&measured_path, measured).unwrap();
    let o = headless(
        chrome,
        profile,
        &measured_path,
        &["--window-size=1280,900", "--dump-dom"],
    );
    let dom = String::from_utf8_lossy(&o.stdout);
    assert!(
        !dom.contains("data-js-error=\""),
        "script error while measuring"
    );
    let sizes = dom
        .split("<pre id=\"svg-sizes\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .unwrap_or_else(|| panic!("the probe did not run: {:?}", console_lines(&o)));
    let sizes: Vec<(f64, f64)> = sizes
        .split(' ')
        .map(|wh| {
            let (w, h) = wh.split_once('x').unwrap();
            (w.parse().unwrap(), h.parse().unwrap())
        })
        .collect();
    assert_eq!(sizes.len(), charts);
    for (i, (w, h)) in sizes.iter().enumerate() {
        assert!(*w > 100.0 && *h > 100.0, "chart {i} laid out at {w}x{h}");
    }
}

/// Writes a full-page screenshot of `page` to `<target>/NAME` and checks it is a real PNG.
fn screenshot(chrome: &Path, profile: &Path, page: &Path, name: &str) {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let shot = target.join(name);
    let _ = std::fs::remove_file(&shot);
    headless(
        chrome,
        profile,
        page,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,4000",
        ],
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real PNG"
    );
    eprintln!("screenshot: {}", shot.display());
}

#[test]
#[ignore = "needs /usr/bin/chromium; .ci/run runs them"]
fn quickstart_report_loads_cleanly_in_headless_chromium() {
    let chrome = chromium();
    let dir = scratch("browser");
    let profile = dir.join("profile");

    // Control: a page with a console error and an uncaught exception is seen as such.
    let control = dir.join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><html><body><script>console.error('control-error');\
         throw new Error('control-throw');</script></body></html>",
    )
    .unwrap();
    let seen = console_lines(&headless(&chrome, &profile, &control, &["--dump-dom"]));
    assert!(
        seen.iter().any(|l| l.contains("control-error"))
            && seen.iter().any(|l| l.contains("control-throw")),
        "the console log is not being read: {seen:?}"
    );

    let out = dir.join("run");
    run_ok("scenarios/quickstart.toml", &out, SMALL);
    let page_path = out.join("report.html");
    let page = std::fs::read_to_string(&page_path).unwrap();
    let charts = page.matches("<svg").count();
    assert!(charts > 20, "{charts} charts");

    loads_cleanly_with_sized_charts(&chrome, &profile, &dir, &page_path);

    // A screenshot for people to look at.
    screenshot(&chrome, &profile, &page_path, "report-quickstart.png");
}

#[test]
#[ignore = "needs /usr/bin/chromium; .ci/run runs them"]
fn sweep_page_loads_cleanly_in_headless_chromium() {
    let chrome = chromium();
    let dir = scratch("browser-sweep");
    let profile = dir.join("profile");
    let store = dir.join("tiny.sqlite");
    let o = tiny_sweep(&store, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = dccsim(&["report", store.to_str().unwrap(), "--html"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page_path = dir.join("tiny.html");
    loads_cleanly_with_sized_charts(&chrome, &profile, &dir, &page_path);
    screenshot(&chrome, &profile, &page_path, "report-sweep.png");
}
