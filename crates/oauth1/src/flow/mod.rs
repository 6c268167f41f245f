//! The ten-step flow as a state machine, sans IO.
//!
//! A [`Flow`] takes [`Event`]s (start, a response arrived, the request could not be sent, a
//! callback or PIN arrived, cancel, retry) together with the [`Inputs`] the engine drew for
//! this moment (clock reading, timestamp, nonce), and answers with [`Command`]s (send this
//! signed request, open this URL, wait for a callback or PIN, finished, failed). It never
//! reads a clock, draws a random number or touches the network: the engine does, and the
//! tests pin everything.
//!
//! ```
//! use signet_oauth1::flow::*;
//! use signet_oauth1::{Secret, SignOptions, SignatureMethod};
//!
//! let config = FlowConfig {
//!     consumer_key: "dpf43f3p2l4k3l03".into(),
//!     key: ConsumerKey::Secret(Secret::new("kd94hf93k423kf44")),
//!     signature_method: SignatureMethod::HmacSha1,
//!     sign_options: SignOptions { include_version: false, ..Default::default() },
//!     realm: Some("Photos".into()),
//!     mode: ModeConfig::ThreeLegged(ThreeLeggedConfig {
//!         request_token: Endpoint::post("https://photos.example.net/initiate"),
//!         authorize_url: "https://photos.example.net/authorize".into(),
//!         access_token: Endpoint::post("https://photos.example.net/token"),
//!         callback: CallbackConfig::deep_link(),
//!         authorize_params: vec![],
//!         callback_on_authorize_url: false,
//!         require_callback_confirmed: true,
//!     }),
//!     resource: None,
//!     extras: RequestExtras::default(),
//! };
//! let mut flow = Flow::new(config)?;
//! let commands = flow.handle(Event::Start, &Inputs::new(0, 137131200, "wIjqoS"))?;
//! let Command::Send(request) = &commands[0] else { unreachable!() };
//! assert_eq!(request.step, StepId::TokenRequest);
//! assert_eq!(flow.snapshot().phase, Phase::RequestingTemporaryCredentials);
//! # Ok::<(), FlowError>(())
//! ```

pub mod config;
mod machine;
pub mod snapshot;
pub mod steps;

use crate::error::ErrorKind;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use config::{
    CallbackConfig, ConsumerKey, Endpoint, FieldProblem, FlowConfig, FlowMode, ModeConfig,
    RequestExtras, ResourceRequest, ThreeLeggedConfig, TokenCredentials,
};
pub use machine::{Flow, Leg, PendingExchange, SignedStep, sign_step};
pub use snapshot::{
    ConfigSummary, Exchange, Phase, PublicToken, RecordedRequest, RecordedResponse, ResourceResult,
    Snapshot, StepFailure, StepSnapshot, Waiting,
};
pub use steps::{Actor, STEPS, StepId, StepInfo, StepMessage, StepStatus};

use crate::callback::CallbackMode;
use crate::error::ErrorReport;

/// What the engine drew for this moment. Every request signed while handling an event uses
/// this nonce and timestamp, so each request gets its own (one request per event at most).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    /// Wall-clock milliseconds since the Unix epoch, for the snapshot's times.
    pub now_ms: u64,
    /// `oauth_timestamp`: seconds since the Unix epoch, the clock offset already applied.
    pub timestamp: u64,
    /// `oauth_nonce`: fresh for every request.
    pub nonce: String,
    /// Randomness that blinds an RSA signature (fresh and secret per request); `None` signs
    /// unblinded (tests, vectors: the signature is the same).
    pub blinding: Option<[u8; 32]>,
}

impl Inputs {
    /// Inputs for one event.
    pub fn new(now_ms: u64, timestamp: u64, nonce: impl Into<String>) -> Self {
        Self {
            now_ms,
            timestamp,
            nonce: nonce.into(),
            blinding: None,
        }
    }

    /// The same, with randomness for RSA blinding.
    pub fn with_blinding(mut self, seed: [u8; 32]) -> Self {
        self.blinding = Some(seed);
        self
    }
}

/// A response as the engine received it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers in the order received.
    pub headers: Vec<(String, String)>,
    /// The body (the engine caps its size).
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `Content-Type`.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }
}

/// Why a request produced no response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportKind {
    /// No answer in time.
    Timeout,
    /// No connection (DNS, refused, TLS).
    Connect,
    /// The response was larger than the engine accepts.
    TooLarge,
    /// A redirect the engine would not follow.
    Redirect,
    /// Anything else.
    Other,
}

impl TransportKind {
    /// The error kind the UI switches on.
    pub fn kind(self) -> ErrorKind {
        match self {
            Self::Timeout => ErrorKind::Timeout,
            Self::Connect => ErrorKind::ConnectFailed,
            Self::TooLarge => ErrorKind::ResponseTooLarge,
            Self::Redirect => ErrorKind::Redirected,
            Self::Other => ErrorKind::TransportFailed,
        }
    }

    /// What to do about it, in plain words.
    pub fn hint(self) -> &'static str {
        match self {
            Self::Timeout => {
                "the provider did not answer in time: check the address and your connection, then retry"
            }
            Self::Connect => {
                "Signet could not reach the provider: check the host name, the port, http versus https, and any proxy or firewall"
            }
            Self::TooLarge => {
                "the answer was far larger than a token response: the URL probably points at a web page or download, not the endpoint"
            }
            Self::Redirect => {
                "use the address the provider redirects to as the endpoint (often https instead of http, or a trailing slash)"
            }
            Self::Other => "retry; if it keeps failing, check the endpoint address",
        }
    }
}

/// Something that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The user pressed Connect (step 2).
    Start,
    /// The response to the request in flight.
    Response(HttpResponse),
    /// The request in flight produced no response.
    TransportFailed {
        /// Why.
        kind: TransportKind,
        /// The engine's description (no secrets).
        message: String,
    },
    /// A deep link, a loopback URL or a pasted query string.
    Callback(String),
    /// What the user typed: a PIN, or the address the provider sent them to.
    Pin(String),
    /// Give up.
    Cancel,
    /// Try the failed step again.
    Retry,
}

impl Event {
    /// A short name for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Response(_) => "response",
            Self::TransportFailed { .. } => "transport failure",
            Self::Callback(_) => "callback",
            Self::Pin(_) => "pin",
            Self::Cancel => "cancel",
            Self::Retry => "retry",
        }
    }
}

/// A signed request, ready to send exactly as it is.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingRequest {
    /// The step it belongs to (3, 8 or 10).
    pub step: StepId,
    /// Upper-cased method.
    pub method: String,
    /// The URL (with the parameters, for query placement).
    pub url: String,
    /// Headers to set (the `Authorization` header, for header placement).
    pub headers: Vec<(String, String)>,
    /// The body's content type.
    pub content_type: Option<String>,
    /// The body.
    pub body: Option<Vec<u8>>,
}

impl OutgoingRequest {
    /// Whether this goes to a token endpoint, where redirects are never followed.
    pub fn is_token_endpoint(&self) -> bool {
        matches!(self.step, StepId::TokenRequest | StepId::AccessTokenRequest)
    }
}

/// Header values and bodies stay out of `Debug`: a PLAINTEXT signature is the secrets.
impl fmt::Debug for OutgoingRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingRequest")
            .field("step", &self.step)
            .field("method", &self.method)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("content_type", &self.content_type)
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .finish_non_exhaustive()
    }
}

/// What the engine should do next, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Send this request and report the outcome as [`Event::Response`] or
    /// [`Event::TransportFailed`].
    Send(OutgoingRequest),
    /// Open the authorization URL in the user's browser.
    OpenUrl {
        /// The provider's authorize URL with `oauth_token` and the extra parameters.
        url: String,
    },
    /// Catch the redirect (deep link or loopback) and report it as [`Event::Callback`].
    AwaitCallback {
        /// Deep link or loopback.
        mode: CallbackMode,
        /// The `oauth_callback` value sent.
        callback_url: String,
    },
    /// Ask the user for the PIN and report it as [`Event::Pin`].
    AwaitPin,
    /// Every step is done or skipped.
    Finished,
    /// A step failed. When a wait command follows, the flow is still waiting (a rejected
    /// callback in step 7); otherwise it stopped until [`Event::Retry`] or [`Event::Cancel`].
    Failed {
        /// The step.
        step: StepId,
        /// `{ kind, message, hint }`.
        error: ErrorReport,
    },
    /// The flow was cancelled.
    Cancelled,
}

/// Misuse of the state machine (never a provider's fault).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowError {
    /// The configuration cannot run.
    #[error("the connector settings have {} problem(s): {}", .0.len(), summary(.0))]
    InvalidConfig(Vec<FieldProblem>),
    /// The event does not apply in the current phase; nothing changed.
    #[error("{event} does not apply while the flow is {}: {reason}", .phase.as_str().replace('_', " "))]
    UnexpectedEvent {
        /// The event's name.
        event: &'static str,
        /// The phase it arrived in.
        phase: Phase,
        /// Why, and what would apply.
        reason: String,
    },
    /// The engine passed inputs that cannot sign a request.
    #[error("invalid inputs: {0}")]
    InvalidInputs(&'static str),
}

fn summary(problems: &[FieldProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl FlowError {
    /// Stable kind for the UI.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidConfig(_) => ErrorKind::InvalidConfig,
            Self::UnexpectedEvent { .. } => ErrorKind::UnexpectedEvent,
            Self::InvalidInputs(_) => ErrorKind::InvalidInputs,
        }
    }

    /// `{ kind, message, hint }`.
    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            fields: Vec::new(),
            provider_says: None,
            kind: self.kind(),
            message: self.to_string(),
            hint: match self {
                Self::InvalidConfig(_) => Some("fix the fields named and connect again".into()),
                _ => None,
            },
        }
    }
}

pub(crate) fn transport_report(kind: TransportKind, message: &str) -> ErrorReport {
    ErrorReport {
        fields: Vec::new(),
        provider_says: None,
        kind: kind.kind(),
        message: message.to_owned(),
        hint: Some(kind.hint().to_owned()),
    }
}
