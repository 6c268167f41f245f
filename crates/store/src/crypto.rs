//! Encryption, in one place: secrets at rest under the data key, and secrets in an export file
//! under a passphrase.
//!
//! Both use XChaCha20-Poly1305 (an AEAD with 192-bit random nonces, so random nonces never
//! realistically repeat). At rest, the additional data binds each ciphertext to its connector and
//! field; in an export, an Argon2id key derived from the passphrase replaces the data key.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use signet_oauth1::Secret;

use crate::error::{Error, Result};

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
/// What the key check encrypts: opening it proves the data key is the one the database uses.
const KEY_CHECK_PLAINTEXT: &[u8] = b"signet data key check v1";
const KEY_CHECK_AAD: &[u8] = b"signet-store/meta/key_check";

/// The 256-bit key that encrypts secrets at rest. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey([u8; KEY_LEN]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({})", self.id())
    }
}

impl DataKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Result<Self> {
        let mut k = [0u8; KEY_LEN];
        random(&mut k)?;
        Ok(Self(k))
    }

    /// The key's text form for a keyring entry or key file (base64).
    pub(crate) fn encode(&self) -> Secret {
        Secret::new(B64.encode(self.0))
    }

    /// Parses [`DataKey::encode`]'s form; `None` when it is not a key.
    pub(crate) fn decode(text: &str) -> Option<Self> {
        let bytes = B64.decode(text.trim()).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    /// A short public fingerprint of the key (not the key): 16 hex digits of a SHA-256.
    pub fn id(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"signet-data-key-id\0");
        h.update(self.0);
        h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new_from_slice(&self.0).expect("32-byte key")
    }

    /// Encrypts `plaintext`, bound to `aad`.
    pub(crate) fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Sealed> {
        let data = seal_with(&self.cipher(), plaintext, aad)?;
        Ok(Sealed {
            key_id: self.id(),
            data: B64.encode(data),
        })
    }

    /// Decrypts a [`Sealed`] value made with this key and the same `aad`.
    pub(crate) fn open(&self, sealed: &Sealed, aad: &[u8]) -> Result<Vec<u8>, OpenError> {
        if sealed.key_id != self.id() {
            return Err(OpenError::OtherKey);
        }
        let data = B64.decode(&sealed.data).map_err(|_| OpenError::Damaged)?;
        open_with(&self.cipher(), &data, aad).ok_or(OpenError::Damaged)
    }

    /// The key check stored in the database's meta tree.
    pub(crate) fn key_check(&self) -> Result<Sealed> {
        self.seal(KEY_CHECK_PLAINTEXT, KEY_CHECK_AAD)
    }

    /// Whether this key opens the stored key check.
    pub(crate) fn matches(&self, check: &Sealed) -> bool {
        self.open(check, KEY_CHECK_AAD).as_deref() == Ok(KEY_CHECK_PLAINTEXT)
    }
}

/// Why a sealed value did not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenError {
    /// It was sealed under another data key.
    OtherKey,
    /// It does not authenticate (altered, moved, or truncated).
    Damaged,
}

/// A secret encrypted at rest: which key sealed it, and `nonce ++ ciphertext ++ tag` in base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    /// [`DataKey::id`] of the key that sealed it.
    pub key_id: String,
    /// Base64 of nonce, ciphertext and tag.
    pub data: String,
}

fn random(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf)
        .map_err(|e| Error::Database(format!("the system random source failed: {e}")))
}

fn seal_with(cipher: &XChaCha20Poly1305, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    random(&mut nonce)?;
    let ct = cipher
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| Error::Database("encryption failed".into()))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    Ok(out)
}

fn open_with(cipher: &XChaCha20Poly1305, data: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
    if data.len() < NONCE_LEN {
        return None;
    }
    let (nonce, ct) = data.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
    cipher
        .decrypt(&XNonce::from(nonce), Payload { msg: ct, aad })
        .ok()
}

/// The shortest passphrase an export accepts.
pub const MIN_PASSPHRASE_LEN: usize = 8;

/// Argon2id parameters, as written into an export file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Always `argon2id`.
    pub algorithm: String,
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
    /// Base64 of a 16-byte random salt.
    pub salt: String,
}

/// The most memory an export file's key derivation may ask for.
const MAX_KDF_MEMORY_KIB: u32 = 256 * 1024;

impl KdfParams {
    /// OWASP's recommended Argon2id setting: 19 MiB, 2 passes, 1 lane.
    fn fresh() -> Result<Self> {
        let mut salt = [0u8; 16];
        random(&mut salt)?;
        Ok(Self {
            algorithm: "argon2id".into(),
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
            salt: B64.encode(salt),
        })
    }

    fn derive(&self, passphrase: &Secret) -> Result<XChaCha20Poly1305, String> {
        if self.algorithm != "argon2id" {
            return Err(format!(
                "unknown key derivation {:?}: expected \"argon2id\"",
                self.algorithm
            ));
        }
        // Refuse settings that would take minutes or gigabytes: a file is untrusted input.
        // Signet writes 19 MiB × 2 passes; up to 256 MiB, 16 passes and 32 times its work
        // (memory × passes) is allowed for files from a stronger setting.
        let work = u64::from(self.memory_kib) * u64::from(self.iterations);
        if self.memory_kib > MAX_KDF_MEMORY_KIB
            || self.iterations > 16
            || self.parallelism > 4
            || work > 32 * 19 * 1024 * 2
        {
            return Err(format!(
                "key derivation settings are out of range ({} KiB, {} passes, {} lanes): Signet reads at most {} MiB, 16 passes, 4 lanes",
                self.memory_kib,
                self.iterations,
                self.parallelism,
                MAX_KDF_MEMORY_KIB / 1024
            ));
        }
        let salt = B64
            .decode(&self.salt)
            .map_err(|_| "salt is not base64".to_owned())?;
        let params = Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(KEY_LEN),
        )
        .map_err(|e| format!("key derivation settings are not valid: {e}"))?;
        let mut key = [0u8; KEY_LEN];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase.expose().as_bytes(), &salt, &mut key)
            .map_err(|e| format!("key derivation failed: {e}"))?;
        Ok(XChaCha20Poly1305::new_from_slice(&key).expect("32-byte key"))
    }
}

/// Secrets in an export file, encrypted under a passphrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassphraseBox {
    /// How the key is derived from the passphrase.
    pub kdf: KdfParams,
    /// Always `xchacha20poly1305`.
    pub cipher: String,
    /// Base64 of nonce, ciphertext and tag.
    pub data: String,
}

impl PassphraseBox {
    /// Encrypts `plaintext` under `passphrase`, bound to `aad`.
    pub(crate) fn seal(passphrase: &Secret, plaintext: &[u8], aad: &[u8]) -> Result<Self> {
        if passphrase.expose().chars().count() < MIN_PASSPHRASE_LEN {
            return Err(Error::WeakPassphrase(MIN_PASSPHRASE_LEN));
        }
        let kdf = KdfParams::fresh()?;
        let cipher = kdf.derive(passphrase).map_err(Error::Database)?;
        Ok(Self {
            kdf,
            cipher: "xchacha20poly1305".into(),
            data: B64.encode(seal_with(&cipher, plaintext, aad)?),
        })
    }

    /// Decrypts; a wrong passphrase (or an altered file) is [`Error::WrongPassphrase`]. Other
    /// problems (unknown cipher, bad parameters) come back as a message for the import report.
    pub(crate) fn open(&self, passphrase: &Secret, aad: &[u8]) -> Result<Vec<u8>, BoxError> {
        if self.cipher != "xchacha20poly1305" {
            return Err(BoxError::Invalid(format!(
                "unknown cipher {:?}: expected \"xchacha20poly1305\"",
                self.cipher
            )));
        }
        let data = B64
            .decode(&self.data)
            .map_err(|_| BoxError::Invalid("data is not base64".into()))?;
        let cipher = self.kdf.derive(passphrase).map_err(BoxError::Invalid)?;
        open_with(&cipher, &data, aad).ok_or(BoxError::WrongPassphrase)
    }
}

/// Why a [`PassphraseBox`] did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BoxError {
    WrongPassphrase,
    Invalid(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open_round_trip_and_bind_aad() {
        let k = DataKey::generate().unwrap();
        let s = k.seal(b"kd94hf93k423kf44", b"a").unwrap();
        assert_eq!(k.open(&s, b"a").unwrap(), b"kd94hf93k423kf44");
        assert_eq!(k.open(&s, b"b"), Err(OpenError::Damaged));
        let other = DataKey::generate().unwrap();
        assert_eq!(other.open(&s, b"a"), Err(OpenError::OtherKey));
        assert!(!s.data.contains("kd94hf93k423kf44"));
        assert!(k.matches(&k.key_check().unwrap()));
        assert!(!other.matches(&k.key_check().unwrap()));
    }

    #[test]
    fn data_key_round_trips_through_text_and_never_prints() {
        let k = DataKey::generate().unwrap();
        let text = k.encode();
        assert_eq!(DataKey::decode(text.expose()), Some(k.clone()));
        assert_eq!(DataKey::decode("not a key"), None);
        let dbg = format!("{k:?}");
        assert!(!dbg.contains(text.expose()), "{dbg}");
    }

    #[test]
    fn a_file_cannot_ask_for_gigabytes_or_minutes_of_key_derivation() {
        let mut kdf = KdfParams::fresh().unwrap();
        for (memory_kib, iterations, parallelism) in [
            (1024 * 1024, 2, 1),
            (19 * 1024, 64, 1),
            (19 * 1024, 2, 16),
            (256 * 1024, 16, 1),
        ] {
            kdf.memory_kib = memory_kib;
            kdf.iterations = iterations;
            kdf.parallelism = parallelism;
            let e = kdf.derive(&Secret::new("correct horse")).err().unwrap();
            assert!(
                e.starts_with("key derivation settings are out of range"),
                "{e}"
            );
        }
    }

    #[test]
    fn passphrase_box_opens_only_with_the_passphrase() {
        let b = PassphraseBox::seal(&Secret::new("correct horse"), b"payload", b"x").unwrap();
        assert_eq!(
            b.open(&Secret::new("correct horse"), b"x").unwrap(),
            b"payload"
        );
        assert_eq!(
            b.open(&Secret::new("wrong horse!"), b"x"),
            Err(BoxError::WrongPassphrase)
        );
        assert!(matches!(
            PassphraseBox::seal(&Secret::new("short"), b"p", b"x"),
            Err(Error::WeakPassphrase(8))
        ));
    }
}
