//! What a scenario says about the Central Products List: its entries (`[[cpl_entry]]`), the DSP's
//! apply window and GBCS versions (`[cpl]`), and the timeline of CPL events (`[[timeline]]`).
//! Plain validated data; `scenario::cpl` reads it, the rest of `cpl` runs it.

pub mod entry;

use crate::calendar::Date;
use crate::dist::Dist;
use dccsim_sim::SimDuration;
use entry::CplEntry;

/// The scenario's CPL: entries, the DSP's apply window and GBCS versions, and the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct CplConfig {
    /// `[[cpl_entry]]`, in file order (an entry's index is its position).
    pub entries: Vec<CplEntry>,
    /// `[cpl] apply_delay`: time from an accepted extract's receipt to the SMI updated.
    pub apply_delay: Dist,
    /// `[cpl] dsp_gbcs_versions`: GBCS versions the DSP recognises at the start.
    pub known_gbcs: Vec<String>,
    /// `[[timeline]]`, in time order (ties in file order).
    pub timeline: Vec<TimedEvent>,
}

impl CplConfig {
    /// Whether the scenario models the CPL at all.
    pub fn is_modelled(&self) -> bool {
        !self.entries.is_empty()
    }
}

/// How SECAS signs an extract it publishes (a scenario's way to inject a bad one).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Signing {
    /// Signed with SECAS's key, delivered as signed.
    Valid,
    /// Delivered without a signature.
    Missing,
    /// Signed, then a byte of the extract changed on the way (the signature no longer matches).
    Tampered,
}

impl Signing {
    pub const NAMES: [&'static str; 3] = ["valid", "missing", "tampered"];

    pub fn from_name(s: &str) -> Option<Signing> {
        match s {
            "valid" => Some(Signing::Valid),
            "missing" => Some(Signing::Missing),
            "tampered" => Some(Signing::Tampered),
            _ => None,
        }
    }
}

/// One thing that happens on the timeline. Entries are indices into the scenario's CPL entries.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// SECAS publishes an extract after adding (listing) and removing entries.
    PublishExtract {
        add: Vec<u16>,
        remove: Vec<u16>,
        signing: Signing,
    },
    /// A ZigBee, DLMS or CPA certificate is revoked: every entry carrying it is removed, and
    /// SECAS publishes a signed extract at once.
    RevokeCertificate { certificate: String },
    /// A conditional CPA certificate's condition date moves to `until`.
    ExtendCondition { certificate: String, until: Date },
    /// The DSP learns a GBCS version: entries it buffered for that version are loaded.
    DspLearnsGbcs { version: String },
}

/// An event and when it happens.
#[derive(Clone, Debug, PartialEq)]
pub struct TimedEvent {
    /// Offset from the start of the run.
    pub at: SimDuration,
    pub event: Event,
}
