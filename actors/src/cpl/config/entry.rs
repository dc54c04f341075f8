//! A Central Products List entry (DOMAIN §2): the Device Model it lists, its specification and
//! GBCS versions, its assurance certificates, and the rules that decide whether the DSP may load it.

use crate::calendar::Date;
use crate::device_model::PhysicalDeviceType;

/// Hardware data of a Device Model: what the legacy DSP duplicate check compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HardwareData {
    pub manufacturer: String,
    pub model: String,
    pub hardware: String,
    pub firmware: String,
}

/// Which assurance certificates a physical device type needs before it can be listed
/// (DOMAIN §2 table: PPMID ZigBee; hub, GSME and HCALCS ZigBee + CPA; ESMEs all three).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Required {
    pub zigbee: bool,
    pub cpa: bool,
    pub dlms: bool,
}

/// The certificate table of DOMAIN §2: which certificates each physical device type needs
/// before it can be listed. IHDs and other Type 2 devices need none.
pub fn required_certificates(t: PhysicalDeviceType) -> Required {
    use PhysicalDeviceType::*;
    let (zigbee, cpa, dlms) = match t {
        Ppmid => (true, false, false),
        // An APC is certified like an HCALCS (a working assumption: DOMAIN §2 lists no APC).
        CommsHub | Gsme | Hcalcs | Apc => (true, true, false),
        SingleElementEsme | TwinElementEsme | PolyphaseEsme => (true, true, true),
        Ihd | Type2 => (false, false, false),
    };
    Required { zigbee, cpa, dlms }
}

/// A Commercial Product Assurance certificate: it expires; a conditional one also lapses at its
/// condition date unless the condition is met (the date extended).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cpa {
    pub id: String,
    pub expires: Date,
    pub condition: Option<Date>,
}

/// The assurance certificates an entry carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Certificates {
    pub zigbee: Option<String>,
    pub cpa: Option<Cpa>,
    pub dlms: Option<String>,
    /// A SMETS1 entry's compliance statement (its supplier's, in place of CPA): withdrawing it
    /// (`revoke_certificate`) removes the entry.
    pub compliance_statement: Option<String>,
}

impl Certificates {
    /// Whether the certificate `id` (of any kind) is one of these.
    pub fn carries(&self, id: &str) -> bool {
        self.zigbee.as_deref() == Some(id)
            || self.dlms.as_deref() == Some(id)
            || self.cpa.as_ref().is_some_and(|c| c.id == id)
            || self.compliance_statement.as_deref() == Some(id)
    }
}

/// Who submitted an entry to the CPL. Only the DCC may submit SMETS1 entries (DOMAIN §2).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Submitter {
    Dcc,
    Supplier,
    Manufacturer,
}

impl Submitter {
    pub const NAMES: [&'static str; 3] = ["dcc", "supplier", "manufacturer"];

    pub fn from_name(s: &str) -> Option<Submitter> {
        match s {
            "dcc" => Some(Submitter::Dcc),
            "supplier" => Some(Submitter::Supplier),
            "manufacturer" => Some(Submitter::Manufacturer),
            _ => None,
        }
    }
}

/// The DCC's test of a SMETS1 device with its systems, which a SMETS1 entry needs in place of
/// CPA certification (DOMAIN §2).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DccTest {
    Passed,
    Failed,
    NotTested,
}

impl DccTest {
    pub const NAMES: [&'static str; 3] = ["passed", "failed", "not_tested"];

    pub fn from_name(s: &str) -> Option<DccTest> {
        match s {
            "passed" => Some(DccTest::Passed),
            "failed" => Some(DccTest::Failed),
            "not_tested" => Some(DccTest::NotTested),
            _ => None,
        }
    }
}

/// One CPL entry as the scenario describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct CplEntry {
    /// The scenario's name for the entry (`[[cpl_entry]] id`).
    pub id: String,
    /// Index of the Device Model it lists (`[[device_model]]`).
    pub model: u16,
    /// The model's physical device type, as written in scenarios (for messages).
    pub device_type: String,
    /// Certificates the device type needs.
    pub required: Required,
    pub hardware: HardwareData,
    /// SMETS or CHTS technical specification version.
    pub spec_version: String,
    pub gbcs_version: String,
    pub certificates: Certificates,
    /// Firmware version the ZigBee and DLMS certificates name (a firmware update's certificates
    /// may still name the previous firmware).
    pub certified_firmware: String,
    /// Entry (index) whose certificates this one maps to: allows `certified_firmware` to be that
    /// entry's firmware.
    pub certificate_mapping: Option<u16>,
    /// Entries (indices) that may be upgraded to this one (firmware upgrade pathway, MP231).
    pub upgrades_from: Vec<u16>,
    /// On the CPL in force when the run starts (else published later by an extract).
    pub in_force_at_start: bool,
    /// A SMETS1 entry (`smets = 1`): the DCC's test result of the device; `None` for SMETS2.
    pub smets1_test: Option<DccTest>,
    /// Who submitted the entry.
    pub submitted_by: Submitter,
}

/// Why the DSP refuses to load an entry; the label of `cpl.entry_refused{reason=…}`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Refusal {
    /// The device type needs a ZigBee certificate and the entry has none.
    MissingZigbee,
    /// The device type needs a CPA certificate and the entry has none.
    MissingCpa,
    /// The device type needs a DLMS certificate and the entry has none.
    MissingDlms,
    /// The certificates name another firmware version and no certificate mapping explains it.
    CertificateFirmware,
    /// Legacy DSP check: another listed entry has the same hardware data (a different device
    /// type): the old bug that blocked the second entry.
    DuplicateHardware,
    /// A SMETS1 entry submitted by someone other than the DCC.
    Smets1NotByDcc,
    /// A SMETS1 entry without its compliance statement.
    MissingComplianceStatement,
    /// A SMETS1 entry whose device has not passed the DCC's test.
    DccTestNotPassed,
}

impl Refusal {
    pub const ALL: [Refusal; 8] = [
        Refusal::MissingZigbee,
        Refusal::MissingCpa,
        Refusal::MissingDlms,
        Refusal::CertificateFirmware,
        Refusal::DuplicateHardware,
        Refusal::Smets1NotByDcc,
        Refusal::MissingComplianceStatement,
        Refusal::DccTestNotPassed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Refusal::MissingZigbee => "missing_zigbee_certificate",
            Refusal::MissingCpa => "missing_cpa_certificate",
            Refusal::MissingDlms => "missing_dlms_certificate",
            Refusal::CertificateFirmware => "certificate_names_other_firmware",
            Refusal::DuplicateHardware => "duplicate_hardware",
            Refusal::Smets1NotByDcc => "smets1_not_submitted_by_dcc",
            Refusal::MissingComplianceStatement => "missing_compliance_statement",
            Refusal::DccTestNotPassed => "dcc_test_not_passed",
        }
    }

    /// A plain-English sentence for messages.
    pub fn text(self) -> &'static str {
        match self {
            Refusal::MissingZigbee => "its device type needs a ZigBee certificate and it has none",
            Refusal::MissingCpa => "its device type needs a CPA certificate and it has none",
            Refusal::MissingDlms => "its device type needs a DLMS certificate and it has none",
            Refusal::CertificateFirmware => {
                "its ZigBee/DLMS certificates name another firmware version and it has no \
                 certificate mapping to an entry with that firmware"
            }
            Refusal::DuplicateHardware => {
                "another listed entry has the same hardware data (legacy DSP duplicate check)"
            }
            Refusal::Smets1NotByDcc => {
                "it is a SMETS1 entry and only the DCC may submit SMETS1 entries"
            }
            Refusal::MissingComplianceStatement => {
                "it is a SMETS1 entry and has no compliance statement"
            }
            Refusal::DccTestNotPassed => {
                "it is a SMETS1 entry whose device has not passed the DCC's test with its systems"
            }
        }
    }
}

impl CplEntry {
    /// The entry's own completeness: required certificates present, and certificates that name
    /// another firmware mapped to an entry of the same hardware with that firmware.
    pub fn check(&self, all: &[CplEntry]) -> Result<(), Refusal> {
        let certs = &self.certificates;
        if let Some(test) = self.smets1_test {
            // SMETS1: no CPA, ZigBee or DLMS certificates; the DCC submits, the supplier's
            // compliance statement and the DCC's own test stand in for certification.
            if self.submitted_by != Submitter::Dcc {
                return Err(Refusal::Smets1NotByDcc);
            }
            if certs.compliance_statement.is_none() {
                return Err(Refusal::MissingComplianceStatement);
            }
            if test != DccTest::Passed {
                return Err(Refusal::DccTestNotPassed);
            }
            return Ok(());
        }
        if self.required.zigbee && certs.zigbee.is_none() {
            return Err(Refusal::MissingZigbee);
        }
        if self.required.cpa && certs.cpa.is_none() {
            return Err(Refusal::MissingCpa);
        }
        if self.required.dlms && certs.dlms.is_none() {
            return Err(Refusal::MissingDlms);
        }
        if self.certified_firmware != self.hardware.firmware {
            let mapped = self.certificate_mapping.and_then(|m| all.get(m as usize));
            let ok = mapped.is_some_and(|m| {
                m.hardware.firmware == self.certified_firmware
                    && m.hardware.manufacturer == self.hardware.manufacturer
                    && m.hardware.model == self.hardware.model
                    && m.hardware.hardware == self.hardware.hardware
                    && m.device_type == self.device_type
            });
            if !ok {
                return Err(Refusal::CertificateFirmware);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An ESME entry with all three certificates.
    pub fn esme(id: &str, model: u16, firmware: &str) -> CplEntry {
        CplEntry {
            id: id.into(),
            model,
            device_type: "single-esme".into(),
            required: Required {
                zigbee: true,
                cpa: true,
                dlms: true,
            },
            hardware: HardwareData {
                manufacturer: "acme".into(),
                model: "e1".into(),
                hardware: "1.0".into(),
                firmware: firmware.into(),
            },
            spec_version: "SMETS2 v5.1".into(),
            gbcs_version: "3.2".into(),
            certificates: Certificates {
                zigbee: Some(format!("ZB-{id}")),
                cpa: Some(Cpa {
                    id: format!("CPA-{id}"),
                    expires: Date::parse("2030-01-01").unwrap(),
                    condition: None,
                }),
                dlms: Some(format!("DL-{id}")),
                compliance_statement: None,
            },
            certified_firmware: firmware.into(),
            certificate_mapping: None,
            upgrades_from: Vec::new(),
            in_force_at_start: true,
            smets1_test: None,
            submitted_by: Submitter::Manufacturer,
        }
    }

    /// A SMETS1 ESME entry as the DCC submits it: compliance statement, DCC test passed.
    pub fn smets1(id: &str, model: u16) -> CplEntry {
        let mut e = esme(id, model, "1.0");
        e.certificates = Certificates {
            compliance_statement: Some(format!("CS-{id}")),
            ..Certificates::default()
        };
        e.spec_version = "SMETS1".into();
        e.gbcs_version = "-".into();
        e.smets1_test = Some(DccTest::Passed);
        e.submitted_by = Submitter::Dcc;
        e
    }

    #[test]
    fn smets1_entries_need_the_dcc_a_compliance_statement_and_a_passed_test() {
        let ok = smets1("s1", 0);
        assert_eq!(ok.check(&[]), Ok(()), "no CPA, ZigBee or DLMS needed");
        let mut e = ok.clone();
        e.submitted_by = Submitter::Supplier;
        assert_eq!(e.check(&[]), Err(Refusal::Smets1NotByDcc));
        let mut e = ok.clone();
        e.certificates.compliance_statement = None;
        assert_eq!(e.check(&[]), Err(Refusal::MissingComplianceStatement));
        let mut e = ok.clone();
        e.smets1_test = Some(DccTest::NotTested);
        assert_eq!(e.check(&[]), Err(Refusal::DccTestNotPassed));
        assert!(ok.certificates.carries("CS-s1"));
    }

    #[test]
    fn each_required_certificate_is_checked() {
        let full = esme("a", 0, "1.0");
        assert_eq!(full.check(&[]), Ok(()));
        let mut e = full.clone();
        e.certificates.zigbee = None;
        assert_eq!(e.check(&[]), Err(Refusal::MissingZigbee));
        let mut e = full.clone();
        e.certificates.cpa = None;
        assert_eq!(e.check(&[]), Err(Refusal::MissingCpa));
        let mut e = full.clone();
        e.certificates.dlms = None;
        assert_eq!(e.check(&[]), Err(Refusal::MissingDlms));
        // A PPMID needs only ZigBee.
        let mut e = full;
        e.required = Required {
            zigbee: true,
            ..Required::default()
        };
        e.certificates.cpa = None;
        e.certificates.dlms = None;
        assert_eq!(e.check(&[]), Ok(()));
    }

    #[test]
    fn certificates_of_previous_firmware_need_a_mapping() {
        let old = esme("v1", 0, "1.0");
        let mut new = esme("v2", 1, "2.0");
        new.certified_firmware = "1.0".into();
        let all = [old.clone(), new.clone()];
        assert_eq!(new.check(&all), Err(Refusal::CertificateFirmware));
        new.certificate_mapping = Some(0);
        assert_eq!(new.check(&all), Ok(()));
        // A mapping to an entry of other hardware explains nothing.
        let mut other = old;
        other.hardware.hardware = "2.0".into();
        assert_eq!(
            new.check(&[other, new.clone()]),
            Err(Refusal::CertificateFirmware)
        );
    }

    #[test]
    fn certificates_are_found_by_id() {
        let e = esme("a", 0, "1.0");
        assert!(e.certificates.carries("ZB-a"));
        assert!(e.certificates.carries("CPA-a"));
        assert!(e.certificates.carries("DL-a"));
        assert!(!e.certificates.carries("ZB-b"));
    }
}
