//! The terminal's device-alert block: each class's raised, delivered and shed counts (in flight
//! is what conservation leaves) and its `alert.e2e{class,region}` latency. Empty for a run
//! without alerts.

use crate::summary::LatencyStats;
use crate::table::{human_duration, label, split_name, thousands};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The alert block from latency statistics and counters by name (as `table_text` has them).
pub(crate) fn alert_text(flows: &[(&str, &LatencyStats)], counters: &[(&str, u64)]) -> String {
    // class → [raised, delivered, shed]
    let mut counts: BTreeMap<&str, [u64; 3]> = BTreeMap::new();
    for (name, v) in counters {
        let (base, labels) = split_name(name);
        let slot = match base {
            "alert.raised" => 0,
            "alert.delivered" => 1,
            "alert.shed" => 2,
            _ => continue,
        };
        if let Some(class) = label(&labels, "class") {
            counts.entry(class).or_default()[slot] += v;
        }
    }
    if counts.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nDevice alerts (raised = delivered + shed + in flight):\n");
    let cw = counts.keys().map(|c| c.len()).max().unwrap_or(5).max(5);
    let _ = writeln!(
        out,
        "  {:<cw$}  {:>10}  {:>10}  {:>10}  {:>9}",
        "class", "raised", "delivered", "shed", "in flight"
    );
    for (class, [raised, delivered, shed]) in &counts {
        let left = raised.saturating_sub(delivered + shed);
        let _ = writeln!(
            out,
            "  {class:<cw$}  {:>10}  {:>10}  {:>10}  {:>9}",
            thousands(*raised),
            thousands(*delivered),
            thousands(*shed),
            thousands(left)
        );
    }
    let mut rows: Vec<(&str, &str, &LatencyStats)> = flows
        .iter()
        .filter_map(|(name, s)| {
            let (base, labels) = split_name(name);
            if base != "alert.e2e" || s.count == 0 {
                return None;
            }
            Some((label(&labels, "class")?, label(&labels, "region")?, *s))
        })
        .collect();
    rows.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    if !rows.is_empty() {
        out.push_str("Alert latency, device to User (alert.e2e):\n");
        let d = |v: Option<u64>| v.map_or_else(|| "-".to_string(), human_duration);
        let _ = writeln!(
            out,
            "  {:<cw$}  {:<7}  {:>10}  {:>7}  {:>7}  {:>7}",
            "class", "region", "count", "p50", "p99", "max"
        );
        for (class, region, s) in rows {
            let _ = writeln!(
                out,
                "  {class:<cw$}  {region:<7}  {:>10}  {:>7}  {:>7}  {:>7}",
                thousands(s.count),
                d(s.p50_us),
                d(s.p99_us),
                d(s.max_us)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_alert_counters_no_block() {
        assert_eq!(alert_text(&[], &[("sr.requested{sr=4.1.1}", 3)]), "");
    }

    #[test]
    fn counts_by_class_with_in_flight_left_over() {
        let counters = [
            ("alert.raised{class=voltage-sag}", 10),
            ("alert.delivered{class=voltage-sag}", 6),
            ("alert.shed{class=voltage-sag}", 3),
        ];
        let t = alert_text(&[], &counters);
        assert!(t.contains("voltage-sag"), "{t}");
        let row = t.lines().find(|l| l.contains("voltage-sag")).unwrap();
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cells, ["voltage-sag", "10", "6", "3", "1"]);
    }
}
