//! What a flow looks like from outside: a serializable, secret-free [`Snapshot`] of the ten
//! steps with their status, actor, times, notes, errors and HTTP exchanges (each with its
//! signing trace). The app shows it, the CLI prints it, the store keeps it as run history.

use serde::{Deserialize, Serialize};

use super::config::{CallbackConfig, FlowMode, ResourceRequest, ThreeLeggedConfig};
use super::steps::{Actor, StepId, StepStatus};
use crate::callback::CallbackMode;
use crate::error::ErrorReport;
use crate::placement::Placement;
use crate::response::redact_secret_values;
use crate::secret::REDACTED;
use crate::signing::SignatureMethod;
use crate::trace::SigningTrace;

/// How much of a body a snapshot keeps (bytes of text).
pub const MAX_RECORDED_BODY: usize = 64 * 1024;

/// Where the flow as a whole stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Configured, not started.
    Ready,
    /// The request-token request is in flight (step 3).
    RequestingTemporaryCredentials,
    /// The user is at the provider; Signet waits for the redirect or PIN (steps 6 and 7).
    AwaitingAuthorization,
    /// The access-token request is in flight (step 8).
    RequestingTokenCredentials,
    /// The resource call is in flight (step 10).
    AccessingResource,
    /// Every step is done or skipped.
    Finished,
    /// A step failed; see the snapshot's `error` and `retry`.
    Failed,
    /// The user cancelled.
    Cancelled,
}

impl Phase {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::RequestingTemporaryCredentials => "requesting_temporary_credentials",
            Self::AwaitingAuthorization => "awaiting_authorization",
            Self::RequestingTokenCredentials => "requesting_token_credentials",
            Self::AccessingResource => "accessing_resource",
            Self::Finished => "finished",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Finished or cancelled: no event moves the flow any more.
    pub fn is_over(self) -> bool {
        matches!(self, Self::Finished | Self::Cancelled)
    }
}

/// What the flow waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Waiting {
    /// The response to the request of `step`.
    Response {
        /// Step 3, 8 or 10.
        step: StepId,
    },
    /// The provider's redirect (deep link or loopback).
    Callback {
        /// How it arrives.
        mode: CallbackMode,
        /// The `oauth_callback` value sent.
        callback_url: String,
    },
    /// The PIN (or the pasted address) the provider showed.
    Pin,
    /// The user: retry or cancel.
    Decision,
}

/// One HTTP exchange, as recorded (secrets redacted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Exchange {
    /// 1 for the first try of this step, 2 for the first retry, ...
    pub attempt: u32,
    /// What was sent.
    pub request: RecordedRequest,
    /// How it was signed.
    pub trace: SigningTrace,
    /// When it was handed to the engine (ms).
    pub sent_ms: u64,
    /// What came back, once it did.
    pub response: Option<RecordedResponse>,
    /// Why nothing usable came back (timeout, refused connection, ...).
    #[serde(default)]
    pub transport_error: Option<ErrorReport>,
    /// When the response or failure arrived (ms).
    pub finished_ms: Option<u64>,
    /// `finished_ms - sent_ms`.
    pub duration_ms: Option<u64>,
}

/// A request as sent, with a PLAINTEXT signature and secret-looking values redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecordedRequest {
    /// Upper-cased method.
    pub method: String,
    /// The URL requested.
    pub url: String,
    /// Headers Signet set (the `Authorization` header, for header placement).
    pub headers: Vec<(String, String)>,
    /// The body's content type.
    pub content_type: Option<String>,
    /// The body as text (bounded).
    pub body: Option<String>,
}

/// A response as received, with secret values redacted and the body bounded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecordedResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers (cookies redacted).
    pub headers: Vec<(String, String)>,
    /// The body as text, `oauth_token_secret` and other secret values redacted, at most
    /// [`MAX_RECORDED_BODY`] bytes.
    pub body: String,
    /// The body's full size in bytes.
    pub body_bytes: usize,
    /// Whether `body` was cut short.
    pub truncated: bool,
}

/// One step as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StepSnapshot {
    /// The step.
    pub id: StepId,
    /// 1 to 10.
    pub number: u8,
    /// Title.
    pub title: String,
    /// Who acts.
    pub actor: Actor,
    /// Plain-words explanation.
    pub explanation: String,
    /// Where it stands.
    pub status: StepStatus,
    /// When it became active (ms).
    pub started_ms: Option<u64>,
    /// When it was done, failed or skipped (ms).
    pub finished_ms: Option<u64>,
    /// What happened, in plain words (why it was skipped, what the provider sent, ...).
    pub notes: Vec<String>,
    /// Why it failed.
    #[serde(default)]
    pub error: Option<ErrorReport>,
    /// The requests of this step (3, 8 and 10), every attempt.
    pub exchanges: Vec<Exchange>,
}

/// The failure the flow stopped at (or, in step 7, the callback it rejected while it waits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StepFailure {
    /// The step that failed.
    pub step: StepId,
    /// `{ kind, message, hint }`.
    pub error: ErrorReport,
}

/// The public part of a token the provider issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PublicToken {
    /// `oauth_token`.
    pub token: String,
    /// The secret's length (the secret itself stays out of snapshots).
    pub secret_len: usize,
    /// `oauth_callback_confirmed` (request tokens only).
    pub callback_confirmed: Option<bool>,
    /// The response's other fields (values of fields named like secrets redacted).
    pub extra: Vec<(String, String)>,
}

/// What the resource call returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ResourceResult {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// A short, safe excerpt of the body.
    pub excerpt: String,
    /// The body's size in bytes.
    pub body_bytes: usize,
}

/// The configuration, without its secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConfigSummary {
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// Signature method.
    pub signature_method: SignatureMethod,
    /// Where the parameters travel.
    pub placement: Placement,
    /// Whether `oauth_version=1.0` is sent.
    pub include_version: bool,
    /// The `realm`.
    pub realm: Option<String>,
    /// Endpoints, callback and authorize options (three-legged only).
    pub three_legged: Option<ThreeLeggedConfig>,
    /// The pre-issued access token (its public part).
    pub pre_issued_token: Option<String>,
    /// The resource call (body redacted of secret-looking values).
    pub resource: Option<ResourceRequest>,
}

impl ConfigSummary {
    /// The callback, for three-legged flows.
    pub fn callback(&self) -> Option<&CallbackConfig> {
        self.three_legged.as_ref().map(|t| &t.callback)
    }
}

/// Everything about a flow that is safe to show and to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Snapshot {
    /// Three-legged, one-legged or pre-issued token.
    pub mode: FlowMode,
    /// Where the flow stands.
    pub phase: Phase,
    /// The step in progress (or the one that failed).
    pub current_step: Option<StepId>,
    /// What the flow waits for, if anything.
    pub waiting_for: Option<Waiting>,
    /// The ten steps, in order.
    pub steps: Vec<StepSnapshot>,
    /// The failure to show, if any.
    pub error: Option<StepFailure>,
    /// What Retry would do now, when it would do something.
    pub retry: Option<String>,
    /// The configuration, secrets left out.
    pub config: ConfigSummary,
    /// The authorization URL opened in step 6.
    pub authorization_url: Option<String>,
    /// The request token (step 5).
    pub request_token: Option<PublicToken>,
    /// The access token (step 9, or pre-issued).
    pub access_token: Option<PublicToken>,
    /// The resource call's result (step 10).
    pub resource: Option<ResourceResult>,
    /// The provider's clock minus ours, in seconds, when the engine measured it.
    pub clock_skew_seconds: Option<i64>,
}

impl Snapshot {
    /// The step `id`.
    pub fn step(&self, id: StepId) -> &StepSnapshot {
        &self.steps[usize::from(id.number()) - 1]
    }

    /// The run as it stands when it is stopped on purpose once `step` is done (the engine's
    /// `until`): the flow has already built the next step's request as it read `step`'s
    /// answer, but it is never sent, so every later step is shown as not started. A snapshot
    /// whose `step` is not done is returned as it is.
    pub fn stopped_after(mut self, step: StepId) -> Snapshot {
        if !matches!(
            self.step(step).status,
            StepStatus::Done | StepStatus::Skipped
        ) {
            return self;
        }
        for later in self.steps.iter_mut().filter(|s| s.number > step.number()) {
            later.status = StepStatus::Pending;
            later.started_ms = None;
            later.finished_ms = None;
            later.notes.clear();
            later.error = None;
            later.exchanges.clear();
        }
        if self.error.is_none() {
            self.current_step = Some(step);
            self.waiting_for = None;
        }
        self
    }
}

impl RecordedResponse {
    /// What to keep of a response: secret values and cookies redacted, the body bounded.
    pub fn of(resp: &super::HttpResponse) -> Self {
        let (body, truncated) = bounded_text(&resp.body);
        Self {
            status: resp.status,
            headers: safe_headers(&resp.headers),
            body,
            body_bytes: resp.body.len(),
            truncated,
        }
    }
}

/// Text of a body, secret values redacted, bounded: (text, truncated).
pub(crate) fn bounded_text(body: &[u8]) -> (String, bool) {
    let text = redact_secret_values(&String::from_utf8_lossy(body));
    if text.len() <= MAX_RECORDED_BODY {
        return (text, false);
    }
    let mut end = MAX_RECORDED_BODY;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (text[..end].to_owned(), true)
}

/// Response headers safe to keep: cookies and credentials redacted.
pub(crate) fn safe_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            let lower = n.to_ascii_lowercase();
            let secret = matches!(
                lower.as_str(),
                "set-cookie" | "cookie" | "authorization" | "proxy-authorization"
            ) || lower.contains("secret")
                || lower.contains("token");
            let v = if secret {
                REDACTED.to_owned()
            } else {
                redact_secret_values(v)
            };
            (n.clone(), v)
        })
        .collect()
}

/// Extra response fields safe to keep: values of fields named like secrets redacted.
pub(crate) fn safe_fields(fields: &[(String, String)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| {
            let v = if k.to_ascii_lowercase().contains("secret") {
                REDACTED.to_owned()
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect()
}

impl Snapshot {
    /// The configuration the run had, as the lints read it: secrets left empty (lints never
    /// read them), the extras of the token requests not kept.
    pub fn config_for_lints(&self) -> super::FlowConfig {
        use super::{ConsumerKey, FlowConfig, ModeConfig, TokenCredentials};
        let c = &self.config;
        let mode = match (self.mode, &c.three_legged) {
            (FlowMode::ThreeLegged, Some(t)) => ModeConfig::ThreeLegged(t.clone()),
            (FlowMode::PreIssuedToken, _) => ModeConfig::PreIssuedToken(TokenCredentials {
                token: c.pre_issued_token.clone().unwrap_or_default(),
                secret: crate::Secret::default(),
                extra: vec![],
            }),
            _ => ModeConfig::OneLegged,
        };
        FlowConfig {
            consumer_key: c.consumer_key.clone(),
            key: ConsumerKey::Secret(crate::Secret::default()),
            signature_method: c.signature_method,
            sign_options: crate::SignOptions {
                placement: c.placement,
                include_version: c.include_version,
                ..crate::SignOptions::default()
            },
            realm: c.realm.clone(),
            mode,
            resource: c.resource.clone(),
            extras: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_redacted_then_bounded() {
        let (t, cut) = bounded_text(b"oauth_token=a&oauth_token_secret=b");
        assert_eq!(t, "oauth_token=a&oauth_token_secret=<redacted>");
        assert!(!cut);
        let big = "é".repeat(MAX_RECORDED_BODY);
        let (t, cut) = bounded_text(big.as_bytes());
        assert!(cut && t.len() <= MAX_RECORDED_BODY && t.len() >= MAX_RECORDED_BODY - 1);
    }

    #[test]
    fn headers_and_fields_hide_secrets() {
        let h = safe_headers(&[
            ("Set-Cookie".into(), "sid=abc".into()),
            ("Content-Type".into(), "text/plain".into()),
        ]);
        assert_eq!(h[0].1, REDACTED);
        assert_eq!(h[1].1, "text/plain");
        let f = safe_fields(&[
            ("user_id".into(), "42".into()),
            ("xoauth_session_secret".into(), "s".into()),
        ]);
        assert_eq!(f[0].1, "42");
        assert_eq!(f[1].1, REDACTED);
    }
}
