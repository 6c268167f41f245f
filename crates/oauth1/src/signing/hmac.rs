//! HMAC-SHA1 (RFC 5849 section 3.4.2) and its SHA-256 and SHA-512 variants.
//!
//! The key is `enc(consumer secret) "&" enc(token secret)`, the text the base string, and the
//! signature the base64 of the digest.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};

use super::{Hash, SignatureMethod};
use crate::encoding::encode_into;
use crate::secret::Secret;

/// The HMAC key string, `enc(consumer_secret)&enc(token_secret)`.
pub(crate) fn key(consumer_secret: &Secret, token_secret: Option<&Secret>) -> String {
    let ts = token_secret.map(Secret::expose).unwrap_or("");
    let mut key = String::with_capacity((consumer_secret.len() + ts.len()) * 3 / 2 + 1);
    encode_into(&mut key, consumer_secret.expose());
    key.push('&');
    encode_into(&mut key, ts);
    key
}

/// Describes the key without its secrets, for the trace.
pub(crate) fn key_shape(consumer_len: usize, token_len: Option<usize>) -> String {
    match token_len {
        Some(n) if n > 0 => format!(
            "enc(consumer secret, {consumer_len} characters) & enc(token secret, {n} characters)"
        ),
        _ => format!(
            "enc(consumer secret, {consumer_len} characters) & (no token secret yet, so nothing after the &)"
        ),
    }
}

/// An HMAC signer holding its key string, `enc(consumer secret)&enc(token secret)`, built once.
///
/// The key string rather than a keyed HMAC state: keying is the same few compressions either
/// way, and the string is a fraction of the size of a SHA-512 HMAC state, which every move of
/// the signer would copy.
#[derive(Clone)]
pub struct HmacSigner {
    hash: Hash,
    key: Secret,
    consumer_len: usize,
    token_len: Option<usize>,
}

impl HmacSigner {
    /// Prepares the key `enc(consumer_secret)&enc(token_secret)` for `hash`.
    pub fn new(hash: Hash, consumer_secret: &Secret, token_secret: Option<&Secret>) -> Self {
        Self {
            hash,
            key: Secret::new(key(consumer_secret, token_secret)),
            consumer_len: consumer_secret.len(),
            token_len: token_secret.map(Secret::len),
        }
    }

    /// The method this signer implements.
    pub fn method(&self) -> SignatureMethod {
        match self.hash {
            Hash::Sha1 => SignatureMethod::HmacSha1,
            Hash::Sha256 => SignatureMethod::HmacSha256,
            Hash::Sha512 => SignatureMethod::HmacSha512,
        }
    }

    /// base64(HMAC(key, text)).
    pub fn sign(&self, text: &[u8]) -> String {
        let mut out = smallvec::SmallVec::new();
        self.sign_to(text, &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Appends base64(HMAC(key, text)) to `out`, without allocating.
    pub(crate) fn sign_to(&self, text: &[u8], out: &mut smallvec::SmallVec<[u8; 88]>) {
        fn put<M: Mac + KeyInit>(key: &[u8], text: &[u8], out: &mut smallvec::SmallVec<[u8; 88]>) {
            // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
            let mut m = <M as KeyInit>::new_from_slice(key).expect("any key length");
            m.update(text);
            let digest = m.finalize().into_bytes();
            let mut buf = [0u8; 88];
            let n = STANDARD
                .encode_slice(digest, &mut buf)
                .expect("88 bytes hold the base64 of a SHA-512 digest");
            out.extend_from_slice(&buf[..n]);
        }
        let key = self.key.expose().as_bytes();
        match self.hash {
            Hash::Sha1 => put::<Hmac<Sha1>>(key, text, out),
            Hash::Sha256 => put::<Hmac<Sha256>>(key, text, out),
            Hash::Sha512 => put::<Hmac<Sha512>>(key, text, out),
        }
    }

    pub(crate) fn key_shape(&self) -> String {
        key_shape(self.consumer_len, self.token_len)
    }
}

/// Verifies a base64 HMAC signature in constant time.
pub fn verify(
    hash: Hash,
    consumer_secret: &Secret,
    token_secret: Option<&Secret>,
    text: &str,
    signature: &str,
) -> bool {
    let Ok(sig) = STANDARD.decode(signature) else {
        return false;
    };
    let key = key(consumer_secret, token_secret);
    fn check<M: Mac + KeyInit>(key: &[u8], text: &[u8], sig: &[u8]) -> bool {
        let mut m = <M as KeyInit>::new_from_slice(key).expect("any key length");
        m.update(text);
        m.verify_slice(sig).is_ok()
    }
    match hash {
        Hash::Sha1 => check::<Hmac<Sha1>>(key.as_bytes(), text.as_bytes(), &sig),
        Hash::Sha256 => check::<Hmac<Sha256>>(key.as_bytes(), text.as_bytes(), &sig),
        Hash::Sha512 => check::<Hmac<Sha512>>(key.as_bytes(), text.as_bytes(), &sig),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_5849_section_1_2_initiate_signature() {
        let s = HmacSigner::new(Hash::Sha1, &Secret::new("kd94hf93k423kf44"), None);
        let base = "POST&https%3A%2F%2Fphotos.example.net%2Finitiate&oauth_callback%3Dhttp%253A%252F%252Fprinter.example.com%252Fready%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DwIjqoS%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131200";
        assert_eq!(s.sign(base.as_bytes()), "74KNZJeDHnMBp0EMJ9ZHt/XKycU=");
        assert!(verify(
            Hash::Sha1,
            &Secret::new("kd94hf93k423kf44"),
            None,
            base,
            "74KNZJeDHnMBp0EMJ9ZHt/XKycU="
        ));
        assert!(!verify(
            Hash::Sha1,
            &Secret::new("kd94hf93k423kf45"),
            None,
            base,
            "74KNZJeDHnMBp0EMJ9ZHt/XKycU="
        ));
        assert!(!verify(
            Hash::Sha1,
            &Secret::new("kd94hf93k423kf44"),
            None,
            base,
            "not base64!"
        ));
    }

    #[test]
    fn key_encodes_both_secrets() {
        assert_eq!(
            key(&Secret::new("a&b c"), Some(&Secret::new("d+e"))),
            "a%26b%20c&d%2Be"
        );
        assert_eq!(key(&Secret::new(""), None), "&");
    }
}
