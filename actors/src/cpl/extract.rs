//! Signed CPL extracts: SECAS writes the whole published list as bytes and signs them with
//! Ed25519; the DSP verifies the signature before it reads a single entry, so an unsigned or
//! altered extract cannot change the CPL in force.

use super::config::entry::CplEntry;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// An entry's state on the list SECAS publishes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Published {
    Listed,
    Removed,
}

/// One extract as it reaches the DSP.
#[derive(Clone, Debug)]
pub struct Extract {
    /// SECAS's running number for its extracts.
    pub seq: u32,
    pub bytes: Vec<u8>,
    pub signature: Option<Signature>,
}

/// Why the DSP rejected an extract; the `result` label of `cpl.extract{result=…}`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// No signature, or one that does not match the bytes under SECAS's key.
    Signature,
    /// Correctly signed but not readable as an extract (never produced by SECAS itself).
    Malformed,
}

impl Rejection {
    pub fn result(self) -> &'static str {
        match self {
            Rejection::Signature => "rejected_signature",
            Rejection::Malformed => "rejected_malformed",
        }
    }
}

const HEADER: &str = "dccsim CPL extract v1";

/// SECAS's side: the signing key.
pub struct Secas {
    key: SigningKey,
}

impl Secas {
    /// A key made from 32 seed bytes (drawn from the run's builder stream: reproducible runs).
    pub fn new(seed: [u8; 32]) -> Secas {
        Secas {
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// The key the DSP holds to verify extracts.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// Writes and signs extract `seq` listing every published entry's state.
    pub fn publish(&self, seq: u32, list: &[(u16, Published)], entries: &[CplEntry]) -> Extract {
        let bytes = encode(seq, list, entries);
        let signature = Some(self.key.sign(&bytes));
        Extract {
            seq,
            bytes,
            signature,
        }
    }
}

/// The text of an extract: a header line with its number, then one line per entry
/// `<index> <L|R> <id> <gbcs>`.
fn encode(seq: u32, list: &[(u16, Published)], entries: &[CplEntry]) -> Vec<u8> {
    let mut text = format!("{HEADER} {seq}\n");
    for &(i, state) in list {
        let e = &entries[i as usize];
        let s = match state {
            Published::Listed => 'L',
            Published::Removed => 'R',
        };
        text.push_str(&format!("{i} {s} {} {}\n", e.id, e.gbcs_version));
    }
    text.into_bytes()
}

impl Extract {
    /// Drops the signature (an unsigned extract).
    pub fn unsign(&mut self) {
        self.signature = None;
    }

    /// Changes one byte after signing: the state letter of the last entry (listed ↔ removed), so
    /// that, read without checking the signature, the extract would change the CPL.
    pub fn tamper(&mut self) {
        let at = self
            .bytes
            .iter()
            .rposition(|&b| b == b'L' || b == b'R')
            .unwrap_or(self.bytes.len().saturating_sub(1));
        if let Some(b) = self.bytes.get_mut(at) {
            *b = match *b {
                b'L' => b'R',
                b'R' => b'L',
                other => other ^ 1,
            };
        }
    }

    /// The DSP's reading: verify the signature under `key`, then parse the entries.
    pub fn verify(
        &self,
        key: &VerifyingKey,
        entries: &[CplEntry],
    ) -> Result<Vec<(u16, Published)>, Rejection> {
        let signature = self.signature.as_ref().ok_or(Rejection::Signature)?;
        key.verify(&self.bytes, signature)
            .map_err(|_| Rejection::Signature)?;
        decode(&self.bytes, self.seq, entries).ok_or(Rejection::Malformed)
    }
}

fn decode(bytes: &[u8], seq: u32, entries: &[CplEntry]) -> Option<Vec<(u16, Published)>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.lines();
    if lines.next()? != format!("{HEADER} {seq}") {
        return None;
    }
    lines
        .map(|line| {
            let mut parts = line.split(' ');
            let i: u16 = parts.next()?.parse().ok()?;
            let state = match parts.next()? {
                "L" => Published::Listed,
                "R" => Published::Removed,
                _ => return None,
            };
            let e = entries.get(i as usize)?;
            (parts.next()? == e.id && parts.next()? == e.gbcs_version && parts.next().is_none())
                .then_some((i, state))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpl::config::entry::tests::esme;

    fn setup() -> (Secas, Vec<CplEntry>, Vec<(u16, Published)>) {
        let entries = vec![esme("a", 0, "1.0"), esme("b", 1, "1.0")];
        let list = vec![(0, Published::Listed), (1, Published::Removed)];
        (Secas::new([7; 32]), entries, list)
    }

    #[test]
    fn a_signed_extract_reads_back() {
        let (secas, entries, list) = setup();
        let x = secas.publish(3, &list, &entries);
        assert_eq!(x.verify(&secas.verifying_key(), &entries), Ok(list));
    }

    #[test]
    fn unsigned_tampered_or_foreign_extracts_are_rejected() {
        let (secas, entries, list) = setup();
        let key = secas.verifying_key();
        let mut x = secas.publish(1, &list, &entries);
        x.unsign();
        assert_eq!(x.verify(&key, &entries), Err(Rejection::Signature));

        let mut x = secas.publish(1, &list, &entries);
        let before = x.bytes.clone();
        x.tamper();
        assert_ne!(x.bytes, before);
        // Unchecked, the tampered bytes would still parse (and list entry b).
        assert_eq!(
            decode(&x.bytes, 1, &entries).unwrap()[1],
            (1, Published::Listed)
        );
        assert_eq!(x.verify(&key, &entries), Err(Rejection::Signature));

        let impostor = Secas::new([8; 32]);
        let x = impostor.publish(1, &list, &entries);
        assert_eq!(x.verify(&key, &entries), Err(Rejection::Signature));
    }

    #[test]
    fn the_same_seed_gives_the_same_signature() {
        let (secas, entries, list) = setup();
        let again = Secas::new([7; 32]);
        assert_eq!(
            secas.publish(1, &list, &entries).signature,
            again.publish(1, &list, &entries).signature
        );
    }
}
