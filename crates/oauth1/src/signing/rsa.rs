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

/// An RSA signing key ready for one hash: the parsed key, shared, not copied.
#[derive(Clone)]
pub struct RsaSigner {
    key: Arc<RsaPrivateKey>,
    hash: Hash,
    shape: String,
}

impl RsaSigner {
    /// Prepares PKCS#1 v1.5 signing with `hash`.
    pub fn new(hash: Hash, key: &RsaPrivateKeyPem) -> Self {
        Self {
            key: Arc::clone(&key.key),
            hash,
            shape: format!(
                "{} (<redacted>); no shared secrets are used",
                key.describe()
            ),
        }
    }

    /// The method this signer implements.
    pub fn method(&self) -> SignatureMethod {
        match self.hash {
            Hash::Sha1 => SignatureMethod::RsaSha1,
            Hash::Sha256 => SignatureMethod::RsaSha256,
            Hash::Sha512 => SignatureMethod::RsaSha512,
        }
    }

    /// base64(RSASSA-PKCS1-v1_5(key, hash, text)).
    pub fn sign(&self, text: &[u8]) -> String {
        fn pkcs1v15<D: Digest + AssociatedOid>(key: &RsaPrivateKey, text: &[u8]) -> Vec<u8> {
            key.sign(Pkcs1v15Sign::new::<D>(), &D::digest(text))
                .expect("a parsed key signs any digest")
        }
        STANDARD.encode(match self.hash {
            Hash::Sha1 => pkcs1v15::<Sha1>(&self.key, text),
            Hash::Sha256 => pkcs1v15::<Sha256>(&self.key, text),
            Hash::Sha512 => pkcs1v15::<Sha512>(&self.key, text),
        })
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
