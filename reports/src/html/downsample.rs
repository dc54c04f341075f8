//! Min/max envelope downsampling: a series of any length drawn with a few points per pixel column,
//! keeping each column's first, lowest, highest and last sample so no peak or trough is lost.

/// Reduces `(time, value)` samples (times non-decreasing) to at most four per bucket of equal
/// time span: the first, minimum, maximum and last sample of each, in time order. Series short
/// enough to draw whole (≤ 4 × `buckets` samples) are returned unchanged.
pub fn envelope(times: &[u64], values: &[i64], buckets: usize) -> Vec<(u64, i64)> {
    debug_assert_eq!(times.len(), values.len());
    debug_assert!(times.windows(2).all(|w| w[0] <= w[1]), "times in order");
    let n = times.len().min(values.len());
    let buckets = buckets.max(1);
    if n <= 4 * buckets {
        return times.iter().copied().zip(values.iter().copied()).collect();
    }
    let (t0, t1) = (times[0], times[n - 1]);
    let span = u128::from(t1 - t0) + 1;
    let bucket_of = |t: u64| (u128::from(t - t0) * buckets as u128 / span) as usize;

    let mut out = Vec::with_capacity(4 * buckets);
    let mut start = 0;
    while start < n {
        let b = bucket_of(times[start]);
        let mut end = start + 1;
        while end < n && bucket_of(times[end]) == b {
            end += 1;
        }
        // First, min, max, last: the first of equal minima/maxima, distinct indices in order.
        let (mut lo, mut hi) = (start, start);
        for i in start..end {
            if values[i] < values[lo] {
                lo = i;
            }
            if values[i] > values[hi] {
                hi = i;
            }
        }
        let mut keep = [start, lo, hi, end - 1];
        keep.sort_unstable();
        let mut last = None;
        for i in keep {
            if last != Some(i) {
                out.push((times[i], values[i]));
                last = Some(i);
            }
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_series_are_kept_whole() {
        let t = [0, 10, 20];
        let v = [1, -2, 3];
        assert_eq!(envelope(&t, &v, 1), vec![(0, 1), (10, -2), (20, 3)]);
        assert!(envelope(&[], &[], 10).is_empty());
    }

    #[test]
    fn one_spike_in_half_a_million_points_survives() {
        let n = 500_000u64;
        let times: Vec<u64> = (0..n).map(|i| i * 60_000_000).collect();
        let mut values = vec![100i64; n as usize];
        values[314_159] = 1_000_000;
        values[271_828] = -5;
        let out = envelope(&times, &values, 600);
        assert!(out.len() <= 4 * 600, "{} points", out.len());
        assert!(out.contains(&(times[314_159], 1_000_000)), "peak kept");
        assert!(out.contains(&(times[271_828], -5)), "trough kept");
        assert_eq!(out.first(), Some(&(0, 100)));
        assert_eq!(out.last(), Some(&(times[n as usize - 1], 100)));
        assert!(
            out.windows(2).all(|w| w[0].0 < w[1].0),
            "time order, no duplicates"
        );
    }

    #[test]
    fn every_bucket_keeps_its_extremes() {
        // A saw-tooth: each bucket's max and min must appear.
        let times: Vec<u64> = (0..10_000).collect();
        let values: Vec<i64> = (0..10_000).map(|i| (i * 7919) % 1000).collect();
        let out = envelope(&times, &values, 10);
        for b in 0..10usize {
            let chunk = &values[b * 1000..(b + 1) * 1000];
            let (mn, mx) = (chunk.iter().min().unwrap(), chunk.iter().max().unwrap());
            let in_bucket: Vec<i64> = out
                .iter()
                .filter(|(t, _)| (*t as usize) / 1000 == b)
                .map(|p| p.1)
                .collect();
            assert!(
                in_bucket.contains(mn) && in_bucket.contains(mx),
                "bucket {b}"
            );
            assert!(in_bucket.len() <= 4);
        }
    }
}
