//! The connector: what a person builds in the product's four steps — basic details, connector
//! variables, authentication methods, endpoints — and nothing an installer supplies. Values of
//! variables, consumer credentials and tokens belong to an instance (see `crate::instance`).
//!
//! Every text field a person types is a template: `{{name}}` names a variable
//! (`crate::variables`).

use serde::{Deserialize, Serialize};
use signet_oauth1::flow::{Endpoint as HttpEndpoint, FlowMode};
use signet_oauth1::{CallbackMode, Placement, SignatureMethod};

/// A connector definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Connector {
    /// Step 1: basic details.
    pub details: Details,
    /// Step 2: the values a person installing the connector supplies.
    #[serde(default)]
    pub variables: Vec<Variable>,
    /// Step 3: how requests are authenticated (OAuth 1.0a, none, basic, token/API key).
    #[serde(default)]
    pub auth_methods: Vec<AuthMethod>,
    /// Step 4: the calls the connector makes.
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
}

/// Step 1 of building a connector.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Details {
    /// A name people recognise ("Trello", "NetSuite sandbox"); unique among connectors.
    pub name: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// The system it connects to ("NetSuite", "X").
    #[serde(default)]
    pub system: String,
    /// The connector's own version ("1.0").
    #[serde(default)]
    pub version: String,
    /// The provider's API documentation.
    #[serde(default)]
    pub documentation_url: Option<String>,
    /// The preset it started from (`netsuite`, `trello`), if any.
    #[serde(default)]
    pub preset: Option<String>,
}

/// What kind of value a variable holds; it decides how the value is checked and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum VariableKind {
    /// Any text.
    #[default]
    Text,
    /// A secret: stored encrypted with the instance, masked everywhere, never exported.
    Secret,
    /// A whole or decimal number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// One of the variable's choices.
    Choice,
    /// A web address without a trailing `/` (`https://shop.example`).
    Url,
    /// A NetSuite account id (`1234567` or `1234567-sb1`): `{{name}}` is its host form
    /// (`1234567-sb1`) and `{{name.realm}}` its realm form (`1234567_SB1`).
    NetsuiteAccount,
}

/// One choice of a [`VariableKind::Choice`] variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Choice {
    /// The value.
    pub value: String,
    /// What it means.
    pub label: String,
}

/// A variable: a connector variable (the installer supplies it) or an endpoint variable (a
/// per-call input such as `order_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Variable {
    /// The name templates use: `{{name}}`.
    pub name: String,
    /// What the form shows.
    #[serde(default)]
    pub label: String,
    /// What it holds.
    #[serde(default)]
    pub kind: VariableKind,
    /// For [`VariableKind::Choice`].
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// The value when none is given (never for secrets).
    #[serde(default)]
    pub default: Option<String>,
    /// An example value, shown in the empty field.
    #[serde(default)]
    pub example: Option<String>,
    /// Whether a value must be given.
    #[serde(default)]
    pub required: bool,
    /// Where to find the value, in plain words.
    #[serde(default)]
    pub help: String,
}

impl Variable {
    /// A required text variable.
    pub fn text(name: &str, label: &str) -> Self {
        Self {
            name: name.into(),
            label: label.into(),
            kind: VariableKind::Text,
            choices: Vec::new(),
            default: None,
            example: None,
            required: true,
            help: String::new(),
        }
    }
}

/// A name and a value, both templates: a URL parameter, a header, a form field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Param {
    /// The name.
    pub name: String,
    /// The value.
    #[serde(default)]
    pub value: String,
}

impl Param {
    /// A parameter.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// One way the connector authenticates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct AuthMethod {
    /// Unique in the connector; endpoints name it (`oauth1`, `public`).
    pub id: String,
    /// What the list shows ("OAuth 1.0a", "No auth").
    pub name: String,
    /// The method and its settings.
    pub kind: AuthKind,
    /// Extra URL parameters, headers and form fields for its token requests and every call it
    /// signs.
    #[serde(default)]
    pub options: AuthOptions,
}

/// The kinds of authentication a connector can use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AuthKind {
    /// Public calls: nothing is added.
    None,
    /// HTTP Basic: `Authorization: Basic base64(username:password)`.
    Basic {
        /// The user name (a template).
        username: String,
        /// The password: a reference to a secret variable (`{{password}}`).
        password: String,
    },
    /// A token or API key in a header or a query parameter.
    ApiKey {
        /// The header or parameter name (`X-Api-Key`, `Authorization`, `api_key`).
        name: String,
        /// The value: a template that names a secret variable (`Bearer {{api_key}}`).
        value: String,
        /// Where it goes.
        placement: KeyPlacement,
    },
    /// OAuth 1.0a: the ten steps.
    #[serde(rename = "oauth1")]
    OAuth1(Box<OAuth1>),
}

impl AuthKind {
    /// `none`, `basic`, `api_key` or `oauth1`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Basic { .. } => "basic",
            Self::ApiKey { .. } => "api_key",
            Self::OAuth1(_) => "oauth1",
        }
    }
}

/// Where an API key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum KeyPlacement {
    /// A request header.
    #[default]
    Header,
    /// A query parameter.
    Query,
}

/// An authentication method's options (the seed's "URL parameters, header, body").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct AuthOptions {
    /// Query parameters: signed (RFC 5849 section 3.4.1.3).
    #[serde(default)]
    pub query: Vec<Param>,
    /// Headers: never signed.
    #[serde(default)]
    pub headers: Vec<Param>,
    /// Form fields, for token requests and form bodies: signed.
    #[serde(default)]
    pub body: Vec<Param>,
}

impl AuthOptions {
    /// Whether no option is set.
    pub fn is_empty(&self) -> bool {
        self.query.is_empty() && self.headers.is_empty() && self.body.is_empty()
    }
}

/// OAuth 1.0a as step 1 of the wizard sets it up. The consumer key and secret (or RSA key) and
/// the tokens are the instance's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct OAuth1 {
    /// Three-legged (the dance), one-legged, or a pre-issued token.
    #[serde(default)]
    pub mode: FlowMode,
    /// How requests are signed.
    pub signature_method: SignatureMethod,
    /// Where the `oauth_*` parameters travel.
    #[serde(default)]
    pub placement: Placement,
    /// Whether to send `oauth_version=1.0`.
    #[serde(default = "yes")]
    pub include_version: bool,
    /// Add `oauth_body_hash` to requests whose body is not a form.
    #[serde(default)]
    pub body_hash: bool,
    /// Send protocol parameters whose value is empty instead of leaving them out.
    #[serde(default)]
    pub include_empty: bool,
    /// The `realm` of the `Authorization` header (a template), if the provider wants one.
    #[serde(default)]
    pub realm: Option<String>,
    /// Step 3's endpoint (a template).
    pub request_token: HttpEndpoint,
    /// Step 6's consent page (a template).
    pub authorize_url: String,
    /// Step 8's endpoint (a template).
    pub access_token: HttpEndpoint,
    /// How the provider sends the user back (step 7).
    pub callback: CallbackSettings,
    /// More parameters for the consent page (Trello's `name`, `scope`, `expiration`).
    #[serde(default)]
    pub authorize_params: Vec<Param>,
    /// Also put `oauth_callback` on the consent page's URL (OAuth 1.0 providers).
    #[serde(default)]
    pub callback_on_authorize_url: bool,
    /// Refuse a request-token answer without `oauth_callback_confirmed=true`.
    #[serde(default = "yes")]
    pub require_callback_confirmed: bool,
    /// The consumer key doubles as the access token (Xero private apps).
    #[serde(default)]
    pub consumer_key_as_token: bool,
    /// Fields the access-token response is expected to carry besides the token (`user_id`,
    /// `screen_name`): endpoints use them as `{{user_id}}`.
    #[serde(default)]
    pub token_fields: Vec<String>,
    /// The endpoint step 10 calls to show the connection works (an endpoint id), if any.
    #[serde(default)]
    pub test_endpoint: Option<String>,
}

fn yes() -> bool {
    true
}

/// Step 7's settings: how the provider's redirect reaches Signet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct CallbackSettings {
    /// Deep link (`signet://callback`), loopback listener, or PIN (`oob`).
    pub mode: CallbackMode,
    /// Loopback only: the port to listen on; 0 picks a free one when the flow starts.
    #[serde(default)]
    pub loopback_port: u16,
    /// Loopback only: the path.
    #[serde(default = "callback_path")]
    pub loopback_path: String,
    /// PIN mode only: a registered web address to send instead of `oob` (the user then pastes
    /// the address the browser ends up at).
    #[serde(default)]
    pub oob_url: Option<String>,
    /// Deep link and loopback: put a code of each attempt's own in the callback's path
    /// (`signet://callback/<code>`), so a redirect naming no request token is still known to be
    /// this attempt's. Turn it off only for a provider that compares the callback with the
    /// registered one exactly (its preset does).
    #[serde(default = "yes")]
    pub bind_to_run: bool,
}

fn callback_path() -> String {
    "/callback".into()
}

impl Default for CallbackSettings {
    fn default() -> Self {
        Self {
            mode: CallbackMode::DeepLink,
            loopback_port: 0,
            loopback_path: callback_path(),
            bind_to_run: true,
            oob_url: None,
        }
    }
}

impl OAuth1 {
    /// Three-legged with these endpoints and the usual defaults: HMAC-SHA1, header placement,
    /// `oauth_version` sent, deep-link callback.
    pub fn three_legged(
        request_token_url: &str,
        authorize_url: &str,
        access_token_url: &str,
    ) -> Self {
        Self {
            mode: FlowMode::ThreeLegged,
            signature_method: SignatureMethod::HmacSha1,
            placement: Placement::Header,
            include_version: true,
            body_hash: false,
            include_empty: false,
            realm: None,
            request_token: HttpEndpoint::post(request_token_url),
            authorize_url: authorize_url.into(),
            access_token: HttpEndpoint::post(access_token_url),
            callback: CallbackSettings::default(),
            authorize_params: Vec::new(),
            callback_on_authorize_url: false,
            require_callback_confirmed: true,
            consumer_key_as_token: false,
            token_fields: Vec::new(),
            test_endpoint: None,
        }
    }
}

/// An endpoint's body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    /// No body.
    #[default]
    None,
    /// `application/x-www-form-urlencoded`: its fields are signed.
    Form {
        /// The fields (templates).
        fields: Vec<Param>,
    },
    /// `application/json`: not signed (`oauth_body_hash` covers it when asked).
    Json {
        /// The JSON text (a template; values are escaped inside strings).
        text: String,
    },
    /// Any other text with its content type.
    Text {
        /// `text/plain`, `text/csv`, ...
        content_type: String,
        /// The text (a template).
        text: String,
    },
    /// `application/xml`.
    Xml {
        /// The XML text (a template; values are escaped).
        text: String,
    },
}

impl Body {
    /// `none`, `form`, `json`, `text` or `xml`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Form { .. } => "form",
            Self::Json { .. } => "json",
            Self::Text { .. } => "text",
            Self::Xml { .. } => "xml",
        }
    }
}

/// One call the connector makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Endpoint {
    /// Unique in the connector; the CLI names it (`members-me`, `customer`).
    pub id: String,
    /// What the list shows ("Get a customer").
    pub name: String,
    /// What it does.
    #[serde(default)]
    pub description: String,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The URL with path parameters (`{{base_url}}/customer/{{id}}`).
    pub url: String,
    /// Query parameters: signed by OAuth 1.0a.
    #[serde(default)]
    pub query: Vec<Param>,
    /// Headers: never signed.
    #[serde(default)]
    pub headers: Vec<Param>,
    /// The body.
    #[serde(default)]
    pub body: Body,
    /// The authentication method it uses (an id); `None`: the connector's first.
    #[serde(default)]
    pub auth: Option<String>,
    /// Per-call inputs (`order_id`), with defaults.
    #[serde(default)]
    pub variables: Vec<Variable>,
    /// How it pages through results, if it does.
    #[serde(default)]
    pub pagination: Option<crate::pagination::Pagination>,
    /// What its answers look like, learnt from them and saved (with the user's field tags):
    /// one item for an endpoint that pages, else the whole body.
    #[serde(default)]
    pub schema: Option<crate::schema::Schema>,
}

impl Endpoint {
    /// A `GET` of `url` with no parameters.
    pub fn get(id: &str, name: &str, url: &str) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            description: String::new(),
            method: "GET".into(),
            url: url.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::None,
            auth: None,
            variables: Vec::new(),
            pagination: None,
            schema: None,
        }
    }
}

impl Connector {
    /// A connector with only a name.
    pub fn named(name: &str) -> Self {
        Self {
            details: Details {
                name: name.into(),
                ..Details::default()
            },
            variables: Vec::new(),
            auth_methods: Vec::new(),
            endpoints: Vec::new(),
        }
    }

    /// The endpoint `id`.
    pub fn endpoint(&self, id: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.id == id)
    }

    /// The authentication method `id`.
    pub fn auth_method(&self, id: &str) -> Option<&AuthMethod> {
        self.auth_methods.iter().find(|m| m.id == id)
    }

    /// The connector's OAuth 1.0a method (a connector has at most one), with its position.
    pub fn oauth1(&self) -> Option<(usize, &AuthMethod, &OAuth1)> {
        self.auth_methods
            .iter()
            .enumerate()
            .find_map(|(i, m)| match &m.kind {
                AuthKind::OAuth1(o) => Some((i, m, o.as_ref())),
                _ => None,
            })
    }

    /// The method an endpoint uses: the one it names, else the connector's first; `None` when
    /// the connector has none (the call goes out unauthenticated).
    pub fn method_of(&self, endpoint: &Endpoint) -> Option<&AuthMethod> {
        match &endpoint.auth {
            Some(id) => self.auth_method(id),
            None => self.auth_methods.first(),
        }
    }
}
