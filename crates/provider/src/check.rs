//! The provider's strictness: every signed request passes the same checks, in this order, and
//! each refusal is a real status code with an `oauth_problem` report (the OAuth Problem
//! Reporting extension; RFC 5849 section 3.2 for 400 versus 401).
//!
//! 1. the protocol parameters are readable ([`signet_oauth1::verify::inspect`]) → 400
//! 2. the consumer is registered → 401 `consumer_key_unknown`
//! 3. the signature method suits the consumer's key → 400 `signature_method_rejected`
//! 4. the timestamp is inside the window → 401 `timestamp_refused`
//! 5. the token exists, is the right kind and belongs to the consumer → 401 `token_rejected`
//! 6. the signature (and any body hash) verifies → 401 `signature_invalid`
//! 7. the nonce is fresh → 401 `nonce_used` (remembered only for validly signed requests, so
//!    forged requests cannot burn a client's nonces)

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use signet_oauth1::encoding::encode;
use signet_oauth1::verify::{Incoming, Rejection, inspect};
use signet_oauth1::{HttpRequest, Verifier};

use crate::config::{Consumer, ConsumerCredentials};
use crate::profile::{ErrorBody, QuirkProfile};
use crate::state::{AccessToken, AppState, RequestToken};
use signet_presets::Trigger;

/// A received request, whole: what `inspect` needs.
pub(crate) struct Received {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl<S: Send + Sync> FromRequest<S> for Received {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let body = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
        })
    }
}

impl Received {
    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The URL the client must have signed: `http://{Host}{path and query}`.
    pub fn url(&self) -> String {
        let host = self.header(header::HOST).unwrap_or("127.0.0.1");
        let pq = self.uri.path_and_query().map_or("/", |pq| pq.as_str());
        format!("http://{host}{pq}")
    }

    pub fn content_type(&self) -> Option<&str> {
        self.header(header::CONTENT_TYPE)
    }
}

/// An `oauth_problem` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub status: StatusCode,
    pub body: String,
    pub realm: Option<String>,
    /// The body's content type; a form when `None`.
    pub content_type: Option<String>,
}

impl Problem {
    /// A problem with advice and extra fields (values are encoded here).
    pub fn new(status: StatusCode, code: &str, advice: &str) -> Self {
        Self {
            status,
            body: format!(
                "oauth_problem={code}&oauth_problem_advice={}",
                encode(advice)
            ),
            realm: None,
            content_type: None,
        }
    }

    /// An imitated provider's own error body.
    pub fn from_body(b: &ErrorBody) -> Self {
        Self {
            status: StatusCode::from_u16(b.status).unwrap_or(StatusCode::BAD_REQUEST),
            body: b.body.clone(),
            realm: None,
            content_type: b.content_type.clone(),
        }
    }

    /// The profile's own error for `trigger`, or `default`.
    pub fn quirk(profile: &QuirkProfile, trigger: Trigger, default: Self) -> Self {
        profile.error(trigger).map_or(default, Self::from_body)
    }

    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.body.push('&');
        self.body.push_str(name);
        self.body.push('=');
        self.body.push_str(&encode(value));
        self
    }

    pub fn unauthorized(code: &str, advice: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, advice)
    }

    pub fn bad_request(code: &str, advice: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, advice)
    }

    fn from_rejection(r: &Rejection) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            body: r.to_form(),
            realm: None,
            content_type: None,
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let content_type = self
            .content_type
            .as_deref()
            .and_then(|c| HeaderValue::from_str(c).ok())
            .unwrap_or(HeaderValue::from_static(
                "application/x-www-form-urlencoded",
            ));
        let mut resp = (self.status, self.body).into_response();
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, content_type);
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.status == StatusCode::UNAUTHORIZED {
            let realm = self
                .realm
                .as_deref()
                .unwrap_or("Signet Demo")
                .replace('"', "'");
            if let Ok(v) = HeaderValue::from_str(&format!("OAuth realm=\"{realm}\"")) {
                h.insert(header::WWW_AUTHENTICATE, v);
            }
        }
        resp
    }
}

/// Which token an endpoint wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    /// None (the request-token endpoint; a stray token is ignored).
    Nothing,
    /// A request token (the access-token endpoint).
    Request,
    /// An access token (protected resources).
    Access,
}

/// The token a request carried, as the provider knows it.
#[derive(Debug, Clone)]
pub(crate) enum Token {
    None,
    Request(String, RequestToken),
    Access(AccessToken),
}

/// A request that passed every generic check.
#[derive(Debug)]
pub(crate) struct Checked {
    pub incoming: Incoming,
    pub consumer: Consumer,
    pub token: Token,
}

/// Runs checks 1 to 7 on a received request.
pub(crate) fn check(state: &AppState, rx: &Received, expect: Expect) -> Result<Checked, Problem> {
    let realm = state.config.realm.clone();
    check_inner(state, rx, expect).map_err(|mut p| {
        p.realm = Some(realm);
        p
    })
}

fn check_inner(state: &AppState, rx: &Received, expect: Expect) -> Result<Checked, Problem> {
    let url = rx.url();
    let req = HttpRequest {
        method: rx.method.as_str(),
        url: &url,
        content_type: rx.content_type(),
        body: (!rx.body.is_empty()).then_some(&rx.body[..]),
    };
    let authorization = rx.header(header::AUTHORIZATION);
    let incoming = inspect(&req, authorization).map_err(|r| Problem::from_rejection(&r))?;

    // 2. the consumer
    let consumer = state
        .config
        .consumers
        .iter()
        .find(|c| c.key == incoming.consumer_key)
        .cloned()
        .ok_or_else(|| {
            Problem::unauthorized(
                "consumer_key_unknown",
                &format!(
                    "no consumer is registered with the key {:?}",
                    incoming.consumer_key
                ),
            )
        })?;

    // 3. the method suits the key
    if !consumer.credentials.allows(incoming.signature_method) {
        let allowed = consumer.credentials.allowed_methods().join(", ");
        let why = match consumer.credentials {
            ConsumerCredentials::Rsa(_) => "registered an RSA public key",
            ConsumerCredentials::Shared(_) => "registered a shared secret, not an RSA key",
        };
        return Err(Problem::bad_request(
            "signature_method_rejected",
            &format!("consumer {:?} {why}: sign with {allowed}", consumer.key),
        )
        .with("oauth_acceptable_signature_methods", &allowed));
    }

    // 3b. the imitated provider's own rules
    if let Some(profile) = &state.config.profile {
        profile_checks(profile, rx, &incoming)?;
    }

    // 4. the timestamp window
    let faults = state.faults();
    let now = state.now();
    let window = state.window();
    let timestamp: i64 = incoming.timestamp.parse().map_err(|_| {
        Problem::bad_request(
            "parameter_rejected",
            "oauth_timestamp must be a whole number of seconds since 1970-01-01T00:00:00Z",
        )
        .with("oauth_parameters_rejected", "oauth_timestamp")
    })?;
    if !faults.ignore_timestamps && timestamp.abs_diff(now) > window.unsigned_abs() {
        return Err(Problem::unauthorized(
            "timestamp_refused",
            &format!(
                "oauth_timestamp {timestamp} is {} seconds from the provider's clock ({now}); the window is {window} seconds",
                i128::from(timestamp) - i128::from(now)
            ),
        )
        .with(
            "oauth_acceptable_timestamps",
            &format!(
                "{}-{}",
                now.saturating_sub(window),
                now.saturating_add(window)
            ),
        ));
    }

    // 5. the token
    let token_value = incoming.token.clone().filter(|t| !t.is_empty());
    let profile = state.config.profile.as_ref();
    let token = match (expect, token_value) {
        (Expect::Nothing, _) => Token::None,
        (Expect::Access, None) if profile.is_some_and(|p| p.one_legged) => Token::None,
        (Expect::Access, Some(t))
            if profile.is_some_and(|p| p.consumer_key_as_token) && t == consumer.key =>
        {
            Token::Access(AccessToken {
                secret: signet_oauth1::Secret::default(),
                consumer_key: consumer.key.clone(),
                username: crate::demo::USERS[0].0.to_owned(),
            })
        }
        (_, None) => {
            return Err(Problem::bad_request(
                "parameter_absent",
                "this endpoint needs oauth_token",
            )
            .with("oauth_parameters_absent", "oauth_token"));
        }
        (Expect::Request, Some(t)) => {
            let mem = state.memory();
            match mem.request_tokens.get(&t) {
                Some(rt) => Token::Request(t, rt.clone()),
                None if mem.access_tokens.contains_key(&t) => {
                    return Err(Problem::unauthorized(
                        "token_rejected",
                        "this is an access token; the access-token request must carry the request token",
                    ));
                }
                None => {
                    return Err(Problem::unauthorized(
                        "token_rejected",
                        "the request token is unknown to this provider",
                    ));
                }
            }
        }
        (Expect::Access, Some(t)) => {
            let mem = state.memory();
            match mem.access_tokens.get(&t) {
                Some(at) => Token::Access(at.clone()),
                None if mem.request_tokens.contains_key(&t) => {
                    return Err(Problem::unauthorized(
                        "token_rejected",
                        "this is a request token; protected resources need the access token",
                    ));
                }
                None => {
                    return Err(Problem::unauthorized(
                        "token_rejected",
                        "the access token is unknown to this provider",
                    ));
                }
            }
        }
    };
    let (token_consumer, token_secret) = match &token {
        Token::None => (None, None),
        Token::Request(_, rt) => (Some(&rt.consumer_key), Some(rt.secret.clone())),
        Token::Access(at) => (Some(&at.consumer_key), Some(at.secret.clone())),
    };
    if token_consumer.is_some_and(|k| *k != consumer.key) {
        return Err(Problem::unauthorized(
            "token_rejected",
            "the token was issued to another consumer",
        ));
    }

    // 6. the signature
    let verifier = match &consumer.credentials {
        ConsumerCredentials::Shared(secret) => Verifier::Shared {
            consumer_secret: secret.clone(),
            token_secret,
        },
        ConsumerCredentials::Rsa(key) => Verifier::Rsa(key.clone()),
    };
    if faults.reject_signatures {
        return Err(Problem::unauthorized(
            "signature_invalid",
            "the provider refuses every signature (the reject_signatures fault is on)",
        ));
    }
    if !faults.accept_any_signature && !incoming.verify(&verifier) {
        return Err(Problem::unauthorized(
            "signature_invalid",
            &format!(
                "the {} signature does not match the base string the provider computed; compare it with yours",
                incoming.signature_method
            ),
        )
        .with("debug_base_string", &incoming.base_string));
    }
    if !faults.accept_any_signature
        && !req.is_form()
        && incoming.body_hash_matches(&rx.body) == Some(false)
    {
        return Err(Problem::unauthorized(
            "signature_invalid",
            "oauth_body_hash does not match the body that was sent",
        ));
    }

    // 7. the nonce
    let remembered = if faults.accept_replayed_nonces {
        Ok(())
    } else {
        state
            .memory()
            .remember_nonce(&consumer.key, &incoming.nonce, timestamp, now, window)
    };
    match remembered {
        Ok(()) => {}
        Err(crate::state::NonceRefused::Used) => {
            return Err(Problem::unauthorized(
                "nonce_used",
                &format!(
                    "the nonce {:?} was already used by this consumer; every request needs a fresh one",
                    incoming.nonce
                ),
            ));
        }
        Err(crate::state::NonceRefused::Full) => {
            return Err(Problem::unauthorized(
                "nonce_used",
                "too many requests inside the timestamp window to remember another nonce; wait a few minutes and try again",
            ));
        }
    }

    Ok(Checked {
        incoming,
        consumer,
        token,
    })
}

/// A quirk profile's rules: methods, placement, realm, nonce alphabet, required headers.
fn profile_checks(
    profile: &QuirkProfile,
    rx: &Received,
    incoming: &Incoming,
) -> Result<(), Problem> {
    let name = &profile.name;
    let method = incoming.signature_method;
    if !profile.allowed_methods.contains(&method) {
        let allowed: Vec<&str> = profile.allowed_methods.iter().map(|m| m.as_str()).collect();
        return Err(Problem::quirk(
            profile,
            Trigger::MethodRejected,
            Problem::bad_request(
                "signature_method_rejected",
                &format!(
                    "{name} does not accept {method}: sign with {}",
                    allowed.join(", ")
                ),
            )
            .with("oauth_acceptable_signature_methods", &allowed.join("&")),
        ));
    }
    if !profile.allowed_placements.contains(&incoming.placement) {
        let allowed: Vec<&str> = profile
            .allowed_placements
            .iter()
            .map(|p| p.as_str())
            .collect();
        return Err(Problem::quirk(
            profile,
            Trigger::PlacementRejected,
            Problem::bad_request(
                "parameter_rejected",
                &format!(
                    "{name} reads oauth parameters from the {} only, not the {}",
                    allowed.join(" or "),
                    incoming.placement
                ),
            ),
        ));
    }
    if let Some(realm) = &profile.realm
        && incoming.realm.as_deref() != Some(realm.as_str())
    {
        return Err(Problem::quirk(
            profile,
            Trigger::RealmMismatch,
            Problem::unauthorized(
                "parameter_rejected",
                &format!("{name} expects the realm {realm:?}"),
            )
            .with("oauth_parameters_rejected", "realm"),
        ));
    }
    if profile.ascii_nonce && !incoming.nonce.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Problem::unauthorized(
            "parameter_rejected",
            &format!("{name} accepts nonces of ASCII letters and digits only"),
        )
        .with("oauth_parameters_rejected", "oauth_nonce"));
    }
    for h in &profile.headers {
        let value = rx
            .headers
            .get(h.name.as_str())
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let generic = h.refused_prefixes.iter().any(|p| {
            value
                .to_ascii_lowercase()
                .starts_with(&p.to_ascii_lowercase())
        });
        if value.trim().is_empty() || generic {
            return Err(Problem::quirk(
                profile,
                Trigger::HeaderMissing,
                Problem::new(
                    StatusCode::FORBIDDEN,
                    "parameter_absent",
                    &format!(
                        "{name} requires a {} header that names your application",
                        h.name
                    ),
                ),
            ));
        }
    }
    Ok(())
}
