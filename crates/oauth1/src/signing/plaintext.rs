//! PLAINTEXT (RFC 5849 section 3.4.4): the signature is `enc(consumer secret)&enc(token secret)`.
//! It protects nothing by itself and is only safe over TLS.

use subtle::ConstantTimeEq;

use crate::secret::Secret;

/// Holds the key, which is also the signature.
#[derive(Clone)]
pub struct PlaintextSigner {
    key: Secret,
    consumer_len: usize,
    token_len: Option<usize>,
}

impl PlaintextSigner {
    /// Prepares `enc(consumer_secret)&enc(token_secret)`.
    pub fn new(consumer_secret: &Secret, token_secret: Option<&Secret>) -> Self {
        Self {
            key: Secret::new(super::hmac::key(consumer_secret, token_secret)),
            consumer_len: consumer_secret.len(),
            token_len: token_secret.map(Secret::len),
        }
    }

    /// The signature: the key itself.
    pub fn sign(&self) -> String {
        self.key.expose().to_owned()
    }

    /// The key, which is the signature.
    pub(crate) fn key(&self) -> &str {
        self.key.expose()
    }

    pub(crate) fn key_shape(&self) -> String {
        super::hmac::key_shape(self.consumer_len, self.token_len)
    }
}

/// Compares a received PLAINTEXT signature with the expected key in constant time.
pub fn verify(consumer_secret: &Secret, token_secret: Option<&Secret>, signature: &str) -> bool {
    let expected = super::hmac::key(consumer_secret, token_secret);
    expected.as_bytes().ct_eq(signature.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_the_encoded_secrets() {
        let s = PlaintextSigner::new(
            &Secret::new("kd94hf93k423kf44"),
            Some(&Secret::new("pfkkdhi9sl3r4s00")),
        );
        assert_eq!(s.sign(), "kd94hf93k423kf44&pfkkdhi9sl3r4s00");
        // Secrets with reserved characters are encoded: the Yaak/Insomnia PLAINTEXT bug.
        let s = PlaintextSigner::new(&Secret::new("c7rXh&"), None);
        assert_eq!(s.sign(), "c7rXh%26&");
        assert!(verify(&Secret::new("c7rXh&"), None, "c7rXh%26&"));
        assert!(!verify(&Secret::new("c7rXh&"), None, "c7rXh&&"));
    }
}
