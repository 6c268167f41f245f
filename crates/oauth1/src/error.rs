//! Errors of the signing core. Messages are lower-case, precise, and say what to do next.

use serde::{Deserialize, Serialize};

use crate::signing::SignatureMethod;

/// Result with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the pure core.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A signature method name nobody defines.
    #[error(
        "unknown signature method {0:?}: use one of HMAC-SHA1, HMAC-SHA256, HMAC-SHA512, RSA-SHA1, RSA-SHA256, RSA-SHA512, PLAINTEXT"
    )]
    UnknownSignatureMethod(String),
    /// A placement name nobody defines.
    #[error("unknown parameter placement {0:?}: use header, query or body")]
    UnknownPlacement(String),
    /// The key material does not fit the method.
    #[error("{method} needs {expected}")]
    KeyMismatch {
        /// The method asked for.
        method: SignatureMethod,
        /// What it needs instead.
        expected: &'static str,
    },
    /// A URL that cannot be signed.
    #[error("invalid url {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given (never holds secrets: credentials in URLs are refused).
        url: String,
        /// Why, in plain words.
        reason: &'static str,
    },
    /// An HTTP method that is not a token.
    #[error("invalid http method {0:?}: use GET, POST, PUT, PATCH, DELETE or another token")]
    InvalidMethod(String),
    /// Parameters can only travel in the body when the body is a form.
    #[error(
        "oauth parameters can only go in the body of an application/x-www-form-urlencoded request; this body is {0}: use header or query placement"
    )]
    BodyPlacementNeedsForm(String),
    /// A protocol parameter given twice: an extra with the name of another one sent.
    #[error(
        "{0} is given twice: an oauth parameter may appear only once per request (RFC 5849 section 3.1); remove the extra one"
    )]
    RepeatedParameter(String),
    /// An extra parameter that signing itself sets.
    #[error("{0} is set by signing: remove it from the extra parameters")]
    ReservedParameter(String),
    /// A form body must be text.
    #[error("the form body is not valid utf-8 text: percent-encode non-ascii bytes (é is %C3%A9)")]
    FormBodyNotUtf8,
    /// The body hash extension defines no hash for PLAINTEXT.
    #[error(
        "oauth_body_hash is not defined for PLAINTEXT: turn the body hash off or use an HMAC or RSA method"
    )]
    BodyHashWithPlaintext,
    /// A PEM key that could not be read.
    #[error("the rsa private key could not be read: {0}")]
    InvalidPrivateKey(String),
    /// A PEM public key that could not be read.
    #[error("the rsa public key could not be read: {0}")]
    InvalidPublicKey(String),
    /// RSA signing failed (a key too small for the hash).
    #[error("rsa signing failed: {0}")]
    RsaSign(String),
    /// An `Authorization` header that is not an OAuth one or is malformed.
    #[error("malformed oauth authorization header: {0}")]
    MalformedAuthorization(String),
    /// A provider response that is not a token response.
    #[error("{0}")]
    Response(#[from] crate::response::ResponseError),
    /// A callback that cannot be used.
    #[error("{0}")]
    Callback(#[from] crate::callback::CallbackError),
}

impl Error {
    /// A stable machine-readable kind for the UI to switch on.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::UnknownSignatureMethod(_) => "unknown_signature_method",
            Self::UnknownPlacement(_) => "unknown_placement",
            Self::KeyMismatch { .. } => "key_mismatch",
            Self::InvalidUrl { .. } => "invalid_url",
            Self::InvalidMethod(_) => "invalid_method",
            Self::BodyPlacementNeedsForm(_) => "body_placement_needs_form",
            Self::RepeatedParameter(_) => "repeated_parameter",
            Self::ReservedParameter(_) => "reserved_parameter",
            Self::FormBodyNotUtf8 => "form_body_not_utf8",
            Self::BodyHashWithPlaintext => "body_hash_with_plaintext",
            Self::InvalidPrivateKey(_) => "invalid_private_key",
            Self::InvalidPublicKey(_) => "invalid_public_key",
            Self::RsaSign(_) => "rsa_sign",
            Self::MalformedAuthorization(_) => "malformed_authorization",
            Self::Response(e) => e.kind(),
            Self::Callback(e) => e.kind(),
        }
    }
}

/// The shape errors take when they cross to the UI: `{ kind, message, hint? }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErrorReport {
    /// Stable kind to switch on.
    pub kind: String,
    /// The message, as `Display` prints it.
    pub message: String,
    /// What to do about it, when there is more to say than the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub hint: Option<String>,
}

impl From<&Error> for ErrorReport {
    fn from(e: &Error) -> Self {
        let hint = match e {
            Error::Response(r) => r.hint(),
            Error::Callback(c) => c.hint(),
            _ => None,
        };
        Self {
            kind: e.kind().to_owned(),
            message: e.to_string(),
            hint,
        }
    }
}
