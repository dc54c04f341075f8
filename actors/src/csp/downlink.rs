//! A region's WAN downlink, kept by its CSP, as one shared first-in-first-out link: every outbound command and
//! every firmware image chunk waits for the messages ahead of it and then occupies the link for
//! its size at the region's capacity. With no rollout the wait is negligible; a rollout that
//! fills the link makes ordinary reads queue behind image chunks.

use crate::units::{Bandwidth, Bytes};
use dccsim_sim::{SimDuration, SimTime};

/// The downlink's state: when it finishes what it has been given so far.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Downlink {
    busy_until: SimTime,
}

impl Downlink {
    /// Puts `bytes` on the link at `now`: returns the time until they have left it (queueing
    /// behind earlier messages plus transmission at `capacity`).
    pub fn send(&mut self, now: SimTime, bytes: Bytes, capacity: Bandwidth) -> SimDuration {
        let start = self.busy_until.max(now);
        self.busy_until = start.after(capacity.transmit(bytes));
        debug_assert!(self.busy_until >= now);
        self.busy_until.since(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_queue_behind_each_other_and_the_link_drains() {
        let mut link = Downlink::default();
        let rate = Bandwidth::kbit(8); // 1,000 bytes per second
        let t0 = SimTime(10_000_000);
        assert_eq!(link.send(t0, Bytes(1000), rate), SimDuration::from_secs(1));
        // Sent at the same moment: waits for the first.
        assert_eq!(
            link.send(t0, Bytes(500), rate),
            SimDuration::from_millis(1500)
        );
        // After the link has drained, no wait.
        let later = SimTime(20_000_000);
        assert_eq!(
            link.send(later, Bytes(1000), rate),
            SimDuration::from_secs(1)
        );
    }
}
