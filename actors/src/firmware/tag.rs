//! What a firmware SR carries in [`Request::arg`](crate::msg::Request): the campaign it belongs
//! to and, on the way back, what the device reported about activating the image.

/// The firmware SRs' one parameter: campaign index plus the device's activation outcome.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// Index of the campaign in `[[firmware_campaign]]` order.
    pub campaign: u16,
    pub outcome: Outcome,
}

/// What a device reported in its answer to SR 11.3.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Activated (or nothing to report: 11.1, 11.2, and 11.3 on its way out).
    Ok,
    /// Activation failed this time; the device keeps its old firmware and may try again.
    Failed,
    /// The device cannot run this image at all: retrying is pointless.
    Unrecoverable,
}

const FAILED: u16 = 1 << 15;
const UNRECOVERABLE: u16 = 1 << 14;
/// Campaign indices fit in the bits below the two flags.
pub const MAX_CAMPAIGNS: usize = 1 << 14;

impl Tag {
    pub fn new(campaign: u16) -> Tag {
        assert!((campaign as usize) < MAX_CAMPAIGNS);
        Tag {
            campaign,
            outcome: Outcome::Ok,
        }
    }

    pub fn encode(self) -> u16 {
        self.campaign
            | match self.outcome {
                Outcome::Ok => 0,
                Outcome::Failed => FAILED,
                Outcome::Unrecoverable => UNRECOVERABLE,
            }
    }

    pub fn decode(arg: u16) -> Tag {
        let outcome = if arg & FAILED != 0 {
            Outcome::Failed
        } else if arg & UNRECOVERABLE != 0 {
            Outcome::Unrecoverable
        } else {
            Outcome::Ok
        };
        Tag {
            campaign: arg & !(FAILED | UNRECOVERABLE),
            outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip() {
        for outcome in [Outcome::Ok, Outcome::Failed, Outcome::Unrecoverable] {
            for campaign in [0, 1, 77, (MAX_CAMPAIGNS - 1) as u16] {
                let t = Tag { campaign, outcome };
                assert_eq!(Tag::decode(t.encode()), t);
            }
        }
    }
}
