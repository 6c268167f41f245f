//! Signature methods (RFC 5849 section 3.4, plus the SHA-256 and SHA-512 variants providers use).
//!
//! A [`Signer`] holds the key material, prepared once: the HMAC key string, or the parsed RSA
//! private key. A [`Verifier`] is the provider's side: the shared secrets or the RSA public key.

pub mod hmac;
pub mod plaintext;
pub mod rsa;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::secret::Secret;

/// The seven signature methods Signet speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub enum SignatureMethod {
    /// HMAC with SHA-1 (RFC 5849 section 3.4.2).
    #[serde(rename = "HMAC-SHA1")]
    HmacSha1,
    /// HMAC with SHA-256 (NetSuite, Magento 2.4.4+, WooCommerce).
    #[serde(rename = "HMAC-SHA256")]
    HmacSha256,
    /// HMAC with SHA-512.
    #[serde(rename = "HMAC-SHA512")]
    HmacSha512,
    /// RSASSA-PKCS1-v1_5 with SHA-1 (RFC 5849 section 3.4.3; Jira, Xero).
    #[serde(rename = "RSA-SHA1")]
    RsaSha1,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    #[serde(rename = "RSA-SHA256")]
    RsaSha256,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    #[serde(rename = "RSA-SHA512")]
    RsaSha512,
    /// The secrets themselves, unhashed (RFC 5849 section 3.4.4); safe only over TLS.
    #[serde(rename = "PLAINTEXT")]
    Plaintext,
}

/// The hash behind an HMAC or RSA method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hash {
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

impl SignatureMethod {
    /// All seven, in the order the UI lists them.
    pub const ALL: [SignatureMethod; 7] = [
        SignatureMethod::HmacSha1,
        SignatureMethod::HmacSha256,
        SignatureMethod::HmacSha512,
        SignatureMethod::RsaSha1,
        SignatureMethod::RsaSha256,
        SignatureMethod::RsaSha512,
        SignatureMethod::Plaintext,
    ];

    /// The value of `oauth_signature_method`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HmacSha1 => "HMAC-SHA1",
            Self::HmacSha256 => "HMAC-SHA256",
            Self::HmacSha512 => "HMAC-SHA512",
            Self::RsaSha1 => "RSA-SHA1",
            Self::RsaSha256 => "RSA-SHA256",
            Self::RsaSha512 => "RSA-SHA512",
            Self::Plaintext => "PLAINTEXT",
        }
    }

    /// Whether the method signs with an RSA key pair rather than shared secrets.
    pub fn is_rsa(self) -> bool {
        matches!(self, Self::RsaSha1 | Self::RsaSha256 | Self::RsaSha512)
    }

    /// The hash the method uses; `None` for PLAINTEXT.
    pub fn hash(self) -> Option<Hash> {
        match self {
            Self::HmacSha1 | Self::RsaSha1 => Some(Hash::Sha1),
            Self::HmacSha256 | Self::RsaSha256 => Some(Hash::Sha256),
            Self::HmacSha512 | Self::RsaSha512 => Some(Hash::Sha512),
            Self::Plaintext => None,
        }
    }
}

impl fmt::Display for SignatureMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SignatureMethod {
    type Err = Error;

    /// Accepts the wire names case-insensitively, with or without the dash (`hmac-sha256`,
    /// `HMAC_SHA256`), as people type them.
    fn from_str(s: &str) -> Result<Self> {
        let norm: String = s
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().replace('-', "") == norm)
            .ok_or_else(|| Error::UnknownSignatureMethod(s.to_owned()))
    }
}

/// Key material for signing, prepared once and reused for every request.
// The keyed HMAC state is a few hundred bytes; boxing it would put an allocation on the hot path
// of every signature, while a signer lives on the stack or in a flow.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub enum Signer {
    /// HMAC-SHA1/256/512 with the key `enc(consumer_secret)&enc(token_secret)`.
    Hmac(hmac::HmacSigner),
    /// RSA-SHA1/256/512 with a parsed private key.
    Rsa(rsa::RsaSigner),
    /// PLAINTEXT: the key itself is the signature.
    Plaintext(plaintext::PlaintextSigner),
}

impl Signer {
    /// A signer for a shared-secret method (HMAC-* or PLAINTEXT).
    pub fn shared(
        method: SignatureMethod,
        consumer_secret: &Secret,
        token_secret: Option<&Secret>,
    ) -> Result<Self> {
        match method {
            SignatureMethod::Plaintext => Ok(Self::Plaintext(plaintext::PlaintextSigner::new(
                consumer_secret,
                token_secret,
            ))),
            m if m.is_rsa() => Err(Error::KeyMismatch {
                method: m,
                expected: "an RSA private key",
            }),
            m => Ok(Self::Hmac(hmac::HmacSigner::new(
                m.hash().expect("HMAC methods have a hash"),
                consumer_secret,
                token_secret,
            ))),
        }
    }

    /// A signer for an RSA method with an already parsed key.
    pub fn rsa(method: SignatureMethod, key: &rsa::RsaPrivateKeyPem) -> Result<Self> {
        match method.hash() {
            Some(hash) if method.is_rsa() => Ok(Self::Rsa(rsa::RsaSigner::new(hash, key)?)),
            _ => Err(Error::KeyMismatch {
                method,
                expected: "a consumer secret",
            }),
        }
    }

    /// The method this signer produces.
    pub fn method(&self) -> SignatureMethod {
        match self {
            Self::Hmac(s) => s.method(),
            Self::Rsa(s) => s.method(),
            Self::Plaintext(_) => SignatureMethod::Plaintext,
        }
    }

    /// Blinds RSA signatures with `seed` (fresh and secret per signature: the engine draws it);
    /// HMAC and PLAINTEXT signers are unchanged.
    pub fn with_blinding(self, seed: [u8; 32]) -> Self {
        match self {
            Self::Rsa(s) => Self::Rsa(s.with_blinding(seed)),
            other => other,
        }
    }

    /// Signs a signature base string; the result is the `oauth_signature` value (base64 for
    /// HMAC and RSA, the key for PLAINTEXT), not yet percent-encoded.
    pub fn sign(&self, base_string: &str) -> Result<String> {
        Ok(match self {
            Self::Hmac(s) => s.sign(base_string.as_bytes()),
            Self::Rsa(s) => s.sign(base_string.as_bytes())?,
            Self::Plaintext(s) => s.sign(),
        })
    }

    /// Like [`Signer::sign`], appending the signature to `out` (which holds any HMAC
    /// signature without allocating).
    pub(crate) fn sign_to(
        &self,
        base_string: &str,
        out: &mut smallvec::SmallVec<[u8; 88]>,
    ) -> Result<()> {
        match self {
            Self::Hmac(s) => s.sign_to(base_string.as_bytes(), out),
            Self::Rsa(s) => out.extend_from_slice(s.sign(base_string.as_bytes())?.as_bytes()),
            Self::Plaintext(s) => out.extend_from_slice(s.key().as_bytes()),
        }
        Ok(())
    }

    /// How the key is made, with secrets redacted, for the trace.
    pub fn key_shape(&self) -> String {
        match self {
            Self::Hmac(s) => s.key_shape(),
            Self::Rsa(s) => s.key_shape(),
            Self::Plaintext(s) => s.key_shape(),
        }
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signer({}, {})", self.method(), self.key_shape())
    }
}

/// Key material for verifying (the provider's side).
#[derive(Clone)]
pub enum Verifier {
    /// HMAC-* and PLAINTEXT: the same shared secrets the consumer signs with.
    Shared {
        /// The consumer secret registered with the provider.
        consumer_secret: Secret,
        /// The secret of the token the request carries (empty when there is none).
        token_secret: Option<Secret>,
    },
    /// RSA-*: the consumer's registered public key.
    Rsa(rsa::RsaPublicKeyPem),
}

impl Verifier {
    /// Checks `signature` (the decoded `oauth_signature`) for `base_string` under `method`, in
    /// constant time where secrets are compared.
    pub fn verify(&self, method: SignatureMethod, base_string: &str, signature: &str) -> bool {
        match (self, method) {
            (Self::Rsa(key), m) if m.is_rsa() => rsa::verify(
                m.hash().expect("rsa has a hash"),
                key,
                base_string,
                signature,
            ),
            (
                Self::Shared {
                    consumer_secret,
                    token_secret,
                },
                SignatureMethod::Plaintext,
            ) => plaintext::verify(consumer_secret, token_secret.as_ref(), signature),
            (
                Self::Shared {
                    consumer_secret,
                    token_secret,
                },
                m,
            ) if !m.is_rsa() => hmac::verify(
                m.hash().expect("hmac has a hash"),
                consumer_secret,
                token_secret.as_ref(),
                base_string,
                signature,
            ),
            _ => false,
        }
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Shared { .. } => f.write_str("Verifier::Shared(<redacted>)"),
            Self::Rsa(_) => f.write_str("Verifier::Rsa(public key)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_round_trip() {
        for m in SignatureMethod::ALL {
            assert_eq!(m.as_str().parse::<SignatureMethod>().unwrap(), m);
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.as_str()));
        }
        assert_eq!(
            "hmac_sha256".parse::<SignatureMethod>().unwrap(),
            SignatureMethod::HmacSha256
        );
        assert_eq!(
            "MD5".parse::<SignatureMethod>().unwrap_err().to_string(),
            "unknown signature method \"MD5\": use one of HMAC-SHA1, HMAC-SHA256, HMAC-SHA512, RSA-SHA1, RSA-SHA256, RSA-SHA512, PLAINTEXT"
        );
    }
}
