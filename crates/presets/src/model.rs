//! The shape of a preset file (`data/<id>.toml`), field by field. `README.md` documents the
//! same format for people who write the files.

use serde::{Deserialize, Serialize};
use signet_oauth1::flow::FlowMode;
use signet_oauth1::{CallbackMode, Placement, SignatureMethod};

/// One provider: what Signet needs to know to connect to it, and why each choice is what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// Stable id, the file's name without `.toml` (`x`, `netsuite`, `magento2`).
    pub id: String,
    /// The name people know it by.
    pub name: String,
    /// One or two sentences: what connecting to it is like.
    pub summary: String,
    /// The provider's OAuth documentation.
    #[serde(default)]
    pub docs: Option<String>,
    /// Three-legged, one-legged or pre-issued token.
    pub mode: FlowMode,
    /// Why this mode.
    pub mode_why: String,
    /// Values the user fills in (`{account}`, `{base_url}`, `{host}`), with their helpers.
    #[serde(default)]
    pub placeholders: Vec<Placeholder>,
    /// Endpoints and the resource to try, with placeholders.
    #[serde(default)]
    pub endpoints: Endpoints,
    /// `realm` of the `Authorization` header, with placeholders (NetSuite: `{account.realm}`).
    #[serde(default)]
    pub realm: Option<String>,
    /// Why the realm is what it is.
    #[serde(default)]
    pub realm_why: Option<String>,
    /// Signature methods.
    pub signature: SignatureRules,
    /// Parameter placement.
    pub placement: PlacementRules,
    /// Callback rules (three-legged presets).
    #[serde(default)]
    pub callback: Option<CallbackRules>,
    /// More parameters on the request-token URL's query (X's `x_auth_access_type`).
    #[serde(default)]
    pub request_token_params: Vec<ExtraParam>,
    /// More parameters on the authorize URL (Trello's `name`, `scope`, `expiration`).
    #[serde(default)]
    pub authorize_params: Vec<ExtraParam>,
    /// Headers the provider requires (Discogs: a unique `User-Agent`).
    #[serde(default)]
    pub headers: Vec<RequiredHeader>,
    /// What the provider's responses look like.
    #[serde(default)]
    pub response: ResponseQuirks,
    /// Where to register the consumer and what to copy.
    pub registration: Registration,
    /// The provider's own errors: what they mean and what to do.
    #[serde(default)]
    pub known_errors: Vec<KnownError>,
    /// Documented calls of the provider's API, which become the connector's endpoints.
    #[serde(default)]
    pub api: Vec<ApiEndpoint>,
    /// How the demo provider imitates this provider beyond the rules above.
    #[serde(default)]
    pub demo: DemoQuirks,
}

/// A value the user fills in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Placeholder {
    /// The name used in templates: `{account}`.
    pub name: String,
    /// The label on the form.
    pub label: String,
    /// An example value.
    pub example: String,
    /// How the value is checked and turned into what templates use.
    #[serde(default)]
    pub helper: Helper,
    /// For [`Helper::Choice`]: the values to choose from.
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// The value when the user gives none.
    #[serde(default)]
    pub default: Option<String>,
    /// Where to find the value, in plain words.
    pub why: String,
}

/// How a placeholder's value is checked and expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Helper {
    /// Used as typed (trimmed).
    #[default]
    Text,
    /// A site's base address: `http(s)://host[/path]`, trailing `/` removed.
    BaseUrl,
    /// A NetSuite account id (`1234567`, `1234567-sb1`, `1234567_SB1`): `{x}` is the host form
    /// (lower case, `_` → `-`), `{x.realm}` the realm form (upper case, `-` → `_`).
    NetsuiteAccount,
    /// One of `choices`.
    Choice,
    /// A TCP port (1-65535).
    Port,
}

/// One choice of a placeholder or a parameter: the connector model's choice, so a placeholder's
/// choices become its variable's as they are.
pub use signet_connector::Choice;

/// An endpoint template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct EndpointTemplate {
    /// URL with placeholders.
    pub url: String,
    /// `POST` or `GET`.
    #[serde(default = "post")]
    pub method: String,
}

fn post() -> String {
    "POST".into()
}

fn get() -> String {
    "GET".into()
}

/// One documented call of the provider's API (`[[api]]`): an endpoint of the connector the
/// preset makes. Templates use the preset's placeholders and the access-token response's
/// extra fields as `{{name}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ApiEndpoint {
    /// Unique in the preset; the CLI names it (`verify-credentials`).
    pub id: String,
    /// Short, plain words.
    pub name: String,
    /// One sentence for non-programmers.
    #[serde(default)]
    pub description: String,
    /// `GET` (the default), `POST`, ...
    #[serde(default = "get")]
    pub method: String,
    /// The URL template.
    pub url: String,
    /// The call step 10 makes to show the connection works (at most one per preset).
    #[serde(default)]
    pub test: bool,
    /// Query parameters.
    #[serde(default)]
    pub query: Vec<signet_connector::Param>,
    /// Headers.
    #[serde(default)]
    pub headers: Vec<signet_connector::Param>,
    /// The body.
    #[serde(default)]
    pub body: signet_connector::Body,
    /// Per-call inputs.
    #[serde(default)]
    pub variables: Vec<signet_connector::Variable>,
    /// How it pages through results, if it does.
    #[serde(default)]
    pub pagination: Option<signet_connector::pagination::Pagination>,
}

/// The endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    /// Temporary credentials.
    #[serde(default)]
    pub request_token: Option<EndpointTemplate>,
    /// The page where the user authorises.
    #[serde(default)]
    pub authorize: Option<String>,
    /// Token credentials.
    #[serde(default)]
    pub access_token: Option<EndpointTemplate>,
}

/// Signature methods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SignatureRules {
    /// What the provider accepts.
    pub allowed: Vec<SignatureMethod>,
    /// What the preset picks.
    pub default: SignatureMethod,
    /// Why.
    pub why: String,
}

/// Parameter placement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct PlacementRules {
    /// Where the provider reads `oauth_*` parameters.
    pub allowed: Vec<Placement>,
    /// What the preset picks.
    pub default: Placement,
    /// Send `oauth_version=1.0`.
    #[serde(default = "yes")]
    pub include_version: bool,
    /// Why.
    pub why: String,
}

fn yes() -> bool {
    true
}

/// Callback rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CallbackRules {
    /// `oob` (a PIN or code the user types) is allowed.
    pub oob: bool,
    /// A custom scheme (`signet://callback`) is allowed.
    pub custom_scheme: bool,
    /// A loopback address (`http://127.0.0.1:PORT/…`) is allowed.
    pub loopback: bool,
    /// The callback must equal one registered with the provider.
    #[serde(default)]
    pub must_match_registered: bool,
    /// What the preset picks.
    pub default: CallbackMode,
    /// The provider answers `oauth_callback_confirmed=true` (OAuth 1.0a).
    #[serde(default = "yes")]
    pub sends_confirmed: bool,
    /// The provider reads the callback from the authorize URL (OAuth 1.0 style).
    #[serde(default)]
    pub on_authorize_url: bool,
    /// For `oob`: the number of digits of the code shown, when known.
    #[serde(default)]
    pub pin_digits: Option<u8>,
    /// Why, in plain words.
    pub why: String,
}

/// An extra parameter with its choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ExtraParam {
    /// The name.
    pub name: String,
    /// The provider refuses to go on without it.
    #[serde(default)]
    pub required: bool,
    /// The value the preset picks (with placeholders); `None` leaves it out.
    #[serde(default)]
    pub default: Option<String>,
    /// The values the provider accepts; empty when free text.
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// Why, in plain words.
    pub why: String,
}

/// A header the provider requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RequiredHeader {
    /// The header.
    pub name: String,
    /// An example value.
    pub example: String,
    /// Values that do not count (generic library user agents, say).
    #[serde(default)]
    pub refused_prefixes: Vec<String>,
    /// Why.
    pub why: String,
}

/// What responses look like.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ResponseQuirks {
    /// Fields of the access-token response besides the token and secret.
    #[serde(default)]
    pub access_extra: Vec<String>,
    /// The access-token response's `oauth_token_secret` is empty (Evernote).
    #[serde(default)]
    pub empty_access_secret: bool,
    /// Anything else worth knowing.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Where to register the consumer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// The page.
    pub url: String,
    /// What to do there, step by step.
    pub steps: Vec<String>,
    /// What to copy where.
    pub fields: Vec<FieldCopy>,
}

/// One value to copy from the provider into Signet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct FieldCopy {
    /// The provider's label ("API Key", "Consumer Secret").
    pub provider_label: String,
    /// Signet's field: `consumer_key`, `consumer_secret`, `rsa_private_key`, `token`,
    /// `token_secret`, or a placeholder's name.
    pub signet_field: String,
    /// Anything to watch out for.
    #[serde(default)]
    pub note: Option<String>,
}

/// When the demo provider answers with a known error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The signature method is not allowed.
    MethodRejected,
    /// The parameters travel where the provider does not look.
    PlacementRejected,
    /// `oob` where it is forbidden.
    OobForbidden,
    /// A callback the rules refuse (scheme, loopback, not registered).
    CallbackRejected,
    /// A required authorize or request-token parameter is missing or not a choice.
    ParamMissing,
    /// A required header is missing or generic.
    HeaderMissing,
    /// The realm is not the expected one.
    RealmMismatch,
}

/// A provider's own error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct KnownError {
    /// The provider's code or the telling part of its message.
    pub code: String,
    /// The HTTP status it comes with.
    pub status: u16,
    /// What the body looks like (the demo provider sends exactly this).
    #[serde(default)]
    pub body: Option<String>,
    /// The body's content type.
    #[serde(default)]
    pub content_type: Option<String>,
    /// When the demo provider sends it.
    #[serde(default)]
    pub trigger: Option<Trigger>,
    /// What it means.
    pub cause: String,
    /// What to do.
    pub fix: String,
}

/// Demo-provider behaviour that the rules above do not imply.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct DemoQuirks {
    /// Nonces must be ASCII letters and digits (X).
    #[serde(default)]
    pub ascii_nonce: bool,
    /// The consumer key is also the access token (Xero private apps).
    #[serde(default)]
    pub consumer_key_as_token: bool,
}
