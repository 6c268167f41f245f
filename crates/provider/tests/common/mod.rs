//! Shared test helpers: sign requests with the core's `sign`, send them with reqwest, and walk
//! the three-legged flow against a running demo provider.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use signet_oauth1::request::FORM;
use signet_oauth1::{
    Callback, HttpRequest, OAuthParams, Placement, RsaPrivateKeyPem, Secret, SignOptions,
    SignatureMethod, Signer, TokenResponse, parse_token_response, sign,
};
use signet_provider::{ProviderConfig, RunningProvider, approve, demo, start};

pub async fn provider() -> RunningProvider {
    start(ProviderConfig::demo())
        .await
        .expect("provider starts")
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn fresh_nonce() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!("nonce{}x{}", N.fetch_add(1, Ordering::Relaxed), now())
}

/// One signed request to make.
#[derive(Debug, Clone)]
pub struct Spec {
    pub method: &'static str,
    pub url: String,
    pub form: Option<String>,
    /// A JSON body (signed with `oauth_body_hash`).
    pub json: Option<String>,
    pub sig: SignatureMethod,
    pub placement: Placement,
    pub consumer_key: Option<String>,
    pub consumer_secret: Option<String>,
    pub token: Option<String>,
    pub token_secret: Option<String>,
    pub callback: Option<String>,
    pub verifier: Option<String>,
    pub nonce: Option<String>,
    pub timestamp: Option<i64>,
}

impl Spec {
    pub fn new(method: &'static str, url: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            form: None,
            json: None,
            sig: SignatureMethod::HmacSha1,
            placement: Placement::Header,
            consumer_key: None,
            consumer_secret: None,
            token: None,
            token_secret: None,
            callback: None,
            verifier: None,
            nonce: None,
            timestamp: None,
        }
    }

    pub fn sig(mut self, sig: SignatureMethod) -> Self {
        self.sig = sig;
        self
    }
    pub fn placement(mut self, placement: Placement) -> Self {
        self.placement = placement;
        self
    }
    pub fn callback(mut self, cb: &str) -> Self {
        self.callback = Some(cb.into());
        self
    }
    pub fn token(mut self, token: &str, secret: &str) -> Self {
        self.token = Some(token.into());
        self.token_secret = Some(secret.into());
        self
    }
    pub fn verifier(mut self, v: &str) -> Self {
        self.verifier = Some(v.into());
        self
    }
    pub fn nonce(mut self, n: &str) -> Self {
        self.nonce = Some(n.into());
        self
    }
    pub fn timestamp(mut self, t: i64) -> Self {
        self.timestamp = Some(t);
        self
    }
    pub fn form(mut self, body: &str) -> Self {
        self.form = Some(body.into());
        self
    }
    pub fn json(mut self, body: &str) -> Self {
        self.json = Some(body.into());
        self
    }
    pub fn consumer(mut self, key: &str, secret: &str) -> Self {
        self.consumer_key = Some(key.into());
        self.consumer_secret = Some(secret.into());
        self
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub content_type: Option<String>,
    pub date: Option<String>,
    pub location: Option<String>,
    pub www_authenticate: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Resp {
    // Mirrors the core's `parse_token_response`, whose error is large.
    #[allow(clippy::result_large_err)]
    pub fn token_response(&self) -> Result<TokenResponse, signet_oauth1::ResponseError> {
        parse_token_response(
            self.status,
            self.content_type.as_deref(),
            self.body.as_bytes(),
        )
    }

    /// The value of one field of a form-encoded body.
    #[track_caller]
    pub fn field(&self, name: &str) -> Option<String> {
        self.body.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == name).then(|| {
                String::from_utf8(signet_oauth1::encoding::form_decode(v).into_owned()).unwrap()
            })
        })
    }

    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.content_type.as_deref(),
            Some("application/x-www-form-urlencoded"),
            "{}",
            self.body
        );
        assert_eq!(
            self.field("oauth_problem").as_deref(),
            Some(code),
            "{}",
            self.body
        );
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn signer_for(spec: &Spec) -> (String, Signer) {
    let token_secret = spec.token_secret.as_deref().map(Secret::new);
    if spec.sig.is_rsa() {
        let key = RsaPrivateKeyPem::parse(demo::RSA_PRIVATE_KEY_PEM).unwrap();
        (
            spec.consumer_key
                .clone()
                .unwrap_or_else(|| demo::RSA_CONSUMER_KEY.into()),
            Signer::rsa(spec.sig, &key).unwrap(),
        )
    } else {
        let secret = spec
            .consumer_secret
            .clone()
            .unwrap_or_else(|| demo::CONSUMER_SECRET.into());
        (
            spec.consumer_key
                .clone()
                .unwrap_or_else(|| demo::CONSUMER_KEY.into()),
            Signer::shared(spec.sig, &Secret::new(secret), token_secret.as_ref()).unwrap(),
        )
    }
}

/// Signs `spec` with the demo credentials (unless overridden) and sends it.
pub async fn send(spec: &Spec) -> Resp {
    send_with(&client(), spec).await
}

/// As [`send`], through `client` (one that resolves a test host name, say).
pub async fn send_with(client: &reqwest::Client, spec: &Spec) -> Resp {
    let (consumer_key, signer) = signer_for(spec);
    let nonce = spec.nonce.clone().unwrap_or_else(fresh_nonce);
    let timestamp = spec.timestamp.unwrap_or_else(now).to_string();
    let (content_type, body) = match (&spec.form, &spec.json) {
        (Some(form), _) => (Some(FORM), Some(form.as_bytes())),
        (None, Some(json)) => (Some("application/json"), Some(json.as_bytes())),
        (None, None) => (None, None),
    };
    let req = HttpRequest {
        method: spec.method,
        url: &spec.url,
        content_type,
        body,
    };
    let oauth = OAuthParams {
        consumer_key: &consumer_key,
        token: spec.token.as_deref(),
        callback: spec.callback.as_deref(),
        verifier: spec.verifier.as_deref(),
        nonce: &nonce,
        timestamp: &timestamp,
        realm: Some("Signet Demo"),
        extra: &[],
    };
    let opts = SignOptions {
        placement: spec.placement,
        body_hash: spec.json.is_some(),
        ..SignOptions::default()
    };
    let signed = sign(&req, &oauth, &signer, &opts).unwrap();
    let mut rb = client.request(
        reqwest::Method::from_bytes(signed.method.as_bytes()).unwrap(),
        signed.url.as_ref(),
    );
    if let Some(h) = &signed.authorization {
        rb = rb.header("Authorization", h);
    }
    if let Some(b) = &signed.body {
        rb = rb
            .header(
                "Content-Type",
                signed.content_type.or(content_type).unwrap_or(FORM),
            )
            .body(b.to_vec());
    }
    into_resp(rb.send().await.expect("request sent")).await
}

pub async fn into_resp(r: reqwest::Response) -> Resp {
    let h = |n: &str| {
        r.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let status = r.status().as_u16();
    let content_type = h("content-type");
    let date = h("date");
    let location = h("location");
    let www_authenticate = h("www-authenticate");
    let headers = r.headers().clone();
    let body = r.text().await.unwrap();
    Resp {
        status,
        content_type,
        date,
        location,
        www_authenticate,
        headers,
        body,
    }
}

/// Temporary credentials with `callback`.
pub async fn request_token(
    p: &RunningProvider,
    sig: SignatureMethod,
    placement: Placement,
    callback: &str,
) -> TokenResponse {
    let resp = send(
        &Spec::new("POST", p.request_token_url())
            .sig(sig)
            .placement(placement)
            .callback(callback),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    resp.token_response().expect("a token response")
}

pub fn authorize_link(p: &RunningProvider, token: &str) -> String {
    format!("{}?oauth_token={token}", p.authorize_url())
}

/// Allows as alice and returns the verifier (from the redirect or the PIN).
pub async fn allow(p: &RunningProvider, temp: &TokenResponse) -> String {
    let outcome = approve(&authorize_link(p, &temp.token), "alice", "wonderland", true)
        .await
        .expect("approved");
    assert!(!outcome.denied);
    match (outcome.redirect, outcome.pin) {
        (Some(url), None) => {
            Callback::parse(&url)
                .unwrap()
                .check(&temp.token, false)
                .expect("callback matches the request token")
                .verifier
        }
        (None, Some(pin)) => pin,
        other => panic!("unexpected outcome {other:?}"),
    }
}

/// Exchanges temporary credentials and a verifier for token credentials.
pub async fn access_token(
    p: &RunningProvider,
    sig: SignatureMethod,
    placement: Placement,
    temp: &TokenResponse,
    verifier: &str,
) -> Resp {
    send(
        &Spec::new("POST", p.access_token_url())
            .sig(sig)
            .placement(placement)
            .token(&temp.token, temp.token_secret.expose())
            .verifier(verifier),
    )
    .await
}
