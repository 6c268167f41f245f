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
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::UnknownSignatureMethod(_) => ErrorKind::UnknownSignatureMethod,
            Self::UnknownPlacement(_) => ErrorKind::UnknownPlacement,
            Self::KeyMismatch { .. } => ErrorKind::KeyMismatch,
            Self::InvalidUrl { .. } => ErrorKind::InvalidUrl,
            Self::InvalidMethod(_) => ErrorKind::InvalidMethod,
            Self::BodyPlacementNeedsForm(_) => ErrorKind::BodyPlacementNeedsForm,
            Self::RepeatedParameter(_) => ErrorKind::RepeatedParameter,
            Self::ReservedParameter(_) => ErrorKind::ReservedParameter,
            Self::FormBodyNotUtf8 => ErrorKind::FormBodyNotUtf8,
            Self::BodyHashWithPlaintext => ErrorKind::BodyHashWithPlaintext,
            Self::InvalidPrivateKey(_) => ErrorKind::InvalidPrivateKey,
            Self::InvalidPublicKey(_) => ErrorKind::InvalidPublicKey,
            Self::RsaSign(_) => ErrorKind::RsaSign,
            Self::MalformedAuthorization(_) => ErrorKind::MalformedAuthorization,
            Self::Response(e) => e.kind(),
            Self::Callback(e) => e.kind(),
        }
    }
}

/// The shape errors take when they cross to the UI: `{ kind, message, hint?, provider_says? }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErrorReport {
    /// Stable kind to switch on.
    pub kind: ErrorKind,
    /// The message, as `Display` prints it.
    pub message: String,
    /// What to do about it, when there is more to say than the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub hint: Option<String>,
    /// The provider's own words, as it sent them (an `oauth_problem` code, its advice, the
    /// start of its answer), when the error came from the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub provider_says: Option<String>,
    /// The fields to fix, each with what is wrong, when the error is about a form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        feature = "ts",
        ts(as = "Option<Vec<crate::flow::FieldProblem>>", optional)
    )]
    pub fields: Vec<crate::flow::FieldProblem>,
}

impl ErrorReport {
    /// A report of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            hint: None,
            provider_says: None,
            fields: Vec::new(),
        }
    }

    /// With the fields to fix.
    pub fn with_fields(mut self, fields: Vec<crate::flow::FieldProblem>) -> Self {
        self.fields = fields;
        self
    }

    /// With what to do about it.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl From<&Error> for ErrorReport {
    fn from(e: &Error) -> Self {
        let (hint, provider_says) = match e {
            Error::Response(r) => (r.hint(), r.provider_says()),
            Error::Callback(c) => (c.hint(), c.provider_says()),
            _ => (None, None),
        };
        Self {
            kind: e.kind(),
            message: e.to_string(),
            hint,
            provider_says,
            fields: Vec::new(),
        }
    }
}

macro_rules! error_kinds {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, )*) => {
        /// Every kind of error Signet reports, across all its crates: a closed set the UI
        /// switches on (exported to TypeScript as a union of string literals).
        /// Serialized as its `snake_case` name; a name this version does not know reads as
        /// [`ErrorKind::Unknown`] (a record written by a newer Signet).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename_all = "snake_case"))]
        pub enum ErrorKind {
            $( $(#[doc = $doc])* $variant, )*
            /// A kind this version does not know (read from a newer record).
            Unknown,
        }

        impl ErrorKind {
            /// Every kind, `Unknown` last.
            pub const ALL: &[ErrorKind] = &[$(Self::$variant,)* Self::Unknown];

            /// The kind called `name`; [`ErrorKind::Unknown`] for a name no kind has.
            pub fn from_name(name: &str) -> Self {
                match name {
                    $($name => Self::$variant,)*
                    _ => Self::Unknown,
                }
            }

            /// The `snake_case` name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                    Self::Unknown => "unknown",
                }
            }
        }
    };
}

error_kinds! {
    // The signing core.
    /// A signature method name nobody defines.
    UnknownSignatureMethod = "unknown_signature_method",
    /// A placement name nobody defines.
    UnknownPlacement = "unknown_placement",
    /// The key material does not fit the method.
    KeyMismatch = "key_mismatch",
    /// A URL that cannot be signed.
    InvalidUrl = "invalid_url",
    /// An HTTP method that is not a token.
    InvalidMethod = "invalid_method",
    /// Body placement without a form body.
    BodyPlacementNeedsForm = "body_placement_needs_form",
    /// A protocol parameter given twice.
    RepeatedParameter = "repeated_parameter",
    /// An extra parameter that signing sets itself.
    ReservedParameter = "reserved_parameter",
    /// A form body that is not UTF-8.
    FormBodyNotUtf8 = "form_body_not_utf8",
    /// The body hash with PLAINTEXT.
    BodyHashWithPlaintext = "body_hash_with_plaintext",
    /// An RSA private key that does not read.
    InvalidPrivateKey = "invalid_private_key",
    /// An RSA public key that does not read.
    InvalidPublicKey = "invalid_public_key",
    /// RSA signing failed.
    RsaSign = "rsa_sign",
    /// An `Authorization` header that does not read.
    MalformedAuthorization = "malformed_authorization",
    // What providers answer.
    /// The provider reported a problem (`oauth_problem` or its own code).
    ProviderProblem = "provider_problem",
    /// An error status without a readable problem.
    HttpStatus = "http_status",
    /// An empty answer.
    EmptyResponse = "empty_response",
    /// An answer that is not a token response.
    NotTokenResponse = "not_token_response",
    /// A token response without a required field.
    MissingField = "missing_field",
    /// The request-token answer did not confirm the callback.
    CallbackNotConfirmed = "callback_not_confirmed",
    // Callbacks.
    /// An empty callback.
    CallbackEmpty = "callback_empty",
    /// A callback that does not read.
    CallbackUnreadable = "callback_unreadable",
    /// The user denied access.
    CallbackDenied = "callback_denied",
    /// The provider reported a problem in the redirect.
    CallbackProblem = "callback_problem",
    /// A callback without `oauth_verifier`.
    CallbackMissingVerifier = "callback_missing_verifier",
    /// A redirect that names no request token and carries no code of the run.
    CallbackUnbound = "callback_unbound",
    /// A callback for another request token.
    CallbackTokenMismatch = "callback_token_mismatch",
    /// A callback mode nobody defines.
    UnknownCallbackMode = "unknown_callback_mode",
    // The wire.
    /// No answer in time.
    Timeout = "timeout",
    /// No connection.
    ConnectFailed = "connect_failed",
    /// An answer larger than Signet accepts.
    ResponseTooLarge = "response_too_large",
    /// A redirect where none is followed.
    Redirected = "redirected",
    /// Any other failure to send or receive.
    TransportFailed = "transport_failed",
    // The flow.
    /// A configuration that cannot run.
    InvalidConfig = "invalid_config",
    /// An event that does not apply now.
    UnexpectedEvent = "unexpected_event",
    /// A nonce or timestamp that cannot sign.
    InvalidInputs = "invalid_inputs",
    // The engine.
    /// The HTTP client could not be made.
    HttpClient = "http_client",
    /// The loopback port could not be bound.
    LoopbackBind = "loopback_bind",
    /// The loopback listener failed.
    Loopback = "loopback",
    /// The browser did not open.
    Browser = "browser",
    // The demo provider.
    /// Its port could not be bound.
    Bind = "bind",
    /// A key that does not read.
    Key = "key",
    /// An authorize URL without `oauth_token`.
    NoTokenInAuthorizeUrl = "no_token_in_authorize_url",
    /// An HTTP failure talking to it.
    Http = "http",
    /// The consent page refused the sign-in.
    ApproveRefused = "approve_refused",
    // Presets.
    /// A placeholder without a value.
    MissingValue = "missing_value",
    /// A placeholder value that does not fit.
    InvalidValue = "invalid_value",
    /// A template names an unknown placeholder.
    UnknownPlaceholder = "unknown_placeholder",
    /// No such preset.
    UnknownPreset = "unknown_preset",
    /// A pre-issued-token preset without a token.
    TokenNeeded = "token_needed",
    /// The shipped presets do not load.
    PresetsInvalid = "presets_invalid",
    // The store.
    /// The database is used by another Signet.
    DatabaseLocked = "database_locked",
    /// The database files are damaged.
    DatabaseCorrupt = "database_corrupt",
    /// One record is damaged.
    DamagedRecord = "damaged_record",
    /// A file could not be read or written.
    Io = "io",
    /// The disk is full.
    DiskFull = "disk_full",
    /// The database was written by a newer Signet.
    NewerSchema = "newer_schema",
    /// The secrets cannot be decrypted (the key is missing).
    SecretsUnreadable = "secrets_unreadable",
    /// The system keyring failed.
    Keyring = "keyring",
    /// No such record.
    NotFound = "not_found",
    /// The name is taken.
    DuplicateName = "duplicate_name",
    /// A record with problems.
    Invalid = "invalid",
    /// An import that cannot be read.
    Import = "import",
    /// The export passphrase is wrong.
    WrongPassphrase = "wrong_passphrase",
    /// The export passphrase is too weak.
    WeakPassphrase = "weak_passphrase",
    /// Any other database failure.
    Database = "database",
    /// The database could not be opened (the recovery window says why).
    DatabaseUnavailable = "database_unavailable",
    // Variables.
    /// A `{{name}}` nothing defines.
    VariableUndefined = "variable_undefined",
    /// A declared variable without a value.
    VariableMissing = "variable_missing",
    /// `{{` that does not start a reference.
    TemplateMalformed = "template_malformed",
    /// A variable that refers to itself.
    VariableCycle = "variable_cycle",
    /// Variables naming variables too deep.
    VariableTooDeep = "variable_too_deep",
    /// A template that would name too many variables or grow too large.
    TemplateTooLarge = "template_too_large",
    /// A `$name` that is not a built-in.
    BuiltinUnknown = "builtin_unknown",
    /// A value with a line break where none may be.
    VariableControlCharacter = "variable_control_character",
    // The app.
    /// A connector, step 1 or an endpoint with problems (each named by field).
    InvalidConnector = "invalid_connector",
    /// No such run in this session.
    NoSuchRun = "no_such_run",
    /// The run is not waiting for a PIN.
    NotWaitingForPin = "not_waiting_for_pin",
    /// The run is not waiting for the provider's redirect.
    NotWaitingForCallback = "not_waiting_for_callback",
    /// An empty PIN.
    PinEmpty = "pin_empty",
    /// The run is over.
    NothingToRetry = "nothing_to_retry",
    /// The run is still going.
    RunBusy = "run_busy",
    /// A needed secret is not stored.
    SecretMissing = "secret_missing",
    /// The secret asked for is not stored.
    SecretNotStored = "secret_not_stored",
    /// The run did not fail.
    RunNotFailed = "run_not_failed",
    /// Nothing was pasted.
    PasteEmpty = "paste_empty",
    /// The run signed nothing yet.
    NothingSigned = "nothing_signed",
    /// The instance has no access token yet.
    NotConnected = "not_connected",
    /// The endpoint answered with an error status.
    CallFailed = "call_failed",
    /// The user cancelled.
    Cancelled = "cancelled",
    /// The endpoint has no pagination set.
    NotPaginated = "not_paginated",
    /// The browser preview has no answer for this (it replays recorded ones).
    PreviewUnavailable = "preview_unavailable",
    /// The UI could not reach the backend.
    Ipc = "ipc",
    /// A bug: something that should not happen.
    Internal = "internal",
}

impl Serialize for ErrorKind {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorKind {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Self::from_name(&name))
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_serializes_as_its_name_and_reads_back() {
        for kind in ErrorKind::ALL {
            let json = serde_json::to_string(kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<ErrorKind>(&json).unwrap(), *kind);
            assert_eq!(ErrorKind::from_name(kind.as_str()), *kind);
        }
        let newer: ErrorKind = serde_json::from_str("\"from_the_future\"").unwrap();
        assert_eq!(newer, ErrorKind::Unknown);
    }

    #[test]
    fn reports_read_without_the_optional_fields() {
        let r: ErrorReport =
            serde_json::from_str(r#"{"kind":"signature_method_rejected","message":"m"}"#).unwrap();
        assert_eq!(r.kind, ErrorKind::Unknown);
        let r: ErrorReport = serde_json::from_str(r#"{"kind":"timeout","message":"m"}"#).unwrap();
        assert_eq!(
            (r.kind, r.hint, r.provider_says),
            (ErrorKind::Timeout, None, None)
        );
    }
}
