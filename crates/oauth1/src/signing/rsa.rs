//! RSA-SHA1 (RFC 5849 section 3.4.3) and its SHA-256 and SHA-512 variants: RSASSA-PKCS1-v1_5
//! over the base string, base64-encoded. Keys are PEM, PKCS#1 or PKCS#8, parsed once.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::Pkcs1v15Sign;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::Verifier as _;
use rsa::traits::PublicKeyParts;
use rsa::{PrivateKey as RsaPrivateKey, PublicKey as RsaPublicKey};
use sha1::Sha1;
use sha2::Digest;
use sha2::digest::const_oid::AssociatedOid;
use sha2::{Sha256, Sha512};

use super::{Hash, SignatureMethod};
use crate::error::{Error, Result};

/// A parsed RSA private key. Cloning shares it.
#[derive(Clone)]
pub struct RsaPrivateKeyPem {
    key: Arc<RsaPrivateKey>,
    format: &'static str,
}

impl RsaPrivateKeyPem {
    /// Parses a PEM private key in PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN PRIVATE
    /// KEY`) form.
    pub fn parse(pem: &str) -> Result<Self> {
        let pem = pem.trim();
        if pem.contains("BEGIN ENCRYPTED PRIVATE KEY") {
            return Err(Error::InvalidPrivateKey(
                "it is encrypted with a passphrase; decrypt it first (openssl pkey -in key.pem -out plain.pem)".into(),
            ));
        }
        if pem.contains("BEGIN RSA PRIVATE KEY") {
            return RsaPrivateKey::from_pkcs1_pem(pem)
                .map(|k| Self {
                    key: Arc::new(k),
                    format: "PKCS#1",
                })
                .map_err(|e| Error::InvalidPrivateKey(format!("the PKCS#1 PEM is damaged ({e})")));
        }
        if pem.contains("BEGIN PRIVATE KEY") {
            return RsaPrivateKey::from_pkcs8_pem(pem)
                .map(|k| Self {
                    key: Arc::new(k),
                    format: "PKCS#8",
                })
                .map_err(|e| {
                    Error::InvalidPrivateKey(format!(
                        "the PKCS#8 PEM is damaged or not an RSA key ({e})"
                    ))
                });
        }
        if pem.contains("PUBLIC KEY") {
            return Err(Error::InvalidPrivateKey(
                "this is a public key; signing needs the private key (the public one is what you register with the provider)".into(),
            ));
        }
        Err(Error::InvalidPrivateKey(
            "expected a PEM block starting with -----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----".into(),
        ))
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.key.size() * 8
    }

    /// The matching public key.
    pub fn public_key(&self) -> RsaPublicKeyPem {
        RsaPublicKeyPem {
            key: Arc::new(self.key.to_public_key()),
        }
    }

    /// "2048-bit RSA private key (PKCS#8 PEM)": safe to show.
    pub fn describe(&self) -> String {
        format!("{}-bit RSA private key ({} PEM)", self.bits(), self.format)
    }
}

impl std::fmt::Debug for RsaPrivateKeyPem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RsaPrivateKeyPem({}, <redacted>)", self.describe())
    }
}

/// A parsed RSA public key (what a consumer registers with a provider).
#[derive(Clone, Debug)]
pub struct RsaPublicKeyPem {
    key: Arc<RsaPublicKey>,
}

impl RsaPublicKeyPem {
    /// Parses `BEGIN PUBLIC KEY` (SPKI) or `BEGIN RSA PUBLIC KEY` (PKCS#1).
    pub fn parse(pem: &str) -> Result<Self> {
        let pem = pem.trim();
        let key = if pem.contains("BEGIN RSA PUBLIC KEY") {
            RsaPublicKey::from_pkcs1_pem(pem).map_err(|e| e.to_string())
        } else if pem.contains("BEGIN PUBLIC KEY") {
            RsaPublicKey::from_public_key_pem(pem).map_err(|e| e.to_string())
        } else {
            Err("expected a PEM block starting with -----BEGIN PUBLIC KEY-----".to_owned())
        };
        key.map(|k| Self { key: Arc::new(k) })
            .map_err(Error::InvalidPublicKey)
    }
}

/// The smallest modulus, in bytes, PKCS#1 v1.5 can sign a `hash` digest with: the DigestInfo
/// (19 bytes of prefix for SHA-256 and SHA-512, 15 for SHA-1, then the digest) and 11 bytes of
/// padding (RFC 8017 section 9.2).
fn min_modulus_bytes(hash: Hash) -> usize {
    match hash {
        Hash::Sha1 => 15 + 20 + 11,
        Hash::Sha256 => 19 + 32 + 11,
        Hash::Sha512 => 19 + 64 + 11,
    }
}

/// Below this many bits a key still signs, but a lint says to replace it.
pub const RECOMMENDED_BITS: usize = 2048;

/// An RSA signing key ready for one hash: the parsed key, shared, not copied, and the seed that
/// blinds the private-key operation (RUSTSEC-2023-0071: unblinded RSA leaks timing).
#[derive(Clone)]
pub struct RsaSigner {
    key: Arc<RsaPrivateKey>,
    hash: Hash,
    shape: String,
    blinding: Option<[u8; 32]>,
}

impl RsaSigner {
    /// Prepares PKCS#1 v1.5 signing with `hash`; a key too small for the digest is refused
    /// here, with what it needs, rather than failing when it signs.
    pub fn new(hash: Hash, key: &RsaPrivateKeyPem) -> Result<Self> {
        let min = min_modulus_bytes(hash);
        if key.key.size() < min {
            return Err(Error::RsaSign(format!(
                "a {}-bit key is too small for {}: PKCS#1 v1.5 needs at least {} bits for that digest; use a {RECOMMENDED_BITS}-bit key",
                key.bits(),
                match hash {
                    Hash::Sha1 => "RSA-SHA1",
                    Hash::Sha256 => "RSA-SHA256",
                    Hash::Sha512 => "RSA-SHA512",
                },
                min * 8
            )));
        }
        Ok(Self {
            key: Arc::clone(&key.key),
            hash,
            shape: format!(
                "{} (<redacted>); no shared secrets are used",
                key.describe()
            ),
            blinding: None,
        })
    }

    /// Blinds the signature with a generator seeded from `seed`, which must be fresh and secret
    /// for each signature (the engine draws it from the operating system; the core does no IO).
    pub fn with_blinding(mut self, seed: [u8; 32]) -> Self {
        self.blinding = Some(seed);
        self
    }

    /// The method this signer implements.
    pub fn method(&self) -> SignatureMethod {
        match self.hash {
            Hash::Sha1 => SignatureMethod::RsaSha1,
            Hash::Sha256 => SignatureMethod::RsaSha256,
            Hash::Sha512 => SignatureMethod::RsaSha512,
        }
    }

    /// base64(RSASSA-PKCS1-v1_5(key, hash, text)), blinded when a seed was given (the result
    /// is the same either way: PKCS#1 v1.5 signatures are deterministic).
    pub fn sign(&self, text: &[u8]) -> Result<String> {
        fn pkcs1v15<D: Digest + AssociatedOid>(
            key: &RsaPrivateKey,
            blinding: Option<[u8; 32]>,
            text: &[u8],
        ) -> rsa::Result<Vec<u8>> {
            let digest = D::digest(text);
            match blinding {
                Some(seed) => {
                    use rand::SeedableRng as _;
                    let mut rng = rand::rngs::StdRng::from_seed(seed);
                    key.sign_with_rng(&mut rng, Pkcs1v15Sign::new::<D>(), &digest)
                }
                None => key.sign(Pkcs1v15Sign::new::<D>(), &digest),
            }
        }
        let signed = match self.hash {
            Hash::Sha1 => pkcs1v15::<Sha1>(&self.key, self.blinding, text),
            Hash::Sha256 => pkcs1v15::<Sha256>(&self.key, self.blinding, text),
            Hash::Sha512 => pkcs1v15::<Sha512>(&self.key, self.blinding, text),
        };
        signed
            .map(|s| STANDARD.encode(s))
            .map_err(|e| Error::RsaSign(format!("the key cannot sign ({e})")))
    }

    pub(crate) fn key_shape(&self) -> String {
        self.shape.clone()
    }
}

/// Verifies a base64 RSASSA-PKCS1-v1_5 signature.
pub fn verify(hash: Hash, key: &RsaPublicKeyPem, text: &str, signature: &str) -> bool {
    let Ok(bytes) = STANDARD.decode(signature) else {
        return false;
    };
    let Ok(sig) = Signature::try_from(bytes.as_slice()) else {
        return false;
    };
    let k = (*key.key).clone();
    match hash {
        Hash::Sha1 => VerifyingKey::<Sha1>::new(k)
            .verify(text.as_bytes(), &sig)
            .is_ok(),
        Hash::Sha256 => VerifyingKey::<Sha256>::new(k)
            .verify(text.as_bytes(), &sig)
            .is_ok(),
        Hash::Sha512 => VerifyingKey::<Sha512>::new(k)
            .verify(text.as_bytes(), &sig)
            .is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_2048: &str = include_str!("../../tests/vectors/rsa-private.pem");
    const KEY_1024: &str = include_str!("../../tests/keys/rsa-1024-test-only.pem");
    const KEY_512: &str = include_str!("../../tests/keys/rsa-512-test-only.pem");

    #[test]
    fn a_key_too_small_for_the_digest_is_refused_when_the_signer_is_made() {
        let small = RsaPrivateKeyPem::parse(KEY_512).unwrap();
        assert_eq!(small.bits(), 512);
        // 512 bits carry SHA-1 and SHA-256 DigestInfos, not SHA-512's (752 bits).
        assert!(RsaSigner::new(Hash::Sha1, &small).is_ok());
        assert!(RsaSigner::new(Hash::Sha256, &small).is_ok());
        let Err(e) = RsaSigner::new(Hash::Sha512, &small) else {
            panic!("a 512-bit key signed SHA-512");
        };
        assert_eq!(
            e.to_string(),
            "rsa signing failed: a 512-bit key is too small for RSA-SHA512: PKCS#1 v1.5 needs at least 752 bits for that digest; use a 2048-bit key"
        );
    }

    #[test]
    fn blinded_signatures_are_the_deterministic_ones_and_verify() {
        for pem in [KEY_2048, KEY_1024, KEY_512] {
            let key = RsaPrivateKeyPem::parse(pem).unwrap();
            let public = key.public_key();
            for hash in [Hash::Sha1, Hash::Sha256] {
                let plain = RsaSigner::new(hash, &key).unwrap();
                let text = b"GET&https%3A%2F%2Fexample.com%2F&a%3D1";
                let unblinded = plain.sign(text).unwrap();
                let blinded = plain.clone().with_blinding([7; 32]).sign(text).unwrap();
                let other = plain.with_blinding([9; 32]).sign(text).unwrap();
                assert_eq!(unblinded, blinded);
                assert_eq!(blinded, other);
                assert!(verify(
                    hash,
                    &public,
                    std::str::from_utf8(text).unwrap(),
                    &blinded
                ));
            }
        }
    }
}
