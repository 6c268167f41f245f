//! The request-description format of the signing vectors (`crates/oauth1/tests/vectors/README.md`):
//! one request, its credentials, a fixed nonce and timestamp. The vector tests read it, and
//! `signet sign --json` takes it on stdin, so anyone can check Signet against another
//! implementation. Reading an RSA key file is the caller's job (no IO here).

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::placement::Placement;
use crate::request::{HttpRequest, OAuthParams, SignOptions, Signed, sign};
use crate::secret::Secret;
use crate::signing::rsa::RsaPrivateKeyPem;
use crate::signing::{SignatureMethod, Signer};

/// One request in the vector format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VectorRequest {
    /// The HTTP method.
    pub method: String,
    /// The absolute URL.
    pub url: String,
    /// The body (form-encoded text), if any.
    #[serde(default)]
    pub body: Option<String>,
    /// The body's content type.
    #[serde(default)]
    pub content_type: Option<String>,
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// The consumer secret (HMAC and PLAINTEXT).
    #[serde(default)]
    pub consumer_secret: Option<String>,
    /// `oauth_token`.
    #[serde(default)]
    pub token: Option<String>,
    /// The token secret.
    #[serde(default)]
    pub token_secret: Option<String>,
    /// `oauth_callback`.
    #[serde(default)]
    pub callback: Option<String>,
    /// `oauth_verifier`.
    #[serde(default)]
    pub verifier: Option<String>,
    /// The header's realm.
    #[serde(default)]
    pub realm: Option<String>,
    /// The signature method.
    pub signature_method: SignatureMethod,
    /// Where the protocol parameters travel (absent: header).
    #[serde(default)]
    pub placement: Option<Placement>,
    /// Whether `oauth_version=1.0` is sent (absent: true).
    #[serde(default)]
    pub include_version: Option<bool>,
    /// `oauth_nonce`.
    pub nonce: String,
    /// `oauth_timestamp`.
    pub timestamp: String,
    /// For RSA methods: the key file's name (or, for `signet sign --json`, the PEM itself).
    #[serde(default)]
    pub rsa_private_key: Option<String>,
}

impl VectorRequest {
    /// The signer this request describes; RSA methods need the parsed key.
    pub fn signer(&self, rsa_key: Option<&RsaPrivateKeyPem>) -> Result<Signer> {
        match rsa_key {
            Some(key) => Signer::rsa(self.signature_method, key),
            None => {
                let ts = self.token_secret.clone().map(Secret::new);
                let cs = Secret::new(self.consumer_secret.clone().unwrap_or_default());
                Signer::shared(self.signature_method, &cs, ts.as_ref())
            }
        }
    }

    /// The signing options: placement and `oauth_version` as the vector says.
    pub fn options(&self) -> SignOptions {
        SignOptions {
            placement: self.placement.unwrap_or_default(),
            include_version: self.include_version.unwrap_or(true),
            ..SignOptions::default()
        }
    }

    /// The HTTP request the vector describes.
    pub fn http_request(&self) -> HttpRequest<'_> {
        HttpRequest {
            method: &self.method,
            url: &self.url,
            content_type: self.content_type.as_deref(),
            body: self.body.as_deref().map(str::as_bytes),
        }
    }

    /// The protocol parameters the vector describes, with its pinned nonce and timestamp.
    pub fn oauth_params(&self) -> OAuthParams<'_> {
        OAuthParams {
            consumer_key: &self.consumer_key,
            token: self.token.as_deref(),
            callback: self.callback.as_deref(),
            verifier: self.verifier.as_deref(),
            nonce: &self.nonce,
            timestamp: &self.timestamp,
            realm: self.realm.as_deref(),
            extra: &[],
        }
    }

    /// Signs the request with `signer`.
    pub fn sign(&self, signer: &Signer) -> Result<Signed<'_>> {
        sign(
            &self.http_request(),
            &self.oauth_params(),
            signer,
            &self.options(),
        )
    }
}
