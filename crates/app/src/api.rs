//! The contract between Signet's front ends and its use cases: the arguments and results of
//! every command, the payload of every event, the error every command fails with. The desktop
//! shell exposes exactly [`COMMANDS`] over Tauri's IPC (their TypeScript types are generated into
//! `ui/src/ipc/bindings`, see `tests/bindings.rs`); the CLI calls the same use cases.
//!
//! Conventions:
//! - every command is `snake_case`; a command with arguments takes one parameter named `args`
//!   of its `…Args` type (the UI calls `invoke("connector_get", { args: { id } })`);
//! - every command fails with an [`ErrorReport`] `{ kind, message, hint?, provider_says?,
//!   fields? }`;
//! - secrets travel to the backend as plain strings (a [`Secret`] deserializes from one) and
//!   never come back: the backend answers which secrets are stored ([`StoredSecrets`]); only
//!   `secret_reveal` returns a secret's value, because the user asked.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::interchange::{ImportNote, NoteKind, PostmanImported};
pub use crate::reports::{ReportFormat, SavedReport};
pub use signet_audit::{AuditPlan, AuditReport, CheckResult};
pub use signet_connector::curl::CurlCommand;
pub use signet_connector::pagination::{
    PageLimits, PageMethod, Pagination, ParamPlace, Stop, StopRules, Total, TotalOf, ValueSource,
};
pub use signet_connector::schema::{
    Drift, DriftKind, JsonType, Schema, SchemaField, SchemaNode, StringFormat, Tag, TagGroup,
};
pub use signet_connector::{
    AuthKind, AuthMethod, AuthOptions, Body, CallbackSettings, Choice, Connector, Details,
    Endpoint, KeyPlacement, OAuth1, Origin, Param, SentParameter, Variable, VariableKind,
    VariableUse,
};
pub use signet_oauth1::diagnose::{
    BaseStringDiff, Diagnosis, Difference, FailureDiagnosis, Lint, Severity, SkewReport,
};
pub use signet_oauth1::flow::{
    Actor, CallbackConfig, ConfigSummary, Endpoint as HttpEndpoint, Exchange, FieldProblem,
    FlowMode, Phase, PublicToken, RecordedRequest, RecordedResponse, ResourceRequest,
    ResourceResult, STEPS, Snapshot, StepFailure, StepId, StepInfo, StepSnapshot, StepStatus,
    ThreeLeggedConfig, Waiting,
};
pub use signet_oauth1::parameters::Source;
pub use signet_oauth1::{
    CallbackMode, ErrorKind, ErrorReport, Placement, Secret, SignatureMethod, SigningTrace,
    TracedParameter,
};
pub use signet_presets::{Explanation, ExtraParam, FieldCopy, Helper, Placeholder, Registration};

/// A connector's id (opaque to the UI).
pub type ConnectorId = String;
/// An instance's id (opaque to the UI).
pub type InstanceId = String;
/// A run's id (opaque to the UI).
pub type RunId = String;

// ---------------------------------------------------------------------------------------------
// App and demo provider

/// What the About box and the settings page show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    /// Signet's version.
    pub version: String,
    /// Where connectors, tokens and runs are stored.
    pub data_dir: String,
    /// Where the key that encrypts the secrets lives, in plain words.
    pub data_key_location: String,
    /// The built-in demo provider's base URL, when it runs.
    pub demo_provider_url: Option<String>,
    /// The crash report of a previous run not shown yet (shown once).
    pub crash: Option<CrashNotice>,
}

/// `app_started`: when the page drew and became usable, in its own clock (milliseconds since
/// `time_origin_ms`, as `performance.now()` counts them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StartedArgs {
    /// The page's time origin, in milliseconds since the epoch (`performance.timeOrigin`).
    pub time_origin_ms: f64,
    /// Its first paint, when the engine reports one.
    pub first_paint_ms: Option<f64>,
    /// When the first screen was drawn with its data and took input.
    pub interactive_ms: f64,
}

/// Why Signet could not open its database, and what the user can do (the recovery window).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StoreProblem {
    /// `database_corrupt`, `database_locked`, `io`, `disk_full`, `newer_schema`, ...
    pub kind: ErrorKind,
    /// What happened, as a heading ("Signet's database is damaged").
    pub title: String,
    /// The whole story, with the path.
    pub message: String,
    /// What to do, in the window's words (it names its buttons).
    pub hint: String,
    /// The data directory.
    pub data_dir: String,
    /// The database folder in it.
    pub database: String,
    /// Whether *Move it aside and start fresh* helps (not when another Signet holds it, or the
    /// folder cannot be written).
    pub can_move_aside: bool,
}

/// The damaged database was moved aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MovedAside {
    /// Where its files are now (nothing was deleted).
    pub moved_to: String,
    /// `None`: a fresh database is open. Else why the fresh one cannot be opened either.
    pub problem: Option<StoreProblem>,
}

/// Signet stopped because of a bug, and wrote a report (no secret in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CrashNotice {
    /// What went wrong, one line ("index out of bounds at crates/x.rs:12").
    pub summary: String,
    /// Where the report is.
    pub report: String,
    /// When it happened (ms since the epoch).
    pub when_ms: u64,
}

/// A user who can sign in at the demo provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DemoUser {
    /// `alice`.
    pub username: String,
    /// `wonderland`: a demo value, fine to show.
    pub password: String,
    /// "Alice Liddell".
    pub display_name: String,
}

/// Result of `demo_provider_start`: the running demo provider and its connector, saved and
/// ready to connect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DemoProvider {
    /// Base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    /// Who can sign in.
    pub users: Vec<DemoUser>,
    /// The "Signet demo provider" connector (made from its preset on first use; its port kept
    /// current), with its default instance.
    pub connector: ConnectorView,
}

// ---------------------------------------------------------------------------------------------
// Connectors and instances

/// A pre-issued access token typed in (NetSuite token-based authentication and the like).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TokenInput {
    /// The access token (token id).
    pub token: String,
    /// Its secret; `null` keeps the stored one.
    pub secret: Option<Secret>,
}

/// The instance being edited: its values and, for OAuth 1.0a, its consumer credentials.
/// Secrets go in as text and never come back (see [`StoredSecrets`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InstanceDraft {
    /// `null` for a new one.
    pub id: Option<InstanceId>,
    /// "Default", "Sandbox".
    pub name: String,
    /// Values of the connector's variables that are not secret.
    pub values: BTreeMap<String, String>,
    /// Secret variables' values typed in; a name left out keeps what is stored, an empty text
    /// removes it. Always empty from the backend.
    pub secrets: BTreeMap<String, Secret>,
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// The consumer secret typed in (HMAC-*, PLAINTEXT); `null` keeps the stored one.
    pub consumer_secret: Option<Secret>,
    /// The RSA private key typed in (RSA-*, PEM); `null` keeps the stored one.
    pub rsa_private_key_pem: Option<Secret>,
    /// A pre-issued token typed in; `null` keeps the stored one.
    pub token: Option<TokenInput>,
}

/// A connector as the builder edits it: the definition and the instance on screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectorDocument {
    /// `null` for a connector not saved yet.
    pub id: Option<ConnectorId>,
    /// The definition: details, variables, authentication methods, endpoints.
    pub connector: Connector,
    /// The instance.
    pub instance: InstanceDraft,
}

/// Which secrets the store holds for an instance.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct StoredSecrets {
    /// A consumer secret is stored.
    pub consumer_secret: bool,
    /// An RSA private key is stored.
    pub rsa_private_key: bool,
    /// An access token (and its secret) is stored.
    pub token_secret: bool,
    /// The secret variables with a stored value.
    pub variables: Vec<String>,
}

/// The access token stored for an instance (its public part).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TokenSummary {
    /// The connector.
    pub connector_id: ConnectorId,
    /// The connector's name.
    pub connector_name: String,
    /// The instance it belongs to.
    pub instance_id: InstanceId,
    /// The instance's name.
    pub instance_name: String,
    /// `oauth_token`.
    pub token: String,
    /// When it was issued or entered (ms since the epoch).
    pub issued_ms: u64,
    /// The access-token response's other fields (`user_id`, `screen_name`, ...); sensitive
    /// ones (`oauth_session_handle`) masked.
    pub extra: Vec<(String, String)>,
}

/// One instance of a connector, as its switcher lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InstanceSummary {
    /// Its id.
    pub id: InstanceId,
    /// Its name.
    pub name: String,
    /// Its access token, if one is stored.
    pub token: Option<TokenSummary>,
}

/// A saved connector with the instance on screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectorView {
    /// Its id.
    pub id: ConnectorId,
    /// The definition and the instance (secrets blank).
    pub document: ConnectorDocument,
    /// Every instance of the connector.
    pub instances: Vec<InstanceSummary>,
    /// Which secrets the instance holds.
    pub stored: StoredSecrets,
    /// The instance's access token, if any.
    pub token: Option<TokenSummary>,
    /// Created (ms since the epoch).
    pub created_ms: u64,
    /// Last saved (ms since the epoch).
    pub updated_ms: u64,
}

/// A connector as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectorSummary {
    /// Its id.
    pub id: ConnectorId,
    /// Its name.
    pub name: String,
    /// The system it connects to.
    pub system: String,
    /// What it is for.
    pub description: String,
    /// The preset it came from.
    pub preset: Option<String>,
    /// Its authentication methods' types (`oauth1`, `api_key`, ...).
    pub auth_types: Vec<String>,
    /// The OAuth 1.0a method's signature method, if it has one.
    pub signature_method: Option<SignatureMethod>,
    /// How many endpoints it has.
    pub endpoint_count: u32,
    /// How many instances it has.
    pub instance_count: u32,
    /// The provider's host (`api.trello.com`), for the list.
    pub provider_host: String,
    /// Last saved (ms since the epoch).
    pub updated_ms: u64,
    /// The first instance's access token, if any.
    pub token: Option<TokenSummary>,
    /// The latest run of any of its instances, if any.
    pub last_run: Option<RunSummary>,
}

/// Result of `connector_new` and `preset_apply`: a connector not saved yet, and why each field
/// the preset filled is what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewConnector {
    /// The connector with an empty default instance.
    pub document: ConnectorDocument,
    /// One per field a preset filled (empty for a blank connector).
    pub explanations: Vec<Explanation>,
}

/// A secret to reveal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SecretRef {
    /// The consumer secret.
    ConsumerSecret,
    /// The RSA private key (PEM).
    RsaPrivateKey,
    /// The access token's secret.
    TokenSecret,
    /// A secret variable's value.
    Variable {
        /// Its name.
        name: String,
    },
}

// ---------------------------------------------------------------------------------------------
// Runs: the ten steps and endpoint calls

/// What a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// The ten steps of an OAuth 1.0a method.
    Flow,
    /// One endpoint call.
    Call,
    /// An endpoint's pages, one signed call each.
    Pages,
    /// A provider audit: deliberately wrong requests, a verdict each.
    Audit,
}

/// Result of `flow_start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FlowStarted {
    /// The run's id; `flow-snapshot` events carry it.
    pub run_id: RunId,
    /// The first snapshot, so the UI can draw before the first event.
    pub snapshot: Snapshot,
    /// The variables that went into the flow (secrets masked).
    pub variables: Vec<VariableUse>,
}

/// The answer to an endpoint call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CallResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers, as received (cookies masked).
    pub headers: Vec<(String, String)>,
    /// The content type.
    pub content_type: Option<String>,
    /// The body as text (bounded: `truncated` says when it was cut).
    pub body: String,
    /// The body's full size in bytes.
    pub body_bytes: u64,
    /// Whether `body` was cut short.
    pub truncated: bool,
}

/// One endpoint call, as sent and answered: what the response viewer, the history and the
/// CLI show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CallRecord {
    /// The endpoint's id.
    pub endpoint_id: String,
    /// The endpoint's name.
    pub endpoint_name: String,
    /// The authentication method used, if any.
    pub auth_method: Option<String>,
    /// What was sent (secrets masked, a PLAINTEXT signature redacted).
    pub request: RecordedRequest,
    /// How it was signed (OAuth 1.0a calls).
    pub trace: Option<SigningTrace>,
    /// The variables used, where each came from (secrets masked).
    pub variables: Vec<VariableUse>,
    /// Every parameter, where it went and whether it was signed, and why.
    pub parameters: Vec<SentParameter>,
    /// What came back.
    pub response: Option<CallResponse>,
    /// Why it failed: no answer, or an error status read in plain words.
    pub error: Option<ErrorReport>,
    /// The failure read with the decoder (`signature_invalid` pointing at what differs).
    pub diagnosis: Option<FailureDiagnosis>,
    /// When it was sent (ms since the epoch).
    pub sent_ms: u64,
    /// How long the answer took (ms).
    pub duration_ms: Option<u64>,
}

/// One page of an endpoint walked page by page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PageRecord {
    /// 1 for the first page.
    pub number: u32,
    /// The page's call, as sent (signed afresh) and answered; its last attempt when retried.
    pub call: CallRecord,
    /// How many items it held (after the most-items cut).
    pub items: u64,
    /// Where the items were found (a JSON pointer; empty: the body itself).
    pub items_at: String,
    /// What the pager set for it, in words (`offset=50 in the query`).
    pub changes: Vec<String>,
    /// How many times it was sent (2 when the first attempt failed and was retried).
    pub attempts: u8,
    /// Why the first attempt was retried, when it was.
    pub retried_because: Option<String>,
}

/// Result of `endpoint_send_pages`: every page, the combined items and why the walk ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PagesResult {
    /// The run it was recorded as.
    pub run_id: RunId,
    /// The endpoint's id.
    pub endpoint_id: String,
    /// The endpoint's name.
    pub endpoint_name: String,
    /// The pagination method (`limit_offset`, `next_token`, ...).
    pub method: String,
    /// Every page fetched, in order.
    pub pages: Vec<PageRecord>,
    /// Every page's items, in order (the history keeps the count, not the items; a walk that
    /// delivered them in its events leaves this empty).
    #[ts(type = "Array<unknown>")]
    pub items: Vec<serde_json::Value>,
    /// How many items the walk kept.
    pub item_count: u64,
    /// Why it ended.
    pub stop: Stop,
    /// Why it ended, in plain words.
    pub stop_message: String,
    /// What to do about it, when something can be done.
    pub stop_hint: Option<String>,
    /// Whether every item was fetched.
    pub complete: bool,
    /// Whether the walk failed (a page failed twice, a loop, another origin, an unreadable
    /// page); the pages before are kept.
    pub failed: bool,
    /// When it started (ms since the epoch).
    pub started_ms: u64,
    /// How long it took (ms).
    pub duration_ms: u64,
    /// What one item looks like, learnt from every item (the saved schema's tags carried).
    #[serde(default)]
    pub schema: Option<Schema>,
    /// How the items differ from the endpoint's saved schema.
    #[serde(default)]
    pub drift: Vec<Drift>,
}

/// Payload of `pages-progress`: a page of a walk arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PagesProgressEvent {
    /// The walk (the `job` `endpoint_send_pages` was given).
    pub job: String,
    /// The page.
    pub number: u32,
    /// Its status, when it was answered.
    pub status: Option<u16>,
    /// How long it took (ms).
    pub duration_ms: Option<u64>,
    /// How many items it held.
    pub items: u64,
    /// The walk's items so far.
    pub total_items: u64,
    /// How many times it was sent.
    pub attempts: u8,
    /// Its items themselves, when the walk was asked to deliver them page by page
    /// (`items_in_events`); empty otherwise.
    #[ts(type = "Array<unknown>")]
    pub page_items: Vec<serde_json::Value>,
}

/// Result of `endpoint_send`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CallResult {
    /// The run it was recorded as.
    pub run_id: RunId,
    /// The call.
    pub call: CallRecord,
    /// What the answer looks like, learnt from its JSON body (the saved schema's tags carried);
    /// none for an answer that failed or is not JSON.
    #[serde(default)]
    pub schema: Option<Schema>,
    /// How the answer differs from the endpoint's saved schema.
    #[serde(default)]
    pub drift: Vec<Drift>,
}

/// `schema_export`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SchemaExportArgs {
    /// The schema (an endpoint's saved one).
    pub schema: Schema,
    /// The JSON Schema's title (the endpoint's name).
    pub title: String,
}

/// A run as listed in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunSummary {
    /// Its id.
    pub run_id: RunId,
    /// The ten steps or one call.
    pub kind: RunKind,
    /// The connector.
    pub connector_id: ConnectorId,
    /// The connector's name.
    pub connector_name: String,
    /// The instance.
    pub instance_id: InstanceId,
    /// The instance's name.
    pub instance_name: String,
    /// For a call: the endpoint's name.
    pub endpoint: Option<String>,
    /// For a call: the answer's status.
    pub status: Option<u16>,
    /// For a flow: the flow mode.
    pub mode: Option<FlowMode>,
    /// Where it ended (or stands): a flow's phase; a call is `finished` or `failed`.
    pub phase: Phase,
    /// Started (ms since the epoch).
    pub started_ms: u64,
    /// Ended, when it did.
    pub finished_ms: Option<u64>,
    /// The step it failed at, if a flow failed.
    pub failed_step: Option<StepId>,
    /// The failure's kind, if it failed.
    pub error_kind: Option<ErrorKind>,
    /// How many steps are done (flows).
    pub steps_done: u8,
    /// For an audit: its scorecard.
    pub score: Option<signet_audit::Score>,
}

/// What a stored run holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RunDetail {
    /// The ten steps.
    Flow {
        /// The last snapshot.
        snapshot: Box<Snapshot>,
        /// The variables that went into the flow (secrets masked).
        variables: Vec<VariableUse>,
    },
    /// One endpoint call.
    Call {
        /// The call.
        call: Box<CallRecord>,
    },
    /// An endpoint's pages (the combined items are not kept: send again to see them).
    Pages {
        /// The walk.
        pages: Box<PagesResult>,
    },
    /// A provider audit.
    Audit {
        /// Its report and its dances.
        audit: Box<crate::audit::AuditRecord>,
    },
}

/// Result of `run_get`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunRecord {
    /// The summary.
    pub summary: RunSummary,
    /// What it holds.
    pub detail: RunDetail,
}

// ---------------------------------------------------------------------------------------------
// Presets

/// One preset as the picker lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PresetSummary {
    /// Its id (`netsuite`, `x`, `trello`).
    pub id: String,
    /// The name people know the provider by.
    pub name: String,
    /// One or two sentences: what connecting to it is like.
    pub summary: String,
    /// The provider's OAuth documentation.
    pub docs: Option<String>,
    /// Three-legged, one-legged or pre-issued token.
    pub mode: FlowMode,
    /// Why this mode, in plain words.
    pub mode_why: String,
    /// The signature methods the provider accepts.
    pub methods_allowed: Vec<SignatureMethod>,
    /// The method the preset picks.
    pub method_default: SignatureMethod,
    /// Why.
    pub method_why: String,
    /// Where the provider reads the `oauth_*` parameters.
    pub placements_allowed: Vec<Placement>,
    /// The placement the preset picks.
    pub placement_default: Placement,
    /// The callback modes the provider allows (three-legged presets; empty otherwise).
    pub callbacks_allowed: Vec<CallbackMode>,
    /// The callback the preset picks (three-legged presets).
    pub callback_default: Option<CallbackMode>,
    /// The callback rules in plain words.
    pub callback_rules: Vec<String>,
    /// Values an installer fills in (they become the connector's variables).
    pub placeholders: Vec<Placeholder>,
    /// Extra authorize-page parameters with their choices.
    pub authorize_params: Vec<ExtraParam>,
    /// Where to register the consumer and what to copy.
    pub registration: Registration,
    /// Anything else worth knowing about the provider's answers.
    pub notes: Vec<String>,
    /// How many API endpoints the preset brings.
    pub endpoint_count: u32,
}

// ---------------------------------------------------------------------------------------------
// Command arguments

/// `connector_validate`, `connector_lint` and `connector_save`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DocumentArgs {
    /// The connector as on screen.
    pub document: ConnectorDocument,
}

/// `connector_new`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewConnectorArgs {
    /// Start from this preset; `null` for a blank connector.
    pub preset_id: Option<String>,
}

/// `connector_get`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectorGetArgs {
    /// The connector.
    pub id: ConnectorId,
    /// The instance to show; `null` for its first.
    pub instance_id: Option<InstanceId>,
}

/// Commands about one connector (`connector_delete`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectorArgs {
    /// The connector.
    pub id: ConnectorId,
}

/// `instance_create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InstanceCreateArgs {
    /// The connector.
    pub connector_id: ConnectorId,
    /// The new instance's name.
    pub name: String,
    /// Copy this instance's values and consumer credentials (never its token).
    pub copy_from: Option<InstanceId>,
}

/// Commands about one instance (`instance_delete`, `token_forget`, `flow_start`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InstanceArgs {
    /// The instance.
    pub instance_id: InstanceId,
}

/// `secret_reveal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RevealSecretArgs {
    /// The instance.
    pub instance_id: InstanceId,
    /// Which secret.
    pub which: SecretRef,
}

/// `endpoint_send`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SendArgs {
    /// The instance whose values and token sign the call.
    pub instance_id: InstanceId,
    /// The endpoint.
    pub endpoint_id: String,
    /// Values for this call, by variable name.
    pub inputs: BTreeMap<String, String>,
}

/// `endpoint_curl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CurlArgs {
    /// The instance whose values and token sign the call.
    pub instance_id: InstanceId,
    /// The endpoint.
    pub endpoint_id: String,
    /// Values for this call, by variable name.
    pub inputs: BTreeMap<String, String>,
    /// Put the secrets in the command (the user asked).
    pub reveal: bool,
}

/// `postman_import`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PostmanImportArgs {
    /// The files chosen or dropped: one collection (v2.0 or v2.1) and, if wanted, one
    /// environment whose values win over the collection's (told apart by their content).
    pub files: Vec<PostmanFile>,
}

/// A file given to `postman_import`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PostmanFile {
    /// Its name, for messages.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// `postman_export`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PostmanExportArgs {
    /// The connector.
    pub connector_id: ConnectorId,
    /// Whose values go in (the connector's first instance when `null`).
    pub instance_id: Option<InstanceId>,
    /// Put the secrets' values in (the user asked); else each is an empty `{{variable}}`.
    pub include_secrets: bool,
}

/// `clipboard_write`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ClipboardArgs {
    /// What to put on the clipboard.
    pub text: String,
}

/// `exchange_curl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExchangeCurlArgs {
    /// The request as recorded (a step's, or a call's).
    pub request: RecordedRequest,
}

/// `endpoint_send_pages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SendPagesArgs {
    /// The instance whose values and token sign every page.
    pub instance_id: InstanceId,
    /// The endpoint (it must have pagination set).
    pub endpoint_id: String,
    /// Values for this walk, by variable name.
    pub inputs: BTreeMap<String, String>,
    /// A name for the walk the caller chooses (letters, digits, - and _; at most 64): the
    /// `pages-progress` events carry it and `endpoint_pages_cancel` names it.
    pub job: String,
    /// Fewer pages than the endpoint's most pages, for this walk.
    pub max_pages: Option<u32>,
    /// Deliver the items page by page in the `pages-progress` events, not in the result (whose
    /// `items` is then empty): a screen shows tens of thousands of items without one large
    /// answer to read at the end.
    #[serde(default)]
    pub items_in_events: bool,
}

/// `audit_run`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AuditArgs {
    /// The instance whose OAuth 1.0a method's provider is audited.
    pub instance_id: InstanceId,
    /// A name for this audit (letters, digits, `-`, `_`): `audit-progress` events carry it.
    pub job: String,
    /// At most this many requests a second (0.1 to 100; 5 when absent).
    pub rate_limit: Option<f64>,
}

/// `run_export`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunExportArgs {
    /// The run: a connection (the ten steps), an endpoint call, a walk of pages or an audit.
    pub run_id: RunId,
    /// HTML (a page for people) or JSON (the report as data).
    pub format: ReportFormat,
}

/// `report_show`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReportShowArgs {
    /// A report saved since Signet started (`run_export` said where).
    pub path: String,
    /// Show it in its folder instead of opening it.
    pub reveal: bool,
}

/// Result of `audit_run`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditDone {
    /// The audit's run in the history.
    pub run_id: RunId,
    /// What it found.
    pub report: signet_audit::AuditReport,
}

/// One moment of an audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuditStep {
    /// A request is about to go (`n` counts them from 1).
    Sending {
        /// Its number.
        n: u32,
        /// What it is.
        what: String,
    },
    /// A dance started: allow access in it (`which`: 1 or 2); its `flow-snapshot` events carry
    /// `run_id`.
    Dance {
        /// Which dance.
        which: u8,
        /// Its flow run.
        run_id: RunId,
    },
    /// A check has its verdict.
    Checked {
        /// Its row.
        row: Box<signet_audit::CheckResult>,
    },
}

/// Payload of `audit-progress`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditProgressEvent {
    /// The audit (the `job` `audit_run` was given).
    pub job: String,
    /// What happened.
    pub step: AuditStep,
}

/// `endpoint_pages_cancel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JobArgs {
    /// The walk.
    pub job: String,
}

/// `flow_retry`, `flow_cancel`, `run_get`, `run_diagnose`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunArgs {
    /// The run.
    pub run_id: RunId,
}

/// `flow_submit_pin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SubmitPinArgs {
    /// The run waiting for it.
    pub run_id: RunId,
    /// The PIN (verifier) the provider showed.
    pub pin: String,
}

/// `flow_submit_callback`: an address pasted by the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SubmitCallbackArgs {
    /// The run waiting for it.
    pub run_id: RunId,
    /// The address the browser ended up at.
    pub url: String,
}

/// `runs_list`: one page of the history.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct RunsListArgs {
    /// Only this connector's runs; `null` for all.
    pub connector_id: Option<ConnectorId>,
    /// Only this instance's runs.
    pub instance_id: Option<InstanceId>,
    /// Only runs of this kind; `null` for every kind.
    #[serde(default)]
    pub kind: Option<RunKind>,
    /// Only runs older than this one (the last run of the page before); `null` for the newest.
    #[serde(default)]
    pub before: Option<RunId>,
    /// At most this many runs ([`RUNS_PAGE`] when `null`, never more than [`RUNS_PAGE_MAX`]).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// How many runs a page of the history holds unless asked otherwise.
pub const RUNS_PAGE: u32 = 100;
/// The most runs one page may hold.
pub const RUNS_PAGE_MAX: u32 = 1_000;

/// A page of the history, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunsPage {
    /// The runs.
    pub runs: Vec<RunSummary>,
    /// How many runs of every kind the chosen connector or instance (or all of them) keeps.
    pub total: u32,
    /// Whether older runs may follow: ask again with `before` set to the last run's id.
    pub more: bool,
}

/// How much history Signet keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistorySettings {
    /// The newest runs each instance keeps; older ones are forgotten as new ones come.
    pub keep_runs: u32,
    /// What Signet keeps unless told otherwise.
    pub default_keep_runs: u32,
    /// The least that may be set.
    pub min_keep_runs: u32,
    /// The most that may be set.
    pub max_keep_runs: u32,
}

/// `history_settings_set`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistorySettingsArgs {
    /// The newest runs each instance keeps.
    pub keep_runs: u32,
}

/// `history_clear`: every run, a connector's, or an instance's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistoryClearArgs {
    /// Only this connector's runs; `null` for all.
    pub connector_id: Option<ConnectorId>,
    /// Only this instance's runs.
    pub instance_id: Option<InstanceId>,
}

/// What `history_clear` and `history_settings_set` forgot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistoryCleared {
    /// Runs forgotten.
    pub removed: u32,
    /// The settings now.
    pub settings: HistorySettings,
}

/// `preset_apply`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PresetApplyArgs {
    /// The preset.
    pub preset_id: String,
}

/// `diagnose_paste`: what the user pasted from the provider's answer, logs or docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DiagnosePasteArgs {
    /// The run whose request to compare.
    pub run_id: RunId,
    /// The provider's base string, or a problem report / JSON / log line containing it.
    pub text: String,
}

/// `clock_offset_set`: the offset added to every `oauth_timestamp` from now on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ClockOffsetArgs {
    /// Seconds, positive when this computer's clock is behind the provider's.
    pub offset_seconds: i64,
}

// ---------------------------------------------------------------------------------------------
// Events

/// Payload of `flow-snapshot`: the run moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FlowSnapshotEvent {
    /// The run.
    pub run_id: RunId,
    /// How it stands now.
    pub snapshot: Snapshot,
}

/// Payload of `deep-link-refused`: a `signet://` link arrived that no run was waiting for, or
/// that did not parse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeepLinkRefusedEvent {
    /// The start of the link, secrets redacted.
    pub url_excerpt: String,
    /// Why it was refused, in plain words.
    pub reason: String,
}

/// Something the UI shows as it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `flow-snapshot`.
    FlowSnapshot(Box<FlowSnapshotEvent>),
    /// `deep-link-refused`.
    DeepLinkRefused(DeepLinkRefusedEvent),
    /// `app-crashed`: a bug stopped part of Signet (a report was written).
    Crashed(CrashNotice),
    /// `pages-progress`: a page of a walk arrived.
    PagesProgress(PagesProgressEvent),
    /// `audit-progress`: an audit moved.
    AuditProgress(Box<AuditProgressEvent>),
}

impl Event {
    /// The event's name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::FlowSnapshot(_) => EVENT_FLOW_SNAPSHOT,
            Self::DeepLinkRefused(_) => EVENT_DEEP_LINK_REFUSED,
            Self::Crashed(_) => EVENT_APP_CRASHED,
            Self::PagesProgress(_) => EVENT_PAGES_PROGRESS,
            Self::AuditProgress(_) => EVENT_AUDIT_PROGRESS,
        }
    }
}

/// The name of the `flow-snapshot` event.
pub const EVENT_FLOW_SNAPSHOT: &str = "flow-snapshot";
/// The name of the `deep-link-refused` event.
pub const EVENT_DEEP_LINK_REFUSED: &str = "deep-link-refused";
/// The name of the `app-crashed` event.
pub const EVENT_APP_CRASHED: &str = "app-crashed";
/// The name of the `pages-progress` event.
pub const EVENT_PAGES_PROGRESS: &str = "pages-progress";
/// The name of the `audit-progress` event.
pub const EVENT_AUDIT_PROGRESS: &str = "audit-progress";

/// One event: its name and its payload's TypeScript type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventSpec {
    /// The event name the shell emits.
    pub name: &'static str,
    /// The payload type's name.
    pub payload: &'static str,
}

/// Every event the shell emits.
pub const EVENTS: &[EventSpec] = &[
    EventSpec {
        name: EVENT_FLOW_SNAPSHOT,
        payload: "FlowSnapshotEvent",
    },
    EventSpec {
        name: EVENT_DEEP_LINK_REFUSED,
        payload: "DeepLinkRefusedEvent",
    },
    EventSpec {
        name: EVENT_APP_CRASHED,
        payload: "CrashNotice",
    },
    EventSpec {
        name: EVENT_PAGES_PROGRESS,
        payload: "PagesProgressEvent",
    },
    EventSpec {
        name: EVENT_AUDIT_PROGRESS,
        payload: "AuditProgressEvent",
    },
];

// ---------------------------------------------------------------------------------------------
// Commands

/// One command: its name, its `args` type (if any) and its result type, as Rust spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSpec {
    /// The `snake_case` command name.
    pub name: &'static str,
    /// The type of the single `args` parameter, `None` for commands without arguments.
    pub args: Option<&'static str>,
    /// The result type (`()` for none).
    pub result: &'static str,
    /// What it does, one line.
    pub doc: &'static str,
}

macro_rules! commands {
    ($( $(#[doc = $doc:literal])* $name:ident ( $($args:ty)? ) -> $result:ty; )*) => {
        /// Every command the shell implements, in the order the UI documents them.
        pub const COMMANDS: &[CommandSpec] = &[
            $(CommandSpec {
                name: stringify!($name),
                args: commands!(@args $($args)?),
                result: stringify!($result),
                doc: concat!($($doc),*),
            },)*
        ];

        /// Calls `$callback! { name, name, ... }` with every command's name: the shell builds
        /// its invoke handler from it, so the list is written once, here.
        #[macro_export]
        macro_rules! for_each_command {
            ($callback:ident) => {
                $callback! { $($name),* }
            };
        }

        /// TypeScript for the command map: `{ name: { args: T | null; result: R } }`.
        #[doc(hidden)]
        pub fn command_map_ts(cfg: &ts_rs::Config) -> String {
            let mut out = String::from("export type CommandMap = {\n");
            $(
                out.push_str(&format!(
                    "  /**{} */\n  {}: {{ args: {}; result: {} }};\n",
                    concat!($($doc),*),
                    stringify!($name),
                    commands!(@ts cfg $($args)?),
                    <$result as TS>::name(cfg),
                ));
            )*
            out.push_str("};\n");
            out
        }

        /// Shows every argument and result type to `visitor` (the bindings test walks them to
        /// find two Rust types that would share one TypeScript file).
        #[doc(hidden)]
        pub fn visit_command_types<V: ts_rs::TypeVisitor>(visitor: &mut V) {
            $(
                $(visitor.visit::<$args>();)?
                visitor.visit::<$result>();
            )*
        }

        /// Exports every argument and result type (and what they use) to `cfg`'s directory.
        #[doc(hidden)]
        pub fn export_command_types(cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError> {
            $(
                $(export_with_dependencies::<$args>(cfg)?;)?
                export_with_dependencies::<$result>(cfg)?;
            )*
            Ok(())
        }
    };
    (@args) => { None };
    (@args $args:ty) => { Some(stringify!($args)) };
    (@ts $cfg:ident) => { "null" };
    (@ts $cfg:ident $args:ty) => { <$args as TS>::name($cfg) };
}

commands! {
    /// Why the database could not be opened; `null` when it is open (the UI asks first).
    store_problem() -> Option<StoreProblem>;
    /// Tries to open the database again; `null` when it opened.
    store_retry() -> Option<StoreProblem>;
    /// Moves the damaged database aside (kept, not deleted) and opens a fresh one.
    store_move_aside() -> MovedAside;
    /// Closes Signet.
    app_quit() -> ();
    /// Version, data directory, and where the data key lives.
    app_info() -> AppInfo;
    /// The page tells when it drew and became usable (the start-up trace, the ready probe).
    app_started(StartedArgs) -> ();
    /// Starts the built-in demo provider (or returns the running one) and saves its connector.
    demo_provider_start() -> DemoProvider;
    /// Saved connectors with their token status.
    connectors_list() -> Vec<ConnectorSummary>;
    /// A new connector, not saved yet: blank, or from a preset with every field explained.
    connector_new(NewConnectorArgs) -> NewConnector;
    /// One saved connector with one of its instances (secrets not shown).
    connector_get(ConnectorGetArgs) -> ConnectorView;
    /// Every problem with a connector and its instance; empty when it can run.
    connector_validate(DocumentArgs) -> Vec<FieldProblem>;
    /// What is likely to go wrong with a connector before Connect (the preset's lints too).
    connector_lint(DocumentArgs) -> Vec<Lint>;
    /// Creates (id null) or updates a connector and its instance; secrets left out stay.
    connector_save(DocumentArgs) -> ConnectorView;
    /// Deletes a connector with its instances, secrets, tokens and runs.
    connector_delete(ConnectorArgs) -> ();
    /// Adds an instance to a connector.
    instance_create(InstanceCreateArgs) -> ConnectorView;
    /// Deletes an instance with its secrets, token and runs.
    instance_delete(InstanceArgs) -> ();
    /// A stored secret's value: only on the user's explicit request.
    secret_reveal(RevealSecretArgs) -> String;
    /// Starts the ten steps of an instance's OAuth 1.0a method.
    flow_start(InstanceArgs) -> FlowStarted;
    /// Hands in the PIN of an oob run.
    flow_submit_pin(SubmitPinArgs) -> ();
    /// Hands in an address the user pasted (the final redirect).
    flow_submit_callback(SubmitCallbackArgs) -> ();
    /// Retries the failed step (or waits again for the redirect).
    flow_retry(RunArgs) -> ();
    /// Cancels a run.
    flow_cancel(RunArgs) -> ();
    /// Signs and sends one endpoint call with an instance's values and token.
    endpoint_send(SendArgs) -> CallResult;
    /// Walks an endpoint's pages (each signed afresh) to the end, a limit, a failure or a cancel.
    endpoint_send_pages(SendPagesArgs) -> PagesResult;
    /// Cancels a walk of pages (the pages fetched so far are kept).
    endpoint_pages_cancel(JobArgs) -> ();
    /// The tags a schema's fields can carry (orders, customers, products, ...).
    schema_taxonomy() -> Vec<TagGroup>;
    /// An endpoint's schema as a JSON schema document (draft 2020-12), pretty-printed.
    schema_export(SchemaExportArgs) -> String;
    /// Past runs (flows and calls), newest first.
    runs_list(RunsListArgs) -> RunsPage;
    /// One run with its snapshot or call record.
    run_get(RunArgs) -> RunRecord;
    /// How much history is kept.
    history_settings() -> HistorySettings;
    /// Keeps the newest `keep_runs` runs of each instance (older ones are forgotten now).
    history_settings_set(HistorySettingsArgs) -> HistoryCleared;
    /// Forgets past runs: all, a connector's, or an instance's (runs in progress stay).
    history_clear(HistoryClearArgs) -> HistoryCleared;
    /// Stored access tokens.
    tokens_list() -> Vec<TokenSummary>;
    /// Forgets an instance's stored access token.
    token_forget(InstanceArgs) -> ();
    /// Every provider preset, for the picker.
    presets_list() -> Vec<PresetSummary>;
    /// A new connector made from a preset, every field explained (same as connector_new).
    preset_apply(PresetApplyArgs) -> NewConnector;
    /// A failed run read in plain words: causes, fixes, clock skew, base-string diff.
    run_diagnose(RunArgs) -> FailureDiagnosis;
    /// The run's base string against the one the user pasted from the provider.
    diagnose_paste(DiagnosePasteArgs) -> BaseStringDiff;
    /// Sets the offset added to every oauth_timestamp from now on (clock skew).
    clock_offset_set(ClockOffsetArgs) -> ();
    /// Every request an audit of the instance's provider would send, and what to know first.
    audit_plan(InstanceArgs) -> AuditPlan;
    /// Audits the provider: two dances, then deliberately wrong requests, a verdict each.
    audit_run(AuditArgs) -> AuditDone;
    /// Stops an audit: its dance, else before its next request (an audit that ended: nothing).
    audit_stop(JobArgs) -> ();
    /// Saves a run (a connection, a call, a walk of pages, an audit) as a report, HTML or
    /// JSON, in the Downloads folder under a new name.
    run_export(RunExportArgs) -> SavedReport;
    /// Opens a report saved since start, or shows it in its folder.
    report_show(ReportShowArgs) -> ();
    /// Signs one call of an endpoint afresh, sends nothing, and answers it as a curl command.
    endpoint_curl(CurlArgs) -> CurlCommand;
    /// A recorded request (a step's or a call's) as a curl command.
    exchange_curl(ExchangeCurlArgs) -> CurlCommand;
    /// Puts text on the system clipboard (the Copy buttons).
    clipboard_write(ClipboardArgs) -> ();
    /// Reads a Postman collection (and environment) into a new connector, with the import's
    /// report.
    postman_import(PostmanImportArgs) -> PostmanImported;
    /// Saves a connector as a Postman v2.1 collection in the Downloads folder.
    postman_export(PostmanExportArgs) -> SavedReport;
}

/// Exports `T` when it has a file of its own (a struct or enum), else what it is made of
/// (`Vec<T>`, `()`, `String`).
#[doc(hidden)]
pub fn export_with_dependencies<T: TS + 'static>(
    cfg: &ts_rs::Config,
) -> Result<(), ts_rs::ExportError> {
    struct Exporter<'a> {
        cfg: &'a ts_rs::Config,
        result: Result<(), ts_rs::ExportError>,
    }
    impl ts_rs::TypeVisitor for Exporter<'_> {
        fn visit<U: TS + 'static + ?Sized>(&mut self) {
            if self.result.is_ok() && U::output_path().is_some() {
                self.result = U::export_all(self.cfg);
            }
        }
    }
    if T::output_path().is_some() {
        return T::export_all(cfg);
    }
    let mut exporter = Exporter {
        cfg,
        result: Ok(()),
    };
    T::visit_generics(&mut exporter);
    T::visit_dependencies(&mut exporter);
    exporter.result
}

/// TypeScript for the event map: `{ "flow-snapshot": FlowSnapshotEvent, ... }`.
#[doc(hidden)]
pub fn event_map_ts() -> String {
    let mut out = String::from("export type EventMap = {\n");
    for e in EVENTS {
        out.push_str(&format!("  \"{}\": {};\n", e.name, e.payload));
    }
    out.push_str("};\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_names_are_unique_snake_case() {
        let mut names: Vec<_> = COMMANDS.iter().map(|c| c.name).collect();
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        );
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), COMMANDS.len());
    }

    #[test]
    fn the_handler_list_is_the_command_list() {
        macro_rules! names {
            ($($name:ident),*) => { [$(stringify!($name)),*] };
        }
        let from_macro = for_each_command!(names);
        let from_const: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
        assert_eq!(from_macro.to_vec(), from_const);
    }

    #[test]
    fn secret_refs_are_tagged_by_kind() {
        let r = SecretRef::Variable {
            name: "api_key".into(),
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"kind":"variable","name":"api_key"}"#
        );
    }

    #[test]
    fn typed_secrets_go_in_as_text_and_come_out_redacted() {
        let json = r#"{"token":"t","secret":"s3cret"}"#;
        let t: TokenInput = serde_json::from_str(json).unwrap();
        assert_eq!(t.secret.as_ref().unwrap().expose(), "s3cret");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"token":"t","secret":"<redacted>"}"#
        );
    }
}
