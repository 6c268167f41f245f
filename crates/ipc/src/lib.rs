//! The contract between Signet's shell (`src-tauri/`) and its web UI (`ui/`): the arguments and
//! results of every command, the payload of every event, and the error every command returns.
//!
//! Tauri-free on purpose: the shell implements [`COMMANDS`] with these types, and a test
//! exports them all to TypeScript (`ui/src/ipc/bindings/`, see `tests/bindings.rs`), so the UI and
//! the shell cannot drift apart without CI noticing (`scripts/check-bindings.sh`).
//!
//! Conventions the shell follows:
//! - every command is `snake_case`; a command with arguments takes one parameter named `args`
//!   of its `…Args` type (the UI calls `invoke("connector_get", { args: { id } })`);
//! - every command fails with an [`ErrorReport`] `{ kind, message, hint? }`;
//! - secrets travel to the backend as plain strings (a [`Secret`] deserializes from one) and
//!   come back as `"<redacted>"` or `null`; only [`COMMANDS`]' `connector_reveal_secret` returns
//!   a secret's value, because the user asked.
#![warn(missing_docs)]

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub mod presets;

pub use presets::{
    BaseStringDiff, ClockOffsetArgs, DiagnosePasteArgs, Explanation, FailureDiagnosis, Lint,
    PresetApplied, PresetApplyArgs, PresetSummary,
};

pub use signet_oauth1::flow::{
    Actor, CallbackConfig, ConfigSummary, Endpoint, Exchange, FieldProblem, FlowMode, Phase,
    PublicToken, RecordedRequest, RecordedResponse, ResourceRequest, ResourceResult, STEPS,
    Snapshot, StepFailure, StepId, StepInfo, StepSnapshot, StepStatus, ThreeLeggedConfig, Waiting,
};
pub use signet_oauth1::parameters::Source;
pub use signet_oauth1::{
    CallbackMode, ErrorKind, ErrorReport, Placement, Secret, SignatureMethod, SigningTrace,
    TracedParameter,
};

/// A connector's id (opaque to the UI).
pub type ConnectorId = String;
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
    /// Where the key that encrypts the secrets lives, in plain words ("in the system keyring
    /// (Secret Service)", "in a file next to the data, readable only by you").
    pub data_key_location: String,
    /// The built-in demo provider's base URL, when it runs.
    pub demo_provider_url: Option<String>,
}

/// The demo provider's addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DemoEndpoints {
    /// Request-token (temporary credentials) endpoint, `POST`.
    pub request_token: String,
    /// Consent page.
    pub authorize: String,
    /// Access-token (token credentials) endpoint, `POST`.
    pub access_token: String,
    /// A protected resource that says who the token belongs to (`GET`).
    pub me: String,
    /// A protected resource that echoes the signed request back (`GET` or `POST`).
    pub echo: String,
}

/// The demo's RSA consumer (RSA-SHA* signatures).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DemoRsaConsumer {
    /// `signet-demo-rsa`.
    pub consumer_key: String,
    /// The shipped demo private key (PEM). Demo only: it is public, in the source tree.
    pub private_key_pem: String,
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

/// Result of `demo_provider_start`: the running demo provider and a ready-made step 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DemoProvider {
    /// Base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its endpoints.
    pub endpoints: DemoEndpoints,
    /// `signet-demo`.
    pub consumer_key: String,
    /// `signet-demo-secret`: a demo value, fine to show.
    pub consumer_secret: String,
    /// The RSA consumer.
    pub rsa: DemoRsaConsumer,
    /// Who can sign in.
    pub users: Vec<DemoUser>,
    /// Step 1 filled in for the demo: HMAC-SHA1, header placement, deep-link callback, a call
    /// to the `me` resource.
    pub draft: ConnectorDraft,
}

// ---------------------------------------------------------------------------------------------
// Connectors

/// The three endpoints of the three-legged dance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DraftEndpoints {
    /// Request-token (temporary credentials) endpoint.
    pub request_token: Endpoint,
    /// The provider's consent page.
    pub authorize_url: String,
    /// Access-token (token credentials) endpoint.
    pub access_token: Endpoint,
}

/// How the provider sends the user back (step 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DraftCallback {
    /// Deep link (`signet://callback`), loopback listener, or PIN (`oob`).
    pub mode: CallbackMode,
    /// Loopback only: the port to listen on; 0 picks a free one when the flow starts.
    pub loopback_port: u16,
    /// Loopback only: the path, `/callback` by default.
    pub loopback_path: String,
    /// PIN mode only: a registered web address to send as `oauth_callback` instead of `oob`
    /// (the user then pastes the address the browser ends up at). `null`: send `oob`.
    pub oob_url: Option<String>,
}

/// A pre-issued access token (NetSuite token-based authentication and the like).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DraftToken {
    /// The access token (token id).
    pub token: String,
    /// The token secret. `null` from the backend means "stored, not shown"; `null` to the
    /// backend when saving means "keep the stored one".
    pub secret: Option<Secret>,
}

/// Step 1 as the user fills it in: everything the shell maps to a `FlowConfig` and to the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectorDraft {
    /// The connector being edited; `null` for a new one.
    pub id: Option<ConnectorId>,
    /// A name the user recognises ("Demo provider", "Trello").
    pub name: String,
    /// The preset the draft started from (`demo`, `trello`, ...), if any.
    pub preset: Option<String>,
    /// Three-legged (the dance), one-legged, or pre-issued token.
    pub mode: FlowMode,
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// The consumer secret (HMAC-* and PLAINTEXT). From the backend: `"<redacted>"` or
    /// `null`; to the backend: the value, or `null` to keep the stored one.
    pub consumer_secret: Option<Secret>,
    /// The RSA private key, PEM (RSA-*). Same rules as `consumer_secret`.
    pub rsa_private_key_pem: Option<Secret>,
    /// The signature method.
    pub signature_method: SignatureMethod,
    /// Where the `oauth_*` parameters travel.
    pub placement: Placement,
    /// The `realm` of the `Authorization` header, if the provider wants one.
    pub realm: Option<String>,
    /// Whether to send `oauth_version=1.0`.
    pub include_version: bool,
    /// The dance's endpoints (three-legged only; ignored otherwise).
    pub endpoints: DraftEndpoints,
    /// How the user comes back (three-legged only).
    pub callback: DraftCallback,
    /// More parameters for the authorize URL (Trello's `name`, `scope`, `expiration`).
    pub authorize_params: Vec<(String, String)>,
    /// The protected-resource call of step 10 (optional for three-legged).
    pub resource: Option<ResourceRequest>,
    /// The pre-issued token (pre-issued-token mode only).
    pub token: Option<DraftToken>,
}

/// Which secret to reveal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// The consumer secret.
    ConsumerSecret,
    /// The RSA private key (PEM).
    RsaPrivateKey,
    /// The stored access token's secret.
    TokenSecret,
}

/// The access token stored for a connector (its public part).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TokenSummary {
    /// The connector it belongs to.
    pub connector_id: ConnectorId,
    /// The connector's name.
    pub connector_name: String,
    /// `oauth_token`.
    pub token: String,
    /// The secret's length (the value stays in the store until revealed).
    pub secret_len: usize,
    /// When it was issued or entered (ms since the epoch).
    pub issued_ms: u64,
    /// The access-token response's other fields (`user_id`, `screen_name`, ...).
    pub extra: Vec<(String, String)>,
}

/// Which secrets the store holds for a connector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct StoredSecrets {
    /// A consumer secret is stored.
    pub consumer_secret: bool,
    /// An RSA private key is stored.
    pub rsa_private_key: bool,
    /// An access token secret is stored.
    pub token_secret: bool,
}

/// A connector as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectorSummary {
    /// Its id.
    pub id: ConnectorId,
    /// Its name.
    pub name: String,
    /// The preset it came from.
    pub preset: Option<String>,
    /// The flow mode.
    pub mode: FlowMode,
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// The signature method.
    pub signature_method: SignatureMethod,
    /// The callback mode.
    pub callback_mode: CallbackMode,
    /// The provider's host (`api.trello.com`), for the list.
    pub provider_host: String,
    /// Last saved (ms since the epoch).
    pub updated_ms: u64,
    /// The stored access token, if any.
    pub token: Option<TokenSummary>,
    /// The latest run, if any.
    pub last_run: Option<RunSummary>,
}

/// A saved connector: its draft (secrets as `null`) and what the store holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Connector {
    /// Its id.
    pub id: ConnectorId,
    /// Step 1 as saved; secret fields are `null` (see `secrets`).
    pub draft: ConnectorDraft,
    /// Which secrets are stored.
    pub secrets: StoredSecrets,
    /// Created (ms since the epoch).
    pub created_ms: u64,
    /// Last saved (ms since the epoch).
    pub updated_ms: u64,
    /// The stored access token, if any.
    pub token: Option<TokenSummary>,
}

// ---------------------------------------------------------------------------------------------
// Flows and runs

/// What `flow_start` runs: an unsaved draft or a saved connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FlowTarget {
    /// Step 1 as currently on screen (not saved).
    Draft {
        /// The draft (boxed: it is much larger than an id).
        draft: Box<ConnectorDraft>,
    },
    /// A saved connector; its access token is stored when the run issues one.
    Connector {
        /// The connector.
        id: ConnectorId,
    },
}

/// Result of `flow_start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FlowStarted {
    /// The run's id; `flow-snapshot` events carry it.
    pub run_id: RunId,
    /// The first snapshot (step 2 active), so the UI can draw before the first event.
    pub snapshot: Snapshot,
}

/// A run as listed in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunSummary {
    /// Its id.
    pub run_id: RunId,
    /// The connector it ran, `null` for an unsaved draft.
    pub connector_id: Option<ConnectorId>,
    /// The connector's (or draft's) name.
    pub connector_name: String,
    /// The flow mode.
    pub mode: FlowMode,
    /// Where it ended (or stands).
    pub phase: Phase,
    /// Started (ms since the epoch).
    pub started_ms: u64,
    /// Ended, when it did.
    pub finished_ms: Option<u64>,
    /// The step it failed at, if it failed.
    pub failed_step: Option<StepId>,
    /// The failure's kind (`provider_problem`, ...), if it failed.
    pub error_kind: Option<ErrorKind>,
    /// How many steps are done.
    pub steps_done: u8,
}

/// Result of `run_get`: a stored run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunRecord {
    /// The summary.
    pub summary: RunSummary,
    /// The last snapshot.
    pub snapshot: Snapshot,
}

// ---------------------------------------------------------------------------------------------
// Command arguments

/// `connector_validate` and `connector_save`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DraftArgs {
    /// Step 1 as on screen.
    pub draft: ConnectorDraft,
}

/// Commands about one connector (`connector_get`, `connector_delete`, `token_forget`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectorArgs {
    /// The connector.
    pub id: ConnectorId,
}

/// `connector_reveal_secret`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RevealSecretArgs {
    /// The connector.
    pub id: ConnectorId,
    /// Which secret.
    pub which: SecretKind,
}

/// `flow_start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FlowStartArgs {
    /// What to run.
    pub target: FlowTarget,
}

/// `flow_retry`, `flow_cancel` and `run_get`.
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

/// `runs_list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunsListArgs {
    /// Only this connector's runs; `null` for all.
    pub connector_id: Option<ConnectorId>,
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

/// The name of the `flow-snapshot` event.
pub const EVENT_FLOW_SNAPSHOT: &str = "flow-snapshot";
/// The name of the `deep-link-refused` event.
pub const EVENT_DEEP_LINK_REFUSED: &str = "deep-link-refused";

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
    /// Version, data directory, and where the data key lives.
    app_info() -> AppInfo;
    /// Starts the built-in demo provider (or returns the running one) with a ready-made step 1.
    demo_provider_start() -> DemoProvider;
    /// Every problem with a draft; empty when it can run.
    connector_validate(DraftArgs) -> Vec<FieldProblem>;
    /// Saved connectors with their token status.
    connectors_list() -> Vec<ConnectorSummary>;
    /// One saved connector (secrets as null).
    connector_get(ConnectorArgs) -> Connector;
    /// Creates (id null) or updates a connector; null secrets keep the stored ones.
    connector_save(DraftArgs) -> Connector;
    /// Deletes a connector, its secrets and its token.
    connector_delete(ConnectorArgs) -> ();
    /// A stored secret's value: only on the user's explicit request.
    connector_reveal_secret(RevealSecretArgs) -> String;
    /// Starts a run of a draft or a saved connector.
    flow_start(FlowStartArgs) -> FlowStarted;
    /// Hands in the PIN of an oob run.
    flow_submit_pin(SubmitPinArgs) -> ();
    /// Hands in an address the user pasted (the final redirect).
    flow_submit_callback(SubmitCallbackArgs) -> ();
    /// Retries the failed step (or waits again for the redirect).
    flow_retry(RunArgs) -> ();
    /// Cancels a run.
    flow_cancel(RunArgs) -> ();
    /// Past runs, newest first, optionally of one connector.
    runs_list(RunsListArgs) -> Vec<RunSummary>;
    /// One stored run with its last snapshot.
    run_get(RunArgs) -> RunRecord;
    /// Stored access tokens.
    tokens_list() -> Vec<TokenSummary>;
    /// Forgets a connector's stored access token.
    token_forget(ConnectorArgs) -> ();
    /// Every provider preset, for step 1's picker.
    presets_list() -> Vec<PresetSummary>;
    /// Step 1 filled from a preset and its placeholders' values, each field explained.
    preset_apply(PresetApplyArgs) -> PresetApplied;
    /// What is likely to go wrong with a draft before Connect (the preset's lints too).
    connector_lint(DraftArgs) -> Vec<Lint>;
    /// A failed run read in plain words: causes, fixes, clock skew, base-string diff.
    run_diagnose(RunArgs) -> FailureDiagnosis;
    /// The run's base string against the one the user pasted from the provider.
    diagnose_paste(DiagnosePasteArgs) -> BaseStringDiff;
    /// Sets the offset added to every oauth_timestamp from now on (clock skew).
    clock_offset_set(ClockOffsetArgs) -> ();
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
        assert_eq!(COMMANDS.len(), 23);
    }

    #[test]
    fn flow_target_is_tagged_by_kind() {
        let t = FlowTarget::Connector { id: "c1".into() };
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"kind":"connector","id":"c1"}"#
        );
    }

    #[test]
    fn draft_secrets_go_in_as_text_and_come_out_redacted() {
        let json = r#"{"token":"t","secret":"s3cret"}"#;
        let t: DraftToken = serde_json::from_str(json).unwrap();
        assert_eq!(t.secret.as_ref().unwrap().expose(), "s3cret");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"token":"t","secret":"<redacted>"}"#
        );
    }
}
