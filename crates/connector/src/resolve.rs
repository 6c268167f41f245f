//! The one place a connector becomes what gets signed: [`flow_config`] for the ten steps of its
//! OAuth 1.0a method, [`prepare_call`] for one endpoint call, [`sign_call`] to sign that call
//! with a nonce and timestamp the caller draws. The app, the CLI and the tests all go through
//! here; nothing else builds a `FlowConfig` from a connector.
//!
//! Variables are filled in *before* signing, so the signature covers exactly what is sent.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use signet_oauth1::base_string::UrlParts;
use signet_oauth1::encoding::encode;
use signet_oauth1::flow::{
    CallbackConfig, ConsumerKey, Endpoint as HttpEndpoint, FieldProblem, FlowConfig, FlowMode,
    ModeConfig, RequestExtras, ResourceRequest, ThreeLeggedConfig, TokenCredentials,
};
use signet_oauth1::request::FORM;
use signet_oauth1::{
    CallbackMode, ErrorReport, HttpRequest, OAuthParams, Placement, RsaPrivateKeyPem, Secret,
    SignOptions, SignatureMethod, Signer, SigningTrace, sign_traced,
};

use crate::instance::{ClientSecret, Installed, check_value};
use crate::model::{AuthKind, AuthMethod, Body, Connector, Endpoint, KeyPlacement, OAuth1, Param};
use crate::model::{Variable, VariableKind};
use crate::variables::{Builtins, Context, Origin, Scope, TemplateError, VariableUse, expand};

fn problem(field: impl Into<String>, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field: field.into(),
        message: message.into(),
    }
}

/// Adds a connector's variables (and the instance's values for them) to `scope`. Problems with
/// the instance's values are named `values.<name>`.
fn add_connector_variables(
    scope: &mut Scope,
    variables: &[Variable],
    installed: &Installed,
    problems: &mut Vec<FieldProblem>,
) {
    for v in variables {
        let secret = v.kind == VariableKind::Secret;
        // Lowest first: the connector's default...
        if let Some(d) = v.default.as_deref().filter(|_| !secret) {
            match check_value(v, d) {
                Ok(pairs) => {
                    for (n, val) in pairs {
                        scope.set(&n, Some(&val), false, Origin::Connector);
                    }
                }
                Err(_) => scope.set(&v.name, Some(d), false, Origin::Connector),
            }
        }
        // ...then the instance's value.
        let typed = if secret {
            installed
                .secrets
                .get(&v.name)
                .map(|s| s.expose().to_owned())
        } else {
            installed.values.get(&v.name).cloned()
        };
        match typed.filter(|t| !t.is_empty()) {
            Some(t) => match check_value(v, &t) {
                Ok(pairs) => {
                    for (n, val) in pairs {
                        scope.set(&n, Some(&val), secret, Origin::Instance);
                    }
                }
                Err(why) => problems.push(problem(
                    format!("values.{}", v.name),
                    format!("{} {why}", label(v)),
                )),
            },
            None => {
                let has_default = v.default.as_deref().is_some_and(|d| !d.is_empty()) && !secret;
                if v.required && !has_default {
                    problems.push(problem(
                        format!("values.{}", v.name),
                        format!("{} needs a value", label(v).trim_end_matches(':')),
                    ));
                }
                for n in crate::instance::defined_names(v) {
                    scope.set(&n, None, secret, Origin::Instance);
                }
            }
        }
    }
}

fn label(v: &Variable) -> String {
    if v.label.trim().is_empty() {
        format!("{{{{{}}}}}:", v.name)
    } else {
        format!("{} ({{{{{}}}}}):", v.label.trim(), v.name)
    }
}

/// The variables a request of `connector` sees: its connector variables with the instance's
/// values, the auth variables of the instance's token (when `with_token`), and the endpoint's
/// variables and this call's inputs.
pub fn scope(
    connector: &Connector,
    endpoint: Option<&Endpoint>,
    installed: &Installed,
    inputs: &BTreeMap<String, String>,
    builtins: Builtins,
    with_token: bool,
) -> Result<Scope, Vec<FieldProblem>> {
    let (scope, problems) =
        build_scope(connector, endpoint, installed, inputs, builtins, with_token);
    if problems.is_empty() {
        Ok(scope)
    } else {
        Err(problems)
    }
}

/// [`scope`] with its problems beside it, so resolving can go on and report every field.
fn build_scope(
    connector: &Connector,
    endpoint: Option<&Endpoint>,
    installed: &Installed,
    inputs: &BTreeMap<String, String>,
    builtins: Builtins,
    with_token: bool,
) -> (Scope, Vec<FieldProblem>) {
    let mut problems = Vec::new();
    let mut scope = Scope::new(builtins);
    add_connector_variables(&mut scope, &connector.variables, installed, &mut problems);
    if let Some((_, _, o)) = connector.oauth1() {
        for f in &o.token_fields {
            scope.set(f, None, false, Origin::Auth);
        }
        scope.set("oauth_token", None, false, Origin::Auth);
    }
    if with_token {
        for (name, value, sensitive) in installed.auth_variables() {
            scope.set(&name, Some(&value), sensitive, Origin::Auth);
        }
    }
    if let Some(e) = endpoint {
        for v in &e.variables {
            let secret = v.kind == VariableKind::Secret;
            match v.default.as_deref().filter(|_| !secret) {
                Some(d) => match check_value(v, d) {
                    Ok(pairs) => {
                        for (n, val) in pairs {
                            scope.set(&n, Some(&val), false, Origin::Endpoint);
                        }
                    }
                    Err(_) => scope.set(&v.name, Some(d), false, Origin::Endpoint),
                },
                None => scope.set(&v.name, None, secret, Origin::Endpoint),
            }
        }
    }
    for (name, value) in inputs {
        if !scope.knows(name) {
            problems.push(problem(
                format!("inputs.{name}"),
                match crate::variables::suggest(name, scope.names()) {
                    Some(s) => format!(
                        "there is no variable {{{{{name}}}}} to give a value to; did you mean {{{{{s}}}}}?"
                    ),
                    None => format!(
                        "there is no variable {{{{{name}}}}} to give a value to: this call uses {}",
                        list_names(&scope)
                    ),
                },
            ));
            continue;
        }
        // An input for a typed variable is checked like the instance's values.
        let var = endpoint
            .and_then(|e| e.variables.iter().find(|v| &v.name == name))
            .or_else(|| connector.variables.iter().find(|v| &v.name == name));
        let secret = var.is_some_and(|v| v.kind == VariableKind::Secret);
        match var.map(|v| check_value(v, value)) {
            Some(Err(why)) => problems.push(problem(
                format!("inputs.{name}"),
                format!("{} {why}", label(var.expect("checked above"))),
            )),
            Some(Ok(pairs)) => {
                for (n, val) in pairs {
                    scope.set(&n, Some(&val), secret, Origin::Input);
                }
            }
            None => scope.set(name, Some(value), secret, Origin::Input),
        }
    }
    (scope, problems)
}

fn list_names(scope: &Scope) -> String {
    let names: Vec<String> = scope
        .names()
        .filter(|n| !n.starts_with('$'))
        .map(|n| format!("{{{{{n}}}}}"))
        .collect();
    if names.is_empty() {
        "no variables".into()
    } else {
        names.join(", ")
    }
}

/// Fills in templates, collecting the variables used and the problems by field.
struct Filler<'a> {
    scope: &'a Scope,
    uses: Vec<VariableUse>,
    problems: Vec<FieldProblem>,
    /// Variables whose missing or wrong value is already reported (`values.<name>`): the
    /// fields that use them say nothing more.
    reported: Vec<String>,
}

impl<'a> Filler<'a> {
    fn new(scope: &'a Scope, reported: &[FieldProblem]) -> Self {
        Self {
            scope,
            uses: Vec::new(),
            problems: Vec::new(),
            reported: reported
                .iter()
                .filter_map(|p| {
                    p.field
                        .strip_prefix("values.")
                        .or_else(|| p.field.strip_prefix("inputs."))
                })
                .map(str::to_owned)
                .collect(),
        }
    }

    fn already_reported(&self, e: &TemplateError) -> bool {
        match e {
            TemplateError::Missing { name, .. } | TemplateError::Undefined { name, .. } => {
                let base = name.split('.').next().unwrap_or(name);
                self.reported.iter().any(|r| r == name || r == base)
            }
            _ => false,
        }
    }

    /// The text filled in; a problem at the field `field()` names when it cannot be (the name is
    /// only built then: most templates fill in).
    fn fill(&mut self, field: &dyn Fn() -> String, template: &str, context: Context) -> String {
        self.fill_secret(field, template, context).0
    }

    /// The text, and whether a secret went into it.
    fn fill_secret(
        &mut self,
        field: &dyn Fn() -> String,
        template: &str,
        context: Context,
    ) -> (String, bool) {
        match expand(template, context, self.scope) {
            Ok(e) => {
                let secret = e.uses.iter().any(|u| u.secret);
                for u in e.uses {
                    if !self.uses.iter().any(|x| x.name == u.name) {
                        self.uses.push(u);
                    }
                }
                (e.text, secret)
            }
            Err(e) => {
                if !self.already_reported(&e) {
                    self.problems.push(problem(field(), e.to_string()));
                }
                (String::new(), false)
            }
        }
    }

    /// Headers, and the names of those whose values hold a secret.
    fn headers(&mut self, field: &str, params: &[Param]) -> (Vec<(String, String)>, Vec<String>) {
        let mut out = Vec::new();
        let mut masked = Vec::new();
        for (i, p) in params.iter().enumerate() {
            if p.name.trim().is_empty() {
                continue;
            }
            let name = self.fill(
                &|| format!("{field}[{i}].name"),
                p.name.trim(),
                Context::Text,
            );
            let (value, secret) =
                self.fill_secret(&|| format!("{field}[{i}].value"), &p.value, Context::Header);
            if secret {
                masked.push(name.clone());
            }
            out.push((name, value));
        }
        (out, masked)
    }

    fn params(&mut self, field: &str, params: &[Param], context: Context) -> Vec<(String, String)> {
        params
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.name.trim().is_empty())
            .map(|(i, p)| {
                (
                    self.fill(
                        &|| format!("{field}[{i}].name"),
                        p.name.trim(),
                        Context::Text,
                    ),
                    self.fill(&|| format!("{field}[{i}].value"), &p.value, context),
                )
            })
            .collect()
    }
}

/// The variables of the access-token response (`oauth_token` and the method's token fields)
/// an endpoint uses that nothing else defines.
fn token_references(connector: &Connector, e: &Endpoint) -> Vec<String> {
    let Some((_, _, o)) = connector.oauth1() else {
        return Vec::new();
    };
    let defined: Vec<String> = connector
        .variables
        .iter()
        .chain(&e.variables)
        .flat_map(crate::instance::defined_names)
        .collect();
    let is_token = |n: &str| {
        (n == "oauth_token" || o.token_fields.iter().any(|t| t == n))
            && !defined.iter().any(|d| d == n)
    };
    let mut templates: Vec<&str> = vec![&e.url];
    for p in e.query.iter().chain(&e.headers) {
        templates.push(&p.name);
        templates.push(&p.value);
    }
    match &e.body {
        Body::None => {}
        Body::Form { fields } => templates.extend(fields.iter().map(|p| p.value.as_str())),
        Body::Json { text } | Body::Xml { text } | Body::Text { text, .. } => templates.push(text),
    }
    let mut out: Vec<String> = Vec::new();
    for t in templates {
        for r in crate::variables::references(t).unwrap_or_default() {
            if is_token(r) && !out.iter().any(|o| o == r) {
                out.push(r.to_owned());
            }
        }
    }
    out
}

/// Maps a flow configuration's field name (as `FlowConfig::validate` and the lints name them)
/// to the connector's, for the OAuth 1.0a method at `method`.
pub fn flow_field(method: usize, field: &str) -> String {
    let m = format!("auth_methods[{method}]");
    match field {
        "consumer_key" => "instance.consumer_key".into(),
        "key" => "instance.client_secret".into(),
        "token.token" | "token.secret" => "instance.token".into(),
        "signature_method" => format!("{m}.signature_method"),
        "sign_options.placement" => format!("{m}.placement"),
        "sign_options.body_hash" => format!("{m}.body_hash"),
        "endpoints.authorize_url" => format!("{m}.authorize_url"),
        "callback.url" | "callback.mode" => format!("{m}.callback"),
        "callback.on_authorize_url" => format!("{m}.callback_on_authorize_url"),
        "callback.require_confirmed" => format!("{m}.require_callback_confirmed"),
        "realm" => format!("{m}.realm"),
        "authorize_params" => format!("{m}.authorize_params"),
        f if f.starts_with("resource") => format!("{m}.test_endpoint"),
        f if f.starts_with("headers.") => format!("{m}.options.{f}"),
        f => match f.strip_prefix("endpoints.") {
            Some(rest) => format!("{m}.{rest}"),
            None => format!("{m}.{f}"),
        },
    }
}

/// `c` bound to its run when the connector asks (see [`CallbackConfig::bind`]).
fn bound(c: CallbackConfig, bind: bool) -> CallbackConfig {
    if bind { c.bound() } else { c }
}

/// The key material for `method` from the instance.
fn consumer_key_material(
    method: SignatureMethod,
    installed: &Installed,
) -> Result<ConsumerKey, FieldProblem> {
    let field = "instance.client_secret";
    match (&installed.client_secret, method.is_rsa()) {
        (Some(ClientSecret::RsaPrivateKey(pem)), true) => RsaPrivateKeyPem::parse(pem.expose())
            .map(ConsumerKey::Rsa)
            .map_err(|e| problem(field, e.to_string())),
        (Some(ClientSecret::Shared(s)), false) => Ok(ConsumerKey::Secret(s.clone())),
        (Some(ClientSecret::Shared(_)), true) | (None, true) => Err(problem(
            field,
            format!("{method} signs with an RSA private key: paste the PEM private key"),
        )),
        (Some(ClientSecret::RsaPrivateKey(_)), false) | (None, false) => Err(problem(
            field,
            format!(
                "{method} signs with the consumer secret: type the secret the provider gave you"
            ),
        )),
    }
}

/// The OAuth 1.0a method's signing settings.
fn sign_options(o: &OAuth1) -> SignOptions {
    SignOptions {
        placement: o.placement,
        include_version: o.include_version,
        body_hash: o.body_hash,
        include_empty: o.include_empty,
    }
}

/// The flow configuration of the connector's OAuth 1.0a method for this instance: the ten
/// steps, step 10 calling the method's test endpoint. Every problem at once, named by the
/// connector's field paths (`auth_methods[0].request_token.url`, `values.account_id`,
/// `instance.client_secret`).
pub fn flow_config(
    connector: &Connector,
    installed: &Installed,
    builtins: Builtins,
) -> Result<FlowConfig, Vec<FieldProblem>> {
    resolve_flow(connector, installed, builtins).map(|r| r.config)
}

/// A flow configuration and the variables that went into it.
#[derive(Debug, Clone)]
pub struct ResolvedFlow {
    /// What the flow runs with.
    pub config: FlowConfig,
    /// The variables used (secrets masked), for the run's record.
    pub variables: Vec<VariableUse>,
}

/// [`flow_config`] with the variables used.
pub fn resolve_flow(
    connector: &Connector,
    installed: &Installed,
    builtins: Builtins,
) -> Result<ResolvedFlow, Vec<FieldProblem>> {
    let Some((index, method, o)) = connector.oauth1() else {
        return Err(vec![problem(
            "auth_methods",
            "the connector has no OAuth 1.0a method to connect: add one",
        )]);
    };
    let m = format!("auth_methods[{index}]");
    // The dance issues a new token: its fields are not known before it.
    let with_token = o.mode == FlowMode::PreIssuedToken;
    let (scope, mut problems) = build_scope(
        connector,
        None,
        installed,
        &BTreeMap::new(),
        builtins.clone(),
        with_token,
    );
    let mut f = Filler::new(&scope, &problems);
    let key = consumer_key_material(o.signature_method, installed)
        .map_err(|p| problems.push(p))
        .ok();
    let realm = o
        .realm
        .as_deref()
        .map(|r| f.fill(&|| format!("{m}.realm"), r, Context::Header))
        .filter(|r| !r.is_empty());
    let (headers, masked_headers) =
        f.headers(&format!("{m}.options.headers"), &method.options.headers);
    let extras = RequestExtras {
        query: f.params(
            &format!("{m}.options.query"),
            &method.options.query,
            Context::Text,
        ),
        headers,
        form: f.params(
            &format!("{m}.options.body"),
            &method.options.body,
            Context::Text,
        ),
        masked_headers,
    };
    let mode = match o.mode {
        FlowMode::ThreeLegged => {
            let callback = match o.callback.mode {
                CallbackMode::DeepLink => {
                    bound(CallbackConfig::deep_link(), o.callback.bind_to_run)
                }
                CallbackMode::Loopback => bound(
                    CallbackConfig::loopback(o.callback.loopback_port, &o.callback.loopback_path),
                    o.callback.bind_to_run,
                ),
                CallbackMode::Oob => match o.callback.oob_url.as_deref().map(str::trim) {
                    Some(url) if !url.is_empty() => CallbackConfig::new(
                        CallbackMode::Oob,
                        f.fill(&|| format!("{m}.callback"), url, Context::Url),
                    ),
                    _ => CallbackConfig::oob(),
                },
            };
            ModeConfig::ThreeLegged(ThreeLeggedConfig {
                request_token: HttpEndpoint {
                    url: f.fill(
                        &|| format!("{m}.request_token.url"),
                        o.request_token.url.trim(),
                        Context::Url,
                    ),
                    method: o.request_token.method.trim().to_ascii_uppercase(),
                },
                authorize_url: f.fill(
                    &|| format!("{m}.authorize_url"),
                    o.authorize_url.trim(),
                    Context::Url,
                ),
                access_token: HttpEndpoint {
                    url: f.fill(
                        &|| format!("{m}.access_token.url"),
                        o.access_token.url.trim(),
                        Context::Url,
                    ),
                    method: o.access_token.method.trim().to_ascii_uppercase(),
                },
                callback,
                authorize_params: f.params(
                    &format!("{m}.authorize_params"),
                    &o.authorize_params,
                    Context::Text,
                ),
                callback_on_authorize_url: o.callback_on_authorize_url,
                require_callback_confirmed: o.require_callback_confirmed,
            })
        }
        FlowMode::OneLegged => ModeConfig::OneLegged,
        FlowMode::PreIssuedToken => {
            let token = match &installed.token {
                Some(t) => t.clone(),
                None if o.consumer_key_as_token => TokenCredentials {
                    token: installed.consumer_key.trim().to_owned(),
                    secret: Secret::default(),
                    extra: Vec::new(),
                },
                None => {
                    problems.push(problem(
                        "instance.token",
                        "this connector uses a token the provider issued ahead of time: enter the access token and its secret",
                    ));
                    TokenCredentials {
                        token: String::new(),
                        secret: Secret::default(),
                        extra: Vec::new(),
                    }
                }
            };
            ModeConfig::PreIssuedToken(token)
        }
    };
    let mut uses = std::mem::take(&mut f.uses);
    problems.append(&mut f.problems);
    // Step 10: the test endpoint, resolved with what is known before the dance (once the rest
    // is sound, so a missing value is not reported twice).
    let test_endpoint = o
        .test_endpoint
        .as_deref()
        .filter(|t| !t.is_empty() && problems.is_empty());
    let resource = match test_endpoint {
        None => None,
        Some(id) => match connector.endpoint(id) {
            None => {
                problems.push(problem(
                    format!("{m}.test_endpoint"),
                    format!("step 10 calls the endpoint {id:?}, which the connector does not have: pick one of its endpoints"),
                ));
                None
            }
            Some(e) if connector.method_of(e).is_none_or(|x| x.id != method.id) => {
                problems.push(problem(
                    format!("{m}.test_endpoint"),
                    format!(
                        "step 10 calls {:?}, which does not use {}: pick an endpoint that does",
                        e.name, method.name
                    ),
                ));
                None
            }
            Some(e) if !with_token && !token_references(connector, e).is_empty() => {
                let names: Vec<String> = token_references(connector, e)
                    .into_iter()
                    .map(|n| format!("{{{{{n}}}}}"))
                    .collect();
                problems.push(problem(
                    format!("{m}.test_endpoint"),
                    format!(
                        "step 10 calls {:?}, which uses {} from the access-token response; the dance issues that value, so it is not known before: pick an endpoint for step 10 that does not need it",
                        e.name,
                        names.join(", ")
                    ),
                ));
                None
            }
            Some(e) => match prepare(
                connector,
                &e.id,
                &Installed {
                    token: if with_token {
                        installed.token.clone()
                    } else {
                        None
                    },
                    ..installed.clone()
                },
                &BTreeMap::new(),
                builtins,
                true,
            ) {
                Ok(call) => {
                    for u in call.variables {
                        if !uses.iter().any(|x: &VariableUse| x.name == u.name) {
                            uses.push(u);
                        }
                    }
                    Some(ResourceRequest {
                        method: call.method,
                        url: call.url,
                        content_type: call.content_type,
                        body: call.body,
                        headers: call.headers,
                        masked_headers: call.secret_headers,
                    })
                }
                Err(ps) => {
                    for p in ps {
                        // The instance's own values and the token are named as they are;
                        // problems of the endpoint itself point at step 10's choice.
                        let field =
                            if p.field.starts_with("values.") || p.field.starts_with("instance.") {
                                p.field
                            } else {
                                format!("{m}.test_endpoint")
                            };
                        problems.push(problem(
                            field,
                            format!("step 10 calls {:?}: {}", e.name, p.message),
                        ));
                    }
                    None
                }
            },
        },
    };
    let Some(key) = key else {
        return Err(problems);
    };
    let config = FlowConfig {
        consumer_key: installed.consumer_key.trim().to_owned(),
        key,
        signature_method: o.signature_method,
        sign_options: sign_options(o),
        realm,
        mode,
        resource,
        extras,
    };
    if problems.is_empty() {
        problems.extend(config.validate().into_iter().map(|p| FieldProblem {
            field: flow_field(index, &p.field),
            message: p.message,
        }));
    }
    if problems.is_empty() {
        Ok(ResolvedFlow {
            config,
            variables: uses,
        })
    } else {
        Err(problems)
    }
}

/// One parameter of a call, where it goes and whether OAuth 1.0a signs it (for the trace).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SentParameter {
    /// `query`, `header`, `form` or `body`.
    pub place: String,
    /// Its name.
    pub name: String,
    /// Its value (`<redacted>` for secrets).
    pub value: String,
    /// Where it was set: `endpoint`, or the authentication method's name.
    pub from: String,
    /// Whether the OAuth 1.0a signature covers it.
    pub signed: bool,
    /// Why (RFC 5849 section 3.4.1.3), in plain words.
    pub why: String,
}

/// How a prepared call is authenticated.
#[derive(Debug, Clone)]
pub enum PreparedAuth {
    /// Nothing added.
    None,
    /// `Authorization: Basic ...` is already among the headers.
    Basic,
    /// The key is already among the headers or in the query.
    ApiKey,
    /// To be signed by [`sign_call`].
    OAuth1(Box<OAuth1Signing>),
}

/// What signing an OAuth 1.0a call needs.
#[derive(Debug, Clone)]
pub struct OAuth1Signing {
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// The consumer secret or RSA key.
    pub key: ConsumerKey,
    /// The method.
    pub signature_method: SignatureMethod,
    /// Placement and the rest.
    pub options: SignOptions,
    /// The realm.
    pub realm: Option<String>,
    /// The token credentials (`None`: one-legged, consumer credentials only).
    pub token: Option<TokenCredentials>,
}

/// An endpoint call with every template filled in and its method's options applied, ready to
/// sign.
#[derive(Debug, Clone)]
pub struct PreparedCall {
    /// The endpoint's id.
    pub endpoint_id: String,
    /// The authentication method's id, if any.
    pub auth_method: Option<String>,
    /// The upper-case HTTP method.
    pub method: String,
    /// The absolute URL with its query.
    pub url: String,
    /// Headers (the endpoint's, then the method's), an API key or Basic header included.
    pub headers: Vec<(String, String)>,
    /// The body's content type.
    pub content_type: Option<String>,
    /// The body.
    pub body: Option<String>,
    /// How it is authenticated.
    pub auth: PreparedAuth,
    /// The variables used, secrets masked.
    pub variables: Vec<VariableUse>,
    /// Every parameter, where it goes and whether it is signed.
    pub parameters: Vec<SentParameter>,
    /// Names of headers whose values are secret (shown masked).
    pub secret_headers: Vec<String>,
    /// Names of query parameters whose values are secret.
    pub secret_query: Vec<String>,
}

fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn form_encode(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Prepares a call of endpoint `endpoint_id` for this instance with these inputs: fills in
/// every template, applies the authentication method's options, and checks the result. Every
/// problem at once, named by field (`endpoints[2].url`, `inputs.order_id`, `values.shop`).
pub fn prepare_call(
    connector: &Connector,
    endpoint_id: &str,
    installed: &Installed,
    inputs: &BTreeMap<String, String>,
    builtins: Builtins,
) -> Result<PreparedCall, Vec<FieldProblem>> {
    prepare(connector, endpoint_id, installed, inputs, builtins, false)
}

/// [`prepare_call`]; for step 10 (`in_flow`) the flow brings the token, so none is needed.
fn prepare(
    connector: &Connector,
    endpoint_id: &str,
    installed: &Installed,
    inputs: &BTreeMap<String, String>,
    builtins: Builtins,
    in_flow: bool,
) -> Result<PreparedCall, Vec<FieldProblem>> {
    let Some((index, endpoint)) = connector
        .endpoints
        .iter()
        .enumerate()
        .find(|(_, e)| e.id == endpoint_id)
    else {
        let ids: Vec<&str> = connector.endpoints.iter().map(|e| e.id.as_str()).collect();
        return Err(vec![problem(
            "endpoint",
            if ids.is_empty() {
                format!("the connector has no endpoint {endpoint_id:?}: it has no endpoints yet")
            } else {
                format!(
                    "the connector has no endpoint {endpoint_id:?}: it has {}",
                    ids.join(", ")
                )
            },
        )]);
    };
    let e = format!("endpoints[{index}]");
    let method_def: Option<&AuthMethod> = connector.method_of(endpoint);
    if let (Some(id), None) = (&endpoint.auth, method_def) {
        return Err(vec![problem(
            format!("{e}.auth"),
            format!(
                "the endpoint uses the authentication method {id:?}, which the connector does not have"
            ),
        )]);
    }
    let (scope, mut problems) =
        build_scope(connector, Some(endpoint), installed, inputs, builtins, true);
    let mut f = Filler::new(&scope, &problems);
    let http_method = endpoint.method.trim().to_ascii_uppercase();
    if signet_oauth1::base_string::normalize_method(&http_method).is_err() || http_method.is_empty()
    {
        problems.push(problem(
            format!("{e}.method"),
            format!(
                "{:?} is not an HTTP method: use GET, POST, PUT, PATCH or DELETE",
                endpoint.method
            ),
        ));
    }
    let mut url = f.fill(&|| format!("{e}.url"), endpoint.url.trim(), Context::Url);
    let mut query = f.params(&format!("{e}.query"), &endpoint.query, Context::Text);
    let (mut headers, mut secret_headers) = f.headers(&format!("{e}.headers"), &endpoint.headers);
    let mut parameters = Vec::new();
    let oauth1 = matches!(method_def.map(|m| &m.kind), Some(AuthKind::OAuth1(_)));
    let why_query =
        "query parameters are part of the signature base string (RFC 5849 section 3.4.1.3)";
    let why_header = "headers other than Authorization are never signed";
    for (k, v) in &query {
        parameters.push(SentParameter {
            place: "query".into(),
            name: k.clone(),
            value: v.clone(),
            from: "endpoint".into(),
            signed: oauth1,
            why: if oauth1 {
                why_query.into()
            } else {
                "no signature".into()
            },
        });
    }
    for (k, v) in &headers {
        parameters.push(SentParameter {
            place: "header".into(),
            name: k.clone(),
            value: v.clone(),
            from: "endpoint".into(),
            signed: false,
            why: why_header.into(),
        });
    }
    let (mut content_type, mut body, mut form) = match &endpoint.body {
        Body::None => (None, None, None),
        Body::Form { fields } => {
            let pairs = f.params(&format!("{e}.body.fields"), fields, Context::Text);
            (Some(FORM.to_owned()), None, Some(pairs))
        }
        Body::Json { text } => (
            Some("application/json".to_owned()),
            Some(f.fill(&|| format!("{e}.body.text"), text, Context::Json)),
            None,
        ),
        Body::Text { content_type, text } => (
            Some(content_type.trim().to_owned()).filter(|c| !c.is_empty()),
            Some(f.fill(&|| format!("{e}.body.text"), text, Context::Text)),
            None,
        ),
        Body::Xml { text } => (
            Some("application/xml".to_owned()),
            Some(f.fill(&|| format!("{e}.body.text"), text, Context::Xml)),
            None,
        ),
    };
    if matches!(endpoint.body, Body::Text { .. }) && content_type.is_none() {
        problems.push(problem(
            format!("{e}.body.content_type"),
            "a text body needs its content type (text/plain, text/csv, ...)",
        ));
    }
    let mut secret_query = Vec::new();
    let mut auth = PreparedAuth::None;
    if let Some(m) = method_def {
        let mi = connector
            .auth_methods
            .iter()
            .position(|x| x.id == m.id)
            .unwrap_or(0);
        let mf = format!("auth_methods[{mi}]");
        let o_query = f.params(
            &format!("{mf}.options.query"),
            &m.options.query,
            Context::Text,
        );
        let (o_headers, o_masked) = f.headers(&format!("{mf}.options.headers"), &m.options.headers);
        secret_headers.extend(o_masked);
        let o_body = f.params(
            &format!("{mf}.options.body"),
            &m.options.body,
            Context::Text,
        );
        for (k, v) in &o_query {
            parameters.push(SentParameter {
                place: "query".into(),
                name: k.clone(),
                value: v.clone(),
                from: m.name.clone(),
                signed: oauth1,
                why: if oauth1 {
                    why_query.into()
                } else {
                    "no signature".into()
                },
            });
        }
        for (k, v) in &o_headers {
            parameters.push(SentParameter {
                place: "header".into(),
                name: k.clone(),
                value: v.clone(),
                from: m.name.clone(),
                signed: false,
                why: why_header.into(),
            });
        }
        query.extend(o_query);
        headers.extend(o_headers);
        if !o_body.is_empty() {
            match (&mut form, &endpoint.body) {
                (Some(fields), _) => fields.extend(o_body),
                (None, Body::None) if http_method != "GET" && http_method != "HEAD" => {
                    content_type = Some(FORM.to_owned());
                    form = Some(o_body);
                }
                _ => problems.push(problem(
                    format!("{mf}.options.body"),
                    format!(
                        "the method adds form fields, but {:?} sends a {} body: move them to URL parameters, or give the endpoint a form body",
                        endpoint.name,
                        if endpoint.body == Body::None { "GET without a" } else { endpoint.body.type_name() }
                    ),
                )),
            }
        }
        match &m.kind {
            AuthKind::None => {}
            AuthKind::Basic { username, password } => {
                let user = f.fill(&|| format!("{mf}.kind.username"), username, Context::Text);
                let pass = f.fill(&|| format!("{mf}.kind.password"), password, Context::Text);
                let token =
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
                headers.push(("Authorization".into(), format!("Basic {token}")));
                secret_headers.push("Authorization".into());
                parameters.push(SentParameter {
                    place: "header".into(),
                    name: "Authorization".into(),
                    value: format!("Basic {}", signet_oauth1::secret::REDACTED),
                    from: m.name.clone(),
                    signed: false,
                    why: "HTTP Basic: the user name and password, base64-encoded".into(),
                });
                auth = PreparedAuth::Basic;
            }
            AuthKind::ApiKey {
                name,
                value,
                placement,
            } => {
                let n = f.fill(&|| format!("{mf}.kind.name"), name.trim(), Context::Text);
                let ctx = if *placement == KeyPlacement::Header {
                    Context::Header
                } else {
                    Context::Text
                };
                let v = f.fill(&|| format!("{mf}.kind.value"), value, ctx);
                match placement {
                    KeyPlacement::Header => {
                        headers.push((n.clone(), v));
                        secret_headers.push(n.clone());
                    }
                    KeyPlacement::Query => {
                        query.push((n.clone(), v));
                        secret_query.push(n.clone());
                    }
                }
                parameters.push(SentParameter {
                    place: if *placement == KeyPlacement::Header {
                        "header"
                    } else {
                        "query"
                    }
                    .into(),
                    name: n,
                    value: signet_oauth1::secret::REDACTED.into(),
                    from: m.name.clone(),
                    signed: false,
                    why: "the API key".into(),
                });
                auth = PreparedAuth::ApiKey;
            }
            AuthKind::OAuth1(o) => {
                let realm = o
                    .realm
                    .as_deref()
                    .map(|r| f.fill(&|| format!("{mf}.realm"), r, Context::Header))
                    .filter(|r| !r.is_empty());
                match consumer_key_material(o.signature_method, installed) {
                    Err(p) => problems.push(p),
                    Ok(key) => {
                        let token = match o.mode {
                            FlowMode::OneLegged => None,
                            FlowMode::ThreeLegged | FlowMode::PreIssuedToken => {
                                match (&installed.token, o.consumer_key_as_token) {
                                    (Some(t), _) => Some(t.clone()),
                                    (None, true) => Some(TokenCredentials {
                                        token: installed.consumer_key.trim().to_owned(),
                                        secret: Secret::default(),
                                        extra: Vec::new(),
                                    }),
                                    (None, false) if in_flow => None,
                                    (None, false) => {
                                        problems.push(problem(
                                            "instance.token",
                                            if o.mode == FlowMode::ThreeLegged {
                                                "this instance has no access token yet: connect it first (the ten steps)"
                                            } else {
                                                "this instance has no access token: enter the token the provider issued"
                                            },
                                        ));
                                        None
                                    }
                                }
                            }
                        };
                        if installed.consumer_key.trim().is_empty() {
                            problems.push(problem(
                                "instance.consumer_key",
                                "the consumer key is empty: copy it from the provider's developer page",
                            ));
                        }
                        auth = PreparedAuth::OAuth1(Box::new(OAuth1Signing {
                            consumer_key: installed.consumer_key.trim().to_owned(),
                            key,
                            signature_method: o.signature_method,
                            options: sign_options(o),
                            realm,
                            token,
                        }));
                    }
                }
            }
        }
    }
    if let Some(fields) = &form {
        for (k, v) in fields {
            parameters.push(SentParameter {
                place: "form".into(),
                name: k.clone(),
                value: v.clone(),
                from: "endpoint".into(),
                signed: oauth1,
                why: if oauth1 {
                    "form fields are part of the signature base string (RFC 5849 section 3.4.1.3)"
                        .into()
                } else {
                    "no signature".into()
                },
            });
        }
        body = Some(form_encode(fields));
    }
    if let (Some(ct), true) = (&content_type, oauth1)
        && ct != FORM
        && body.is_some()
    {
        let hashed = matches!(&auth, PreparedAuth::OAuth1(s) if s.options.body_hash);
        parameters.push(SentParameter {
            place: "body".into(),
            name: ct.clone(),
            value: String::new(),
            from: "endpoint".into(),
            signed: hashed,
            why: if hashed {
                "a body that is not a form is not signed itself; oauth_body_hash, which is signed, covers it".into()
            } else {
                "a body that is not a form is not part of the signature (turn on the body hash to cover it)".into()
            },
        });
    }
    if let PreparedAuth::OAuth1(signing) = &auth
        && !placement_fits(
            signing.options.placement,
            content_type.as_deref(),
            body.is_some(),
        )
    {
        problems.push(problem(
            format!("{e}.body"),
            format!(
                "the OAuth parameters travel in the body (the method's placement), which only a form body can carry; this body is {}: use header or query placement, or a form body",
                content_type.as_deref().unwrap_or("not a form")
            ),
        ));
    }
    for (name, _) in &headers {
        if !is_header_name(name) {
            problems.push(problem(
                format!("{e}.headers"),
                format!("{name:?} is not a header name: use letters, digits and - only"),
            ));
        }
    }
    signet_oauth1::encoding::append_query(&mut url, &query);
    problems.append(&mut f.problems);
    if problems.is_empty()
        && let Err(err) = UrlParts::parse(&url)
    {
        let reason = match err {
            signet_oauth1::Error::InvalidUrl { reason, .. } => reason.to_string(),
            other => other.to_string(),
        };
        problems.push(problem(
            format!("{e}.url"),
            format!("the URL {url:?} is not usable: {reason}"),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    for p in &mut parameters {
        if f.uses
            .iter()
            .any(|u| u.secret && !u.value.is_empty() && p.value.contains(&u.value))
        {
            p.value = signet_oauth1::secret::REDACTED.into();
        }
    }
    Ok(PreparedCall {
        endpoint_id: endpoint.id.clone(),
        auth_method: method_def.map(|m| m.id.clone()),
        method: http_method,
        url,
        headers,
        content_type,
        body,
        auth,
        variables: f.uses,
        parameters,
        secret_headers,
        secret_query,
    })
}

/// A call ready to send.
#[derive(Debug, Clone)]
pub struct SignedCall {
    /// The method.
    pub method: String,
    /// The URL (with the `oauth_*` parameters for query placement).
    pub url: String,
    /// Every header, `Authorization` included.
    pub headers: Vec<(String, String)>,
    /// The body's content type.
    pub content_type: Option<String>,
    /// The body (with the `oauth_*` parameters for body placement).
    pub body: Option<Vec<u8>>,
    /// The signing trace (OAuth 1.0a calls).
    pub trace: Option<SigningTrace>,
}

/// Signs a prepared call with this nonce and timestamp (OAuth 1.0a calls); other calls are
/// returned as they are.
pub fn sign_call(
    call: &PreparedCall,
    nonce: &str,
    timestamp: u64,
) -> Result<SignedCall, ErrorReport> {
    sign_call_with(call, nonce, timestamp, None)
}

/// [`sign_call`] with an RSA signature blinded by `seed` (fresh and secret per call: the app
/// draws it from the operating system; this crate does no IO).
pub fn sign_call_blinded(
    call: &PreparedCall,
    nonce: &str,
    timestamp: u64,
    seed: [u8; 32],
) -> Result<SignedCall, ErrorReport> {
    sign_call_with(call, nonce, timestamp, Some(seed))
}

fn sign_call_with(
    call: &PreparedCall,
    nonce: &str,
    timestamp: u64,
    blinding: Option<[u8; 32]>,
) -> Result<SignedCall, ErrorReport> {
    let PreparedAuth::OAuth1(s) = &call.auth else {
        return Ok(SignedCall {
            method: call.method.clone(),
            url: call.url.clone(),
            headers: call.headers.clone(),
            content_type: call.content_type.clone(),
            body: call.body.as_ref().map(|b| b.as_bytes().to_vec()),
            trace: None,
        });
    };
    let signer = match &s.key {
        ConsumerKey::Secret(secret) => Signer::shared(
            s.signature_method,
            secret,
            s.token.as_ref().map(|t| &t.secret),
        ),
        ConsumerKey::Rsa(k) => Signer::rsa(s.signature_method, k),
    }
    .map_err(|e| ErrorReport::from(&e))?;
    let signer = match blinding {
        Some(seed) => signer.with_blinding(seed),
        None => signer,
    };
    let timestamp = timestamp.to_string();
    let req = HttpRequest {
        method: &call.method,
        url: &call.url,
        content_type: call.content_type.as_deref(),
        body: call.body.as_deref().map(str::as_bytes),
    };
    let oauth = OAuthParams {
        consumer_key: &s.consumer_key,
        token: s.token.as_ref().map(|t| t.token.as_str()),
        nonce,
        timestamp: &timestamp,
        realm: s.realm.as_deref(),
        ..OAuthParams::default()
    };
    let (signed, trace) =
        sign_traced(&req, &oauth, &signer, &s.options).map_err(|e| ErrorReport::from(&e))?;
    let mut headers = call.headers.clone();
    if let Some(a) = &signed.authorization {
        headers.push(("Authorization".into(), a.clone()));
    }
    Ok(SignedCall {
        method: signed.method.into_owned(),
        url: signed.url.into_owned(),
        headers,
        content_type: signed.content_type.map(str::to_owned),
        body: signed.body.map(std::borrow::Cow::into_owned),
        trace: Some(trace),
    })
}

/// Whether a placement can carry this call's OAuth parameters (body placement needs a form).
pub fn placement_fits(placement: Placement, content_type: Option<&str>, has_body: bool) -> bool {
    placement != Placement::Body
        || !has_body
        || content_type.is_some_and(signet_oauth1::request::is_form_content_type)
}

impl From<TemplateError> for FieldProblem {
    fn from(e: TemplateError) -> Self {
        problem("", e.to_string())
    }
}
