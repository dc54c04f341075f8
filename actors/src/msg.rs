//! The one message type of the GB world and the Service Request it carries.

use crate::ev::{ChargerTimer, DnoTimer};
use crate::sr::{DeviceType, ResponseCode, Role, SrType};
use dccsim_sim::{ActorId, SimTime};

/// Where a request is on its path User → DSP → CSP → hub → device → hub → CSP → DSP → User.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
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
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
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
    pub role: Role,
    pub leg: Leg,
    /// The SR's one parameter where it has one (7.13: the power limit in thousandths of the
    /// charger's rating); 0 otherwise. Fits in the struct's padding.
    pub arg: u16,
}

/// Every message of the GB world (32 bytes: checked by a unit test).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
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
    Cpl(crate::cpl::CplMsg),
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
    FirmwareReceipt(Request, crate::firmware::Receipt),
    /// A firmware campaign's own timer (waves, retries).
    Firmware(crate::firmware::FirmwareTimer),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_stay_small() {
        assert!(
            std::mem::size_of::<Msg>() <= 32,
            "Msg is {} bytes",
            std::mem::size_of::<Msg>()
        );
    }
}
