//! The SMI lifecycle (DOMAIN §3): the statuses a device moves through, what may move it, and the
//! pure rules of which moves are allowed. The inventory that applies them is `smi`.

use crate::device_model::PhysicalDeviceType;
use crate::sr::ResponseCode;
use std::fmt;

/// SMI statuses (DOMAIN §3).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SmiStatus {
    /// Pre-notified (SR 12.2): the DCC expects the device.
    Pending,
    /// In its hub's device log (SR 8.11).
    Whitelisted,
    /// Joined the HAN, not yet commissioned.
    InstalledNotCommissioned,
    /// In service: the DCC carries its Service Requests.
    Commissioned,
    /// Removed from service for good (SR 8.3).
    Decommissioned,
    /// Opted out of DCC services (SR 8.5; 8.6 reverses).
    Withdrawn,
    /// Its Device Model left the CPL: only firmware and inventory SRs until restored.
    Suspended,
    /// Under SMKI key-compromise recovery.
    Recovery,
    /// Recovered from a key compromise.
    Recovered,
    /// Type 2 devices (IHDs): no SMI status of their own.
    NotApplicable,
}

impl SmiStatus {
    pub const ALL: [SmiStatus; 10] = [
        SmiStatus::Pending,
        SmiStatus::Whitelisted,
        SmiStatus::InstalledNotCommissioned,
        SmiStatus::Commissioned,
        SmiStatus::Decommissioned,
        SmiStatus::Withdrawn,
        SmiStatus::Suspended,
        SmiStatus::Recovery,
        SmiStatus::Recovered,
        SmiStatus::NotApplicable,
    ];

    /// The name in metric labels and reports.
    pub fn name(self) -> &'static str {
        match self {
            SmiStatus::Pending => "Pending",
            SmiStatus::Whitelisted => "Whitelisted",
            SmiStatus::InstalledNotCommissioned => "InstalledNotCommissioned",
            SmiStatus::Commissioned => "Commissioned",
            SmiStatus::Decommissioned => "Decommissioned",
            SmiStatus::Withdrawn => "Withdrawn",
            SmiStatus::Suspended => "Suspended",
            SmiStatus::Recovery => "Recovery",
            SmiStatus::Recovered => "Recovered",
            SmiStatus::NotApplicable => "NotApplicable",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// Statuses a CPL removal suspends: every status a device could be returned to service from
    /// (DOMAIN §2: the DCC communicates only with devices whose Device Model is on the CPL), so
    /// Withdrawn and Recovery too — otherwise 8.6 Opt In or recovery would bring a device of a
    /// removed model back into service. Not Decommissioned (out of service for good), not
    /// Suspended (already), and not NotApplicable: Type 2 devices have no SMI status of their
    /// own and the DCC sends them no Service Requests, so there is nothing to suspend (their
    /// model's listing still gates their pre-notification, 12.2).
    pub fn suspended_by_removal(self) -> bool {
        !matches!(
            self,
            SmiStatus::Decommissioned | SmiStatus::Suspended | SmiStatus::NotApplicable
        )
    }

    /// Statuses a device of a Device Model off the CPL may have: out of service.
    pub fn allowed_off_cpl(self) -> bool {
        !self.suspended_by_removal()
    }
}

impl fmt::Display for SmiStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What may change a device's SMI status.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Trigger {
    /// SR 12.2 Device Pre-notification: unknown → Pending (Type 2: NotApplicable).
    PreNotify,
    /// SR 8.11 Update HAN Device Log: Pending → Whitelisted.
    Whitelist,
    /// The device joined the HAN, reported by SR 8.14.1: a meter Whitelisted →
    /// InstalledNotCommissioned; the hub itself Pending → Commissioned (\[U\]: the DCC commissions
    /// the Comms Hub Function on its install success).
    HanJoin,
    /// SR 8.1.1 Commission Device (meters): InstalledNotCommissioned → Commissioned.
    Commission,
    /// SR 8.7 Join Service (PPMID, HCALCS, APC \[U\]): InstalledNotCommissioned → Commissioned.
    JoinService,
    /// SR 8.3 Decommission Device: any status but Decommissioned → Decommissioned.
    Decommission,
    /// SR 8.5 Service Opt Out: Commissioned → Withdrawn.
    OptOut,
    /// SR 8.6 Service Opt In: Withdrawn → Commissioned.
    OptIn,
    /// The device's model left the CPL: any status but Decommissioned, Suspended and
    /// NotApplicable → Suspended (the previous status is remembered).
    CplSuspend,
    /// Suspended → the remembered status (firmware moved to a listed model, or relisting).
    CplRestore,
    /// SMKI key compromise: Commissioned → Recovery.
    KeyCompromise,
    /// Recovery finished: Recovery → Recovered.
    RecoveryComplete,
    /// SMETS1 enrolment: a migrated SMETS1 meter, unknown to the SMI, enters it Commissioned
    /// (it was in service with its supplier before; `smets1`).
    Enrol,
}

impl Trigger {
    pub const ALL: [Trigger; 13] = [
        Trigger::PreNotify,
        Trigger::Whitelist,
        Trigger::HanJoin,
        Trigger::Commission,
        Trigger::JoinService,
        Trigger::Decommission,
        Trigger::OptOut,
        Trigger::OptIn,
        Trigger::CplSuspend,
        Trigger::CplRestore,
        Trigger::KeyCompromise,
        Trigger::RecoveryComplete,
        Trigger::Enrol,
    ];

    /// Whether the trigger can apply to a device of type `ty` at all (else E11).
    pub fn applies_to(self, ty: PhysicalDeviceType) -> bool {
        use PhysicalDeviceType as T;
        match self {
            Trigger::PreNotify | Trigger::Decommission => true,
            Trigger::CplSuspend | Trigger::CplRestore => true,
            Trigger::Whitelist => ty != T::CommsHub && !ty.is_type2(),
            Trigger::HanJoin | Trigger::KeyCompromise | Trigger::RecoveryComplete => !ty.is_type2(),
            Trigger::Commission | Trigger::OptOut | Trigger::OptIn | Trigger::Enrol => {
                ty.is_meter()
            }
            Trigger::JoinService => matches!(ty, T::Ppmid | T::Hcalcs | T::Apc),
        }
    }
}

/// The SMI's rules: the status a device of type `ty` moves to from `from` (`None`: not on the
/// SMI) on `trigger`, or the response code refusing it. `resume` is the status a Suspended device
/// returns to. Refusals: E19 the device is unknown, E11 the trigger does not apply to its type,
/// E5 its status does not admit the trigger.
pub fn transition(
    ty: PhysicalDeviceType,
    from: Option<SmiStatus>,
    resume: Option<SmiStatus>,
    trigger: Trigger,
) -> Result<SmiStatus, ResponseCode> {
    use SmiStatus::*;
    let Some(from) = from else {
        return match trigger {
            Trigger::PreNotify if ty.is_type2() => Ok(NotApplicable),
            Trigger::PreNotify => Ok(Pending),
            Trigger::Enrol if ty.is_meter() => Ok(Commissioned),
            _ => Err(ResponseCode::E19),
        };
    };
    if !trigger.applies_to(ty) {
        return Err(ResponseCode::E11);
    }
    let hub = ty == PhysicalDeviceType::CommsHub;
    match (trigger, from) {
        (Trigger::Whitelist, Pending) => Ok(Whitelisted),
        (Trigger::HanJoin, Pending) if hub => Ok(Commissioned),
        (Trigger::HanJoin, Whitelisted) if !hub => Ok(InstalledNotCommissioned),
        (Trigger::Commission | Trigger::JoinService, InstalledNotCommissioned) => Ok(Commissioned),
        (Trigger::Decommission, s) if s != Decommissioned => Ok(Decommissioned),
        (Trigger::OptOut, Commissioned) => Ok(Withdrawn),
        (Trigger::OptIn, Withdrawn) => Ok(Commissioned),
        (Trigger::CplSuspend, s) if s.suspended_by_removal() => Ok(Suspended),
        (Trigger::CplRestore, Suspended) => {
            Ok(resume.expect("a Suspended device remembers its status"))
        }
        (Trigger::KeyCompromise, Commissioned) => Ok(Recovery),
        (Trigger::RecoveryComplete, Recovery) => Ok(Recovered),
        _ => Err(ResponseCode::E5),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PhysicalDeviceType as T;
    use SmiStatus::*;

    /// Every allowed transition, written out by hand from DOMAIN §3: (types, from, trigger, to).
    /// `None` as `from` is a device not on the SMI.
    fn allowed() -> Vec<(Vec<T>, Option<SmiStatus>, Trigger, SmiStatus)> {
        let all = T::ALL.to_vec();
        let non_type2: Vec<T> = T::ALL.into_iter().filter(|t| !t.is_type2()).collect();
        let meters = vec![
            T::SingleElementEsme,
            T::TwinElementEsme,
            T::PolyphaseEsme,
            T::Gsme,
        ];
        let whitelistable: Vec<T> = non_type2
            .iter()
            .copied()
            .filter(|&t| t != T::CommsHub)
            .collect();
        let mut rows = vec![
            (non_type2.clone(), None, Trigger::PreNotify, Pending),
            (meters.clone(), None, Trigger::Enrol, Commissioned),
            (
                vec![T::Ihd, T::Type2],
                None,
                Trigger::PreNotify,
                NotApplicable,
            ),
            (
                whitelistable.clone(),
                Some(Pending),
                Trigger::Whitelist,
                Whitelisted,
            ),
            (
                vec![T::CommsHub],
                Some(Pending),
                Trigger::HanJoin,
                Commissioned,
            ),
            (
                whitelistable,
                Some(Whitelisted),
                Trigger::HanJoin,
                InstalledNotCommissioned,
            ),
            (
                meters.clone(),
                Some(InstalledNotCommissioned),
                Trigger::Commission,
                Commissioned,
            ),
            (
                vec![T::Ppmid, T::Hcalcs, T::Apc],
                Some(InstalledNotCommissioned),
                Trigger::JoinService,
                Commissioned,
            ),
            (
                meters.clone(),
                Some(Commissioned),
                Trigger::OptOut,
                Withdrawn,
            ),
            (meters, Some(Withdrawn), Trigger::OptIn, Commissioned),
            (
                non_type2.clone(),
                Some(Commissioned),
                Trigger::KeyCompromise,
                Recovery,
            ),
            (
                non_type2,
                Some(Recovery),
                Trigger::RecoveryComplete,
                Recovered,
            ),
        ];
        for s in SmiStatus::ALL {
            if s != Decommissioned {
                rows.push((all.clone(), Some(s), Trigger::Decommission, Decommissioned));
            }
            if !matches!(s, Decommissioned | Suspended | NotApplicable) {
                rows.push((all.clone(), Some(s), Trigger::CplSuspend, Suspended));
            }
        }
        // Restoration returns to the remembered status (the test below remembers Commissioned).
        rows.push((all, Some(Suspended), Trigger::CplRestore, Commissioned));
        rows
    }

    #[test]
    fn every_allowed_transition_is_allowed_and_every_other_is_refused() {
        let allowed = allowed();
        let mut checked = 0;
        for ty in T::ALL {
            for from in std::iter::once(None).chain(SmiStatus::ALL.map(Some)) {
                for trigger in Trigger::ALL {
                    let resume = (from == Some(Suspended)).then_some(Commissioned);
                    let got = transition(ty, from, resume, trigger);
                    let want = allowed
                        .iter()
                        .find(|(tys, f, t, _)| tys.contains(&ty) && *f == from && *t == trigger)
                        .map(|row| row.3);
                    match want {
                        Some(to) => assert_eq!(got, Ok(to), "{ty} {from:?} {trigger:?}"),
                        None => {
                            let code = got.expect_err(&format!("{ty} {from:?} {trigger:?}"));
                            let expected = if from.is_none() {
                                ResponseCode::E19
                            } else if !trigger.applies_to(ty) {
                                ResponseCode::E11
                            } else {
                                ResponseCode::E5
                            };
                            assert_eq!(code, expected, "{ty} {from:?} {trigger:?}");
                        }
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, T::ALL.len() * 11 * 13);
    }
}
