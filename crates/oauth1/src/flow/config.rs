//! What a flow needs to run (step 1, consumer registration): the consumer's credentials, the
//! signing options, the mode and its endpoints, the callback, and an optional resource call.
//! [`FlowConfig::validate`] reports every problem at once, in plain words, per field.

use serde::{Deserialize, Serialize};

use crate::Placement;
use crate::base_string::{UrlParts, normalize_method};
use crate::callback::{CallbackMode, DEEP_LINK_CALLBACK};
use crate::error::ErrorReport;
use crate::request::{SignOptions, is_form_content_type};
use crate::secret::Secret;
use crate::signing::rsa::RsaPrivateKeyPem;
use crate::signing::{SignatureMethod, Signer};

/// The consumer's key material.
#[derive(Debug, Clone)]
pub enum ConsumerKey {
    /// The consumer secret (HMAC-* and PLAINTEXT).
    Secret(Secret),
    /// A parsed RSA private key (RSA-*).
    Rsa(RsaPrivateKeyPem),
}

/// Token credentials: an access token and its secret, with any extra fields the provider sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCredentials {
    /// `oauth_token`.
    pub token: String,
    /// `oauth_token_secret`.
    pub secret: Secret,
    /// Every other field of the access-token response (`user_id`, `screen_name`, ...).
    pub extra: Vec<(String, String)>,
}

/// An HTTP endpoint and the method to call it with (`HttpEndpoint` in TypeScript, beside a
/// connector's `Endpoint`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", ts(rename = "HttpEndpoint"))]
pub struct Endpoint {
    /// Absolute `http(s)` URL.
    pub url: String,
    /// `POST` (the default; the RFC's examples use it) or `GET`.
    #[serde(default = "post")]
    pub method: String,
}

fn post() -> String {
    "POST".into()
}

impl Endpoint {
    /// A `POST` endpoint.
    pub fn post(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            method: post(),
        }
    }
}

/// Where the provider sends the user back, and how Signet catches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CallbackConfig {
    /// Deep link, loopback listener or PIN entry.
    pub mode: CallbackMode,
    /// The `oauth_callback` value: `oob`, `signet://callback`, `http://127.0.0.1:PORT/PATH`,
    /// or (for [`CallbackMode::Oob`]) a registered web address whose final URL the user pastes.
    pub url: String,
    /// Bind the callback to the run: the engine puts an unguessable code of the run's own in
    /// the callback's path (`signet://callback/<code>`, `http://127.0.0.1:PORT/callback/<code>`),
    /// so a redirect that names no request token is still known to be this run's. Off for
    /// providers that compare the callback with the registered one exactly.
    #[serde(default)]
    pub bind: bool,
    /// The code in this run's callback, once the engine drew it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding: Option<String>,
}

impl CallbackConfig {
    /// A callback of `mode` at `url`, not bound to its run.
    pub fn new(mode: CallbackMode, url: impl Into<String>) -> Self {
        Self {
            mode,
            url: url.into(),
            bind: false,
            binding: None,
        }
    }

    /// The same, bound to its run (see [`CallbackConfig::bind`]).
    pub fn bound(mut self) -> Self {
        self.bind = self.mode != CallbackMode::Oob;
        self
    }

    /// Whether `input` (a redirect's URL) carries this run's code in its path.
    pub fn carries_binding(&self, input: &str) -> bool {
        let Some(code) = &self.binding else {
            return false;
        };
        let Some((_, rest)) = input.trim().split_once("://") else {
            return false;
        };
        let path = rest.split(['?', '#']).next().unwrap_or("");
        path.strip_suffix(code.as_str())
            .is_some_and(|before| before.ends_with('/'))
    }

    /// PIN entry: `oauth_callback=oob`.
    pub fn oob() -> Self {
        Self::new(CallbackMode::Oob, "oob")
    }

    /// The app's deep link, `signet://callback`.
    pub fn deep_link() -> Self {
        Self::new(CallbackMode::DeepLink, DEEP_LINK_CALLBACK)
    }

    /// A loopback listener at `http://127.0.0.1:{port}{path}` (port 0: the engine picks one
    /// and fills it in before the flow starts).
    pub fn loopback(port: u16, path: &str) -> Self {
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        Self::new(
            CallbackMode::Loopback,
            format!("http://127.0.0.1:{port}{path}"),
        )
    }

    /// For a loopback callback: (host, port, path). `None` when the URL is not a loopback one.
    pub fn loopback_parts(&self) -> Option<(&str, u16, &str)> {
        let rest = self.url.strip_prefix("http://")?;
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (host, port) = authority.rsplit_once(':')?;
        let port = port.parse::<u16>().ok()?;
        matches!(host, "127.0.0.1" | "localhost" | "[::1]").then_some((host, port, path))
    }
}

/// The three-legged dance's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ThreeLeggedConfig {
    /// The request-token (temporary credentials) endpoint.
    pub request_token: Endpoint,
    /// The page where the user authorises the request token.
    pub authorize_url: String,
    /// The access-token (token credentials) endpoint.
    pub access_token: Endpoint,
    /// How the user comes back.
    pub callback: CallbackConfig,
    /// More parameters for the authorize URL (Trello's `name`, `scope`, `expiration`, ...).
    #[serde(default)]
    pub authorize_params: Vec<(String, String)>,
    /// Also put `oauth_callback` on the authorize URL (OAuth 1.0 providers that predate 1.0a).
    #[serde(default)]
    pub callback_on_authorize_url: bool,
    /// Refuse a request-token response without `oauth_callback_confirmed=true` (OAuth 1.0a
    /// requires it; a few providers, TripIt for one, never send it).
    #[serde(default = "yes")]
    pub require_callback_confirmed: bool,
}

fn yes() -> bool {
    true
}

/// The shape of the run.
#[derive(Debug, Clone)]
pub enum ModeConfig {
    /// The full dance: request token, user authorisation, access token (the default).
    ThreeLegged(ThreeLeggedConfig),
    /// Consumer credentials only (WooCommerce over HTTP, two-legged APIs): only step 10.
    OneLegged,
    /// The provider issued the access token ahead of time (NetSuite token-based auth).
    PreIssuedToken(TokenCredentials),
}

/// The mode's name, as the snapshot shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FlowMode {
    /// Request token, authorisation, access token.
    #[default]
    ThreeLegged,
    /// Consumer credentials only.
    OneLegged,
    /// Token credentials issued ahead of time.
    PreIssuedToken,
}

impl ModeConfig {
    /// The mode's name.
    pub fn mode(&self) -> FlowMode {
        match self {
            Self::ThreeLegged(_) => FlowMode::ThreeLegged,
            Self::OneLegged => FlowMode::OneLegged,
            Self::PreIssuedToken(_) => FlowMode::PreIssuedToken,
        }
    }
}

/// The protected-resource call of step 10.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ResourceRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Absolute URL, with its query.
    pub url: String,
    /// The body's content type.
    #[serde(default)]
    pub content_type: Option<String>,
    /// The body.
    #[serde(default)]
    pub body: Option<String>,
    /// More headers to send (never signed).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Names of headers whose values are secret: recorded as `<redacted>`.
    #[serde(default)]
    pub masked_headers: Vec<String>,
}

impl ResourceRequest {
    /// A `GET` of `url`.
    pub fn get(url: impl Into<String>) -> Self {
        Self {
            method: "GET".into(),
            url: url.into(),
            content_type: None,
            body: None,
            headers: Vec::new(),
            masked_headers: Vec::new(),
        }
    }
}

/// What an authentication method adds to its token requests (steps 3 and 8): URL parameters
/// and form fields, which are signed (RFC 5849 section 3.4.1.3), and headers, which are not.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RequestExtras {
    /// Added to the URL's query.
    #[serde(default)]
    pub query: Vec<(String, String)>,
    /// Sent as headers.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Sent as a form body (`POST`), or added to the query (`GET`).
    #[serde(default)]
    pub form: Vec<(String, String)>,
    /// Names of headers whose values are secret: recorded as `<redacted>`.
    #[serde(default)]
    pub masked_headers: Vec<String>,
}

impl RequestExtras {
    /// Whether nothing is added.
    pub fn is_empty(&self) -> bool {
        self.query.is_empty() && self.headers.is_empty() && self.form.is_empty()
    }
}

/// Everything a flow needs.
#[derive(Debug, Clone)]
pub struct FlowConfig {
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// The consumer secret or RSA private key.
    pub key: ConsumerKey,
    /// The signature method.
    pub signature_method: SignatureMethod,
    /// Placement, `oauth_version`, empty parameters, body hash.
    pub sign_options: SignOptions,
    /// The `realm` of the `Authorization` header.
    pub realm: Option<String>,
    /// Three-legged, one-legged or pre-issued token, with what each needs.
    pub mode: ModeConfig,
    /// The call of step 10 (optional for three-legged; required otherwise).
    pub resource: Option<ResourceRequest>,
    /// What the token requests (steps 3 and 8) carry besides the protocol parameters.
    pub extras: RequestExtras,
}

/// One problem with one field of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldProblem {
    /// A dotted path: `consumer_key`, `endpoints.request_token.url`, `callback.url`, ...
    pub field: String,
    /// What is wrong and how to fix it, in plain words.
    pub message: String,
}

impl FlowConfig {
    /// Every problem with the configuration; empty when the flow can run.
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        let mut problem = |field: &str, message: String| {
            out.push(FieldProblem {
                field: field.to_owned(),
                message,
            })
        };

        if self.consumer_key.trim().is_empty() {
            problem(
                "consumer_key",
                "the consumer key is empty: copy it from the provider's developer page".into(),
            );
        } else if self.consumer_key.trim() != self.consumer_key {
            problem(
                "consumer_key",
                "the consumer key starts or ends with spaces: remove them".into(),
            );
        }
        let method = self.signature_method;
        match (&self.key, method.is_rsa()) {
            (ConsumerKey::Secret(_), true) => problem(
                "key",
                format!(
                    "{method} signs with an RSA private key, not a consumer secret: add the private key or pick an HMAC method"
                ),
            ),
            (ConsumerKey::Rsa(_), false) => problem(
                "key",
                format!(
                    "{method} signs with the consumer secret, not an RSA key: enter the secret or pick an RSA method"
                ),
            ),
            (ConsumerKey::Secret(s), false) if s.is_empty() => problem(
                "key",
                "the consumer secret is empty: copy it from the provider's developer page".into(),
            ),
            (ConsumerKey::Secret(s), false) if s.expose().trim() != s.expose() => problem(
                "key",
                "the consumer secret starts or ends with spaces: remove them".into(),
            ),
            _ => {}
        }
        if self.sign_options.body_hash && method == SignatureMethod::Plaintext {
            problem(
                "sign_options.body_hash",
                "the body hash is not defined for PLAINTEXT: turn it off or use an HMAC or RSA method".into(),
            );
        }

        let mut plaintext_urls = Vec::new();
        match &self.mode {
            ModeConfig::ThreeLegged(t) => {
                check_endpoint(&mut problem, "endpoints.request_token", &t.request_token);
                check_endpoint(&mut problem, "endpoints.access_token", &t.access_token);
                if let Err(reason) = check_url(&t.authorize_url) {
                    problem(
                        "endpoints.authorize_url",
                        format!("the authorize URL {reason}"),
                    );
                }
                plaintext_urls.push(t.request_token.url.as_str());
                plaintext_urls.push(t.access_token.url.as_str());
                check_callback(&mut problem, &t.callback);
                for (name, _) in &t.authorize_params {
                    if name.trim().is_empty() {
                        problem(
                            "authorize_params",
                            "an extra authorize-URL parameter has no name".into(),
                        );
                    } else if name == "oauth_token" {
                        problem(
                            "authorize_params",
                            "oauth_token is added to the authorize URL by Signet: remove it from the extra parameters".into(),
                        );
                    }
                }
            }
            ModeConfig::OneLegged => {
                if self.resource.is_none() {
                    problem(
                        "resource",
                        "one-legged mode only signs calls to the API: add the resource request to make".into(),
                    );
                }
            }
            ModeConfig::PreIssuedToken(creds) => {
                if creds.token.trim().is_empty() {
                    problem(
                        "token.token",
                        "the access token (token id) is empty: copy it from the provider".into(),
                    );
                }
                if creds.secret.is_empty() && !method.is_rsa() {
                    problem(
                        "token.secret",
                        "the token secret is empty: copy it from the provider (it is shown only once when the token is created)".into(),
                    );
                }
                if self.resource.is_none() {
                    problem(
                        "resource",
                        "with a pre-issued token the flow only makes the resource call: add the resource request to make".into(),
                    );
                }
            }
        }
        for (list, pairs) in [
            ("extras.query", &self.extras.query),
            ("extras.form", &self.extras.form),
        ] {
            for (name, _) in pairs {
                if name.trim().is_empty() {
                    problem(
                        list,
                        "an extra parameter of the token requests has no name".into(),
                    );
                } else if name.starts_with("oauth_") {
                    problem(
                        list,
                        format!(
                            "{name} is an oauth_ parameter, which Signet sets itself when it signs"
                        ),
                    );
                }
            }
        }
        if let Some(r) = &self.resource {
            if normalize_method(&r.method).is_err() {
                problem(
                    "resource.method",
                    format!(
                        "{:?} is not an HTTP method: use GET, POST, PUT, PATCH or DELETE",
                        r.method
                    ),
                );
            }
            if let Err(reason) = check_url(&r.url) {
                problem("resource.url", format!("the resource URL {reason}"));
            }
            plaintext_urls.push(r.url.as_str());
            if self.sign_options.placement == Placement::Body
                && r.body.as_deref().is_some_and(|b| !b.is_empty())
                && !r.content_type.as_deref().is_some_and(is_form_content_type)
            {
                problem(
                    "sign_options.placement",
                    "oauth parameters can only go in a form body, and the resource body is not a form: use header or query placement".into(),
                );
            }
        }
        if method == SignatureMethod::Plaintext
            && let Some(url) = plaintext_urls
                .into_iter()
                .find(|u| !is_safe_for_plaintext(u))
        {
            problem(
                "signature_method",
                format!(
                    "PLAINTEXT sends the secrets themselves, so it needs https; {url} is plain http: use https or an HMAC method"
                ),
            );
        }
        out
    }

    /// The mode's name.
    pub fn flow_mode(&self) -> FlowMode {
        self.mode.mode()
    }

    /// A signer with the consumer key material and, for HMAC and PLAINTEXT, the token secret.
    pub(crate) fn signer(&self, token_secret: Option<&Secret>) -> Result<Signer, ErrorReport> {
        match &self.key {
            ConsumerKey::Secret(s) => Signer::shared(self.signature_method, s, token_secret),
            ConsumerKey::Rsa(k) => Signer::rsa(self.signature_method, k),
        }
        .map_err(|e| ErrorReport::from(&e))
    }
}

fn check_endpoint(problem: &mut impl FnMut(&str, String), field: &str, e: &Endpoint) {
    if normalize_method(&e.method).is_err() {
        problem(
            &format!("{field}.method"),
            format!("{:?} is not an HTTP method: use POST or GET", e.method),
        );
    }
    if let Err(reason) = check_url(&e.url) {
        let what = if field.ends_with("request_token") {
            "request-token URL"
        } else {
            "access-token URL"
        };
        problem(&format!("{field}.url"), format!("the {what} {reason}"));
    }
}

/// `Err(reason)` reads as the end of "the X URL ...".
fn check_url(url: &str) -> std::result::Result<(), String> {
    if url.trim().is_empty() {
        return Err("is empty".into());
    }
    match UrlParts::parse(url) {
        Ok(_) => Ok(()),
        Err(crate::Error::InvalidUrl { reason, .. }) => Err(format!("is not usable: {reason}")),
        Err(e) => Err(format!("is not usable: {e}")),
    }
}

fn is_safe_for_plaintext(url: &str) -> bool {
    let Ok(parts) = UrlParts::parse(url) else {
        return true; // reported elsewhere
    };
    parts.scheme.eq_ignore_ascii_case("https")
        || matches!(
            parts.host.to_ascii_lowercase().as_str(),
            "127.0.0.1" | "localhost" | "[::1]"
        )
}

fn check_callback(problem: &mut impl FnMut(&str, String), cb: &CallbackConfig) {
    let url = cb.url.trim();
    match cb.mode {
        CallbackMode::Oob => {
            if url != "oob" && check_url(url).is_err() {
                problem(
                    "callback.url",
                    "with PIN entry the callback is \"oob\" (or the web address registered with the provider, whose final address you paste)".into(),
                );
            }
        }
        CallbackMode::DeepLink => match url.split_once("://") {
            Some((scheme, _))
                if !scheme.is_empty()
                    && !scheme.eq_ignore_ascii_case("http")
                    && !scheme.eq_ignore_ascii_case("https") => {}
            _ => problem(
                "callback.url",
                format!(
                    "a deep-link callback uses the app's own scheme, like {DEEP_LINK_CALLBACK}; for an http address choose the loopback mode"
                ),
            ),
        },
        CallbackMode::Loopback => {
            if cb.loopback_parts().is_none() {
                problem(
                    "callback.url",
                    "a loopback callback looks like http://127.0.0.1:8765/callback (127.0.0.1 or localhost, a port, a path)".into(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_callback_carries_its_runs_code_in_its_path_only() {
        let mut c = CallbackConfig::deep_link().bound();
        assert!(c.bind);
        assert!(!c.carries_binding("signet://callback/abc?oauth_verifier=v"));
        c.binding = Some("abc".into());
        assert!(c.carries_binding("signet://callback/abc?oauth_verifier=v"));
        assert!(c.carries_binding("http://127.0.0.1:9/callback/abc#x"));
        for other in [
            "signet://callback?code=abc",
            "signet://callback/xabc?oauth_verifier=v",
            "signet://callback/abcd",
            "signet://callback/abc/more",
            "abc",
            "signet://callback?oauth_verifier=v#/abc",
        ] {
            assert!(!c.carries_binding(other), "{other}");
        }
        assert!(
            !CallbackConfig::oob().bound().bind,
            "a PIN has no address to bind"
        );
    }

    use super::*;

    fn three_legged() -> FlowConfig {
        FlowConfig {
            consumer_key: "dpf43f3p2l4k3l03".into(),
            key: ConsumerKey::Secret(Secret::new("kd94hf93k423kf44")),
            signature_method: SignatureMethod::HmacSha1,
            sign_options: SignOptions::default(),
            realm: None,
            mode: ModeConfig::ThreeLegged(ThreeLeggedConfig {
                request_token: Endpoint::post("https://photos.example.net/initiate"),
                authorize_url: "https://photos.example.net/authorize".into(),
                access_token: Endpoint::post("https://photos.example.net/token"),
                callback: CallbackConfig::deep_link(),
                authorize_params: vec![],
                callback_on_authorize_url: false,
                require_callback_confirmed: true,
            }),
            resource: None,
            extras: RequestExtras::default(),
        }
    }

    fn fields(c: &FlowConfig) -> Vec<String> {
        c.validate().into_iter().map(|p| p.field).collect()
    }

    #[test]
    fn a_good_config_has_no_problems() {
        assert_eq!(three_legged().validate(), []);
    }

    #[test]
    fn every_bad_field_is_named_in_plain_words() {
        let mut c = three_legged();
        c.consumer_key = " ".into();
        c.key = ConsumerKey::Secret(Secret::new(""));
        let ModeConfig::ThreeLegged(t) = &mut c.mode else {
            unreachable!()
        };
        t.request_token.url = "photos.example.net/initiate".into();
        t.access_token.method = "PO ST".into();
        t.authorize_url = String::new();
        t.callback = CallbackConfig::new(CallbackMode::Loopback, "http://example.com/cb");
        let problems = c.validate();
        assert_eq!(
            fields(&c),
            [
                "consumer_key",
                "key",
                "endpoints.request_token.url",
                "endpoints.access_token.method",
                "endpoints.authorize_url",
                "callback.url"
            ]
        );
        assert_eq!(
            problems[2].message,
            "the request-token URL is not usable: it must be an absolute url starting with http:// or https://"
        );
        assert_eq!(problems[4].message, "the authorize URL is empty");
    }

    #[test]
    fn key_material_must_fit_the_method() {
        let mut c = three_legged();
        c.signature_method = SignatureMethod::RsaSha256;
        assert_eq!(
            c.validate()[0].message,
            "RSA-SHA256 signs with an RSA private key, not a consumer secret: add the private key or pick an HMAC method"
        );
    }

    #[test]
    fn plaintext_needs_https_except_on_loopback() {
        let mut c = three_legged();
        c.signature_method = SignatureMethod::Plaintext;
        assert_eq!(c.validate(), []);
        let ModeConfig::ThreeLegged(t) = &mut c.mode else {
            unreachable!()
        };
        t.access_token.url = "http://photos.example.net/token".into();
        assert_eq!(fields(&c), ["signature_method"]);
        let ModeConfig::ThreeLegged(t) = &mut c.mode else {
            unreachable!()
        };
        t.access_token.url = "http://127.0.0.1:8080/token".into();
        assert_eq!(c.validate(), []);
    }

    #[test]
    fn one_legged_and_pre_issued_need_a_resource() {
        let mut c = three_legged();
        c.mode = ModeConfig::OneLegged;
        assert_eq!(fields(&c), ["resource"]);
        c.mode = ModeConfig::PreIssuedToken(TokenCredentials {
            token: String::new(),
            secret: Secret::default(),
            extra: vec![],
        });
        assert_eq!(fields(&c), ["token.token", "token.secret", "resource"]);
        c.resource = Some(ResourceRequest::get("https://photos.example.net/photos"));
        c.mode = ModeConfig::OneLegged;
        assert_eq!(c.validate(), []);
    }

    #[test]
    fn callback_urls_fit_their_mode() {
        for (cb, ok) in [
            (CallbackConfig::oob(), true),
            (CallbackConfig::deep_link(), true),
            (CallbackConfig::loopback(8765, "callback"), true),
            (CallbackConfig::loopback(0, "/cb"), true),
            (
                CallbackConfig::new(CallbackMode::Oob, "http://printer.example.com/ready"),
                true,
            ),
            (
                CallbackConfig::new(CallbackMode::DeepLink, "https://example.com/cb"),
                false,
            ),
            (CallbackConfig::new(CallbackMode::Oob, "pin please"), false),
        ] {
            let mut c = three_legged();
            let ModeConfig::ThreeLegged(t) = &mut c.mode else {
                unreachable!()
            };
            t.callback = cb.clone();
            assert_eq!(c.validate().is_empty(), ok, "{cb:?}");
        }
        assert_eq!(
            CallbackConfig::loopback(8765, "callback").loopback_parts(),
            Some(("127.0.0.1", 8765, "/callback"))
        );
    }
}
