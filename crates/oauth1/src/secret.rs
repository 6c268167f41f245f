//! Secrets: consumer secrets, token secrets, verifiers, RSA private keys.
//!
//! A [`Secret`] prints `<redacted>` through `Debug`, `Display` and `Serialize`, so it cannot leak
//! into a log, an error, a trace or an export by accident. The only way to the text is the
//! explicitly named [`Secret::expose`]. Its bytes are overwritten with zeros when it is dropped.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use subtle::ConstantTimeEq;

/// The text every secret prints as.
pub const REDACTED: &str = "<redacted>";

/// A secret string. Comparison is constant-time.
#[derive(Clone, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret's text. Call this only where the value is really needed (signing, storage
    /// encryption, a user's explicit "reveal").
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string (an absent token secret, say).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The secret's length in bytes: safe to show ("40 characters") without its value.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Serializes as `"<redacted>"`: a secret reaches a file only through an explicit, named path
/// (the store encrypts [`Secret::expose`]; an export asks for a passphrase).
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

/// Deserializes from a plain string (a connector file written by the user, an import).
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

/// Serde helpers for the rare place that must write a secret's value (an encrypted record).
pub mod exposed {
    use super::Secret;
    use serde::Serializer;

    /// `#[serde(serialize_with = "signet_oauth1::secret::exposed::serialize")]`
    pub fn serialize<S: Serializer>(secret: &Secret, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(secret.expose())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_display_and_serialize_redact() {
        let s = Secret::new("kd94hf93k423kf44");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"<redacted>\"");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            secret: Secret,
        }
        let h = format!("{:?}", Holder { secret: s.clone() });
        assert!(!h.contains("kd94"), "{h}");
        assert_eq!(s.expose(), "kd94hf93k423kf44");
    }

    #[test]
    fn equality_compares_values() {
        assert_eq!(Secret::new("a"), Secret::new("a"));
        assert_ne!(Secret::new("a"), Secret::new("b"));
        assert_ne!(Secret::new("a"), Secret::new("ab"));
    }
}
