//! The one message type of the GB world and the Service Request it carries.

use crate::sr::{DeviceType, ResponseCode, Role, SrType};
use dccsim_sim::{ActorId, SimTime};

/// Where a request is on its path User → DSP → CSP → hub → device → hub → CSP → DSP → User.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Leg {
    /// A critical SR's first DSP pass: transformed into a pre-command for the User to sign.
    Transform,
    /// On its way to the device.
    Outbound,
    /// The device's response on its way back.
    Inbound,
    /// The hub's report that the device did not answer over the HAN (E21), on its way back.
    NoAnswer,
}

/// A Service Request in flight: small and `Copy`, so it travels inside messages.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Request {
    /// When the User sent it; end-to-end latency is measured from here.
    pub sent: SimTime,
    /// Target premises (its hub and meters share this index). May name no real premises: the
    /// DSP then refuses it with E19.
    pub premises: u32,
    /// Index of the sending DCC User: suppliers first, then DNOs (see `Shared::user_actor`).
    pub user: u16,
    pub sr: SrType,
    pub device: DeviceType,
    /// Role the User sent it in.
    #[serde(with = "role_wire")]
    pub role: Role,
    pub leg: Leg,
    /// What the User put in the request beyond its type and target, packed in 16 bits: for
    /// 7.13 the power limit in thousandths of the charger's rating; for the firmware SRs
    /// (11.1–11.3) the campaign and, on the way back, the device's activation outcome (the
    /// firmware feature's `Tag`); 0 otherwise. Fits in the struct's padding.
    pub arg: u16,
    /// Which attempt of a request its User retries (`[retry]`) this is, from 1; 0 for a request
    /// its User does not retry. `sent` stays the first attempt's time. Fits in the padding.
    pub attempt: u8,
}

/// A role on the wire between processes: its place in [`Role::ALL`] (a scenario names roles,
/// which `Role`'s own `Deserialize` reads).
mod role_wire {
    use crate::sr::Role;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(role: &Role, s: S) -> Result<S::Ok, S::Error> {
        let at = Role::ALL
            .iter()
            .position(|r| r == role)
            .expect("every role is listed");
        s.serialize_u8(at as u8)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Role, D::Error> {
        let at = u8::deserialize(d)?;
        Role::ALL
            .get(usize::from(at))
            .copied()
            .ok_or_else(|| D::Error::custom(format!("no role {at}")))
    }
}

/// Every message of the GB world: at most 32 bytes, checked when the crate compiles.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Msg {
    /// Supplier timer: send the next request of traffic stream `stream`.
    NextRequest { stream: u16 },
    /// A request or response arrives at the DSP.
    AtDsp(Request),
    /// A DSP worker has finished with this request.
    DspDone(Request),
    /// A request (outbound) or response (inbound) arrives at the region's CSP head-end.
    AtCsp(Request),
    /// A CSP worker has finished with this message.
    CspDone(Request),
    /// A message reaches the Communications Hub over the WAN (outbound) or the HAN (inbound).
    AtHub(Request),
    /// A command reaches the meter over the HAN.
    AtDevice(Request),
    /// A command whose HAN crossing its device drew (a house's EV charger) has now crossed: the
    /// charger acts on it at this moment.
    Crossed(Request),
    /// The DSP's answer reaches the User.
    Response(Request, ResponseCode),
    /// Supplier timer: an installer of wave `wave` visits the wave's next premises.
    NextInstall { wave: u16 },
    /// A step of the Central Products List: SECAS, extracts, the DSP's apply window.
    Cpl(CplMsg),
    /// An EV charger's own timer (plug-in, start, full, departure, delayed switch-on).
    Charger(ChargerTimer),
    /// A charger's draw changed: the DNO's substation monitoring sees it at once.
    ChargerDraw { charger: u32, watts: u32 },
    /// A DNO's own timer (household demand steps, restoration checks).
    Dno(DnoTimer),
    /// A flat's hub hands a message to the HAN its building shares: a command for `device`
    /// (outbound) or a meter's answer leaving the meter (inbound).
    AtBuilding { req: Request, device: ActorId },
    /// The DSP accepted SR 11.1: the region's CSP starts sending the image to the device's hub.
    Distribute(Request),
    /// CSP timer: a chunk of the image for `device` at `premises` has reached the hub.
    ImageChunk { premises: u32, device: DeviceType },
    /// The whole image has reached the hub, which passes it on to the device.
    ImageAtHub(Request),
    /// How an image distribution ended, on its way to the User that sent SR 11.1.
    FirmwareReceipt(Request, Receipt),
    /// A firmware campaign's own timer (waves, retries).
    Firmware(FirmwareTimer),
    /// A step of SMETS1 enrolment and adoption: a cohort's next migration, or a supplier told
    /// that one of its SMETS1 meters is now served through the DCC.
    Smets1(Smets1Msg),
    /// User timer: the backoff before this attempt of a refused or unanswered request is over;
    /// send it again (the request is in flight meanwhile).
    RetryDue(Request),
    /// User timer: this attempt has had its `[retry] timeout` to be answered.
    AttemptTimeout(Request),
    /// A device alert on its way up to its User (its stage says where it is).
    Alert(Alert),
    /// The alert source's own timer (the next routine alert, an outage's restoration).
    AlertSource(SourceTimer),
}

/// What waits for a DSP or CSP worker: a Service Request (or its response) or an alert.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Item {
    Sr(Request),
    Alert(Alert),
}

impl Item {
    /// The Service Request waiting, if it is one.
    pub fn request(&self) -> Option<&Request> {
        match self {
            Item::Sr(req) => Some(req),
            Item::Alert(_) => None,
        }
    }

    /// The alert waiting, if it is one.
    pub fn alert(&self) -> Option<&Alert> {
        match self {
            Item::Alert(alert) => Some(alert),
            Item::Sr(_) => None,
        }
    }
}

impl Msg {
    /// The Service Request this message carries on its way between the User's submission and
    /// the User hearing the answer, if it carries one. A firmware image's distribution after the
    /// DSP acknowledged SR 11.1 is not on that path (the request was answered already).
    pub fn request_in_flight(&self) -> Option<&Request> {
        match self {
            Msg::AtDsp(req)
            | Msg::DspDone(req)
            | Msg::AtCsp(req)
            | Msg::CspDone(req)
            | Msg::AtHub(req)
            | Msg::AtDevice(req)
            | Msg::Crossed(req)
            | Msg::Response(req, _)
            | Msg::AtBuilding { req, .. }
            | Msg::RetryDue(req) => Some(req),
            Msg::NextRequest { .. }
            | Msg::NextInstall { .. }
            | Msg::Cpl(_)
            | Msg::Charger(_)
            | Msg::ChargerDraw { .. }
            | Msg::Dno(_)
            | Msg::Distribute(_)
            | Msg::ImageChunk { .. }
            | Msg::ImageAtHub(_)
            | Msg::FirmwareReceipt(..)
            | Msg::Firmware(_)
            | Msg::Smets1(_)
            | Msg::AttemptTimeout(_)
            | Msg::Alert(_)
            | Msg::AlertSource(_) => None,
        }
    }

    /// The alert this message carries up, if it carries one.
    pub fn alert_in_flight(&self) -> Option<&Alert> {
        match self {
            Msg::Alert(alert) => Some(alert),
            _ => None,
        }
    }
}

// The features' own timers and notices, carried inside `Msg`.

/// A timed step of the CPL actor (inside [`Msg::Cpl`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CplMsg {
    /// Timeline event `n` happens.
    Timeline(u16),
    /// An entry's CPA certificate expires today.
    CpaExpires(u16),
    /// An entry's conditional CPA reaches a condition date: it lapses unless extended since.
    ConditionDate(u16),
    /// The Panel's expiry notice `months` before an entry's CPA expiry.
    Notice { entry: u16, months: u8 },
    /// The DSP's apply window for extract `seq` ends: apply it.
    Apply(u32),
}

/// A step of SMETS1 enrolment and adoption (inside [`Msg::Smets1`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Smets1Msg {
    /// The SMETS1 service's timer: migration cohort `cohort` takes its next meter.
    Migrate { cohort: u16 },
    /// To the meter's supplier: the SMETS1 meter at `premises` is enrolled (on the SMI,
    /// Commissioned) and from now on takes the supplier's Service Requests through the DCC.
    Enrolled { premises: u32 },
}

/// Where an alert is on its way up (inside [`Alert`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AlertStage {
    /// Crossed the HAN (meter alerts): at the hub, to go over the WAN.
    AtHub,
    /// At the region's CSP head-end, waiting for a worker.
    AtCsp,
    /// A CSP worker has finished with it.
    CspDone,
    /// At the DSP: protection, then a worker.
    AtDsp,
    /// A DSP worker has finished with it.
    DspDone,
    /// Reaches its recipient User.
    ToUser,
    /// Held by SECMP0062 protection: back at the DSP's door when the rate has room.
    Held,
}

/// A device alert in flight (inside [`Msg::Alert`]): small and `Copy`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Alert {
    /// When the device sent it; `alert.e2e` is measured from here.
    pub raised: SimTime,
    pub premises: u32,
    /// Index into the alert classes (`alert::config::class::CLASSES`).
    pub class: u8,
    pub stage: AlertStage,
}

impl Alert {
    /// The same alert at its next stage.
    pub fn at(mut self, stage: AlertStage) -> Self {
        self.stage = stage;
        self
    }
}

/// The alert source's timers (inside [`Msg::AlertSource`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SourceTimer {
    /// The next routine alert is due.
    Next,
    /// Outage event `n`'s power comes back.
    Restored(u16),
}

/// A charger's own timers. `gen` tags timers that a later change may void.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ChargerTimer {
    /// The car is plugged in.
    PlugIn,
    /// The session's (random, or off-peak) start delay is over.
    Start,
    /// At the present draw, the car reaches its target now.
    Full { gen: u32 },
    /// The car leaves.
    Depart,
    /// A randomised offset after a command that raises the load is over: apply it.
    Raise { gen: u32 },
}

/// A DNO's own timers.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DnoTimer {
    /// Time zero: set every charger's randomised offset limit (7.12).
    Setup,
    /// The household profile moves to its next half-hour.
    HalfHour,
    /// A feeder's hold time is over: see whether it can be restored.
    Check { feeder: u32 },
    /// Meter-read monitoring: read every premises' meter (SR 4.1.1).
    ReadRound,
    /// A switch command to `charger` came back E21 (the DNO cannot tell whether it acted): send
    /// the DNO's present wish again, unless another command (`gen`) has gone to it since.
    Resend { charger: u32, gen: u16 },
}

/// A campaign's own timers.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FirmwareTimer {
    /// Wave `wave` of campaign `campaign` is released.
    Wave { campaign: u16, wave: u16 },
    /// The wait before retrying device `device`'s transfer is over.
    RetryTransfer { campaign: u16, device: u32 },
    /// Ask device `device` for its firmware version again (SR 11.2 went unanswered).
    RetryRead { campaign: u16, device: u32 },
}

impl FirmwareTimer {
    /// The campaign the timer belongs to.
    pub fn campaign(self) -> u16 {
        match self {
            FirmwareTimer::Wave { campaign, .. }
            | FirmwareTimer::RetryTransfer { campaign, .. }
            | FirmwareTimer::RetryRead { campaign, .. } => campaign,
        }
    }
}

/// How an image distribution ended, as the User hears it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Receipt {
    /// The device holds the image, ready to activate.
    Transferred,
    /// The transfer broke off part-way (the bytes sent so far are lost).
    TransferFailed,
    /// The hub could not pass the image on: the device never joined the HAN.
    NoHan,
}

// Every event carries one `Msg`: a bigger one costs memory traffic on every event.
const _: () = assert!(
    std::mem::size_of::<Msg>() <= 32,
    "Msg must stay within 32 bytes"
);
