//! Latency over time: `dccsim run` writes an HdrHistogram interval log (`latency/<flow>.hlog`) of
//! each end-to-end flow, one interval per gauge sample interval, and report.html charts each SR's
//! p50 and p99 per interval with the regions overlaid. The logs change no result.

mod common;
use common::*;

#[test]
fn end_to_end_flows_get_interval_logs_charted_per_sr() {
    let dir = scratch("hlog");
    let (a, b) = (dir.join("a"), dir.join("b"));
    let s = run_ok("scenarios/quickstart.toml", &a, SMALL);
    run_ok("scenarios/quickstart.toml", &b, SMALL);
    let latency = s["latency"].as_object().unwrap();
    let mut logged = 0;
    for (name, stats) in latency {
        let stem = dccsim_reports::hgrm_file_name(name).replace(".hgrm", ".hlog");
        let path = a.join("latency").join(&stem);
        assert_eq!(path.exists(), name.starts_with("sr.e2e{"), "{name}");
        if !path.exists() {
            continue;
        }
        logged += 1;
        let bytes = std::fs::read(&path).unwrap();
        // Timestamps are simulated: the same file on every run.
        assert_eq!(bytes, std::fs::read(b.join("latency").join(&stem)).unwrap());
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("#[StartTime: 0.000"), "{text}");
        let intervals = dccsim_reports::parse_hlog(&bytes).unwrap();
        // One day sampled every 15 minutes: 96 intervals covering the day end to end.
        assert_eq!(intervals.len(), 96, "{name}");
        assert_eq!(intervals[0].start_us, 0);
        assert_eq!(intervals.last().unwrap().end_us, 86_400_000_000);
        let total: u64 = intervals.iter().map(|i| i.count).sum();
        assert_eq!(total, stats["count"].as_u64().unwrap(), "{name}");
        assert!(intervals.iter().all(|i| i.p50_us <= i.p99_us));
    }
    assert_eq!(logged, 9);

    let page = std::fs::read_to_string(a.join("report.html")).unwrap();
    let at = page
        .find("<section id=\"over-time\">")
        .expect("a latency-over-time section");
    let section = &page[at..at + page[at..].find("</section>").unwrap()];
    assert_eq!(
        section
            .matches("<figure class=\"chart\" data-over-time=")
            .count(),
        3
    );
    // Each SR chart: three regions × (p50, p99), the TRT drawn.
    let chart = section
        .split("data-over-time=\"sr.e2e{sr=4.1.1}\"")
        .nth(1)
        .unwrap()
        .split("</figure>")
        .next()
        .unwrap();
    assert_eq!(chart.matches("<polyline").count(), 6, "{chart}");
    assert_eq!(chart.matches("data-percentile=\"99\"").count(), 3);
    assert!(chart.contains("class=\"trt\""));

    // A damaged log is named, and the page is not rebuilt from it.
    let stem =
        dccsim_reports::hgrm_file_name("sr.e2e{region=north,sr=4.1.1}").replace(".hgrm", ".hlog");
    let path = a.join("latency").join(stem);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("HISTF", "HISTX")).unwrap();
    let o = dccsim(&["report", a.to_str().unwrap(), "--html"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(".hlog"), "{err}");
}
